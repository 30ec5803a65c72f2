"""The rules every value obeys before it is stored
(``toolkit.store.checks``): typed text, ids, ratings, dots and budgets,
rounds, times, statuses and settings. The store, the importer and the demo
call these; their own tests check that they do."""

from __future__ import annotations

import time

import datetime as dt
import re

import pytest

from toolkit.errors import InvalidAnswer, StageLocked, UnknownTool
from toolkit.store import checks
from toolkit.store.values import WorkshopSettings


def test_clean_text_normalises_line_endings_whitespace_and_unicode():
    assert checks.clean_text("  We meet monthly.\r\n", field="answer") == "We meet monthly."
    assert checks.clean_text("a\r\nb\rc\n", field="answer") == "a\nb\nc"
    assert checks.clean_text("col1\tcol2\n\tindented", field="answer") == "col1\tcol2\n\tindented"
    assert checks.clean_text("Cafe\u0301", field="answer") == "Caf\u00e9"  # NFC
    assert checks.clean_text("", field="answer") == ""


def test_limit_counts_characters_after_cleaning():
    assert len(checks.clean_text("é" * 20_000, field="answer")) == 20_000
    assert checks.clean_text("  " + "x" * 20_000 + "\r\n", field="answer") == "x" * 20_000
    with pytest.raises(InvalidAnswer, match=r"^answer: 20,001 characters is over the limit of 20,000"):
        checks.clean_text("x" * 20_001, field="answer")
    # NFC can shorten text: 20,000 composed characters typed decomposed fit.
    assert len(checks.clean_text("e\u0301" * 20_000, field="answer")) == 20_000


@pytest.mark.parametrize("value, kind", [(None, "NoneType"), (3, "int"), (b"bytes", "bytes"), (["a"], "list")])
def test_clean_text_refuses_non_text(value, kind):
    with pytest.raises(InvalidAnswer, match=rf"^answer: expected text, got {kind}$"):
        checks.clean_text(value, field="answer")


@pytest.mark.parametrize("code", [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x80, 0x85, 0x9F])
def test_every_control_character_is_refused(code):
    with pytest.raises(InvalidAnswer) as info:
        checks.clean_text(f"ok{chr(code)}", field="answer")
    assert f"(U+{code:04X}) at position 3" in str(info.value)
    assert ("NUL" in str(info.value)) == (code == 0)


def test_single_line_and_required_fields():
    with pytest.raises(InvalidAnswer, match="title: must be a single line"):
        checks.clean_text("one\ntwo", field="title", multiline=False)
    assert checks.clean_text("one\n", field="title", multiline=False) == "one"
    with pytest.raises(InvalidAnswer, match="title: must not be empty"):
        checks.clean_text(" \n ", field="title", allow_empty=False)


def test_clean_short():
    assert checks.clean_short("  City Parks ", field="organization") == "City Parks"
    assert checks.clean_short(None, field="name", required=False) == ""
    with pytest.raises(InvalidAnswer, match="organization: must not be empty"):
        checks.clean_short("", field="organization")
    with pytest.raises(InvalidAnswer, match="organization: expected text, got NoneType"):
        checks.clean_short(None, field="organization")
    assert checks.clean_short("x" * 120, field="owner") == "x" * 120
    with pytest.raises(InvalidAnswer, match="owner: 121 characters"):
        checks.clean_short("x" * 121, field="owner")


@pytest.mark.parametrize(
    "value, expected",
    [("2026-12-31", "2026-12-31"), (" 2026-01-05 ", "2026-01-05"), (dt.date(2026, 3, 1), "2026-03-01"), (dt.datetime(2026, 3, 1, 17, 30), "2026-03-01"), (None, None), ("", None)],
)
def test_clean_date(value, expected):
    assert checks.clean_date(value, field="due date") == expected


@pytest.mark.parametrize("value", ["2026-02-30", "31/12/2026", "next week", 20261231, 3.5])
def test_clean_date_refuses(value):
    with pytest.raises(InvalidAnswer, match=r"^due date: expected a date like 2026-12-31, got "):
        checks.clean_date(value, field="due date")


