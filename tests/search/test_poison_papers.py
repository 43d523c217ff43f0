"""`paperboy index update|rebuild` (the direct embedding loop) goes past poison papers,
texts the model raises on: the other papers are embedded, the poison ones are skipped
and reported (log and the CLI's summary line), a later run tries them again and embeds
nothing else; a model that fails on any text stops the run with a clear error after
saving what it encoded. The real model, wrapped to raise for chosen texts
(tests/jobs/embedders.py); real store on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

import paperboy.cli.search as cli_search
from paperboy.cli import cli
from paperboy.cli.main import AppContext
from paperboy.config import Settings
from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.search.embed import Vectors, paper_text
from paperboy.search.poison import PROBE_TEXT, EmbedderBroken
from paperboy.search.service import SearchService, model_key
from paperboy.store import Store
from paperboy.store.embeddings import TextToEmbed
from tests.jobs.embedders import FaultyEmbedder, FaultySearch
from tests.support import SMALL_PAPERS

N_PAPERS = 37
MAX_CALLS = 300  # far above any run here: more means the loop meets the same papers again


class RunawayLoop(BaseException):
    """Not an Exception, so the embedding loop cannot take it for a poison paper."""


class GuardedEmbedder(FaultyEmbedder):
    """FaultyEmbedder that records every text it was asked for, and ends a run that
    would never stop; ``break_after`` calls, it fails on any text (a model that breaks
    mid-run)."""

    def __init__(self, *args: object, break_after: int | None = None, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.asked: Counter[str] = Counter()
        self.break_after = break_after

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        if self.calls >= MAX_CALLS:
            raise RunawayLoop(f"{self.calls} calls to the embedder")
        if self.break_after is not None and self.calls >= self.break_after:
            self.broken = True
        self.asked.update(texts)
        return super().encode(texts, batch_size)


def _search(
    settings: Settings, store: Store, poison: set[str], *, break_after: int | None = None
) -> FaultySearch:
    search = FaultySearch(settings, store, poison)
    search.faulty = GuardedEmbedder(search.embedder.real, poison, break_after=break_after)
    return search


def _text(paper: TextToEmbed) -> str:
    return paper_text(paper.title, paper.abstract)


def _arxiv_ids(store: Store, papers: list[TextToEmbed]) -> list[str]:
    found = store.papers.get_papers_by_ids(p.paper_id for p in papers)
    return [found[p.paper_id].arxiv_id for p in papers]


@pytest.mark.parametrize("stoppable", [False, True], ids=["cli-steps", "background-steps"])
def test_poison_papers_are_skipped_reported_and_retried_alone(
    db_url: str,
    tmp_path: Path,
    model_dir: Path,
    stoppable: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings(data_dir=tmp_path, model_dir=model_dir, database_url=db_url)
    model = model_key(settings.embedding_runtime)
    store = Store.open(db_url)
    try:
        assert ingest_jsonl(store, SMALL_PAPERS).added == N_PAPERS
        papers = store.embeddings.papers_to_embed(model, limit=100)
        poison = [papers[5], papers[30]]  # in different steps of 4 texts, one step of 64
        search = _search(settings, store, {_text(p) for p in poison})
        embedder = search.faulty
        assert isinstance(embedder, GuardedEmbedder)
        # A stop event that is never set: the background path (4 texts a step).
        stop = threading.Event() if stoppable else None

        with caplog.at_level(logging.WARNING, logger="paperboy.search"):
            run = search.embed_run(stop=stop)

        poison_ids = _arxiv_ids(store, poison)
        assert run.embedded == N_PAPERS - 2
        assert run.skipped == poison_ids
        left = store.embeddings.papers_to_embed(model, limit=100)
        assert [p.paper_id for p in left] == [p.paper_id for p in poison]
        healthy = {_text(p) for p in papers} - {_text(p) for p in poison}
        # Each healthy paper encoded exactly once; the probe once per failing step.
        assert embedder.encoded == Counter(healthy) + Counter({PROBE_TEXT: 2 if stoppable else 1})
        summary = [r.getMessage() for r in caplog.records if "skipped 2 papers" in r.message]
        assert len(summary) == 1 and all(i in summary[0] for i in poison_ids)
        for paper in poison:
            assert any(
                f"the embedder fails on paper {paper.paper_id} (" in r.getMessage()
                and "ValueError: token ids out of range" in r.getMessage()
                for r in caplog.records
            )

        # A second run tries the poison papers again and encodes nothing else.
        asked = embedder.asked.copy()
        again = search.embed_run(stop=stop)
        assert again.embedded == 0 and again.skipped == poison_ids
        tried = embedder.asked - asked
        assert set(tried) == {_text(p) for p in poison} | {PROBE_TEXT}
        assert store.embeddings.count_to_embed(model) == 2
    finally:
        store.close()


def test_an_embedder_broken_mid_run_stops_after_saving_what_it_encoded(
    db_url: str, tmp_path: Path, model_dir: Path
) -> None:
    settings = Settings(data_dir=tmp_path, model_dir=model_dir, database_url=db_url)
    model = model_key(settings.embedding_runtime)
    store = Store.open(db_url)
    try:
        ingest_jsonl(store, SMALL_PAPERS)
        search = _search(settings, store, set(), break_after=2)
        with pytest.raises(EmbedderBroken, match="the embedder fails on any text: RuntimeError"):
            search.embed_run(stop=threading.Event())  # steps of 4: two steps work
        assert store.embeddings.count_to_embed(model) == N_PAPERS - 8
    finally:
        store.close()


def _cli_with(
    monkeypatch: pytest.MonkeyPatch, poison_at: list[int], *, broken: bool = False
) -> None:
    """The CLI's search service, with the real model wrapped (poison texts by position
    among the papers to embed, or a broken model)."""

    def faulty_service(app: AppContext) -> SearchService:
        model = model_key(app.settings.embedding_runtime)
        papers = app.store.embeddings.papers_to_embed(model, limit=1000)
        search = _search(app.settings, app.store, {_text(papers[i]) for i in poison_at})
        assert search.faulty is not None
        search.faulty.broken = broken
        return search

    monkeypatch.setattr(cli_search, "search_service", faulty_service)


def test_index_update_names_the_skipped_papers_and_a_broken_model_is_an_error(
    sqlite_url: str, tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(sqlite_url)
    try:
        ingest_jsonl(store, SMALL_PAPERS)
        model = model_key(Settings(model_dir=model_dir).embedding_runtime)
        papers = store.embeddings.papers_to_embed(model, limit=100)
        poison_ids = _arxiv_ids(store, [papers[0], papers[17]])
    finally:
        store.close()
    env = {
        "PAPERBOY_DATABASE_URL": sqlite_url,
        "PAPERBOY_DATA_DIR": str(tmp_path),
        "PAPERBOY_MODEL_DIR": str(model_dir),
    }
    runner = CliRunner()

    _cli_with(monkeypatch, [], broken=True)
    broken = runner.invoke(cli, ["index", "update"], env=env)
    assert broken.exit_code == 1
    assert "Error: the embedder fails on any text: RuntimeError" in broken.output
    assert "Traceback" not in broken.output

    _cli_with(monkeypatch, [0, 17])
    done = runner.invoke(cli, ["index", "update"], env=env)
    assert done.exit_code == 0, done.output
    assert (
        f"embeddings: {N_PAPERS - 2} papers embedded, 2 skipped (the embedder fails on their "
        f"text; the next run tries them again): {poison_ids[0]}, {poison_ids[1]}"
    ) in done.output
