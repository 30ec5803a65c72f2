"""Tables working together in the store (issue #15), on both back ends: one
spelling per table, the table answer with no silent overwrite, the poll
that reads a table's new rows, and a table signed in on one shared device."""

from __future__ import annotations

import pytest

from toolkit.errors import ChangedElsewhere, InvalidAnswer, StageLocked
from toolkit.store import AnswerStore

TOOL = "engage-potential-partners"
Q = "epp-1"
DEVICE = "t" * 43


@pytest.fixture
def ws(store):
    return store.create_workshop("Riverside Partners")


@pytest.fixture
def table(store, ws):
    """Ana and Ben at Table 1, Cy at Table 2."""
    people = [
        store.add_participant(ws.slug, name="Ana", organization="City", sector="government", table="Table 1"),
        store.add_participant(ws.slug, name="Ben", organization="Port", sector="business", table="table 1"),
        store.add_participant(ws.slug, name="Cy", organization="Trust", sector="nonprofit", table="Table 2"),
    ]
    return dict(zip(("ana", "ben", "cy"), people))


def test_a_table_is_one_table_however_its_members_type_it(store, ws, table):
    assert table["ben"].table == "Table 1"  # typed "table 1": the workshop's first spelling
    assert store.add_participant(ws.slug, organization="X", sector="other", table="  TABLE   1 ").table == "Table 1"
    assert [p.name for p in store.table_members(ws.slug, "table 1")] == ["Ana", "Ben", None]
    assert [p.name for p in store.table_members(ws.slug, "Table 2")] == ["Cy"]


def test_the_poll_reads_the_new_rows_of_the_tables_members_only(store, ws, table):
    ana, ben, cy = table["ana"], table["ben"], table["cy"]
    a1 = store.save_answer(ws.slug, ana.id, TOOL, Q, "Ana's")
    store.save_answer(ws.slug, cy.id, TOOL, Q, "Cy's, at another table")
    b1 = store.save_rating(ws.slug, ben.id, TOOL, 4)
    t1 = store.save_table_answer(ws.slug, "Table 1", TOOL, Q, "Ours", participant_id=ana.id, base=0)
    store.save_table_answer(ws.slug, "Table 2", TOOL, Q, "Theirs", participant_id=cy.id, base=0)

    got = store.table_changes(ws.slug, "Table 1", round=1)
    assert [(r.id, r.value) for r in got.answers] == [(a1.id, "Ana's"), (b1.id, "4")]
    assert [(r.id, r.value, r.participant_id) for r in got.table_answers] == [(t1.id, "Ours", ana.id)]
    # Only what is new after the ids seen; another round has nothing yet.
    later = store.save_answer(ws.slug, ben.id, TOOL, Q, "Ben's")
    again = store.table_changes(ws.slug, "Table 1", round=1, after_id=b1.id, after_table_id=t1.id)
    assert [r.id for r in again.answers] == [later.id] and again.table_answers == ()
    assert store.table_changes(ws.slug, "Table 1", round=2).answers == ()
    assert store.table_changes("no-such-workshop", "Table 1", round=1).answers == ()


def test_the_table_answer_is_never_overwritten_silently(store, ws, table):
    ana, ben = table["ana"], table["ben"]
    seen = store.save_table_answer(ws.slug, "Table 1", TOOL, Q, "Start", participant_id=ana.id, base=0)
    newer = store.save_table_answer(ws.slug, "Table 1", TOOL, Q, "Start, edited by Ben", participant_id=ben.id, base=seen.id)
    with pytest.raises(ChangedElsewhere) as info:
        store.save_table_answer(ws.slug, "Table 1", TOOL, Q, "Ana's stale edit", participant_id=ana.id, base=seen.id)
    assert info.value.newer == newer and info.value.mine == "Ana's stale edit"
    assert "another member of the table" in str(info.value)
    [current] = store.table_current(ws.slug, "Table 1").table_answers
    assert current == newer
    [kept] = store.table_superseded(ws.slug)
    assert (kept.value, kept.base_id, kept.newer_id, kept.participant_id, kept.table) == ("Ana's stale edit", seen.id, newer.id, ana.id, "Table 1")
    # The same text on a stale base is no conflict; keep mine saves on the newer base.
    assert store.save_table_answer(ws.slug, "Table 1", TOOL, Q, "Start, edited by Ben", participant_id=ana.id, base=seen.id) == newer
    mine = store.save_table_answer(ws.slug, "Table 1", TOOL, Q, "Ana's stale edit", participant_id=ana.id, base=newer.id)
    assert [r.value for r in store.table_answer_rows(ws.slug)] == ["Start", "Start, edited by Ben", "Ana's stale edit"]
    assert store.current_table_answers(ws.slug) == [mine]
    assert store.table_answers_version(ws.slug) == (3, mine.id)


