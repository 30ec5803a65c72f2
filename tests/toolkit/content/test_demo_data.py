"""The demo workshop's data (``data/demo.yaml``, issue #16): an invented
town with invented organizations, money with its currency, a dot budget
every participant keeps, and answers only to questions the content asks."""

from __future__ import annotations

import re

import pytest
import yaml

from toolkit.store import AnswerStore
from toolkit.content import read_yaml
from toolkit.store.demo import DEMO_FILE, create_demo
from toolkit.store.values import WorkshopSettings

# Names of the real places and institutions an earlier demo borrowed.
REAL_NAMES = ("Riverside", "Northgate", "Unified School District", "Valley Fresh", "Eastside")


@pytest.fixture(scope="module")
def demo():
    # The file as written (the loader turns it into rows to write).
    return read_yaml(DEMO_FILE.read_text(encoding="utf-8"), str(DEMO_FILE))


def _texts(demo) -> list[str]:
    out = [demo["workshop"]["title"], demo["workshop"]["description"]]
    out += [f"{p['name']} {p['organization']}" for p in demo["participants"]]
    out += [a["text"] for items in demo["answers"].values() for a in items]
    out += [a["text"] for items in demo["comments"].values() for a in items]
    out += [f"{a['what']} {a['owner']}" for a in demo["actions"]]
    return out


def test_the_demo_town_and_its_organizations_are_invented(demo):
    text = "\n".join(_texts(demo))
    assert [name for name in REAL_NAMES if name in text] == []
    assert "Quillmouth" in demo["workshop"]["title"] and "invented" in demo["workshop"]["description"]
    assert {p["organization"].split()[0] for p in demo["participants"]} >= {"Quillmouth", "Quill", "Tanner's", "Millpond"}


def test_sums_of_money_carry_their_currency(demo):
    amounts = [m for t in _texts(demo) for m in re.finditer(r"(\$)?\b\d{1,3}(?:,\d{3})+\b( \w+)?", t)]
    assert amounts, "the demo names some sums"
    money = [m.group(0) for m in amounts if m.group(2) not in (" of",)]  # "1,900 of our students" is a count
    assert money and all(m.startswith("$") for m in money), money


def test_every_participant_keeps_within_the_dot_budget(demo):
    budget = WorkshopSettings().dots
    placed = {who: sum(alloc.values()) for who, alloc in demo["dots"].items()}
    assert set(placed) == {p["key"] for p in demo["participants"]}
    assert all(0 < n <= budget for n in placed.values()), placed


def test_the_demo_loads_through_the_store_with_every_answer(demo):
    store = AnswerStore("sqlite://")
    try:
        ws = create_demo(store)
        assert ws.title == demo["workshop"]["title"] and ws.settings.dots == WorkshopSettings().dots
        n_answers = sum(len(items) for items in demo["answers"].values())
        n_ratings = sum(len(r) for r in demo["ratings"].values())
        n_comments = sum(len(items) for items in demo["comments"].values())
        n_dots = sum(len(a) for a in demo["dots"].values())
        assert store.count_answers(ws.slug) == n_answers + n_ratings + n_comments + n_dots
        # The moved question's answers sit under its new id, in its new tool.
        assert "mepr-6" in demo["answers"] and "cis-5" not in demo["answers"]
        assert store.kit.question("mepr-6").tool_id == "manage-expectations-of-process-and-results"
    finally:
        store.close()


def test_the_demo_file_is_plain_yaml_of_the_expected_shape():
    raw = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    assert raw["schema_version"] == 1
    assert set(raw) == {"schema_version", "workshop", "participants", "answers", "comments", "ratings", "dots", "actions"}
