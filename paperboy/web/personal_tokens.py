"""The web side of personal tokens (paperboy/accounts/tokens.py), shared by the profile's
"API tokens" section (web/pages/tokens.py) and its "Private feed" section
(web/feeds/private.py): a template function listing the reader's live tokens of a kind,
and the no-store answer for the page that shows a new secret once."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response

from paperboy.accounts import live_tokens
from paperboy.accounts.tokens import TokenKind
from paperboy.store import Store
from paperboy.store.tokens import StoredToken
from paperboy.web.auth import get_current_user


def tokens_lister(kind: TokenKind) -> Callable[[Request], list[StoredToken]]:
    """A template function listing the signed-in reader's live tokens of ``kind``, so
    the shared profile view needs no change for each section."""

    def tokens_of(request: Request) -> list[StoredToken]:
        user = get_current_user(request)
        if user is None:
            return []
        store: Store = request.app.state.store
        return live_tokens(store, user, kind)

    return tokens_of


def shown_once(response: Response) -> Response:
    """The page holds a secret: no cache, no back/forward snapshot."""
    response.headers["Cache-Control"] = "no-store"
    return response
