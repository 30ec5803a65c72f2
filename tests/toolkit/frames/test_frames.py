"""toolkit.frames: columns defined once, bands, divergence, progress,
priorities, and the live view that reads only new rows."""

from __future__ import annotations

import time

import pandas as pd
import pandas.testing as pdt
import pytest

from toolkit import frames

TOOL = "commit-to-information-sharing"
OTHER = "share-discretion"


@pytest.fixture
def room(store):
    """Four participants at two tables from three sectors, with ratings that
    diverge on TOOL (government 5 and 4, non-profit 1) and agree on OTHER."""
    ws = store.create_workshop("Frames room")
    people = {
        "gov1": store.add_participant(ws.slug, name="Gia", organization="City", sector="government", table="Table 1"),
        "gov2": store.add_participant(ws.slug, name="Gus", organization="County", sector="government", table="Table 2"),
        "np": store.add_participant(ws.slug, name="Nia", organization="Food Bank", sector="nonprofit", table="Table 1"),
        "biz": store.add_participant(ws.slug, organization="Grocer", sector="business", table="Table 2"),
    }
    store.save_rating(ws.slug, people["gov1"].id, TOOL, 5)
    store.save_rating(ws.slug, people["gov2"].id, TOOL, 4)
    store.save_rating(ws.slug, people["np"].id, TOOL, 2)
    store.save_rating(ws.slug, people["np"].id, TOOL, 1)  # changed their mind: the latest counts
    store.save_rating(ws.slug, people["biz"].id, TOOL, None)  # not sure
    for key in ("gov1", "np", "biz"):
        store.save_rating(ws.slug, people[key].id, OTHER, 3)
    store.save_answer(ws.slug, people["gov1"].id, TOOL, "cis-1", "We publish data monthly")
    store.save_answer(ws.slug, people["np"].id, TOOL, "cis-2", "Client privacy comes first")
    store.save_answer(ws.slug, people["np"].id, TOOL, "cis-3", "draft")
    store.save_answer(ws.slug, people["np"].id, TOOL, "cis-3", "")  # cleared
    store.save_dots(ws.slug, people["gov1"].id, {TOOL: 3, OTHER: 2})
    store.save_dots(ws.slug, people["np"].id, {TOOL: 1})
    store.add_action(ws.slug, TOOL, what="Draft a data-sharing agreement", owner="Nia", owner_sector="nonprofit", due="2026-12-15")
    # Groups of one and two: every mean shown, so the live (dashboard)
    # frames equal the unmasked ones (test_views.py tests small groups).
    store.update_settings(ws.slug, min_group=1)
    return ws.slug, people


def test_every_frame_has_the_declared_columns_and_dtypes(store, room):
    slug, _ = room
    result = frames.all_frames(store, slug)
    assert set(result) == set(frames.FRAME_NAMES)
    for name, df in result.items():
        assert list(df.columns) == list(frames.COLUMNS[name]), name
        for column, dtype in frames.COLUMNS[name].items():
            assert str(df[column].dtype) == dtype or (dtype == "string" and isinstance(df[column].dtype, pd.StringDtype)), (name, column, df[column].dtype)


def test_empty_workshop_gives_empty_frames_with_the_same_columns(store):
    ws = store.create_workshop("Nobody yet")
    result = frames.all_frames(store, ws.slug)
    for name in ("answers", "current_answers", "ratings", "divergence", "actions", "participants", "progress"):
        assert result[name].empty, name
        assert list(result[name].columns) == list(frames.COLUMNS[name])
    # Every tool is listed for the dot vote, with no dots.
    assert len(result["priorities"]) == 17 and result["priorities"]["dots"].sum() == 0


@pytest.mark.parametrize(("mean", "expected"), [(5.0, "strength"), (4.0, "strength"), (3.99, "discuss"), (3.0, "discuss"), (2.99, "concern"), (1.0, "concern"), (None, ""), (float("nan"), "")])
def test_band_thresholds(mean, expected):
    assert frames.band(mean) == expected


def test_ratings_by_sector_use_the_latest_rating_and_count_not_sure_apart(store, room):
    slug, _ = room
    r = frames.all_frames(store, slug)["ratings"]
    tool = r[r["tool_id"] == TOOL].set_index("sector")
    assert tool.loc["government", "mean"] == pytest.approx(4.5)
    assert tool.loc["government", "band"] == "strength"
    assert tool.loc["nonprofit", "mean"] == pytest.approx(1.0)
    assert tool.loc["nonprofit", "band"] == "concern"
    assert tool.loc["business", "count"] == 0 and tool.loc["business", "not_sure"] == 1
    assert tool.loc["all", "mean"] == pytest.approx((5 + 4 + 1) / 3)
    assert tool.loc["all", "count"] == 3 and tool.loc["all", "not_sure"] == 1
    # The "all" row comes last for each tool.
    assert list(r[r["tool_id"] == TOOL]["sector"])[-1] == frames.ALL_SECTORS


