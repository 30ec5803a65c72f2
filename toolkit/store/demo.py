"""A fictional demo workshop (``data/demo.yaml``), so a first run shows a
dashboard with real-looking answers, ratings, dots and actions.

Every name in the demo is invented. The file is validated like the content:
unknown keys, unknown ids and bad values raise :class:`ContentError`
naming the place, before anything is written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from toolkit.content import DATA_DIR
from toolkit.errors import ContentError, InvalidAnswer
from toolkit.store import AnswerStore
from toolkit.store.values import ACTION_STATUSES, Workshop

DEMO_FILE = DATA_DIR / "demo.yaml"


def load_demo(path: Path = DEMO_FILE) -> dict[str, Any]:
    """Read and check the demo file against the content it refers to."""
    import yaml

    from toolkit import content
    file = str(path)
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(file, "", f"cannot read the demo file: {exc}") from None
    kit = content.load()

    def need(cond: bool, place: str, problem: str) -> None:
        if not cond:
            raise ContentError(file, place, problem)

    need(isinstance(raw, dict), "top level", "expected a mapping")
    allowed = {"schema_version", "workshop", "participants", "answers", "comments", "ratings", "dots", "actions"}
    extra = set(raw) - allowed
    need(not extra, next(iter(extra), ""), f"unknown key (expected one of {', '.join(sorted(allowed))})")
    need(raw.get("schema_version") == 1, "schema_version", "expected 1")
    keys = set()
    for i, p in enumerate(raw.get("participants") or []):
        need(isinstance(p, dict) and set(p) == {"key", "name", "organization", "sector", "table"}, f"participants[{i}]", "expected key, name, organization, sector, table")
        need(kit.has_sector(p["sector"]), f"participants[{i}].sector", f"unknown sector {p['sector']!r}")
        keys.add(p["key"])
    for qid, items in (raw.get("answers") or {}).items():
        need(kit.has_question(qid), f"answers.{qid}", "unknown question id")
        for j, a in enumerate(items):
            need(a.get("who") in keys, f"answers.{qid}[{j}].who", f"unknown participant {a.get('who')!r}")
    for section in ("comments", "ratings"):
        for tid, items in (raw.get(section) or {}).items():
            need(kit.has_tool(tid), f"{section}.{tid}", "unknown tool id")
            whos = [a.get("who") for a in items] if section == "comments" else list(items)
            for who in whos:
                need(who in keys, f"{section}.{tid}", f"unknown participant {who!r}")
    for who, alloc in (raw.get("dots") or {}).items():
        need(who in keys, f"dots.{who}", "unknown participant")
        for tid in alloc:
            need(kit.has_tool(tid), f"dots.{who}.{tid}", "unknown tool id")
    for i, a in enumerate(raw.get("actions") or []):
        need(kit.has_tool(a.get("tool", "")), f"actions[{i}].tool", f"unknown tool id {a.get('tool')!r}")
        need(a.get("status") in ACTION_STATUSES, f"actions[{i}].status", f"expected one of {', '.join(ACTION_STATUSES)}")
        need(isinstance(a.get("due_in_days"), int), f"actions[{i}].due_in_days", "expected a whole number of days")
    return raw


def create_demo(store: AnswerStore, path: Path = DEMO_FILE, *, today: dt.date | None = None) -> Workshop:
    """Write the demo workshop through the store's own checks. A second
    demo gets the next free slug (``demo-2``)."""
    data = load_demo(path)
    today = today or dt.date.today()
    info = data["workshop"]
    ws = store.create_workshop(info["title"], slug=_free_slug(store, info.get("slug", "demo")))
    who = {}
    for p in data["participants"]:
        who[p["key"]] = store.add_participant(ws.slug, name=p["name"], organization=p["organization"], sector=p["sector"], table=p["table"]).id
    try:
        for qid, items in (data.get("answers") or {}).items():
            tool_id = store.kit.question(qid).tool_id
            for a in items:
                store.save_answer(ws.slug, who[a["who"]], tool_id, qid, a["text"])
        for tid, scores in (data.get("ratings") or {}).items():
            for key, value in scores.items():
                store.save_rating(ws.slug, who[key], tid, value)
        for tid, items in (data.get("comments") or {}).items():
            for a in items:
                store.save_comment(ws.slug, who[a["who"]], tid, a["text"])
        for key, alloc in (data.get("dots") or {}).items():
            store.save_dots(ws.slug, who[key], alloc)
        for a in data.get("actions") or []:
            store.add_action(
                ws.slug, a["tool"], what=a["what"], owner=a["owner"], owner_sector=a.get("owner_sector"),
                due=today + dt.timedelta(days=a["due_in_days"]), status=a["status"],
            )
    except InvalidAnswer as exc:
        raise ContentError(str(path), "", f"the demo data breaks a store rule: {exc}") from None
    return store.workshop(ws.slug)


def _free_slug(store: AnswerStore, base: str) -> str:
    taken = {w.slug for w in store.workshops()}
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug
