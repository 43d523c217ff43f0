"""Storage of personal tokens in ``api_tokens``: API tokens (kind 'api') that authenticate
write requests, and private feed tokens (kind 'feed') that put a reader's for-you feed
behind an unguessable URL.

Only the SHA-256 hex of a token is stored, so a leaked database does not leak usable
tokens; the plaintext is returned once, at creation. Revoking keeps the row (with
``revoked_at``) so the profile page could show history and the hash can never be reused.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from paperboy.clock import utcnow
from paperboy.store._rows import Repository
from paperboy.store.accounts import StoredUser, _to_user
from paperboy.store.models import api_tokens, users

TOKEN_KINDS = ("api", "feed")
# last_used_at is a hint for the owner ("used 3 minutes ago"), not an audit log: writing it
# on every request would turn every API read into a database write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class StoredToken:
    id: int
    user_id: int
    kind: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def _to_token(row: Any) -> StoredToken:
    return StoredToken(
        id=row["id"],
        user_id=row["user_id"],
        kind=row["kind"],
        name=row["name"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
    )


class TokenStore(Repository):
    def create_token(
        self, user_id: int, kind: str, name: str, *, now: datetime | None = None
    ) -> tuple[StoredToken, str]:
        """A new token for the account; returns the row and the plaintext (shown once)."""
        if kind not in TOKEN_KINDS:
            raise ValueError(f"unknown token kind {kind!r}")
        plaintext = secrets.token_urlsafe(32)
        values = {
            "user_id": user_id,
            "kind": kind,
            "name": name.strip()[:100],
            "token_hash": hash_token(plaintext),
            "created_at": now or utcnow(),
            "last_used_at": None,
            "revoked_at": None,
        }
        with self.engine.begin() as conn:
            new_id = conn.execute(
                insert(api_tokens).values(values).returning(api_tokens.c.id)
            ).scalar_one()
        return _to_token({"id": new_id, **values}), plaintext

    def list_tokens(self, user_id: int, kind: str) -> list[StoredToken]:
        """The account's live (not revoked) tokens of a kind, newest first."""
        query = (
            select(api_tokens)
            .where(
                api_tokens.c.user_id == user_id,
                api_tokens.c.kind == kind,
                api_tokens.c.revoked_at.is_(None),
            )
            .order_by(api_tokens.c.created_at.desc(), api_tokens.c.id.desc())
        )
        with self.engine.connect() as conn:
            return [_to_token(r) for r in conn.execute(query).mappings()]

    def revoke_token(self, user_id: int, token_id: int, *, now: datetime | None = None) -> bool:
        """Revoke one of the account's tokens; False if it is not theirs or already revoked."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(api_tokens)
                .where(
                    api_tokens.c.id == token_id,
                    api_tokens.c.user_id == user_id,
                    api_tokens.c.revoked_at.is_(None),
                )
                .values(revoked_at=now or utcnow())
            )
        return result.rowcount == 1

    def user_for_token(
        self, kind: str, plaintext: str, *, now: datetime | None = None
    ) -> StoredUser | None:
        """The account a live token belongs to; None if unknown, revoked or suspended."""
        if not plaintext:
            return None
        at = now or utcnow()
        query = (
            select(
                users,
                api_tokens.c.id.label("token_id"),
                api_tokens.c.last_used_at.label("token_last_used_at"),
            )
            .join(api_tokens, api_tokens.c.user_id == users.c.id)
            .where(
                api_tokens.c.token_hash == hash_token(plaintext),
                api_tokens.c.kind == kind,
                api_tokens.c.revoked_at.is_(None),
            )
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        if row is None or row["suspended"]:
            return None
        last_used = row["token_last_used_at"]
        if last_used is None or at - last_used >= LAST_USED_RESOLUTION:
            with self.engine.begin() as conn:
                conn.execute(
                    update(api_tokens)
                    .where(api_tokens.c.id == row["token_id"])
                    .values(last_used_at=at)
                )
        return _to_user(row)
