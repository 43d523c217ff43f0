"""Comments in the store: replies flatten to one level, edit, delete (placeholder when
replied to), hiding, counts and cascades. Each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete

from paperboy.errors import NotFound
from paperboy.store import Store
from paperboy.store.models import papers
from tests.store.test_papers import rec
from tests.store.test_votes import paper_id

T0 = datetime(2026, 7, 1, 12, 0)


def test_comments_replies_flatten_and_keep_order(store: Store) -> None:
    store.papers.upsert_papers([rec("2501.00001"), rec("2501.00002")])
    pid = paper_id(store, "2501.00001")
    ada = store.accounts.create_user("ada@example.org", display_name="Ada")
    bob = store.accounts.create_user("bob@example.org", display_name="Bob")
    top = store.comments.add_comment(pid, ada.id, "first **post**", now=T0)
    reply = store.comments.add_comment(
        pid, bob.id, "a reply", parent_id=top.id, now=T0 + timedelta(1)
    )
    deeper = store.comments.add_comment(pid, ada.id, "reply to reply", parent_id=reply.id, now=T0)
    assert (reply.parent_id, deeper.parent_id) == (top.id, top.id)
    listed = store.comments.paper_comments(pid)
    assert [c.id for c in listed] == [top.id, deeper.id, reply.id]
    assert listed[0].author == "Ada" and listed[0].body == "first **post**"
    assert store.comments.comment_counts([pid, paper_id(store, "2501.00002")]) == {pid: 3}
    other = paper_id(store, "2501.00002")
    with pytest.raises(NotFound):
        store.comments.add_comment(other, ada.id, "wrong paper", parent_id=top.id)
    with pytest.raises(NotFound):
        store.comments.add_comment(999_999, ada.id, "no paper")


def test_edit_delete_and_hide(store: Store) -> None:
    store.papers.upsert_papers([rec("2501.00001")])
    pid = paper_id(store, "2501.00001")
    ada = store.accounts.create_user("ada@example.org")
    lone = store.comments.add_comment(pid, ada.id, "alone")
    top = store.comments.add_comment(pid, ada.id, "has replies")
    reply = store.comments.add_comment(pid, ada.id, "reply", parent_id=top.id)
    store.comments.edit_comment(lone.id, "changed", now=T0)
    edited = store.comments.get_comment(lone.id)
    assert edited is not None and (edited.body, edited.edited_at) == ("changed", T0)
    store.comments.delete_comment(lone.id)
    assert store.comments.get_comment(lone.id) is None
    store.comments.delete_comment(top.id)
    kept = store.comments.get_comment(top.id)
    assert kept is not None and kept.deleted and kept.body == ""
    store.comments.set_comment_hidden(reply.id, True)
    hidden = store.comments.get_comment(reply.id)
    assert hidden is not None and hidden.hidden
    assert store.comments.comment_counts([pid]) == {}
    store.comments.set_comment_hidden(reply.id, False)
    assert store.comments.comment_counts([pid]) == {pid: 1}


def test_deleting_a_paper_removes_its_comments(store: Store) -> None:
    store.papers.upsert_papers([rec("2501.00001")])
    pid = paper_id(store, "2501.00001")
    ada = store.accounts.create_user("ada@example.org")
    top = store.comments.add_comment(pid, ada.id, "x")
    store.comments.add_comment(pid, ada.id, "y", parent_id=top.id)
    with store.engine.begin() as conn:
        conn.execute(delete(papers).where(papers.c.id == pid))
    assert store.comments.paper_comments(pid) == []