@pytest.mark.parametrize(
    "title, slug",
    [
        ("Riverside Partners 2026", "riverside-partners-2026"),
        ("  Café & Co. -- Spring!  ", "cafe-co-spring"),
        ("東京", "workshop"),
        ("---", "workshop"),
        ("a" * 60, "a" * 48),
        ("word " * 20, ("word-" * 10)[:48].strip("-")),
    ],
)
def test_slugify(title, slug):
    assert checks.slugify(title) == slug
    assert len(checks.slugify(title)) <= 48


# --------------------------------------------------------------------------
# Ids, ratings, dots, rounds, times, settings: the rules every write path calls


def test_a_refusal_carries_its_field_and_problem():
    with pytest.raises(InvalidAnswer) as info:
        checks.clean_short("", field="organization")
    assert (str(info.value), checks.field_of(info.value), checks.problem_of(info.value)) == ("organization: must not be empty", "organization", "must not be empty")
    # A plain exception has no field: its message is the problem.
    assert (checks.field_of(ValueError("x")), checks.problem_of(ValueError("x"))) == ("", "x")


def test_tool_by_id_and_loosely_by_number(kit):
    assert checks.tool(kit, "share-discretion").number == 9
    with pytest.raises(UnknownTool, match=r"^unknown tool '9' \(expected a tool id, such as 'engage-potential-partners'\)$"):
        checks.tool(kit, "9")
    assert checks.tool(kit, " 9 ", loose=True).id == "share-discretion"
    assert checks.tool(kit, "Share-Discretion", loose=True).id == "share-discretion"
    with pytest.raises(UnknownTool, match=r"^unknown tool '18' \(expected a tool id, such as 'engage-potential-partners', or a number 1-17\)$"):
        checks.tool(kit, "18", loose=True)
    for bad in (None, 3, ["share-discretion"]):
        with pytest.raises(UnknownTool, match="unknown tool"):
            checks.tool(kit, bad)


def test_question_belongs_to_its_tool(kit):
    epp, sd = kit.tool(1), kit.tool(9)
    assert checks.question(kit, epp, "epp-2").id == "epp-2"
    assert checks.question(kit, epp, " EPP-2 ", loose=True).id == "epp-2"
    assert checks.question(kit, sd, "2", loose=True).id == sd.questions[1].id
    with pytest.raises(UnknownTool, match=r"^question 'epp-1' belongs to 'engage-potential-partners', not to tool 9 'share-discretion'$"):
        checks.question(kit, sd, "epp-1")
    with pytest.raises(UnknownTool, match=rf"^tool 9 has questions 1-{len(sd.questions)}, not 99$"):
        checks.question(kit, sd, "99", loose=True)
    with pytest.raises(UnknownTool, match=r"^unknown question '2' \(tool 9 has "):
        checks.question(kit, sd, "2")  # a number only when typed loosely


def test_question_id_by_kind(kit):
    epp = kit.tool(1)
    assert checks.question_id(kit, epp, "text", "epp-1") == "epp-1"
    assert [checks.question_id(kit, epp, kind, ref) for kind, ref in (("rating", ""), ("dots", None), ("comment", "  "))] == ["", "", ""]
    with pytest.raises(InvalidAnswer, match=r"^leave it empty for a rating \(a rating is about the whole tool\), got 'epp-1'$"):
        checks.question_id(kit, epp, "rating", "epp-1")
    with pytest.raises(InvalidAnswer, match=r"^empty; a text answer needs its question: an id such as 'epp-1'$"):
        checks.question_id(kit, epp, "text", "")


