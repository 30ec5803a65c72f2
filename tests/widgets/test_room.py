"""The facilitator's controls as participant pages show them (widgets/room.py,
widgets/session.py): the timer and a lock's countdown stepped each second,
a lock with notice falling on a box being typed in, the dot vote closing,
and today's plan ordering the tools, headless with fake timers and clock."""

from __future__ import annotations

import re
import time

import pytest

from toolkit.store.values import PlanSlot, WorkshopSettings
from widgets.room import RoomStatus
from widgets.style import LIVE, SR_ONLY
from widgets.session import TICK_SECONDS, Session

T1, T3 = "engage-potential-partners", "assess-the-history-of-addressing-the-issue"


def left(html: str) -> int:
    m, s = re.search(r"(\d+):(\d\d)<", html).groups()
    return int(m) * 60 + int(s)


@pytest.fixture
def clock():
    now = [time.time()]
    fn = lambda: now[0]  # noqa: E731
    fn.now = now  # type: ignore[attr-defined]
    return fn


@pytest.fixture
def live(sqlite_store, workshop, timers, clock):
    """A Session whose timers run when the test says and whose clock the test moves."""
    return Session(sqlite_store, workshop.slug, poll_seconds=3, autosave_delay=1, call_later=timers.call_later, clock=clock)


def test_room_status_shows_the_timer_and_a_lock_and_says_each_moment_once():
    status = RoomStatus(lock_key="design", lock_title="The Design stage")
    # The announcement is a polite live region (a11y.js makes xs-live one)
    # that stays in the page while empty, so that its changes are heard.
    assert LIVE in status.announce._dom_classes and SR_ONLY in status.announce._dom_classes
    assert status.announce.layout.display is None and status.announce.value == ""
    settings = WorkshopSettings(timer_ends=1_000.0, timer_seconds=600, lock_at={"design": 1_100.0})
    assert status.show(settings, now=700.0) is True
    assert "Discussion: " in status.timer.value and left(status.timer.value) == 300
    assert 'role="timer"' in status.timer.value and 'role="timer"' in status.countdown.value  # read on demand, not every second
    assert "The Design stage locks in" in status.countdown.value and left(status.countdown.value) == 400
    said = status.announce.value
    assert said == "The Design stage locks in 6:40. Discussion timer: 5:00 left."
    status.show(settings, now=701.0)
    assert status.announce.value == said  # the countdowns move; nothing is said again
    assert status.show(settings, now=1_050.0) is True  # the lock still counts down
    assert "Time is up" in status.timer.value and status.announce.value == "Time is up for this discussion."
    # A new timer while the lock counts down: only the timer is said.
    later = WorkshopSettings(timer_ends=1_150.0, timer_seconds=120, lock_at={"design": 1_100.0})
    status.show(later, now=1_060.0)
    assert status.announce.value == "Discussion timer: 1:30 left."
    assert status.show(later, now=1_200.0) is False  # nothing counts down any more
    assert status.countdown.layout.display == "none" and status.countdown.value == ""
    assert status.show(WorkshopSettings(), now=1_200.0) is False and status.value == ""
    assert status.announce.layout.display is None  # still in the page, empty


def test_a_timer_from_the_facilitator_counts_down_on_the_page(live, sqlite_store, workshop, timers, clock):
    book = live.stage_workbook("design")
    sqlite_store.start_timer(workshop.slug, 120)
    timers.run_due()  # the settings poll (3 s) finds it
    first = left(book.room.timer.value)
    assert 118 <= first <= 121
    assert TICK_SECONDS in [t.delay for t in timers.live]  # a step each second while it runs
    clock.now[0] += 5
    for t in [t for t in timers.live if t.delay == TICK_SECONDS]:
        t.cancelled = True
        t.callback()
    assert left(book.room.timer.value) == first - 5
    sqlite_store.stop_timer(workshop.slug)
    live.check_settings()
    assert book.room.timer.value == ""


def test_a_preheated_page_reads_the_room_again_when_its_visitor_arrives(live, sqlite_store, workshop, timers):
    # Built with a timer running (a pool kernel, minutes before anyone
    # opens it); the facilitator stops it; the visitor arrives before the
    # next poll and sees no timer.
    book = live.stage_workbook("design")
    sqlite_store.start_timer(workshop.slug, 300)
    live.check_settings()  # the preheated page's last poll
    assert left(book.room.timer.value) > 0
    sqlite_store.stop_timer(workshop.slug)
    live._arrived(None)  # what the request's arrival calls (Session._device_from_request)
    assert book.room.timer.value == ""


