"""Importing answers: a CSV from paper and the JSON export. Everything is
checked before anything is written, errors name the row and column, a bad
file leaves the store unchanged, and a second import adds nothing."""

from __future__ import annotations

import csv
import io
import json

import pytest

from toolkit import cli
from toolkit.errors import ImportFileError
from toolkit.exports.importer import CSV_COLUMNS, import_csv, import_file, import_json
from toolkit.exports.workshop import export_workshop
from toolkit.frames import all_frames
from toolkit.store.values import NOT_SURE

HEADER = ["workshop", "name", "organization", "sector", "table", "tool", "question", "kind", "value"]
PEOPLE = [
    ("Ana Gomez", "City Planning", "government", "Table 1"),
    ("", "Harbor Grocers", "Business", "Table 1"),
    ("Kwame Mensah", "Food Bank", "Non-profit", "Table 2"),
    ("Rosa Diaz", "Tenants Association", "community", "Table 2"),
]


def paper_rows(kit, n: int = 100) -> list[list[str]]:
    """``n`` valid rows: text answers by question id or number, ratings
    (some "not sure"), comments and a dot each."""
    rows = []
    for i in range(n):
        name, org, sector, table = PEOPLE[i % 4]
        tool = kit.tools[i % 17]
        kind = ("text", "text", "rating", "text", "comment")[i % 5]
        if kind == "text":
            q = tool.questions[i % len(tool.questions)]
            question = q.id if i % 2 else str(tool.questions.index(q) + 1)
            value = f"Answer {i} about {tool.name}"
        elif kind == "rating":
            question, value = "", ("not sure" if i % 4 == 0 else str(1 + i % 5))
        else:
            question, value = "", f"Note {i}: we lack a plan"
        tool_ref = str(tool.number) if i % 3 == 0 else tool.id
        rows.append(["Harbor Partners", name, org, sector, table, tool_ref, question, kind, value])
    for j, (name, org, sector, table) in enumerate(PEOPLE):
        rows.append(["Harbor Partners", name, org, sector, table, str(7 + j), "", "dots", "2"])
    return rows


def to_csv(rows: list[list[str]], header: list[str] = HEADER) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def counts(store) -> tuple[int, int, int]:
    workshops = store.workshops()
    people = sum(len(store.participants(w.slug)) for w in workshops)
    return len(workshops), people, store.count_answers()