def test_not_yet_relevant_is_counted_apart_from_not_sure_and_from_the_mean(store, room):
    slug, people = room
    store.save_rating(slug, people["gov2"].id, TOOL, "not-yet")  # was 4
    store.save_rating(slug, people["biz"].id, OTHER, "not-yet")
    result = frames.all_frames(store, slug)
    tool = result["ratings"].query("tool_id == @TOOL").set_index("sector")
    assert tool.loc["government", "mean"] == 5 and tool.loc["government", "count"] == 1
    assert tool.loc["government", "not_yet"] == 1 and tool.loc["government", "not_sure"] == 0
    assert tool.loc["business", "not_sure"] == 1 and tool.loc["business", "not_yet"] == 0
    assert tool.loc["all", "mean"] == pytest.approx((5 + 1) / 2)
    assert (tool.loc["all", "count"], tool.loc["all", "not_sure"], tool.loc["all", "not_yet"]) == (2, 1, 1)
    other = result["ratings"].query("tool_id == @OTHER").set_index("sector")
    assert other.loc["business", "count"] == 0 and other.loc["business", "not_yet"] == 1 and other.loc["business", "band"] == ""
    # Divergence and its count read the numbers only.
    d = result["divergence"].set_index("tool_id")
    assert d.loc[TOOL, "count"] == 2 and d.loc[TOOL, "high_mean"] == 5
    # The live view counts the same.
    assert_same_frames(frames.LiveFrames(store, slug).refresh(), result)


def test_a_not_yet_rating_needs_a_scale_that_offers_it(store, room):
    import dataclasses

    from toolkit.errors import InvalidAnswer
    from toolkit.store import AnswerStore

    slug, people = room
    older = AnswerStore(store.url, kit=dataclasses.replace(store.kit, scale=dataclasses.replace(store.kit.scale, not_yet="")))
    with pytest.raises(InvalidAnswer, match="no \"not yet relevant\" option"):
        older.save_rating(slug, people["gov1"].id, TOOL, "not-yet")


def test_divergence_flags_sectors_that_see_a_tool_differently(store, room):
    slug, _ = room
    d = frames.all_frames(store, slug)["divergence"].set_index("tool_id")
    assert bool(d.loc[TOOL, "flagged"]) is True
    assert d.loc[TOOL, "low_sector"] == "nonprofit" and d.loc[TOOL, "high_sector"] == "government"
    assert d.loc[TOOL, "gap"] == pytest.approx(3.5)
    assert d.loc[TOOL, "gap"] >= frames.DIVERGENCE_GAP
    assert d.loc[TOOL, "count"] == 3
    assert bool(d.loc[OTHER, "flagged"]) is False and d.loc[OTHER, "gap"] == 0


def test_one_sector_alone_is_never_flagged(store):
    ws = store.create_workshop("One sector")
    a = store.add_participant(ws.slug, organization="A", sector="government", table="T1")
    b = store.add_participant(ws.slug, organization="B", sector="government", table="T1")
    store.save_rating(ws.slug, a.id, TOOL, 1)
    store.save_rating(ws.slug, b.id, TOOL, 5)
    d = frames.all_frames(store, ws.slug)["divergence"]
    assert d.loc[0, "sectors"] == 1 and not d.loc[0, "flagged"]
    assert d.loc[0, "spread"] == pytest.approx(2.0)


def test_current_answers_leave_out_cleared_answers_but_history_keeps_them(store, room):
    slug, _ = room
    result = frames.all_frames(store, slug)
    text = result["current_answers"].query("kind == 'text'")
    assert sorted(text["question_id"]) == ["cis-1", "cis-2"]
    history = result["answers"].query("kind == 'text'")
    assert list(history[history["question_id"] == "cis-3"]["value"]) == ["draft", ""]
    assert set(text["question"].str.len() > 0) == {True}


