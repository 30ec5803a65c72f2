"""Exports of a workshop: the JSON round trip (every frame equal after
export and import into an empty store, both backends), the xlsx workbook,
CSV frames, formula neutralisation, anonymous mode and the CLI verb."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from toolkit import cli
from toolkit.errors import InvalidAnswer, NotFound
from toolkit.exports.importer import ImportFileError, import_file
from toolkit.exports.workshop import (
    FORMATS,
    HEADERS,
    JSON_FORMAT,
    JSON_VERSION,
    SHEETS,
    export_workshop,
    neutralise,
    workshop_document,
)
from toolkit.frames import COLUMNS, FRAME_NAMES, View, all_frames, for_view
from toolkit.store import AnswerStore
from toolkit.store.demo import create_demo

FORMULAS = ('=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\tTAB", "=1+1")
IDS = ("answer_id", "action_id", "participant_id", "table_answer_id")


def enrich(store, slug: str) -> None:
    """Add what the demo may not have: formula-looking answers, a cleared
    answer, a "not sure", an action linked to a participant and updated, a
    second round and a locked stage, so the round trip covers all of it."""
    people = store.participants(slug)
    p0, p1 = people[0], people[1]
    tool = store.kit.tool(5)
    for i, text in enumerate(FORMULAS[:4]):
        store.save_answer(slug, p0.id, tool.id, tool.questions[i].id, text)
    store.save_answer(slug, p1.id, tool.id, tool.questions[0].id, "Soon to be cleared")
    store.save_answer(slug, p1.id, tool.id, tool.questions[0].id, "")
    store.save_rating(slug, p1.id, tool.id, None)
    store.save_comment(slug, p0.id, tool.id, "Needs a shared glossary\nand a map")
    action = store.add_action(slug, tool.id, what="Write the glossary", owner="Kim", owner_sector="nonprofit", due="2026-09-01", participant_id=p0.id)
    store.update_action(action.id, status="done")
    add_table_answers(store, slug, tool)
    store.new_round(slug)
    store.save_rating(slug, p0.id, tool.id, 2)
    store.save_answer(slug, p1.id, tool.id, tool.questions[1].id, "Round two answer")
    store.save_table_answer(slug, p0.table, tool.id, tool.questions[0].id, ROUND_TWO_TABLE, participant_id=p0.id)
    store.lock_stage(slug, "diagnosis")


#: The table answers add_table_answers writes (issue #15), as the file has them.
ROUND_TWO_TABLE = "Round two: the table's <i>new</i> answer"
TABLE_TEXTS = ("We start with the river trust", "<b>We</b> start with the trust\nand =the port", "Agreed on the table's laptop")


def add_table_answers(store, slug: str, tool) -> None:
    """Tables working together: a member's table answer, a tablemate's edit
    of it, a stale edit refused (kept in table_superseded), one written on
    the table's shared device, and a second table."""
    from toolkit.errors import ChangedElsewhere

    people = store.participants(slug)
    p0 = people[0]
    mate = next(p for p in people[1:] if p.table == p0.table)
    other = next(p for p in people if p.table != p0.table)
    q0, q1 = tool.questions[0].id, tool.questions[1].id
    first = store.save_table_answer(slug, p0.table, tool.id, q0, TABLE_TEXTS[0], participant_id=p0.id, base=0)
    store.save_table_answer(slug, p0.table, tool.id, q0, TABLE_TEXTS[1], participant_id=mate.id, base=first.id)
    with pytest.raises(ChangedElsewhere):
        store.save_table_answer(slug, p0.table, tool.id, q0, "A stale edit", participant_id=p0.id, base=first.id)
    store.save_table_answer(slug, p0.table, tool.id, q1, TABLE_TEXTS[2], participant_id=None)
    store.save_table_answer(slug, other.table, tool.id, q0, "The other table's answer", participant_id=other.id)


@pytest.fixture
def demo(sqlite_store):
    ws = create_demo(sqlite_store)
    enrich(sqlite_store, ws.slug)
    return sqlite_store, ws.slug


