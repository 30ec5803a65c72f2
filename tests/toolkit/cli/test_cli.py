"""The ``workshop`` command line: content verbs in-process (``main([...])``)
and once through the installed console script, plus ``--help`` for every
verb the parser has (later verbs are covered automatically)."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from toolkit import cli, content

CONSOLE_SCRIPT = Path(sys.executable).with_name("workshop")
TOOL_LINE = re.compile(r"^\s+(\d+)\s+(\S+)\s+(.+?)(\s+\(provisional\))?$")
STAGE_LINE = re.compile(r"^Stage (\d+): (\S+) - (.+)$")


@pytest.fixture(autouse=True)
def _packaged_content(monkeypatch):
    monkeypatch.delenv(content.CONTENT_ENV, raising=False)


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _parse_tools(out: str) -> list[tuple[int, list[tuple[int, str, bool]]]]:
    """``workshop tools`` output as [(stage number, [(tool number, name, provisional)])]."""
    stages: list[tuple[int, list[tuple[int, str, bool]]]] = []
    for line in out.splitlines():
        if m := STAGE_LINE.match(line):
            stages.append((int(m.group(1)), []))
        elif m := TOOL_LINE.match(line):
            stages[-1][1].append((int(m.group(1)), m.group(3), bool(m.group(4))))
    return stages


def _check_tools_listing(out: str, kit) -> None:
    stages = _parse_tools(out)
    assert [n for n, _ in stages] == [1, 2, 3, 4]
    assert [[t[0] for t in tools] for _, tools in stages] == [
        [1, 2, 3, 4],
        [5, 6, 7, 8, 9, 10, 11],
        [12, 13, 14],
        [15, 16, 17],
    ]
    flat = [t for _, tools in stages for t in tools]
    assert [name for _, name, _ in flat] == [t.name for t in kit.tools]
    assert [n for n, _, provisional in flat if provisional] == [14, 16]
    assert "17 tools in 4 stages" in out


def test_tools_lists_17_tools_in_4_stages_in_order(capsys, kit):
    code, out, err = _run(capsys, "tools")
    assert code == 0 and err == ""
    _check_tools_listing(out, kit)
    assert "Stage 2: Design - " in out


@pytest.mark.parametrize("key", ["9", "share-discretion"])
def test_show_one_tool_by_number_or_id(capsys, kit, key):
    code, out, err = _run(capsys, "show", key)
    tool = kit.tool(9)
    assert code == 0 and err == ""
    assert out.splitlines()[0] == "Tool 9: Share Discretion"
    assert "Stage 2: Design   id: share-discretion" in out
    for q in tool.questions:
        assert f"[{q.id}]" in out
    assert "Guiding questions" in out and "What it is" in out


def test_show_provisional_tool_shows_its_note(capsys, kit):
    code, out, _ = _run(capsys, "show", "14")
    assert code == 0
    assert out.splitlines()[0].endswith("(provisional)")
    assert f"Note: {kit.tool(14).note}" in out


def test_show_unknown_tool_exits_2_with_a_message(capsys):
    code, out, err = _run(capsys, "show", "99")
    assert code == 2 and out == ""
    assert err.startswith("workshop show: ")
    assert "'99'" in err and "known: 1, 2," in err


def test_validate_the_packaged_file(capsys):
    code, out, err = _run(capsys, "validate", str(content.DEFAULT_FILE))
    assert code == 0 and err == ""
    assert out.startswith(f"{content.DEFAULT_FILE}: valid (schema 2)")
    assert "4 stages, 17 tools, " in out and "provisional tools: 14, 16" in out


def _file_with_duplicate_question(tmp_path: Path) -> Path:
    raw = yaml.safe_load(content.DEFAULT_FILE.read_text(encoding="utf-8"))
    raw["tools"][6]["questions"][2]["id"] = raw["tools"][6]["questions"][0]["id"]
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_validate_a_broken_file_exits_nonzero_naming_the_place(capsys, tmp_path):
    path = _file_with_duplicate_question(tmp_path)
    code, out, err = _run(capsys, "validate", str(path))
    assert code != 0 and out == ""
    assert f"{path}: tools[6].questions[2].id: duplicate question id 'ams-1'" in err


def test_validate_a_missing_file(capsys, tmp_path):
    code, _, err = _run(capsys, "validate", str(tmp_path / "gone.yaml"))
    assert code == 1 and "gone.yaml" in err and "cannot read" in err  # validate's answer: no valid file there


def test_store_verbs_new_list_lock(capsys, tmp_path):
    db = str(tmp_path / "cli.sqlite")
    code, out, _ = _run(capsys, "new", "Riverside Partners", "--db", db)
    assert (code, out) == (0, "riverside-partners\n")
    code, out, _ = _run(capsys, "list", "--db", db)
    assert code == 0 and re.search(r"^riverside-partners\s+0\s+0\s+0\s+1\s", out, re.M)
    code, out, _ = _run(capsys, "lock", "riverside-partners", "2", "--db", db)
    assert code == 0 and "Design locked" in out and "Diagnosis open" in out
    code, _, err = _run(capsys, "lock", "no-such-workshop", "2", "--db", db)
    assert code == 2 and "unknown workshop 'no-such-workshop'" in err


def test_list_labels_its_counts_as_the_dashboard_counts_them(capsys, tmp_path):
    """The demo has 218 current answers to guiding questions (the
    dashboard's "Answers") and more rows of history (ratings, notes, dots):
    list says which is which."""
    from toolkit.frames import all_frames, summary
    from toolkit.store import AnswerStore

    db = str(tmp_path / "cli.sqlite")
    code, out, _ = _run(capsys, "demo", "--db", db)
    store = AnswerStore(db)
    counts, rows = summary(all_frames(store, "demo")), store.count_answers("demo")
    assert store.workshop("demo").settings.ratings_revealed  # the demo's first look is the README's dashboard
    store.close()
    assert counts["answers"] < rows
    assert code == 0 and f"{counts['participants']} participants, {counts['answers']} current answers" in out
    assert f"({rows} history rows); ratings revealed." in out
    code, out, _ = _run(capsys, "list", "--db", db)
    header, row, *rest = out.splitlines()
    assert code == 0 and header.startswith("slug ")
    assert "people" in header and "current answers" in header and "history rows" in header
    assert re.match(rf"^demo\s+{counts['participants']}\s+{counts['answers']}\s+{rows}\s+1\s", row), row
    assert any("as the dashboard does" in line for line in rest)


def test_the_readme_names_every_verb():
    """Every verb ``workshop --help`` lists is in the README, written as a
    reader would type it (``workshop lock``), so the two stay in step."""
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    missing = [verb for verb in _verbs() if not re.search(rf"\bworkshop {re.escape(verb)}\b", readme)]
    assert missing == []


# --------------------------------------------------------------------------
# --help for every verb


def _verbs() -> list[str]:
    parser = cli.build_parser()
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(subparsers) == 1
    return list(subparsers[0].choices)


def test_the_verbs_include_the_content_verbs():
    assert {"tools", "show", "validate"} <= set(_verbs())


@pytest.mark.parametrize("verb", _verbs())
def test_help_for_every_verb(capsys, verb):
    with pytest.raises(SystemExit) as info:
        cli.main([verb, "--help"])
    out, err = capsys.readouterr()
    assert info.value.code == 0 and err == ""
    assert out.startswith(f"usage: workshop {verb}")
    assert "-h, --help" in out


def test_top_level_help_lists_every_verb(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    out, _ = capsys.readouterr()
    assert info.value.code == 0
    for verb in _verbs():
        assert re.search(rf"^\s+{re.escape(verb)}\s", out, re.M), verb


def test_no_verb_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main([])
    assert info.value.code == 2
    assert "usage: workshop" in capsys.readouterr().err


# --------------------------------------------------------------------------
# The installed console script


def _script(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert CONSOLE_SCRIPT.exists(), f"{CONSOLE_SCRIPT} is missing; run: bash scripts/setup.sh"
    env = {k: v for k, v in os.environ.items() if k not in (content.CONTENT_ENV, "WORKSHOP_DB")}
    return subprocess.run([str(CONSOLE_SCRIPT), *argv], capture_output=True, text=True, cwd=cwd, env=env, timeout=60)


def test_console_script_tools_from_another_directory(tmp_path, kit):
    result = _script("tools", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    _check_tools_listing(result.stdout, kit)


def test_console_script_validate_broken_file(tmp_path):
    path = _file_with_duplicate_question(tmp_path)
    result = _script("validate", str(path), cwd=tmp_path)
    assert result.returncode == 1
    assert "tools[6].questions[2].id" in result.stderr and result.stdout == ""


# --------------------------------------------------------------------------
# --content reaches every verb


def test_an_edited_content_file_is_what_the_verbs_use(capsys, tmp_path, edited_content):
    """A renamed stage and an extra question: `show` and `tools` print them,
    the store verbs check against them, and the exports hold them."""
    (stage_id, stage_title), (qid, qtext) = edited_content.stage, edited_content.question
    edited, db = str(edited_content.path), str(tmp_path / "w.sqlite")
    code, out, err = _run(capsys, "--content", edited, "show", "1")
    assert code == 0 and err == ""
    assert f"Stage 1: {stage_title}   id: engage-potential-partners" in out and f"[{qid}]" in out and qtext.split()[0] in out
    # --content after the verb says the same; the packaged content knows neither.
    assert _run(capsys, "show", "1", "--content", edited)[1] == out
    packaged = _run(capsys, "show", "1")[1]
    assert "Stage 1: Diagnosis" in packaged and qid not in packaged
    assert f"Stage 1: {stage_title} - " in _run(capsys, "tools", "--content", edited)[1]

    assert _run(capsys, "--content", edited, "new", "Riverside", "--db", db)[:2] == (0, "riverside\n")
    code, out, _ = _run(capsys, "--content", edited, "lock", "riverside", stage_id, "--db", db)
    assert code == 0 and f"{stage_title} locked" in out and "Design open" in out
    code, _, err = _run(capsys, "lock", "riverside", stage_id, "--db", db)
    assert code == 2 and f"unknown stage '{stage_id}'" in err  # the packaged content has no such stage
    _run(capsys, "--content", edited, "open", "riverside", "1", "--db", db)

    from toolkit.store import AnswerStore

    store = AnswerStore(db, kit=content.load(edited_content.path))
    try:
        who = store.add_participant("riverside", name="Ana", organization="Food Bank", sector="nonprofit", table="T1")
        store.save_answer("riverside", who.id, "engage-potential-partners", qid, "The library has a free room")
    finally:
        store.close()
    guide = tmp_path / "guide.md"
    code, out, err = _run(capsys, "--content", edited, "export", "riverside", "--output", str(guide), "--db", db)
    assert (code, err) == (0, "")
    text = guide.read_text(encoding="utf-8")
    assert f"## Stage 1 of 4: {stage_title}" in text and "Diagnosis" not in text  # as the HTML says it (Stage 1 of 4)
    assert qtext in text and "The library has a free room" in text
    dump = tmp_path / "all.json"
    assert _run(capsys, "export", "riverside", "--content", edited, "--output", str(dump), "--db", db)[0] == 0
    assert {a["question_id"]: a["value"] for a in json.loads(dump.read_text())["answers"]}[qid] == "The library has a free room"
    handout = tmp_path / "handout.html"
    assert _run(capsys, "--content", edited, "handout", "--output", str(handout))[0] == 0
    assert stage_title in handout.read_text(encoding="utf-8") and qtext in handout.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "argv",
    [
        ["list"], ["new", "X"], ["demo"], ["lock", "x", "1"], ["reveal", "x"], ["show", "1"], ["tools"],
        ["export", "x"], ["handout"], ["import", "x.json"], ["serve"], ["pages", "--output", "out"],
    ],
)
def test_a_missing_content_file_stops_every_verb_with_one_line(capsys, tmp_path, argv):
    missing = str(tmp_path / "nonexistent.yaml")
    for args in (["--content", missing, *argv], [*argv, "--content", missing]):
        code, out, err = _run(capsys, *args, *(["--db", str(tmp_path / "w.sqlite")] if argv[0] not in ("show", "tools", "pages", "handout") else []))
        assert code == 2 and out == ""
        assert err == f"workshop {argv[0]}: {missing}: cannot read the content file (No such file or directory)\n"
    assert not (tmp_path / "w.sqlite").exists()  # nothing was opened, let alone written


def test_workshop_content_in_the_environment_reaches_the_verbs(capsys, monkeypatch, edited_content):
    monkeypatch.setenv(content.CONTENT_ENV, str(edited_content.path))
    assert f"Stage 1: {edited_content.stage[1]}" in _run(capsys, "show", "1")[1]


def test_pages_writes_the_pages_of_the_content(capsys, tmp_path, edited_content):
    code, out, _ = _run(capsys, "--content", str(edited_content.path), "pages", "--output", str(tmp_path / "pages"))
    assert code == 0
    names = [Path(line).name for line in out.splitlines()]
    assert names == ["stage-1-discovery.ipynb", "stage-2-design.ipynb", "stage-3-implementation.ipynb", "stage-4-assessment.ipynb", "priorities.ipynb", "dashboard.ipynb", "presenter.ipynb"]
    intro = json.loads((tmp_path / "pages" / "stage-1-discovery.ipynb").read_text())["cells"][0]["source"]
    assert "Stage 1 of 4: Discovery." in "".join(intro)


def test_a_postgresql_url_without_the_driver_is_one_clear_line(tmp_path):
    """The driver is the postgres extra; without it a postgresql:// URL
    says what to install instead of a traceback."""
    probe = (
        "import sys; sys.modules['psycopg'] = None\n"  # as if psycopg were not installed
        "from toolkit import cli; sys.exit(cli.main(['list', '--db', 'postgresql://ws@127.0.0.1:1/workshop']))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        "workshop list: the store is PostgreSQL and its driver is not installed (psycopg); install the kit's postgres extra: "
        "pip install 'intersector-workshop[postgres]' (in a checkout: pip install -e '.[postgres]')\n"
    )
