"""Choosing and rendering a digest: periods, preferences, the excerpt, the selection
from the fixture papers, and the pure rendering (multipart, headers, no remote content)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from lxml import html as lxml_html

from paperboy.config import Settings
from paperboy.digest import Composer, latest_period, make_preferences, render_digest
from paperboy.digest.compose import two_sentences
from paperboy.digest.outbox import digest_message_id
from paperboy.digest.periods import (
    daily_period,
    due_at,
    latest_due_period,
    local_time,
    period_from_key,
)
from paperboy.errors import InvalidInput
from paperboy.search.service import SearchService
from paperboy.store import Store
from tests.digest.conftest import DUE, subscribe


def test_daily_digests_go_out_on_weekdays_from_the_configured_hour() -> None:
    tuesday = datetime(2026, 6, 30, 7, 0)
    assert latest_due_period("daily", 0, tuesday, 7) == daily_period(date(2026, 6, 30))
    before = latest_due_period("daily", 0, tuesday - timedelta(minutes=1), 7)
    assert before.key == "2026-06-29"  # Tuesday's is not due yet: Monday's is the newest
    saturday = latest_due_period("daily", 0, datetime(2026, 6, 27, 9), 7)
    assert saturday.key == "2026-06-26"  # no digest on Saturday: Friday's
    monday = daily_period(date(2026, 6, 29))
    assert (monday.first, monday.last) == (date(2026, 6, 27), date(2026, 6, 29))
    assert monday.key == "2026-06-29"
    assert period_from_key("2026-06-29") == monday
    assert due_at(monday, 7, "UTC") == datetime(2026, 6, 29, 7, 0)


def test_weekly_digest_on_the_chosen_day_covers_seven_days() -> None:
    friday = latest_due_period("weekly", 4, datetime(2026, 6, 30, 9), 7)  # a Tuesday
    assert friday.day == date(2026, 6, 26)
    period = latest_due_period("weekly", 1, datetime(2026, 6, 30, 9), 7)
    assert (period.first, period.last, period.key) == (
        date(2026, 6, 24),
        date(2026, 6, 30),
        "W2026-06-30",
    )
    assert period_from_key(period.key) == period
    # Moving the weekly day within a week gives a new period, not a skipped one.
    assert latest_due_period("weekly", 4, datetime(2026, 7, 3, 9), 7).key == "W2026-07-03"
    assert latest_period("weekly", 4, date(2026, 6, 30)).day == date(2026, 6, 26)
    assert latest_period("daily", 0, date(2026, 6, 28)).day == date(2026, 6, 26)


def test_the_hour_is_local_to_the_configured_time_zone() -> None:
    # 05:30 UTC is 07:30 in Berlin in summer: due there, not yet in UTC.
    berlin = local_time(datetime(2026, 6, 30, 5, 30), "Europe/Berlin")
    assert latest_due_period("daily", 0, berlin, 7).key == "2026-06-30"
    utc = local_time(datetime(2026, 6, 30, 5, 30), "UTC")
    assert latest_due_period("daily", 0, utc, 7).key == "2026-06-29"
    assert due_at(daily_period(date(2026, 6, 30)), 7, "Europe/Berlin") == datetime(2026, 6, 30, 5)


def test_preferences_are_validated() -> None:
    prefs = make_preferences(
        frequency="weekly",
        weekday="4",
        categories="cs.LG, hep-th\ncs.CL",
        include_keywords="Diffusion, graph neural network",
        exclude_keywords="survey",
        max_papers="5",
    )
    assert prefs.categories == ("cs.LG", "hep-th", "cs.CL")
    assert prefs.include_keywords == ("diffusion", "graph neural network")
    for bad in (
        {"frequency": "hourly"},
        {"weekday": 9},
        {"max_papers": 0},
        {"max_papers": "ten"},
        {"categories": "<script>"},
        {"include_keywords": "x" * 200},
    ):
        with pytest.raises(InvalidInput):
            make_preferences(**bad)  # type: ignore[arg-type]


def test_excerpt_is_two_sentences() -> None:
    text = (
        "We study transformers, e.g. BERT and GPT. They scale well with data. "
        "A third sentence that should not appear."
    )
    assert (
        two_sentences(text)
        == "We study transformers, e.g. BERT and GPT. They scale well with data."
    )
    assert two_sentences(None) == ""
    long = "word " * 300 + "."
    assert len(two_sentences(long)) <= 425 and two_sentences(long).endswith("…")


def _compose(store: Store, settings: Settings, sub_id: int, when: datetime = DUE):  # type: ignore[no-untyped-def]
    sub = store.digests.get_subscription(sub_id)
    assert sub is not None
    period = latest_due_period(sub.frequency, sub.weekday, when, 7)
    return Composer(store, settings, when).compose(
        sub, period, digest_message_id(settings, sub.id, period.key)
    )


def test_trending_section_ranks_voted_papers_first_and_honours_filters(
    settings: Settings, loaded_store: Store
) -> None:
    store = loaded_store
    user = store.accounts.create_user("voter@example.org")
    papers = store.papers.feed(date(2026, 6, 30), date(2026, 6, 30), limit=50).papers
    favourite = papers[-1]
    store.votes.add_vote(user.id, favourite.id, DUE - timedelta(hours=2))
    everyone = subscribe(store, "all@example.org", max_papers=5)
    digest = _compose(store, settings, everyone.id)
    assert len(digest.trending) == 5
    assert digest.trending[0].arxiv_id == favourite.arxiv_id
    assert digest.trending[0].votes == 1
    assert all(e.url.startswith("http://testserver/paper/") for e in digest.trending)

    category = favourite.categories[0]
    narrow = subscribe(store, "narrow@example.org", categories=category.lower())
    chosen = _compose(store, settings, narrow.id).trending
    assert chosen and all(category in e.categories for e in chosen)

    word = "the"
    without = subscribe(store, "without@example.org", exclude_keywords=word)
    for entry in _compose(store, settings, without.id).trending:
        paper = store.papers.get_paper(entry.arxiv_id)
        assert paper is not None
        assert f" {word} " not in f" {paper.title} {paper.abstract} ".lower()

    nothing = subscribe(store, "nothing@example.org", include_keywords="zzyzx-no-such-word")
    assert _compose(store, settings, nothing.id).is_empty


def test_for_you_section_follows_the_readers_upvotes(
    settings: Settings, loaded_store: Store, search_service: SearchService
) -> None:
    store = loaded_store
    reader = store.accounts.create_user("reader@example.org")
    earlier = store.papers.feed(date(2026, 6, 26), date(2026, 6, 26), limit=50).papers
    liked = earlier[0]
    store.votes.add_vote(reader.id, liked.id, DUE - timedelta(days=3))
    sub = subscribe(store, reader.email, user_id=reader.id, max_papers=3)
    digest = _compose(store, settings, sub.id)
    assert digest.for_you, "a reader with an upvote gets a for-you section"
    title = " ".join(liked.title.split())
    assert all(e.reason == f"Because you upvoted “{title}”" for e in digest.for_you)
    trending_ids = {e.arxiv_id for e in digest.trending}
    assert not trending_ids & {e.arxiv_id for e in digest.for_you}
    # The most similar paper of the period by the search service's own similarity.
    similar = [p.arxiv_id for p, _ in search_service.similar(liked.arxiv_id, limit=40)]
    in_period = [
        a
        for a in similar
        if a not in trending_ids and store.papers.get_paper(a).announced == date(2026, 6, 30)
    ]  # type: ignore[union-attr]
    assert digest.for_you[0].arxiv_id == in_period[0]
    stranger = subscribe(store, "stranger@example.org")
    assert _compose(store, settings, stranger.id).for_you == []
    # "Not interested" (the For-you page's button) also keeps a paper out of the digest.
    dismissed = store.papers.get_paper(digest.for_you[0].arxiv_id)
    assert dismissed is not None
    store.recommend.mark_not_interested(reader.id, dismissed.id)
    again = _compose(store, settings, sub.id)
    assert dismissed.arxiv_id not in {e.arxiv_id for e in again.for_you}


def test_rendered_digest_is_multipart_with_one_click_unsubscribe(
    settings: Settings, loaded_store: Store
) -> None:
    store = loaded_store
    sub = subscribe(store, "reader@example.org", max_papers=4)
    digest = _compose(store, settings, sub.id)
    message = render_digest(digest, settings)
    assert message.get_content_type() == "multipart/alternative"
    assert message["To"] == "reader@example.org"
    assert message["Message-ID"] == f"<digest.{sub.id}.2026-06-30@localhost>"
    assert message["List-Unsubscribe"] == f"<{digest.unsubscribe_url}>"
    assert digest.unsubscribe_url.startswith("http://testserver/unsubscribe?token=")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    page = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    for entry in digest.trending:
        assert entry.title in text and entry.url in text and entry.authors in text
    assert "Unsubscribe: http://testserver/unsubscribe?token=" in text
    tree = lxml_html.fromstring(page)
    links = tree.xpath("//a/@href")
    assert {e.url for e in digest.trending} <= set(links)
    assert digest.unsubscribe_url in links and digest.manage_url in links
    assert not tree.xpath("//script | //img | //link | //iframe | //object | //@srcset")
    assert not [a for a in tree.xpath("//@*") if str(a).strip().lower().startswith("javascript:")]


def test_titles_with_markup_are_escaped_in_the_html(
    settings: Settings, loaded_store: Store
) -> None:
    from dataclasses import replace

    store = loaded_store
    sub = subscribe(store, "reader@example.org", max_papers=2)
    digest = _compose(store, settings, sub.id)
    evil = replace(digest.trending[0], title='<script>alert(1)</script><img src="http://x/y.png">')
    message = render_digest(replace(digest, trending=[evil]), settings)
    page = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    tree = lxml_html.fromstring(page)
    assert not tree.xpath("//script | //img")
    assert "&lt;script&gt;" in page


def test_non_ascii_subject_and_text_survive_the_wire(
    settings: Settings, loaded_store: Store
) -> None:
    from dataclasses import replace

    from paperboy.digest.render import digest_subject, render_digest_bytes

    store = loaded_store
    sub = subscribe(store, "reader@example.org", max_papers=2)
    digest = _compose(store, settings, sub.id)
    title = "Über die Größe — 機械学習 and a .leading dot " + "long " * 20
    digest = replace(digest, trending=[replace(digest.trending[0], title=title)])
    raw = render_digest_bytes(digest, settings)
    assert raw.isascii() and all(len(line) <= 998 for line in raw.split(b"\r\n"))
    message = render_digest(digest, settings)
    assert message["Subject"] == digest_subject(digest)
    assert title.split(" long")[0] in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert title.split(" long")[0] in message.get_body(("html",)).get_content()  # type: ignore[union-attr]


def test_a_period_nobody_upvoted_is_not_called_trending(
    settings: Settings, loaded_store: Store
) -> None:
    store = loaded_store
    sub = subscribe(store, "quiet@example.org", max_papers=3)

    def texts() -> str:
        message = render_digest(_compose(store, settings, sub.id), settings)
        return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    quiet = texts()
    assert "New papers" in quiet and "No upvotes yet on this period's papers" in quiet
    assert "Trending papers" not in quiet
    paper = store.papers.feed(date(2026, 6, 30), date(2026, 6, 30), limit=1).papers[0]
    user = store.accounts.create_user("voter@example.org")
    store.votes.add_vote(user.id, paper.id, DUE - timedelta(hours=2))
    assert "Trending papers" in texts() and "No upvotes yet" not in texts()
