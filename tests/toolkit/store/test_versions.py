"""No silent overwrite (issue #12 item 4), on both back ends: every save
names the answer row it was based on; a save on a stale base is refused,
kept in the superseded history, and the newer row comes back."""

from __future__ import annotations

import pytest

from toolkit import frames
from toolkit.errors import ChangedElsewhere, InvalidAnswer, StageLocked
from toolkit.store import AnswerStore

TOOL = "engage-potential-partners"
Q = "epp-1"


@pytest.fixture
def ws(store):
    return store.create_workshop("Riverside Partners")


@pytest.fixture
def ana(store, ws):
    return store.add_participant(ws.slug, name="Ana", organization="Food Bank", sector="nonprofit", table="T1")


def test_a_save_on_the_current_base_goes_through(store, ws, ana):
    first = store.save_answer(ws.slug, ana.id, TOOL, Q, "tab A's text", base=0)
    second = store.save_answer(ws.slug, ana.id, TOOL, Q, "tab A again", base=first.id)
    assert second.id > first.id
    assert store.current_for(ws.slug, ana.id)[("text", TOOL, Q)] == "tab A again"
    assert store.superseded(ws.slug) == []


def test_a_save_on_a_stale_base_is_refused_kept_and_returns_the_newer(store, ws, ana):
    seen = store.save_answer(ws.slug, ana.id, TOOL, Q, "what both tabs loaded", base=0)
    newer = store.save_answer(ws.slug, ana.id, TOOL, Q, "tab A's text", base=seen.id)
    with pytest.raises(ChangedElsewhere) as info:
        store.save_answer(ws.slug, ana.id, TOOL, Q, "tab B's text", base=seen.id)
    assert info.value.newer == newer and info.value.mine == "tab B's text"
    assert "changed in another tab or on another device" in str(info.value)
    # The newer answer is still current; tab B's text is in the history.
    assert store.current_for(ws.slug, ana.id)[("text", TOOL, Q)] == "tab A's text"
    [kept] = store.superseded(ws.slug, ana.id)
    assert (kept.value, kept.base_id, kept.newer_id, kept.kind, kept.tool_id, kept.question_id) == ("tab B's text", seen.id, newer.id, "text", TOOL, Q)
    # Current answers and the frames do not see it.
    rows = store.answer_rows(ws.slug)
    assert "tab B's text" not in set(rows["value"])
    assert "tab B's text" not in set(frames.all_frames(store, ws.slug)["answers"]["value"])
    # Choosing "keep mine" is a save on the newer base.
    mine = store.save_answer(ws.slug, ana.id, TOOL, Q, "tab B's text", base=newer.id)
    assert store.current_for(ws.slug, ana.id)[("text", TOOL, Q)] == "tab B's text"
    assert [r for r in store.answer_rows(ws.slug)["value"]] == ["what both tabs loaded", "tab A's text", "tab B's text"]
    assert mine.id > newer.id


def test_base_zero_means_nothing_was_seen(store, ws, ana):
    other_tab = store.save_answer(ws.slug, ana.id, TOOL, Q, "written first elsewhere", base=0)
    with pytest.raises(ChangedElsewhere) as info:
        store.save_answer(ws.slug, ana.id, TOOL, Q, "typed into an empty box", base=0)
    assert info.value.newer.id == other_tab.id


def test_the_same_text_on_a_stale_base_is_no_conflict(store, ws, ana):
    seen = store.save_answer(ws.slug, ana.id, TOOL, Q, "start", base=0)
    newer = store.save_answer(ws.slug, ana.id, TOOL, Q, "both typed this", base=seen.id)
    again = store.save_answer(ws.slug, ana.id, TOOL, Q, "both typed this", base=seen.id)
    assert again == newer
    assert store.count_answers(ws.slug) == 2 and store.superseded(ws.slug) == []


def test_no_base_saves_over_whatever_is_current(store, ws, ana):
    store.save_answer(ws.slug, ana.id, TOOL, Q, "one", base=0)
    store.save_answer(ws.slug, ana.id, TOOL, Q, "a script's text")
    assert store.current_for(ws.slug, ana.id)[("text", TOOL, Q)] == "a script's text"


@pytest.mark.parametrize("base", [-1, "3", 1.5, True])
def test_a_bad_base_is_refused(store, ws, ana, base):
    store.save_answer(ws.slug, ana.id, TOOL, Q, "one")
    with pytest.raises(InvalidAnswer, match="base must be the id of the answer last seen"):
        store.save_answer(ws.slug, ana.id, TOOL, Q, "two", base=base)
    assert store.count_answers(ws.slug) == 1