def test_csv_import_writes_answers_ratings_comments_and_dots(store, kit, tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text(to_csv(paper_rows(kit)), encoding="utf-8")
    result = import_file(store, path)
    assert (result.slug, result.created_workshop) == ("harbor-partners", True)
    assert (result.participants_added, result.answers_added, result.answers_skipped) == (4, 104, 0)
    assert str(result) == "answers.csv: workshop 'harbor-partners' created; 4 participants and 104 answers added"
    ws = store.workshop("harbor-partners")
    assert ws.title == "Harbor Partners"
    people = {(p.name, p.organization): p for p in store.participants(ws.slug)}
    assert sorted(p.sector for p in people.values()) == ["business", "community", "government", "nonprofit"]
    assert people[(None, "Harbor Grocers")].table == "Table 1"
    cur = all_frames(store, ws.slug)["current_answers"]
    # Row 2 of the file: a text answer to tool 1 by question number "1".
    first = cur[(cur["kind"] == "text") & (cur["value"] == "Answer 0 about Engage Potential Partners")]
    assert first[["tool_id", "question_id", "name", "sector", "table"]].values.tolist() == [
        ["engage-potential-partners", "epp-1", "Ana Gomez", "government", "Table 1"]
    ]
    ratings = cur[cur["kind"] == "rating"]
    assert len(ratings) == 20 and (ratings["value"] == NOT_SURE).sum() == 5
    assert sorted(ratings["value"].unique()) == ["3", NOT_SURE]  # i % 5 == 2 -> 3; i % 4 == 0 -> not sure
    dots = cur[cur["kind"] == "dots"]
    assert dots.groupby("name")["value"].apply(list).to_dict() == {"": ["2"], "Ana Gomez": ["2"], "Kwame Mensah": ["2"], "Rosa Diaz": ["2"]}
    assert set(cur["round"]) == {1}


def test_importing_the_same_csv_twice_adds_nothing(store, kit, tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text(to_csv(paper_rows(kit)), encoding="utf-8")
    import_file(store, path)
    before = counts(store)
    again = import_file(store, path)
    assert (again.created_workshop, again.participants_added, again.answers_added, again.answers_skipped) == (False, 0, 0, 104)
    assert str(again) == "answers.csv: workshop 'harbor-partners' unchanged; 0 participants and 0 answers added (104 rows already there, skipped)"
    assert counts(store) == before == (1, 4, 104)
    # With explicit times too.
    timed = tmp_path / "timed.csv"
    rows = [r + ["2026-05-01T10:00:00Z" if i % 2 else "2026-05-01 12:30"] for i, r in enumerate(paper_rows(kit, 10)[:10])]
    timed.write_text(to_csv(rows, HEADER + ["created"]), encoding="utf-8")
    first = import_file(store, timed, into="harbor-partners")
    second = import_file(store, timed, into="harbor-partners")
    assert first.answers_added == 10 and second.answers_added == 0 and second.answers_skipped == 10


def test_one_bad_row_among_a_hundred_refuses_the_whole_file(store, kit, tmp_path):
    rows = paper_rows(kit)
    rows[55][6:9] = ["", "rating", "9"]  # file row 57 (the header is row 1)
    path = tmp_path / "answers.csv"
    path.write_text(to_csv(rows), encoding="utf-8")
    store.create_workshop("Other workshop")
    before = counts(store)
    with pytest.raises(ImportFileError) as err:
        import_file(store, path)
    assert str(err.value) == "answers.csv row 57, column 'value': rating 9 is outside the scale 1-5"
    assert counts(store) == before == (1, 0, 0)
    # Into an existing workshop with answers: still nothing written.
    rows[55][8] = "4"
    path.write_text(to_csv(rows), encoding="utf-8")
    import_file(store, path)
    before = counts(store)
    rows[80][8] = "<b>fine</b>"
    rows[99][5] = "99"
    path.write_text(to_csv(rows), encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"^answers.csv row 101, column 'tool': unknown tool '99' \(expected a tool id"):
        import_file(store, path)
    assert counts(store) == before


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda h, r: (h[:3] + ["colour"] + h[4:], r), "answers.csv row 1, column 'colour': unknown column (expected: workshop, name, organization"),
        (lambda h, r: (h[:-1], [x[:-1] for x in r]), "answers.csv row 1: missing column 'value'"),
        (lambda h, r: (h[1:], [x[1:] for x in r]), "answers.csv row 1: missing column 'workshop' (or give --into SLUG)"),
        (lambda h, r: (h + ["kind"], [x + ["text"] for x in r]), "answers.csv row 1, column 'kind': the column appears twice"),
        (lambda h, r: (h, _set(r, 3, 5, "share-everything")), "answers.csv row 5, column 'tool': unknown tool 'share-everything'"),
        (lambda h, r: (h, _set(r, 3, 6, "epp-1")), "answers.csv row 5, column 'question': question 'epp-1' belongs to 'engage-potential-partners', not to tool 4"),
        (lambda h, r: (h, _set(r, 2, 3, "galactic")), "answers.csv row 4, column 'sector': unknown sector 'galactic' (expected one of government, business"),
        (lambda h, r: (h, _set(r, 0, 8, "bad\x07bell")), "answers.csv row 2, column 'value': contains a control character (U+0007) at position 4"),
        (lambda h, r: (h, _set(r, 0, 8, "nul\x00")), "answers.csv row 2, column 'value': contains NUL (U+0000)"),
        (lambda h, r: (h, _set(r, 0, 8, "x" * 20_001)), "answers.csv row 2, column 'value': 20,001 characters is over the limit of 20,000"),
        (lambda h, r: (h, _set(r, 0, 8, "x" * 200_000)), "answers.csv row 2: not valid CSV: a cell is longer than 131,072 characters"),
        (lambda h, r: (h, _set(r, 0, 2, "o" * 121)), "answers.csv row 2, column 'organization': 121 characters is over the limit of 120"),
        (lambda h, r: (h, _set(r, 0, 7, "essay")), "answers.csv row 2, column 'kind': expected one of text, rating, comment, dots, got 'essay'"),
        (lambda h, r: (h, _set(r, 0, 6, "")), "answers.csv row 2, column 'question': empty; a text answer needs its question"),
        (lambda h, r: (h, _set(r, 2, 6, "1")), "answers.csv row 4, column 'question': leave it empty for a rating"),
        (lambda h, r: (h, _set(r, 1, 6, "9")), "answers.csv row 3, column 'question': tool 2 has questions 1-6, not 9"),
        (lambda h, r: (h, _set(r, 2, 8, "")), "answers.csv row 4, column 'value': a rating is a whole number 1-5 or \"not sure\", got ''"),
        (lambda h, r: (h, _set(r, 0, 8, "")), "answers.csv row 2, column 'value': empty; leave the row out when there is no answer"),
        (lambda h, r: (h, _set(r, 3, 0, "Another workshop")), "answers.csv row 5, column 'workshop': 'Another workshop' is another workshop than 'Harbor Partners' in row 2"),
        (lambda h, r: (h, _set(r, 4, 3, "business")), "answers.csv row 6: Ana Gomez of City Planning at Table 1 is in sector 'business' here but 'government' in answers.csv row 2; one person has one sector"),
        (lambda h, r: (h, r[:100] + [r[100][:8] + ["6"]]), "answers.csv row 102, column 'value': Ana Gomez of City Planning at Table 1 in round 1: 6 dots placed but each participant has 5; take some back first"),
        (lambda h, r: (h, r[:3] + [r[3] + ["extra"]] + r[4:]), "answers.csv row 5: 10 cells but the header names 9 columns"),
    ],
    ids=[
        "unknown-column", "missing-value-column", "missing-workshop-column", "duplicate-column", "unknown-tool", "question-of-another-tool",
        "unknown-sector", "control-character", "nul", "huge-text", "huge-cell", "long-organization", "unknown-kind", "text-without-question",
        "rating-with-question", "question-number-out-of-range", "empty-rating", "empty-text", "two-workshops", "two-sectors", "dot-budget",
        "extra-cell",
    ],
)
def test_bad_csv_is_refused_naming_row_and_column(store, kit, edit, message):
    header, rows = edit(list(HEADER), [list(r) for r in paper_rows(kit)])
    before = counts(store)
    with pytest.raises(ImportFileError) as err:
        import_csv(store, to_csv(rows, header), name="answers.csv")
    assert str(err.value).startswith(message), str(err.value)
    assert counts(store) == before == (0, 0, 0)


