"""Comments on papers: who may write what, how threads are shown, and how fast.

- **Bodies** are cleaned (newlines normalised, control characters dropped, stripped),
  must not be empty and are at most ``comment_max_chars`` long. The Markdown is rendered
  (``render_comment``) once, when the comment is written or edited, and kept next to the
  body; a comment written before that was kept is rendered on its first view and saved.
- **Threads**: a top-level comment with its replies (one level: a reply to a reply
  attaches to the top-level comment), oldest first, ``comment_threads_per_page`` threads
  a page. Deleted comments that kept their replies show as ``[deleted]``; hidden ones as
  ``[hidden by a moderator]`` except to admins.
- **Rules**: only the author edits or deletes a comment; only admins hide one.
- **Rate limits**: an account may post ``comment_limit_per_minute`` comments a minute
  and ``comment_limit_per_day`` a day (counted in the database, so they hold across
  restarts and workers), and one client address ``comment_ip_limit_per_minute`` /
  ``comment_ip_limit_per_day`` (counted in the process by a ``CommentGate``, which also
  closes the race between concurrent posts of one account). Over a limit:
  ``CommentRateLimited`` (429, Retry-After).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from markupsafe import Markup

from paperboy.clock import utcnow
from paperboy.community.markdown import render_comment
from paperboy.config import Settings
from paperboy.errors import Forbidden, InvalidInput, NotFound, TooManyRequests
from paperboy.store import Store, StoredPaper, StoredUser
from paperboy.store.comments import StoredComment

DELETED = "[deleted]"
HIDDEN = "[hidden by a moderator]"
MINUTE = 60.0
DAY = 86_400.0
PRUNE_AT = 10_000  # keys the gate keeps before it drops the ones with nothing recent


class CommentRateLimited(TooManyRequests):
    """Over one of the comment rate limits."""


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


@dataclass(frozen=True, slots=True)
class CommentPage:
    """One page of a paper's threads."""

    threads: list[CommentView]
    page: int
    pages: int
    total: int  # top-level comments on the paper


@dataclass(frozen=True, slots=True)
class CommentPlace:
    """Where a comment is shown: its paper, the page of its thread, its anchor."""

    arxiv_id: str
    page: int
    anchor: str

    @property
    def path(self) -> str:
        query = f"?comments_page={self.page}" if self.page > 1 else ""
        return f"/paper/{self.arxiv_id}{query}#{self.anchor}"


class CommentGate:
    """In-process sliding windows (a minute and a day) of comment posts per key (a
    client address or an account). Thread-safe; the clock is injectable."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._posts: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, limits: dict[str, tuple[int, int, str]]) -> None:
        """Count one post against every key of ``limits`` (key: per minute, per day,
        what to call the key in the refusal), or raise CommentRateLimited and count
        nothing."""
        now = self.clock()
        with self._lock:
            for key, (per_minute, per_day, who) in limits.items():
                posts = self._posts.get(key)
                if posts is None:
                    continue
                while posts and posts[0] <= now - DAY:
                    posts.popleft()
                wait = _wait(list(posts), now, per_minute, per_day)
                if wait:
                    raise _refusal(who, per_minute, per_day, wait[0], wait[1])
            if len(self._posts) >= PRUNE_AT:
                self._prune(now)
            for key in limits:
                self._posts.setdefault(key, deque()).append(now)

    def _prune(self, now: float) -> None:
        for key in [k for k, v in self._posts.items() if not v or v[-1] <= now - DAY]:
            del self._posts[key]


def _wait(times: list[float], now: float, per_minute: int, per_day: int) -> tuple[int, str] | None:
    """Seconds until one more post is allowed and the window that refuses, or None."""
    recent = [t for t in times if t > now - MINUTE]
    if len(times) >= per_day:
        return math.ceil(times[-per_day] + DAY - now), "day"
    if len(recent) >= per_minute:
        return math.ceil(recent[-per_minute] + MINUTE - now), "minute"
    return None


def _refusal(who: str, per_minute: int, per_day: int, wait: int, window: str) -> Exception:
    limit = per_day if window == "day" else per_minute
    wait = max(1, wait)
    when = f"{wait} seconds" if wait < 120 else f"{math.ceil(wait / 60)} minutes"
    return CommentRateLimited(
        f"{who} can post at most {limit} comments a {window}: please wait {when} before "
        "posting again (your text is kept below)",
        retry_after=wait,
    )


def clean_body(body: str, settings: Settings) -> str:
    """The body as stored: newlines normalised, control characters out, not empty and
    not longer than ``comment_max_chars`` (InvalidInput otherwise)."""
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    text = "".join(c for c in text if c.isprintable() or c in "\n\t")
    if not text:
        raise InvalidInput("write something first: the comment is empty")
    if len(text) > settings.comment_max_chars:
        raise InvalidInput(f"a comment can have at most {settings.comment_max_chars} characters")
    return text


def store_comment(
    store: Store, paper_id: int, user_id: int, body: str, *, parent_id: int | None = None
) -> StoredComment:
    """Write a (clean) comment with its rendered HTML; no limits checked (imports, tests
    and benchmarks; readers go through ``post_comment``)."""
    html = str(render_comment(body))
    return store.comments.add_comment(paper_id, user_id, body, html=html, parent_id=parent_id)


def _check_account(store: Store, settings: Settings, user: StoredUser) -> None:
    """The account's limits, counted from its stored comments."""
    now = utcnow()
    times = store.comments.comment_times(user.id, now - timedelta(seconds=DAY))
    seconds = [(t - now).total_seconds() for t in times]  # <= 0: relative to now
    per_minute, per_day = settings.comment_limit_per_minute, settings.comment_limit_per_day
    wait = _wait(seconds, 0.0, per_minute, per_day)
    if wait:
        raise _refusal("an account", per_minute, per_day, wait[0], wait[1])


