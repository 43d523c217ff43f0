"""TL;DRs as the interfaces use them: the line per paper of a page (HF's summary first,
see ``store.tldr.for_papers``) and ``paperboy tldr backfill``, which re-derives the
sentence of every stored paper (papers stored before migration 0014, or after the
chooser changed). New papers get theirs in the upsert's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from paperboy.progress import progress
from paperboy.store import Store, StoredPaper
from paperboy.store.tldr import PaperTldr
from paperboy.tldr import METHOD

BATCH_SIZE = 500


@dataclass
class TldrBackfillReport:
    papers: int = 0
    written: int = 0

    def summary(self) -> str:
        without = self.papers - self.written
        return (
            f"TL;DR ({METHOD}): {self.papers} papers read, {self.written} sentences stored"
            f" ({without} without an abstract)"
        )


def backfill_tldrs(store: Store, *, batch_size: int = BATCH_SIZE) -> TldrBackfillReport:
    """Re-derive the TL;DR of every stored paper, one transaction per batch (an
    interrupted run keeps its finished batches; running it again gives the same rows)."""
    report = TldrBackfillReport()
    with progress("tldr", total=store.papers.count_papers(), unit="paper") as bar:
        for ids in store.tldr.paper_id_batches(batch_size):
            report.written += store.tldr.refresh(ids)
            report.papers += len(ids)
            bar.update(len(ids))
    return report


def tldrs_for(store: Store, papers: Iterable[StoredPaper]) -> dict[int, PaperTldr]:
    """The line to show per paper id (papers with no abstract and no HF summary absent)."""
    return store.tldr.for_papers(p.id for p in papers)