def assert_same_frames(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert list(a) == list(b)
    for name in a:
        left = a[name].drop(columns=[c for c in IDS if c in a[name].columns])
        right = b[name].drop(columns=[c for c in IDS if c in b[name].columns])
        pd.testing.assert_frame_equal(left, right, obj=f"frame {name!r}")


def _participant_map(a, b, slug_a, slug_b):
    """Old id -> new id, by identity (organization, table, name)."""
    key = lambda p: (p.name, p.organization, p.table)  # noqa: E731
    new = {key(p): p.id for p in b.participants(slug_b)}
    return {p.id: new[key(p)] for p in a.participants(slug_a)}


def test_json_round_trip_into_an_empty_store_gives_equal_frames(demo, store, tmp_path):
    source, slug = demo
    path = export_workshop(source, slug, "json", tmp_path / "demo.json")
    result = import_file(store, path)
    assert result.created_workshop and result.slug == slug
    assert result.answers_added == source.count_answers(slug) and result.answers_skipped == 0
    assert result.participants_added == len(source.participants(slug))
    assert result.actions_added == len(source.actions(slug))
    before, after = all_frames(source, slug), all_frames(store, slug)
    assert len(after["answers"]) > 400 and len(after["actions"]) >= 1
    assert_same_frames(before, after)
    # Participant ids differ between stores, but every answer points to the same person.
    ids = _participant_map(source, store, slug, slug)
    pd.testing.assert_series_equal(
        before["answers"]["participant_id"].map(ids).astype("int64"), after["answers"]["participant_id"], check_names=False
    )
    # The workshop itself: title, created and settings, locks and round included.
    ws_a, ws_b = source.workshop(slug), store.workshop(slug)
    assert (ws_b.title, ws_b.created, ws_b.settings) == (ws_a.title, ws_a.created, ws_a.settings)
    assert ws_b.settings.round == 2 and ws_b.settings.is_locked("diagnosis")
    assert [(a.participant_id and ids[a.participant_id], a.status, a.updated) for a in source.actions(slug)] == [
        (a.participant_id, a.status, a.updated) for a in store.actions(slug)
    ]
    # Earlier rounds survive too (the frames above are of the current round).
    pd.testing.assert_frame_equal(
        all_frames(source, slug, round=1)["ratings"], all_frames(store, slug, round=1)["ratings"]
    )
    # The tables' answers (round 1): every row, who wrote it, the shared
    # device's and the refused edit, the same in both stores.
    def tabled(s, rows):
        return [(r.table, r.round, r.tool_id, r.question_id, r.value, r.participant_id and ids.get(r.participant_id, r.participant_id), r.created) for r in rows]

    assert result.table_answers_added == len(source.table_answer_rows(slug)) == 5
    assert [(t, rnd, tool, q, v, created) for t, rnd, tool, q, v, _who, created in tabled(source, source.table_answer_rows(slug))] == [
        (t, rnd, tool, q, v, created) for t, rnd, tool, q, v, _who, created in tabled(store, store.table_answer_rows(slug))
    ]
    assert [r[5] for r in tabled(source, source.table_answer_rows(slug))] == [r.participant_id for r in store.table_answer_rows(slug)]
    assert [r.value for r in store.table_superseded(slug)] == ["A stale edit"]
    current = {(r.table, r.question_id): r.value for r in store.current_table_answers(slug, round=1)}
    assert sorted(current.values()) == sorted([TABLE_TEXTS[1], TABLE_TEXTS[2], "The other table's answer"])
    # Imported twice: nothing is added the second time.
    again = import_file(store, path)
    assert again.table_answers_added == 0 and len(store.table_answer_rows(slug)) == 5 and len(store.table_superseded(slug)) == 1


def test_json_round_trip_from_each_backend(store, tmp_path):
    ws = create_demo(store)
    enrich(store, ws.slug)
    path = export_workshop(store, ws.slug, "json", tmp_path / "out.json")
    target = AnswerStore(f"sqlite:///{tmp_path / 'target.sqlite'}")
    import_file(target, path)
    assert_same_frames(all_frames(store, ws.slug), all_frames(target, ws.slug))


def test_json_document_has_marker_version_and_the_whole_history(demo, tmp_path):
    store, slug = demo
    doc = json.loads(export_workshop(store, slug, "json", tmp_path / "d.json").read_text(encoding="utf-8"))
    assert doc["format"] == JSON_FORMAT == "intersector-workshop" and doc["version"] == JSON_VERSION == 3
    assert doc == {**workshop_document(store, slug), "exported": doc["exported"]}
    assert doc["workshop"]["slug"] == slug and doc["workshop"]["settings"]["round"] == 2
    assert doc["workshop"]["settings"]["stages"] == {"diagnosis": "locked"}
    assert len(doc["answers"]) == store.count_answers(slug)
    assert {a["round"] for a in doc["answers"]} == {1, 2}
    assert {a["kind"] for a in doc["answers"]} == {"text", "rating", "comment", "dots"}
    cleared = [a for a in doc["answers"] if a["value"] == ""]
    assert len(cleared) == 1 and cleared[0]["kind"] == "text"
    assert all(isinstance(a["created"], float) for a in doc["answers"])
    assert set(doc["answers"][0]) == {"participant", "round", "tool_id", "question_id", "kind", "value", "created"}
    ids = {p["id"] for p in doc["participants"]}
    assert {a["participant"] for a in doc["answers"]} <= ids
    # Tables working together (version 3): every table answer row and the refused edit.
    assert [t["value"] for t in doc["table_answers"]] == [*TABLE_TEXTS, "The other table's answer", ROUND_TWO_TABLE]
    assert set(doc["table_answers"][0]) == {"table", "participant", "round", "tool_id", "question_id", "value", "created"}
    assert doc["table_answers"][2]["participant"] is None  # the table's shared device
    assert {t["participant"] for t in doc["table_answers"]} - {None} <= ids
    assert [t["value"] for t in doc["table_superseded"]] == ["A stale edit"]


def test_a_table_answer_by_someone_not_at_the_table_is_refused_in_one_line(demo, tmp_path, store):
    source, slug = demo
    doc = json.loads(export_workshop(source, slug, "json", tmp_path / "d.json").read_text(encoding="utf-8"))
    doc["table_answers"][0]["table"] = "Table 99"
    path = tmp_path / "moved.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"moved\.json table_answers\[0\], field 'participant': participant \d+ sits at '.+', not at 'Table 99'"):
        import_file(store, path)
    assert store.workshops() == []  # nothing half-written


def test_a_version_2_file_without_table_answers_is_read(demo, tmp_path, store):
    source, slug = demo
    doc = json.loads(export_workshop(source, slug, "json", tmp_path / "d.json").read_text(encoding="utf-8"))
    doc["version"] = 2
    del doc["table_answers"], doc["table_superseded"]
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = import_file(store, path)
    assert result.table_answers_added == 0 and store.table_answer_rows(slug) == []
    doc["version"] = 3
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"v2\.json field 'table_answers': missing"):
        import_file(store, path, into="v3")


