"""The answer store (issue #3) on both backends: workshops, participants,
append-only answers, ratings, dots, actions and the facilitator's settings;
then one test per bad input, each checking the exception type, that the
message names the problem, and that no row was written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from toolkit.errors import (
    InvalidAnswer,
    NotFound,
    StageLocked,
    ToolkitError,
    UnknownTool,
)
from toolkit.store import AnswerStore, checks
from toolkit.store.values import NOT_SURE, Action, Answer, Participant, Workshop, WorkshopSettings

TABLES = ("workshops", "participants", "answers", "actions")
DIAG_TOOL = "engage-potential-partners"  # stage 1
DESIGN_TOOL = "share-discretion"  # stage 2


def counts(store: AnswerStore) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def refused(store: AnswerStore, exc_type: type[Exception], needle: str, call: Callable[[], Any]) -> Exception:
    """``call`` raises exactly ``exc_type`` naming ``needle``, and writes nothing."""
    before = counts(store)
    with pytest.raises(exc_type) as info:
        call()
    assert type(info.value) is exc_type, f"{type(info.value).__name__}: {info.value}"
    assert needle in str(info.value), str(info.value)
    assert counts(store) == before
    return info.value


@pytest.fixture
def ws(store) -> Workshop:
    return store.create_workshop("Riverside Partners")


@pytest.fixture
def alice(store, ws) -> Participant:
    return store.add_participant(ws.slug, name="Alice Moreno", organization="City Parks", sector="government", table="Table 1")


@pytest.fixture
def bob(store, ws) -> Participant:
    return store.add_participant(ws.slug, name="Bob Lee", organization="River Trust", sector="nonprofit", table="Table 2")


def q(kit, tool_id: str, n: int = 0) -> str:
    return kit.tool(tool_id).questions[n].id


# --------------------------------------------------------------------------
# Workshops


def test_create_and_list_workshops(store):
    assert store.workshops() == []
    a = store.create_workshop("  Riverside Partners  ")
    b = store.create_workshop("Harbor Coalition 2026")
    assert (a.slug, a.title) == ("riverside-partners", "Riverside Partners")
    assert b.slug == "harbor-coalition-2026"
    assert [w.slug for w in store.workshops()] == [b.slug, a.slug]  # newest first
    assert store.workshop(a.slug) == a
    assert a.settings.round == 1 and not a.settings.anonymous and not a.settings.ratings_revealed
    assert a.settings.dots == 5 and a.settings.stage_state("design") == "open"
    assert counts(store)["workshops"] == 2


def test_slugs_are_unique(store):
    slugs = [store.create_workshop("Riverside Partners").slug for _ in range(3)]
    assert slugs == ["riverside-partners", "riverside-partners-2", "riverside-partners-3"]
    # A slug that is a prefix of a taken one is still free.
    assert store.create_workshop("Riverside").slug == "riverside"
    assert store.create_workshop("Other", slug="spring-2026").slug == "spring-2026"
    refused(store, InvalidAnswer, "'spring-2026' is already used", lambda: store.create_workshop("Again", slug="spring-2026"))
    refused(store, InvalidAnswer, "not a valid slug", lambda: store.create_workshop("Bad", slug="Bad Slug"))


def test_unknown_workshop(store, kit):
    refused(store, NotFound, "unknown workshop 'nope'", lambda: store.workshop("nope"))


# --------------------------------------------------------------------------
# Participants


def test_the_same_details_without_a_secret_are_another_participant(store, ws, alice):
    """Typing someone's name, organization and table finds nothing of theirs."""
    store.save_answer(ws.slug, alice.id, DIAG_TOOL, "epp-1", "Alice's own answer")
    again = store.add_participant(ws.slug, name="ALICE MORENO", organization="city parks", sector="business", table="table 1")
    assert again.id != alice.id
    assert store.current_for(ws.slug, again.id) == {}
    assert store.participant(alice.id).sector == "government"  # nothing of Alice's changed
    assert [p.id for p in store.participants(ws.slug)] == [alice.id, again.id]


def test_signing_in_again_with_the_secret_finds_the_participant_and_updates_the_sector(store, ws, alice):
    again = store.add_participant(ws.slug, name="alice moreno", organization="City Parks", sector="business", table="TABLE 1", known=alice.id)
    assert again.id == alice.id and again.sector == "business" and again.name == "Alice Moreno"  # the first spelling is kept
    assert store.participant(alice.id).sector == "business"
    assert counts(store)["participants"] == 1
    # The secret alone is not enough: other details are another person.
    other = store.add_participant(ws.slug, name="Alice Moreno", organization="City Parks", sector="government", table="Table 3", known=alice.id)
    assert other.id != alice.id


