"""``paperboy sync hf``: Hugging Face daily papers as a live source.

Each run fetches the daily list of each of the last N days
(``GET {hf_daily_papers_url}?date=YYYY-MM-DD``), upserts the papers and refreshes HF's
upvote and comment counts (they keep moving for days after a paper is featured), plus
the submitter, the featured day, ``githubRepo``, ``projectPage``, ``ai_summary`` and
``ai_keywords``. HF's numbers go to ``store.hf``, apart from local votes.

Polite and safe to run from cron and the service at once:

* requests are spaced by ``request_interval``; 429 and 5xx answers are retried after
  their ``Retry-After`` (or with backoff), up to ``max_retries`` times;
* a day's ``ETag`` is kept and sent back as ``If-None-Match``: a 304 costs nothing and
  only confirms the stored counts;
* each day is one transaction (papers, HF rows and the ETag together): a failure never
  leaves half a day written, and a rerun repeats it without duplicating anything;
* a day whose answer is not a JSON list is skipped and reported; items that are not
  papers are skipped and reported, the rest of the day is stored;
* when HF cannot be reached (or keeps failing) the run stops with
  ``HfUnreachable``; days stored before that stay stored.
"""

from __future__ import annotations

import gzip
import json
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from paperboy.arxiv import PaperRecord
from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.errors import InvalidInput, SourceError
from paperboy.ingest.formats import detect_format, parse_date, record_from_hf
from paperboy.ingest.http import PoliteClient
from paperboy.ingest.report import IngestReport
from paperboy.progress import progress
from paperboy.store import Store
from paperboy.store.hf import HfEntry

HF_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# HF is there but has no list for that day (a bad or unknown date): skip the day.
HF_DAY_MISSING = frozenset({400, 404})
MAX_DAYS = 90
_URL_SCHEMES = ("https://", "http://")


class HfUnreachable(SourceError):
    """Hugging Face could not be reached or kept failing; the run stopped."""


@dataclass
class DayResult:
    day: date
    status: str  # "fetched", "not modified" (HTTP 304) or "skipped"
    papers: int = 0  # papers whose HF counts were stored or confirmed
    reason: str | None = None  # why a day was skipped


