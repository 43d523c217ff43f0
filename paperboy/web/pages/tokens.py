"""The "API tokens" section of the profile page: create a personal API token (its
plaintext is shown once, on the page that answers the form), see when each was last used,
revoke one. Plain POST forms (CSRF-checked app-wide), no JavaScript. The rules (a cap on
live tokens, only one's own) are in paperboy/accounts/tokens.py.

The section is a template partial (``_api_tokens.html``) that asks for the reader's tokens
through the ``api_tokens_of`` template function, so the profile view itself (shared with
other sections) needs no change.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from paperboy.accounts import API_TOKEN, create_personal_token, revoke_personal_token
from paperboy.web.deps import CurrentReader, StoreDep
from paperboy.web.personal_tokens import shown_once
from paperboy.web.rendering import render

router = APIRouter(include_in_schema=False)
SECTION = "/profile#api-tokens"


@router.post("/profile/api-tokens", response_model=None)
def create_api_token(
    request: Request,
    store: StoreDep,
    user: CurrentReader,
    name: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Create a token and show its plaintext once (only its hash is stored)."""
    token, plaintext = create_personal_token(store, user, API_TOKEN, name)
    return shown_once(
        render(request, "api_token_created.html", {"token": token, "plaintext": plaintext})
    )


@router.post("/profile/api-tokens/{token_id}/revoke", response_model=None)
def revoke_api_token(token_id: int, store: StoreDep, user: CurrentReader) -> Response:
    """Revoke one of the reader's own API tokens; any other id is a 404."""
    revoke_personal_token(store, user, API_TOKEN, token_id)
    return RedirectResponse(SECTION, status_code=303)
