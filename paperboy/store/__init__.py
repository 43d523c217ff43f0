"""Storage: the database is paperboy's single source of truth."""

from paperboy.store.accounts import StoredUser
from paperboy.store.papers import FeedPage, Store, StoredPaper, UpsertResult

__all__ = ["FeedPage", "Store", "StoredPaper", "StoredUser", "UpsertResult"]