def test_kind_sector_and_owner_sector(kit):
    assert [checks.kind(k) for k in ("text", "rating", "comment", "dots")] == ["text", "rating", "comment", "dots"]
    with pytest.raises(InvalidAnswer, match=r"^kind: expected one of text, rating, comment, dots, got 'Text'$"):
        checks.kind("Text")
    assert checks.sector(kit, " business ") == "business"
    assert checks.sector(kit, "Non-profit", loose=True) == "nonprofit"
    with pytest.raises(InvalidAnswer, match=r"^sector: unknown sector 'Non-profit' \(expected one of government, business, nonprofit, community, other\)$"):
        checks.sector(kit, "Non-profit")
    with pytest.raises(InvalidAnswer, match=r"^sector: must not be empty$"):
        checks.sector(kit, "  ")
    assert checks.owner_sector(kit, None) is None and checks.owner_sector(kit, "") is None
    with pytest.raises(InvalidAnswer, match=r"^owner's sector: unknown sector 5 "):
        checks.owner_sector(kit, 5)


@pytest.mark.parametrize("value, stored", [(1, "1"), (5, "5"), (None, "not-sure"), ("not-sure", "not-sure")])
def test_rating_on_the_scale(kit, value, stored):
    assert checks.rating(kit, value) == stored


@pytest.mark.parametrize("value", [0, 6, -1, "3", 3.0, True, 10**30])
def test_rating_off_the_scale(kit, value):
    with pytest.raises(InvalidAnswer) as info:
        checks.rating(kit, value, field="rating for x")
    assert str(info.value) == f"rating for x: rating {value!r} is outside the scale 1-5"


def test_dots_and_budgets():
    assert checks.dots(0) == 0 and checks.dots(50) == 50
    for bad in (-1, 1.5, "2", True, None):
        with pytest.raises(InvalidAnswer, match="^dots: expected a whole number of 0 or more, got "):
            checks.dots(bad)
    with pytest.raises(InvalidAnswer, match=r"^dots: 51 dots is more than any budget allows \(at most 50\)$"):
        checks.dots(51)
    assert checks.dots_budget({"a": 2, "b": 3}, 5) == 5
    with pytest.raises(InvalidAnswer, match=r"^dots: 6 dots placed but each participant has 5; take some back first$"):
        checks.dots_budget({"a": 2, "b": 4}, 5)
    assert checks.budget(1) == 1 and checks.budget(50) == 50
    for bad in (0, 51, True, "5"):
        with pytest.raises(InvalidAnswer, match="^settings.dots: expected 1 to 50 dots per participant, got "):
            checks.budget(bad)


def test_rounds_within_limits():
    assert checks.round_number(1) == 1 and checks.round_number(checks.MAX_ROUND) == checks.MAX_ROUND
    with pytest.raises(InvalidAnswer, match=r"^round: rounds start at 1, got 0$"):
        checks.round_number(0)
    with pytest.raises(InvalidAnswer, match=r"^round: 1000000000000000000000000000000 is more rounds than a workshop can have \(at most 1,000\)$"):
        checks.round_number(10**30)
    with pytest.raises(InvalidAnswer, match=r"^round: expected a whole number from 1, got a boolean \(True\)$"):
        checks.round_number(True)
    with pytest.raises(InvalidAnswer, match=r"^round: a number too long to show is more rounds than a workshop can have \(at most 1,000\)$"):
        checks.round_number(10**5000)


NOW = dt.datetime(2026, 5, 1, 12, tzinfo=dt.timezone.utc).timestamp()


@pytest.mark.parametrize("value", [checks.EARLIEST_TIME, NOW, NOW + 23 * 3600, 1_777_000_000])
def test_created_within_the_window(value):
    assert checks.created(value, now=NOW) == float(value)


