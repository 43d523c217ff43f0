"""Harvest arXiv metadata over OAI-PMH (``ListRecords``, ``metadataPrefix=arXiv``).

The harvest is resumable: after every page, the page's papers and the harvest position
(the next resumptionToken) are committed in one transaction, so a crash or a failed
request loses nothing and a rerun with the same parameters continues where it stopped.
A completed harvest leaves a watermark; a later run without ``from_date`` starts there.
"""

from __future__ import annotations

import hashlib
import logging
import re
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from lxml import etree

from paperboy.arxiv import PaperRecord
from paperboy.config import Settings
from paperboy.errors import InvalidInput, SourceError
from paperboy.ingest.http import PoliteClient
from paperboy.ingest.records import first_doi, make_record, next_weekday
from paperboy.ingest.report import IngestReport
from paperboy.ingest.xmlutil import (
    Element,
    child,
    child_text,
    children,
    descendants,
    parse_xml,
    text_of,
)
from paperboy.progress import Progress, progress
from paperboy.store import Store

log = logging.getLogger("paperboy.ingest.oai")

SOURCE = "arxiv-oai"
_SET_SPEC = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.:_\-]*$")
_ID_PREFIX = "oai:arXiv.org:"
_MAX_KEY = 200  # length of source_state.key
# A v1-only record's datestamp is taken as its announcement day only when it lies this
# close after the submission; a later datestamp is a metadata edit (journal-ref, DOI).
MAX_ANNOUNCE_LAG = timedelta(days=10)


@dataclass
class OaiPage:
    """One ListRecords response, parsed."""

    records: list[PaperRecord] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    token: str | None = None
    complete_list_size: int | None = None
    cursor: int | None = None
    max_datestamp: str | None = None
    error: tuple[str, str] | None = None  # OAI-PMH (code, message)


def oai_state_key(url: str, set_spec: str | None) -> str:
    """The source_state key of a harvest of ``set_spec`` (None: everything) at ``url``."""
    key = f"oai:{url}:{set_spec or '*'}"
    if len(key) > _MAX_KEY:
        digest = hashlib.sha256(url.encode()).hexdigest()[:24]
        key = f"oai:{digest}:{set_spec or '*'}"[:_MAX_KEY]
    return key


# -- parsing ---------------------------------------------------------------------------


