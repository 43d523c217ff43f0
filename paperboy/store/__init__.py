"""Storage: the database is paperboy's single source of truth.

All SQL lives in this package; it imports no domain package."""

from paperboy.store.accounts import StoredUser
from paperboy.store.database import Store
from paperboy.store.papers import FeedPage, StoredPaper, UpsertResult

__all__ = ["FeedPage", "Store", "StoredPaper", "StoredUser", "UpsertResult"]
