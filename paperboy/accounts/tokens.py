"""Personal tokens: API tokens (kind ``api``, for scripts) and private feed addresses
(kind ``feed``), created and revoked on the profile page. A reader has at most
``MAX_LIVE_TOKENS`` live tokens of each kind and can revoke only their own; the
plaintext exists once, in the answer to the creation (only its hash is stored).

These are separate from browser sessions: signing out (anywhere) leaves them working.
"""

from __future__ import annotations

from dataclasses import dataclass

from paperboy.errors import Conflict, NotFound
from paperboy.store import Store, StoredUser
from paperboy.store.tokens import StoredToken

MAX_LIVE_TOKENS = 20  # per reader and kind: enough for every script or feed reader
NAME_MAX = 100


@dataclass(frozen=True, slots=True)
class TokenKind:
    kind: str  # as stored
    what: str  # for messages: "API token"
    default_name: str


API_TOKEN = TokenKind("api", "API token", "Unnamed token")
FEED_ADDRESS = TokenKind("feed", "private feed address", "Feed reader")

__all__ = [
    "API_TOKEN",
    "FEED_ADDRESS",
    "MAX_LIVE_TOKENS",
    "NAME_MAX",
    "TokenKind",
    "clean_token_name",
    "create_personal_token",
    "live_tokens",
    "revoke_personal_token",
]


def clean_token_name(value: str) -> str:
    """One line of printable text, at most NAME_MAX characters."""
    return " ".join("".join(c for c in value if c.isprintable()).split())[:NAME_MAX]


def live_tokens(store: Store, user: StoredUser, kind: TokenKind) -> list[StoredToken]:
    return store.tokens.list_tokens(user.id, kind.kind)


def create_personal_token(
    store: Store, user: StoredUser, kind: TokenKind, name: str
) -> tuple[StoredToken, str]:
    """A new token (row, plaintext); Conflict when the reader has too many live ones."""
    if len(live_tokens(store, user, kind)) >= MAX_LIVE_TOKENS:
        raise Conflict(
            f"You already have {MAX_LIVE_TOKENS} {kind.what}s; revoke one you no longer use first."
        )
    return store.tokens.create_token(
        user.id, kind.kind, clean_token_name(name) or kind.default_name
    )


def revoke_personal_token(store: Store, user: StoredUser, kind: TokenKind, token_id: int) -> None:
    """Revoke one of the reader's own tokens of this kind; anything else is a 404."""
    mine = {t.id for t in live_tokens(store, user, kind)}
    if token_id not in mine or not store.tokens.revoke_token(user.id, token_id):
        raise NotFound(f"no such {kind.what}")
