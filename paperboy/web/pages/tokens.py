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
from fastapi.responses import RedirectResponse, Response

from paperboy.web.auth import CurrentUser
from paperboy.web.deps import StoreDep
from paperboy.web.personal_tokens import (
    SIGN_IN,
    create_personal_token,
    revoke_personal_token,
    shown_once,
    tokens_lister,
)
from paperboy.web.rendering import env, render

router = APIRouter(include_in_schema=False)
TOKEN_KIND = "api"  # noqa: S105 (a token kind, not a secret)
SECTION = "/profile#api-tokens"
WHAT = "API token"

env.globals["api_tokens_of"] = tokens_lister(TOKEN_KIND)


@router.post("/profile/api-tokens", response_model=None)
def create_api_token(
    request: Request,
    store: StoreDep,
    user: CurrentUser,
    name: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Create a token and show its plaintext once (only its hash is stored)."""
    if user is None:
        return RedirectResponse(SIGN_IN, status_code=303)
    token, plaintext = create_personal_token(
        store, user, TOKEN_KIND, name, default_name="Unnamed token", what=WHAT
    )
    return shown_once(
        render(request, "api_token_created.html", {"token": token, "plaintext": plaintext})
    )


@router.post("/profile/api-tokens/{token_id}/revoke", response_model=None)
def revoke_api_token(token_id: int, store: StoreDep, user: CurrentUser) -> Response:
    """Revoke one of the reader's own API tokens; any other id is a 404."""
    if user is None:
        return RedirectResponse(SIGN_IN, status_code=303)
    revoke_personal_token(store, user, TOKEN_KIND, token_id, WHAT)
    return RedirectResponse(SECTION, status_code=303)
