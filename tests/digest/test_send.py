"""Delivering digests to a real SMTP server (aiosmtpd): content and headers, exactly
once across reruns and concurrent senders, retries with backoff, bounces, throttling."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from paperboy.config import Settings
from paperboy.digest import send_due_digests
from paperboy.store import Store
from tests.digest.conftest import DUE, ScriptedMailbox, subscribe


def test_due_digests_are_delivered_once_with_their_headers(
    digest_settings: Settings, loaded_store: Store, smtp: tuple[ScriptedMailbox, int]
) -> None:
    box, _ = smtp
    store = loaded_store
    daily = subscribe(store, "daily@example.org", max_papers=3)
    weekly = subscribe(store, "weekly@example.org", frequency="weekly", weekday=1)
    subscribe(store, "friday@example.org", frequency="weekly", weekday=4)  # not due Tuesday
    pending = store.digests.create_subscription(
        "pending@example.org",
        user_id=None,
        status="pending",
        preferences={
            "frequency": "daily",
            "weekday": 0,
            "categories": [],
            "include_keywords": [],
            "exclude_keywords": [],
            "max_papers": 10,
        },
    )
    run = send_due_digests(store, digest_settings, now=DUE)
    assert (run.enqueued, run.sent, run.failed, run.stopped) == (2, 2, 0, None)
    assert box.recipients() == {"daily@example.org": 1, "weekly@example.org": 1}
    by_to = {str(m["To"]): m for m in box.messages}
    message = by_to["daily@example.org"]
    assert message["Message-ID"] == f"<digest.{daily.id}.2026-06-30@localhost>"
    assert message["List-Unsubscribe"].startswith("<http://testserver/unsubscribe?token=")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Subject"].startswith("paperboy daily: ")
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert text.count("http://testserver/paper/") == 3
    weekly_text = by_to["weekly@example.org"].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert weekly_text.count("http://testserver/paper/") == 10
    assert (
        by_to["weekly@example.org"]["Message-ID"] == f"<digest.{weekly.id}.W2026-06-30@localhost>"
    )
    assert store.digests.outbox_rows(pending.id) == []

    # Cron may call as often as it likes: nothing more goes out for this period.
    for minutes in (1, 30, 600):
        again = send_due_digests(store, digest_settings, now=DUE + timedelta(minutes=minutes))
        assert (again.enqueued, again.sent) == (0, 0)
    assert len(box.messages) == 2
    # Another weekday is another period; a day without new papers sends nothing.
    send_due_digests(store, digest_settings, now=DUE + timedelta(days=1))
    send_due_digests(store, digest_settings, now=DUE - timedelta(days=1))
    assert box.recipients()["daily@example.org"] == 2
    statuses = {r.period: r.status for r in store.digests.outbox_rows(daily.id)}
    assert statuses == {"2026-06-29": "sent", "2026-06-30": "sent", "2026-07-01": "skipped"}


def test_nothing_is_sent_when_no_paper_matches(
    digest_settings: Settings, loaded_store: Store, smtp: tuple[ScriptedMailbox, int]
) -> None:
    sub = subscribe(loaded_store, "picky@example.org", include_keywords="zzyzx-nothing")
    run = send_due_digests(loaded_store, digest_settings, now=DUE)
    assert (run.sent, run.skipped) == (0, 1)
    assert smtp[0].messages == []
    assert [r.status for r in loaded_store.digests.outbox_rows(sub.id)] == ["skipped"]


def test_permanent_failure_marks_the_address_bouncing(
    digest_settings: Settings, loaded_store: Store, smtp: tuple[ScriptedMailbox, int]
) -> None:
    box, _ = smtp
    box.refuse["gone@example.org"] = "550 5.1.1 mailbox unavailable"
    gone = subscribe(loaded_store, "gone@example.org")
    subscribe(loaded_store, "fine@example.org")
    run = send_due_digests(loaded_store, digest_settings, now=DUE)
    assert (run.sent, run.bounced) == (1, 1)
    sub = loaded_store.digests.get_subscription(gone.id)
    assert sub is not None and sub.status == "bouncing"
    assert sub.bounce_reason is not None and "550" in sub.bounce_reason
    assert [r.status for r in loaded_store.digests.outbox_rows(gone.id)] == ["bounced"]
    # Nothing more is ever attempted for a bouncing address.
    box.refuse.clear()
    send_due_digests(loaded_store, digest_settings, now=DUE - timedelta(days=1))
    assert box.recipients() == {"fine@example.org": 2}


def test_temporary_failure_is_retried_after_a_backoff(
    digest_settings: Settings, loaded_store: Store, smtp: tuple[ScriptedMailbox, int]
) -> None:
    box, _ = smtp
    box.defer = {"later@example.org"}
    box.defer_times = 2
    later = subscribe(loaded_store, "later@example.org")
    first = send_due_digests(loaded_store, digest_settings, now=DUE)
    assert (first.sent, first.retrying) == (0, 1)
    [row] = loaded_store.digests.outbox_rows(later.id)
    assert row.status == "pending" and row.attempts == 1 and "451" in (row.last_error or "")
    waited = row.next_attempt_at - DUE
    assert timedelta(minutes=9) < waited < timedelta(minutes=11)  # digest_retry_minutes
    # Too early: nothing happens (the run uses its own clock for the retry time).
    assert send_due_digests(loaded_store, digest_settings, now=DUE).sent == 0
    retried_at = row.next_attempt_at
    second = send_due_digests(loaded_store, digest_settings, now=retried_at)
    assert second.retrying == 1
    [row] = loaded_store.digests.outbox_rows(later.id)
    assert row.attempts == 2
    assert row.next_attempt_at - retried_at == timedelta(minutes=20)  # the wait doubles
    third = send_due_digests(loaded_store, digest_settings, now=row.next_attempt_at)
    assert third.sent == 1
    assert box.recipients() == {"later@example.org": 1}
    assert loaded_store.digests.outbox_rows(later.id)[0].status == "sent"


def test_gives_up_after_max_attempts(
    digest_settings: Settings, loaded_store: Store, smtp: tuple[ScriptedMailbox, int]
) -> None:
    box, _ = smtp
    box.defer = {"never@example.org"}
    box.defer_times = 99
    never = subscribe(loaded_store, "never@example.org")
    when = DUE
    for _ in range(digest_settings.digest_max_attempts):
        send_due_digests(loaded_store, digest_settings, now=when)
        when = loaded_store.digests.outbox_rows(never.id)[0].next_attempt_at + timedelta(hours=7)
    [row] = loaded_store.digests.outbox_rows(never.id)
    assert row.status == "failed" and row.attempts == digest_settings.digest_max_attempts
    assert box.messages == []


def test_unreachable_server_keeps_the_queue(settings: Settings, loaded_store: Store) -> None:
    from tests.accounts.conftest import free_port, make_settings

    closed = make_settings(settings.data_dir, free_port(), model_dir=settings.model_dir)
    sub = subscribe(loaded_store, "queued@example.org")
    run = send_due_digests(loaded_store, closed, now=DUE)
    assert run.stopped is not None and run.sent == 0
    [row] = loaded_store.digests.outbox_rows(sub.id)
    # The server's outage is not the digest's fault: no attempt used up.
    assert row.status == "pending" and row.attempts == 0


def test_unsubscribing_before_the_send_skips_the_digest(
    digest_settings: Settings, loaded_store: Store, smtp: tuple[ScriptedMailbox, int]
) -> None:
    sub = subscribe(loaded_store, "leaving@example.org")
    loaded_store.digests.enqueue_digests([(sub.id, "2026-06-30", "<x@localhost>")], now=DUE)
    loaded_store.digests.unsubscribe(sub.id)
    run = send_due_digests(loaded_store, digest_settings, now=DUE)
    assert (run.sent, run.skipped) == (0, 1)
    assert smtp[0].messages == []


def test_concurrent_senders_deliver_each_digest_once(
    digest_settings: Settings, loaded_store: Store, smtp: tuple[ScriptedMailbox, int]
) -> None:
    emails = [f"reader{i}@example.org" for i in range(24)]
    for email in emails:
        subscribe(loaded_store, email, max_papers=2)
    runs = []
    start = threading.Barrier(3)

    def sender() -> None:
        start.wait()
        runs.append(send_due_digests(loaded_store, digest_settings, now=DUE))

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert smtp[0].recipients() == {email: 1 for email in emails}
    assert sum(r.sent for r in runs) == 24


def test_throttle_spaces_the_messages(
    digest_settings: Settings, loaded_store: Store, smtp: tuple[ScriptedMailbox, int]
) -> None:
    for i in range(4):
        subscribe(loaded_store, f"slow{i}@example.org", max_papers=1)
    throttled = digest_settings.model_copy(update={"digest_rate": 10.0})
    started = time.monotonic()
    assert send_due_digests(loaded_store, throttled, now=DUE).sent == 4
    assert time.monotonic() - started >= 0.3  # 4 messages at 10 per second


def test_a_relay_that_refuses_us_stops_the_run_and_bounces_nobody(
    digest_settings: Settings, loaded_store: Store, smtp: tuple[ScriptedMailbox, int]
) -> None:
    box, _ = smtp
    emails = [f"r{i}@example.org" for i in range(4)]
    subs = [subscribe(loaded_store, e) for e in emails]
    box.refuse = {e: "554 5.7.1 Relay access denied" for e in emails}
    run = send_due_digests(loaded_store, digest_settings, now=DUE)
    assert run.stopped is not None and "Relay access denied" in run.stopped
    assert (run.sent, run.bounced) == (0, 0)
    assert {loaded_store.digests.get_subscription(s.id).status for s in subs} == {"active"}  # type: ignore[union-attr]
    rows = [r for s in subs for r in loaded_store.digests.outbox_rows(s.id)]
    assert {(r.status, r.attempts) for r in rows} == {("pending", 0)}
    # Fixed on the server's side: everything goes out.
    box.refuse = {}
    later = send_due_digests(loaded_store, digest_settings, now=DUE + timedelta(hours=1))
    assert later.sent == 4


def test_a_temporary_refusal_of_the_sender_uses_up_no_attempts(
    digest_settings: Settings, loaded_store: Store, smtp: tuple[ScriptedMailbox, int]
) -> None:
    box, _ = smtp
    subs = [subscribe(loaded_store, f"m{i}@example.org") for i in range(3)]
    box.refuse_mail = "421 4.7.0 Too many connections, slow down"
    for hour in range(1, 8):  # more runs than digest_max_attempts
        run = send_due_digests(loaded_store, digest_settings, now=DUE + timedelta(hours=hour))
        assert run.stopped is not None and run.failed == 0
    assert {r.status for s in subs for r in loaded_store.digests.outbox_rows(s.id)} == {"pending"}
    box.refuse_mail = None
    assert send_due_digests(loaded_store, digest_settings, now=DUE + timedelta(hours=9)).sent == 3


def test_a_refused_message_fails_alone_and_the_address_stays(
    digest_settings: Settings, loaded_store: Store, smtp: tuple[ScriptedMailbox, int]
) -> None:
    box, _ = smtp
    picky = subscribe(loaded_store, "picky@example.org")
    subscribe(loaded_store, "easy@example.org")
    box.reject_data = {"picky@example.org": "552 5.3.4 Message too big for this mailbox"}
    run = send_due_digests(loaded_store, digest_settings, now=DUE)
    assert (run.sent, run.failed, run.bounced, run.stopped) == (1, 1, 0, None)
    assert loaded_store.digests.get_subscription(picky.id).status == "active"  # type: ignore[union-attr]
    assert [r.status for r in loaded_store.digests.outbox_rows(picky.id)] == ["failed"]


def test_an_address_the_mail_library_cannot_send_to_fails_alone(
    digest_settings: Settings, loaded_store: Store, smtp: tuple[ScriptedMailbox, int]
) -> None:
    subscribe(loaded_store, "a@example.org")
    odd = subscribe(loaded_store, "josé@example.org")  # not accepted by the form any more
    subscribe(loaded_store, "z@example.org")
    run = send_due_digests(loaded_store, digest_settings, now=DUE)
    assert (run.sent, run.failed, run.stopped) == (2, 1, None)
    assert smtp[0].recipients() == {"a@example.org": 1, "z@example.org": 1}
    assert [r.status for r in loaded_store.digests.outbox_rows(odd.id)] == ["failed"]
    assert send_due_digests(loaded_store, digest_settings, now=DUE).sent == 0  # not retried


def test_a_missed_digest_is_caught_up_within_three_days(
    digest_settings: Settings, loaded_store: Store, smtp: tuple[ScriptedMailbox, int]
) -> None:
    daily = subscribe(loaded_store, "daily@example.org")
    # Nothing ran on Tuesday 30 June; the next run is Wednesday at 06:00, before the hour.
    send_due_digests(loaded_store, digest_settings, now=DUE + timedelta(hours=22))
    assert [r.period for r in loaded_store.digests.outbox_rows(daily.id)] == ["2026-06-30"]
    assert smtp[0].recipients() == {"daily@example.org": 1}
    # A weekly digest whose day was four days ago is stale: not sent.
    weekly = subscribe(loaded_store, "weekly@example.org", frequency="weekly", weekday=4)
    send_due_digests(loaded_store, digest_settings, now=DUE)  # Tuesday; Friday was 26 June
    assert loaded_store.digests.outbox_rows(weekly.id) == []


def test_the_outbox_counts_what_it_enqueues(store: Store) -> None:
    """On SQLite and PostgreSQL alike (a multi-row insert's rowcount is no help)."""
    subs = [subscribe(store, f"e{i}@example.org") for i in range(3)]
    rows = [(s.id, "2026-06-30", f"<{s.id}@x>") for s in subs]
    assert store.digests.enqueue_digests(rows, now=DUE) == 3
    assert (
        store.digests.enqueue_digests([*rows[:2], (subs[0].id, "2026-06-29", "<y@x>")], now=DUE)
        == 1
    )
