"""Export a reader's library (BibTeX, JSON) and import into it (a pasted list of arXiv
ids or URLs, or a .bib file).

An import names papers by arXiv id. Those paperboy already has are saved at once; the
others are fetched from the arXiv API (``settings.arxiv_api_url``) in batches and stored
with the ordinary upsert, so they become normal papers. The result page sorts every id
into imported, already saved, not found (arXiv does not know it, or the text was not an
arXiv id) and failed (arXiv could not be reached, or the library is full). Input is
bounded: at most ``library_import_max_ids`` ids and ``library_import_max_bytes`` of file.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from paperboy.config import Settings
from paperboy.errors import Conflict, InvalidInput, SourceError
from paperboy.ingest.atom import fetch_arxiv_records
from paperboy.library.bibtex import BibItem, export_bibtex
from paperboy.library.ids import NamedIds, ids_from_bibtex, ids_from_text
from paperboy.store import Store, StoredUser
from paperboy.store.library import LibraryEntry
from paperboy.web.auth import CurrentUser
from paperboy.web.deps import SettingsDep, StoreDep
from paperboy.web.pages.library import reader_collections, to_sign_in, wanted_tags
from paperboy.web.rendering import render

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
IMPORT_PATH = "/library/import"
TagQuery = Annotated[str, Query(max_length=200, description="Only this collection")]


def all_entries(store: Store, user: StoredUser, tag: str) -> list[LibraryEntry]:
    """Every saved paper (of one collection), oldest saved first: an export's order
    stays stable as the library grows."""
    page = store.library.library_entries(user.id, tag=tag.strip() or None, limit=None)
    return list(reversed(page.entries))


def _attachment(tag: str, extension: str) -> dict[str, str]:
    """Content-Disposition for an export: an ASCII ``filename`` (header values are
    Latin-1) and the collection's own name, any script, in ``filename*`` (RFC 6266)."""

    def stem(keep: Callable[[str], bool]) -> str:
        cleaned = "".join(c if keep(c) or c in "-_" else "-" for c in tag.strip())
        return cleaned[:60].strip("-")

    if not tag.strip():
        plain = full = "all"
    else:
        full = stem(str.isalnum) or "collection"
        plain = stem(lambda c: c.isascii() and c.isalnum()) or "collection"
    value = (
        f'attachment; filename="paperboy-library-{plain}.{extension}"; '
        f"filename*=UTF-8''{quote(f'paperboy-library-{full}.{extension}')}"
    )
    return {"Content-Disposition": value}


def entry_json(entry: LibraryEntry, base_url: str) -> dict[str, Any]:
    """One saved paper in the JSON export (and the API): metadata, note, collections."""
    paper = entry.paper
    return {
        "id": paper.arxiv_id,
        "version": paper.version,
        "title": paper.title,
        "authors": paper.authors,
        "abstract": paper.abstract,
        "categories": paper.categories,
        "primary_category": paper.primary_category,
        "submitted": paper.submitted.isoformat() if paper.submitted else None,
        "announced": paper.announced.isoformat() if paper.announced else None,
        "doi": paper.doi,
        "journal_ref": paper.journal_ref,
        "url": f"{base_url.rstrip('/')}/paper/{paper.arxiv_id}",
        "abs_url": paper.abs_url,
        "pdf_url": paper.pdf_url,
        "note": entry.note,
        "tags": entry.tags,
        "saved_at": entry.saved_at.replace(tzinfo=UTC).isoformat(),
        "updated_at": entry.updated_at.replace(tzinfo=UTC).isoformat(),
    }


@router.get("/library/export.bib", response_model=None)
def export_bib(
    store: StoreDep,
    user: CurrentUser,
    tag: TagQuery = "",
    notes: Annotated[bool, Query(description="Put private notes in `annote`")] = False,
) -> Response:
    """The library (or one collection) as a BibTeX file."""
    if user is None:
        return to_sign_in("/library")
    entries = all_entries(store, user, tag)
    items = [BibItem(e.paper, e.tags, e.note) for e in entries]
    body = export_bibtex(items, with_notes=notes)
    return Response(
        body,
        media_type="application/x-bibtex; charset=utf-8",
        headers=_attachment(tag, "bib"),
    )


@router.get("/library/export.json", response_model=None)
def export_json(
    store: StoreDep, settings: SettingsDep, user: CurrentUser, tag: TagQuery = ""
) -> Response:
    """The library (or one collection) as JSON, notes and collections included."""
    if user is None:
        return to_sign_in("/library")
    entries = all_entries(store, user, tag)
    document = {
        "exported_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "collection": tag.strip() or None,
        "count": len(entries),
        "papers": [entry_json(e, settings.base_url) for e in entries],
    }
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers=_attachment(tag, "json"),
    )


