"""``workshop plans`` and the schema 2 summary of ``workshop validate``
(issue #16): the agenda templates with tools, order, minutes and who each
suits, read from the content file."""

from __future__ import annotations

import re

import pytest
import yaml

from toolkit import content
from toolkit import cli


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _slots(block: str) -> list[tuple[int, str]]:
    """(minutes, label) of each agenda line: a tool's number and name, or an activity."""
    return [(int(m), label.strip()) for m, label in re.findall(r"^\s+(\d+) min  (.*)$", block, re.M)]


def test_plans_lists_every_template_with_its_tools_in_order(capsys, kit):
    code, out, err = _run(capsys, "plans")
    assert code == 0 and err == ""
    blocks = out.strip().split("\n\n")
    assert len(blocks) == len(kit.plans) + 1 and blocks[-1] == f"{len(kit.plans)} plans. Show one: workshop plans PLAN"
    for plan, block in zip(kit.plans, blocks):
        head = block.splitlines()[0]
        assert head.startswith(f"{plan.title}   [{plan.id}]   ") and head.endswith(f", {len(plan.tool_ids)} tools")
        assert " ".join(plan.suits.split()) in " ".join(line.strip().removeprefix("Suits: ") for line in block.splitlines()[1:4])
        expected = [
            (i.minutes, f"{kit.tool(i.tool_id).number}  {kit.tool(i.tool_id).name}" if i.tool_id else i.activity)
            for s in plan.sessions for i in s.items
        ]
        assert _slots(block) == expected
        assert sum(m for m, _ in _slots(block)) == plan.minutes


def test_one_plan_by_id_shows_its_sessions(capsys, kit):
    code, out, _ = _run(capsys, "plans", "full-series")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Series: the whole toolkit in five sessions   [full-series]   10 h 55 min, 17 tools"
    heads = [line.strip() for line in lines if line.startswith("  Session")]
    assert [h.rsplit(" (", 1)[0] for h in heads] == [s.title for s in kit.plan("full-series").sessions]
    assert heads[:2] == ["Session 1: Diagnosis (2 h 20 min)", "Session 2: Design, common ground (2 h)"]
    assert "     20 min   1  Engage Potential Partners" not in lines  # the series gives tool 1 thirty minutes
    assert "     30 min   1  Engage Potential Partners" in lines
    assert "plans. Show one" not in out


def test_the_first_meeting_takes_ninety_minutes(capsys):
    code, out, _ = _run(capsys, "plans", "first-meeting")
    assert code == 0
    assert out.splitlines()[0] == "First meeting   [first-meeting]   1 h 30 min, 3 tools"
    assert _slots(out) == [
        (10, "Welcome, introductions and ground rules"),
        (20, "1  Engage Potential Partners"),
        (25, "2  Share a Vision of Success"),
        (20, "4  Account for Resources"),
        (15, "Dot vote and next steps"),
    ]


def test_an_unknown_plan_exits_2_naming_the_known_ones(capsys):
    code, out, err = _run(capsys, "plans", "weekend-retreat")
    assert code == 2 and out == ""
    assert err.startswith("workshop plans: unknown plan 'weekend-retreat' (known: first-meeting, ")


def test_plans_of_an_edited_content_file(capsys, tmp_path):
    raw = yaml.safe_load(content.DEFAULT_FILE.read_text(encoding="utf-8"))
    raw["plans"] = [{"id": "quick", "title": "Quick check", "suits": "A short test.",
                     "sessions": [{"title": "One", "items": [{"tool": "tell-the-story", "minutes": 45}, {"activity": "Close", "minutes": 15}]}]}]
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    code, out, _ = _run(capsys, "--content", str(path), "plans")
    assert code == 0
    assert out.splitlines()[0] == "Quick check   [quick]   1 h, 1 tools"
    assert _slots(out) == [(45, "17  Tell the Story"), (15, "Close")]


def test_plans_of_a_file_without_plans(capsys, tmp_path):
    raw = yaml.safe_load(content.DEFAULT_FILE.read_text(encoding="utf-8"))
    raw.pop("plans")
    path = tmp_path / "no-plans.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    code, out, _ = _run(capsys, "--content", str(path), "plans")
    assert code == 0 and out == f"{path.resolve()}: no agenda templates (the content file has no plans)\n"


def test_validate_summarises_the_facilitator_part(capsys):
    code, out, _ = _run(capsys, "validate", str(content.DEFAULT_FILE))
    assert code == 0
    assert "  facilitator notes for 17 of 17 tools, 5 plans, 15 worksheets, 1 changelog entries (1 renamed question ids)" in out.splitlines()


def test_validate_names_a_broken_core_question(capsys, tmp_path):
    raw = yaml.safe_load(content.DEFAULT_FILE.read_text(encoding="utf-8"))
    raw["tools"][6]["facilitation"]["core"] = ["ams-1", "epp-1"]
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    code, out, err = _run(capsys, "validate", str(path))
    assert code == 1 and out == ""
    assert err.startswith(f"workshop validate: {path}: tools[6].facilitation.core[1]: 'epp-1' is not one of this tool's questions (ams-1, ")


@pytest.mark.parametrize(
    "mutate, place, problem",
    [
        (lambda raw: raw["tools"][8]["facilitation"].update(method="world-cafe"), "tools[8].facilitation.method", "no worksheet has the id 'world-cafe' (worksheets: "),
        (lambda raw: raw["plans"][0]["sessions"][0]["items"][1].update(tool="make-friends"), "plans[0].sessions[0].items[1].tool", "make-friends"),
        (lambda raw: raw["scale"].update(not_yet="Not sure"), "scale.not_yet", "expected a label of its own"),
    ],
    ids=["worksheet-link", "plan-tool", "not-yet-label"],
)
def test_validate_names_a_broken_worksheet_link_plan_or_scale_label(capsys, tmp_path, mutate, place, problem):
    raw = yaml.safe_load(content.DEFAULT_FILE.read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    code, out, err = _run(capsys, "validate", str(path))
    assert code == 1 and out == ""
    assert err.startswith(f"workshop validate: {path}: {place}: ") and problem in err
    assert len(err.strip().splitlines()) == 1


def test_help_names_the_verb(capsys):
    with pytest.raises(SystemExit):
        cli.main(["plans", "--help"])
    out, _ = capsys.readouterr()
    assert "agenda templates" in out and "PLAN" in out
