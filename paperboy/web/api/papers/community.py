"""What readers do through the API: upvotes, submissions, reading comments."""

from __future__ import annotations

from paperboy.community.comments import DELETED, CommentView, comment_threads
from paperboy.community.submissions import submit_arxiv_paper
from paperboy.web.api.papers.common import ERRORS, WRITE_ERRORS, router
from paperboy.web.api.schemas import (
    CommentOut,
    CommentsOut,
    ErrorOut,
    PaperOut,
    SubmissionIn,
    VoteOut,
)
from paperboy.web.deps import (
    ArxivDep,
    CurrentReader,
    SettingsDep,
    StoreDep,
    find_paper,
)


@router.post(
    "/papers/{arxiv_id:path}/vote",
    response_model=VoteOut,
    summary="Toggle your upvote",
    tags=["community"],
    responses={
        **WRITE_ERRORS,
        401: {"model": ErrorOut, "description": "Not signed in, or an unknown API token"},
        403: {"model": ErrorOut, "description": "Signed in by cookie without a CSRF token"},
        404: ERRORS[404],
    },
)
def vote(arxiv_id: str, store: StoreDep, user: CurrentReader) -> VoteOut:
    """Adds the account's upvote, or takes it back when it exists. Needs an API token
    (`Authorization: Bearer <token>`), or the session cookie and its CSRF token in the
    `X-CSRF-Token` header (without either: 401)."""
    paper = find_paper(store, arxiv_id)
    result = store.votes.toggle_vote(user.id, paper.id)
    return VoteOut(id=paper.arxiv_id, upvotes=result.upvotes, voted=result.voted)


@router.post(
    "/submissions",
    response_model=PaperOut,
    status_code=201,
    summary="Submit a paper from arXiv",
    tags=["community"],
    responses={
        **WRITE_ERRORS,
        404: {"model": ErrorOut, "description": "arXiv does not know the paper"},
        409: {"model": ErrorOut, "description": "The paper is already on paperboy"},
        422: {"model": ErrorOut, "description": "Not an arXiv id, or the paper is too old"},
        429: {
            "model": ErrorOut,
            "description": "Over a rate limit or the daily submission limit; retry after "
            "`Retry-After` seconds",
            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        },
        502: {"model": ErrorOut, "description": "arXiv could not be reached"},
        503: {
            "model": ErrorOut,
            "description": "arXiv asked paperboy to wait, or too many lookups run; retry "
            "after `Retry-After` seconds",
            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        },
    },
)
def submit(
    body: SubmissionIn,
    store: StoreDep,
    settings: SettingsDep,
    arxiv: ArxivDep,
    user: CurrentReader,
) -> PaperOut:
    """Fetches the paper's metadata from arXiv and puts it on today's page, credited to
    the account (the same rules as the /submit form: recent papers only, a few a day,
    a bounded number of arXiv lookups an hour). When arXiv asks paperboy to wait, or too
    many lookups run, the answer is 503 with `Retry-After` at once."""
    stored = submit_arxiv_paper(store, settings, arxiv, user, body.arxiv_id)
    return PaperOut.of(
        stored, settings.base_url, store.votes.vote_totals([stored.id]).get(stored.id)
    )


def _comment_out(view: CommentView) -> CommentOut:
    return CommentOut(
        id=view.id,
        author=view.author,
        created_at=view.created_at,
        edited_at=view.edited_at,
        deleted=view.placeholder == DELETED,
        hidden=view.hidden,
        html=str(view.html) if view.html is not None else None,
        markdown=view.body,
        replies=[_comment_out(r) for r in view.replies],
    )


@router.get(
    "/papers/{arxiv_id:path}/comments",
    response_model=CommentsOut,
    summary="Comments on one paper",
    tags=["community"],
    responses={404: ERRORS[404]},
)
def paper_comments(arxiv_id: str, store: StoreDep) -> CommentsOut:
    """Top-level comments oldest first, each with its replies. `html` is the Markdown
    body rendered to sanitised HTML, `markdown` the body as written; both are null for a
    deleted or hidden comment (kept in place when it has replies)."""
    paper = find_paper(store, arxiv_id)
    threads = comment_threads(store, paper.id, None)
    out = [_comment_out(t) for t in threads]
    count = sum((t.html is not None) + sum(r.html is not None for r in t.replies) for t in threads)
    return CommentsOut(id=paper.arxiv_id, count=count, comments=out)