def _set(rows: list[list[str]], index: int, col: int, value: str) -> list[list[str]]:
    rows[index][col] = value
    return rows


def test_csv_into_a_locked_stage_is_refused(sqlite_store, kit):
    ws = sqlite_store.create_workshop("Harbor Partners")
    sqlite_store.lock_stage(ws.slug, "design")
    with pytest.raises(ImportFileError, match=r"^answers.csv row 6, column 'tool': the Design stage is locked by the facilitator; answers there are read-only; open it first \(workshop open harbor-partners design\)$"):
        import_csv(sqlite_store, to_csv(paper_rows(kit)), name="answers.csv")
    assert sqlite_store.count_answers() == 0 and sqlite_store.participants(ws.slug) == []


def test_csv_with_semicolons_bom_and_into(sqlite_store, kit, tmp_path):
    ws = sqlite_store.create_workshop("Spring session")
    text = "\ufeffName;Organization;Sector;Table;Tool;Question;Kind;Value;Round\nAna;City;government;T1;9;2;text;\"Yes; monthly\";2\n"
    path = tmp_path / "paper.csv"
    path.write_bytes(text.encode("utf-8"))
    result = import_file(sqlite_store, path, into=ws.slug)
    assert (result.slug, result.answers_added) == ("spring-session", 1)
    row = sqlite_store.answer_rows(ws.slug).iloc[0]
    assert (row["tool_id"], row["question_id"], row["value"], row["round"]) == ("share-discretion", kit.tool(9).questions[1].id, "Yes; monthly", 2)


