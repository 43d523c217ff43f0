"""The "API tokens" section of the profile page: create a personal API token (its
plaintext is shown once, on the page that answers the form), see when each was last used,
revoke one. Plain POST forms (CSRF-checked app-wide), no JavaScript.

The section is a template partial (``_api_tokens.html``) that asks for the reader's tokens
through the ``api_tokens_of`` template function, so the profile view itself (shared with
other sections) needs no change.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from paperboy.errors import Conflict, NotFound
from paperboy.store import Store, StoredUser
from paperboy.store.tokens import StoredToken
from paperboy.web.auth import CurrentUser, get_current_user
from paperboy.web.deps import StoreDep
from paperboy.web.rendering import env, render

router = APIRouter(include_in_schema=False)
TOKEN_KIND = "api"  # noqa: S105 (a token kind, not a secret)
MAX_LIVE_TOKENS = 20  # enough for every script a reader runs; bounds the list on the page
NAME_MAX = 100
SECTION = "/profile#api-tokens"


def _api_tokens_of(request: Request) -> list[StoredToken]:
    user = get_current_user(request)
    if user is None:
        return []
    store: Store = request.app.state.store
    return store.list_tokens(user.id, TOKEN_KIND)


env.globals["api_tokens_of"] = _api_tokens_of


def _to_sign_in() -> RedirectResponse:
    return RedirectResponse("/signin?next=/profile", status_code=303)


def _clean_name(value: str) -> str:
    return " ".join("".join(c for c in value if c.isprintable()).split())[:NAME_MAX]


def _create(store: Store, user: StoredUser, name: str) -> tuple[StoredToken, str]:
    if len(store.list_tokens(user.id, TOKEN_KIND)) >= MAX_LIVE_TOKENS:
        raise Conflict(
            f"You already have {MAX_LIVE_TOKENS} API tokens; revoke one you no longer use first."
        )
    return store.create_token(user.id, TOKEN_KIND, name or "Unnamed token")


@router.post("/profile/api-tokens", response_model=None)
def create_api_token(
    request: Request,
    store: StoreDep,
    user: CurrentUser,
    name: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Create a token and show its plaintext once (only its hash is stored)."""
    if user is None:
        return _to_sign_in()
    token, plaintext = _create(store, user, _clean_name(name))
    page: HTMLResponse = render(
        request, "api_token_created.html", {"token": token, "plaintext": plaintext}
    )
    # The plaintext must not linger in caches or the back/forward history.
    page.headers["Cache-Control"] = "no-store"
    return page


@router.post("/profile/api-tokens/{token_id}/revoke", response_model=None)
def revoke_api_token(token_id: int, store: StoreDep, user: CurrentUser) -> Response:
    """Revoke one of the reader's own tokens; another reader's token id is a 404."""
    if user is None:
        return _to_sign_in()
    if not store.revoke_token(user.id, token_id):
        raise NotFound("no such API token")
    return RedirectResponse(SECTION, status_code=303)
