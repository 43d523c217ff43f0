"""TL;DR sentences: derived from a paper's abstract in the upsert's transaction
(``write_paper_tldrs``, called by ``PaperStore.upsert_papers``), read per page of papers
with Hugging Face's ``ai_summary`` preferred where the paper has one (``for_papers``)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, select

from paperboy.store._rows import Repository, chunked, paper_id_batches
from paperboy.store.db import insert_plain_rows
from paperboy.store.models import hf_papers, paper_tldrs, papers
from paperboy.tldr import METHOD, choose_tldr

SOURCE_HF = "hf"  # Hugging Face's ai_summary
SOURCE_ABSTRACT = "abstract"  # the sentence paperboy chose from the abstract


@dataclass(frozen=True, slots=True)
class PaperTldr:
    """The one line shown for a paper. ``source``: ``"hf"`` (Hugging Face's AI summary,
    labelled as theirs) or ``"abstract"`` (a sentence of the abstract, chosen here)."""

    text: str
    source: str

    @property
    def by_hf(self) -> bool:
        return self.source == SOURCE_HF


def write_paper_tldrs(
    conn: Connection,
    rows: Sequence[tuple[int, dict[str, Any]]],
    chosen: Mapping[tuple[str, str | None], str | None] | None = None,
    *,
    new_ids: Collection[int] = frozenset(),
) -> int:
    """Replace the TL;DRs of the papers ``(paper_id, row)`` (``row`` has ``title`` and
    ``abstract``) in the caller's transaction; returns the number written. ``chosen``:
    ``choose_tldr`` results already computed, by (title, abstract). ``new_ids``: papers
    inserted in this transaction, which have no TL;DR to delete."""
    if not rows:
        return 0
    for chunk in chunked([paper_id for paper_id, _ in rows if paper_id not in new_ids]):
        conn.execute(delete(paper_tldrs).where(paper_tldrs.c.paper_id.in_(chunk)))
    values = []
    for paper_id, row in rows:
        key = (str(row.get("title") or ""), row.get("abstract"))
        sentence = chosen[key] if chosen is not None and key in chosen else choose_tldr(*key)
        if sentence:
            values.append({"paper_id": paper_id, "sentence": sentence, "method": METHOD})
    insert_plain_rows(conn, paper_tldrs, values)
    return len(values)


class TldrStore(Repository):
    """TL;DR sentences of papers."""

    def paper_id_batches(self, batch_size: int = 500) -> Iterator[list[int]]:
        """All paper ids in ascending batches (the backfill's work list)."""
        return paper_id_batches(self.engine, batch_size)

    def refresh(self, paper_ids: Sequence[int]) -> int:
        """Re-derive the TL;DRs of these papers in one transaction (idempotent)."""
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(papers.c.id, papers.c.title, papers.c.abstract).where(
                    papers.c.id.in_(list(paper_ids))
                )
            ).mappings()
            return write_paper_tldrs(conn, [(int(r["id"]), dict(r)) for r in rows])

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(paper_tldrs)).scalar_one())

    def for_papers(self, paper_ids: Iterable[int]) -> dict[int, PaperTldr]:
        """The line to show per paper: HF's ``ai_summary`` when present, else the chosen
        sentence; papers with neither are absent. Two queries per 500 papers."""
        ids = list(dict.fromkeys(paper_ids))
        found: dict[int, PaperTldr] = {}
        with self.engine.connect() as conn:
            for chunk in chunked(ids):
                for pid, sentence in conn.execute(
                    select(paper_tldrs.c.paper_id, paper_tldrs.c.sentence).where(
                        paper_tldrs.c.paper_id.in_(chunk)
                    )
                ):
                    found[int(pid)] = PaperTldr(sentence, SOURCE_ABSTRACT)
                for pid, summary in conn.execute(
                    select(hf_papers.c.paper_id, hf_papers.c.ai_summary).where(
                        hf_papers.c.paper_id.in_(chunk),
                        hf_papers.c.ai_summary.is_not(None),
                    )
                ):
                    text = " ".join(str(summary).split())
                    if text:
                        found[int(pid)] = PaperTldr(text, SOURCE_HF)
        return found
