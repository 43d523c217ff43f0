"""Export a reader's library (BibTeX, JSON) and import into it (a pasted list of arXiv
ids or URLs, or a .bib file). The import's rules live in ``library/importer.py``; the
JSON export's entries are the API's ``LibraryItemOut``, the one shape of a saved paper.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from paperboy.config import Settings
from paperboy.errors import InvalidInput, TooManyRequests
from paperboy.feed.tldr import tldrs_for
from paperboy.library.bibtex import BibItem, export_bibtex
from paperboy.library.importer import all_entries, named_ids, run_import, wanted_tags
from paperboy.web.api.schemas import LibraryExportOut, LibraryItemOut
from paperboy.web.deps import ArxivDep, CurrentReader, SettingsDep, StoreDep
from paperboy.web.pages.library import reader_collections
from paperboy.web.rendering import render

router = APIRouter(include_in_schema=False)
IMPORT_PATH = "/library/import"
TagQuery = Annotated[str, Query(max_length=200, description="Only this collection")]


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


@router.get("/library/export.bib", response_model=None)
def export_bib(
    store: StoreDep,
    user: CurrentReader,
    tag: TagQuery = "",
    notes: Annotated[bool, Query(description="Put private notes in `annote`")] = False,
) -> Response:
    """The library (or one collection) as a BibTeX file."""
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
    store: StoreDep, settings: SettingsDep, user: CurrentReader, tag: TagQuery = ""
) -> Response:
    """The library (or one collection) as JSON, notes and collections included."""
    entries = all_entries(store, user, tag)
    totals = store.votes.vote_totals(e.paper.id for e in entries)
    tldrs = tldrs_for(store, (e.paper for e in entries))
    document = LibraryExportOut(
        exported_at=datetime.now(UTC).replace(microsecond=0),
        collection=tag.strip() or None,
        count=len(entries),
        papers=[
            LibraryItemOut.of(e, settings.base_url, totals.get(e.paper.id), tldrs.get(e.paper.id))
            for e in entries
        ],
    )
    return Response(
        document.model_dump_json(indent=2),
        media_type="application/json",
        headers=_attachment(tag, "json"),
    )


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
def import_page(request: Request, user: CurrentReader) -> Response:
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
    arxiv: ArxivDep,
    user: CurrentReader,
    ids: Annotated[str, Form(max_length=200_000)] = "",
    collection: Annotated[str, Form(max_length=200)] = "",
    new_collection: Annotated[str, Form(max_length=200)] = "",
    bibfile: UploadFile | None = None,
) -> Response:
    """Import pasted ids and/or a .bib file into a collection; show what happened.

    A plain ``def``: FastAPI runs it in a worker thread, so the database work never
    blocks the event loop; the arXiv lookups never wait (503 with Retry-After)."""
    keep = {"ids": ids, "collection": collection, "new_collection": new_collection}
    try:
        tags = wanted_tags(new_collection, collection)
        bib = _read_upload(bibfile, settings.library_import_max_bytes)
        named = named_ids(settings, ids, bib)
    except InvalidInput as exc:
        return _form(request, 422, error=exc.detail, **keep)
    try:
        result = run_import(store, settings, arxiv, user, named, tags)
    except TooManyRequests as exc:
        page = _form(request, exc.status, error=exc.detail, **keep)
        page.headers.update(exc.headers)
        return page
    return _form(request, result=result, collection=result.collection or "")
