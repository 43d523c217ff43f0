"""Settings of the sources paperboy reads: arXiv (OAI-PMH, the API, interactive
lookups), Hugging Face daily papers and GitHub, and the HTTP client they share. Part of
``config.Settings`` (a base class of it): read with the same ``PAPERBOY_*`` variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings


class SourceSettings(BaseSettings):
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
    harvest_minutes: int = Field(
        0,
        ge=0,
        le=10080,
        description="Minutes between the service's own OAI-PMH harvests of arXiv "
        "(`paperboy ingest oai` of each set in `harvest_sets`, resuming where the last one "
        "ended); 0 turns the scheduled harvest off (use cron instead).",
    )
    harvest_sets: str = Field(
        "cs",
        max_length=500,
        description="Comma-separated OAI sets the scheduled harvest fetches (cs, math, "
        "physics:hep-ex ...). A set never harvested before starts `harvest_first_days` "
        "back.",
    )
    harvest_first_days: int = Field(
        3, ge=1, le=365, description="Days a scheduled harvest of a new set reaches back."
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
