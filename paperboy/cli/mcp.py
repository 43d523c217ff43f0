"""``paperboy mcp``: the Model Context Protocol server over stdio."""

from __future__ import annotations

from paperboy.cli.main import AppContext, cli, pass_app
from paperboy.errors import ConfigError


@cli.command("mcp")
@pass_app
def mcp_command(app: AppContext) -> None:
    """Serve paperboy's papers to an MCP client over stdin/stdout.

    Tools: search_papers, get_paper, trending, daily, similar_papers (all read-only).
    It reads the database `paperboy serve` uses (PAPERBOY_DATA_DIR or
    PAPERBOY_DATABASE_URL), never writes to it and makes no network requests. The MCP
    client starts this command itself; logs go to stderr. See docs/mcp.md.

    \b
    Example (an MCP client's server entry, e.g. Claude Desktop):
      {"mcpServers": {"paperboy": {"command": "paperboy", "args": ["mcp"],
        "env": {"PAPERBOY_DATA_DIR": "/home/me/paperboy/data"}}}}
    Example (a quick check by hand; the client speaks first, so this waits):
      PAPERBOY_DATA_DIR=data paperboy mcp
    """
    settings = app.settings
    default_file = (settings.data_dir / "paperboy.db").resolve()
    if not settings.database_url and not default_file.is_file():
        # An MCP client starts this from its own folder: a relative or mistyped data
        # folder must not quietly become a new, empty database.
        raise ConfigError(
            f"no database at {default_file}: set PAPERBOY_DATA_DIR to the (absolute) data "
            "folder `paperboy serve` uses, or PAPERBOY_DATABASE_URL"
        )
    # Imported here: the SDK is only loaded by this command.
    from paperboy.mcp.server import serve_stdio

    serve_stdio(settings, app.store)
