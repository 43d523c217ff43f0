"""The topic map over HTTP: /api/map of the fixture week (25 embedded papers) has at
least five labelled topics covering every embedded paper, the same coordinates on every
request and rebuild, a fingerprint that notices changed papers, the SVG page with links
and titles, and "being built" for a map too large to compute within a request."""

from __future__ import annotations

import re
import time
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import delete

from paperboy.config import Settings
from paperboy.maps.periods import parse_map_period
from paperboy.maps.service import build_period, map_model
from paperboy.search.embed import DIM
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.store.models import paper_embeddings
from paperboy.web import create_app
from paperboy.web.api.maps import EXAMPLE
from paperboy.web.api.schemas.maps import MapOut

WEEK = "2026-W27"  # 2026-06-29 .. 2026-07-05: 25 fixture papers
START, END = date(2026, 6, 29), date(2026, 7, 5)


def embedded_ids(store: Store, settings: Settings) -> set[str]:
    found = store.maps.period_papers(map_model(settings), DIM, START, END)
    return set(found.arxiv_ids)


def test_api_map_covers_every_embedded_paper_with_labelled_topics(
    client: TestClient, loaded_store: Store, settings: Settings
) -> None:
    answer = client.get(f"/api/map?period={WEEK}")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["period"], body["view"], body["status"]) == (WEEK, "week", "ready")
    assert body["start"] == "2026-06-29" and body["previous_period"] == "2026-W26"
    clusters, papers = body["clusters"], body["papers"]
    assert len(clusters) >= 5
    assert all(c["label"] and c["terms"] and " · ".join(c["terms"]) == c["label"] for c in clusters)
    wanted = embedded_ids(loaded_store, settings)
    assert len(wanted) == 25 and {p["id"] for p in papers} == wanted
    assert body["papers_without_embedding"] == 0
    sizes = {c["id"]: c["size"] for c in clusters}
    assert sum(sizes.values()) == 25
    assert all(p["cluster"] in sizes for p in papers)
    assert all(0 <= p["x"] <= 1000 and 0 <= p["y"] <= 1000 for p in papers)
    assert all(set(p) >= {"id", "x", "y", "cluster"} for p in papers)
    # The previous week has 12 embedded papers: too few to compare, nothing rises.
    assert all(c["rising"] is False and c["previous_share"] is None for c in clusters)


def test_same_coordinates_on_every_request_and_rebuild(
    client: TestClient, loaded_store: Store, settings: Settings
) -> None:
    first = client.get(f"/api/map?period={WEEK}").json()
    second = client.get(f"/api/map?period={WEEK}").json()
    assert first == second
    loaded_store.maps.delete_maps()  # computed afresh: still the same picture
    third = client.get(f"/api/map?period={WEEK}").json()
    coords = [(p["id"], p["x"], p["y"], p["cluster"]) for p in first["papers"]]
    assert coords == [(p["id"], p["x"], p["y"], p["cluster"]) for p in third["papers"]]
    assert first["clusters"] == third["clusters"]


def test_a_changed_period_is_noticed_by_its_fingerprint(
    client: TestClient, loaded_store: Store, settings: Settings
) -> None:
    period = parse_map_period(WEEK)
    assert build_period(loaded_store, settings, period).rebuilt
    assert not build_period(loaded_store, settings, period).rebuilt  # current: kept
    hidden = sorted(embedded_ids(loaded_store, settings))[0]
    paper = loaded_store.papers.get_paper(hidden)
    assert paper is not None
    loaded_store.moderation.set_paper_hidden(paper.id, True)
    body = client.get(f"/api/map?period={WEEK}").json()
    assert hidden not in {p["id"] for p in body["papers"]} and len(body["papers"]) == 24
    # New papers of the previous week change the rising comparison: rebuilt too.
    previous = parse_map_period("2026-W26")
    build_period(loaded_store, settings, previous)
    assert not build_period(loaded_store, settings, period).rebuilt


def test_the_map_page_draws_points_links_titles_and_topic_searches(client: TestClient) -> None:
    page = client.get(f"/map?period={WEEK}")
    assert page.status_code == 200
    html = page.text
    assert "<svg" in html and 'viewBox="0 0 ' in html
    points = re.findall(r'<a href="/paper/([0-9.]+)" class="pt t\d"', html)
    assert len(points) == 25
    titles = re.findall(r"<title>([^<]+)</title>", html)
    assert len(titles) >= 26  # the page's own <title> and one per point
    searches = re.findall(r'<a href="(/search\?q=[^"]+)" class="topic-label', html)
    assert len(searches) >= 5
    assert client.get(searches[0].replace("&amp;", "&")).status_code == 200
    assert 'href="/map"' in html  # in the site's navigation
    assert "Topics" in html and "/api/map?period=2026-W27" in html