def test_xlsx_and_the_guide_carry_the_table_answers(demo, tmp_path):
    from toolkit.exports.guide import guide_data, render_html, render_markdown

    store, slug = demo
    p0 = store.participants(slug)[0]
    path = export_workshop(store, slug, "xlsx", tmp_path / "w.xlsx")
    [row] = _sheet(load_workbook(path), "table_answers")  # the current round's
    assert (row["Table"].value, row["Answer"].value, row["Name"].value) == (p0.table, ROUND_TWO_TABLE, p0.name)
    assert row["Question"].value == store.kit.tool(5).questions[0].text
    # The guide: "What the tables said" under the tool, as text, HTML inert.
    guide = guide_data(store, slug)
    [part] = [t for s in guide.stages for t in s.tools if t.number == 5]
    assert [(t.table, [(a.number, a.text, a.who) for a in t.answers]) for t in part.tables] == [(p0.table, [(1, ROUND_TWO_TABLE, f"{p0.name}, {p0.organization}")])]
    html = render_html(guide)
    assert "<h4>What the tables said</h4>" in html and "Round two: the table&#x27;s &lt;i&gt;new&lt;/i&gt; answer" in html and "<i>new</i>" not in html
    md = render_markdown(guide)
    assert "#### What the tables said\n\n**Table 1**\n\n- *1. " in md and "Round two: the table's &lt;i&gt;new&lt;/i&gt; answer" in md and "<i>" not in md
    # A table answer written on a table's shared device is attributed to it.
    ws = store.create_workshop("Device")
    store.add_participant(ws.slug, name="Ana", organization="Org", sector="business", table="T1")
    store.save_table_answer(ws.slug, "T1", store.kit.tool(1).id, store.kit.tool(1).questions[0].id, "From the laptop", participant_id=None)
    [part] = [t for s in guide_data(store, ws.slug).stages for t in s.tools if t.number == 1]
    assert [(t.table, [(a.text, a.who) for a in t.answers]) for t in part.tables] == [("T1", [("From the laptop", "the table's shared device")])]


