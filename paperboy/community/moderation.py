"""Moderation: editor's picks and hidden papers.

Curators (and admins) pick a paper for the day it was announced, or take the pick back;
the day's page shows the picks above its list (``day_picks``). Admins hide a paper from
the feed, search results and trending for everyone but admins, or show it again.
"""

from __future__ import annotations

from datetime import date

from paperboy.clock import utcnow
from paperboy.errors import Forbidden
from paperboy.store import Store, StoredPaper, StoredUser


def day_picks(store: Store, day: date, *, admin: bool = False) -> list[StoredPaper]:
    """The editor's picks of ``day`` (hidden papers only for admins)."""
    ids = store.moderation.pick_ids_on(day)
    found = store.papers.get_papers_by_ids(ids)
    return [found[i] for i in ids if i in found and (admin or not found[i].hidden)]


def toggle_pick(store: Store, paper: StoredPaper, curator: StoredUser) -> bool:
    """Pick the paper for its announcement day (today if it has none), or take the pick
    back; whether it is picked now. Curators and admins only."""
    if not curator.is_curator:
        raise Forbidden("only curators and admins pick papers")
    day = paper.announced or utcnow().date()
    return store.moderation.toggle_pick(paper.id, curator.id, day)


def toggle_hidden(store: Store, paper: StoredPaper, admin: StoredUser) -> bool:
    """Hide the paper from listings for everyone but admins, or show it again; whether
    it is hidden now. Admins only."""
    if not admin.is_admin:
        raise Forbidden("only admins hide papers")
    store.moderation.set_paper_hidden(paper.id, not paper.hidden)
    return not paper.hidden
