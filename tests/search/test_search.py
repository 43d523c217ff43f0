"""SearchService over the 37 fixture papers: keyword, semantic and fused search,
filters, snippets, similar papers, and incremental index updates."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date, timedelta

from paperboy.config import Settings
from paperboy.ingest.records import make_record
from paperboy.search.query import parse_query
from paperboy.search.service import SearchService
from paperboy.search.snippets import snippets
from paperboy.store import Store


def ids(service: SearchService, q: str, mode: str = "hybrid", **kw: object) -> list[str]:
    results = service.search(parse_query(q), mode=mode, **kw)  # type: ignore[arg-type]
    return [h.paper.arxiv_id for h in results.hits]


def test_keyword_search_ranks_title_matches_first(search_service: SearchService) -> None:
    assert ids(search_service, "nash equilibria noncooperative", "lexical")[0] == "2606.26564"


def test_semantic_search_finds_paraphrases(search_service: SearchService) -> None:
    # No word in common with the title "Deletion-Correcting Codes for the l-Symbol Read Channel".
    query = "fixing erased symbols when reading stored information"
    assert "2606.26434" in ids(search_service, query, "semantic")[:3]
    assert ids(search_service, query, "lexical")[:3] != ids(search_service, query, "semantic")[:3]


def test_hybrid_contains_both_engines_best(search_service: SearchService) -> None:
    lexical = ids(search_service, "quantum channel capacity", "lexical")
    semantic = ids(search_service, "quantum channel capacity", "semantic")
    hybrid = ids(search_service, "quantum channel capacity")
    assert lexical[0] in hybrid[:3] and semantic[0] in hybrid[:3]


def test_phrases_must_match_in_every_mode(search_service: SearchService) -> None:
    for mode in ("hybrid", "lexical", "semantic"):
        found = ids(search_service, '"channel estimation"', mode)
        assert found == ["2606.28778"], mode


def test_filters(search_service: SearchService) -> None:
    assert set(ids(search_service, "codes cat:cs.IT", "lexical")) <= {
        "2606.26434",
        "2606.28729",
        "2606.28802",
        "2606.28842",
        "2606.28778",
        "2606.27442",
        "2606.28926",
    }
    in_cs_lg = ids(search_service, "learning cat:cs.LG")
    assert in_cs_lg and "2606.28926" in in_cs_lg  # cross-listed in cs.LG
    day = search_service.search(parse_query("games from:2026-06-30 to:2026-06-30")).hits
    assert day[0].paper.arxiv_id == "2606.28773"
    assert {h.paper.announced for h in day} == {date(2026, 6, 30)}
    assert ids(search_service, "author:gautrin") == ["2606.28773"]
    # Names match accent- and case-insensitively, as on the author pages.
    assert ids(search_service, 'author:"maelle gautrin"') == ["2606.28773"]
    assert ids(search_service, "cat:cs.GT", sort="date")[:2] == ["2606.28773", "2606.27557"]


def test_sort_by_date(search_service: SearchService) -> None:
    for mode in ("hybrid", "lexical"):
        results = search_service.search(parse_query("games"), sort="date", mode=mode)  # type: ignore[arg-type]
        days = [h.paper.announced for h in results.hits]
        assert len(days) >= 3 and len(set(days)) >= 2
        assert days == sorted(days, reverse=True)  # type: ignore[type-var]


def test_arxiv_id_goes_to_the_paper(search_service: SearchService) -> None:
    results = search_service.search(parse_query("https://arxiv.org/abs/2606.27442v2"))
    assert results.exact is not None and results.exact.arxiv_id == "2606.27442"
    assert search_service.search(parse_query("2401.00001")).exact is None


def test_snippets_mark_words_and_escape_html(search_service: SearchService) -> None:
    hit = search_service.search(parse_query("hard-wrapped lines"), mode="lexical").hits[0]
    html = str(hit.snippet)
    assert "<mark>lines</mark>" in html
    assert "<img" not in html and "&lt;img src=x" in html


def test_snippets_come_from_the_row_the_page_shows(
    search_service: SearchService, loaded_store: Store
) -> None:
    # The excerpt is cut from the abstract the page holds (not the index's copy, which
    # may be a sync behind), with the index's word statistics choosing the fragment.
    paper = loaded_store.papers.get_paper("2606.26564")
    assert paper is not None
    edited = replace(paper, abstract="Zebras <b>bold</b> graze. " * 3 + "Nash equilibria " * 2)
    marked = snippets(search_service.lexical, parse_query("nash equilibria"), [edited])
    html = str(marked[paper.arxiv_id])
    assert "<mark>Nash</mark>" in html and "&lt;b&gt;bold" in html and "<b>" not in html
    untouched = snippets(search_service.lexical, parse_query("penguin"), [edited])
    assert str(untouched[paper.arxiv_id]).startswith("Zebras &lt;b&gt;bold")


def test_the_paper_count_is_refreshed_off_the_search_path(
    search_service: SearchService,
) -> None:
    # The warm-up notice compares embedded papers with the papers in the database. The
    # first count is taken at once; later ones run in the background (a count takes
    # 60-140 ms at 2.7M papers), the last count standing meanwhile.
    assert search_service.embedding_progress() == (37, 37)
    search_service._paper_count = (-1e9, 40)  # stale, and wrong
    assert search_service.embedding_progress() == (37, 40)
    deadline = time.monotonic() + 10
    while search_service._paper_count[1] != 37 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert search_service.embedding_progress() == (37, 37)


def test_similar_papers_exclude_the_paper(search_service: SearchService) -> None:
    similar = search_service.similar("2606.28729", limit=5)
    found = [p.arxiv_id for p, _ in similar]
    assert "2606.28729" not in found and len(found) == 5
    assert found[0] in {"2606.26434", "2606.28802", "2606.28842"}  # other coding papers
    assert search_service.similar("2401.00001") == []


def test_new_and_changed_papers_are_indexed_incrementally(
    search_service: SearchService, loaded_store: Store
) -> None:
    loaded_store.papers.upsert_papers(
        [
            make_record(
                "2607.00001",
                "Zebra stripes as adversarial camouflage",
                source="test",
                abstract="Striped patterns fool detectors.",
                announced=date(2026, 7, 1),
            ),
            make_record("2606.27557v2", "Pick Three: A Cooperative Penguin Game", source="test"),
        ]
    )
    update = search_service.update()
    assert (update.indexed, update.embedded) == (2, 2)
    assert ids(search_service, "zebra camouflage")[0] == "2607.00001"
    assert ids(search_service, "penguin", "lexical") == ["2606.27557"]
    assert ids(search_service, '"pick three"', "lexical") == ["2606.27557"]
    assert search_service.lexical.num_docs == 38  # the changed paper replaced, not added
    again = search_service.update()
    assert (again.indexed, again.embedded) == (0, 0)


def test_rebuild_gives_the_same_results(search_service: SearchService) -> None:
    before = ids(search_service, "diffusion models for images")
    assert search_service.rebuild().indexed == 37
    assert ids(search_service, "diffusion models for images") == before


def test_a_restart_recomputes_nothing(
    search_service: SearchService, settings: Settings, loaded_store: Store
) -> None:
    fresh = SearchService(settings, loaded_store)
    assert fresh.update().embedded == 0
    assert ids(fresh, "timed games") == ids(search_service, "timed games")


def test_second_writer_steps_aside(search_service: SearchService, loaded_store: Store) -> None:
    writer = search_service.lexical.index.writer()
    try:
        assert search_service.lexical.sync(loaded_store) is None
    finally:
        writer.rollback()
        del writer


def test_every_keyword_page_is_reachable(search_service: SearchService) -> None:
    """Keyword results page in the index itself, past the fusion candidates."""
    pq = parse_query("cat:cs.IT")
    first = search_service.search(pq, per_page=2)
    assert first.total == 7 and first.pages == 4
    seen = [
        h.paper.arxiv_id
        for page in range(1, 5)
        for h in search_service.search(pq, per_page=2, page=page).hits
    ]
    assert len(seen) == len(set(seen)) == 7


def test_out_of_order_commits_are_not_missed(
    search_service: SearchService, loaded_store: Store
) -> None:
    """A change stamped before the index's position (its transaction committed late) is
    still indexed by the next sync."""
    from sqlalchemy import update

    from paperboy.store.models import papers

    # Another paper moves the index's position to now, as a concurrent writer would
    # (the sync only promises to catch commits whose transactions began at most a minute
    # before the previous pass; the fixture's papers were stamped long ago).
    loaded_store.papers.upsert_papers(
        [make_record("2606.26139v9", "Multiscale Exit-Join Dynamics", source="t")]
    )
    search_service.update(embed=False)
    position = loaded_store.papers.max_last_changed()
    assert position is not None
    loaded_store.papers.upsert_papers(
        [make_record("2606.27557v2", "Pick Three: Walrus Games", source="t")]
    )
    with loaded_store.engine.begin() as conn:
        conn.execute(
            update(papers)
            .where(papers.c.arxiv_id == "2606.27557")
            .values(last_changed=position - timedelta(seconds=5))
        )
    search_service.update(embed=False)
    assert ids(search_service, "walrus", "lexical") == ["2606.27557"]


def test_semantic_filters_follow_category_changes(
    search_service: SearchService, loaded_store: Store
) -> None:
    query = "fixing erased symbols when reading stored information cat:math.CO"
    assert "2606.26434" not in ids(search_service, query, "semantic")
    loaded_store.papers.upsert_papers(
        [
            make_record(
                "2606.26434",
                "Deletion-Correcting Codes for the $\\ell$-Symbol Read Channel",
                source="t",
                categories=["cs.IT", "math.CO"],
            )
        ]
    )
    search_service.update()
    search_service.vectors.refresh(force=True)
    assert "2606.26434" in ids(search_service, query, "semantic")


def test_search_on_both_databases(store: Store, settings: Settings) -> None:
    """Indexing reads papers and embeddings through the store: SQLite and PostgreSQL."""
    from paperboy.ingest.jsonl import ingest_jsonl
    from tests.support import SMALL_PAPERS

    ingest_jsonl(store, SMALL_PAPERS)
    service = SearchService(settings, store)
    assert service.update().embedded == 37
    assert ids(service, "nash equilibria")[0] == "2606.26564"
    assert (
        ids(service, "fixing erased symbols when reading stored information", "semantic")[0]
        == "2606.26434"
    )
    assert [p.arxiv_id for p, _ in service.similar("2606.28729", limit=3)]


def test_category_filters_ignore_case(search_service: SearchService) -> None:
    for mode in ("lexical", "semantic", "hybrid"):
        assert (
            set(ids(search_service, "codes cat:cs.it", mode))
            == set(ids(search_service, "codes cat:cs.IT", mode))
            != set()
        ), mode


def test_embedding_is_resumable(settings: Settings, sqlite_store: Store) -> None:
    """An interrupted embedding run keeps its committed batches; the next one finishes."""
    from paperboy.ingest.jsonl import ingest_jsonl
    from paperboy.search.service import model_key
    from tests.support import SMALL_PAPERS

    ingest_jsonl(sqlite_store, SMALL_PAPERS)
    service = SearchService(settings, sqlite_store)
    model = model_key(settings.embedding_runtime)
    assert service.embed_pending(limit=10) == 10
    left = sqlite_store.embeddings.count_to_embed(model)
    assert left == 27
    assert service.embed_pending() == left and sqlite_store.embeddings.count_to_embed(model) == 0


def test_hidden_papers_leave_before_paging(
    search_service: SearchService, loaded_store: Store
) -> None:
    """Pages stay full and totals exclude hidden papers, in keyword and fused search."""
    pq = parse_query("cat:cs.IT")
    every = [h.paper for h in search_service.search(pq, per_page=10).hits]
    assert len(every) == 7
    for paper in every[:3]:
        loaded_store.moderation.set_paper_hidden(paper.id, True)
    first = search_service.search(pq, per_page=2)
    assert (first.total, first.pages, len(first.hits)) == (4, 2, 2)
    seen = [
        h.paper.arxiv_id
        for page in (1, 2)
        for h in search_service.search(pq, per_page=2, page=page).hits
    ]
    assert sorted(seen) == sorted(p.arxiv_id for p in every[3:])
    assert search_service.search(pq, per_page=10, include_hidden=True).total == 7

    fused_q = parse_query("diffusion models for images")
    before = search_service.search(fused_q, per_page=3, include_hidden=True)
    top = [h.paper for h in before.hits]
    for paper in top[:2]:
        loaded_store.moderation.set_paper_hidden(paper.id, True)
    after = search_service.search(fused_q, per_page=3)
    assert after.total == before.total - 2 - sum(
        1
        for p in every[:3]
        if p.arxiv_id
        in {
            h
            for h, _ in search_service.ranked_ids(
                fused_q, "hybrid", search_service.settings.search_candidates
            )
        }
    )
    assert len(after.hits) == 3
    assert not {p.arxiv_id for p in top[:2]} & {h.paper.arxiv_id for h in after.hits}
