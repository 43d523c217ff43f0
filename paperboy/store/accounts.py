"""Storage of accounts and emailed sign-in tokens. Timestamps are naive UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from paperboy.clock import utcnow
from paperboy.errors import Conflict
from paperboy.store._rows import Repository
from paperboy.store.models import login_tokens, users

ROLES = ("reader", "curator", "admin")


@dataclass(frozen=True, slots=True)
class StoredUser:
    id: int
    email: str
    display_name: str
    affiliation: str | None
    role: str
    suspended: bool
    created_at: datetime
    last_seen: datetime | None
    session_generation: int = 0

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_curator(self) -> bool:
        return self.role in ("curator", "admin")


def _to_user(row: Any) -> StoredUser:
    return StoredUser(
        id=row["id"],
        email=row["email"],
        display_name=row["display_name"],
        affiliation=row["affiliation"],
        role=row["role"],
        suspended=bool(row["suspended"]),
        created_at=row["created_at"],
        last_seen=row["last_seen"],
        session_generation=int(row["session_generation"] or 0),
    )


def default_display_name(email: str) -> str:
    return email.split("@", 1)[0][:80]


class AccountStore(Repository):
    # -- users -----------------------------------------------------------------------

    def create_user(
        self, email: str, *, role: str = "reader", display_name: str | None = None
    ) -> StoredUser:
        """A new account; ``email`` must already be normalised (lower case)."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        try:
            with self.engine.begin() as conn:
                return self._insert_user(conn, email, role, display_name)
        except IntegrityError:
            raise Conflict(f"an account for {email} already exists") from None

    @staticmethod
    def _insert_user(
        conn: Connection, email: str, role: str, display_name: str | None
    ) -> StoredUser:
        values = {
            "email": email,
            "display_name": (display_name or default_display_name(email))[:80],
            "affiliation": None,
            "role": role,
            "suspended": False,
            "created_at": utcnow(),
            "last_seen": None,
            "session_generation": 0,
        }
        new_id = conn.execute(insert(users).values(values).returning(users.c.id)).scalar_one()
        return _to_user({"id": new_id, **values})

    def get_user(self, user_id: int) -> StoredUser | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).mappings().first()
        return _to_user(row) if row else None

    def get_user_by_email(self, email: str) -> StoredUser | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.email == email)).mappings().first()
        return _to_user(row) if row else None

    def list_users(self) -> list[StoredUser]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(users).order_by(users.c.id)).mappings()
            return [_to_user(r) for r in rows]

    def update_profile(self, user_id: int, display_name: str, affiliation: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(display_name=display_name, affiliation=affiliation)
            )

    def set_user_role(self, user_id: int, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        with self.engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == user_id).values(role=role))

    def set_user_suspended(self, user_id: int, suspended: bool) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == user_id).values(suspended=suspended))

    def end_sessions(self, user_id: int) -> None:
        """Bump the account's session generation: every session issued before is over."""
        with self.engine.begin() as conn:
            conn.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(session_generation=users.c.session_generation + 1)
            )

    # -- sign-in tokens --------------------------------------------------------------

    def add_login_token(
        self,
        token_hash: str,
        email: str,
        ip: str | None,
        *,
        created_at: datetime,
        expires_at: datetime,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(login_tokens).values(
                    token_hash=token_hash,
                    email=email,
                    ip=ip,
                    created_at=created_at,
                    expires_at=expires_at,
                    used_at=None,
                )
            )

    def count_login_tokens(
        self, *, since: datetime, email: str | None = None, ip: str | None = None
    ) -> int:
        """Sign-in links issued since ``since`` to an address or from an IP."""
        stmt = select(func.count()).select_from(login_tokens)
        stmt = stmt.where(login_tokens.c.created_at >= since)
        if email is not None:
            stmt = stmt.where(login_tokens.c.email == email)
        if ip is not None:
            stmt = stmt.where(login_tokens.c.ip == ip)
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def login_token_email(self, token_hash: str, *, now: datetime) -> str | None:
        """The address a sign-in token was sent to, while the token is unused and
        unexpired; else None."""
        stmt = select(login_tokens.c.email).where(
            login_tokens.c.token_hash == token_hash,
            login_tokens.c.used_at.is_(None),
            login_tokens.c.expires_at > now,
        )
        with self.engine.connect() as conn:
            email: str | None = conn.execute(stmt).scalar_one_or_none()
        return email

    def consume_login_token(
        self, token_hash: str, *, now: datetime | None = None
    ) -> StoredUser | None:
        """Mark a valid token used and return its account (created on first sign-in);
        None when the token is unknown, used or expired.

        The conditional UPDATE is the single-use guarantee: of two concurrent requests
        with the same token exactly one changes the row (SQLite serialises writers;
        PostgreSQL re-checks the WHERE clause after the first commits)."""
        when = now or utcnow()
        for attempt in (1, 2):
            try:
                with self.engine.begin() as conn:
                    changed = conn.execute(
                        update(login_tokens)
                        .where(
                            login_tokens.c.token_hash == token_hash,
                            login_tokens.c.used_at.is_(None),
                            login_tokens.c.expires_at > when,
                        )
                        .values(used_at=when)
                    ).rowcount
                    if changed != 1:
                        return None
                    email = conn.execute(
                        select(login_tokens.c.email).where(login_tokens.c.token_hash == token_hash)
                    ).scalar_one()
                    row = (
                        conn.execute(select(users).where(users.c.email == email)).mappings().first()
                    )
                    if row is None:
                        return self._insert_user(conn, email, "reader", None)
                    conn.execute(
                        update(users).where(users.c.id == row["id"]).values(last_seen=when)
                    )
                    return _to_user({**row, "last_seen": when})
            except IntegrityError:
                # A concurrent first sign-in of the same address created the account;
                # this transaction rolled back (token unused), so try once more.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def purge_login_tokens(self, *, expired_before: datetime) -> int:
        """Delete sign-in tokens (used or not) that expired before ``expired_before``: they
        can sign nobody in, and the rate limits only count the last hour's."""
        with self.engine.begin() as conn:
            gone = conn.execute(
                delete(login_tokens).where(login_tokens.c.expires_at < expired_before)
            )
            return int(gone.rowcount)
