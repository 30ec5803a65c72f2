"""Answers given without a name (a question the content flags as
sensitive): stored with a flag on both back ends, shown unattributed in
every view (frames, dashboard frames, planning guide, xlsx, csv) and kept
with their author only in the facilitator's JSON backup, whose re-import
keeps the flag."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import sqlalchemy as sa

from toolkit import frames
from toolkit.errors import InvalidAnswer
from toolkit.exports import guide
from toolkit.exports.importer import import_file
from toolkit.exports.workshop import export_workshop
from toolkit.frames import View

TOOL = "account-for-resources"
SENSITIVE = "afr-1"  # money
PLAIN = "afr-2"
SECRET = "We lost the county grant in 2023 over a missed report"
WHO = ("Wanda Whistleblower", "Quillmouth Credit Union", "Table 7")


@pytest.fixture
def room(store):
    """Wanda (business, alone at Table 7) answers the money question without
    her name and another question with it; Tom (government) answers the
    money question with his."""
    ws = store.create_workshop("Quillmouth money talk")
    wanda = store.add_participant(ws.slug, name=WHO[0], organization=WHO[1], sector="business", table=WHO[2])
    tom = store.add_participant(ws.slug, name="Tom Tally", organization="Town Hall", sector="government", table="Table 1")
    store.save_answer(ws.slug, wanda.id, TOOL, SENSITIVE, SECRET, anonymous=True)
    store.save_answer(ws.slug, wanda.id, TOOL, PLAIN, "Our staff can run the survey")
    store.save_answer(ws.slug, tom.id, TOOL, SENSITIVE, "The town's budget is public")
    return ws.slug, wanda, tom


def test_the_flag_is_stored_with_the_answer_and_read_back(store, room):
    slug, wanda, tom = room
    ids = store.anonymous_answer_ids(slug)
    assert len(ids) == 1 and str(ids.dtype) == "int64"
    assert store.anonymous_questions(slug, wanda.id) == {SENSITIVE}
    assert store.anonymous_questions(slug, tom.id) == set()
    # Saving again with the name: the current answer is attributed again,
    # the earlier flagged row stays in the history with its flag.
    store.save_answer(slug, wanda.id, TOOL, SENSITIVE, SECRET)
    assert store.anonymous_questions(slug, wanda.id) == set()
    assert len(store.anonymous_answer_ids(slug)) == 1


def test_only_a_sensitive_question_may_be_answered_without_a_name(store, room):
    slug, wanda, _tom = room
    before = store.count_answers(slug)
    with pytest.raises(InvalidAnswer, match="question afr-2 is not marked sensitive"):
        store.save_answer(slug, wanda.id, TOOL, PLAIN, "x", anonymous=True)
    with pytest.raises(InvalidAnswer, match="expected true or false"):
        store.save_answer(slug, wanda.id, TOOL, SENSITIVE, "x", anonymous="yes")  # type: ignore[arg-type]
    assert store.count_answers(slug) == before


def _secret_rows(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["value"] == SECRET]


@pytest.mark.parametrize("view", [View.DASHBOARD, View.CONSOLE, View.GUIDE, View.SPREADSHEET])
def test_every_view_shows_the_answer_unattributed_and_the_rest_as_usual(store, room, view):
    slug, wanda, _tom = room
    result = frames.for_view(store, slug, view)
    for name in ("answers", "current_answers"):
        row = _secret_rows(result[name])
        assert len(row) == 1, name
        assert bool(row["anonymous"].iloc[0]) is True
        assert int(row["participant_id"].iloc[0]) == 0
        assert row[["name", "organization", "sector", "table"]].isna().all(axis=None), name
        named = result[name][result[name]["value"] == "Our staff can run the survey"]
        assert named[["name", "organization", "table"]].iloc[0].tolist() == list(WHO) and not bool(named["anonymous"].iloc[0])
    # Not counted for Wanda's table either: Table 7 answered one question, not two.
    progress = result["progress"].query("tool_id == @TOOL").set_index("table")
    assert progress.loc["Table 7", "answered"] == 1
    # The live view masks the same.
    live = frames.LiveFrames(store, slug, view=view).refresh()
    pd.testing.assert_frame_equal(live["current_answers"], result["current_answers"])


def test_only_the_backup_view_keeps_the_author(store, room):
    slug, wanda, _tom = room
    row = _secret_rows(frames.for_view(store, slug, View.BACKUP)["current_answers"])
    assert row[["participant_id", "name", "table"]].iloc[0].tolist() == [wanda.id, WHO[0], WHO[2]]
    assert bool(row["anonymous"].iloc[0]) is True


def test_a_live_view_masks_an_answer_flagged_after_it_started(store, room):
    slug, wanda, _tom = room
    live = frames.LiveFrames(store, slug)
    live.refresh()
    store.save_answer(slug, wanda.id, "share-a-vision-of-success", "svs-6", "The county always gets its way")
    store.save_answer(slug, wanda.id, "share-a-vision-of-success", "svs-6", "The county always gets its way", anonymous=True)
    row = live.refresh()["current_answers"].query("question_id == 'svs-6'")
    assert row[["name", "table"]].isna().all(axis=None) and bool(row["anonymous"].iloc[0])
    pd.testing.assert_frame_equal(live.refresh()["current_answers"], frames.live_frames(store, slug)["current_answers"])


def test_the_guide_the_spreadsheet_and_the_csv_name_nobody_for_it(sqlite_store, tmp_path):
    store = sqlite_store
    ws = store.create_workshop("Quillmouth money talk")
    wanda = store.add_participant(ws.slug, name=WHO[0], organization=WHO[1], sector="business", table=WHO[2])
    store.save_answer(ws.slug, wanda.id, TOOL, SENSITIVE, SECRET, anonymous=True)
    data = guide.guide_data(store, ws.slug)
    [question] = [q for t in data.stages[0].tools if t.id == TOOL for q in t.questions if q.number == 1]
    [group] = question.groups
    assert group.unattributed and group.entries[0].text == SECRET and group.entries[0].who == ""
    html_text, md_text = guide.render_html(data), guide.render_markdown(data)
    for text in (html_text, md_text):
        at = text.index(SECRET)
        near = text[at - 400 : at + 400]
        assert "Answered without a name" in near
        assert not any(w in near for w in WHO), near
    # Wanda is still listed as a participant: she signed in; only the answer is unattributed.
    assert WHO[0] in html_text
    export_workshop(store, ws.slug, "xlsx", tmp_path / "w.xlsx")
    for sheet in ("Answers (history)", "Current answers"):
        df = pd.read_excel(tmp_path / "w.xlsx", sheet_name=sheet)
        row = df[df["Answer"] == SECRET].iloc[0]
        assert row[["Name", "Organization", "Sector", "Table"]].isna().all() and row["Participant id"] == 0
        assert bool(row["Answered without a name"]) is True
    for frame in ("answers", "current_answers"):
        export_workshop(store, ws.slug, "csv", tmp_path / f"{frame}.csv", frame=frame)
        df = pd.read_csv(tmp_path / f"{frame}.csv", encoding="utf-8-sig")
        row = df[df["value"] == SECRET].iloc[0]
        assert row[["name", "organization", "sector", "table"]].isna().all() and row["participant_id"] == 0
        assert bool(row["anonymous"]) is True


def test_the_json_backup_keeps_the_author_and_the_flag_and_a_reimport_keeps_it_unattributed(sqlite_store, tmp_path):
    store = sqlite_store
    ws = store.create_workshop("Quillmouth money talk")
    wanda = store.add_participant(ws.slug, name=WHO[0], organization=WHO[1], sector="business", table=WHO[2])
    store.save_answer(ws.slug, wanda.id, TOOL, PLAIN, "named before")
    store.save_answer(ws.slug, wanda.id, TOOL, SENSITIVE, SECRET, anonymous=True)
    store.save_answer(ws.slug, wanda.id, TOOL, PLAIN, "named after")
    path = export_workshop(store, ws.slug, "json", tmp_path / "w.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    flagged = [a for a in doc["answers"] if a.get("anonymous")]
    assert [a["value"] for a in flagged] == [SECRET] and flagged[0]["participant"] == wanda.id
    assert "anonymous" not in doc["answers"][0]
    import_file(store, path, into="again")
    history = frames.for_view(store, "again", View.GUIDE)["answers"]
    assert history["value"].tolist() == ["named before", SECRET, "named after"]  # the order kept
    assert history["anonymous"].tolist() == [False, True, False]
    assert history["name"].isna().tolist() == [False, True, False]
    # Importing the same file again adds nothing, flags included.
    import_file(store, path, into="again")
    assert len(store.anonymous_answer_ids("again")) == 1


def test_a_json_flag_on_a_rating_is_refused(sqlite_store, tmp_path):
    from toolkit.errors import ImportFileError

    store = sqlite_store
    ws = store.create_workshop("Flags")
    p = store.add_participant(ws.slug, name="A", organization="B", sector="business", table="T")
    store.save_rating(ws.slug, p.id, TOOL, 3)
    path = export_workshop(store, ws.slug, "json", tmp_path / "w.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["answers"][0]["anonymous"] = True
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"answers\[0\], field 'anonymous': only an answer to a question is given without a name, not a rating"):
        import_file(store, path, into="flags-2")


def test_a_schema_3_store_gains_the_table_and_keeps_its_rows(store_url):
    from toolkit.store import AnswerStore, schema

    store = AnswerStore(store_url)
    ws = store.create_workshop("Old")
    p = store.add_participant(ws.slug, name="A", organization="B", sector="business", table="T")
    store.save_answer(ws.slug, p.id, TOOL, SENSITIVE, "before")
    store.close()
    engine = sa.create_engine(store_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE anonymous_answers"))
        conn.execute(sa.text("UPDATE meta SET value = '3' WHERE key = 'schema_version'"))
    engine.dispose()
    store = AnswerStore(store_url)
    try:
        assert frames.all_frames(store, ws.slug)["answers"]["value"].tolist() == ["before"]
        store.save_answer(ws.slug, p.id, TOOL, SENSITIVE, "after", anonymous=True)
        assert store.anonymous_questions(ws.slug, p.id) == {SENSITIVE}
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar_one() == str(schema.SCHEMA_VERSION)
    finally:
        store.close()
