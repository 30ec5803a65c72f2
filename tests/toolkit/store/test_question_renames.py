"""Answers follow renamed question ids (issue #16): a store written under
the first edition of the content, where tool 8 asked ``cis-5``, is opened
with the current content, whose changelog moved that question to tool 13 as
``mepr-6``. Every answer row moves (history kept), on SQLite and PostgreSQL,
and opening the store again moves nothing."""

from __future__ import annotations

import copy

import sqlalchemy as sa
import yaml

from toolkit import content
from toolkit.frames import compute as frames
from toolkit.store import AnswerStore, schema

TOOL_8 = "commit-to-information-sharing"
TOOL_13 = "manage-expectations-of-process-and-results"


def _first_edition_kit() -> content.Toolkit:
    """The packaged content as it was before the move: ``cis-5`` in tool 8,
    no ``mepr-6`` and no changelog."""
    raw = yaml.safe_load(content.DEFAULT_FILE.read_text(encoding="utf-8"))
    tools = {t["id"]: t for t in raw["tools"]}
    moved = next(q for q in tools[TOOL_13]["questions"] if q["id"] == "mepr-6")
    tools[TOOL_13]["questions"].remove(moved)
    tools[TOOL_8]["questions"].append(copy.deepcopy(moved) | {"id": "cis-5"})
    raw.pop("changes")
    return content.parse_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), "<first edition>")


def _rows(url: str, question_id: str) -> list[tuple[str, str]]:
    engine = schema.make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(schema.answers.c.tool_id, schema.answers.c.value).where(schema.answers.c.question_id == question_id).order_by(schema.answers.c.id))
            return [tuple(r) for r in rows]
    finally:
        engine.dispose()


def test_answers_of_a_renamed_question_move_to_its_new_id_and_tool(store_url):
    old_kit = _first_edition_kit()
    assert old_kit.has_question("cis-5") and not old_kit.has_question("mepr-6")
    old = AnswerStore(store_url, kit=old_kit)
    ws = old.create_workshop("Before the move")
    ana = old.add_participant(ws.slug, name="Ana", organization="Org", sector="government", table="T1").id
    ben = old.add_participant(ws.slug, name="Ben", organization="Org", sector="business", table="T1").id
    old.save_answer(ws.slug, ana, TOOL_8, "cis-5", "a monthly text message")
    old.save_answer(ws.slug, ana, TOOL_8, "cis-5", "a monthly text message, in two languages")  # an edit: history
    old.save_answer(ws.slug, ben, TOOL_8, "cis-5", "tell us before it goes public")
    old.save_answer(ws.slug, ben, TOOL_8, "cis-1", "client counts")
    old.close()

    kit = content.load()
    assert kit.question_renames() == {"cis-5": ("mepr-6", TOOL_13)}
    store = AnswerStore(store_url, kit=kit)
    try:
        assert _rows(store_url, "cis-5") == []
        assert _rows(store_url, "mepr-6") == [
            (TOOL_13, "a monthly text message"),
            (TOOL_13, "a monthly text message, in two languages"),
            (TOOL_13, "tell us before it goes public"),
        ]
        assert store.current_for(ws.slug, ana) == {("text", TOOL_13, "mepr-6"): "a monthly text message, in two languages"}
        assert store.current_for(ws.slug, ben) == {("text", TOOL_13, "mepr-6"): "tell us before it goes public", ("text", TOOL_8, "cis-1"): "client counts"}
        assert store.count_answers() == 4  # nothing dropped
        # The moved answer is shown with its new question's text.
        frame = frames.answers(store, ws.slug)
        moved = frame[frame["question_id"] == "mepr-6"]
        assert len(moved) == 3 and set(moved["question"]) == {kit.question("mepr-6").text}  # all rows, history included
    finally:
        store.close()


def test_the_rename_step_is_idempotent(store_url):
    kit = content.load()
    store = AnswerStore(store_url, kit=kit)
    ws = store.create_workshop("Twice")
    pid = store.add_participant(ws.slug, name="Ana", organization="Org", sector="government", table="T1").id
    store.save_answer(ws.slug, pid, "engage-potential-partners", "epp-1", "residents")
    store.close()
    engine = schema.make_engine(store_url)
    try:
        with engine.begin() as conn:
            # An answer written by an older kit under a retired id.
            conn.execute(sa.update(schema.answers).values(question_id="zz-retired", tool_id=TOOL_8))
            renames = {"zz-retired": ("epp-1", "engage-potential-partners")}
            assert schema.rename_questions(conn, renames) == 1
            assert schema.rename_questions(conn, renames) == 0  # the same renames again: skipped
            conn.execute(sa.delete(schema.meta).where(schema.meta.c.key == schema.RENAMES_KEY))
            assert schema.rename_questions(conn, renames) == 0  # run again in full: nothing left to move
        assert schema.create_or_upgrade(engine, renames=renames) == schema.SCHEMA_VERSION
    finally:
        engine.dispose()
    assert _rows(store_url, "epp-1") == [("engage-potential-partners", "residents")]


def test_a_new_store_records_the_renames_it_needs_no_move_for(store_url):
    kit = content.load()
    AnswerStore(store_url, kit=kit).close()
    engine = schema.make_engine(store_url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(sa.select(schema.meta.c.value).where(schema.meta.c.key == schema.RENAMES_KEY)).scalar()
    finally:
        engine.dispose()
    assert stored == schema._fingerprint(kit.question_renames())
