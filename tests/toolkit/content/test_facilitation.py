"""The facilitator's part of the content (issue #16, schema 2): notes per
tool, sensitive questions, worksheets, agenda templates, related cases and
the changelog of question ids. Every broken field is refused with the file
and the exact place inside it."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from toolkit import content
from toolkit.content.model import resolve_renames
from toolkit.errors import ContentError, UnknownTool

# A small, complete set of schema 2 additions; ``_raw`` lays it over the
# packaged file (adding to what the file already has), so these tests do not
# depend on the wording of the packaged notes.
SHEET = {
    "id": "test-grid",
    "title": "A test grid",
    "purpose": "Lets a table sort what it knows.",
    "steps": ["Write alone.", "Compare in pairs.", "Agree as a table."],
    "columns": ["Item", "Who", "When"],
    "rows": 5,
}
NOTE = {
    "purpose": "Pick the indicators before arguing about data.",
    "core": ["ams-2", "ams-1"],
    "minutes": 30,
    "method": "test-grid",
    "materials": ["Sticky notes", "The grid, one per table"],
    "pitfalls": ["Choosing indicators because the data is easy.", "Too many indicators."],
}
PLAN = {
    "id": "test-plan",
    "title": "A test plan",
    "suits": "Tests.",
    "sessions": [
        {"title": "Morning", "items": [{"activity": "Welcome", "minutes": 10}, {"tool": "engage-potential-partners", "minutes": 20}, {"tool": "account-for-resources", "minutes": 25}]},
        {"title": "Afternoon", "items": [{"tool": "tell-the-story", "minutes": 30}, {"tool": "engage-potential-partners", "minutes": 15}]},
    ],
}
CHANGE = {"version": "9.1", "date": "2099-01-01", "note": "A test entry.", "renamed": {"zz-old-1": "zz-mid-1", "zz-old-2": "ams-3"}, "added": ["ams-2"]}
CHANGE_2 = {"version": "9.2", "date": "2099-02-01", "note": "Another.", "renamed": {"zz-mid-1": "ams-4"}}


def _raw() -> dict[str, Any]:
    raw = yaml.safe_load(content.DEFAULT_FILE.read_text(encoding="utf-8"))
    raw["schema_version"] = 2
    raw.setdefault("worksheets", []).append(copy.deepcopy(SHEET))
    raw["tools"][6]["facilitation"] = copy.deepcopy(NOTE)
    raw["tools"][3]["questions"][0]["sensitive"] = {"kind": "money", "reason": "Budgets are confidential."}
    raw.setdefault("plans", []).append(copy.deepcopy(PLAN))
    raw.setdefault("changes", []).extend([copy.deepcopy(CHANGE), copy.deepcopy(CHANGE_2)])
    return raw


def _write(tmp_path: Path, raw: dict[str, Any]) -> Path:
    path = tmp_path / "toolkit.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _broken(tmp_path: Path, mutate: Callable[[dict[str, Any]], None]) -> Path:
    raw = _raw()
    mutate(raw)
    return _write(tmp_path, raw)


def _refused(path: Path, place: str, problem: str) -> ContentError:
    with pytest.raises(ContentError) as info:
        content.parse_file(path)
    err = info.value
    assert (err.file, err.place) == (str(path), place), str(err)
    assert problem in err.problem, err.problem
    return err


@pytest.fixture
def kit2(tmp_path):
    return content.parse_file(_write(tmp_path, _raw()))


# --------------------------------------------------------------------------
# What the values hold


def test_a_tool_note_reads_into_a_frozen_value(kit2):
    tool = kit2.tool(7)
    note = tool.facilitation
    assert note.purpose == NOTE["purpose"] and note.minutes == 30 and note.method == "test-grid"
    assert note.core == ("ams-2", "ams-1")
    assert note.materials == ("Sticky notes", "The grid, one per table")
    assert len(note.pitfalls) == 2
    # Core questions come back as questions, in the note's order.
    assert [q.id for q in tool.core_questions] == ["ams-2", "ams-1"]
    assert tool.core_questions[0] is kit2.question("ams-2")
    assert kit2.worksheet(note.method).title == "A test grid"
    with pytest.raises(dataclasses.FrozenInstanceError):
        note.minutes = 5  # type: ignore[misc]


def test_a_sensitive_question_says_what_kind_and_why(kit2):
    q = kit2.tool(4).questions[0]
    assert (q.sensitive.kind, q.sensitive.reason) == ("money", "Budgets are confidential.")
    assert q in kit2.tool(4).sensitive_questions


def test_a_worksheet_has_steps_and_a_grid(kit2):
    sheet = kit2.worksheet("test-grid")
    assert sheet.steps == tuple(SHEET["steps"]) and sheet.columns == ("Item", "Who", "When") and sheet.rows == 5
    with pytest.raises(UnknownTool, match="no-such-sheet"):
        kit2.worksheet("no-such-sheet")


def test_a_worksheet_without_rows_prints_six(tmp_path):
    def mutate(raw):
        raw["worksheets"][-1].pop("rows")

    assert content.parse_file(_broken(tmp_path, mutate)).worksheet("test-grid").rows == 6


def test_a_plan_lists_its_tools_once_in_order_and_adds_up_its_minutes(kit2):
    plan = kit2.plan("test-plan")
    assert [s.title for s in plan.sessions] == ["Morning", "Afternoon"]
    assert plan.sessions[0].tool_ids == ("engage-potential-partners", "account-for-resources")
    # A tool revisited in a later session counts once in today's plan.
    assert plan.tool_ids == ("engage-potential-partners", "account-for-resources", "tell-the-story")
    assert (plan.sessions[0].minutes, plan.minutes) == (55, 100)
    assert plan.sessions[0].items[0].activity == "Welcome" and plan.sessions[0].items[0].tool_id is None
    with pytest.raises(UnknownTool, match="no-plan"):
        kit2.plan("no-plan")


def test_the_changelog_resolves_renames_through_later_entries(kit2):
    assert [c.version for c in kit2.changes][-2:] == ["9.1", "9.2"]
    change = next(c for c in kit2.changes if c.version == "9.1")
    assert change.date == "2099-01-01" and change.added == ("ams-2",)
    renamed = kit2.renamed_questions()
    assert renamed["zz-old-1"] is kit2.question("ams-4")  # zz-old-1 -> zz-mid-1 -> ams-4
    assert renamed["zz-mid-1"] is kit2.question("ams-4")
    assert renamed["zz-old-2"] is kit2.question("ams-3")
    assert kit2.question_renames()["zz-old-1"] == ("ams-4", "agree-on-measures-of-success")


def test_resolve_renames_stops_at_a_circle():
    a = content.model.Change("1", "2020-01-01", "x", renamed=(("a", "b"),))
    b = content.model.Change("2", "2020-01-02", "y", renamed=(("b", "a"),))
    assert resolve_renames((a, b)) == {"a": "a", "b": "b"}


def test_an_example_can_be_a_related_case_with_its_source(tmp_path):
    def mutate(raw):
        raw["tools"][0]["example"] = {
            "title": "A case", "place": "Somewhere", "summary": "What happened.",
            "shows": "What it shows for this tool.", "related": True, "source": "The case library",
        }

    example = content.parse_file(_broken(tmp_path, mutate)).tool(1).example
    assert (example.related, example.source, example.shows) == (True, "The case library", "What it shows for this tool.")


def test_notes_plans_worksheets_and_changes_round_trip(kit2):
    again = content.parse_text(yaml.safe_dump(kit2.to_dict(), sort_keys=False, allow_unicode=True), "<round trip>")
    assert again.tools == kit2.tools
    assert again.plans == kit2.plans and again.worksheets == kit2.worksheets and again.changes == kit2.changes


# --------------------------------------------------------------------------
# Schema versions


def _schema_1_raw() -> dict[str, Any]:
    """The packaged content as a schema 1 file: nothing schema 2 added."""
    raw = yaml.safe_load(content.DEFAULT_FILE.read_text(encoding="utf-8"))
    raw["schema_version"] = 1
    for key in ("plans", "worksheets", "changes"):
        raw.pop(key, None)
    for tool in raw["tools"]:
        tool.pop("facilitation", None)
        for q in tool["questions"]:
            q.pop("sensitive", None)
        for key in ("shows", "related", "source"):
            (tool.get("example") or {}).pop(key, None)
    return raw


def test_a_schema_1_file_still_loads_without_notes(tmp_path):
    kit = content.parse_file(_write(tmp_path, _schema_1_raw()))
    assert kit.schema_version == 1 and len(kit.tools) == 17
    assert kit.plans == () and kit.worksheets == () and kit.changes == ()
    assert all(t.facilitation is None and t.core_questions == () for t in kit.tools)
    assert kit.renamed_questions() == {}


@pytest.mark.parametrize(
    "mutate, place",
    [
        (lambda raw: raw.update(plans=[PLAN]), "plans"),
        (lambda raw: raw["tools"][2].update(facilitation=NOTE), "tools[2].facilitation"),
        (lambda raw: raw["tools"][1]["questions"][0].update(sensitive={"kind": "power", "reason": "x"}), "tools[1].questions[0].sensitive"),
        (lambda raw: raw["tools"][2]["example"].update(shows="x"), "tools[2].example.shows"),
    ],
)
def test_a_schema_1_file_using_schema_2_keys_is_told_to_say_2(tmp_path, mutate, place):
    raw = _schema_1_raw()
    mutate(raw)
    _refused(_write(tmp_path, raw), place, "this needs schema_version: 2 (the file says 1)")


def test_an_unknown_schema_version(tmp_path):
    _refused(_broken(tmp_path, lambda raw: raw.update(schema_version=3)), "schema_version", "expected 2 (or 1 for a file without facilitator notes), got 3")


# --------------------------------------------------------------------------
# Broken notes: each names its place


def _note(**change: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(raw):
        raw["tools"][6]["facilitation"].update(change)

    return mutate


@pytest.mark.parametrize(
    "mutate, place, problem",
    [
        (_note(core=["ams-9"]), "tools[6].facilitation.core[0]", "'ams-9' is not one of this tool's questions (ams-1, "),
        (_note(core=["ams-1", "epp-1"]), "tools[6].facilitation.core[1]", "'epp-1' is not one of this tool's questions"),
        (_note(core=["ams-1", "ams-1"]), "tools[6].facilitation.core[1]", "'ams-1' is listed twice"),
        (_note(core=["ams-1", "ams-2", "ams-3"]), "tools[6].facilitation.core", "expected at most 2 items, got 3"),
        (_note(core=[]), "tools[6].facilitation.core", "expected at least 1 item(s), got 0"),
        (_note(core="ams-1"), "tools[6].facilitation.core", "expected a list, got a string"),
        (_note(method="world-cafe"), "tools[6].facilitation.method", "no worksheet has the id 'world-cafe' (worksheets: "),
        (_note(minutes=0), "tools[6].facilitation.minutes", "expected minutes from 1 to 240, got 0"),
        (_note(minutes="half an hour"), "tools[6].facilitation.minutes", "expected a whole number"),
        (_note(pitfalls=["Only one."]), "tools[6].facilitation.pitfalls", "expected at least 2 item(s), got 1"),
        (_note(pitfalls=["a", "b", "c", "d"]), "tools[6].facilitation.pitfalls", "expected at most 3 items, got 4"),
        (_note(pitfalls=["a", ""]), "tools[6].facilitation.pitfalls[1]", "expected a non-empty string"),
        (_note(materials=[]), "tools[6].facilitation.materials", "expected at least 1 item(s), got 0"),
        (_note(purpose="Line one.\nLine two."), "tools[6].facilitation.purpose", "expected one line"),
        (_note(purpose="x" * 300), "tools[6].facilitation.purpose", "at most 240 characters, got 300"),
        (_note(colour="red"), "tools[6].facilitation.colour", "unknown key"),
        (lambda raw: raw["tools"][6]["facilitation"].pop("pitfalls"), "tools[6].facilitation.pitfalls", "missing required key"),
    ],
)
def test_a_broken_note_names_its_place(tmp_path, mutate, place, problem):
    _refused(_broken(tmp_path, mutate), place, problem)


@pytest.mark.parametrize(
    "sensitive, place, problem",
    [
        ({"kind": "gossip", "reason": "x"}, "tools[3].questions[0].sensitive.kind", "expected one of money, power, past-failures, data, got 'gossip'"),
        ({"kind": "money"}, "tools[3].questions[0].sensitive.reason", "missing required key"),
        ("money", "tools[3].questions[0].sensitive", "expected a mapping"),
        ({"kind": "data", "reason": "a\nb"}, "tools[3].questions[0].sensitive.reason", "expected one line"),
    ],
)
def test_a_broken_sensitive_flag_names_its_place(tmp_path, sensitive, place, problem):
    def mutate(raw):
        raw["tools"][3]["questions"][0]["sensitive"] = sensitive

    _refused(_broken(tmp_path, mutate), place, problem)


def test_a_related_case_without_its_source(tmp_path):
    def mutate(raw):
        raw["tools"][8]["example"].update(related=True)
        raw["tools"][8]["example"].pop("source", None)

    _refused(_broken(tmp_path, mutate), "tools[8].example.source", "a related case needs its source")


def test_an_example_shows_line_over_two_lines(tmp_path):
    _refused(_broken(tmp_path, lambda raw: raw["tools"][2]["example"].update(shows="One.\nTwo.")), "tools[2].example.shows", "expected one line")


def test_related_must_be_true_or_false(tmp_path):
    _refused(_broken(tmp_path, lambda raw: raw["tools"][2]["example"].update(related="yes")), "tools[2].example.related", "expected true or false")


# --------------------------------------------------------------------------
# Broken worksheets and plans


def _sheet(**change: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(raw):
        raw["worksheets"][-1].update(change)

    return mutate


def _last(raw: dict[str, Any], key: str) -> int:
    return len(raw[key]) - 1


@pytest.mark.parametrize(
    "mutate, key, problem",
    [
        (_sheet(steps=["Only one."]), "steps", "expected at least 2 item(s), got 1"),
        (_sheet(columns=["One"]), "columns", "expected at least 2 item(s), got 1"),
        (_sheet(columns=["a", 2]), "columns[1]", "expected a non-empty string, got a number (2)"),
        (_sheet(rows=0), "rows", "expected 1 to 30 blank rows, got 0"),
        (_sheet(id="Test Grid"), "id", "expected a lowercase id"),
        (_sheet(purpose=None), "purpose", "expected a non-empty string"),
    ],
)
def test_a_broken_worksheet_names_its_place(tmp_path, mutate, key, problem):
    n = _last(_raw(), "worksheets")
    _refused(_broken(tmp_path, mutate), f"worksheets[{n}].{key}", problem)


def test_a_duplicate_worksheet_id(tmp_path):
    def mutate(raw):
        raw["worksheets"].append(copy.deepcopy(SHEET))

    n = _last(_raw(), "worksheets")
    err = _refused(_broken(tmp_path, mutate), f"worksheets[{n + 1}].id", "duplicate worksheet id 'test-grid'")
    assert f"worksheets[{n}].id" in err.problem


def _plan_item(session: int, item: int, **value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(raw):
        raw["plans"][-1]["sessions"][session]["items"][item] = value

    return mutate


@pytest.mark.parametrize(
    "mutate, where, problem",
    [
        (_plan_item(0, 1, tool="write-a-memo", minutes=20), "sessions[0].items[1].tool", "no tool has the id 'write-a-memo'"),
        (_plan_item(0, 1, tool="engage-potential-partners", activity="Lunch", minutes=20), "sessions[0].items[1]", "either a tool (its id) or an activity"),
        (_plan_item(0, 1, minutes=20), "sessions[0].items[1]", "either a tool (its id) or an activity"),
        (_plan_item(0, 2, tool="engage-potential-partners", minutes=20), "sessions[0].items[2].tool", "'engage-potential-partners' is already in this session"),
        (_plan_item(1, 0, tool="tell-the-story", minutes=0), "sessions[1].items[0].minutes", "expected minutes from 1 to 240, got 0"),
        (_plan_item(1, 0, tool="tell-the-story"), "sessions[1].items[0].minutes", "missing required key"),
        (_plan_item(0, 1, activity="Break", minutes=20), None, None),  # still one tool in the session: fine
    ],
)
def test_a_broken_plan_item_names_its_place(tmp_path, mutate, where, problem):
    path = _broken(tmp_path, mutate)
    if where is None:
        assert content.parse_file(path).plan("test-plan").sessions[0].tool_ids == ("account-for-resources",)
        return
    n = _last(_raw(), "plans")
    _refused(path, f"plans[{n}].{where}", problem)


def test_a_session_without_a_tool(tmp_path):
    def mutate(raw):
        raw["plans"][-1]["sessions"][1]["items"] = [{"activity": "Lunch", "minutes": 45}]

    n = _last(_raw(), "plans")
    _refused(_broken(tmp_path, mutate), f"plans[{n}].sessions[1].items", "expected at least one tool among the items")


def test_a_plan_without_sessions_or_who_it_suits(tmp_path):
    n = _last(_raw(), "plans")
    _refused(_broken(tmp_path, lambda raw: raw["plans"][-1].update(sessions=[])), f"plans[{n}].sessions", "expected at least 1 item(s)")
    _refused(_broken(tmp_path, lambda raw: raw["plans"][-1].pop("suits")), f"plans[{n}].suits", "missing required key")


def test_a_duplicate_plan_id(tmp_path):
    n = _last(_raw(), "plans")
    _refused(_broken(tmp_path, lambda raw: raw["plans"].append(copy.deepcopy(PLAN))), f"plans[{n + 1}].id", "duplicate plan id 'test-plan'")


# --------------------------------------------------------------------------
# Broken changelog entries


def _entry(index: int, **change: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(raw):
        raw["changes"][index].update(change)

    return mutate


@pytest.mark.parametrize(
    "mutate, offset, key, problem",
    [
        (_entry(-2, renamed={"ams-1": "ams-2"}), 2, "renamed.ams-1", "'ams-1' is still a question id; a renamed id is retired for good"),
        (_entry(-2, renamed={"zz-x": "ams-99"}), 2, "renamed.zz-x", "'ams-99' is not a question id of this file"),
        (_entry(-1, renamed={"zz-old-2": "ams-4"}), 1, "renamed.zz-old-2", "'zz-old-2' was already renamed at changes["),
        (_entry(-1, renamed={"zz-mid-1": "zz-gone"}), 2, "renamed.zz-old-1", "'zz-mid-1' is renamed later to 'zz-gone', which is not a question id"),
        (_entry(-1, renamed={"zz-mid-1": "zz-old-1"}), 2, "renamed.zz-old-1", "renames go round in a circle through 'zz-mid-1'"),
        (_entry(-2, renamed={"zz-x": 7}), 2, "renamed.zz-x", "expected the new question id, got a number (7)"),
        (_entry(-2, renamed=["zz-x"]), 2, "renamed", "expected a mapping of old id: new id"),
        (_entry(-2, added=["ams-77"]), 2, "added[0]", "'ams-77' is not a question id of this file"),
        (_entry(-2, date="1 January 2099"), 2, "date", "expected a date as YYYY-MM-DD, got a string"),
        (_entry(-1, date="2098-12-31"), 1, "date", "expected 2099-01-01 or later (entries run oldest first)"),
        (_entry(-1, version="9.1"), 1, "version", "duplicate version '9.1'"),
        (_entry(-1, version=None), 1, "version", "expected a version such as '2.0'"),
        (_entry(-1, note="a\nb"), 1, "note", "expected one line"),
    ],
)
def test_a_broken_change_names_its_place(tmp_path, mutate, offset, key, problem):
    n = len(_raw()["changes"]) - offset
    _refused(_broken(tmp_path, mutate), f"changes[{n}].{key}", problem)


def test_a_change_that_renames_and_adds_nothing(tmp_path):
    def mutate(raw):
        raw["changes"][-1].pop("renamed")

    n = len(_raw()["changes"]) - 1
    _refused(_broken(tmp_path, mutate), f"changes[{n}]", "expected renamed or added question ids")


def test_a_change_date_may_be_written_as_a_yaml_date(tmp_path):
    def mutate(raw):
        raw["changes"][-1]["date"] = dt.date(2099, 3, 1)  # yaml.safe_dump writes it unquoted

    assert content.parse_file(_broken(tmp_path, mutate)).changes[-1].date == "2099-03-01"


# --------------------------------------------------------------------------
# The packaged content: notes for every tool, the five plans, the sheets,
# the corrected cases and the reworded questions

CLOSED_OPENINGS = ("is ", "are ", "do ", "does ", "did ", "should ", "would ", "can ", "could ", "will ", "have ", "has ")


def test_every_tool_has_a_complete_note(kit):
    assert kit.schema_version == 2
    for tool in kit.tools:
        note = tool.facilitation
        assert note is not None, tool
        assert 1 <= len(tool.core_questions) <= 2 and all(q.tool_id == tool.id for q in tool.core_questions)
        assert 15 <= note.minutes <= 60, tool
        assert kit.worksheet(note.method).steps
        assert note.materials and 2 <= len(note.pitfalls) <= 3


def test_every_worksheet_is_used_by_a_tool_and_fits_one_page(kit):
    used = {t.facilitation.method for t in kit.tools}
    assert used == {w.id for w in kit.worksheets}
    assert {"one-two-four-all", "stakeholder-map", "resource-inventory", "decision-rights-matrix", "data-sharing-checklist",
            "indicator-criteria-grid", "ninety-day-plan", "story-canvas"} <= used
    for sheet in kit.worksheets:
        assert 3 <= len(sheet.steps) <= 6 and 3 <= len(sheet.columns) <= 7, sheet
        assert sum(len(s) for s in sheet.steps) + len(sheet.purpose) < 1200, sheet  # one printed page


def test_the_five_agenda_templates(kit):
    plans = {p.id: p for p in kit.plans}
    assert list(plans) == ["first-meeting", "diagnosis-and-design", "full-series", "stalled-check-up", "starting-an-evaluation"]
    assert plans["first-meeting"].minutes == 90 and len(plans["first-meeting"].sessions) == 1
    half_day = plans["diagnosis-and-design"]
    assert {kit.tool(t).stage_id for t in half_day.tool_ids} == {"diagnosis", "design"}
    assert 180 <= half_day.minutes <= 240
    series = plans["full-series"]
    assert len(series.sessions) == 5 and series.tool_ids == tuple(t.id for t in kit.tools)  # every tool, in order
    assert all(s.minutes <= 180 for s in series.sessions)
    assert plans["starting-an-evaluation"].tool_ids[0] == "define-the-intent-of-the-evaluation"  # intent first
    assert "manage-expectations-of-process-and-results" in plans["stalled-check-up"].tool_ids
    for plan in kit.plans:
        assert plan.suits.strip() and plan.title.strip()


def test_sensitive_questions_cover_money_power_past_failures_and_data(kit):
    flagged = {q.id: q.sensitive.kind for t in kit.tools for q in t.sensitive_questions}
    assert set(flagged.values()) == {"money", "power", "past-failures", "data"}
    assert flagged["afr-1"] == "money" and flagged["cis-2"] == "data" and flagged["tts-5"] == "past-failures"


def test_every_example_says_what_it_shows_and_related_cases_name_their_source(kit):
    examples = {t.number: t.example for t in kit.tools if t.example}
    assert all(e.shows and "\n" not in e.shows for e in examples.values())
    related = {n for n, e in examples.items() if e.related}
    assert related == {1, 6, 7, 9, 10, 13}
    assert all("Intersector Project case library" in examples[n].source for n in related)
    assert {n for n in range(1, 18)} - set(examples) == {2, 14, 16}  # no case known: none invented


def test_the_corrected_cases(kit):
    fostered = kit.tool(8).example
    assert fostered.place == "Marion County, Indiana"
    assert "case-management system" in fostered.summary and "duplicat" in fostered.shows
    east_lake = kit.tool(11).example.summary
    assert "East Lake Foundation in 1995" in east_lake and "lead" in east_lake and "points to" not in east_lake
    berkeley = kit.tool(15).example.summary
    assert "feasible" in berkeley and "across the state" in berkeley
    ibest = kit.tool(17).example.summary
    assert "nine times" in ibest and "three times" in ibest


def test_questions_are_open_and_afr_3_is_rewritten(kit):
    for tool in kit.tools:
        for q in tool.questions:
            assert not q.text.lower().startswith(CLOSED_OPENINGS), q
    assert "convening power, legal expertise" not in kit.question("afr-3").text
    for qid in ("etv-5", "bcfb-3", "tts-2", "ams-5", "cies-5", "ams-4"):
        assert " or both?" not in kit.question(qid).text and "and if not" not in kit.question(qid).text


def test_the_changelog_records_every_new_and_moved_question(kit):
    assert kit.renamed_questions() == {"cis-5": kit.question("mepr-6")}
    assert kit.question_renames() == {"cis-5": ("mepr-6", "manage-expectations-of-process-and-results")}
    change = kit.changes[0]
    new_ids = {q.id for t in kit.tools for q in t.questions} - set(change.added) - {new for _, new in change.renamed}
    # Every question id of the first edition is still here, except the one that moved.
    first_edition = {f"{prefix}-{n}" for prefix, count in PREFIXES.items() for n in range(1, count + 1)} - {"cis-5"}
    assert new_ids == first_edition


PREFIXES = {"epp": 6, "svs": 5, "ahai": 5, "afr": 5, "etv": 5, "bcfb": 5, "ams": 5, "cis": 5, "sd": 5, "egs": 6, "iam": 5,
            "cies": 5, "mepr": 5, "sastg": 5, "dite": 5, "epl": 5, "tts": 5}


def test_the_glossary_has_the_new_terms_and_sector_covers_all_five(kit):
    ids = {t.id for t in kit.glossary}
    assert {"backbone-organization", "partnership-agreement", "consensus", "logic-model", "baseline", "lived-experience", "collective-impact"} <= ids
    assert "MOU" in kit.term("partnership-agreement").term
    sector = kit.term("sector").definition.lower()
    assert all(word in sector for word in ("government", "business", "non-profit", "community", "other"))
    assert [t.id for t in kit.glossary] == sorted(ids)


def test_the_provisional_notes_are_for_facilitators(kit):
    for number in (14, 16):
        assert kit.tool(number).note.startswith("For facilitators:")


# --------------------------------------------------------------------------
# The scale's "not yet relevant at our stage"


def test_the_packaged_scale_offers_not_yet_relevant_apart_from_not_sure(kit):
    assert kit.scale.not_yet == "Not yet relevant at our stage"
    assert kit.scale.not_yet != kit.scale.not_sure
    assert kit.to_dict()["scale"]["not_yet"] == kit.scale.not_yet


def test_a_scale_without_not_yet_still_loads_and_offers_none(tmp_path):
    kit = content.parse_file(_broken(tmp_path, lambda raw: raw["scale"].pop("not_yet")))
    assert kit.scale.not_yet == ""
    assert "not_yet" not in kit.to_dict()["scale"]


@pytest.mark.parametrize(
    "value, problem",
    [
        ("", "expected a non-empty string"),
        (3, "expected a non-empty string, got a number (3)"),
        ("not SURE", "expected a label of its own"),
    ],
)
def test_a_broken_not_yet_label_names_its_place(tmp_path, value, problem):
    _refused(_broken(tmp_path, lambda raw: raw["scale"].update(not_yet=value)), "scale.not_yet", problem)