def test_only_a_tables_members_and_its_device_write_its_answer(store, ws, table):
    with pytest.raises(InvalidAnswer, match="sits at 'Table 2', not at 'Table 1'"):
        store.save_table_answer(ws.slug, "Table 1", TOOL, Q, "x", participant_id=table["cy"].id, base=0)
    other = store.create_workshop("Elsewhere")
    stranger = store.add_participant(other.slug, organization="X", sector="other", table="Table 1")
    with pytest.raises(InvalidAnswer, match="another workshop"):
        store.save_table_answer(ws.slug, "Table 1", TOOL, Q, "x", participant_id=stranger.id, base=0)
    from_device = store.save_table_answer(ws.slug, "table 1", TOOL, Q, "From the laptop", participant_id=None, base=0)
    assert (from_device.table, from_device.participant_id) == ("Table 1", None)
    with pytest.raises(InvalidAnswer, match="control character"):
        store.save_table_answer(ws.slug, "Table 1", TOOL, Q, "bad\x07", participant_id=None, base=from_device.id)
    with pytest.raises(InvalidAnswer, match="base must be"):
        store.save_table_answer(ws.slug, "Table 1", TOOL, Q, "x", participant_id=None, base=-1)
    store.lock_stage(ws.slug, "diagnosis")
    with pytest.raises(StageLocked):
        store.save_table_answer(ws.slug, "Table 1", TOOL, Q, "x", participant_id=None, base=from_device.id)
    assert store.table_answers_version(ws.slug) == (1, from_device.id)


def test_a_table_signs_in_on_one_shared_device(store, ws, table):
    seat = store.sign_in_table(ws.slug, "TABLE 1", {"government": 2, "business": 1, "community": 0}, device=DEVICE)
    assert (seat.table, dict(seat.members)) == ("Table 1", {"government": 2, "business": 1})
    assert store.table_for_device(ws.slug, DEVICE) == seat
    assert store.participant_for_device(ws.slug, DEVICE) is None
    assert {name: dict(s.members) for name, s in store.table_seats(ws.slug).items()} == {"Table 1": {"government": 2, "business": 1}}
    # The laptop passed on to a person: it is theirs now, no longer the table's; and back.
    store.bind_device(ws.slug, DEVICE, table["ana"].id)
    assert store.table_for_device(ws.slug, DEVICE) is None and store.participant_for_device(ws.slug, DEVICE) == table["ana"]
    store.sign_in_table(ws.slug, "Table 1", {"government": 3}, device=DEVICE)
    assert store.participant_for_device(ws.slug, DEVICE) is None and dict(store.table_for_device(ws.slug, DEVICE).members) == {"government": 3}
    store.forget_device(ws.slug, DEVICE)
    assert store.table_for_device(ws.slug, DEVICE) is None
    # A new table's device names it first.
    assert store.sign_in_table(ws.slug, "Table 7", {"other": 4}).table == "Table 7"
    assert store.add_participant(ws.slug, organization="Y", sector="other", table="table 7").table == "Table 7"


@pytest.mark.parametrize(
    "members, problem",
    [
        ({}, "at least one"),
        ({"government": 0}, "at least one"),
        ({"government": -1}, "0 or more"),
        ({"government": True}, "whole number"),
        ({"aliens": 2}, "unknown sector"),
        ({"government": 51}, "at most 50"),
        (["government"], "expected sector -> number"),
    ],
)
def test_a_tables_members_are_checked(store, ws, members, problem):
    with pytest.raises(InvalidAnswer, match=problem):
        store.sign_in_table(ws.slug, "Table 1", members)


def test_two_members_saving_on_one_base_at_once_one_wins_one_is_kept(store_url, ws, table, kit, at_once):
    """Two kernels save the table answer at the same moment on the same
    base: exactly one is current, the other is kept as refused."""
    setup = AnswerStore(store_url, kit=kit)
    seen = setup.save_table_answer(ws.slug, "Table 1", TOOL, Q, "loaded on both pages", participant_id=table["ana"].id, base=0)
    stores = [AnswerStore(store_url, kit=kit) for _ in range(2)]
    authors = [table["ana"].id, table["ben"].id]
    outcomes = at_once(
        [lambda i=i: stores[i].save_table_answer(ws.slug, "Table 1", TOOL, Q, f"member {i}", participant_id=authors[i], base=seen.id) for i in range(2)],
        ChangedElsewhere,
    )
    refused = [o for o in outcomes if isinstance(o, ChangedElsewhere)]
    assert len(refused) == 1, outcomes
    [current] = setup.current_table_answers(ws.slug)
    [kept] = setup.table_superseded(ws.slug)
    assert {current.value, kept.value} == {"member 0", "member 1"} and refused[0].mine == kept.value
    for s in (setup, *stores):
        s.close()
