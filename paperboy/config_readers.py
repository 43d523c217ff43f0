"""Settings of what readers do: mail and sign-in, sessions, trending, comments,
submissions, API limits, library, For you and digests. Part of ``config.Settings`` (a
base class of it): read with the same ``PAPERBOY_*`` variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings


class ReaderSettings(BaseSettings):
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
        "score = points / (age_hours + offset) ** gravity (see docs/ranking.md).",
    )
    trending_offset_hours: float = Field(
        2.0,
        gt=0.0,
        le=240.0,
        description="Hours added to a paper's age in the trending score, so brand-new "
        "papers do not get an unbounded boost.",
    )
    trending_hf_weight: float = Field(
        1.0,
        ge=0.0,
        le=100.0,
        description="Points per Hugging Face upvote in the trending score (0 ignores HF's counts).",
    )
    trending_local_weight: float = Field(
        1.0,
        ge=0.0,
        le=100.0,
        description="Points per upvote by this instance's readers in the trending score.",
    )
    trending_star_weight: float = Field(
        1.0,
        ge=0.0,
        le=100.0,
        description="Points per square root of the GitHub stars a paper's official "
        "repository gained within the trending window (0 ignores stars).",
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
    following_max: int = Field(
        500,
        ge=1,
        le=5000,
        description="Authors, categories and saved searches one reader may follow, in all "
        "(a follow past it is refused with 409; an import stops there).",
    )
    following_window_days: int = Field(
        7,
        ge=1,
        le=90,
        description="`/following` and its private feed show papers announced in the last this "
        "many days, ending at the newest announcement day.",
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