def test_anonymous_participants_and_the_label(store, ws):
    p = store.add_participant(ws.slug, organization="Food Bank", sector="nonprofit", table="T4")
    assert p.name is None and p.label == "Anonymous (Food Bank, T4)"
    # Two people without a name at the same table are two people.
    assert store.add_participant(ws.slug, name="", organization="FOOD BANK", sector="nonprofit", table="t4").id != p.id


def test_same_identity_in_two_workshops_is_two_participants(store, ws, alice):
    other = store.create_workshop("Other")
    p = store.add_participant(other.slug, name="Alice Moreno", organization="City Parks", sector="government", table="Table 1")
    assert p.id != alice.id and p.workshop_id == other.id


# --------------------------------------------------------------------------
# Answers: append-only, latest wins


def test_latest_answer_wins_and_history_is_kept(store, kit, ws, alice, bob):
    qid = q(kit, DIAG_TOOL)
    first = store.save_answer(ws.slug, alice.id, DIAG_TOOL, qid, "The river trust")
    store.save_answer(ws.slug, alice.id, DIAG_TOOL, qid, "The river trust and the port")
    last = store.save_answer(ws.slug, alice.id, DIAG_TOOL, qid, "  The port  ")
    store.save_answer(ws.slug, bob.id, DIAG_TOOL, qid, "Schools")
    assert isinstance(last, Answer) and last.id > first.id
    assert (last.kind, last.value, last.round, last.question_id) == ("text", "The port", 1, qid)
    assert store.current_for(ws.slug, alice.id) == {("text", DIAG_TOOL, qid): "The port"}
    assert store.current_for(ws.slug, bob.id) == {("text", DIAG_TOOL, qid): "Schools"}

    history = store.answer_rows(ws.slug)
    assert len(history) == 4
    mine = history[history.participant_id == alice.id]
    assert list(mine.value) == ["The river trust", "The river trust and the port", "The port"]
    current = store.answer_rows(ws.slug, current=True)
    assert sorted(current.value) == ["Schools", "The port"]
    assert store.count_answers(ws.slug) == 4 and store.count_answers() == 4


def test_answer_columns_read_what_is_asked_oldest_first(store, kit, ws, alice, bob):
    qid = q(kit, DIAG_TOOL)
    first = store.save_answer(ws.slug, alice.id, DIAG_TOOL, qid, "The river trust")
    store.save_rating(ws.slug, bob.id, DIAG_TOOL, 2)
    last = store.save_answer(ws.slug, alice.id, DIAG_TOOL, qid, "The port")
    other = store.create_workshop("Elsewhere")
    carol = store.add_participant(other.slug, organization="Port", sector="business", table="T")
    store.save_answer(other.slug, carol.id, DIAG_TOOL, qid, "Not this workshop")

    cols = store.answer_columns(ws.slug, ("id", "participant_id", "kind", "value", "created"))
    assert list(cols) == ["id", "participant_id", "kind", "value", "created"]
    assert list(cols["value"]) == ["The river trust", "2", "The port"]
    assert list(cols["kind"]) == ["text", "rating", "text"]
    assert list(cols["participant_id"]) == [alice.id, bob.id, alice.id]
    assert cols["id"].dtype == "int64" and cols["created"].dtype == "float64" and cols["value"].dtype == object
    assert cols["created"][0] == pytest.approx(first.created)

    current = store.answer_columns(ws.slug, ("id", "value"), current=True, round=1)
    assert list(current["value"]) == ["2", "The port"] and current["id"][-1] == last.id
    newer = store.answer_columns(ws.slug, ("id", "value"), round=1, after_id=first.id)
    assert list(newer["value"]) == ["2", "The port"]
    assert list(store.answer_columns(ws.slug, ("value",), after_id=last.id)["value"]) == []
    # A key rewritten after ``after_id`` gives only its newest row.
    assert list(store.answer_columns(ws.slug, ("value",), current=True, after_id=first.id - 1)["value"]) == ["2", "The port"]
    # Everything by default, in the same order as answer_rows' columns.
    assert tuple(store.answer_columns(ws.slug)) == tuple(store.answer_rows(ws.slug).columns)


def test_answer_ids_of_every_workshop_after_an_id_or_the_newest(store, kit, ws, alice):
    qid = q(kit, DIAG_TOOL)
    saved = [store.save_answer(ws.slug, alice.id, DIAG_TOOL, qid, f"answer {n}").id for n in range(3)]
    other = store.create_workshop("Elsewhere")
    carol = store.add_participant(other.slug, organization="Port", sector="business", table="T")
    saved.append(store.save_rating(other.slug, carol.id, DIAG_TOOL, 4).id)
    ids = store.answer_ids()
    assert ids.dtype == "int64" and list(ids) == saved  # both workshops, ascending
    assert list(store.answer_ids(after_id=saved[1])) == saved[2:]
    assert list(store.answer_ids(newest=2)) == saved[2:]
    assert list(store.answer_ids(after_id=saved[-1])) == [] and list(store.answer_ids(newest=10)) == saved


