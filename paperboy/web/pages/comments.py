"""Comment form routes: parse the form, call one ``community.comments`` function, answer.

Every route is a plain form POST (CSRF-checked app-wide) answering 303 to the comment's
place on the paper page (the page of its thread), so nothing needs JavaScript. Signed-out
posters go to the sign-in page (``CurrentReader``), hiding is for admins (``Admin``). A
comment refused for its body or a rate limit (422, 429 with Retry-After) shows the form
again with the reason and the text the reader wrote.
"""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from paperboy.community.comments import (
    CommentGate,
    delete_comment,
    edit_comment,
    post_comment,
    set_comment_hidden,
)
from paperboy.errors import InvalidInput, TooManyRequests
from paperboy.web.deps import Admin, CurrentReader, SettingsDep, StoreDep, find_paper
from paperboy.web.rendering import render

router = APIRouter(include_in_schema=False)
BodyField = Annotated[str, Form(max_length=200_000)]
_gate_lock = threading.Lock()


def comment_gate(request: Request) -> CommentGate:
    """The app's comment rate limiter (one per app, made on first use)."""
    with _gate_lock:
        gate: CommentGate | None = getattr(request.app.state, "comment_gate", None)
        if gate is None:
            gate = request.app.state.comment_gate = CommentGate()
    return gate


def _refused(
    request: Request,
    exc: InvalidInput | TooManyRequests,
    arxiv_id: str,
    body: str,
    parent_id: int | None,
) -> HTMLResponse:
    context = {"detail": exc.detail, "arxiv_id": arxiv_id, "body": body, "parent_id": parent_id}
    context["status"], context["title"] = exc.status, exc.title
    context["comment_max_chars"] = request.app.state.settings.comment_max_chars
    page = render(request, "comment_refused.html", context, status_code=exc.status)
    page.headers.update(exc.headers)
    return page


@router.post("/paper/{arxiv_id:path}/comments")
def post_comment_form(
    request: Request,
    arxiv_id: str,
    store: StoreDep,
    settings: SettingsDep,
    user: CurrentReader,
    body: BodyField = "",
    parent_id: Annotated[int | None, Form()] = None,
) -> Response:
    paper = find_paper(store, arxiv_id)
    client = request.client.host if request.client else "unknown"
    try:
        place = post_comment(
            store,
            settings,
            comment_gate(request),
            user,
            paper,
            body,
            parent_id=parent_id,
            client=client,
        )
    except (InvalidInput, TooManyRequests) as exc:
        return _refused(request, exc, paper.arxiv_id, body, parent_id)
    return RedirectResponse(place.path, status_code=303)


@router.post("/comments/{comment_id}/edit")
def edit_comment_form(
    comment_id: int,
    store: StoreDep,
    settings: SettingsDep,
    user: CurrentReader,
    body: BodyField = "",
) -> RedirectResponse:
    place = edit_comment(store, settings, user, comment_id, body)
    return RedirectResponse(place.path, status_code=303)


@router.post("/comments/{comment_id}/delete")
def delete_comment_form(
    comment_id: int, store: StoreDep, settings: SettingsDep, user: CurrentReader
) -> RedirectResponse:
    place = delete_comment(store, settings, user, comment_id)
    return RedirectResponse(place.path, status_code=303)


@router.post("/comments/{comment_id}/hide")
def hide_comment_form(
    comment_id: int,
    store: StoreDep,
    settings: SettingsDep,
    user: Admin,
    hidden: Annotated[bool, Form()] = True,
) -> RedirectResponse:
    place = set_comment_hidden(store, settings, user, comment_id, hidden)
    return RedirectResponse(place.path, status_code=303)