def test_xlsx_has_one_sheet_per_frame_with_human_headers(demo, tmp_path):
    store, slug = demo
    store.update_settings(slug, min_group=1)  # every mean shown: the values below are compared cell by cell
    path = export_workshop(store, slug, "xlsx", tmp_path / "w.xlsx")
    frames = for_view(store, slug, View.SPREADSHEET)
    wb = load_workbook(path)
    assert wb.sheetnames == [SHEETS[n] for n in FRAME_NAMES]
    assert wb.sheetnames == ["Answers (history)", "Current answers", "Table answers", "Ratings", "Divergence", "Progress", "Priorities", "Actions", "Participants", "Today's plan"]
    for name in FRAME_NAMES:
        ws = wb[SHEETS[name]]
        header = [c.value for c in ws[1]]
        assert header == [HEADERS[c] for c in COLUMNS[name]]
        assert all(c.font.b for c in ws[1])
        assert ws.freeze_panes == "A2"
        assert ws.max_row == len(frames[name]) + 1
    ratings = wb["Ratings"]
    header = [c.value for c in ratings[1]]
    assert {"Tool", "Sector", "Mean rating", "Ratings", "Band"} <= set(header)
    assert wb["Answers (history)"].column_dimensions["M"].width > 10  # sized, not Excel's default
    current = wb["Current answers"]
    widths = {c.value: current.column_dimensions[get_column_letter(c.column)].width for c in current[1]}
    assert widths["Answer"] >= 50 and widths["Question"] >= 40
    # Values match the frame: the first rating row, and times without a timezone.
    first = frames["ratings"].iloc[0]
    row = {h: c.value for h, c in zip(header, ratings[2])}
    assert (row["Tool"], row["Ratings"]) == (first["tool"], first["count"])
    assert row["Sector"] == store.kit.sector(first["sector"]).name and row["Band"] == first["band"].capitalize()
    assert row["Mean rating"] == round(first["mean"], 1)
    answers = wb["Answers (history)"]
    col = [c.value for c in answers[1]].index("Created (UTC)")
    created = answers.cell(2, col + 1).value
    expected = frames["answers"]["created"].iloc[0].tz_convert(None).floor("us").to_pydatetime()
    assert isinstance(created, dt.datetime) and created.tzinfo is None
    assert abs(created - expected) < dt.timedelta(milliseconds=1)


def _sheet(wb, name: str) -> list[dict[str, object]]:
    """A sheet's rows as {header: cell}."""
    ws = wb[SHEETS[name]]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row)) for row in ws.iter_rows(min_row=2)]


