"""One paper: the paper itself, papers like it; and the health check."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field

from paperboy.community.counts import hf_details
from paperboy.feed.tldr import tldrs_for
from paperboy.ops.health import health_figures
from paperboy.search.snippets import opening as _opening
from paperboy.web.api.papers.common import ERRORS, router
from paperboy.web.api.schemas import (
    PaperOut,
    SearchResultOut,
    SimilarOut,
)
from paperboy.web.deps import (
    SearchDep,
    SettingsDep,
    StoreDep,
    find_paper,
)


@router.get(
    "/papers/{arxiv_id:path}/similar",
    response_model=SimilarOut,
    summary="Papers similar to one paper",
    tags=["search"],
    responses={404: ERRORS[404]},
)
def similar(
    arxiv_id: str,
    store: StoreDep,
    search: SearchDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> SimilarOut:
    """Nearest papers by embedding (the paper itself excluded). Empty until the paper's
    embedding is computed (seconds after ingest while `paperboy serve` runs)."""
    paper = find_paper(store, arxiv_id)
    found = search.similar(paper.arxiv_id, limit=limit)
    totals = store.votes.vote_totals(p.id for p, _ in found)
    return SimilarOut(
        id=paper.arxiv_id,
        results=[
            SearchResultOut.of(p, s, _opening(p.abstract), settings.base_url, totals.get(p.id))
            for p, s in found
        ],
    )


@router.get(
    "/papers/{arxiv_id:path}",
    response_model=PaperOut,
    summary="One paper",
    responses={404: ERRORS[404]},
)
def paper(arxiv_id: str, store: StoreDep, settings: SettingsDep) -> PaperOut:
    """A paper by arXiv id (`2503.11731`, with or without a version, or old-style
    `hep-th/9901001`)."""
    from paperboy.web.api.hf import records_of  # hf.py imports this module

    found = find_paper(store, arxiv_id)
    out = PaperOut.of(
        found,
        settings.base_url,
        store.votes.vote_totals([found.id]).get(found.id),
        hf_details(store, found),
        code=store.code.links_for(found.id),
        tldr=tldrs_for(store, [found]).get(found.id),
    )
    out.paper = records_of(store, settings, [found])[0].paper.model_dump(by_alias=True)
    return out


class HealthOut(BaseModel):
    status: str = Field(examples=["ok"])
    papers: int = Field(description="Papers stored (counted at most every 10 s per process)")
    latest_day: date | None = Field(None, description="Newest announcement day stored")


@router.get("/health", response_model=HealthOut, tags=["operations"], summary="Liveness")
def health(store: StoreDep) -> HealthOut:
    """For load balancers and monitoring: answers while the database answers. Cheap
    enough to call every second: `latest_day` is read on each call, `papers` is counted
    at most every 10 seconds per server process, so it may be up to 10 s behind."""
    figures = health_figures(store)
    return HealthOut(status="ok", papers=figures.papers, latest_day=figures.latest_day)