@pytest.mark.parametrize(
    "value, shown",
    [
        (dt.datetime(9999, 12, 31, tzinfo=dt.timezone.utc).timestamp(), "9999-12-31 00:00 UTC"),
        (checks.EARLIEST_TIME - 1, "1999-12-31 23:59 UTC"),
        (NOW + 25 * 3600, "2026-05-02 13:00 UTC"),
        (1e300, "1e+300"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (-1, "1969-12-31 23:59 UTC"),
        (10**400, "inf"),
    ],
)
def test_created_outside_the_window_is_one_clear_line(value, shown):
    with pytest.raises(InvalidAnswer) as info:
        checks.created(value, now=NOW)
    assert str(info.value) == f"created: {shown} is not a time between 2000-01-01 and 2026-05-02 (a day from now)"


@pytest.mark.parametrize("value, described", [("2026-05-01", "a string ('2026-05-01')"), (True, "a boolean (True)"), (None, "nothing (null)")])
def test_created_must_be_seconds(value, described):
    with pytest.raises(InvalidAnswer, match=rf"^created: expected a time in seconds since 1970 \(UTC\), got {re.escape(described)}$"):
        checks.created(value)


def test_statuses_states_and_locks(kit):
    assert checks.action_status("in progress") == "in progress"
    with pytest.raises(InvalidAnswer, match=r"^action status: expected one of open, in progress, done, dropped, got 'finished'$"):
        checks.action_status("finished")
    assert checks.stage_state("locked") == "locked"
    with pytest.raises(InvalidAnswer, match=r"^stage state: expected one of open, locked, got 'closed'$"):
        checks.stage_state("closed")
    locked = WorkshopSettings().with_stage("design", "locked")
    checks.stage_open(kit, locked, "engage-potential-partners")
    with pytest.raises(StageLocked, match=r"^the Design stage is locked by the facilitator; answers there are read-only$"):
        checks.stage_open(kit, locked, "share-discretion")


def test_settings_checked_whole(kit):
    s = checks.settings(kit, {"anonymous": True, "round": 3, "dots": 8, "stages": {"design": "locked"}})
    assert (s.anonymous, s.round, s.dots, s.is_locked("design")) == (True, 3, 8, True)
    assert checks.settings(kit, {}) == WorkshopSettings()


@pytest.mark.parametrize(
    "raw, message",
    [
        ([], "settings: expected a mapping, got a list of 0"),
        ({"colour": "red"}, "settings: unknown setting 'colour' (expected one of anonymous, ratings_revealed, round, dots, stages, plan, "
                            "plan_template, lock_at, timer_ends, timer_seconds, vote_closed, hidden, min_group, screen)"),
        ({"anonymous": "yes"}, "settings.anonymous: expected true or false, got a string ('yes')"),
        ({"round": 2.0}, "settings.round: expected a whole number, got a number (2.0)"),
        ({"round": 10**30}, "settings.round: 1000000000000000000000000000000 is more rounds than a workshop can have (at most 1,000)"),
        ({"dots": 0}, "settings.dots: expected 1 to 50 dots per participant, got 0"),
        ({"stages": {"dessert": "open"}}, "settings.stages: unknown stage 'dessert' (expected one of diagnosis, design, implementation, assessment)"),
        ({"stages": {"design": "shut"}}, "settings.stages.design: expected one of open, locked, got 'shut'"),
        ({"plan": "1,2"}, "settings.plan: expected a list, got a string ('1,2')"),
        ({"plan": [{"tool": "nope", "minutes": 5}]}, "settings.plan[0].tool: unknown tool 'nope' (expected a tool id, such as 'engage-potential-partners')"),
        ({"plan": [{"tool": "share-discretion", "minutes": 0}]}, "settings.plan[0].minutes: expected 1 to 480 minutes, got 0"),
        ({"plan": [{"tool": "share-discretion", "minutes": 5}, {"tool": "share-discretion", "minutes": 9}]},
         "settings.plan[1]: tool 9 (share-discretion) is in the plan twice"),
        ({"plan": [{"tool": "share-discretion"}]}, "settings.plan[0]: expected {'tool': id, 'minutes': n}, got {'tool': 'share-discretion'}"),
        ({"plan_template": "Half Day!"}, "settings.plan_template: expected an agenda template's id such as 'first-meeting', got 'Half Day!'"),
        ({"lock_at": {"dessert": 1.8e9}}, "settings.lock_at: unknown stage 'dessert' (expected one of diagnosis, design, implementation, assessment, priorities)"),
        ({"lock_at": {"design": 1e300}}, "settings.lock_at.design: 1e+300 is not a time between 2000-01-01 and"),
        ({"timer_ends": "soon"}, "settings.timer_ends: expected a time in seconds since 1970, or null, got a string ('soon')"),
        ({"timer_seconds": 5 * 3600}, "settings.timer_seconds: expected 0 to 14,400 seconds (four hours), got 18000"),
        ({"hidden": [3, -1]}, "settings.hidden: expected an answer id number, got -1"),
        ({"hidden": [True]}, "settings.hidden: expected an answer id number, got True"),
        ({"min_group": 0}, "settings.min_group: expected a group size of 1 to 50, got 0"),
        ({"min_group": 2.5}, "settings.min_group: expected a whole number, got a number (2.5)"),
        ({"screen": "wall"}, "settings.screen: expected one of here, progress, heatmap, divergence, priorities, feed, report, got 'wall'"),
    ],
)
def test_bad_settings_name_the_setting(kit, raw, message):
    with pytest.raises(InvalidAnswer) as info:
        checks.settings(kit, raw)
    assert str(info.value) == message or (message.endswith(" and") and str(info.value).startswith(message))


def test_new_settings_round_trip_and_locks_with_notice_fall_by_themselves(kit):
    T = float(int(time.time()))  # a stored time is at most a day ahead of the clock
    raw = {
        "plan": [{"tool": "share-discretion", "minutes": 20}, {"tool": "engage-potential-partners", "minutes": 15}],
        "plan_template": "first-meeting", "lock_at": {"design": T + 100.0, "priorities": T + 50},
        "timer_ends": T + 600, "timer_seconds": 600, "vote_closed": False, "hidden": [9, 4, 9], "min_group": 4, "screen": "heatmap",
    }
    s = checks.settings(kit, raw)
    assert s.planned == ("share-discretion", "engage-potential-partners")
    assert s.hidden == (4, 9) and s.min_group == 4 and s.screen == "heatmap"
    assert checks.settings(kit, s.to_dict()) == s  # what the store writes, it reads back
    assert not s.is_locked("design", now=T + 99.0) and s.is_locked("design", now=T + 100.0)
    assert s.locks_in("design", now=T + 40.0) == 60.0 and s.locks_in("design", now=T + 200.0) is None
    assert not s.vote_is_closed(now=T + 49.0) and s.vote_is_closed(now=T + 50.0)
    assert s.timer_left(now=T + 500.0) == 100.0 and s.timer_left(now=T + 9_999.0) == 0.0
    settled = s.settled(now=T + 75.0)  # the vote's notice ran out, the design's not yet
    assert settled.vote_closed and dict(settled.lock_at) == {"design": T + 100.0} and not settled.is_locked("design", now=T + 75.0)
    assert WorkshopSettings().min_group == 3 and WorkshopSettings().timer_left() is None


def test_participant_ids_slugs_titles_and_actions():
    assert checks.participant_id(7) == 7
    for bad in (0, -3, True, "7", 2**31):
        with pytest.raises(InvalidAnswer, match="^participant: expected a participant id number, got "):
            checks.participant_id(bad)
    assert checks.slug("spring-2026") == "spring-2026"
    with pytest.raises(InvalidAnswer, match=r"^workshop slug: 'Spring 2026' is not a valid slug \(try 'spring-2026'\)$"):
        checks.slug("Spring 2026")
    with pytest.raises(InvalidAnswer, match=r"^workshop slug: expected a slug such as 'riverside-partners', got nothing \(null\)$"):
        checks.slug(None)
    assert checks.title("  Spring  ") == "Spring"
    with pytest.raises(InvalidAnswer, match="^workshop title: 201 characters is over the limit of 200"):
        checks.title("t" * 201)
    with pytest.raises(InvalidAnswer, match="^action: 2,001 characters is over the limit of 2,000"):
        checks.action_text("a" * 2001)
