"""paperboy as a Model Context Protocol server: an interface beside ``web/``.

``paperboy mcp`` runs it over stdio for MCP clients (Claude Desktop, IDEs, agents); see
docs/mcp.md. It reads the store the web app reads and imports nothing of ``web/``.
Imports of the SDK are absolute (``from mcp.server...``): inside this package the name
``mcp`` still means the SDK, never ``paperboy.mcp``.
"""