@dataclass(slots=True)
class ImportResult:
    collection: str | None
    imported: list[str] = field(default_factory=list)
    already_saved: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)  # with a reason
    failed: list[str] = field(default_factory=list)  # with a reason
    fetched: int = 0  # papers new to paperboy, fetched from arXiv


def run_import(
    store: Store, settings: Settings, user: StoredUser, named: NamedIds, tags: list[str]
) -> ImportResult:
    """Save the named papers (fetching unknown ones from arXiv) into ``tags``."""
    result = ImportResult(collection=tags[0] if tags else None)
    result.not_found.extend(named.unreadable)
    known = store.papers.get_papers(named.ids)
    missing = [i for i in named.ids if i not in known]
    unreachable: set[str] = set()
    if missing:
        try:
            records, failures = fetch_arxiv_records(settings, missing)
        except SourceError as exc:
            log.warning("library import: arXiv API failed: %s", exc.detail)
            unreachable = set(missing)
        else:
            if records:
                store.papers.upsert_papers(records)
                result.fetched = len(records)
                known.update(store.papers.get_papers(r.arxiv_id for r in records))
            log.info("library import: %d fetched, %d not found", len(records), len(failures))
    saved = store.library.saved_among(user.id, [p.id for p in known.values()])
    full = False
    for arxiv_id in named.ids:
        paper = known.get(arxiv_id)
        if arxiv_id in unreachable:
            result.failed.append(f"{arxiv_id} (arXiv could not be reached; try again later)")
            continue
        if paper is None:
            result.not_found.append(f"{arxiv_id} (arXiv does not know it)")
            continue
        if full:
            result.failed.append(f"{arxiv_id} (your library is full)")
            continue
        try:
            store.library.save(
                user.id,
                paper.id,
                tags=tags,
                max_items=settings.library_max_items,
                max_tags=settings.library_max_collections,
            )
        except Conflict as exc:
            if "full" not in exc.detail:
                raise
            full = True
            result.failed.append(f"{arxiv_id} (your library is full)")
            continue
        (result.already_saved if paper.id in saved else result.imported).append(arxiv_id)
    return result


def _form(
    request: Request, status: int = 200, *, error: str | None = None, **context: Any
) -> HTMLResponse:
    context.setdefault("ids", "")
    context.setdefault("collection", "")
    context.setdefault("new_collection", "")
    context.setdefault("result", None)
    context["collections"] = reader_collections(request)
    settings: Settings = request.app.state.settings
    context["max_ids"] = settings.library_import_max_ids
    context["max_kb"] = settings.library_import_max_bytes // 1000
    return render(request, "library_import.html", {"error": error, **context}, status)


@router.get(IMPORT_PATH, response_class=HTMLResponse, response_model=None)
def import_page(request: Request, user: CurrentUser) -> Response:
    if user is None:
        return to_sign_in(IMPORT_PATH)
    return _form(request)


def _read_upload(upload: UploadFile | None, limit: int) -> str | None:
    """The uploaded file as text; None without one; InvalidInput when too big."""
    if upload is None or not upload.filename:
        return None
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(
            f"the file is larger than {limit // 1000} kB; split it or paste the ids instead"
        )
    return data.decode("utf-8", errors="replace")


@router.post(IMPORT_PATH, response_class=HTMLResponse, response_model=None)
def import_papers(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    user: CurrentUser,
    ids: Annotated[str, Form(max_length=200_000)] = "",
    collection: Annotated[str, Form(max_length=200)] = "",
    new_collection: Annotated[str, Form(max_length=200)] = "",
    bibfile: UploadFile | None = None,
) -> Response:
    """Import pasted ids and/or a .bib file into a collection; show what happened.

    A plain ``def``: FastAPI runs it in a worker thread, so the arXiv client's waits and
    the database work never block the event loop (and with it every other request)."""
    if user is None:
        return RedirectResponse("/signin?next=" + quote(IMPORT_PATH), status_code=303)
    keep = {"ids": ids, "collection": collection, "new_collection": new_collection}
    try:
        tags = wanted_tags(new_collection, collection)
        bib = _read_upload(bibfile, settings.library_import_max_bytes)
    except InvalidInput as exc:
        return _form(request, 422, error=exc.detail, **keep)
    named = ids_from_text(ids)
    if bib is not None:
        from_bib = ids_from_bibtex(bib)
        for arxiv_id in from_bib.ids:
            named.add(arxiv_id)
        named.unreadable.extend(from_bib.unreadable)
    if not named.ids and not named.unreadable:
        return _form(request, 422, error="Paste some arXiv ids or choose a BibTeX file.", **keep)
    if len(named.ids) + len(named.unreadable) > settings.library_import_max_ids:
        return _form(
            request,
            422,
            error=f"At most {settings.library_import_max_ids} papers per import; this one "
            f"names {len(named.ids) + len(named.unreadable)}. Split it into several imports.",
            **keep,
        )
    result = run_import(store, settings, user, named, tags)
    return _form(request, result=result, collection=result.collection or "")
