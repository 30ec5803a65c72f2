"""A fictional demo workshop (``data/demo.yaml``), so a first run shows a
dashboard with real-looking answers, ratings (revealed), dots and actions.

Every name in the demo is invented. The file is read with the content's
strict YAML loader (a key twice in one mapping is refused) and every value
is checked with the store's own rules (:mod:`toolkit.store.checks`): unknown
keys, unknown ids and bad values raise :class:`ContentError` naming the
place, before anything is written. Then the whole demo is written in one
transaction (:meth:`AnswerStore.import_rows`): a store that fails half way
keeps no half a demo.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.content import DATA_DIR, read_yaml
from toolkit.content.validate import describe
from toolkit.errors import ContentError, InvalidAnswer, UnknownTool
from toolkit.store import checks
from toolkit.store.values import NewRows, Workshop, WorkshopSettings

if TYPE_CHECKING:
    from toolkit.content import Toolkit
    from toolkit.store import AnswerStore

DEMO_FILE = DATA_DIR / "demo.yaml"

_TOP = {"schema_version", "workshop", "participants", "answers", "comments", "ratings", "dots", "actions"}
_WORKSHOP = ({"title"}, {"slug", "description"})
_PARTICIPANT = ({"key", "name", "organization", "sector", "table"}, set())
_ANSWER = ({"who", "text"}, set())
_ACTION = ({"tool", "what", "owner", "due_in_days", "status"}, {"owner_sector"})


def load_demo(path: Path = DEMO_FILE, kit: Toolkit | None = None, *, today: dt.date | None = None, now: float | None = None) -> tuple[str, NewRows]:
    """Read and check the demo file against the content (default: the
    loaded content): the slug it asks for, and the rows to write. Action
    due dates count from ``today``; rows are timed up to ``now``."""
    from toolkit import content

    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(file, "", f"cannot read the demo file: {exc}") from None
    raw = read_yaml(text, file)
    return _Reader(file, kit if kit is not None else content.load()).rows(raw, today or dt.date.today(), time.time() if now is None else now)


def create_demo(store: AnswerStore, path: Path = DEMO_FILE, *, today: dt.date | None = None) -> Workshop:
    """Write the demo workshop in one transaction. A second demo gets the
    next free slug (``demo-2``)."""
    slug, rows = load_demo(path, store.kit, today=today)
    return store.import_rows(slug, lambda stored: rows, new=True)


class _Reader:
    """Walks the demo file; the first problem is a :class:`ContentError`."""

    def __init__(self, file: str, kit: Toolkit):
        self.file = file
        self.kit = kit

    def fail(self, place: str, problem: str) -> ContentError:
        return ContentError(self.file, place, problem)

    def check(self, place: str, rule: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``rule(*args)`` from :mod:`toolkit.store.checks`, its refusal
        placed in the file."""
        try:
            return rule(*args, **kwargs)
        except (InvalidAnswer, UnknownTool) as exc:
            raise self.fail(place, checks.problem_of(exc)) from None

    def mapping(self, raw: Any, place: str, keys: tuple[set[str], set[str]] | None = None) -> Mapping[Any, Any]:
        if not isinstance(raw, dict):
            raise self.fail(place, f"expected a mapping, got {describe(raw)}")
        if keys is not None:
            required, optional = keys
            unknown = sorted(map(str, set(raw) - required - optional))
            if unknown:
                raise self.fail(f"{place}.{unknown[0]}", f"unknown key (expected one of {', '.join(sorted(required | optional))})")
            missing = sorted(required - set(raw))
            if missing:
                raise self.fail(f"{place}.{missing[0]}", "missing required key")
        return raw

    def items(self, raw: Any, place: str) -> list[Any]:
        if not isinstance(raw, list):
            raise self.fail(place, f"expected a list, got {describe(raw)}")
        return raw

    def rows(self, raw: Any, today: dt.date, now: float) -> tuple[str, NewRows]:
        kit, check = self.kit, self.check
        top = self.mapping(raw, "top level")
        unknown = sorted(map(str, set(top) - _TOP))
        if unknown:
            raise self.fail(unknown[0], f"unknown key (expected one of {', '.join(sorted(_TOP))})")
        if top.get("schema_version") != 1:
            raise self.fail("schema_version", "expected 1")
        info = self.mapping(top.get("workshop"), "workshop", _WORKSHOP)
        title = check("workshop.title", checks.title, info["title"])
        slug = check("workshop.slug", checks.slug, info.get("slug", "demo"))
        # Ratings revealed: the demo is a first look at a workshop under way,
        # and the dashboard should show it as the README's screenshot does.
        settings = WorkshopSettings(ratings_revealed=True)

        people: list[dict[str, Any]] = []
        who: dict[str, int] = {}
        for i, p in enumerate(self.items(top.get("participants") or [], "participants")):
            place = f"participants[{i}]"
            self.mapping(p, place, _PARTICIPANT)
            if not isinstance(p["key"], str) or p["key"] in who:
                raise self.fail(f"{place}.key", f"expected a key no other participant has, got {checks.shown(p['key'])}")
            who[p["key"]] = len(people)
            people.append({
                "name": check(f"{place}.name", checks.clean_short, p["name"], field="name", required=False) or None,
                "organization": check(f"{place}.organization", checks.clean_short, p["organization"], field="organization"),
                "sector": check(f"{place}.sector", checks.sector, kit, p["sector"]),
                "table": check(f"{place}.table", checks.clean_short, p["table"], field="table"),
            })

        def person(ref: Any, place: str) -> int:
            if not isinstance(ref, str) or ref not in who:
                raise self.fail(place, f"unknown participant {checks.shown(ref)}")
            return who[ref]

        answers: list[dict[str, Any]] = []

        def answer(participant: int, tool_id: str, question_id: str, kind: str, value: str) -> None:
            answers.append({"participant": participant, "round": settings.round, "tool_id": tool_id, "question_id": question_id, "kind": kind, "value": value})

        for qid, items in self.mapping(top.get("answers") or {}, "answers").items():
            place = f"answers.{qid}"
            if not isinstance(qid, str) or not kit.has_question(qid):
                raise self.fail(place, f"unknown question id {checks.shown(qid)}")
            tool = kit.tool(kit.question(qid).tool_id)
            for j, a in enumerate(self.items(items, place)):
                self.mapping(a, f"{place}[{j}]", _ANSWER)
                answer(person(a["who"], f"{place}[{j}].who"), tool.id, qid, "text", check(f"{place}[{j}].text", checks.clean_text, a["text"], field="text"))
        for tid, scores in self.mapping(top.get("ratings") or {}, "ratings").items():
            place = f"ratings.{tid}"
            tool = check(place, checks.tool, kit, tid)
            for key, value in self.mapping(scores, place).items():
                answer(person(key, f"{place}.{key}"), tool.id, "", "rating", check(f"{place}.{key}", checks.rating, kit, value))
        for tid, items in self.mapping(top.get("comments") or {}, "comments").items():
            place = f"comments.{tid}"
            tool = check(place, checks.tool, kit, tid)
            for j, a in enumerate(self.items(items, place)):
                self.mapping(a, f"{place}[{j}]", _ANSWER)
                answer(person(a["who"], f"{place}[{j}].who"), tool.id, "", "comment", check(f"{place}[{j}].text", checks.clean_text, a["text"], field="text"))
        for key, allocation in self.mapping(top.get("dots") or {}, "dots").items():
            place = f"dots.{key}"
            participant = person(key, place)
            placed = {}
            for tid, n in self.mapping(allocation, place).items():
                tool = check(f"{place}.{tid}", checks.tool, kit, tid)
                placed[tool.id] = check(f"{place}.{tid}", checks.dots, n)
            check(place, checks.dots_budget, placed, settings.dots)
            for tool_id, n in placed.items():
                answer(participant, tool_id, "", "dots", str(n))

        actions = []
        for i, a in enumerate(self.items(top.get("actions") or [], "actions")):
            place = f"actions[{i}]"
            self.mapping(a, place, _ACTION)
            days = a["due_in_days"]
            if isinstance(days, bool) or not isinstance(days, int) or abs(days) > 3650:
                raise self.fail(f"{place}.due_in_days", f"expected a whole number of days (within ten years), got {checks.shown(days)}")
            actions.append({
                "tool_id": check(f"{place}.tool", checks.tool, kit, a["tool"]).id,
                "what": check(f"{place}.what", checks.action_text, a["what"]),
                "owner": check(f"{place}.owner", checks.clean_short, a["owner"], field="owner"),
                "owner_sector": check(f"{place}.owner_sector", checks.owner_sector, kit, a.get("owner_sector")),
                "due": (today + dt.timedelta(days=days)).isoformat(),
                "status": check(f"{place}.status", checks.action_status, a["status"]),
                "participant": None, "created": now, "updated": now,
            })

        # Rows a hundredth of a second apart, in the file's order, the last one now.
        for row in people:
            row["created"] = now - len(answers) / 100 - 1
        for i, row in enumerate(answers):
            row["created"] = now - (len(answers) - i) / 100
        workshop = {"title": title, "created": now - len(answers) / 100 - 1, "settings": settings}
        return slug, NewRows(workshop=workshop, participants=tuple(people), answers=tuple(answers), actions=tuple(actions))
