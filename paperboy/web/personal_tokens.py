"""Personal tokens on the profile page, shared by its "API tokens" section
(web/api_tokens.py, kind ``api``) and its "Private feed" section (web/private_feed.py,
kind ``feed``): listing, creating with a cap on live tokens, revoking only one's own
tokens of that kind, and showing a new secret once."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response

from paperboy.errors import Conflict, NotFound
from paperboy.store import Store, StoredUser
from paperboy.store.tokens import StoredToken
from paperboy.web.auth import get_current_user

SIGN_IN = "/signin?next=/profile"
MAX_LIVE_TOKENS = 20  # per reader and kind: enough for every script or feed reader
NAME_MAX = 100


def tokens_lister(kind: str) -> Callable[[Request], list[StoredToken]]:
    """A template function listing the signed-in reader's live tokens of ``kind``, so
    the shared profile view needs no change for each section."""

    def tokens_of(request: Request) -> list[StoredToken]:
        user = get_current_user(request)
        if user is None:
            return []
        store: Store = request.app.state.store
        return store.tokens.list_tokens(user.id, kind)

    return tokens_of


def clean_token_name(value: str) -> str:
    """One line of printable text, at most NAME_MAX characters."""
    return " ".join("".join(c for c in value if c.isprintable()).split())[:NAME_MAX]


def create_personal_token(
    store: Store, user: StoredUser, kind: str, name: str, *, default_name: str, what: str
) -> tuple[StoredToken, str]:
    """A new token (row, plaintext); Conflict when the reader has too many live ones."""
    if len(store.tokens.list_tokens(user.id, kind)) >= MAX_LIVE_TOKENS:
        raise Conflict(
            f"You already have {MAX_LIVE_TOKENS} {what}s; revoke one you no longer use first."
        )
    return store.tokens.create_token(user.id, kind, clean_token_name(name) or default_name)


def revoke_personal_token(
    store: Store, user: StoredUser, kind: str, token_id: int, what: str
) -> None:
    """Revoke one of the reader's own tokens of this kind; anything else is a 404."""
    mine = {t.id for t in store.tokens.list_tokens(user.id, kind)}
    if token_id not in mine or not store.tokens.revoke_token(user.id, token_id):
        raise NotFound(f"no such {what}")


def shown_once(response: Response) -> Response:
    """The page holds a secret: no cache, no back/forward snapshot."""
    response.headers["Cache-Control"] = "no-store"
    return response
