"""Where a paper's upvotes come from: Hugging Face's count and this instance's votes.

A paper's total is ``papers.imported_upvotes`` (HF's upvotes, refreshed by
``paperboy sync hf``, or as loaded from a file) plus COUNT of local votes; every listing
already has the total (``vote_view``), so the split costs no query.
"""

from __future__ import annotations

from paperboy.store import Store, StoredPaper
from paperboy.store.hf import CountBreakdown, HfInfo

__all__ = ["CountBreakdown", "HfInfo", "hf_details", "upvote_sources"]


def upvote_sources(paper: StoredPaper, total: int | None = None) -> CountBreakdown:
    """``total`` (HF + local) split into HF's part and this instance's part."""
    hf = max(0, paper.imported_upvotes)
    if total is None:
        return CountBreakdown(hf=hf, here=0)
    return CountBreakdown(hf=min(hf, total), here=max(0, total - hf))


def hf_details(store: Store, paper: StoredPaper) -> HfInfo | None:
    """What Hugging Face's daily papers say about the paper (None: it was never there)."""
    return store.hf.get(paper.id)