def test_not_utf8_and_empty_files(sqlite_store, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("organization,sector\nCaf\xe9".encode("latin-1"))
    with pytest.raises(ImportFileError, match=r"^latin.csv: the file is not UTF-8 text \(byte 23\); save it as UTF-8"):
        import_file(sqlite_store, path)
    with pytest.raises(ImportFileError, match="the file is empty"):
        import_csv(sqlite_store, "", name="e.csv")
    with pytest.raises(ImportFileError, match="no answer rows under the header"):
        import_csv(sqlite_store, ",".join(HEADER) + "\n\n", name="e.csv")


# --------------------------------------------------------------------------
# JSON


@pytest.fixture
def exported(sqlite_store, kit, tmp_path):
    import_csv(sqlite_store, to_csv(paper_rows(kit)), name="answers.csv")
    slug = "harbor-partners"
    people = sqlite_store.participants(slug)
    sqlite_store.add_action(slug, kit.tools[0].id, what="Map the partners", owner="Ana", owner_sector="government", due="2026-07-01", participant_id=people[0].id)
    path = export_workshop(sqlite_store, slug, "json", tmp_path / "harbor.json")
    return sqlite_store, slug, path


def test_importing_the_same_json_twice_adds_nothing(exported, store):
    _, slug, path = exported
    first = import_file(store, path)
    assert (first.participants_added, first.answers_added, first.actions_added) == (4, 104, 1)
    before = counts(store)
    second = import_file(store, path)
    assert (second.participants_added, second.answers_added, second.actions_added) == (0, 0, 0)
    assert (second.answers_skipped, second.actions_skipped) == (104, 1)
    assert counts(store) == before == (1, 4, 104)
    assert len(store.actions(slug)) == 1


def test_json_into_another_slug_and_merge_of_new_rows(exported, tmp_path):
    source, slug, path = exported
    copy = import_file(source, path, into="harbor-copy")
    assert copy.created_workshop and copy.answers_added == 104
    assert source.workshop("harbor-copy").title == source.workshop(slug).title
    # New answers in the source: a later export adds only those.
    p = source.participants(slug)[0]
    source.save_answer(slug, p.id, "share-discretion", source.kit.tool(9).questions[0].id, "Added later")
    later = export_workshop(source, slug, "json", tmp_path / "later.json")
    merged = import_file(source, later, into="harbor-copy")
    assert (merged.participants_added, merged.answers_added, merged.answers_skipped) == (0, 1, 104)
    assert source.count_answers("harbor-copy") == source.count_answers(slug) == 105


def test_broken_json_is_refused_with_line_and_column(sqlite_store, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "intersector-workshop",\n "version": 1,\n "workshop": {,}}', encoding="utf-8")
    with pytest.raises(ImportFileError) as err:
        import_file(sqlite_store, path)
    assert str(err.value) == "broken.json line 3, column 15: broken JSON: Expecting property name enclosed in double quotes"
    assert sqlite_store.workshops() == []


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(format="something-else"), "x.json field 'format': expected 'intersector-workshop'"),
        (lambda d: d.update(version=4), "x.json field 'version': this kit reads versions 1-3, got a number (4); upgrade the kit"),
        (lambda d: d.pop("answers"), "x.json field 'answers': missing"),
        (lambda d: d["answers"][3].update(tool_id="nope"), "x.json answers[3], field 'tool_id': unknown tool 'nope'"),
        (lambda d: d["answers"][5].update(participant=999), "x.json answers[5], field 'participant': 999 is not the id of a participant in this file"),
        (lambda d: d["answers"][7].update(created="yesterday"), "x.json answers[7], field 'created': expected a time in seconds since 1970"),
        (lambda d: _rating(d).update(value="9"), "x.json answers[{i}], field 'value': rating 9 is outside the scale 1-5"),
        (lambda d: d["answers"][0].update(value="a\x1bb"), "x.json answers[0], field 'value': contains a control character (U+001B)"),
        (lambda d: d["participants"][1].update(sector="space"), "x.json participants[1], field 'sector': unknown sector 'space'"),
        (lambda d: d["workshop"]["settings"].update(dots=0), "x.json workshop, field 'settings'.dots: expected 1 to 50 dots per participant"),
        (lambda d: d["workshop"].update(slug="Not A Slug"), "x.json workshop, field 'slug': 'Not A Slug' is not a valid slug"),
        (lambda d: d["actions"][0].update(status="someday"), "x.json actions[0], field 'status': expected one of open, in progress, done, dropped"),
        (lambda d: d["actions"][0].update(due="soon"), "x.json actions[0], field 'due': expected a date like 2026-12-31"),
    ],
    ids=["format", "version", "missing-answers", "unknown-tool", "unknown-participant", "bad-time", "rating", "control", "sector", "settings", "slug", "status", "due"],
)
def test_bad_json_is_refused_naming_the_place(exported, store, edit, message):
    _, _, path = exported
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    if "{i}" in message:
        message = message.format(i=next(i for i, a in enumerate(doc["answers"]) if a["value"] == "9"))
    with pytest.raises(ImportFileError) as err:
        import_json(store, json.dumps(doc), name="x.json")
    assert str(err.value).startswith(message), str(err.value)
    assert counts(store) == (0, 0, 0)


