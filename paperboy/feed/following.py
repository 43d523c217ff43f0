"""Following: a reader follows author names, categories and saved searches; ``/following``
lists the new papers from them, newest first, each with why it is there.

- an author name matches as on its page (``store.authors``, docs/authors.md);
- a category includes cross-lists, as the feed's category filter;
- a saved search is any query the search box accepts, filters included; its papers are
  its best keyword matches (BM25, at most ``SEARCH_DEPTH``) announced in the window.

"New" means announced in the last ``following_window_days`` days, ending at the newest
announcement day (the For-you window). Follows are exported and imported as JSON
(``{"follows": [{"kind", "value"}]}``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from paperboy.errors import InvalidInput
from paperboy.rank.foryou import feed_window
from paperboy.search.query import FILTER_PATTERN, MAX_QUERY_LENGTH, parse_query
from paperboy.search.service import SearchService
from paperboy.store import Store, StoredPaper
from paperboy.store.author_names import MAX_NAME_LENGTH, fold_name
from paperboy.store.follows import StoredFollow

KINDS = ("author", "category", "search")
SEARCH_DEPTH = 20  # best keyword matches per saved search in the window
MAX_IMPORT_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class FollowedPaper:
    paper: StoredPaper
    reasons: list[str]


@dataclass(slots=True)
class FollowingFeed:
    follows: list[StoredFollow]
    since: date | None
    until: date | None
    papers: list[FollowedPaper] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 50

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(slots=True)
class ImportReport:
    added: int = 0
    already: int = 0
    refused: list[str] = field(default_factory=list)  # "kind value: why"


def follow_key(kind: str, value: str) -> tuple[str, str, str]:
    """(kind, key, value) of a follow, checked: the key makes two follows the same."""
    value = " ".join(value.split())
    if kind == "author":
        key = fold_name(value)
        if not key or len(value) > MAX_NAME_LENGTH:
            raise InvalidInput(f"an author name has 1 to {MAX_NAME_LENGTH} characters")
        return kind, key, value
    if kind == "category":
        categories = parse_query("", categories=[value]).categories
        if not categories:
            raise InvalidInput("a category like cs.CL is needed")
        return kind, categories[0], categories[0]
    if kind == "search":
        if len(value) > MAX_QUERY_LENGTH:
            raise InvalidInput(f"a search is at most {MAX_QUERY_LENGTH} characters")
        pq = parse_query(value)
        if pq.is_empty or pq.arxiv_id:
            raise InvalidInput("a saved search needs words or filters (not an arXiv id)")
        return kind, value, value
    raise InvalidInput("kind must be author, category or search")


def follow(store: Store, user_id: int, kind: str, value: str, limit: int) -> bool:
    """Follow one thing; False when it was already followed. FollowLimit past ``limit``."""
    return store.follows.add(user_id, [follow_key(kind, value)], limit) == 1


def unfollow(store: Store, user_id: int, kind: str, value: str) -> bool:
    kind, key, _ = follow_key(kind, value)
    return store.follows.remove(user_id, kind, key)


def is_following(store: Store, user_id: int, kind: str, value: str) -> bool:
    try:
        kind, key, _ = follow_key(kind, value)
    except InvalidInput:
        return False
    return any(f.kind == kind and f.key == key for f in store.follows.follows_of(user_id))


def export_follows(store: Store, user_id: int) -> dict[str, Any]:
    """The reader's follows as JSON-ready data (what ``import_follows`` reads back)."""
    return {
        "follows": [
            {"kind": f.kind, "value": f.value, "since": f.created_at.isoformat()}
            for f in store.follows.follows_of(user_id)
        ]
    }


def import_follows(store: Store, user_id: int, raw: bytes, limit: int) -> ImportReport:
    """Follow everything in an export (``{"follows": [{"kind", "value"}]}``); entries that
    are not valid are reported, not fatal. All valid new ones go in, or none (limit)."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_IMPORT_BYTES:,} bytes")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"not a JSON file: {exc}") from exc
    items = data.get("follows") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InvalidInput('expected {"follows": [{"kind": ..., "value": ...}]}')
    report = ImportReport()
    valid: dict[tuple[str, str], tuple[str, str, str]] = {}
    for item in items:
        kind = item.get("kind") if isinstance(item, dict) else None
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(kind, str) or not isinstance(value, str):
            report.refused.append(f"{str(item)[:60]}: needs a kind and a value")
            continue
        try:
            checked = follow_key(kind, value)
        except InvalidInput as exc:
            report.refused.append(f"{kind} {value[:60]}: {exc}")
            continue
        valid[checked[:2]] = checked
    report.added = store.follows.add(user_id, list(valid.values()), limit)
    report.already = len(valid) - report.added
    return report


def _search_reason(value: str) -> str:
    """ "matches 'sparse attention' cat:cs.CL": the words quoted, the filters after."""
    filters = [m.group(0) for m in FILTER_PATTERN.finditer(value)]
    words = " ".join(FILTER_PATTERN.sub(" ", value).split())
    return "matches " + " ".join(([f"‘{words}’"] if words else []) + filters)


def following_feed(
    store: Store,
    search: SearchService,
    user_id: int,
    *,
    window_days: int,
    page: int = 1,
    per_page: int = 50,
) -> FollowingFeed:
    """The new papers from what the reader follows, newest first, with reasons."""
    follows = store.follows.follows_of(user_id)
    since, until = feed_window(store, window_days) if follows else (None, None)
    feed = FollowingFeed(follows, since, until, page=page, per_page=per_page)
    if since is None or not follows:
        return feed
    reasons: dict[int, list[str]] = {}
    days: dict[int, date] = {}
    hidden = store.moderation.hidden_paper_ids()

    def add(paper_id: int, day: date | None, reason: str) -> None:
        if paper_id in hidden or day is None:
            return
        days[paper_id] = day
        said = reasons.setdefault(paper_id, [])
        if reason not in said:
            said.append(reason)

    window = store.follows.window(since)
    authors = [f for f in follows if f.kind == "author"]
    matches = store.authors.match_names([f.value for f in authors])
    owner: dict[int, list[str]] = {}
    for f in authors:
        for author_id in matches[f.value].names:
            owner.setdefault(author_id, []).append(f.value)
    for paper_id, author_id in store.follows.author_papers(sorted(owner)):
        if paper_id in window:
            for name in owner[author_id]:
                add(paper_id, window[paper_id], f"by {name}")
    categories = [f.value for f in follows if f.kind == "category"]
    for paper_id, category in store.follows.category_papers(categories, sorted(window)):
        add(paper_id, window[paper_id], f"in {category}")
    for f in follows:
        if f.kind != "search":
            continue
        pq = parse_query(f.value)
        if pq.date_from is None or pq.date_from < since:
            pq.date_from = since
        # The keyword index alone (no snippets, no paper rows): the best matches in the
        # window, resolved author: filters included (as the search page resolves them).
        hits = search.lexical.search(search.resolve_authors(pq), limit=SEARCH_DEPTH)
        for paper_id, announced in store.follows.visible_days(hits.ids).values():
            if announced is not None and announced >= since:
                add(paper_id, announced, _search_reason(f.value))
    ordered = sorted(reasons, key=lambda pid: (days[pid], pid), reverse=True)
    feed.total = len(ordered)
    shown = ordered[(page - 1) * per_page : page * per_page]
    found = store.papers.get_papers_by_ids(shown)
    feed.papers = [FollowedPaper(found[pid], reasons[pid]) for pid in shown if pid in found]
    return feed
