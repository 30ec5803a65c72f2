"""The facilitator's controls as store verbs (toolkit/store/controls.py):
today's plan, the timer, locks with notice, the dot vote, hidden answers,
the presenter's section; each checked, each a change of the settings."""

from __future__ import annotations

import time

import pytest

from toolkit.errors import InvalidAnswer, NotFound, StageLocked, UnknownTool
from toolkit.store.values import VOTE

T1, T9 = "engage-potential-partners", "share-discretion"


@pytest.fixture
def ws(store):
    return store.create_workshop("Harbour Compact")


def test_plans_from_a_template_by_hand_and_none(store, ws, kit):
    s = store.use_plan(ws.slug, "first-meeting").settings
    assert s.plan_template == "first-meeting" and s.planned == tuple(kit.plan("first-meeting").tool_ids)
    assert [slot.minutes for slot in s.plan] == [20, 25, 20]
    assert store.use_plan(ws.slug, "half-day").settings.plan_template == "diagnosis-and-design"  # the start of its title
    s = store.set_plan(ws.slug, [("9", 30), (T1, None)]).settings
    assert s.planned == (T9, T1) and s.plan_template == "" and s.plan[1].minutes == kit.tool(T1).facilitation.minutes
    assert store.clear_plan(ws.slug).settings.plan == ()
    with pytest.raises(UnknownTool, match="unknown agenda template 'nope'"):
        store.use_plan(ws.slug, "nope")
    with pytest.raises(InvalidAnswer, match=r"plan\[1\]: tool 9 \(share-discretion\) is in the plan twice"):
        store.set_plan(ws.slug, [(T9, 10), ("9", 10)])
    with pytest.raises(UnknownTool, match="unknown tool '99'"):
        store.set_plan(ws.slug, [("99", 10)])
    assert store.workshop(ws.slug).settings.plan == ()  # nothing half-written


def test_the_timer(store, ws):
    before = time.time()
    s = store.start_timer(ws.slug, 600).settings
    assert s.timer_seconds == 600 and before + 600 <= s.timer_ends <= time.time() + 600
    assert 590 < s.timer_left() <= 600
    with pytest.raises(InvalidAnswer, match="expected 1 to 14,400 seconds"):
        store.start_timer(ws.slug, 0)
    assert store.stop_timer(ws.slug).settings.timer_left() is None


def test_a_lock_with_notice_falls_by_itself(store, ws, monkeypatch):
    p = store.add_participant(ws.slug, organization="Port", sector="business", table="T1")
    s = store.lock_with_notice(ws.slug, "1", 30).settings
    assert not s.is_locked("diagnosis") and 29 < s.locks_in("diagnosis") <= 30
    store.save_answer(ws.slug, p.id, T1, "epp-1", "still open")
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 31)  # half a minute later
    with pytest.raises(StageLocked, match="the Diagnosis stage is locked"):
        store.save_answer(ws.slug, p.id, T1, "epp-1", "too late")
    s = store.start_timer(ws.slug, 60).settings  # any change writes the lock down
    assert s.stages["diagnosis"] == "locked" and "diagnosis" not in s.lock_at
    monkeypatch.setattr(time, "time", real)
    assert store.open_stage(ws.slug, "diagnosis").settings.stage_state("diagnosis") == "open"
    s = store.lock_with_notice(ws.slug, "design", 60).settings
    assert store.lock_stage(ws.slug, "design").settings.lock_at == {} and s.lock_at["design"] > 0  # locked now: no notice left
    with pytest.raises(InvalidAnswer, match="lock notice: expected 1 to 14,400 seconds"):
        store.lock_with_notice(ws.slug, "design", 0)


def test_the_dot_vote_closes_at_once_or_with_notice(store, ws, monkeypatch):
    p = store.add_participant(ws.slug, organization="Port", sector="business", table="T1")
    store.save_dots(ws.slug, p.id, {T1: 2})
    assert store.set_vote(ws.slug, open=False).settings.vote_is_closed()
    with pytest.raises(StageLocked, match="the dot vote is closed by the facilitator"):
        store.save_dots(ws.slug, p.id, {T1: 1})
    assert not store.set_vote(ws.slug, open=True).settings.vote_is_closed()
    store.lock_with_notice(ws.slug, VOTE, 10)
    store.save_dots(ws.slug, p.id, {T1: 3})
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 11)
    with pytest.raises(StageLocked, match="the dot vote is closed"):
        store.save_dots(ws.slug, p.id, {T1: 1})
    assert store.current_for(ws.slug, p.id)[("dots", T1, "")] == "3"


def test_hiding_and_showing_an_answer(store, ws):
    p = store.add_participant(ws.slug, organization="Port", sector="business", table="T1")
    a = store.save_answer(ws.slug, p.id, T1, "epp-1", "Typed in the wrong box")
    assert store.hide_answer(ws.slug, a.id).settings.hidden == (a.id,)
    assert store.hide_answer(ws.slug, a.id).settings.hidden == (a.id,)  # twice is once
    assert [h.value for h in store.hidden_answers(ws.slug)] == ["Typed in the wrong box"]
    assert store.answer(ws.slug, a.id).value == "Typed in the wrong box"  # kept
    other = store.create_workshop("Elsewhere")
    with pytest.raises(NotFound, match=f"workshop 'elsewhere' has no answer {a.id}"):
        store.hide_answer(other.slug, a.id)
    with pytest.raises(InvalidAnswer, match="expected an answer id number, got -4"):
        store.hide_answer(ws.slug, -4)
    assert store.show_answer(ws.slug, a.id).settings.hidden == ()
    with pytest.raises(NotFound, match=f"answer {a.id} is not hidden"):
        store.show_answer(ws.slug, a.id)


def test_the_presenters_section_and_the_group_size(store, ws):
    assert store.show_screen(ws.slug, "heatmap").settings.screen == "heatmap"
    assert store.show_screen(ws.slug, "").settings.screen == ""
    with pytest.raises(InvalidAnswer, match="settings.screen: expected one of here, progress"):
        store.show_screen(ws.slug, "wall")
    assert store.update_settings(ws.slug, min_group=5).settings.min_group == 5
    with pytest.raises(InvalidAnswer, match="settings.min_group: expected a group size of 1 to 50, got 0"):
        store.update_settings(ws.slug, min_group=0)


def test_settings_of_an_older_store_read_with_their_defaults(store, ws):
    import json

    import sqlalchemy as sa

    from toolkit.store.schema import workshops

    with store.engine.begin() as conn:
        conn.execute(sa.update(workshops).where(workshops.c.id == ws.id).values(settings=json.dumps({"anonymous": True, "stages": {}, "ratings_revealed": False, "round": 1, "dots": 5})))
    s = store.workshop(ws.slug).settings
    assert (s.anonymous, s.plan, s.min_group, s.hidden, s.timer_ends, s.vote_closed) == (True, (), 3, (), None, False)
    assert store.start_timer(ws.slug, 60).settings.anonymous is True  # and change like any other
