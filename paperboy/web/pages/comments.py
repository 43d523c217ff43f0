"""Comments on the paper page: the view the page renders, and the form routes.

Every route is a plain form POST (CSRF-checked app-wide) answering 303 back to the
comment's anchor on the paper page, so nothing needs JavaScript. Signed-out posters are
sent to the sign-in page; editing or deleting someone else's comment is 403; only admins
hide and unhide. Bodies are Markdown rendered by ``render_comment`` (raw HTML shown as
text, links allow-listed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse
from markupsafe import Markup

from paperboy.community.markdown import render_comment
from paperboy.config import Settings
from paperboy.errors import Forbidden, InvalidInput, NotFound
from paperboy.store import Store, StoredUser
from paperboy.store.comments import StoredComment
from paperboy.web.auth import CurrentUser
from paperboy.web.deps import SettingsDep, StoreDep, find_paper

router = APIRouter(include_in_schema=False)
DELETED = "[deleted]"
HIDDEN = "[hidden by a moderator]"
BodyField = Annotated[str, Form(max_length=200_000)]


@dataclass(frozen=True, slots=True)
class CommentView:
    """One comment as a reader sees it: ``html`` is None when the body is not shown."""

    id: int
    author: str | None
    created_at: datetime
    edited_at: datetime | None
    html: Markup | None
    body: str | None
    placeholder: str | None
    hidden: bool
    mine: bool
    replies: list[CommentView] = field(default_factory=list)


def _view(c: StoredComment, user: StoredUser | None) -> CommentView:
    admin = bool(user and user.is_admin)
    mine = bool(user and user.id == c.user_id)
    placeholder = None
    shown = True
    if c.deleted:
        placeholder, shown = DELETED, False
    elif c.hidden and not admin:
        placeholder, shown = HIDDEN, False
    return CommentView(
        id=c.id,
        author=c.author if shown else None,
        created_at=c.created_at,
        edited_at=c.edited_at,
        html=render_comment(c.body) if shown else None,
        body=c.body if shown else None,
        placeholder=placeholder,
        hidden=c.hidden,
        mine=mine and not c.deleted,
    )


def comment_threads(store: Store, paper_id: int, user: StoredUser | None) -> list[CommentView]:
    """Top-level comments, oldest first, each with its replies (oldest first)."""
    threads: list[CommentView] = []
    by_id: dict[int, CommentView] = {}
    for c in store.comments.paper_comments(paper_id):
        view = _view(c, user)
        if c.parent_id is None:
            threads.append(view)
            by_id[c.id] = view
        elif c.parent_id in by_id:
            by_id[c.parent_id].replies.append(view)
    return threads


def _clean_body(body: str, settings: Settings) -> str:
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    text = "".join(c for c in text if c.isprintable() or c in "\n\t")
    if not text:
        raise InvalidInput("write something first: the comment is empty")
    if len(text) > settings.comment_max_chars:
        raise InvalidInput(f"a comment can have at most {settings.comment_max_chars} characters")
    return text


def _signin(arxiv_id: str) -> RedirectResponse:
    back = f"/paper/{arxiv_id}#comments"
    return RedirectResponse("/signin?" + urlencode({"next": back}), status_code=303)


def _back(store: Store, comment: StoredComment, anchor: str) -> RedirectResponse:
    paper = store.papers.get_papers_by_ids([comment.paper_id]).get(comment.paper_id)
    arxiv_id = paper.arxiv_id if paper else ""
    return RedirectResponse(f"/paper/{arxiv_id}#{anchor}", status_code=303)


def _own_comment(store: Store, comment_id: int, user: StoredUser) -> StoredComment:
    comment = store.comments.get_comment(comment_id)
    if comment is None or comment.deleted:
        raise NotFound(f"no comment {comment_id}")
    if comment.user_id != user.id:
        raise Forbidden("you can only change your own comments")
    return comment


@router.post("/paper/{arxiv_id:path}/comments")
def post_comment(
    arxiv_id: str,
    store: StoreDep,
    settings: SettingsDep,
    user: CurrentUser,
    body: BodyField = "",
    parent_id: Annotated[int | None, Form()] = None,
) -> RedirectResponse:
    paper = find_paper(store, arxiv_id)
    if user is None:
        return _signin(paper.arxiv_id)
    text = _clean_body(body, settings)
    comment = store.comments.add_comment(paper.id, user.id, text, parent_id=parent_id)
    return RedirectResponse(f"/paper/{paper.arxiv_id}#comment-{comment.id}", status_code=303)


@router.post("/comments/{comment_id}/edit")
def edit_comment(
    comment_id: int,
    store: StoreDep,
    settings: SettingsDep,
    user: CurrentUser,
    body: BodyField = "",
) -> RedirectResponse:
    if user is None:
        return RedirectResponse("/signin", status_code=303)
    comment = _own_comment(store, comment_id, user)
    store.comments.edit_comment(comment.id, _clean_body(body, settings))
    return _back(store, comment, f"comment-{comment.id}")


@router.post("/comments/{comment_id}/delete")
def delete_comment(comment_id: int, store: StoreDep, user: CurrentUser) -> RedirectResponse:
    if user is None:
        return RedirectResponse("/signin", status_code=303)
    comment = _own_comment(store, comment_id, user)
    store.comments.delete_comment(comment.id)
    return _back(store, comment, "comments")


@router.post("/comments/{comment_id}/hide")
def hide_comment(
    comment_id: int,
    store: StoreDep,
    user: CurrentUser,
    hidden: Annotated[bool, Form()] = True,
) -> RedirectResponse:
    if user is None:
        return RedirectResponse("/signin", status_code=303)
    if not user.is_admin:
        raise Forbidden("only admins hide comments")
    comment = store.comments.get_comment(comment_id)
    if comment is None:
        raise NotFound(f"no comment {comment_id}")
    store.comments.set_comment_hidden(comment.id, hidden)
    return _back(store, comment, f"comment-{comment.id}")