def post_comment(
    store: Store,
    settings: Settings,
    gate: CommentGate,
    user: StoredUser,
    paper: StoredPaper,
    body: str,
    *,
    parent_id: int | None = None,
    client: str = "unknown",
) -> CommentPlace:
    """A reader's new comment (or reply), within the rate limits; where it is shown."""
    text = clean_body(body, settings)
    _check_account(store, settings, user)
    gate.admit(
        {
            f"account:{user.id}": (
                settings.comment_limit_per_minute,
                settings.comment_limit_per_day,
                "an account",
            ),
            f"ip:{client}": (
                settings.comment_ip_limit_per_minute,
                settings.comment_ip_limit_per_day,
                "one address",
            ),
        }
    )
    comment = store_comment(store, paper.id, user.id, text, parent_id=parent_id)
    return place_of(store, settings, comment, paper.arxiv_id)


def place_of(
    store: Store, settings: Settings, comment: StoredComment, arxiv_id: str | None = None
) -> CommentPlace:
    if arxiv_id is None:
        paper = store.papers.get_papers_by_ids([comment.paper_id]).get(comment.paper_id)
        arxiv_id = paper.arxiv_id if paper else ""
    page = store.comments.threads_before(comment) // settings.comment_threads_per_page + 1
    return CommentPlace(arxiv_id, page, f"comment-{comment.id}")


def own_comment(store: Store, comment_id: int, user: StoredUser) -> StoredComment:
    """The reader's own (not deleted) comment: NotFound or Forbidden otherwise."""
    comment = store.comments.get_comment(comment_id)
    if comment is None or comment.deleted:
        raise NotFound(f"no comment {comment_id}")
    if comment.user_id != user.id:
        raise Forbidden("you can only change your own comments")
    return comment


def edit_comment(
    store: Store, settings: Settings, user: StoredUser, comment_id: int, body: str
) -> CommentPlace:
    """Replace the body of the reader's own comment (rendered again)."""
    comment = own_comment(store, comment_id, user)
    text = clean_body(body, settings)
    store.comments.edit_comment(comment.id, text, html=str(render_comment(text)))
    return place_of(store, settings, comment)


def delete_comment(
    store: Store, settings: Settings, user: StoredUser, comment_id: int
) -> CommentPlace:
    """Delete the reader's own comment; back to the comments of its page."""
    comment = own_comment(store, comment_id, user)
    place = place_of(store, settings, comment)
    store.comments.delete_comment(comment.id)
    return CommentPlace(place.arxiv_id, place.page, "comments")


def set_comment_hidden(
    store: Store, settings: Settings, admin: StoredUser, comment_id: int, hidden: bool
) -> CommentPlace:
    """Hide a comment from everyone but admins, or show it again (admins only)."""
    if not admin.is_admin:
        raise Forbidden("only admins hide comments")
    comment = store.comments.get_comment(comment_id)
    if comment is None:
        raise NotFound(f"no comment {comment_id}")
    store.comments.set_comment_hidden(comment.id, hidden)
    return place_of(store, settings, comment)


def _views(store: Store, rows: list[StoredComment], user: StoredUser | None) -> list[CommentView]:
    """Threads of ``rows`` (top-level comments first in order, then replies); comments
    stored without their HTML are rendered now and saved."""
    missing = {c.id: str(render_comment(c.body)) for c in rows if c.html is None and c.body}
    store.comments.save_html(missing)
    threads: list[CommentView] = []
    by_id: dict[int, CommentView] = {}
    for c in rows:
        view = _view(c, missing.get(c.id, c.html), user)
        if c.parent_id is None:
            threads.append(view)
            by_id[c.id] = view
        elif c.parent_id in by_id:
            by_id[c.parent_id].replies.append(view)
    return threads


def _view(c: StoredComment, html: str | None, user: StoredUser | None) -> CommentView:
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
        # Rendered by render_comment (raw HTML off, links allow-listed) when written.
        html=Markup(html or "") if shown else None,  # noqa: S704
        body=c.body if shown else None,
        placeholder=placeholder,
        hidden=c.hidden,
        mine=mine and not c.deleted,
    )


def comment_threads(store: Store, paper_id: int, user: StoredUser | None) -> list[CommentView]:
    """Every top-level comment, oldest first, each with its replies (oldest first)."""
    return _views(store, store.comments.paper_comments(paper_id), user)


def comment_page(
    store: Store, settings: Settings, paper_id: int, user: StoredUser | None, page: int = 1
) -> CommentPage:
    """Page ``page`` of the paper's threads (past the last page: the last page)."""
    per_page = settings.comment_threads_per_page
    total = store.comments.thread_count(paper_id)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    rows = store.comments.thread_page(paper_id, offset=(page - 1) * per_page, limit=per_page)
    return CommentPage(_views(store, rows, user), page, pages, total)
