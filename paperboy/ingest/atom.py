"""Fetch papers by arXiv id from the arXiv API (Atom feed, ``id_list=``)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
from typing import Protocol

import httpx
from lxml import etree

from paperboy.arxiv import PaperRecord, parse_arxiv_id
from paperboy.config import Settings
from paperboy.errors import InvalidInput, SourceError
from paperboy.ingest.formats import parse_datetime
from paperboy.ingest.http import PoliteClient
from paperboy.ingest.records import first_doi, make_record, next_weekday
from paperboy.ingest.report import IngestReport
from paperboy.ingest.xmlutil import Element, child, child_text, children, local_name, parse_xml
from paperboy.progress import progress
from paperboy.store import Store

log = logging.getLogger("paperboy.ingest.atom")

SOURCE = "arxiv-api"
BATCH_SIZE = 100  # ids per API request

Failure = tuple[str, str]  # (id or place, reason)


def normalize_ids(ids: Iterable[str]) -> list[str]:
    """``2503.11731``/``2503.11731v2`` for each id or arXiv URL, first one per paper wins.

    Raises InvalidInput for anything that is not an arXiv identifier.
    """
    seen: dict[str, str] = {}
    for raw in ids:
        arxiv_id, version = parse_arxiv_id(raw)
        seen.setdefault(arxiv_id, f"{arxiv_id}v{version}" if version else arxiv_id)
    return list(seen.values())


def _is_error_entry(entry: Element) -> bool:
    # The API answers a bad id with an entry titled "Error" whose id points into
    # http://arxiv.org/api/errors and whose summary says what was wrong.
    entry_id = child_text(entry, "id") or ""
    if "/api/errors" in entry_id:
        return True
    if (child_text(entry, "title") or "").strip() != "Error":
        return False
    try:
        parse_arxiv_id(entry_id)
    except InvalidInput:
        return True
    return False


def record_from_atom(entry: Element) -> PaperRecord:
    """One Atom ``<entry>`` as a PaperRecord; InvalidInput says why it is unusable."""
    raw_id = child_text(entry, "id")
    if raw_id is None:
        raise InvalidInput("entry without <id>")
    _, version = parse_arxiv_id(raw_id)
    published = parse_datetime(child_text(entry, "published"))
    updated = parse_datetime(child_text(entry, "updated"))
    primary = child(entry, "primary_category")
    terms = [primary.get("term")] if primary is not None else []
    terms += [c.get("term") for c in children(entry, "category")]
    links: dict[str, str] = {}
    for link in children(entry, "link"):
        href = link.get("href")
        if href and (link.get("title") == "pdf" or link.get("type") == "application/pdf"):
            links.setdefault("pdf", href)
    return make_record(
        raw_id,
        child_text(entry, "title"),
        source=SOURCE,
        abstract=child_text(entry, "summary"),
        authors=[child_text(a, "name") or "" for a in children(entry, "author")],
        categories=[t for t in terms if t],
        comment=child_text(entry, "comment"),
        journal_ref=child_text(entry, "journal_ref"),
        doi=first_doi(child_text(entry, "doi")),
        submitted=published,
        # <published> is the date of v1 and <updated> that of the version returned
        # (equal for v1), so only a later version has an update.
        updated=updated if updated and updated != published else None,
        # arXiv announces a new paper on the first weekday after its submission; this
        # holds for v1 (and an unknown version), and as v1's date also for later ones.
        announced=next_weekday(published.date()) if published else None,
        announced_estimated=True,
        version=version,
        links=links or None,
    )


def parse_atom_feed(data: bytes, wanted: list[str]) -> tuple[list[PaperRecord], list[Failure]]:
    """The records of the ``wanted`` ids in an API response, and what is wrong with the rest.

    Entries for ids that were not asked for are ignored.
    """
    try:
        root = parse_xml(data)
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"arXiv API: response is not well-formed XML ({exc})") from None
    if local_name(root) != "feed":
        raise SourceError(f"arXiv API: expected an Atom feed, got <{local_name(root)}>")
    requested = {parse_arxiv_id(raw)[0]: raw for raw in wanted}
    found: set[str] = set()
    records: list[PaperRecord] = []
    failures: list[Failure] = []
    for entry in children(root, "entry"):
        entry_id = (child_text(entry, "id") or "").strip()
        if _is_error_entry(entry):
            message = " ".join((child_text(entry, "summary") or "unknown error").split())
            culprit = next(
                (b for b, raw in requested.items() if raw in message or raw in entry_id), None
            )
            if culprit is not None:
                found.add(culprit)
            failures.append((requested.get(culprit or "", "arXiv API"), f"API error: {message}"))
            continue
        try:
            record = record_from_atom(entry)
        except InvalidInput as exc:
            with suppress(InvalidInput):
                found.add(parse_arxiv_id(entry_id)[0])
            failures.append((entry_id or "entry", exc.detail))
            continue
        if record.arxiv_id not in requested:
            log.debug("ignoring %s: not asked for", record.arxiv_id)
            continue
        if record.arxiv_id not in found:
            found.add(record.arxiv_id)
            records.append(record)
    for base, raw in requested.items():
        if base not in found:
            failures.append((raw, "not in the arXiv API response (no such paper?)"))
    return records, failures


class HttpGetter(Protocol):
    """What the batches need of a client: the polite one or the interactive one."""

    def get(self, url: str, params: Mapping[str, str] | None = None) -> httpx.Response: ...


def arxiv_batches(
    client: HttpGetter, url: str, wanted: list[str]
) -> Iterator[tuple[list[str], list[PaperRecord], list[Failure]]]:
    """(batch, records, failures) per API request of up to BATCH_SIZE ids."""
    for start in range(0, len(wanted), BATCH_SIZE):
        batch = wanted[start : start + BATCH_SIZE]
        params = {"id_list": ",".join(batch), "start": "0", "max_results": str(len(batch))}
        response = client.get(url, params)
        yield batch, *parse_atom_feed(response.content, batch)


def fetch_arxiv_records(
    settings: Settings, ids: Iterable[str]
) -> tuple[list[PaperRecord], list[Failure]]:
    """Fetch papers by id without storing them: (records, failures).

    ``failures`` lists (id, reason) for ids the API reported as errors or left out.
    Raises InvalidInput for a malformed id (before any request) and SourceError when
    the API cannot be reached or answers garbage.
    """
    wanted = normalize_ids(ids)
    records: list[PaperRecord] = []
    failures: list[Failure] = []
    with PoliteClient(settings, source="arXiv API") as client:
        for _, batch_records, batch_failures in arxiv_batches(
            client, settings.arxiv_api_url, wanted
        ):
            records.extend(batch_records)
            failures.extend(batch_failures)
    return records, failures


def fetch_arxiv_ids(store: Store, settings: Settings, ids: Iterable[str]) -> IngestReport:
    """Fetch papers by id from the arXiv API and store them, a request's worth at a time.

    Ids the API does not return are reported as skipped. If a request fails for good,
    ``report.error`` says so and the batches fetched before it stay stored.
    """
    wanted = normalize_ids(ids)
    report = IngestReport(source="arXiv API")
    with (
        PoliteClient(settings, source="arXiv API") as client,
        progress("arxiv fetch", len(wanted), "paper") as bar,
    ):
        batches = arxiv_batches(client, settings.arxiv_api_url, wanted)
        while True:
            try:
                batch, records, failures = next(batches)
            except StopIteration:
                break
            except SourceError as exc:
                report.error = exc.detail
                break
            for where, reason in failures:
                report.skip(where, reason)
            if records:
                report.record(store.papers.upsert_papers(records))
            bar.update(len(batch))
    return report