def test_a_lock_with_notice_keeps_unsaved_text_in_its_box(live, sign_in, sqlite_store, workshop, clock):
    book = live.stage_workbook("diagnosis")
    sign_in(live)
    form = book.panel(T1).form
    form.boxes["epp-1"].value = "Saved before the notice"
    live.flush()
    sqlite_store.lock_with_notice(workshop.slug, "diagnosis", 60)
    live.check_settings()
    assert "The Diagnosis stage locks in" in book.room.countdown.value and not book.locked
    form.boxes["epp-2"].value = "We want to hear what"  # still typing when the lock falls
    clock.now[0] += 61
    live.check_settings()
    assert book.locked and form.boxes["epp-2"].disabled
    assert form.boxes["epp-2"].value == "We want to hear what"  # on screen ...
    status = form.statuses["epp-2"].value
    assert status.startswith("Not saved: the facilitator locked the Diagnosis stage at ") and "copy it if you want to keep it" in status
    assert form.pending == ()  # ... and never saved: its save was cancelled
    rows = sqlite_store.answer_rows(workshop.slug, current=True)
    assert rows.set_index("question_id")["value"].to_dict() == {"epp-1": "Saved before the notice"}
    assert form.statuses["epp-1"].value.startswith("Saved")  # what was saved stays saved
    assert book.room.countdown.value == ""


def test_the_dot_vote_closes_and_reopens(live, sign_in, sqlite_store, workshop):
    page = live.priorities()
    sign_in(live)
    page.vote.counts[T1].value = 2
    assert live.store.current_for(workshop.slug, live.participant.id)[("dots", T1, "")] == "2"
    sqlite_store.set_vote(workshop.slug, open=False)
    live.check_settings()
    assert page.closed and page.disabled and page.vote.counts[T1].disabled
    assert page.notice.value == "The facilitator has closed the dot vote: your dots are shown read-only."
    with pytest.raises(Exception, match="the dot vote is closed by the facilitator"):
        sqlite_store.save_dots(workshop.slug, live.participant.id, {T1: 1})
    sqlite_store.set_vote(workshop.slug, open=True)
    live.check_settings()
    assert not page.closed and not page.vote.counts[T1].disabled and page.notice.value == ""


def test_todays_plan_orders_the_pages_and_follows_a_change(live, sqlite_store, workshop, kit):
    sqlite_store.set_plan(workshop.slug, [(T3, 20), ("share-discretion", 20), (T1, 15)])
    live.check_settings()
    book = live.stage_workbook("diagnosis")
    nav = book.nav
    buttons = [c for c in nav.children if c in nav.buttons.values()]
    ids = [next(t for t, b in nav.buttons.items() if b is c) for c in buttons]
    diagnosis = [t.id for t in kit.tools_in("diagnosis")]
    assert ids[:2] == [T3, T1] and sorted(ids[2:]) == sorted(set(diagnosis) - {T1, T3})
    assert nav.others in nav.children and book.value == T3
    assert all(("xs-tool-unplanned" in nav.buttons[t]._dom_classes) == (t not in (T1, T3)) for t in diagnosis)
    votes = live.priorities()
    rows = [c for c in votes.vote.children if c in votes.vote.rows.values()]
    assert [next(t for t, r in votes.vote.rows.items() if r is c) for c in rows][:3] == [T3, "share-discretion", T1]
    sqlite_store.clear_plan(workshop.slug)
    live.check_settings()
    assert nav.others not in nav.children and not any("xs-tool-unplanned" in b._dom_classes for b in nav.buttons.values())
    assert [c for c in votes.vote.children if c in votes.vote.rows.values()][0] is votes.vote.rows[kit.tools[0].id]


def test_the_countdown_stops_with_the_last_page(live, sqlite_store, workshop, timers):
    book = live.stage_workbook("design")
    sqlite_store.start_timer(workshop.slug, 300)
    live.check_settings()
    assert any(t.delay == TICK_SECONDS for t in timers.live)
    book.close()
    assert [t for t in timers.live if t.delay == TICK_SECONDS] == [] and not live.polling


def test_settings_that_plan_nothing_list_every_tool(kit):
    from toolkit.room import today

    assert today(kit, WorkshopSettings()) == ([t.id for t in kit.tools], [])
    first, rest = today(kit, WorkshopSettings(plan=(PlanSlot(T3, 5),)))
    assert first == [T3] and len(rest) == len(kit.tools) - 1