def test_default_period_is_the_newest_week_and_other_periods(client: TestClient) -> None:
    assert client.get("/api/map").json()["period"] == WEEK
    month = client.get("/api/map?period=2026-06").json()
    assert month["view"] == "month" and len(month["papers"]) == 37  # all fixture papers
    day = client.get("/api/map?period=2026-06-30").json()
    assert day["view"] == "day" and len(day["papers"]) == 13
    assert "2026-07" in client.get("/map?period=2026-06").text  # link to the next month


def test_a_period_without_papers_and_bad_periods(client: TestClient) -> None:
    empty = client.get("/api/map?period=2020-W10").json()
    assert empty["status"] == "empty" and empty["papers"] == [] and empty["clusters"] == []
    assert "No paper of this period has an embedding" in client.get("/map?period=2020-W10").text
    bad = client.get("/api/map?period=2026-W60")
    assert bad.status_code == 422 and "week" in bad.json()["error"]["detail"]
    assert client.get("/map?period=nonsense").status_code == 422


def test_papers_without_embeddings_are_counted(
    client: TestClient, loaded_store: Store, settings: Settings
) -> None:
    loaded_store.embeddings.delete_embeddings(map_model(settings))
    body = client.get(f"/api/map?period={WEEK}").json()
    assert body["status"] == "empty" and body["papers_without_embedding"] == 25
    page = client.get(f"/map?period={WEEK}").text
    assert "25 papers of this period have no embedding yet" in page


def test_a_large_map_is_built_in_the_background(
    settings: Settings, loaded_store: Store, search_service: SearchService
) -> None:
    small = settings.model_copy(update={"map_sync_papers": 10})
    with TestClient(create_app(small, loaded_store, search_service)) as c:
        app_builder = c.app.state.maps  # type: ignore[attr-defined]
        first = c.get(f"/api/map?period={WEEK}")
        if first.status_code == 503:  # usual: the builder has not finished yet
            assert first.headers["Retry-After"] == "30"
            assert "being built" in first.json()["error"]["detail"]
            assert "being built in the background" in c.get(f"/map?period={WEEK}").text
        for _ in range(300):
            if not app_builder.pending():
                break
            time.sleep(0.1)
        assert app_builder.built >= 1 and app_builder.failures == 0
        ready = c.get(f"/api/map?period={WEEK}").json()
        assert ready["status"] == "ready" and len(ready["papers"]) == 25
        # The period changes: the stale map is shown while the new one is built.
        paper = loaded_store.papers.get_paper(ready["papers"][0]["id"])
        assert paper is not None
        loaded_store.moderation.set_paper_hidden(paper.id, True)
        stale = c.get(f"/map?period={WEEK}")
        assert "changed since this map was built" in stale.text
        assert stale.text.count('class="pt t') == 25  # the stale map, until the new one


def test_the_documented_example_is_a_real_answer(client: TestClient) -> None:
    MapOut.model_validate(EXAMPLE)
    real = client.get(f"/api/map?period={WEEK}").json()
    assert set(EXAMPLE) == set(real)
    assert set(EXAMPLE["clusters"][0]) == set(real["clusters"][0])
    assert set(EXAMPLE["papers"][0]) == set(real["papers"][0])
    schema = client.get("/api/openapi.json").json()
    documented = schema["paths"]["/api/map"]["get"]["responses"]["200"]["content"]
    assert documented["application/json"]["example"] == EXAMPLE


def test_while_embeddings_warm_up_the_map_shows_those_embedded(
    client: TestClient, loaded_store: Store, settings: Settings
) -> None:
    """A fresh demo: some papers of the week embedded, the rest still waiting."""
    waiting = sorted(embedded_ids(loaded_store, settings))[:5]
    ids = [p.id for p in loaded_store.papers.get_papers(waiting).values()]
    with loaded_store.engine.begin() as conn:
        conn.execute(delete(paper_embeddings).where(paper_embeddings.c.paper_id.in_(ids)))
    body = client.get(f"/api/map?period={WEEK}").json()
    assert body["status"] == "ready" and body["papers_without_embedding"] == 5
    assert len(body["papers"]) == 20 and not set(waiting) & {p["id"] for p in body["papers"]}
    page = client.get(f"/map?period={WEEK}").text
    assert "20 papers in 5 topics" in page
    assert "5 papers of this period have no embedding yet and are not on the map" in page
    assert "the search indexer computes them in the background" in page
