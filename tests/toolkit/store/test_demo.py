"""The demo workshop (``toolkit.store.demo``): read with the strict YAML
loader, every value checked with the store's own rules and placed in the
file, and written in one transaction. Counts come from the demo file itself
(its contents may change); the rules do not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from toolkit.errors import ContentError
from toolkit.store import AnswerStore
from toolkit.store.demo import DEMO_FILE, create_demo, load_demo
from toolkit.store.values import NOT_SURE

TODAY = dt.date(2026, 5, 1)


def _raw() -> dict[str, Any]:
    return yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))


def _counts(store: AnswerStore) -> tuple[int, ...]:
    with store.engine.connect() as conn:
        return tuple(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in ("workshops", "participants", "answers", "actions"))


def test_the_demo_is_written_whole(store):
    raw = _raw()
    ws = create_demo(store, today=TODAY)
    assert (ws.slug, ws.title) == (raw["workshop"].get("slug", "demo"), raw["workshop"]["title"])
    people = store.participants(ws.slug)
    assert [(p.name, p.organization, p.sector, p.table) for p in people] == [
        (p["name"], p["organization"], p["sector"], p["table"]) for p in raw["participants"]
    ]
    rows = store.answer_rows(ws.slug)
    by_kind = rows.groupby("kind").size().to_dict()
    assert by_kind == {
        "text": sum(len(items) for items in raw["answers"].values()),
        "rating": sum(len(scores) for scores in raw["ratings"].values()),
        "comment": sum(len(items) for items in raw["comments"].values()),
        "dots": sum(len(alloc) for alloc in raw["dots"].values()),
    }
    ratings = rows[rows.kind == "rating"]
    assert (ratings.value == NOT_SURE).sum() == sum(v is None for scores in raw["ratings"].values() for v in scores.values())
    assert set(rows["round"]) == {1}
    # Rows are timed in the file's order, oldest first, none in the future.
    assert rows.created.is_monotonic_increasing and rows.created.is_unique and rows.created.max() <= ws.created + len(rows)
    actions = store.actions(ws.slug)
    assert [(a.tool_id, a.what, a.status, a.due) for a in actions] == [
        (a["tool"], a["what"], a["status"], (TODAY + dt.timedelta(days=a["due_in_days"])).isoformat()) for a in raw["actions"]
    ]
    # Every dot allocation fits the budget.
    for p in people:
        dots = [int(v) for (kind, _, _), v in store.current_for(ws.slug, p.id).items() if kind == "dots"]
        assert sum(dots) <= ws.settings.dots


def test_a_second_demo_gets_the_next_slug(sqlite_store):
    assert [create_demo(sqlite_store, today=TODAY).slug for _ in range(3)] == ["demo", "demo-2", "demo-3"]
    assert _counts(sqlite_store)[0] == 3


def test_a_store_failing_half_way_keeps_no_half_demo(store, monkeypatch):
    real = AnswerStore._write_rows

    def write_then_fail(self, conn, ws, rows):
        real(self, conn, ws, rows)  # workshop, participants, answers and actions inserted ...
        raise sa.exc.OperationalError("INSERT", {}, Exception("disk I/O error"))  # ... then the disk fails

    monkeypatch.setattr(AnswerStore, "_write_rows", write_then_fail)
    with pytest.raises(sa.exc.OperationalError):
        create_demo(store, today=TODAY)
    assert _counts(store) == (0, 0, 0, 0)


def test_a_key_twice_is_refused_by_the_strict_loader(sqlite_store, tmp_path):
    text = DEMO_FILE.read_text(encoding="utf-8").replace("schema_version: 1\n", "schema_version: 1\nschema_version: 1\n", 1)
    line = text.splitlines().index("schema_version: 1") + 2
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as err:
        create_demo(sqlite_store, path)
    assert str(err.value) == f"{path}: line {line}: the key 'schema_version' appears twice in one mapping"
    assert _counts(sqlite_store) == (0, 0, 0, 0)


def _first(mapping: dict[str, Any]) -> str:
    return next(iter(mapping))


def _edit_rating(raw: dict[str, Any]) -> str:
    tool = _first(raw["ratings"])
    who = _first(raw["ratings"][tool])
    raw["ratings"][tool][who] = 9
    return f"ratings.{tool}.{who}: rating 9 is outside the scale 1-5"


def _edit_dots(raw: dict[str, Any]) -> str:
    who = _first(raw["dots"])
    raw["dots"][who] = {"identify-a-manager": 3, "share-discretion": 3}
    return f"dots.{who}: 6 dots placed but each participant has 5; take some back first"


def _edit_answer_who(raw: dict[str, Any]) -> str:
    qid = _first(raw["answers"])
    raw["answers"][qid][0]["who"] = "p99"
    return f"answers.{qid}[0].who: unknown participant 'p99'"


def _edit_answer_text(raw: dict[str, Any]) -> str:
    qid = _first(raw["answers"])
    raw["answers"][qid][0]["text"] = "bell\x07"
    return f"answers.{qid}[0].text: contains a control character (U+0007) at position 5"


def _edit_second_key(raw: dict[str, Any]) -> str:
    raw["participants"][1]["key"] = raw["participants"][0]["key"]
    return f"participants[1].key: expected a key no other participant has, got {raw['participants'][0]['key']!r}"


EDITS: dict[str, Callable[[dict[str, Any]], str]] = {
    "rating": _edit_rating,
    "dots-over-budget": _edit_dots,
    "unknown-participant": _edit_answer_who,
    "control-character": _edit_answer_text,
    "participant-key-twice": _edit_second_key,
    "sector": lambda raw: raw["participants"][0].update(sector="space") or "participants[0].sector: unknown sector 'space' (expected one of government, business, nonprofit, community, other)",
    "long-organization": lambda raw: raw["participants"][0].update(organization="o" * 121) or "participants[0].organization: 121 characters is over the limit of 120",
    "question": lambda raw: raw["answers"].update({"epp-99": []}) or "answers.epp-99: unknown question id 'epp-99'",
    "tool": lambda raw: raw["comments"].update({"nope": []}) or "comments.nope: unknown tool 'nope' (expected a tool id, such as 'engage-potential-partners')",
    "status": lambda raw: raw["actions"][0].update(status="someday") or "actions[0].status: expected one of open, in progress, done, dropped, got 'someday'",
    "owner-sector": lambda raw: raw["actions"][0].update(owner_sector="space") or "actions[0].owner_sector: unknown sector 'space'",
    "due": lambda raw: raw["actions"][0].update(due_in_days="soon") or "actions[0].due_in_days: expected a whole number of days (within ten years), got 'soon'",
    "action-key": lambda raw: raw["actions"][0].update(colour="red") or "actions[0].colour: unknown key (expected one of due_in_days, owner, owner_sector, status, tool, what)",
    "top-key": lambda raw: raw.update(colour="red") or "colour: unknown key (expected one of actions, answers, comments, dots, participants, ratings, schema_version, workshop)",
    "title": lambda raw: raw["workshop"].update(title="") or "workshop.title: must not be empty",
    "slug": lambda raw: raw["workshop"].update(slug="Demo Day") or "workshop.slug: 'Demo Day' is not a valid slug (try 'demo-day')",
    "list": lambda raw: raw.update(participants={"p1": 1}) or "participants: expected a list, got a mapping",
}


@pytest.mark.parametrize("edit", list(EDITS.values()), ids=list(EDITS))
def test_a_bad_value_is_refused_naming_its_place_before_anything_is_written(sqlite_store, tmp_path, edit):
    raw = _raw()
    message = edit(raw)
    path = tmp_path / "demo.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ContentError) as err:
        create_demo(sqlite_store, path)
    assert str(err.value).startswith(f"{path}: {message}"), str(err.value)
    assert _counts(sqlite_store) == (0, 0, 0, 0)


def test_load_demo_checks_against_the_given_content(kit):
    slug, rows = load_demo(kit=kit, today=TODAY, now=1_777_000_000.0)
    assert slug == _raw()["workshop"].get("slug", "demo")
    assert rows.answers[-1]["created"] < 1_777_000_000.0 and all(a["created"] == 1_777_000_000.0 for a in rows.actions)
    with pytest.raises(ContentError, match="cannot read the demo file"):
        load_demo(Path("/nonexistent/demo.yaml"), kit)