def _later(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


def _day(value: str | None, what: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise InvalidInput(f"unreadable {what} date {value.strip()[:40]!r}") from None


def _midnight(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


def _author_name(author: Element) -> str:
    # Collaborations have only a keyname; a few records carry two keynames.
    keynames = [text_of(k) or "" for k in children(author, "keyname")]
    parts = [child_text(author, "forenames") or "", *keynames, child_text(author, "suffix") or ""]
    return " ".join(p.strip() for p in parts if p.strip())


def _announced(
    created: date | None, updated: date | None, stamp: date | None
) -> tuple[date | None, bool]:
    """The announcement day, and whether it is an estimate."""
    # The OAI datestamp is the record's last-modified time, not its announcement. For a
    # record that never had a second version it is the day the paper went out (unless
    # the metadata was edited later, hence the lag check); for a revised record it is
    # the day of the revision, so fall back on arXiv's rule: announced on the first
    # weekday after submission (right for all but late-afternoon submissions).
    fresh = stamp is not None and (
        created is None or created <= stamp <= created + MAX_ANNOUNCE_LAG
    )
    if updated is None and fresh:
        return stamp, False
    return (next_weekday(created) if created else None), True


def record_from_oai(record: Element) -> PaperRecord:
    """One ``<record>`` element as a PaperRecord; InvalidInput says why it is unusable."""
    header = child(record, "header")
    metadata = next(descendants(child(record, "metadata"), "arXiv"), None)
    if metadata is None:
        raise InvalidInput("no arXiv metadata in the record")
    raw_id = child_text(metadata, "id")
    if raw_id is None:
        raise InvalidInput("missing <id>")
    created = _day(child_text(metadata, "created"), "created")
    updated = _day(child_text(metadata, "updated"), "updated")
    stamp = _day(child_text(header, "datestamp"), "datestamp")
    authors_el = child(metadata, "authors")
    authors = None
    if authors_el is not None:
        names = (_author_name(a) for a in children(authors_el, "author"))
        # Some records separate a collaboration from its members with a ":" "author".
        authors = [n for n in names if any(ch.isalnum() for ch in n)]
    categories = child_text(metadata, "categories")
    announced, estimated = _announced(created, updated, stamp)
    return make_record(
        raw_id,
        child_text(metadata, "title"),
        source=SOURCE,
        abstract=child_text(metadata, "abstract"),
        authors=authors,
        categories=categories.split() if categories else None,
        comment=child_text(metadata, "comments"),
        journal_ref=child_text(metadata, "journal-ref"),
        doi=first_doi(child_text(metadata, "doi")),
        license=child_text(metadata, "license"),
        submitted=_midnight(created),
        updated=_midnight(updated),
        announced=announced,
        announced_estimated=estimated,
    )


def _add_records(page: OaiPage, elements: list[Element], offset: int = 0) -> None:
    for index, element in enumerate(elements, start=offset + 1):
        header = child(element, "header")
        identifier = child_text(header, "identifier")
        where = identifier.strip().removeprefix(_ID_PREFIX) if identifier else f"record {index}"
        stamp = (child_text(header, "datestamp") or "").strip()[:10]
        with suppress(ValueError):
            page.max_datestamp = _later(page.max_datestamp, date.fromisoformat(stamp).isoformat())
        if header is not None and header.get("status") == "deleted":
            page.skipped.append((where, "deleted at the source"))
            continue
        try:
            page.records.append(record_from_oai(element))
        except InvalidInput as exc:
            page.skipped.append((where, exc.detail))


def _int_attr(element: Element, name: str) -> int | None:
    value = element.get(name)
    return int(value) if value is not None and value.strip().isdigit() else None


def parse_oai_page(data: bytes) -> OaiPage:
    """Parse a ListRecords (or GetRecord) response; raises XMLSyntaxError if malformed."""
    root = parse_xml(data)
    page = OaiPage()
    error = child(root, "error")
    if error is not None:
        message = " ".join((text_of(error) or "").split())
        page.error = (error.get("code") or "unknown", message)
        return page
    _add_records(page, list(descendants(root, "record")))
    token = next(descendants(root, "resumptionToken"), None)
    if token is not None:
        page.token = (token.text or "").strip() or None
        page.complete_list_size = _int_attr(token, "completeListSize")
        page.cursor = _int_attr(token, "cursor")
    return page


_ROOT_TAG = re.compile(r"<([\w.\-]+:)?OAI-PMH\b[^>]*>")
_RECORD = re.compile(
    r"<(?P<prefix>[\w.\-]+:)?record\b[^>]*>"  # a record's start tag,
    r"(?:(?!<(?:[\w.\-]+:)?record\b).)*?"  # anything but the start of another record,
    r"</(?P=prefix)?record\s*>",  # and its end tag
    re.DOTALL,
)


def salvage_oai_page(data: bytes) -> OaiPage:
    """The readable records of a page that is not well-formed as a whole.

    Every ``<record>...</record>`` span is parsed on its own, strictly, inside a copy of
    the page's root element (for its namespace declarations); spans that fail are
    listed as skipped. Only complete, well-formed records are ever returned.
    """
    text = data.decode("utf-8", "surrogateescape")
    root = _ROOT_TAG.search(text)
    opening = root.group(0) if root else '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
    closing = f"</{(root.group(1) or '') if root else ''}OAI-PMH>"
    page = OaiPage()
    for index, match in enumerate(_RECORD.finditer(text), start=1):
        document = (opening + match.group(0) + closing).encode("utf-8", "surrogateescape")
        try:
            parsed = parse_xml(document)
        except etree.XMLSyntaxError as exc:
            page.skipped.append((f"record {index} of the page", f"not well-formed XML: {exc}"))
            continue
        _add_records(page, list(descendants(parsed, "record")), offset=index - 1)
    return page


# -- harvesting ------------------------------------------------------------------------


def _keep_salvage(store: Store, report: IngestReport, where: str, page: OaiPage) -> None:
    """Store the readable records of a malformed page, without moving the position."""
    for skipped in page.skipped:
        report.skip(*skipped)
    if page.records:
        report.record(store.papers.upsert_papers(page.records))
    report.skip(
        where,
        f"not well-formed XML: kept its {len(page.records)} readable records; "
        "the page is fetched again on the next run",
    )


def harvest_oai(
    store: Store,
    settings: Settings,
    *,
    set_spec: str | None = None,
    from_date: date | None = None,
    until: date | None = None,
) -> IngestReport:
    """Harvest ``settings.arxiv_oai_url`` into ``store`` and report what happened.

    Without ``from_date`` the harvest starts at the watermark the last completed
    harvest of this set left (or at the beginning). A rerun after a failure, with the
    same dates or without ``from_date``, resumes from the stored resumptionToken (and
    restarts from the stored ``from`` if the server no longer accepts it). Failures
    that stop the harvest (HTTP errors after retries, a malformed page, OAI-PMH
    errors) end up in ``report.error``; everything stored before them stays stored.
    """
    if set_spec is not None and not _SET_SPEC.match(set_spec):
        raise InvalidInput(f"not an OAI set spec: {set_spec[:80]!r}")
    if from_date and until and from_date > until:
        raise InvalidInput(f"--from {from_date} is after --until {until}")
    url = settings.arxiv_oai_url
    key = oai_state_key(url, set_spec)
    saved = store.papers.get_state(key) or {}
    start = from_date.isoformat() if from_date else saved.get("watermark")
    position: dict[str, Any] = {
        "from": start,
        "until": until.isoformat() if until else None,
        "set": set_spec,
        "token": None,
        "max_datestamp": None,
        "watermark": saved.get("watermark"),
        "complete_list_size": None,
        "cursor": None,
    }
    token: str | None = None
    # An unfinished harvest resumes when rerun with the same dates, or without --from.
    same_from = from_date is None or saved.get("from") == position["from"]
    if saved.get("token") and same_from and saved.get("until") == position["until"]:
        token = str(saved["token"])
        position["from"] = saved.get("from")
        position["max_datestamp"] = saved.get("max_datestamp")
        log.info("resuming the OAI-PMH harvest %s at token %s", key, token)
    report = IngestReport(source=f"arXiv OAI-PMH set {set_spec or '(all)'}")
    with PoliteClient(settings, source="arXiv OAI-PMH") as client, ExitStack() as stack:
        _harvest(client, store, key, url, position, token, report, stack)
    return report


def _harvest(
    client: PoliteClient,
    store: Store,
    key: str,
    url: str,
    position: dict[str, Any],
    token: str | None,
    report: IngestReport,
    stack: ExitStack,
) -> None:
    first: dict[str, str] = {"verb": "ListRecords", "metadataPrefix": "arXiv"}
    for name, value in (("set", position["set"]), ("from", position["from"])):
        if value:
            first[name] = value
    if position["until"]:
        first["until"] = position["until"]
    bar: Progress | None = None
    restarted = False
    while True:
        where = f"the page at resumptionToken {token}" if token else "the first page"
        params = {"verb": "ListRecords", "resumptionToken": token} if token else first
        try:
            body = client.get(url, params).content
        except SourceError as exc:
            report.error = f"{exc.detail}; stopped at {where}, a rerun resumes there"
            return
        try:
            page = parse_oai_page(body)
        except etree.XMLSyntaxError as exc:
            _keep_salvage(store, report, where, salvage_oai_page(body))
            report.error = (
                f"{where} is not well-formed XML ({exc}); stopped there, a rerun retries it"
            )
            return
        if page.error is not None:
            code, message = page.error
            if code == "noRecordsMatch":
                page = OaiPage()
            elif code == "badResumptionToken" and token and not restarted:
                log.warning("%s: resumptionToken rejected (%s); restarting", key, message)
                token, restarted = None, True
                continue
            else:
                report.error = f"OAI-PMH error {code} on {where}: {message}"
                return
        if page.token is not None and page.token == token:
            report.error = f"the server repeated resumptionToken {token}; stopped"
            return
        if bar is None:
            bar = stack.enter_context(progress("oai harvest", page.complete_list_size, "rec"))
            bar.update(page.cursor or 0)
        for skipped in page.skipped:
            report.skip(*skipped)
        position["max_datestamp"] = _later(position["max_datestamp"], page.max_datestamp)
        position.update(
            token=page.token, cursor=page.cursor, complete_list_size=page.complete_list_size
        )
        if page.token is None:
            # Done: the watermark only moves forward (an old backfill must not pull it
            # back), never past today (an --until in the future would skip what is
            # published until then), and never to nothing (an empty harvest keeps its
            # --from). OAI's from is inclusive, so the next run re-reads that day.
            covered = position["until"] or position["max_datestamp"] or position["from"]
            if covered is not None:
                covered = min(covered, date.today().isoformat())
            position["watermark"] = _later(position["watermark"], covered)
        report.record(store.papers.upsert_papers(page.records, state=(key, dict(position))))
        bar.update(len(page.records) + len(page.skipped))
        bar.set_postfix_str(f"added={report.added} updated={report.updated}")
        if page.token is None:
            return
        token = page.token