@dataclass
class HfSyncReport:
    papers: IngestReport = field(
        default_factory=lambda: IngestReport(source="Hugging Face daily papers")
    )
    days: list[DayResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def counts_refreshed(self) -> int:
        return sum(d.papers for d in self.days)

    def summary(self) -> str:
        fetched = sum(d.status == "fetched" for d in self.days)
        unchanged = sum(d.status == "not modified" for d in self.days)
        skipped = [d for d in self.days if d.status == "skipped"]
        lines = [
            f"Hugging Face daily papers: {len(self.days)} days ({fetched} fetched, "
            f"{unchanged} not modified, {len(skipped)} skipped) in {self.seconds:.1f}s; "
            f"HF counts of {self.counts_refreshed} papers refreshed",
            self.papers.summary(),
        ]
        lines.extend(f"  skipped day {d.day.isoformat()}: {d.reason}" for d in skipped)
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {
            "days": [
                {
                    "day": d.day.isoformat(),
                    "status": d.status,
                    "papers": d.papers,
                    "reason": d.reason,
                }
                for d in self.days
            ],
            "counts_refreshed": self.counts_refreshed,
            "papers": self.papers.as_dict(),
            "seconds": round(self.seconds, 3),
        }


def state_key(day: date) -> str:
    return f"hf_daily:{day.isoformat()}"


def _count(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _short(value: Any, limit: int = 200) -> str | None:
    return value.strip()[:limit] or None if isinstance(value, str) else None


def _url(value: Any) -> str | None:
    """An http(s) URL, or None: anything else is not shown as a link."""
    if isinstance(value, str) and value.strip().lower().startswith(_URL_SCHEMES):
        return value.strip()
    return None


def entry_from_item(item: Any, day: date) -> tuple[PaperRecord, HfEntry]:
    """One ``/api/daily_papers`` item as a paper record and its HF entry.

    Raises InvalidInput for an item that is not a paper with an upvote count.
    """
    if not isinstance(item, dict) or not isinstance(item.get("paper"), dict):
        raise InvalidInput("not a daily-papers item (no 'paper' object)")
    paper: dict[str, Any] = item["paper"]
    upvotes = _count(paper.get("upvotes"))
    if upvotes is None:
        raise InvalidInput("field 'upvotes' must be a non-negative integer")
    record = record_from_hf(item)
    by = item.get("submittedBy") or paper.get("submittedOnDailyBy")
    by = by if isinstance(by, dict) else {}
    featured = parse_date(paper.get("submittedOnDailyAt") or item.get("submittedOnDailyAt"))
    keywords = paper.get("ai_keywords")
    entry = HfEntry(
        arxiv_id=record.arxiv_id,
        upvotes=upvotes,
        comments=_count(item.get("numComments")),
        submitter=_short(by.get("name")),
        submitter_name=_short(by.get("fullname")),
        featured_on=featured or day,
        github_repo=_url(paper.get("githubRepo")),
        project_page=_url(paper.get("projectPage")),
        ai_summary=_short(paper.get("ai_summary"), 5000),
        ai_keywords=(
            [str(k)[:100] for k in keywords if isinstance(k, str) and k.strip()][:50]
            if isinstance(keywords, list)
            else []
        ),
    )
    return record, entry


def _entries(
    items: list[Any], day: date, report: IngestReport
) -> tuple[list[PaperRecord], list[HfEntry]]:
    records: list[PaperRecord] = []
    entries: list[HfEntry] = []
    for index, item in enumerate(items, start=1):
        try:
            record, entry = entry_from_item(item, day)
        except InvalidInput as exc:
            paper = item.get("paper") if isinstance(item, dict) else None
            paper_id = paper.get("id") if isinstance(paper, dict) else None
            where = f"{day.isoformat()} item {index}" + (
                f" ({paper_id})" if isinstance(paper_id, str) else ""
            )
            report.skip(where, exc.detail)
            continue
        records.append(record)
        entries.append(entry)
    return records, entries


def _sync_day(
    client: PoliteClient, store: Store, settings: Settings, day: date, report: HfSyncReport
) -> DayResult:
    key = state_key(day)
    state = store.papers.get_state(key) or {}
    etag = state.get("etag") if isinstance(state.get("etag"), str) else None
    headers = {"If-None-Match": etag} if etag else None
    try:
        response = client.get(settings.hf_daily_papers_url, {"date": day.isoformat()}, headers)
    except SourceError as exc:
        detail = exc.detail.removeprefix("Hugging Face: ")
        done = sum(d.status != "skipped" for d in report.days)
        raise HfUnreachable(
            f"Hugging Face unreachable ({detail}); stopped at {day.isoformat()}: "
            f"{done} earlier day{'' if done == 1 else 's'} synced and kept, "
            "nothing half-written"
        ) from None
    if response.status_code == 304 and etag:
        ids = [str(i) for i in state.get("ids", []) if isinstance(i, str)]
        return DayResult(day, "not modified", store.hf.mark_synced(ids, utcnow()))
    if response.status_code != 200:
        return DayResult(day, "skipped", reason=f"HTTP {response.status_code} for this day")
    try:
        items = response.json()
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        return DayResult(day, "skipped", reason="the answer is not JSON")
    if not isinstance(items, list):
        return DayResult(day, "skipped", reason="the answer is not a JSON list of papers")
    records, entries = _entries(items, day, report.papers)
    new_state = {"etag": response.headers.get("ETag"), "ids": [e.arxiv_id for e in entries]}
    result = store.hf.save(records, entries, synced_at=utcnow(), state=(key, new_state))
    report.papers.record(result)
    return DayResult(day, "fetched", len(entries))


def sync_hf(
    store: Store, settings: Settings, *, days: int = 7, until: date | None = None
) -> HfSyncReport:
    """Sync the daily papers of the ``days`` days up to ``until`` (default: today, UTC),
    oldest first. Raises HfUnreachable when HF cannot be reached."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"--days must be between 1 and {MAX_DAYS}")
    last = until or utcnow().date()
    wanted = [last - timedelta(days=n) for n in range(days - 1, -1, -1)]
    report = HfSyncReport()
    started = time.monotonic()
    try:
        with (
            PoliteClient(
                settings,
                source="Hugging Face",
                retry_statuses=HF_RETRY_STATUSES,
                pass_statuses=HF_DAY_MISSING,
            ) as client,
            progress("hf-sync", len(wanted), unit="day") as bar,
        ):
            for day in wanted:
                result = _sync_day(client, store, settings, day, report)
                report.days.append(result)
                bar.update(1)
    finally:
        report.seconds = time.monotonic() - started
    return report


def store_hf_counts_from_file(store: Store, path: Path) -> int:
    """Record the HF upvotes of the Hugging Face lines of a JSON Lines file (plain or
    .gz) as HF counts, for papers already stored (the demo set: load the file first).

    Such files say neither when the counts were taken nor the featured day, so
    ``synced_at`` and ``featured_on`` stay empty: nothing is invented. Lines that are
    not HF records with an upvote count are left out. Returns the rows written.
    """
    entries: list[HfEntry] = []
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if not isinstance(obj, dict) or detect_format(obj) != "hf":
                continue
            try:
                record = record_from_hf(obj)
            except InvalidInput:
                continue
            if record.upvotes is not None:
                entries.append(HfEntry(record.arxiv_id, record.upvotes))
    written = 0
    for start in range(0, len(entries), 2000):
        chunk = entries[start : start + 2000]
        store.hf.save([], chunk, synced_at=None)
        written += len(chunk)
    return written
