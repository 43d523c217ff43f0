"""Import into a reader's library: a pasted list of arXiv ids or URLs, or a .bib file.

An import names papers by arXiv id. Those paperboy already has are saved at once; the
others are fetched from the arXiv API with the interactive client (it never waits for
arXiv; see ``ingest/interactive.py``), a request of 100 ids at a time, and stored with
the ordinary upsert, so they become normal papers. The result sorts every id into
imported, already saved, not found (arXiv does not know it, or the text was not an arXiv
id) and failed (arXiv could not be reached or asked us to wait, or the library is full).
Each import that asks arXiv counts toward the reader's ``arxiv_attempts_per_hour``.
Input is bounded: at most ``library_import_max_ids`` ids and ``library_import_max_bytes``
of file.
"""

from __future__ import annotations

import logging
from contextlib import closing
from dataclasses import dataclass, field

from paperboy.config import Settings
from paperboy.errors import InvalidInput, LibraryFull, ServiceUnavailable, SourceError
from paperboy.ingest.interactive import InteractiveArxiv
from paperboy.library.ids import NamedIds, ids_from_bibtex, ids_from_text
from paperboy.store import Store, StoredPaper, StoredUser
from paperboy.store.library import LibraryEntry, clean_tag

log = logging.getLogger(__name__)


def wanted_tags(*names: str | list[str]) -> list[str]:
    """Collection names from form fields (empty ones dropped), cleaned."""
    flat: list[str] = []
    for name in names:
        flat.extend(name if isinstance(name, list) else [name])
    return [clean_tag(n) for n in flat if n.strip()]


def check_note(settings: Settings, note: str) -> str:
    """The note, or InvalidInput when it is longer than the setting allows."""
    if len(note) > settings.library_note_max_chars:
        raise InvalidInput(f"a note has at most {settings.library_note_max_chars} characters")
    return note


def all_entries(store: Store, user: StoredUser, tag: str) -> list[LibraryEntry]:
    """Every saved paper (of one collection), oldest saved first: an export's order
    stays stable as the library grows."""
    page = store.library.library_entries(user.id, tag=tag.strip() or None, limit=None)
    return list(reversed(page.entries))


@dataclass(slots=True)
class ImportResult:
    collection: str | None
    imported: list[str] = field(default_factory=list)
    already_saved: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)  # with a reason
    failed: list[str] = field(default_factory=list)  # with a reason
    fetched: int = 0  # papers new to paperboy, fetched from arXiv


def named_ids(settings: Settings, text: str, bib: str | None) -> NamedIds:
    """The ids a pasted text and an optional BibTeX file name, checked against the
    import's bounds (InvalidInput when empty or too many)."""
    named = ids_from_text(text)
    if bib is not None:
        from_bib = ids_from_bibtex(bib)
        for arxiv_id in from_bib.ids:
            named.add(arxiv_id)
        named.unreadable.extend(from_bib.unreadable)
    count = len(named.ids) + len(named.unreadable)
    if not count:
        raise InvalidInput("Paste some arXiv ids or choose a BibTeX file.")
    if count > settings.library_import_max_ids:
        raise InvalidInput(
            f"At most {settings.library_import_max_ids} papers per import; this one names "
            f"{count}. Split it into several imports."
        )
    return named


def _fetch_missing(
    store: Store, arxiv: InteractiveArxiv, missing: list[str], known: dict[str, StoredPaper]
) -> tuple[int, dict[str, str]]:
    """Fetch and store the papers paperboy lacks; (fetched, {id: why it failed})."""
    fetched = 0
    pending = list(missing)
    try:
        with closing(arxiv.fetch_batches(missing)) as batches:
            for batch, records, failures in batches:
                pending = pending[len(batch) :]
                if records:
                    store.papers.upsert_papers(records)
                    fetched += len(records)
                    known.update(store.papers.get_papers(r.arxiv_id for r in records))
                log.info("library import: %d fetched, %d not found", len(records), len(failures))
    except ServiceUnavailable as exc:
        reason = f"arXiv is busy; import it again in {exc.retry_after} s"
        return fetched, dict.fromkeys(pending, reason)
    except SourceError as exc:
        log.warning("library import: arXiv API failed: %s", exc.detail)
        return fetched, dict.fromkeys(pending, "arXiv could not be reached; try again later")
    return fetched, {}


def run_import(
    store: Store,
    settings: Settings,
    arxiv: InteractiveArxiv,
    user: StoredUser,
    named: NamedIds,
    tags: list[str],
) -> ImportResult:
    """Save the named papers (fetching unknown ones from arXiv) into ``tags``.

    TooManyRequests, before anything is stored, when the reader is over the hourly
    arXiv attempts and the import needs arXiv."""
    result = ImportResult(collection=tags[0] if tags else None)
    result.not_found.extend(named.unreadable)
    known = store.papers.get_papers(named.ids)
    missing = [i for i in named.ids if i not in known]
    unreachable: dict[str, str] = {}
    if missing:
        arxiv.count_attempt(user.id)
        result.fetched, unreachable = _fetch_missing(store, arxiv, missing, known)
    saved = store.library.saved_among(user.id, [p.id for p in known.values()])
    full = False
    for arxiv_id in named.ids:
        paper = known.get(arxiv_id)
        if arxiv_id in unreachable:
            result.failed.append(f"{arxiv_id} ({unreachable[arxiv_id]})")
        elif paper is None:
            result.not_found.append(f"{arxiv_id} (arXiv does not know it)")
        elif full:
            result.failed.append(f"{arxiv_id} (your library is full)")
        else:
            try:
                store.library.save(
                    user.id,
                    paper.id,
                    tags=tags,
                    max_items=settings.library_max_items,
                    max_tags=settings.library_max_collections,
                )
            except LibraryFull:
                full = True
                result.failed.append(f"{arxiv_id} (your library is full)")
                continue
            (result.already_saved if paper.id in saved else result.imported).append(arxiv_id)
    return result
