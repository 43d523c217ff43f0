"""Comment rules in community/: rate limits per account (counted in the database) and
per address (in the process), HTML rendered once when written and again on edit (older
rows on their first view), and threads a page at a time. Each test that needs a
database runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from paperboy.clock import utcnow
from paperboy.community.comments import (
    CommentGate,
    CommentRateLimited,
    comment_page,
    delete_comment,
    edit_comment,
    place_of,
    post_comment,
    store_comment,
)
from paperboy.community.markdown import render_comment
from paperboy.config import Settings
from paperboy.store import Store, StoredPaper
from paperboy.store.models import comments
from tests.store.test_papers import rec


def a_paper(store: Store) -> StoredPaper:
    store.papers.upsert_papers([rec("2501.00001")])
    paper = store.papers.get_paper("2501.00001")
    assert paper is not None
    return paper


def stored_html(store: Store, comment_id: int) -> str | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(comments.c.body_html).where(comments.c.id == comment_id))
        return row.scalar_one_or_none()


def test_account_limits_are_counted_in_the_database(store: Store, settings: Settings) -> None:
    paper = a_paper(store)
    ada = store.accounts.create_user("ada@example.org")
    strict = settings.model_copy(update={"comment_limit_per_minute": 2})
    for n in range(2):
        post_comment(store, strict, CommentGate(), ada, paper, f"comment {n}", client=f"10.0.0.{n}")
    with pytest.raises(CommentRateLimited) as refused:
        # A new gate (a restarted or another worker) and a new address: still refused.
        post_comment(store, strict, CommentGate(), ada, paper, "third", client="10.0.0.9")
    assert refused.value.status == 429 and 1 <= refused.value.retry_after <= 60
    assert refused.value.headers["Retry-After"] == str(refused.value.retry_after)
    assert "2 comments a minute" in refused.value.detail
    assert len(store.comments.paper_comments(paper.id)) == 2

    # The daily limit: comments of the last 24 hours, the oldest freeing the next slot.
    bob = store.accounts.create_user("bob@example.org")
    daily = settings.model_copy(update={"comment_limit_per_day": 3})
    for hours in (20, 10, 5):
        store_comment(store, paper.id, bob.id, "earlier")
        with store.engine.begin() as conn:
            last = max(c.id for c in store.comments.paper_comments(paper.id))
            conn.execute(
                comments.update()
                .where(comments.c.id == last)
                .values(created_at=utcnow() - timedelta(hours=hours))
            )
    with pytest.raises(CommentRateLimited) as refused:
        post_comment(store, daily, CommentGate(), bob, paper, "fourth today")
    assert "3 comments a day" in refused.value.detail
    assert 3.9 * 3600 <= refused.value.retry_after <= 4 * 3600 + 1  # the 20-hour-old one


def test_address_limit_spans_accounts_and_frees_after_a_minute(
    sqlite_store: Store, settings: Settings
) -> None:
    store = sqlite_store
    paper = a_paper(store)
    now = [1000.0]
    gate = CommentGate(clock=lambda: now[0])
    strict = settings.model_copy(update={"comment_ip_limit_per_minute": 3})
    readers = [store.accounts.create_user(f"r{i}@example.org") for i in range(5)]
    for reader in readers[:3]:
        post_comment(store, strict, gate, reader, paper, "hello", client="192.0.2.7")
    with pytest.raises(CommentRateLimited) as refused:
        post_comment(store, strict, gate, readers[3], paper, "hello", client="192.0.2.7")
    assert refused.value.retry_after == 60 and "one address" in refused.value.detail
    post_comment(store, strict, gate, readers[3], paper, "hello", client="192.0.2.8")
    now[0] += 61
    post_comment(store, strict, gate, readers[4], paper, "hello", client="192.0.2.7")
    assert len(store.comments.paper_comments(paper.id)) == 5


def test_html_is_rendered_when_written_and_again_on_edit(store: Store, settings: Settings) -> None:
    paper = a_paper(store)
    ada = store.accounts.create_user("ada@example.org")
    place = post_comment(store, settings, CommentGate(), ada, paper, "some **bold**")
    top = int(place.anchor.removeprefix("comment-"))
    assert stored_html(store, top) == "<p>some <strong>bold</strong></p>\n"
    edit_comment(store, settings, ada, top, "now *italic*")
    assert stored_html(store, top) == "<p>now <em>italic</em></p>\n"
    store_comment(store, paper.id, ada.id, "a reply", parent_id=top)
    delete_comment(store, settings, ada, top)  # has a reply: stays as a placeholder
    assert stored_html(store, top) is None
    threads = comment_page(store, settings, paper.id, None).threads
    assert threads[0].placeholder == "[deleted]" and threads[0].html is None


def test_comments_stored_without_html_are_rendered_on_first_view_and_kept(
    store: Store, settings: Settings
) -> None:
    paper = a_paper(store)
    ada = store.accounts.create_user("ada@example.org")
    old = store.comments.add_comment(paper.id, ada.id, "from before **0009**")  # no html
    assert stored_html(store, old.id) is None
    shown = comment_page(store, settings, paper.id, None).threads[0]
    assert shown.html == render_comment("from before **0009**")
    assert stored_html(store, old.id) == str(render_comment("from before **0009**"))


def test_threads_come_a_page_at_a_time_oldest_first(store: Store, settings: Settings) -> None:
    paper = a_paper(store)
    ada = store.accounts.create_user("ada@example.org")
    paged = settings.model_copy(update={"comment_threads_per_page": 2})
    start = utcnow() - timedelta(hours=1)
    tops = []
    for n in range(5):
        c = store.comments.add_comment(
            paper.id, ada.id, f"top {n}", now=start + timedelta(minutes=n)
        )
        tops.append(c)
    reply = store.comments.add_comment(
        paper.id, ada.id, "late reply", parent_id=tops[0].id, now=start + timedelta(minutes=30)
    )
    first = comment_page(store, paged, paper.id, None, 1)
    assert (first.page, first.pages, first.total) == (1, 3, 5)
    assert [t.body for t in first.threads] == ["top 0", "top 1"]
    assert [r.id for r in first.threads[0].replies] == [reply.id]
    last = comment_page(store, paged, paper.id, None, 99)  # past the end: the last page
    assert last.page == 3 and [t.body for t in last.threads] == ["top 4"]
    assert (
        place_of(store, paged, tops[4]).path
        == f"/paper/{paper.arxiv_id}?comments_page=3#comment-{tops[4].id}"
    )
    assert place_of(store, paged, reply).path == f"/paper/{paper.arxiv_id}#comment-{reply.id}"