def test_xlsx_is_for_partners_numbers_as_numbers_means_to_one_decimal_sectors_by_name(sqlite_store, tmp_path):
    store, slug = sqlite_store, create_demo(sqlite_store).slug  # round 1, every sector rating
    kit = store.kit
    frames = all_frames(store, slug)
    wb = load_workbook(export_workshop(store, slug, "xlsx", tmp_path / "w.xlsx"))
    # Ratings and dots are numbers; a "not sure" is the scale's words; text stays text.
    answers = _sheet(wb, "answers")
    ratings = [r["Answer"] for r in answers if r["Kind"].value == "rating"]
    assert ratings and all(c.data_type == "n" and c.value in kit.scale.values for c in ratings if c.value != kit.scale.not_sure)
    not_sure = int(((frames["answers"]["kind"] == "rating") & (frames["answers"]["value"] == "not-sure")).sum())
    assert not_sure >= 1 and [c.value for c in ratings if c.data_type == "s"] == [kit.scale.not_sure] * not_sure
    dots = [r["Answer"] for r in answers if r["Kind"].value == "dots"]
    assert dots and all(c.data_type == "n" and isinstance(c.value, int) for c in dots)
    texts = [r["Answer"].value for r in answers if r["Kind"].value == "text"]
    assert texts and all(isinstance(t, str) for t in texts if t is not None)  # "1" typed as an answer would stay "1"
    # Means: numbers, rounded to one decimal and shown so; every sector by its name.
    rows = _sheet(wb, "ratings")
    assert len(rows) == len(frames["ratings"])
    compared = 0
    for row, (_, want) in zip(rows, frames["ratings"].iterrows()):
        mean = row["Mean rating"]
        withheld = row["Mean withheld"].value  # the partners' view: "fewer than 3" where fewer rated
        if pd.isna(want["mean"]) or withheld:  # only "not sure", or too few raters: no mean, an empty cell
            assert mean.value is None and withheld in (None, "", "fewer than 3")
            continue
        assert mean.data_type == "n" and mean.value == round(want["mean"], 1) and mean.number_format == "0.0"
        assert row["Ratings"].data_type == "n" and row["Ratings"].value == want["count"]
        compared += 1
    assert compared > 10
    unrounded = frames["ratings"]["mean"]
    assert (unrounded.round(1) != unrounded).any()  # the demo has means like 2.333..., so rounding was needed
    names = {s.name for s in kit.sectors} | {"All sectors"}
    assert {r["Sector"].value for r in rows} <= names and "All sectors" in {r["Sector"].value for r in rows}
    assert {r["Sector"].value for r in _sheet(wb, "participants")} <= names
    assert {r["Stage"].value for r in rows} <= {st.title for st in kit.stages}
    divergence = _sheet(wb, "divergence")
    flagged = [r for r in divergence if r["Lowest sector"].value]
    assert flagged and all(r["Lowest sector"].value in names and r["Highest sector"].value in names for r in flagged)
    assert all(r[h].data_type == "n" and r[h].value == round(r[h].value, 1) for r in flagged for h in ("Lowest mean", "Highest mean", "Gap"))
    assert {r["Band"].value for r in rows} <= {"Strength", "Discuss", "Concern", None}
    share = _sheet(wb, "progress")[0]["Share answered"]
    assert share.data_type == "n" and share.number_format == "0%"
    # The CSV stays the machine-readable twin: ids, ratings as stored, means unrounded.
    text = export_workshop(store, slug, "csv", tmp_path / "r.csv", frame="ratings").read_text(encoding="utf-8-sig")
    csv_rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["sector"] for r in csv_rows} <= {s.id for s in kit.sectors} | {"all"}
    assert any(len(r["mean"].split(".")[-1]) > 1 for r in csv_rows)


def test_formula_looking_answers_are_text_in_xlsx_and_csv(demo, tmp_path):
    store, slug = demo
    xlsx = export_workshop(store, slug, "xlsx", tmp_path / "w.xlsx")
    ws = load_workbook(xlsx)["Answers (history)"]
    col = [c.value for c in ws[1]].index("Answer") + 1
    cells = {ws.cell(r, col).value: ws.cell(r, col) for r in range(2, ws.max_row + 1)}
    for text in FORMULAS[:4]:
        cell = cells["'" + text]
        assert cell.data_type == "s" and cell.value == "'" + text
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    path = export_workshop(store, slug, "csv", tmp_path / "a.csv")
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    values = {r["value"] for r in rows}
    for text in FORMULAS[:4]:
        assert "'" + text in values and text not in values
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())
    # The numbers in numeric columns stay numbers (a negative stays -2, not '-2).
    assert rows[0]["answer_id"].isdigit()


def test_neutralise():
    assert [neutralise(t) for t in FORMULAS] == ["'" + t for t in FORMULAS]
    assert neutralise("\rx") == "'\rx"
    assert neutralise("plain = text") == "plain = text"
    assert neutralise(-2) == -2 and neutralise(None) is None and neutralise("") == ""


def test_csv_frame_option_and_default_names(demo, tmp_path, monkeypatch):
    store, slug = demo
    monkeypatch.chdir(tmp_path)
    path = export_workshop(store, slug, "csv", None, frame="ratings")
    assert path == tmp_path / f"{slug}-ratings.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0] == list(COLUMNS["ratings"])
    assert len(rows) - 1 == len(all_frames(store, slug)["ratings"])
    with pytest.raises(InvalidAnswer, match="frame: expected one of answers, current_answers"):
        export_workshop(store, slug, "csv", None, frame="nope")
    with pytest.raises(InvalidAnswer, match="export format: expected one of html, md, pdf, xlsx, csv, json, got 'doc'"):
        export_workshop(store, slug, "doc", None)
    with pytest.raises(NotFound, match="unknown workshop 'nope'"):
        export_workshop(store, "nope", "json", None)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("quick")) == [f"{slug}-ratings.csv"]


