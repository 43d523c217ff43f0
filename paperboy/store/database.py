"""``Store``: the one entry to the database, composed of one repository per area.

Callers name the area: ``store.papers.get_paper(...)``, ``store.votes.toggle_vote(...)``,
``store.library.save(...)``. Every repository shares the store's engine (one pool)."""

from __future__ import annotations

from sqlalchemy import Engine

from paperboy.store.accounts import AccountStore
from paperboy.store.authors import AuthorStore
from paperboy.store.code import CodeStore
from paperboy.store.comments import CommentStore
from paperboy.store.db import make_engine, upgrade_schema
from paperboy.store.digests import DigestStore
from paperboy.store.embeddings import EmbeddingStore
from paperboy.store.follows import FollowStore
from paperboy.store.hf import HfStore
from paperboy.store.jobs import JobStore
from paperboy.store.library import LibraryStore
from paperboy.store.maps import MapStore
from paperboy.store.moderation import ModerationStore
from paperboy.store.operations import OperationsStore
from paperboy.store.papers import PaperStore
from paperboy.store.recommend import RecommendStore
from paperboy.store.submissions import SubmissionStore
from paperboy.store.tldr import TldrStore
from paperboy.store.tokens import TokenStore
from paperboy.store.votes import VoteStore


class Store:
    """The single owner of database I/O."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.papers = PaperStore(engine)
        self.embeddings = EmbeddingStore(engine)
        self.accounts = AccountStore(engine)
        self.tokens = TokenStore(engine)
        self.votes = VoteStore(engine)
        self.comments = CommentStore(engine)
        self.submissions = SubmissionStore(engine, self.papers)
        self.moderation = ModerationStore(engine)
        self.library = LibraryStore(engine)
        self.recommend = RecommendStore(engine)
        self.digests = DigestStore(engine)
        self.code = CodeStore(engine)
        self.hf = HfStore(engine)
        self.operations = OperationsStore(engine)
        self.tldr = TldrStore(engine)
        self.authors = AuthorStore(engine)
        self.follows = FollowStore(engine)
        self.maps = MapStore(engine)
        self.jobs = JobStore(engine)

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        engine = make_engine(url)
        if migrate:
            upgrade_schema(engine)
        return cls(engine)

    def data_marker(self) -> tuple[int, ...]:
        """Changes whenever anything a public page shows changes: votes, moderation, star
        snapshots, comments, picks, HF counts, papers added or changed (one cheap read
        of counters; the page cache checks it on every request)."""
        return self.votes.change_marker(extra=("content",))

    def close(self) -> None:
        self.engine.dispose()