def test_progress_counts_questions_answered_per_table(store, room):
    slug, _ = room
    p = frames.all_frames(store, slug)["progress"]
    assert len(p) == 17 * 2  # every tool for both tables
    row = p[(p["tool_id"] == TOOL) & (p["table"] == "Table 1")].iloc[0]
    questions = len(store.kit.tool(TOOL).questions)
    assert row["answered"] == 2 and row["questions"] == questions
    assert row["share"] == pytest.approx(2 / questions)
    assert bool(row["rated"]) and row["participants"] == 2
    empty = p[(p["tool_id"] == "tell-the-story") & (p["table"] == "Table 2")].iloc[0]
    assert empty["answered"] == 0 and not empty["rated"]


def test_priorities_rank_tools_by_dots(store, room):
    slug, _ = room
    pr = frames.all_frames(store, slug)["priorities"]
    top = pr.iloc[0]
    assert (top["tool_id"], top["dots"], top["voters"], top["rank"]) == (TOOL, 4, 2, 1)
    second = pr.iloc[1]
    assert (second["tool_id"], second["dots"], second["rank"]) == (OTHER, 2, 2)
    assert (pr.iloc[2:]["rank"] == 3).all()  # the tie of tools with no dots shares a rank


def test_actions_frame_joins_the_tool(store, room):
    slug, _ = room
    a = frames.all_frames(store, slug)["actions"].iloc[0]
    assert (a["tool"], a["stage"], a["owner"], a["owner_sector"], a["due"], a["status"]) == (
        "Commit to Information Sharing", "Design", "Nia", "nonprofit", "2026-12-15", "open",
    )


def test_new_round_starts_empty_but_history_stays(store, room):
    slug, _ = room
    store.new_round(slug)
    result = frames.all_frames(store, slug)
    assert result["current_answers"].empty and result["ratings"].empty
    assert len(result["answers"]) == store.count_answers(slug)
    earlier = frames.all_frames(store, slug, round=1)
    assert not earlier["ratings"].empty


def test_live_frames_read_only_new_rows_and_match_a_full_recompute(store, room):
    slug, people = room
    live = frames.LiveFrames(store, slug)
    first = live.refresh()
    assert live.changed
    assert live.refresh() is first and not live.changed  # nothing new: same object

    store.save_rating(slug, people["biz"].id, TOOL, 2)
    store.save_answer(slug, people["gov2"].id, OTHER, "sd-1", "Split decisions by expertise")
    updated = live.refresh()
    assert live.changed
    full = frames.all_frames(store, slug)
    for name, df in updated.items():
        pdt.assert_frame_equal(
            df.sort_values(list(df.columns[:2])).reset_index(drop=True),
            full[name].sort_values(list(df.columns[:2])).reset_index(drop=True),
            obj=name,
        )

    store.add_action(slug, OTHER, what="Write down who decides what", owner="Gus")
    assert len(live.refresh()["actions"]) == 2 and live.changed


def test_live_frames_follow_a_new_round(store, room):
    slug, people = room
    live = frames.LiveFrames(store, slug)
    assert not live.refresh()["ratings"].empty
    store.new_round(slug)
    assert live.refresh()["ratings"].empty
    store.save_rating(slug, people["gov1"].id, TOOL, 3)
    ratings = live.refresh()["ratings"]
    assert ratings.set_index("sector").loc["government", "mean"] == 3


def assert_same_frames(live: dict[str, pd.DataFrame], full: dict[str, pd.DataFrame]) -> None:
    """Every frame of ``live`` equals ``full``'s exactly: values, dtypes,
    row order and index."""
    assert list(live) == [name for name in frames.FRAME_NAMES if name != "answers"]
    for name, df in live.items():
        pdt.assert_frame_equal(df, full[name], check_exact=True, obj=name)


def test_live_frames_equal_all_frames_after_every_kind_of_change(store, room):
    slug, people = room
    live = frames.LiveFrames(store, slug)
    assert_same_frames(live.refresh(), frames.all_frames(store, slug))
    ids = {key: p.id for key, p in people.items()}
    steps = [
        lambda: store.save_rating(slug, ids["biz"], TOOL, 2),  # not sure -> a number
        lambda: store.save_rating(slug, ids["gov1"], TOOL, None),  # a number -> not sure
        lambda: store.save_answer(slug, ids["np"], TOOL, "cis-3", "back again"),  # a cleared answer returns
        lambda: store.save_answer(slug, ids["gov1"], TOOL, "cis-1", ""),  # and another is cleared
        lambda: store.save_dots(slug, ids["gov1"], {TOOL: 0, OTHER: 5}),
        lambda: store.add_participant(slug, name="Gus", organization="County", sector="business", table="Table 2"),  # sector changed
        lambda: store.add_participant(slug, organization="Library", sector="community", table="Table 3"),  # new table
        lambda: store.add_action(slug, OTHER, what="Write down who decides what", owner="Gus"),
    ]
    for step in steps:
        step()
        updated = live.refresh()
        assert live.changed
        assert_same_frames(updated, frames.all_frames(store, slug))
    # Several rows of the same key between two refreshes: the newest counts.
    for value in (1, 5, 3):
        store.save_rating(slug, ids["gov2"], OTHER, value)
    result = live.refresh()
    assert_same_frames(result, frames.all_frames(store, slug))
    other = result["ratings"].query("tool_id == @OTHER").set_index("sector")
    assert other.loc["business", "mean"] == 3 and other.loc["all", "count"] == 4
    assert "cis-1" not in set(result["current_answers"]["question_id"])
    assert list(result["current_answers"].query("question_id == 'cis-3'")["value"]) == ["back again"]
    assert live.refresh() is result and not live.changed


