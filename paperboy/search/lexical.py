"""BM25 keyword index over title (boosted), abstract and authors, with tantivy.

The index lives in the data folder and is derived: `sync` brings it up to date from
the database (papers changed since its watermark), `rebuild` recreates it. Chosen over
SQLite FTS5 by measurement (docs/search.md): it ranks OR-queries ~50x faster and works
the same whichever database paperboy runs on.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import tantivy

from paperboy.clock import utcnow
from paperboy.errors import PaperboyError
from paperboy.progress import progress
from paperboy.search import id_numbers
from paperboy.search.lexical_query import (
    LexicalParams,
    filter_query,
    restricted_to,
    text_query,
)
from paperboy.search.query import STOPWORDS, ParsedQuery, day_number
from paperboy.store import Store, StoredPaper

log = logging.getLogger("paperboy.search")
SCHEMA_VERSION = 3  # 2: categories lower-cased; 3: id_number
STATE_FILE = "paperboy-index.json"
SYNC_BATCH = 5000
SYNC_OVERLAP = timedelta(seconds=60)  # longest a write transaction may stay open
RELOAD_EVERY = 1.0  # seconds between checks for a newer committed index
MAX_CANDIDATES = 1000
MLT_TERMS = 30  # words of a paper's text that query for similar papers


@dataclass(frozen=True, slots=True)
class LexicalHits:
    ids: list[str]
    scores: list[float]
    total: int


def _build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("arxiv_id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True, tokenizer_name="en_stem")
    sb.add_text_field("abstract", stored=True, tokenizer_name="en_stem")
    sb.add_text_field("authors", tokenizer_name="default")
    sb.add_text_field("categories", tokenizer_name="raw")
    sb.add_integer_field("announced", fast=True, indexed=True)
    sb.add_integer_field(id_numbers.FIELD, fast=True)
    return sb.build()


def index_position(path: Path) -> tuple[datetime | None, int]:
    """The watermark of the index at ``path``: (last_changed, id) of the last paper read
    into it (None before the first sync). Reads the state file only, opens nothing."""
    try:
        state = dict(json.loads((path / STATE_FILE).read_text()))
    except (OSError, ValueError):
        state = {}
    since = datetime.fromisoformat(state["since"]) if state.get("since") else None
    return since, int(state.get("after_id") or 0)


class LexicalIndex:
    def __init__(
        self,
        path: Path,
        *,
        title_boost: float | None = None,
        params: LexicalParams | None = None,
        proximity_max_docs: int = 500_000,
    ) -> None:
        self.path = path
        self.params = params or LexicalParams()
        self.proximity_max_docs = proximity_max_docs
        if title_boost is not None:
            self.params = replace(self.params, title=title_boost)
        self.schema = _build_schema()
        self._lock = threading.Lock()
        self._mlt_panicked = False  # see more_like_this
        self._checked = 0.0
        # Moves when a reload finds a commit it had not seen (tantivy rewrites meta.json
        # on every commit): cached result pages of an older generation are stale.
        self.generation = 0
        self._meta_stamp: tuple[int, int] | None = None
        self.rewritten = self.skipped = 0  # read by the last sync; re-read and skipped
        self.caught_up = False  # a pass of this process read to the end (readiness)
        # Papers this process indexed lately (id -> last_changed), skipped when re-read
        # unchanged: else every pass re-indexes all of a large ingest for SYNC_OVERLAP.
        self._recent: dict[int, datetime] = {}
        self.index = self._open()
        # The current searcher with the arXiv ids of the documents it has returned so far:
        # fetching a stored document costs ~70 us, and a hybrid query asks for ~400, many
        # of them repeated. Replaced as a pair on every reload (addresses are only valid
        # for the searcher that produced them).
        self._view: tuple[tantivy.Searcher, dict[tuple[int, int], str]] | None = None

    # -- opening and state ------------------------------------------------------------

    def _open(self) -> tantivy.Index:
        state = self._read_state()
        if self.path.exists() and state.get("schema") != SCHEMA_VERSION:
            log.info("lexical index at %s has an old schema; recreating it", self.path)
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        if not (self.path / STATE_FILE).exists():
            self._write_state({"schema": SCHEMA_VERSION, "since": None, "after_id": 0})
        return index

    def _read_state(self) -> dict[str, Any]:
        try:
            return dict(json.loads((self.path / STATE_FILE).read_text()))
        except (OSError, ValueError):
            return {}

    def _write_state(self, state: dict[str, Any]) -> None:
        tmp = self.path / f"{STATE_FILE}.tmp"
        tmp.write_text(json.dumps(state))
        tmp.replace(self.path / STATE_FILE)

    def position(self) -> tuple[datetime | None, int]:
        return index_position(self.path)

    @property
    def num_docs(self) -> int:
        self.refresh()
        return int(self.index.searcher().num_docs)

    def refresh(self, force: bool = False) -> None:
        """See commits made since (by this or another process), at most once a second."""
        now = time.monotonic()
        if force or now - self._checked >= RELOAD_EVERY:
            self._checked = now
            stamp = self._commit_stamp()  # before the reload: a later commit moves it again
            self.index.reload()
            self._view = None
            if stamp != self._meta_stamp:
                self._meta_stamp = stamp
                self.generation += 1

    def _commit_stamp(self) -> tuple[int, int] | None:
        try:
            meta = (self.path / "meta.json").stat()
        except OSError:
            return None
        return (meta.st_mtime_ns, meta.st_size)

    def _searcher(self) -> tuple[tantivy.Searcher, dict[tuple[int, int], str]]:
        view = self._view
        if view is None:
            view = self._view = (self.index.searcher(), {})
        return view

    # -- writing ----------------------------------------------------------------------

    def _writer(self) -> tantivy.IndexWriter | None:
        """The index writer, or None when another process holds it."""
        try:
            return self.index.writer(heap_size=128_000_000, num_threads=1)
        except ValueError as exc:
            if "LockBusy" in str(exc):
                return None
            raise

    def sync(
        self,
        store: Store,
        *,
        show_progress: bool = False,
        now: datetime | None = None,
        stop: threading.Event | None = None,
    ) -> int | None:
        """Index the papers changed since the last sync. Returns how many changed, or
        None when another process holds the index writer (it is syncing). ``now`` is
        the clock (tests move it); ``stop`` ends the sync after the current batch."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            writer = self._writer()
            if writer is None:
                return None
            try:
                return self._sync_with(
                    writer, store, show_progress, commit_each_batch=True, now=now, stop=stop
                )
            finally:
                writer.wait_merging_threads()
        finally:
            self._lock.release()

    def _sync_with(
        self,
        writer: tantivy.IndexWriter,
        store: Store,
        show: bool,
        *,
        commit_each_batch: bool,
        now: datetime | None = None,
        stop: threading.Event | None = None,
    ) -> int:
        state = self._read_state()
        position = datetime.fromisoformat(state["since"]) if state.get("since") else None
        after_id = int(state.get("after_id") or 0)
        start, start_after = _start(position, after_id, state.get("read_at"))
        # Rows stamped before this moment minus the overlap are committed by now (no
        # write transaction stays open longer), so this pass sees every one of them.
        state["read_at"] = (now or utcnow()).isoformat()
        total = store.papers.count_papers() if position is None else None
        changed = self.rewritten = self.skipped = 0
        # Only papers stamped this recently can be read again by a later pass's overlap.
        remember_from = datetime.fromisoformat(state["read_at"]) - 2 * SYNC_OVERLAP
        if start is not None:
            self._recent = {k: v for k, v in self._recent.items() if v >= start}
        written: list[tuple[int, datetime]] = []
        with progress("index keywords", total if show else None, unit="papers") as bar:
            for batch in _batches(store, start, start_after):
                self.rewritten += len(batch)
                for paper in batch:
                    if self._recent.get(paper.id) == paper.last_changed:
                        self.skipped += 1  # in the index as it is now
                        continue
                    writer.delete_documents_by_term("arxiv_id", paper.arxiv_id)
                    writer.add_document(self._document(paper))
                    if paper.last_changed >= remember_from:
                        written.append((paper.id, paper.last_changed))
                    if position is None or (paper.last_changed, paper.id) > (position, after_id):
                        changed += 1
                last = batch[-1]
                state.update(since=last.last_changed.isoformat(), after_id=last.id)
                if commit_each_batch:
                    if self.rewritten > self.skipped:
                        writer.commit()
                    self._recent.update(written)  # committed: safe to skip next time
                    written.clear()
                    self._write_state(state)
                bar.update(len(batch))
                if stop is not None and stop.is_set():
                    break
            else:
                self.caught_up = True
        if not commit_each_batch:
            writer.commit()
            self._recent.update(written)
        if not commit_each_batch or not self.rewritten:
            self._write_state(state)  # read_at moved on even when nothing was read
        if self.rewritten:
            # A paper re-read from the overlap may be new to the index (its transaction
            # committed late, stamped before the position): the searcher must see it
            # even though it does not count as changed.
            self.refresh(force=True)
        if changed:
            log.info("lexical index: %d papers indexed", changed)
        return changed

    def _document(self, paper: StoredPaper) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_text("arxiv_id", paper.arxiv_id)
        doc.add_text("title", paper.title)
        doc.add_text("abstract", paper.abstract or "")
        for author in paper.authors:
            doc.add_text("authors", author)
        for category in paper.categories:
            doc.add_text("categories", category.lower())  # cat:cs.cl finds cs.CL
        doc.add_integer("announced", day_number(paper.announced))
        doc.add_integer(id_numbers.FIELD, id_numbers.id_number(paper.arxiv_id))
        return doc

    def rebuild(self, store: Store, *, show_progress: bool = False) -> int:
        """Re-index every paper. Searches keep seeing the old index until the new one
        is committed whole."""
        with self._lock:
            writer = self._writer()
            if writer is None:
                raise PaperboyError(
                    "another process is updating the keyword index; try again when it is done"
                )
            try:
                writer.delete_all_documents()
                self._recent.clear()
                self._write_state({"schema": SCHEMA_VERSION, "since": None, "after_id": 0})
                self._mlt_panicked = False
                return self._sync_with(writer, store, show_progress, commit_each_batch=False)
            finally:
                writer.wait_merging_threads()

    # -- querying ---------------------------------------------------------------------

    def text_query(
        self, pq: ParsedQuery, fields: tuple[str, ...] | None = None, *, proximity: bool = True
    ) -> tantivy.Query | None:
        """The ranked part of ``pq`` over this index (see lexical_query.text_query)."""
        return text_query(self.index, self.params, pq, fields, proximity=proximity)

    def filter_query(self, pq: ParsedQuery) -> list[tantivy.Query]:
        return filter_query(self.schema, pq)

    def search(
        self,
        pq: ParsedQuery,
        *,
        limit: int = MAX_CANDIDATES,
        offset: int = 0,
        by_date: bool = False,
        exclude: Collection[str] = (),
        fields: tuple[str, ...] | None = None,
        within: Collection[str] | None = None,
        proximity: bool = True,
    ) -> LexicalHits:
        """Matches, best first; papers in ``exclude`` (arXiv ids) are left out before
        paging and counting; ``within`` (arXiv ids) keeps only those papers. The
        proximity bonus applies only while the index holds at most
        ``proximity_max_docs`` papers (see lexical_query.proximity_query)."""
        self.refresh()
        searcher, known = self._searcher()
        near = proximity and searcher.num_docs <= self.proximity_max_docs
        ranked = self.text_query(pq, fields, proximity=near)
        clauses = [(tantivy.Occur.Must, q) for q in self.filter_query(pq)]
        if ranked is not None:
            clauses.append((tantivy.Occur.Must, ranked))
        if not clauses or limit <= 0:
            return LexicalHits([], [], 0)
        clauses += [
            (tantivy.Occur.MustNot, tantivy.Query.term_query(self.schema, "arxiv_id", a))
            for a in sorted(exclude)
        ]
        query = clauses[0][1] if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)
        if within is not None:
            query = restricted_to(self.schema, query, within)
        if by_date or ranked is None:
            result = searcher.search(query, limit, offset=offset, order_by_field="announced")
        else:
            result = searcher.search(query, limit, offset=offset)
        ids = id_numbers.ids_of(searcher, known, [address for _, address in result.hits])
        scores = [float(k) if ranked is not None and not by_date else 0.0 for k, _ in result.hits]
        count: int | None = getattr(result, "count", None)  # the stubs lack it
        return LexicalHits(ids, scores, int(count or 0))

    def more_like_this(
        self, arxiv_id: str, *, limit: int, max_terms: int = MLT_TERMS
    ) -> LexicalHits:
        """BM25 with a paper's own title and abstract as the query (its ``max_terms`` most
        distinctive words by tf-idf), the paper itself left out; [] if not indexed."""
        self.refresh()
        searcher = self.index.searcher()
        found = searcher.search(tantivy.Query.term_query(self.schema, "arxiv_id", arxiv_id), 1).hits
        if not found:
            return LexicalHits([], [], 0)
        try:
            if self._mlt_panicked:
                raise RuntimeError("more-like-this panicked on this index before")
            query = tantivy.Query.more_like_this_query(
                found[0][1],
                min_doc_frequency=2,
                max_doc_frequency=None,
                min_term_frequency=1,
                max_query_terms=max_terms,
                min_word_length=2,
                stop_words=sorted(STOPWORDS),
            )
            result = searcher.search(query, limit + 1)
        except BaseException as exc:  # a Rust panic arrives as pyo3's PanicException
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            # tantivy's more-like-this can panic on an index whose segments hold deleted
            # documents ("74728 >= 83907"): ask with the paper's own words instead.
            if not self._mlt_panicked:
                log.warning("more-like-this failed for %s (%s); using its words", arxiv_id, exc)
            self._mlt_panicked = True  # until a rebuild: each panic prints a Rust backtrace
            doc = searcher.doc(found[0][1])
            text = " ".join([*doc.get_all("title"), *doc.get_all("abstract")])
            counts: dict[str, int] = {}
            for word in re.findall(r"[a-z0-9]{3,}", text.lower()):
                if word not in STOPWORDS:
                    counts[word] = counts.get(word, 0) + 1
            common = sorted(counts, key=lambda w: -counts[w])[:max_terms]
            if not common:
                return LexicalHits([], [], 0)
            query = self.index.parse_query(" ".join(common), ["title", "abstract"])
            result = searcher.search(query, limit + 1)
        ids, scores = [], []
        found_ids = id_numbers.ids_of(searcher, {}, [address for _, address in result.hits])
        for (score, _), other in zip(result.hits, found_ids, strict=True):
            if other != arxiv_id:
                ids.append(other)
                scores.append(float(score))
        return LexicalHits(ids[:limit], scores[:limit], len(ids))


def _start(
    position: datetime | None, after_id: int, read_at: str | None
) -> tuple[datetime | None, int]:
    """Where a sync starts reading: (last_changed, id) it reads after.

    A transaction that stamped its rows before another one but committed after it
    would be missed by an exact position, so a sync re-reads what was stamped within
    SYNC_OVERLAP before the previous pass began reading (it may not have been committed
    then). Anything older was visible to that pass. An idle index therefore re-reads
    nothing once its position is more than SYNC_OVERLAP older than its last pass.
    """
    if position is None:
        return None, 0
    if read_at is None:  # an index written before read_at was recorded
        return position - SYNC_OVERLAP, 0
    unsure = datetime.fromisoformat(read_at) - SYNC_OVERLAP
    if unsure <= position:
        return unsure, 0
    return position, after_id


def _batches(store: Store, since: datetime | None, after_id: int) -> Iterator[list[StoredPaper]]:
    while True:
        batch = store.papers.papers_changed_since(since, after_id, limit=SYNC_BATCH)
        if not batch:
            return
        yield batch
        since, after_id = batch[-1].last_changed, batch[-1].id
