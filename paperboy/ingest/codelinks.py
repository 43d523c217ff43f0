"""Code links for papers stored before extraction existed: ``paperboy links backfill``.

New papers get their links on the way in (the store extracts them in the upsert's
transaction, with ``paperboy.codelinks``); this re-derives them for every stored paper,
one transaction per batch. Running it again gives the same rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from paperboy.progress import progress
from paperboy.store import Store

BATCH_SIZE = 500


@dataclass
class BackfillReport:
    papers: int = 0
    links: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.by_kind.items()))
        return (
            f"code links: {self.papers} papers read, {self.links} links stored ({kinds or 'none'})"
        )


def backfill_links(store: Store, *, batch_size: int = BATCH_SIZE) -> BackfillReport:
    """Re-derive the code links of every stored paper."""
    report = BackfillReport()
    with progress("code links", total=store.papers.count_papers(), unit="paper") as bar:
        for ids in store.code.paper_id_batches(batch_size):
            report.links += store.code.refresh_links(ids)
            report.papers += len(ids)
            bar.update(len(ids))
    report.by_kind = store.code.count_links()
    return report
