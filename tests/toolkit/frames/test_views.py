"""The view rule (toolkit.frames.views) and the rows no view can show
(toolkit.frames.rows), on the frames themselves."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from toolkit.frames import BadRow, LiveFrames, View, all_frames, audience, for_view, summary
from toolkit.frames.rows import is_time
from toolkit import room as room_mod
from toolkit.frames.views import PARTICIPANT_OWNER, plural
from toolkit.store import schema
from toolkit.store.values import WorkshopSettings

T1 = "engage-potential-partners"


@pytest.fixture
def room(store):
    ws = store.create_workshop("Eastside Compact")
    s = ws.slug
    a = store.add_participant(s, name="Ilse Marchbanks", organization="Eastside Clinic", sector="government", table="Table 1")
    b = store.add_participant(s, name=None, organization="Dunmore Bakery", sector="business", table="Table 2")
    store.save_answer(s, a.id, T1, "epp-1", "The clinic's patients")
    store.save_answer(s, b.id, T1, "epp-1", "Corner shops")
    store.save_rating(s, a.id, T1, 4)
    store.save_dots(s, b.id, {T1: 2})
    store.add_action(s, T1, what="Call round", owner="ilse marchbanks")
    store.add_action(s, T1, what="Bake for the launch", owner="Dunmore Bakery")
    store.add_action(s, T1, what="Book the hall", owner="Parish Council")
    store.update_settings(s, min_group=1)  # small groups: see test_small_groups_*
    return s


@pytest.mark.parametrize(
    "anonymous, revealed, view, names, ratings",
    [
        (False, False, View.DASHBOARD, True, False),
        (False, True, View.DASHBOARD, True, True),
        (True, True, View.DASHBOARD, False, True),
        (True, False, View.GUIDE, False, True),
        (True, False, View.SPREADSHEET, False, True),
        (True, False, View.CONSOLE, False, True),
        (True, False, View.BACKUP, True, True),
        (False, False, View.GUIDE, True, True),
    ],
)
def test_the_rule(anonymous, revealed, view, names, ratings):
    shown = audience(WorkshopSettings(anonymous=anonymous, ratings_revealed=revealed), view)
    assert (shown.names, shown.ratings) == (names, ratings)


def test_anonymous_frames_have_no_names_or_organizations(store, room):
    store.update_settings(room, anonymous=True)
    frames = for_view(store, room, View.GUIDE)
    for name in ("participants", "answers", "current_answers"):
        df = frames[name]
        assert len(df) and (df["name"] == "").all() and (df["organization"] == "").all(), name
        assert set(df["sector"]) == {"government", "business"}  # sectors and tables stay
    owners = dict(zip(frames["actions"]["what"], frames["actions"]["owner"]))
    # Only an owner who is a participant's name is masked: an organization
    # or a role typed as owner keeps the plan usable.
    assert owners == {"Call round": PARTICIPANT_OWNER, "Bake for the launch": "Dunmore Bakery", "Book the hall": "Parish Council"}
    # The ratings and the rest are untouched.
    assert frames["ratings"].query("sector == 'all'")["mean"].tolist() == [4.0]
    pd.testing.assert_frame_equal(frames["ratings"], all_frames(store, room)["ratings"])


def test_named_frames_and_the_backup_keep_names(store, room):
    for view in (View.DASHBOARD, View.GUIDE, None):
        frames = all_frames(store, room, view=view)
        assert frames["participants"]["name"].tolist() == ["Ilse Marchbanks", ""]
        assert frames["actions"]["owner"].tolist()[0] == "ilse marchbanks"
    store.update_settings(room, anonymous=True)
    frames = for_view(store, room, View.BACKUP)
    assert frames["participants"]["organization"].tolist() == ["Eastside Clinic", "Dunmore Bakery"]


def test_live_frames_follow_the_rule_when_it_changes(store, room):
    live = LiveFrames(store, room, view=View.DASHBOARD)
    assert "Ilse Marchbanks" in live.refresh()["current_answers"]["name"].tolist()
    store.update_settings(room, anonymous=True)
    frames = live.refresh()
    assert live.changed
    full = for_view(store, room, View.DASHBOARD)
    for name, df in frames.items():
        pd.testing.assert_frame_equal(df, full[name], obj=name)
    assert set(frames["actions"]["owner"]) == {PARTICIPANT_OWNER, "Dunmore Bakery", "Parish Council"}
    store.update_settings(room, anonymous=False)
    assert live.refresh()["participants"]["name"].tolist() == ["Ilse Marchbanks", ""]


def test_summary_and_plural():
    assert (plural(1, "dot"), plural(3, "dot"), plural(1, "person", "people"), plural(2, "person", "people")) == ("1 dot", "3 dots", "1 person", "2 people")


def test_summary_counts_the_current_state(store, room):
    assert summary(all_frames(store, room)) == {"participants": 2, "sectors": 2, "tables": 2, "answers": 2, "ratings": 1, "dots": 2, "actions": 3}


# --------------------------------------------------------------------------
# Rows no view can show


def insert(store, slug: str, **values):
    ws = store.workshop(slug)
    row = {"workshop_id": ws.id, "participant_id": store.participants(slug)[0].id, "round": 1, "tool_id": T1, "question_id": "epp-2", "kind": "text", "value": "bad", "created": 1.78e9}
    with store.engine.begin() as conn:
        conn.execute(sa.insert(schema.answers).values({**row, **values}))


def test_is_time():
    assert is_time(946_684_800.0) and is_time(1_780_000_000) and is_time(9_000_000_000.0)
    for bad in (0.0, 946_684_799.0, -1.0, 1e300, float("inf"), float("nan"), 253402300800.0, "1", None, True):
        assert not is_time(bad), bad


@pytest.mark.parametrize(
    "values, problem",
    [
        ({"created": 1e300}, "created is not a time from 2000 to 2262"),
        ({"created": -5.0}, "created is not a time"),
        ({"created": 1.0}, "created is not a time"),
        ({"round": 7}, "round is not one the workshop has had (1 to 1)"),
        ({"kind": "rating", "question_id": "", "value": "6"}, "a rating is not on the scale (1 to 5"),
        ({"kind": "rating", "question_id": "", "value": "4.0"}, "a rating is not on the scale"),
        ({"kind": "dots", "question_id": "", "value": "6"}, "a dot count is not a whole number from 0 to the budget of 5"),
        ({"kind": "dots", "question_id": "", "value": "-1"}, "a dot count"),
        ({"kind": "vote"}, "the kind is not one of text, rating, comment, dots"),
        ({"value": "x" * 20_001}, "the value is not text of at most 20,000 characters"),
    ],
)
def test_a_bad_answer_row_is_left_out_with_a_warning(store, room, values, problem):
    before = all_frames(store, room)
    insert(store, room, **{"tool_id": "tell-the-story", **values})  # a tool nobody answered: nothing to replace
    with pytest.warns(BadRow, match=r"workshop eastside-compact: 1 answer row left out of every view \(id \d+\): ") as caught:
        after = all_frames(store, room)
    assert problem in str(caught[0].message)
    for name, df in after.items():
        pd.testing.assert_frame_equal(df, before[name], obj=name)


def test_huge_values_sqlite_keeps_as_reals_are_left_out_too(sqlite_store):
    """SQLite stores 1e30 in an INTEGER column as a real, which no int64
    holds: the read carries on and the row is left out."""
    ws = sqlite_store.create_workshop("W")
    p = sqlite_store.add_participant(ws.slug, organization="O", sector="government", table="T")
    sqlite_store.save_answer(ws.slug, p.id, T1, "epp-1", "good")
    with sqlite_store.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO answers (workshop_id, participant_id, round, tool_id, question_id, kind, value, created) "
            f"VALUES ({ws.id}, {p.id}, 1e30, '{T1}', 'epp-2', 'text', 'bad', 'not a time')"
        ))
    cols = sqlite_store.answer_columns(ws.slug)
    assert cols["round"].dtype == np.int64 and cols["round"][1] == np.iinfo("int64").min and np.isnan(cols["created"][1])
    with pytest.warns(BadRow, match="created is not a time"):
        frames = all_frames(sqlite_store, ws.slug)
    assert frames["answers"]["value"].tolist() == ["good"]


def test_the_current_answer_is_the_newest_row_even_when_it_is_left_out(store, room):
    """all_frames and LiveFrames agree: a bad newest row hides the older
    good one (the store's own choice of current rows) instead of bringing
    it back."""
    insert(store, room, question_id="epp-1", created=1e300)
    with pytest.warns(BadRow):
        full = all_frames(store, room)
    with pytest.warns(BadRow):
        live = LiveFrames(store, room, view=View.BACKUP).refresh()
    pd.testing.assert_frame_equal(full["current_answers"], live["current_answers"])
    assert full["current_answers"]["value"].tolist().count("Corner shops") == 1
    assert "The clinic's patients" not in full["current_answers"]["value"].tolist()
    assert "The clinic's patients" in full["answers"]["value"].tolist()  # the history keeps it


def test_a_bad_participant_takes_their_answers_out_and_is_reported_once_by_live_frames(store, room):
    ws = store.workshop(room)
    with store.engine.begin() as conn:
        conn.execute(sa.insert(schema.participants).values(
            workshop_id=ws.id, name="Ghost", organization="Nowhere", sector="business", table_name="Table 9", participant_key="ghost", created=float("inf")
        ))
    ghost = max(p.id for p in store.participants(room))
    insert(store, room, participant_id=ghost, question_id="epp-1")
    live = LiveFrames(store, room)
    with pytest.warns(BadRow) as caught:
        frames = live.refresh()
    assert sorted(str(w.message).split(": ", 1)[1].split(" left out")[0] for w in caught) == ["1 answer row", "1 participant row"]
    assert "Nowhere" not in frames["participants"]["organization"].tolist() and len(frames["participants"]) == 2
    assert "bad" not in frames["current_answers"]["value"].tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        live.refresh()  # reported once


def test_a_failed_read_leaves_live_frames_as_they_were(store, room, monkeypatch):
    live = LiveFrames(store, room)
    live.refresh()
    p = store.participants(room)[0]
    store.save_answer(room, p.id, T1, "epp-3", "Written during the outage")
    real = store.actions
    monkeypatch.setattr(store, "actions", lambda slug: (_ for _ in ()).throw(sa.exc.OperationalError("x", {}, Exception("database is locked"))))
    with pytest.raises(sa.exc.OperationalError):
        live.refresh()
    monkeypatch.setattr(store, "actions", real)
    assert "Written during the outage" in live.refresh()["current_answers"]["value"].tolist()


# --------------------------------------------------------------------------
# Small groups, hidden answers, today's plan


def small_groups(store) -> str:
    """Government: three raters (4, 4, 5); business: two (2 and 5, a
    mean of 3.5 no one else has); community: one (1)."""
    s = store.create_workshop("Small groups").slug
    for i, (sector, score) in enumerate([("government", 4), ("government", 4), ("government", 5), ("business", 2), ("business", 5), ("community", 1)]):
        p = store.add_participant(s, name=f"Person {i}", organization=f"Org {i}", sector=sector, table=f"Table {i % 2 + 1}")
        store.save_rating(s, p.id, T1, score)
    return s


def test_small_groups_have_no_mean_and_no_divergence_flag(store):
    s = small_groups(store)
    r = for_view(store, s, View.GUIDE)["ratings"].set_index("sector")
    assert r.loc["government", "mean"] == pytest.approx(13 / 3) and not r.loc["government", "withheld"]
    for sector in ("business", "community"):
        assert pd.isna(r.loc[sector, "mean"]) and r.loc[sector, "band"] == "" and r.loc[sector, "withheld"], sector
    assert r.loc["business", "count"] == 2  # the count stays: it is not anyone's rating
    assert r.loc["all", "mean"] == pytest.approx(21 / 6)
    # Government 4.3 against business 3.5 or community 1.0 would be flagged:
    # with those two withheld, nobody is compared.
    d = for_view(store, s, View.GUIDE)["divergence"].iloc[0]
    assert (d["sectors"], d["low_sector"], d["high_sector"], bool(d["flagged"])) == (1, "government", "government", False)
    store.update_settings(s, min_group=2)
    d = for_view(store, s, View.GUIDE)["divergence"].iloc[0]
    assert (d["low_sector"], d["low_mean"], d["high_sector"]) == ("business", 3.5, "government")
    store.update_settings(s, min_group=1)
    d = for_view(store, s, View.DASHBOARD)["divergence"].iloc[0]
    assert (d["low_sector"], d["low_mean"], bool(d["flagged"])) == ("community", 1.0, True)


def test_live_frames_follow_the_minimum_group_size(store):
    s = small_groups(store)
    live = LiveFrames(store, s, view=View.DASHBOARD)
    assert live.refresh()["ratings"]["withheld"].sum() == 2
    store.update_settings(s, min_group=1)
    frames = live.refresh()
    assert live.changed and not frames["ratings"]["withheld"].any()
    pd.testing.assert_frame_equal(frames["ratings"], for_view(store, s, View.DASHBOARD)["ratings"])


def test_a_hidden_answer_is_left_out_of_every_view_but_the_backup(store, room):
    clinic = [a for a in for_view(store, room, View.BACKUP)["answers"].itertuples() if a.value == "The clinic's patients"][0]
    store.hide_answer(room, int(clinic.answer_id))
    live = LiveFrames(store, room, view=View.DASHBOARD)
    for view in (View.DASHBOARD, View.GUIDE, View.SPREADSHEET, View.CONSOLE):
        frames = for_view(store, room, view)
        for name in ("answers", "current_answers"):
            assert "The clinic's patients" not in frames[name]["value"].tolist(), (view, name)
    assert "The clinic's patients" not in live.refresh()["current_answers"]["value"].tolist()
    assert "The clinic's patients" in for_view(store, room, View.BACKUP)["current_answers"]["value"].tolist()
    assert [a.value for a in store.hidden_answers(room)] == ["The clinic's patients"]
    store.show_answer(room, int(clinic.answer_id))
    assert "The clinic's patients" in live.refresh()["current_answers"]["value"].tolist() and live.changed
    assert store.hidden_answers(room) == []


def test_scope_is_the_plan_and_what_was_answered(store, room):
    everything = for_view(store, room, View.GUIDE)
    assert len(everything["scope"]) == 17 and everything["scope"]["planned"].all()
    assert len(everything["priorities"]) == 17 and everything["progress"]["tool_id"].nunique() == 17
    store.set_plan(room, [("share-discretion", 25), ("2", None)])  # by id and by number, in this order
    frames = for_view(store, room, View.GUIDE)
    scope = frames["scope"].set_index("tool_id")
    # Tool 1 is not planned but has answers, ratings and dots: it stays.
    assert list(scope.index) == [T1, "share-a-vision-of-success", "share-discretion"]
    assert scope["planned"].tolist() == [False, True, True] and scope["order"].tolist() == [0, 2, 1]
    assert scope.loc["share-discretion", "minutes"] == 25
    assert scope.loc["share-a-vision-of-success", "minutes"] == store.kit.tool(2).facilitation.minutes
    assert set(frames["progress"]["tool_id"]) == set(scope.index) == set(frames["priorities"]["tool_id"])
    live = LiveFrames(store, room, view=View.DASHBOARD)
    assert set(live.refresh()["progress"]["tool_id"]) == set(scope.index)
    store.use_plan(room, "first-meeting")
    assert store.workshop(room).settings.plan_template == "first-meeting"
    assert live.refresh()["scope"]["tool_id"].tolist() == [t for t in ("engage-potential-partners", "share-a-vision-of-success", "account-for-resources")]
    store.clear_plan(room)
    assert len(live.refresh()["scope"]) == 17 and live.changed


def test_today_puts_the_plan_first(kit):
    settings = WorkshopSettings()
    diagnosis = [t.id for t in kit.tools_in("diagnosis")]
    assert room_mod.today(kit, settings, diagnosis) == (diagnosis, [])
    from toolkit.store.values import PlanSlot

    planned = WorkshopSettings(plan=(PlanSlot("share-discretion", 10), PlanSlot(diagnosis[2], 10), PlanSlot(diagnosis[0], 10)))
    first, rest = room_mod.today(kit, planned, diagnosis)
    assert first == [diagnosis[2], diagnosis[0]] and rest == [diagnosis[1], *diagnosis[3:]]