def _rating(doc):
    return next(a for a in doc["answers"] if a["kind"] == "rating" and a["value"] != "not-sure")


def test_import_cli_reports_and_documents_the_columns(exported, capsys, tmp_path):
    _, _, path = exported
    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert cli.main(["import", str(path), "--db", db]) == 0
    assert capsys.readouterr().out.strip() == "harbor.json: workshop 'harbor-partners' created; 4 participants, 104 answers and 1 action added"
    bad = tmp_path / "bad.csv"
    bad.write_text("workshop,organization,sector,table,tool,kind,value\nW,Org,government,T1,1,rating,7\n", encoding="utf-8")
    assert cli.main(["import", str(bad), "--db", db]) == 2
    assert capsys.readouterr().err == "workshop import: bad.csv row 2, column 'value': rating 7 is outside the scale 1-5\n"
    with pytest.raises(SystemExit):
        cli.main(["import", "--help"])
    help_text = capsys.readouterr().out
    for column in CSV_COLUMNS:
        assert f"\n  {column} " in help_text
    assert "--into SLUG" in help_text


def test_import_progress_bar(exported, capsys, tmp_path):
    _, _, path = exported
    assert cli.main(["import", str(path), "--db", f"sqlite:///{tmp_path / 'p.sqlite'}", "--progress"]) == 0
    err = capsys.readouterr().err
    assert "\rimport [" in err and "checking answers" in err and "writing (one transaction)" in err
    assert err.rstrip().endswith("100%  done") and err.endswith("\n")


# --------------------------------------------------------------------------
# Poisoned rows: times, rounds and dots that would break every view are
# refused whole, in one line naming the row and column.