def test_anonymous_spreadsheets_leave_names_empty(demo, tmp_path):
    store, slug = demo
    store.update_settings(slug, anonymous=True)
    names = [p.name for p in store.participants(slug) if p.name]
    assert len(names) >= 5
    wb = load_workbook(export_workshop(store, slug, "xlsx", tmp_path / "a.xlsx"))
    cells = {str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None}
    for name in names:
        assert not any(name in v for v in cells)
    assert "Name" in [c.value for c in wb["Participants"][1]]  # the column stays, empty
    owners = [c.value for c in wb["Actions"]["H"][1:]]
    assert wb["Actions"]["H1"].value == "Owner" and "A participant" in owners  # actions owned by participants
    text = export_workshop(store, slug, "csv", tmp_path / "p.csv", frame="participants").read_text(encoding="utf-8-sig")
    assert not any(name in text for name in names)
    # Organizations are hidden too (the one rule, toolkit.frames.views); sectors and tables stay.
    # An action's owner typed as an organization stays: the register is a plan.
    assert "Quillmouth Town Council" in owners
    attributed = {str(c.value) for ws in wb if ws.title != "Actions" for row in ws.iter_rows() for c in row if c.value is not None}
    assert "Quillmouth Town Council" not in text and not any("Quillmouth Town Council" in v for v in attributed)
    assert "Table 1" in text and "government" in text
    # JSON keeps the names: it is the facilitator's full-fidelity backup.
    doc = json.loads(export_workshop(store, slug, "json", tmp_path / "a.json").read_text(encoding="utf-8"))
    assert {p["name"] for p in doc["participants"]} >= set(names)


def test_export_cli_writes_each_format_and_prints_the_path(demo, capsys, tmp_path):
    store, slug = demo
    db = store.url
    for fmt in [f for f in FORMATS if f != "pdf"]:
        out = tmp_path / f"guide.{fmt}"
        assert cli.main(["export", slug, "--db", db, "--format", fmt, "--output", str(out)]) == 0
        stdout, stderr = capsys.readouterr()
        assert stdout.strip() == str(out) and stderr == ""
        assert out.stat().st_size > 1000
    # The format follows the extension when --format is left out.
    assert cli.main(["export", slug, "--db", db, "-o", str(tmp_path / "x.json")]) == 0
    assert json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))["format"] == JSON_FORMAT
    capsys.readouterr()
    assert cli.main(["export", "missing", "--db", db, "-o", str(tmp_path / "m.json")]) == 2
    assert "workshop export: unknown workshop 'missing'" in capsys.readouterr().err
    assert not (tmp_path / "m.json").exists()


def test_frame_option_lists_every_frame_and_refuses_others(demo, capsys, tmp_path):
    from toolkit.cli.export_verbs import FRAME_CHOICES

    assert FRAME_CHOICES == FRAME_NAMES
    store, slug = demo
    assert cli.main(["export", slug, "--db", store.url, "-f", "csv", "--frame", "nope", "-o", str(tmp_path / "n.csv")]) == 2
    assert "frame: expected one of answers, current_answers, table_answers, ratings" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["export", "--help"])
    assert "current_answers, table_answers, ratings, divergence" in re.sub(r"\s+", " ", capsys.readouterr().out)


def test_progress_bar_only_when_asked_or_on_a_terminal(demo, capsys, tmp_path):
    store, slug = demo
    assert cli.main(["export", slug, "--db", store.url, "-f", "xlsx", "-o", str(tmp_path / "a.xlsx")]) == 0
    assert capsys.readouterr().err == ""  # stderr is not a terminal under pytest
    assert cli.main(["export", slug, "--db", store.url, "-f", "xlsx", "-o", str(tmp_path / "b.xlsx"), "--progress"]) == 0
    err = capsys.readouterr().err
    assert "\rexport xlsx [" in err and "100%" in err and err.endswith("\n")
    assert "#" * 28 in err