def test_answer_columns_of_a_workshop_without_answers(store, ws):
    cols = store.answer_columns(ws.slug, ("id", "value", "created"), current=True, round=1)
    assert [len(v) for v in cols.values()] == [0, 0, 0]
    assert (cols["id"].dtype, cols["value"].dtype, cols["created"].dtype) == ("int64", object, "float64")
    assert store.answer_rows(ws.slug).empty


def test_answer_columns_unknown_column(store, ws):
    with pytest.raises(ValueError, match="unknown column.*secret"):
        store.answer_columns(ws.slug, ("id", "secret"))


def test_current_answers_per_round_and_after_an_id(store, kit, ws, alice):
    qid = q(kit, DIAG_TOOL)
    store.save_answer(ws.slug, alice.id, DIAG_TOOL, qid, "one")
    mark = store.save_answer(ws.slug, alice.id, DIAG_TOOL, qid, "two")
    store.new_round(ws.slug)
    store.save_answer(ws.slug, alice.id, DIAG_TOOL, qid, "three")
    store.save_answer(ws.slug, alice.id, DIAG_TOOL, qid, "four")
    assert list(store.answer_rows(ws.slug, current=True)["value"]) == ["two", "four"]  # one per round
    assert list(store.answer_rows(ws.slug, current=True, round=1)["value"]) == ["two"]
    assert list(store.answer_rows(ws.slug, current=True, round=2)["value"]) == ["four"]
    assert list(store.answer_rows(ws.slug, round=2, after_id=mark.id)["value"]) == ["three", "four"]
    assert list(store.answer_rows(ws.slug, current=True, round=1, after_id=mark.id)["value"]) == []


def test_clearing_an_answer_is_an_empty_row(store, kit, ws, alice):
    qid = q(kit, DIAG_TOOL, 1)
    store.save_answer(ws.slug, alice.id, DIAG_TOOL, qid, "Something")
    store.save_answer(ws.slug, alice.id, DIAG_TOOL, qid, "   ")
    assert store.current_for(ws.slug, alice.id) == {("text", DIAG_TOOL, qid): ""}
    assert counts(store)["answers"] == 2


def test_text_is_normalised(store, kit, ws, alice):
    qid = q(kit, DIAG_TOOL)
    saved = store.save_answer(ws.slug, alice.id, DIAG_TOOL, qid, "line one\r\nline two\rline three\n\tindented\n")
    assert saved.value == "line one\nline two\nline three\n\tindented"
    assert store.answer_rows(ws.slug).value.iloc[-1] == saved.value
    nfd = "Cafe\u0301"
    assert store.save_answer(ws.slug, alice.id, DIAG_TOOL, qid, nfd).value == "Caf\u00e9"


def test_ratings_including_not_sure(store, ws, alice):
    assert store.save_rating(ws.slug, alice.id, DIAG_TOOL, 4).value == "4"
    assert store.current_for(ws.slug, alice.id) == {("rating", DIAG_TOOL, ""): "4"}
    assert store.save_rating(ws.slug, alice.id, DIAG_TOOL, None).value == NOT_SURE
    assert store.current_for(ws.slug, alice.id) == {("rating", DIAG_TOOL, ""): NOT_SURE}
    assert store.save_rating(ws.slug, alice.id, DESIGN_TOOL, NOT_SURE).value == NOT_SURE
    for value in (1, 5):
        assert store.save_rating(ws.slug, alice.id, DESIGN_TOOL, value).value == str(value)
    assert counts(store)["answers"] == 5


def test_comment_goes_with_a_rating(store, ws, alice):
    saved = store.save_comment(ws.slug, alice.id, DIAG_TOOL, "We have not mapped the schools yet.")
    assert (saved.kind, saved.question_id) == ("comment", "")
    assert store.current_for(ws.slug, alice.id)[("comment", DIAG_TOOL, "")] == "We have not mapped the schools yet."


# --------------------------------------------------------------------------
# Dots


def _dots(store, ws, p) -> dict[str, int]:
    return {tool: int(v) for (kind, tool, _), v in store.current_for(ws.slug, p.id).items() if kind == "dots"}


def test_dots_within_budget(store, ws, alice):
    saved = store.save_dots(ws.slug, alice.id, {DIAG_TOOL: 2, DESIGN_TOOL: 3})
    assert [(a.tool_id, a.value, a.kind) for a in saved] == [(DIAG_TOOL, "2", "dots"), (DESIGN_TOOL, "3", "dots")]
    assert _dots(store, ws, alice) == {DIAG_TOOL: 2, DESIGN_TOOL: 3}
    # Moving dots: tools not named keep theirs; unchanged values write nothing.
    moved = store.save_dots(ws.slug, alice.id, {DESIGN_TOOL: 1, "tell-the-story": 2})
    assert [a.tool_id for a in moved] == [DESIGN_TOOL, "tell-the-story"]
    assert _dots(store, ws, alice) == {DIAG_TOOL: 2, DESIGN_TOOL: 1, "tell-the-story": 2}
    before = counts(store)
    assert store.save_dots(ws.slug, alice.id, {DIAG_TOOL: 2}) == []
    assert counts(store) == before