def _one_line(err: pytest.ExceptionInfo) -> str:
    text = str(err.value)
    assert "\n" not in text and "Traceback" not in text, text
    return text


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("created", "9999-12-31T00:00", "answers.csv row 3, column 'created': 9999-12-31 00:00 UTC is not a time between 2000-01-01 and "),
        ("created", "1999-12-31T23:00Z", "answers.csv row 3, column 'created': 1999-12-31 23:00 UTC is not a time between 2000-01-01 and "),
        ("created", "1e300", "answers.csv row 3, column 'created': expected a time like 2026-05-01T14:30 (ISO 8601), got '1e300'"),
        ("round", str(10**30), "answers.csv row 3, column 'round': 1000000000000000000000000000000 is more rounds than a workshop can have (at most 1,000)"),
        ("round", "9" * 5000, "answers.csv row 3, column 'round': a round is a whole number from 1, got '9999999999999999999999999999999999999999'"),
        ("round", "0", "answers.csv row 3, column 'round': rounds start at 1, got 0"),
    ],
)
def test_poisoned_csv_is_refused_whole_in_one_line(store, kit, column, value, message):
    rows = [r + ["", ""] for r in paper_rows(kit, 20)]
    rows[1][HEADER.index("value") + 1 + ("created" == column)] = value
    before = counts(store)
    with pytest.raises(ImportFileError) as err:
        import_csv(store, to_csv(rows, HEADER + ["round", "created"]), name="answers.csv")
    assert _one_line(err).startswith(message), str(err.value)
    assert counts(store) == before == (0, 0, 0)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["answers"][2].update(created=1e300), "x.json answers[2], field 'created': 1e+300 is not a time between 2000-01-01 and "),
        (lambda d: d["answers"][2].update(created=float("nan")), "x.json answers[2], field 'created': nan is not a time between"),
        (lambda d: d["answers"][2].update(created=float("inf")), "x.json answers[2], field 'created': inf is not a time between"),
        (lambda d: d["answers"][2].update(created=253402214400), "x.json answers[2], field 'created': 9999-12-31 00:00 UTC is not a time between"),
        (lambda d: d["participants"][0].update(created=-5), "x.json participants[0], field 'created': 1969-12-31 23:59 UTC is not a time between"),
        (lambda d: d["actions"][0].update(updated=4e12), "x.json actions[0], field 'updated': "),
        (lambda d: d["workshop"].update(created=1e300), "x.json workshop, field 'created': 1e+300 is not a time between"),
        (lambda d: d["answers"][4].update(round=10**30), "x.json answers[4], field 'round': 1000000000000000000000000000000 is more rounds than a workshop can have (at most 1,000)"),
        (lambda d: d["workshop"]["settings"].update(round=10**30), "x.json workshop, field 'settings'.round: 1000000000000000000000000000000 is more rounds"),
        (lambda d: _dots(d).update(value="150"), "x.json answers[{i}], field 'value': 150 dots is more than any budget allows (at most 50)"),
        (lambda d: _dots(d).update(value="5"), "x.json answers[{last}], field 'value': Ana Gomez of City Planning at Table 1 in round 1: 7 dots placed but each participant has 5; take some back first"),
        (lambda d: _dots(d).update(value="1" * 41), "x.json answers[{i}], field 'value': dots are a whole number of 0 or more, got '1111111111111111111111111111111111111111'"),
    ],
    ids=["1e300", "nan", "inf", "year-9999", "before-1970", "updated-far-ahead", "workshop-created", "round", "settings-round", "150-dots", "over-budget", "huge-dots"],
)
def test_poisoned_json_is_refused_whole_in_one_line(exported, store, edit, message):
    _, _, path = exported
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    # {i}: the row refused; {last}: the last row that set Ana's dots.
    message = message.replace("{last}", str(len(doc["answers"]) - 1))
    message = message.replace("{i}", str(next(i for i, a in enumerate(doc["answers"]) if a["kind"] == "dots")))
    with pytest.raises(ImportFileError) as err:
        import_json(store, json.dumps(doc), name="x.json")
    assert _one_line(err).startswith(message), str(err.value)
    assert counts(store) == (0, 0, 0)


def _dots(doc):
    """Ana's dots row (she also has 2 dots elsewhere: see paper_rows)."""
    ana = next(p["id"] for p in doc["participants"] if p["name"] == "Ana Gomez")
    row = next(a for a in doc["answers"] if a["kind"] == "dots" and a["participant"] == ana)
    row["tool_id"] = "identify-a-manager"
    doc["answers"].append({**row, "tool_id": "share-discretion", "value": "2"})
    return row


def test_json_dots_are_checked_against_the_budget_as_they_stand_after_the_import(exported, store, tmp_path):
    source, slug, path = exported
    doc = json.loads(path.read_text(encoding="utf-8"))
    ana = next(p["id"] for p in doc["participants"] if p["name"] == "Ana Gomez")
    dots = [a for a in doc["answers"] if a["kind"] == "dots" and a["participant"] == ana]
    # Moving dots in one save writes the new tool's row first: 2 + 3 before
    # the 2 comes off. The import judges the dots as they end, as the store does.
    doc["answers"] += [{**dots[0], "tool_id": "tell-the-story", "value": "3", "created": dots[0]["created"] + 1},
                       {**dots[0], "value": "0", "created": dots[0]["created"] + 2}]
    result = import_json(store, json.dumps(doc), name="x.json")
    assert result.answers_added == 106
    ana_id = next(p.id for p in store.participants(slug) if p.name == "Ana Gomez")
    assert {t: v for (k, t, _), v in store.current_for(slug, ana_id).items() if k == "dots"} == {"tell-the-story": "3", dots[0]["tool_id"]: "0"}
    # A budget the file sets is the one the dots must fit.
    doc["workshop"]["settings"]["dots"] = 2
    with pytest.raises(ImportFileError, match=r"in round 1: 3 dots placed but each participant has 2; take some back first$"):
        import_json(store, json.dumps(doc), name="x.json", into="smaller-budget")