def test_frames_keep_answers_to_a_tool_the_content_no_longer_has(store, room):
    """Rows the content cannot name (written by an older kit) stay in the
    history with no tool name, and stay out of the ratings."""
    slug, people = room
    ws = store.workshop(slug)
    store.bulk_insert([
        ("answers", {"workshop_id": ws.id, "participant_id": people["gov1"].id, "round": 1, "tool_id": "retired-tool",
                     "question_id": "", "kind": "rating", "value": "1", "created": 1_780_000_000.0}),
    ])
    result = frames.all_frames(store, slug)
    lost = result["answers"].query("tool_id == 'retired-tool'").iloc[0]
    assert pd.isna(lost["tool"]) and lost["tool_number"] == 0 and lost["name"] == "Gia"
    assert "retired-tool" in set(result["current_answers"]["tool_id"])
    assert "retired-tool" not in set(result["ratings"]["tool_id"])
    assert_same_frames(frames.LiveFrames(store, slug).refresh(), result)


def test_frames_read_only_their_own_workshop(store, room):
    slug, _ = room
    other = store.create_workshop("Next door")
    stranger = store.add_participant(other.slug, organization="Port", sector="business", table="Table 9")
    store.save_rating(other.slug, stranger.id, TOOL, 1)
    result = frames.all_frames(store, slug)
    assert "Table 9" not in set(result["progress"]["table"])
    assert result["ratings"].query("tool_id == @TOOL and sector == 'all'")["count"].item() == 3
    assert len(frames.all_frames(store, other.slug)["answers"]) == 1


def test_equal_sector_means_name_the_first_sector_alphabetically(store):
    ws = store.create_workshop("Ties")
    for sector, value in (("nonprofit", 3), ("government", 3), ("business", 5)):
        p = store.add_participant(ws.slug, organization=sector.title(), sector=sector, table="T1")
        store.save_rating(ws.slug, p.id, TOOL, value)
    d = frames.all_frames(store, ws.slug)["divergence"].iloc[0]
    assert (d["low_sector"], d["high_sector"], d["sectors"], d["gap"]) == ("government", "business", 3, 2.0)
    assert bool(d["flagged"])


def _answer_row(store, slug: str, participant_id: int, tool_id: str, value: str, answer_id: int | None = None) -> int:
    """Write a rating row straight into the answers table, with the id
    given (or the next one), committed; its id."""
    import time

    from toolkit.store.schema import answers

    row = {"workshop_id": store.workshop(slug).id, "participant_id": participant_id, "round": 1, "tool_id": tool_id,
           "question_id": "", "kind": "rating", "value": value, "created": time.time()}
    with store.engine.begin() as conn:
        return conn.execute(answers.insert().values(**row, **({} if answer_id is None else {"id": answer_id}))).inserted_primary_key[0]


