"""The digest's "From what you follow" section: the period's papers by the author names
and in the categories the subscriber's account follows (paperboy.feed.following), each
with its reason. Saved searches are left to /following and its feed: the digest sender
does not open the keyword index."""

from __future__ import annotations

from typing import TYPE_CHECKING

from paperboy.store import Store

if TYPE_CHECKING:  # compose imports nothing of this module; only the type is needed
    from paperboy.digest.compose import PeriodPool


def select_following(
    store: Store, pool: PeriodPool, user_id: int, skip: set[int], limit: int
) -> list[tuple[int, str]]:
    """(pool index, reason) of the period's papers from what the reader follows, in the
    pool's (trending) order, leaving out ``skip`` (papers already in other sections)."""
    follows = store.follows.follows_of(user_id)
    if not follows or limit <= 0:
        return []
    position = {paper.id: index for index, paper in enumerate(pool.papers)}
    reasons: dict[int, list[str]] = {}
    names = [f.value for f in follows if f.kind == "author"]
    matches = store.authors.match_names(names)
    owner: dict[int, list[str]] = {}
    for name in names:
        for author_id in matches[name].names:
            owner.setdefault(author_id, []).append(name)
    for paper_id, author_id in store.follows.author_papers(sorted(owner)):
        if paper_id in position:
            for name in owner[author_id]:
                reasons.setdefault(position[paper_id], []).append(f"by {name}")
    for f in follows:
        if f.kind == "category":
            for index in pool.by_category.get(f.value.lower(), ()):
                reasons.setdefault(index, []).append(f"in {f.value}")
    chosen = [i for i in sorted(reasons) if i not in skip][:limit]
    return [(i, "; ".join(dict.fromkeys(reasons[i]))) for i in chosen]