def test_a_locked_stage_refuses_before_any_version_check(store, ws, ana):
    seen = store.save_answer(ws.slug, ana.id, TOOL, Q, "one", base=0)
    store.save_answer(ws.slug, ana.id, TOOL, Q, "two", base=seen.id)
    store.lock_stage(ws.slug, "diagnosis")
    with pytest.raises(StageLocked):
        store.save_answer(ws.slug, ana.id, TOOL, Q, "three", base=seen.id)
    assert store.superseded(ws.slug) == []


def test_ratings_and_comments_are_versioned_too(store, ws, ana):
    seen = store.save_rating(ws.slug, ana.id, TOOL, 2, base=0)
    newer = store.save_rating(ws.slug, ana.id, TOOL, 4, base=seen.id)
    with pytest.raises(ChangedElsewhere) as info:
        store.save_rating(ws.slug, ana.id, TOOL, 1, base=seen.id)
    assert info.value.newer == newer
    comment = store.save_comment(ws.slug, ana.id, TOOL, "no shared data", base=0)
    with pytest.raises(ChangedElsewhere):
        store.save_comment(ws.slug, ana.id, TOOL, "other words", base=0)
    assert store.current_for(ws.slug, ana.id)[("comment", TOOL, "")] == comment.value
    assert [(s.kind, s.value) for s in store.superseded(ws.slug)] == [("rating", "1"), ("comment", "other words")]


def test_dots_are_versioned_per_tool(store, ws, ana):
    [seen] = store.save_dots(ws.slug, ana.id, {TOOL: 2}, bases={TOOL: 0})
    [newer] = store.save_dots(ws.slug, ana.id, {TOOL: 3}, bases={TOOL: seen.id})
    with pytest.raises(ChangedElsewhere) as info:
        store.save_dots(ws.slug, ana.id, {TOOL: 1, "share-discretion": 1}, bases={TOOL: seen.id, "share-discretion": 0})
    assert info.value.newer == newer
    # All or nothing: the other tool's dot was not placed either.
    assert store.current_for(ws.slug, ana.id) == {("dots", TOOL, ""): "3"}
    [kept] = store.superseded(ws.slug)
    assert (kept.kind, kept.tool_id, kept.value, kept.newer_id) == ("dots", TOOL, "1", newer.id)


def test_actions_are_versioned_by_their_update_time(store, ws, ana):
    action = store.add_action(ws.slug, TOOL, what="Map the partners", owner="Ana", participant_id=ana.id)
    moved = store.update_action(action.id, status="in progress", base=action.updated)
    assert moved.updated > action.updated
    with pytest.raises(ChangedElsewhere) as info:
        store.update_action(action.id, status="dropped", base=action.updated)
    assert info.value.newer.status == "in progress" and info.value.mine == {"status": "dropped"}
    assert store.actions(ws.slug)[0].status == "in progress"
    assert store.actions_version(ws.slug) == (1, moved.updated)


def test_changes_for_reads_only_this_participants_new_rows(store, ws, ana):
    ben = store.add_participant(ws.slug, name="Ben", organization="Port", sector="business", table="T2")
    first = store.save_answer(ws.slug, ana.id, TOOL, Q, "one")
    store.save_answer(ws.slug, ben.id, TOOL, Q, "Ben's")
    second = store.save_rating(ws.slug, ana.id, TOOL, 3)
    assert store.changes_for(ws.slug, ana.id, after_id=0) == [first, second]
    assert store.changes_for(ws.slug, ana.id, after_id=first.id) == [second]
    assert store.changes_for(ws.slug, ana.id, after_id=second.id) == []
    current = store.current_rows(ws.slug, ana.id)
    assert current == {("text", TOOL, Q): first, ("rating", TOOL, ""): second}


def test_two_tabs_saving_on_one_base_at_once_one_wins_one_is_kept(store_url, ws, ana, kit, at_once):
    """Two kernels (two tabs) save the same answer at the same moment on
    the same base: exactly one is current, the other is superseded."""
    setup = AnswerStore(store_url, kit=kit)
    seen = setup.save_answer(ws.slug, ana.id, TOOL, Q, "loaded in both tabs", base=0)
    stores = [AnswerStore(store_url, kit=kit) for _ in range(2)]
    outcomes = at_once([lambda i=i: stores[i].save_answer(ws.slug, ana.id, TOOL, Q, f"tab {i}", base=seen.id) for i in range(2)], ChangedElsewhere)
    refused = [o for o in outcomes if isinstance(o, ChangedElsewhere)]
    assert len(refused) == 1, outcomes
    current = setup.current_for(ws.slug, ana.id)[("text", TOOL, Q)]
    [kept] = setup.superseded(ws.slug)
    assert {current, kept.value} == {"tab 0", "tab 1"} and refused[0].mine == kept.value
    for s in (setup, *stores):
        s.close()