def test_live_frames_show_a_row_that_commits_after_a_higher_id(store, room):
    """On PostgreSQL an id is taken at insert and the row appears at commit:
    with several kernels writing, id 101 can commit after 102. Here the ids
    are given so that both backends see rows appear out of order."""
    slug, people = room
    ids = {key: p.id for key, p in people.items()}
    live = frames.LiveFrames(store, slug)
    live.refresh()
    top = int(store.answer_ids(newest=1)[-1])

    _answer_row(store, slug, ids["biz"], OTHER, "4", top + 2)
    assert_same_frames(live.refresh(), frames.all_frames(store, slug))
    _answer_row(store, slug, ids["gov2"], OTHER, "1", top + 1)  # commits late
    result = live.refresh()
    assert live.changed
    assert_same_frames(result, frames.all_frames(store, slug))
    other = result["ratings"].query("tool_id == @OTHER").set_index("sector")
    assert other.loc["government", "count"] == 2 and other.loc["government", "mean"] == 2  # Gia 3, Gus 1

    # A late row older than the newest row of its key changes nothing.
    _answer_row(store, slug, ids["np"], TOOL, "5", top + 4)
    shown = live.refresh()
    _answer_row(store, slug, ids["np"], TOOL, "2", top + 3)
    assert live.refresh() is shown and not live.changed
    assert_same_frames(shown, frames.all_frames(store, slug))
    assert shown["ratings"].query("tool_id == @TOOL and sector == 'nonprofit'")["mean"].item() == 5

    # A view that starts while a write is still open sees it later too.
    _answer_row(store, slug, ids["gov1"], OTHER, "5", top + 6)
    late_start = frames.LiveFrames(store, slug)
    before = late_start.refresh()
    _answer_row(store, slug, ids["np"], OTHER, "1", top + 5)
    after = late_start.refresh()
    assert after is not before and late_start.changed
    assert_same_frames(after, frames.all_frames(store, slug))
    assert top + 5 in set(after["current_answers"]["answer_id"])


@pytest.mark.parametrize("store_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_live_frames_show_a_write_that_commits_after_a_later_one_on_postgresql(store, room):
    """Two kernels on PostgreSQL: the first takes its id and holds its
    transaction, the second commits, the dashboard refreshes in between."""
    from toolkit.store.schema import answers

    slug, people = room
    live = frames.LiveFrames(store, slug)
    live.refresh()
    row = {"workshop_id": store.workshop(slug).id, "participant_id": people["biz"].id, "round": 1, "tool_id": OTHER,
           "question_id": "", "kind": "rating", "value": "1", "created": time.time()}
    with store.engine.connect() as slow:
        with slow.begin():
            held = slow.execute(answers.insert().values(**row)).inserted_primary_key[0]
            quick = store.save_rating(slug, people["gov2"].id, OTHER, 5)
            assert quick.id > held
            shown = live.refresh()
            assert quick.id in set(shown["current_answers"]["answer_id"]) and held not in set(shown["current_answers"]["answer_id"])
        # committed now, after the higher id was shown
    result = live.refresh()
    assert live.changed and held in set(result["current_answers"]["answer_id"])
    assert_same_frames(result, frames.all_frames(store, slug))
    assert result["ratings"].query("tool_id == @OTHER and sector == 'business'")["mean"].item() == 1


def test_live_frames_stop_looking_for_an_id_that_never_commits(store, room, monkeypatch):
    """An id taken by a write that rolled back never shows up: it is read
    again for HOLD_SECONDS, then the refresh goes back to new rows only."""
    slug, people = room
    now = [0.0]
    live = frames.LiveFrames(store, slug, clock=lambda: now[0])
    live.refresh()
    top = int(store.answer_ids(newest=1)[-1])
    _answer_row(store, slug, people["biz"].id, OTHER, "4", top + 2)  # top + 1 never comes
    live.refresh()
    reads = []
    read = store.answer_columns
    monkeypatch.setattr(store, "answer_columns", lambda *a, **k: reads.append(k.get("after_id")) or read(*a, **k))
    assert live.refresh() is not None and reads[-1] == top and not live.changed
    now[0] = frames.HOLD_SECONDS - 1
    live.refresh()
    assert reads[-1] == top
    now[0] = frames.HOLD_SECONDS + 1
    live.refresh()  # still from top, and gives it up
    live.refresh()
    assert reads[-1] == top + 2 and not live.changed
    assert_same_frames(live.refresh(), frames.all_frames(store, slug))


def test_live_frames_keep_unchanged_frames_as_the_same_objects(store, room):
    """What a view compares to skip redrawing: a frame whose content did
    not change is the very object it got last time."""
    slug, people = room
    live = frames.LiveFrames(store, slug)
    before = live.refresh()
    store.save_answer(slug, people["gov2"].id, OTHER, "sd-1", "A new text answer")
    after = live.refresh()
    assert live.changed and after["current_answers"] is not before["current_answers"]
    assert [name for name in after if after[name] is before[name]] == ["table_answers", "ratings", "divergence", "priorities", "actions", "participants", "scope"]
    assert not after["progress"].equals(before["progress"])  # Table 2 answered a question of OTHER

    store.save_rating(slug, people["gov2"].id, OTHER, 1)
    rated = live.refresh()
    assert rated["ratings"] is not after["ratings"] and rated["divergence"] is not after["divergence"]
    assert rated["priorities"] is after["priorities"] and rated["participants"] is after["participants"]
    assert_same_frames(rated, frames.all_frames(store, slug))
