"""Upvotes on the web: the batch lookups every listing uses, and the form route.

A listing calls ``vote_view`` once for its papers: one query for the totals, one for the
signed-in reader's own votes, one for the sparklines' vote times, one for the visible
comment counts (no query per paper).
The form route ``POST /paper/{id}/vote`` works without JavaScript (303 back to a local
``next``); ``static/vote.js`` submits the same form with fetch to the JSON route
``POST /api/papers/{id}/vote`` and updates the button in place. Signed-out voters are
sent to the sign-in page (the API answers 403).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse
from markupsafe import Markup

from paperboy.accounts.service import DEFAULT_AFTER_SIGN_IN, safe_next
from paperboy.clock import utcnow
from paperboy.store import Store, StoredPaper, StoredUser
from paperboy.store.code import StoredCodeLink
from paperboy.web.auth import CurrentUser
from paperboy.web.deps import StoreDep, find_paper
from paperboy.web.sparkline import SPARK_DAYS, cumulative_daily, sparkline_svg

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class VoteView:
    """Vote counts, the reader's own votes, sparklines and comment counts of a page of
    papers."""

    totals: dict[int, int] = field(default_factory=dict)
    mine: set[int] = field(default_factory=set)
    sparks: dict[int, Markup] = field(default_factory=dict)
    comments: dict[int, int] = field(default_factory=dict)  # visible comments per paper
    submitters: dict[int, str] = field(default_factory=dict)  # display name per paper
    saved: set[int] = field(default_factory=set)  # in the reader's library (_save.html)
    code: dict[int, list[StoredCodeLink]] = field(default_factory=dict)  # _code_badge.html

    def code_badge(self, paper: StoredPaper) -> StoredCodeLink | None:
        """The paper's official repository (else its first code or project link)."""
        links = self.code.get(paper.id, [])
        return next((c for c in links if c.official), None) or (links[0] if links else None)

    def is_saved(self, paper: StoredPaper) -> bool:
        return paper.id in self.saved

    def submitter(self, paper: StoredPaper) -> str | None:
        return self.submitters.get(paper.id)

    def comment_count(self, paper: StoredPaper) -> int:
        return self.comments.get(paper.id, 0)

    def total(self, paper: StoredPaper) -> int:
        return self.totals.get(paper.id, paper.imported_upvotes)

    def voted(self, paper: StoredPaper) -> bool:
        return paper.id in self.mine

    def spark(self, paper: StoredPaper) -> Markup:
        return self.sparks.get(paper.id, Markup(""))


def vote_view(
    store: Store,
    user: StoredUser | None,
    papers: Iterable[StoredPaper],
    *,
    sparklines: bool = True,
) -> VoteView:
    listed = list(papers)
    if not listed:
        return VoteView()
    ids = [p.id for p in listed]
    totals = store.votes.vote_totals(ids)
    mine = store.votes.voted_by(user.id, ids) if user else set()
    sparks: dict[int, Markup] = {}
    if sparklines:
        now = utcnow()
        since = (now - timedelta(days=SPARK_DAYS - 1)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        times = store.votes.vote_days(ids, since)
        for pid in ids:
            recent = times.get(pid, [])
            base = totals.get(pid, 0) - len(recent)
            sparks[pid] = sparkline_svg(cumulative_daily(recent, base, now.date()))
    saved = store.library.saved_among(user.id, ids) if user else set()
    return VoteView(
        totals,
        mine,
        sparks,
        store.comments.comment_counts(ids),
        store.submissions.submitters(ids),
        saved,
        store.code.links_for_papers(ids),
    )


NextField = Annotated[str, Form(max_length=2000)]


@router.post("/paper/{arxiv_id:path}/vote")
def vote_form(
    arxiv_id: str, store: StoreDep, user: CurrentUser, next: NextField = ""
) -> RedirectResponse:
    """Toggle the reader's upvote, then go back to the (local) page the form was on."""
    paper = find_paper(store, arxiv_id)
    here = f"/paper/{paper.arxiv_id}"
    back = safe_next(next) if next else here
    if back == DEFAULT_AFTER_SIGN_IN and next != DEFAULT_AFTER_SIGN_IN:
        back = here  # not a local path: back to the paper, never to another site
    if user is None:
        return RedirectResponse("/signin?" + urlencode({"next": back}), status_code=303)
    store.votes.toggle_vote(user.id, paper.id)
    return RedirectResponse(back, status_code=303)