def test_a_huge_number_in_json_is_one_line(store):
    text = '{"format": "intersector-workshop", "version": 1, "workshop": {"created": ' + "9" * 5000 + "}}"
    with pytest.raises(ImportFileError) as err:
        import_json(store, text, name="x.json")
    assert _one_line(err).startswith("x.json: broken JSON: ")
    assert counts(store) == (0, 0, 0)


def test_poisoned_import_at_the_command_line_is_one_line(store_url, capsys, tmp_path, kit):
    bad = tmp_path / "bad.csv"
    bad.write_text("workshop,organization,sector,table,tool,kind,value,round\nW,Org,government,T1,1,rating,4," + str(10**30) + "\n", encoding="utf-8")
    assert cli.main(["import", str(bad), "--db", store_url]) == 2
    assert capsys.readouterr().err == "workshop import: bad.csv row 2, column 'round': 1000000000000000000000000000000 is more rounds than a workshop can have (at most 1,000)\n"


# --------------------------------------------------------------------------
# The checks against the store run in the import's write transaction


def _ana_dots_csv(kit, dots: int) -> str:
    return to_csv([["Harbor Partners", "Ana Gomez", "City Planning", "government", "Table 1", "7", "", "dots", str(dots)]])


def test_dots_placed_while_the_file_was_read_count_against_the_budget(store, kit):
    from toolkit.store import AnswerStore

    ws = store.create_workshop("Harbor Partners")
    ana = store.add_participant(ws.slug, name="Ana Gomez", organization="City Planning", sector="government", table="Table 1")
    kernel = AnswerStore(store.url)  # a participant's kernel, its own connection

    def meanwhile(done, total, label):
        if label.startswith("writing"):  # the file is read and its rows checked
            kernel.save_dots(ws.slug, ana.id, {"share-discretion": 4})

    with pytest.raises(ImportFileError) as err:
        import_csv(store, _ana_dots_csv(kit, 2), name="answers.csv", progress=meanwhile)
    assert str(err.value) == "answers.csv row 2, column 'value': Ana Gomez of City Planning at Table 1 in round 1: 6 dots placed but each participant has 5; take some back first"
    assert store.count_answers(ws.slug) == 1  # the kernel's dots only
    assert import_csv(store, _ana_dots_csv(kit, 1), name="answers.csv").answers_added == 1
    kernel.close()


def test_a_stage_locked_while_the_file_was_read_refuses_the_import(store, kit):
    from toolkit.store import AnswerStore

    ws = store.create_workshop("Harbor Partners")
    console = AnswerStore(store.url)

    def meanwhile(done, total, label):
        if label.startswith("writing"):
            console.lock_stage(ws.slug, "design")

    with pytest.raises(ImportFileError, match=r"^answers.csv row 2, column 'tool': the Design stage is locked by the facilitator"):
        import_csv(store, _ana_dots_csv(kit, 2), name="answers.csv", progress=meanwhile)
    assert store.participants(ws.slug) == [] and store.count_answers() == 0
    console.close()


def test_paper_and_json_keep_not_yet_relevant_apart_from_not_sure(sqlite_store, tmp_path):
    from toolkit.store.values import NOT_YET

    rows = [
        ["Harbor Partners", "Ana Gomez", "City Planning", "government", "Table 1", "4", "", "rating", "Not yet"],
        ["Harbor Partners", "Ana Gomez", "City Planning", "government", "Table 1", "5", "", "rating", "not sure"],
    ]
    import_csv(sqlite_store, to_csv(rows), name="answers.csv")
    slug = sqlite_store.workshops()[0].slug
    ratings = all_frames(sqlite_store, slug)["current_answers"].set_index("tool_number")["value"]
    assert (ratings[4], ratings[5]) == (NOT_YET, NOT_SURE)
    export_workshop(sqlite_store, slug, "json", tmp_path / "w.json")
    import_file(sqlite_store, tmp_path / "w.json", into="again")
    again = all_frames(sqlite_store, "again")["ratings"].query("sector == 'all'").set_index("tool_number")
    assert (again.loc[4, "not_yet"], again.loc[4, "not_sure"], again.loc[5, "not_sure"]) == (1, 0, 1)