def test_dots_over_budget_are_refused_and_nothing_is_written(store, ws, alice):
    store.save_dots(ws.slug, alice.id, {DIAG_TOOL: 2, DESIGN_TOOL: 2})
    refused(store, InvalidAnswer, "6 dots placed but each participant has 5", lambda: store.save_dots(ws.slug, alice.id, {"tell-the-story": 2}))
    refused(store, InvalidAnswer, "6 dots placed", lambda: store.save_dots(ws.slug, alice.id, {DIAG_TOOL: 0, "tell-the-story": 1, "identify-a-manager": 3, DESIGN_TOOL: 2}))
    assert _dots(store, ws, alice) == {DIAG_TOOL: 2, DESIGN_TOOL: 2}


def test_dots_budget_follows_the_setting(store, ws, alice):
    store.update_settings(ws.slug, dots=8)
    store.save_dots(ws.slug, alice.id, {DIAG_TOOL: 8})
    refused(store, InvalidAnswer, "9 dots placed but each participant has 8", lambda: store.save_dots(ws.slug, alice.id, {DESIGN_TOOL: 1}))


def test_dots_transaction_is_all_or_nothing(store, ws, alice, monkeypatch):
    store.save_dots(ws.slug, alice.id, {DIAG_TOOL: 1})
    real = AnswerStore._insert_answer
    calls = []

    def fail_on_second(self, *args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("the connection dropped mid-transaction")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(AnswerStore, "_insert_answer", fail_on_second)
    before = counts(store)
    with pytest.raises(RuntimeError):
        store.save_dots(ws.slug, alice.id, {DIAG_TOOL: 2, DESIGN_TOOL: 2})
    assert len(calls) == 2  # the first insert ran, and was rolled back
    assert counts(store) == before
    monkeypatch.undo()
    assert _dots(store, ws, alice) == {DIAG_TOOL: 1}


@pytest.mark.parametrize("bad", [-1, 1.5, "2", True, None])
def test_dots_bad_number(store, ws, alice, bad):
    refused(store, InvalidAnswer, "expected a whole number of 0 or more", lambda: store.save_dots(ws.slug, alice.id, {DIAG_TOOL: bad}))


def test_dots_unknown_tool(store, ws, alice):
    refused(store, UnknownTool, "unknown tool 'no-such-tool'", lambda: store.save_dots(ws.slug, alice.id, {DIAG_TOOL: 1, "no-such-tool": 1}))


# --------------------------------------------------------------------------
# Actions


def test_actions_add_update_list(store, ws, alice):
    a = store.add_action(ws.slug, DIAG_TOOL, what="Map the schools near the river", owner="Alice Moreno", owner_sector="government", due="2026-05-01", participant_id=alice.id)
    b = store.add_action(ws.slug, DESIGN_TOOL, what="Draft a decision matrix", owner="Bob Lee", due=dt.date(2026, 6, 15))
    assert isinstance(a, Action)
    assert (a.what, a.owner, a.owner_sector, a.due, a.status, a.participant_id) == (
        "Map the schools near the river", "Alice Moreno", "government", "2026-05-01", "open", alice.id,
    )
    assert (b.due, b.owner_sector, b.participant_id) == ("2026-06-15", None, None)
    assert [x.id for x in store.actions(ws.slug)] == [a.id, b.id]
    assert store.actions(ws.slug, DESIGN_TOOL) == [b]

    changed = store.update_action(a.id, status="in progress", due=None, owner_sector="business", what="Map the schools and clinics")
    assert (changed.status, changed.due, changed.owner_sector, changed.what) == ("in progress", None, "business", "Map the schools and clinics")
    assert changed.updated >= a.updated and changed.created == a.created
    assert store.actions(ws.slug)[0] == changed
    assert counts(store)["actions"] == 2


def test_update_unknown_action(store, ws):
    refused(store, NotFound, "unknown action 999", lambda: store.update_action(999, status="done"))


def test_update_action_unknown_field(store, ws):
    a = store.add_action(ws.slug, DIAG_TOOL, what="x", owner="y")
    refused(store, InvalidAnswer, "unknown field 'colour'", lambda: store.update_action(a.id, colour="red"))


def test_action_bad_status(store, ws):
    refused(store, InvalidAnswer, "action status", lambda: store.add_action(ws.slug, DIAG_TOOL, what="x", owner="y", status="finished"))
    a = store.add_action(ws.slug, DIAG_TOOL, what="x", owner="y")
    refused(store, InvalidAnswer, "got 'finished'", lambda: store.update_action(a.id, status="finished"))


# --------------------------------------------------------------------------
# Settings, rounds, stages


def test_settings_anonymous_and_reveal(store, ws):
    changed = store.update_settings(ws.slug, anonymous=True, ratings_revealed=True)
    assert changed.settings.anonymous and changed.settings.ratings_revealed
    assert store.workshop(ws.slug).settings == changed.settings
    assert not store.update_settings(ws.slug, ratings_revealed=False).settings.ratings_revealed
    assert store.workshop(ws.slug).settings.anonymous


@pytest.mark.parametrize(
    "changes, needle",
    [({"colour": "red"}, "unknown setting 'colour'"), ({"anonymous": "yes"}, "settings.anonymous"), ({"round": 0}, "rounds start at 1"), ({"dots": 0}, "1 to 50")],
)
def test_bad_settings(store, ws, changes, needle):
    refused(store, InvalidAnswer, needle, lambda: store.update_settings(ws.slug, **changes))
    assert store.workshop(ws.slug).settings == ws.settings


def test_settings_within_the_limits_of_checks(store, ws):
    refused(store, InvalidAnswer, "settings.round: 1000000000000000000000000000000 is more rounds than a workshop can have (at most 1,000)", lambda: store.update_settings(ws.slug, round=10**30))
    refused(store, InvalidAnswer, "settings.dots: expected 1 to 50 dots per participant, got 51", lambda: store.update_settings(ws.slug, dots=51))
    assert store.update_settings(ws.slug, round=checks.MAX_ROUND).settings.round == 1000
    refused(store, InvalidAnswer, "settings.round: 1001 is more rounds than a workshop can have", lambda: store.new_round(ws.slug))
    assert store.workshop(ws.slug).settings.round == 1000


def test_a_new_workshop_gets_checked_settings(store, kit):
    ws = store.create_workshop("Locked design", settings=WorkshopSettings(dots=8).with_stage("design", "locked"))
    assert (ws.settings.dots, ws.settings.is_locked("design")) == (8, True)
    refused(store, InvalidAnswer, "settings.dots: expected 1 to 50 dots per participant, got 0", lambda: store.create_workshop("No dots", settings=WorkshopSettings(dots=0)))
    refused(store, InvalidAnswer, "settings.stages: unknown stage 'dessert'", lambda: store.create_workshop("Odd", settings=WorkshopSettings().with_stage("dessert", "open")))


def test_the_budget_cannot_drop_below_dots_already_placed(store, ws, alice, bob):
    store.update_settings(ws.slug, dots=8)
    store.save_dots(ws.slug, alice.id, {DIAG_TOOL: 4, DESIGN_TOOL: 3})
    store.save_dots(ws.slug, bob.id, {DIAG_TOOL: 2})
    store.new_round(ws.slug)  # dots placed in an earlier round count too
    refused(store, InvalidAnswer, "settings.dots: 7 dots placed but each participant has 6; take some back first", lambda: store.update_settings(ws.slug, dots=6))
    assert store.workshop(ws.slug).settings.dots == 8
    assert store.update_settings(ws.slug, dots=7).settings.dots == 7
    assert store.update_settings(ws.slug, dots=20).settings.dots == 20


def test_new_round_starts_empty_and_keeps_old_rows(store, kit, ws, alice):
    qid = q(kit, DIAG_TOOL)
    store.save_answer(ws.slug, alice.id, DIAG_TOOL, qid, "Round one answer")
    store.save_rating(ws.slug, alice.id, DIAG_TOOL, 2)
    assert store.new_round(ws.slug).settings.round == 2
    assert store.current_for(ws.slug, alice.id) == {}
    assert store.current_for(ws.slug, alice.id, round=1) == {("text", DIAG_TOOL, qid): "Round one answer", ("rating", DIAG_TOOL, ""): "2"}
    saved = store.save_rating(ws.slug, alice.id, DIAG_TOOL, 4)
    assert saved.round == 2
    assert store.current_for(ws.slug, alice.id) == {("rating", DIAG_TOOL, ""): "4"}
    rows = store.answer_rows(ws.slug)
    assert sorted(rows["round"]) == [1, 1, 2]
    assert len(store.answer_rows(ws.slug, round=1)) == 2
    assert len(store.answer_rows(ws.slug, current=True)) == 3  # the newest per key, per round
    # Dots are per round too: the budget starts again.
    store.save_dots(ws.slug, alice.id, {DIAG_TOOL: 5})
    store.new_round(ws.slug)
    store.save_dots(ws.slug, alice.id, {DESIGN_TOOL: 5})


def test_lock_and_open_a_stage(store, kit, ws, alice):
    locked = store.lock_stage(ws.slug, "design")
    assert locked.settings.is_locked("design") and not locked.settings.is_locked("diagnosis")
    refused(store, StageLocked, "the Design stage is locked", lambda: store.save_answer(ws.slug, alice.id, DESIGN_TOOL, q(kit, DESIGN_TOOL), "x"))
    store.save_answer(ws.slug, alice.id, DIAG_TOOL, q(kit, DIAG_TOOL), "still open")
    opened = store.open_stage(ws.slug, "design")
    assert not opened.settings.is_locked("design")
    assert store.save_answer(ws.slug, alice.id, DESIGN_TOOL, q(kit, DESIGN_TOOL), "now open").value == "now open"


def test_lock_a_stage_by_number_stores_its_id(store, ws):
    assert dict(store.lock_stage(ws.slug, 2).settings.stages) == {"design": "locked"}
    assert dict(store.open_stage(ws.slug, "2").settings.stages) == {"design": "open"}


def test_lock_unknown_stage(store, ws):
    refused(store, UnknownTool, "unknown stage 'planning'", lambda: store.lock_stage(ws.slug, "planning"))


def test_repr_and_backend(store):
    assert store.backend in ("sqlite", "postgresql")
    assert repr(store).startswith("<AnswerStore ")
    assert "***" in repr(store) or "@" not in repr(store) or store.backend == "postgresql"


# --------------------------------------------------------------------------
# Bad inputs: one test each; the exception, its message, and no row written


def test_save_to_unknown_workshop(store, kit, ws, alice):
    refused(store, NotFound, "unknown workshop 'no-such-workshop'", lambda: store.save_answer("no-such-workshop", alice.id, DIAG_TOOL, q(kit, DIAG_TOOL), "x"))


def test_participant_of_unknown_workshop(store, ws):
    refused(store, NotFound, "unknown workshop 'nope'", lambda: store.add_participant("nope", organization="A", sector="business", table="T"))


def test_unknown_participant(store, kit, ws, alice):
    refused(store, NotFound, "unknown participant 9999", lambda: store.save_answer(ws.slug, 9999, DIAG_TOOL, q(kit, DIAG_TOOL), "x"))


@pytest.mark.parametrize("bad", ["1", True, None, 1.0])
def test_participant_id_not_a_number(store, kit, ws, alice, bad):
    refused(store, InvalidAnswer, "expected a participant id number", lambda: store.save_answer(ws.slug, bad, DIAG_TOOL, q(kit, DIAG_TOOL), "x"))


def test_participant_of_another_workshop(store, kit, ws, alice):
    other = store.create_workshop("Other Workshop")
    refused(store, InvalidAnswer, f"participant {alice.id} signed in to another workshop, not 'other-workshop'", lambda: store.save_answer(other.slug, alice.id, DIAG_TOOL, q(kit, DIAG_TOOL), "x"))


def test_rating_by_a_participant_of_another_workshop(store, ws, alice):
    other = store.create_workshop("Other Workshop")
    refused(store, InvalidAnswer, "another workshop", lambda: store.save_rating(other.slug, alice.id, DIAG_TOOL, 3))


def test_action_by_a_participant_of_another_workshop(store, ws, alice):
    other = store.create_workshop("Other Workshop")
    refused(store, InvalidAnswer, "another workshop", lambda: store.add_action(other.slug, DIAG_TOOL, what="x", owner="y", participant_id=alice.id))


def test_unknown_tool(store, kit, ws, alice):
    refused(store, UnknownTool, "unknown tool 'no-such-tool'", lambda: store.save_answer(ws.slug, alice.id, "no-such-tool", q(kit, DIAG_TOOL), "x"))


def test_unknown_tool_for_a_rating(store, ws, alice):
    refused(store, UnknownTool, "unknown tool 'no-such-tool'", lambda: store.save_rating(ws.slug, alice.id, "no-such-tool", 3))


def test_unknown_tool_for_an_action(store, ws):
    refused(store, UnknownTool, "unknown tool 'no-such-tool'", lambda: store.add_action(ws.slug, "no-such-tool", what="x", owner="y"))


def test_unknown_question(store, ws, alice):
    refused(store, UnknownTool, "unknown question 'epp-99'", lambda: store.save_answer(ws.slug, alice.id, DIAG_TOOL, "epp-99", "x"))


def test_question_of_another_tool(store, kit, ws, alice):
    other_q = q(kit, DESIGN_TOOL)
    refused(store, UnknownTool, f"question {other_q!r} belongs to {DESIGN_TOOL!r}, not to tool 1 {DIAG_TOOL!r}", lambda: store.save_answer(ws.slug, alice.id, DIAG_TOOL, other_q, "x"))


@pytest.mark.parametrize("bad", [0, 6, "3", True, 3.0, -1])
def test_rating_outside_the_scale(store, ws, alice, bad):
    refused(store, InvalidAnswer, f"rating for tool 1: rating {bad!r} is outside the scale 1-5", lambda: store.save_rating(ws.slug, alice.id, DIAG_TOOL, bad))


def test_unknown_sector_for_a_participant(store, ws):
    refused(store, InvalidAnswer, "unknown sector 'aliens'", lambda: store.add_participant(ws.slug, organization="A", sector="aliens", table="T"))


def test_unknown_sector_for_an_action_owner(store, ws):
    refused(store, InvalidAnswer, "owner's sector: unknown sector 'aliens'", lambda: store.add_action(ws.slug, DIAG_TOOL, what="x", owner="y", owner_sector="aliens"))


def test_unknown_sector_when_updating_an_action(store, ws):
    a = store.add_action(ws.slug, DIAG_TOOL, what="x", owner="y")
    refused(store, InvalidAnswer, "unknown sector 'aliens'", lambda: store.update_action(a.id, owner_sector="aliens"))


@pytest.mark.parametrize("field", ["organization", "table"])
def test_participant_missing_required_field(store, ws, field):
    values = {"organization": "A", "sector": "business", "table": "T"} | {field: "  "}
    refused(store, InvalidAnswer, f"{field}: must not be empty", lambda: store.add_participant(ws.slug, **values))


def test_participant_name_too_long(store, ws):
    refused(store, InvalidAnswer, "name: 121 characters is over the limit of 120", lambda: store.add_participant(ws.slug, name="n" * 121, organization="A", sector="business", table="T"))


def test_answer_of_20000_characters_is_accepted(store, kit, ws, alice):
    text = "a" * checks.MAX_ANSWER_CHARS
    assert len(text) == 20_000
    saved = store.save_answer(ws.slug, alice.id, DIAG_TOOL, q(kit, DIAG_TOOL), text)
    assert store.answer_rows(ws.slug).value.iloc[0] == text == saved.value


def test_answer_of_20001_characters_is_refused(store, kit, ws, alice):
    refused(store, InvalidAnswer, "20,001 characters is over the limit of 20,000", lambda: store.save_answer(ws.slug, alice.id, DIAG_TOOL, q(kit, DIAG_TOOL), "a" * 20_001))


def test_answer_not_text(store, kit, ws, alice):
    refused(store, InvalidAnswer, "expected text, got int", lambda: store.save_answer(ws.slug, alice.id, DIAG_TOOL, q(kit, DIAG_TOOL), 42))


def test_answer_with_nul(store, kit, ws, alice):
    refused(store, InvalidAnswer, "contains NUL (U+0000) at position 4", lambda: store.save_answer(ws.slug, alice.id, DIAG_TOOL, q(kit, DIAG_TOOL), "abc\x00def"))


@pytest.mark.parametrize("char", ["\x07", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f"])
def test_answer_with_a_control_character(store, kit, ws, alice, char):
    refused(store, InvalidAnswer, f"contains a control character (U+{ord(char):04X}) at position 3", lambda: store.save_answer(ws.slug, alice.id, DIAG_TOOL, q(kit, DIAG_TOOL), f"ab{char}cd"))


def test_comment_with_a_control_character(store, ws, alice):
    refused(store, InvalidAnswer, "comment on tool 1: contains NUL", lambda: store.save_comment(ws.slug, alice.id, DIAG_TOOL, "\x00"))


def test_participant_with_a_control_character(store, ws):
    refused(store, InvalidAnswer, "organization: contains a control character (U+001B)", lambda: store.add_participant(ws.slug, organization="\x1b[31mRed", sector="business", table="T"))


def test_tab_and_newline_are_allowed(store, kit, ws, alice):
    saved = store.save_answer(ws.slug, alice.id, DIAG_TOOL, q(kit, DIAG_TOOL), "first\tcolumn\nsecond line")
    assert saved.value == "first\tcolumn\nsecond line"
    assert store.current_for(ws.slug, alice.id)[("text", DIAG_TOOL, q(kit, DIAG_TOOL))] == "first\tcolumn\nsecond line"


def test_crlf_is_normalised(store, kit, ws, alice):
    saved = store.save_answer(ws.slug, alice.id, DIAG_TOOL, q(kit, DIAG_TOOL), "one\r\ntwo\r\n\r\nthree")
    assert saved.value == "one\ntwo\n\nthree"
    assert "\r" not in store.answer_rows(ws.slug).value.iloc[0]


def test_answer_to_a_locked_stage(store, kit, ws, alice):
    store.lock_stage(ws.slug, "design")
    refused(store, StageLocked, "the Design stage is locked by the facilitator", lambda: store.save_answer(ws.slug, alice.id, DESIGN_TOOL, q(kit, DESIGN_TOOL), "x"))


def test_rating_in_a_locked_stage(store, ws, alice):
    store.lock_stage(ws.slug, "design")
    refused(store, StageLocked, "the Design stage is locked", lambda: store.save_rating(ws.slug, alice.id, DESIGN_TOOL, 3))


def test_comment_in_a_locked_stage(store, ws, alice):
    store.lock_stage(ws.slug, 2)
    refused(store, StageLocked, "the Design stage is locked", lambda: store.save_comment(ws.slug, alice.id, DESIGN_TOOL, "x"))


def test_action_in_a_locked_stage(store, ws):
    store.lock_stage(ws.slug, "diagnosis")
    refused(store, StageLocked, "the Diagnosis stage is locked", lambda: store.add_action(ws.slug, DIAG_TOOL, what="x", owner="y"))


def test_action_update_in_a_locked_stage(store, ws):
    a = store.add_action(ws.slug, DIAG_TOOL, what="x", owner="y")
    store.lock_stage(ws.slug, "diagnosis")
    refused(store, StageLocked, "the Diagnosis stage is locked", lambda: store.update_action(a.id, status="done"))
    assert store.actions(ws.slug)[0].status == "open"


@pytest.mark.parametrize("what", ["", "   ", "\n\t\n"])
def test_empty_action_text(store, ws, what):
    refused(store, InvalidAnswer, "action: must not be empty", lambda: store.add_action(ws.slug, DIAG_TOOL, what=what, owner="y"))


def test_action_text_too_long(store, ws):
    refused(store, InvalidAnswer, "action: 2,001 characters is over the limit of 2,000", lambda: store.add_action(ws.slug, DIAG_TOOL, what="w" * 2001, owner="y"))


def test_empty_action_owner(store, ws):
    refused(store, InvalidAnswer, "owner: must not be empty", lambda: store.add_action(ws.slug, DIAG_TOOL, what="x", owner=""))


@pytest.mark.parametrize("due", ["2026-02-30", "tomorrow", "31/12/2026", 20261231])
def test_bad_due_date(store, ws, due):
    refused(store, InvalidAnswer, "due date: expected a date like 2026-12-31", lambda: store.add_action(ws.slug, DIAG_TOOL, what="x", owner="y", due=due))


def test_bad_due_date_on_update(store, ws):
    a = store.add_action(ws.slug, DIAG_TOOL, what="x", owner="y", due="2026-01-01")
    refused(store, InvalidAnswer, "due date: expected a date like", lambda: store.update_action(a.id, due="someday"))
    assert store.actions(ws.slug)[0].due == "2026-01-01"


def test_empty_workshop_title(store):
    refused(store, InvalidAnswer, "workshop title: must not be empty", lambda: store.create_workshop("  "))


def test_read_only_store_refuses_writes(store, store_url, kit, ws, alice):
    store.save_answer(ws.slug, alice.id, DIAG_TOOL, q(kit, DIAG_TOOL), "written before")
    ro = AnswerStore(store_url, read_only=True)
    try:
        assert ro.read_only and "read-only" in repr(ro)
        # Reading works.
        assert [w.slug for w in ro.workshops()] == [ws.slug]
        assert ro.current_for(ws.slug, alice.id) == {("text", DIAG_TOOL, q(kit, DIAG_TOOL)): "written before"}
        # Every write verb is refused.
        writes = [
            lambda: ro.create_workshop("New"),
            lambda: ro.add_participant(ws.slug, organization="A", sector="business", table="T"),
            lambda: ro.save_answer(ws.slug, alice.id, DIAG_TOOL, q(kit, DIAG_TOOL), "x"),
            lambda: ro.save_rating(ws.slug, alice.id, DIAG_TOOL, 3),
            lambda: ro.save_dots(ws.slug, alice.id, {DIAG_TOOL: 1}),
            lambda: ro.add_action(ws.slug, DIAG_TOOL, what="x", owner="y"),
            lambda: ro.update_settings(ws.slug, anonymous=True),
            lambda: ro.lock_stage(ws.slug, "design"),
        ]
        for write in writes:
            refused(store, ToolkitError, "read-only", write)
    finally:
        ro.close()


def test_read_only_connection_cannot_write_even_bypassing_the_store(store, store_url, ws):
    ro = AnswerStore(store_url, read_only=True)
    try:
        before = counts(store)
        with pytest.raises(sa.exc.DBAPIError, match="(?i)read.?only"):
            with ro.engine.begin() as conn:
                conn.execute(sa.text("DELETE FROM workshops"))
        assert counts(store) == before
    finally:
        ro.close()


def test_read_only_store_that_does_not_exist(tmp_path):
    with pytest.raises(ToolkitError, match="cannot open the store"):
        AnswerStore(f"sqlite:///{tmp_path / 'missing.sqlite'}", read_only=True)
