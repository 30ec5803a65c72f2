"""Validation of raw content (parsed YAML) into :mod:`toolkit.content.model`
values. The first problem raises one :class:`ContentError` with the file,
the place (``tools[6].questions[2].id``) and what was expected.
"""

from __future__ import annotations

import datetime as _dt
from string import Formatter
from typing import Any

from toolkit.content.model import (
    PRIORITIES_FIELDS,
    SCHEMA_VERSION,
    STAGE_FIELDS,
    Example,
    PageText,
    Question,
    Resource,
    Scale,
    ScalePoint,
    Sector,
    Source,
    Stage,
    Term,
    Tool,
    Toolkit,
)
from toolkit.content.model import (  # schema 2: the facilitator's part
    READABLE_VERSIONS,
    SENSITIVE_KINDS,
    Change,
    Facilitation,
    Plan,
    PlanItem,
    PlanSession,
    Sensitivity,
    Worksheet,
    resolve_renames,
)
from toolkit.errors import ContentError


class Validator:
    """Walks the raw YAML and builds values; the first problem raises."""

    def __init__(self, file: str):
        self.file = file
        self.version = SCHEMA_VERSION

    def fail(self, place: str, problem: str) -> ContentError:
        return ContentError(self.file, place, problem)

    # -- primitives --------------------------------------------------------

    def mapping(self, raw: Any, place: str, required: set[str], optional: set[str] = frozenset()) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(place or "top level", f"expected a mapping, got {describe(raw)}")
        unknown = sorted(set(map(str, raw)) - required - optional)
        if unknown:
            allowed = ", ".join(sorted(required | optional))
            raise self.fail(_join(place, unknown[0]), f"unknown key (expected one of: {allowed})")
        missing = sorted(required - set(raw))
        if missing:
            raise self.fail(_join(place, missing[0]), "missing required key")
        return raw

    def text(self, raw: dict[str, Any], key: str, place: str, *, optional: bool = False) -> str | None:
        value = raw.get(key)
        where = _join(place, key)
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"expected a non-empty string, got {describe(value)}")
        return value.strip()

    def slug(self, raw: dict[str, Any], key: str, place: str) -> str:
        value = self.text(raw, key, place)
        assert value is not None
        if not all(c.isascii() and (c.isalnum() or c in "-_") for c in value) or value != value.lower():
            raise self.fail(_join(place, key), f"expected a lowercase id of letters, digits, '-' or '_', got {value!r}")
        return value

    def integer(self, raw: dict[str, Any], key: str, place: str) -> int:
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(_join(place, key), f"expected a whole number, got {describe(value)}")
        return value

    def boolean(self, raw: dict[str, Any], key: str, place: str, default: bool) -> bool:
        if key not in raw:
            return default
        value = raw[key]
        if not isinstance(value, bool):
            raise self.fail(_join(place, key), f"expected true or false, got {describe(value)}")
        return value

    def sequence(self, raw: dict[str, Any], key: str, place: str, *, min_len: int = 0, max_len: int | None = None) -> list[Any]:
        value = raw.get(key)
        where = _join(place, key)
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list, got {describe(value)}")
        if len(value) < min_len:
            raise self.fail(where, f"expected at least {min_len} item(s), got {len(value)}")
        if max_len is not None and len(value) > max_len:
            raise self.fail(where, f"expected at most {max_len} items, got {len(value)}")
        return value

    def unique(self, ids: list[tuple[str, str]], what: str) -> None:
        seen: dict[str, str] = {}
        for place, value in ids:
            if value in seen:
                raise self.fail(place, f"duplicate {what} {value!r} (first used at {seen[value]})")
            seen[value] = place

    # -- sections ----------------------------------------------------------

    def toolkit(self, raw: Any) -> Toolkit:
        top = self.mapping(raw, "", {"schema_version", "source", "stages", "tools", "sectors", "glossary", "scale"}, {"pages", *FACILITATOR_SECTIONS})
        version = self.integer(top, "schema_version", "")
        if version not in READABLE_VERSIONS:
            raise self.fail("schema_version", f"expected {SCHEMA_VERSION} (or 1 for a file without facilitator notes), got {version}")
        self.version = version
        self.since_2(top, "", FACILITATOR_SECTIONS)
        source = self.source(top["source"], "source")
        glossary = tuple(self.term(t, f"glossary[{i}]") for i, t in enumerate(self.sequence(top, "glossary", "", min_len=1)))
        self.unique([(f"glossary[{i}].id", t.id) for i, t in enumerate(glossary)], "glossary id")
        term_ids = {t.id for t in glossary}

        raw_stages = self.sequence(top, "stages", "", min_len=1)
        stage_maps = [self.mapping(s, f"stages[{i}]", {"id", "number", "title", "question", "summary", "tools"}) for i, s in enumerate(raw_stages)]
        # Which stage holds each tool id: a tool must be in exactly one.
        holder: dict[str, tuple[str, str]] = {}
        for i, s in enumerate(stage_maps):
            stage_id = self.slug(s, "id", f"stages[{i}]")
            for j, tid in enumerate(self.sequence(s, "tools", f"stages[{i}]", min_len=1)):
                place = f"stages[{i}].tools[{j}]"
                if not isinstance(tid, str) or not tid.strip():
                    raise self.fail(place, f"expected a tool id, got {describe(tid)}")
                if tid in holder:
                    raise self.fail(place, f"tool {tid!r} is already in stage {holder[tid][0]!r} ({holder[tid][1]}); a tool belongs to exactly one stage")
                holder[tid] = (stage_id, place)

        worksheets = self.worksheets(top)
        raw_tools = self.sequence(top, "tools", "", min_len=1)
        tools = tuple(self.tool(t, f"tools[{i}]", holder, term_ids, {w.id for w in worksheets}) for i, t in enumerate(raw_tools))
        self.unique([(f"tools[{i}].id", t.id) for i, t in enumerate(tools)], "tool id")
        self.unique([(f"tools[{i}].number", str(t.number)) for i, t in enumerate(tools)], "tool number")
        self.unique(
            [(f"tools[{i}].questions[{j}].id", q.id) for i, t in enumerate(tools) for j, q in enumerate(t.questions)],
            "question id",
        )
        tool_ids = {t.id for t in tools}
        for tid, (_, place) in holder.items():
            if tid not in tool_ids:
                raise self.fail(place, f"no tool has the id {tid!r}")

        stages = tuple(self.stage(s, f"stages[{i}]") for i, s in enumerate(stage_maps))
        self.unique([(f"stages[{i}].id", s.id) for i, s in enumerate(stages)], "stage id")
        self.unique([(f"stages[{i}].number", str(s.number)) for i, s in enumerate(stages)], "stage number")
        for i, s in enumerate(stages):
            if s.number != i + 1:
                raise self.fail(f"stages[{i}].number", f"expected {i + 1} (stages are numbered in order), got {s.number}")
        # Published order: tools numbered 1..N, and stage order matches tool order.
        for i, t in enumerate(tools):
            if t.number != i + 1:
                raise self.fail(f"tools[{i}].number", f"expected {i + 1} (tools are listed in published order), got {t.number}")
        ordered = [tid for s in stages for tid in s.tool_ids]
        if ordered != [t.id for t in tools]:
            first = next(k for k, (a, b) in enumerate(zip(ordered, [t.id for t in tools])) if a != b)
            raise self.fail("stages", f"the stages list tools in a different order from tools[]: position {first + 1} is {ordered[first]!r} in stages but {tools[first].id!r} in tools")

        sectors = tuple(self.sector(s, f"sectors[{i}]") for i, s in enumerate(self.sequence(top, "sectors", "", min_len=1)))
        self.unique([(f"sectors[{i}].id", s.id) for i, s in enumerate(sectors)], "sector id")
        scale = self.scale(top["scale"], "scale")
        pages = self.pages(top["pages"], "pages") if top.get("pages") is not None else PageText()
        plans = self.plans(top, tool_ids)
        changes = self.changes(top, {q.id for t in tools for q in t.questions})
        return Toolkit(
            schema_version=version,
            source=source,
            stages=stages,
            tools=tools,
            sectors=sectors,
            glossary=glossary,
            scale=scale,
            pages=pages,
            plans=plans,
            worksheets=worksheets,
            changes=changes,
            path=self.file,
        )

    def source(self, raw: Any, place: str) -> Source:
        m = self.mapping(raw, place, {"title", "publisher", "url", "credit"})
        return Source(*(self.text(m, k, place) for k in ("title", "publisher", "url", "credit")))  # type: ignore[arg-type]

    def stage(self, m: dict[str, Any], place: str) -> Stage:
        return Stage(
            id=self.slug(m, "id", place),
            number=self.integer(m, "number", place),
            title=self.text(m, "title", place),  # type: ignore[arg-type]
            question=self.text(m, "question", place),  # type: ignore[arg-type]
            summary=self.text(m, "summary", place),  # type: ignore[arg-type]
            tool_ids=tuple(t.strip() for t in m["tools"]),
        )

    def tool(self, raw: Any, place: str, holder: dict[str, tuple[str, str]], term_ids: set[str], worksheet_ids: set[str]) -> Tool:
        m = self.mapping(
            raw,
            place,
            {"id", "number", "name", "definition", "why", "questions"},
            {"example", "resources", "terms", "provisional", "note", "facilitation"},
        )
        self.since_2(m, place, ("facilitation",))
        tool_id = self.slug(m, "id", place)
        if tool_id not in holder:
            raise self.fail(_join(place, "id"), f"tool {tool_id!r} is in no stage; add it to one stage's tools list")
        raw_qs = m.get("questions")
        if isinstance(raw_qs, list) and not raw_qs:
            raise self.fail(_join(place, "questions"), "the question list is empty; expected 1 or more guiding questions")
        questions = []
        for j, q in enumerate(self.sequence(m, "questions", place, min_len=1)):
            qplace = f"{place}.questions[{j}]"
            qm = self.mapping(q, qplace, {"id", "text"}, {"sensitive"})
            self.since_2(qm, qplace, ("sensitive",))
            questions.append(
                Question(
                    id=self.slug(qm, "id", qplace),
                    text=self.text(qm, "text", qplace),  # type: ignore[arg-type]
                    tool_id=tool_id,
                    sensitive=self.sensitivity(qm.get("sensitive"), _join(qplace, "sensitive")),
                )
            )
        example = None
        if m.get("example") is not None:
            eplace = _join(place, "example")
            em = self.mapping(m["example"], eplace, {"title", "summary"}, {"place", *EXAMPLE_SINCE_2})
            self.since_2(em, eplace, EXAMPLE_SINCE_2)
            related = self.boolean(em, "related", eplace, False)
            source = self.text(em, "source", eplace, optional=True)
            if related and source is None:
                raise self.fail(_join(eplace, "source"), "a related case needs its source (where the case is published)")
            example = Example(
                title=self.text(em, "title", eplace),  # type: ignore[arg-type]
                place=self.text(em, "place", eplace, optional=True) or "",
                summary=self.text(em, "summary", eplace),  # type: ignore[arg-type]
                shows=self.line(em, "shows", eplace, optional=True) or "",
                related=related,
                source=source,
            )
        resources = []
        if m.get("resources") is not None:
            for j, r in enumerate(self.sequence(m, "resources", place)):
                rplace = f"{place}.resources[{j}]"
                rm = self.mapping(r, rplace, {"name", "publisher"}, {"url"})
                url = self.text(rm, "url", rplace, optional=True)
                if url is not None and not url.startswith(("https://", "http://")):
                    raise self.fail(_join(rplace, "url"), f"expected an http(s) URL or null, got {url!r}")
                resources.append(Resource(name=self.text(rm, "name", rplace), publisher=self.text(rm, "publisher", rplace), url=url))  # type: ignore[arg-type]
        terms: list[str] = []
        if m.get("terms") is not None:
            for j, term in enumerate(self.sequence(m, "terms", place)):
                tplace = f"{place}.terms[{j}]"
                if not isinstance(term, str) or term not in term_ids:
                    raise self.fail(tplace, f"expected a glossary id, got {term!r} (not in glossary)")
                terms.append(term)
        provisional = self.boolean(m, "provisional", place, False)
        note = self.text(m, "note", place, optional=True)
        if provisional and not note:
            raise self.fail(_join(place, "note"), "a provisional tool needs a one-line note saying why")
        return Tool(
            id=tool_id,
            number=self.integer(m, "number", place),
            name=self.text(m, "name", place),  # type: ignore[arg-type]
            stage_id=holder[tool_id][0],
            definition=self.text(m, "definition", place),  # type: ignore[arg-type]
            why=self.text(m, "why", place),  # type: ignore[arg-type]
            questions=tuple(questions),
            example=example,
            resources=tuple(resources),
            terms=tuple(terms),
            provisional=provisional,
            note=note,
            facilitation=self.facilitation(m.get("facilitation"), _join(place, "facilitation"), questions, worksheet_ids),
        )

    def sector(self, raw: Any, place: str) -> Sector:
        m = self.mapping(raw, place, {"id", "name", "description"})
        return Sector(id=self.slug(m, "id", place), name=self.text(m, "name", place), description=self.text(m, "description", place))  # type: ignore[arg-type]

    def term(self, raw: Any, place: str) -> Term:
        m = self.mapping(raw, place, {"id", "term", "definition"})
        return Term(id=self.slug(m, "id", place), term=self.text(m, "term", place), definition=self.text(m, "definition", place))  # type: ignore[arg-type]

    def scale(self, raw: Any, place: str) -> Scale:
        m = self.mapping(raw, place, {"question", "points", "not_sure"}, {"low_at", "low_prompt", "not_yet"})
        points = []
        for j, p in enumerate(self.sequence(m, "points", place, min_len=2, max_len=10)):
            pplace = f"{place}.points[{j}]"
            pm = self.mapping(p, pplace, {"value", "label"}, {"description"})
            value = self.integer(pm, "value", pplace)
            if value != j + 1:
                raise self.fail(_join(pplace, "value"), f"expected {j + 1} (points run 1, 2, 3, ... in order), got {value}")
            points.append(ScalePoint(value=value, label=self.text(pm, "label", pplace), description=self.text(pm, "description", pplace, optional=True) or ""))  # type: ignore[arg-type]
        # Without low_at, the lower half of the scale is low (1 and 2 of 5).
        low_at = self.integer(m, "low_at", place) if "low_at" in m else len(points) // 2
        if not 0 <= low_at < len(points):
            raise self.fail(
                _join(place, "low_at"),
                f"expected 0 to {len(points) - 1} (ratings at or below it ask what is missing; 0 for none), got {low_at}",
            )
        extra = {"low_prompt": self.text(m, "low_prompt", place)} if "low_prompt" in m else {}
        if "not_yet" in m:
            extra["not_yet"] = self.text(m, "not_yet", place)
            if extra["not_yet"].casefold() == self.text(m, "not_sure", place).casefold():
                raise self.fail(_join(place, "not_yet"), "expected a label of its own: \"not yet relevant\" is not the same answer as \"not sure\"")
        return Scale(question=self.text(m, "question", place), points=tuple(points), not_sure=self.text(m, "not_sure", place), low_at=low_at, **extra)  # type: ignore[arg-type]

    def pages(self, raw: Any, place: str) -> PageText:
        """The pages' wording: any of :class:`PageText`'s keys, each a
        template using only its own placeholders."""
        fields = {"stage_label": STAGE_FIELDS, "stage_intro": STAGE_FIELDS, "priorities_title": (), "priorities_intro": PRIORITIES_FIELDS}
        m = self.mapping(raw, place, set(), set(fields))
        given = {}
        for key, allowed in fields.items():
            if key in m:
                given[key] = self.template(m, key, place, allowed)
        return PageText(**given)

    def template(self, m: dict[str, Any], key: str, place: str, allowed: tuple[str, ...]) -> str:
        """A text whose ``{name}`` placeholders are all in ``allowed``."""
        text = self.text(m, key, place)
        assert text is not None
        where = _join(place, key)
        expected = ", ".join(f"{{{name}}}" for name in allowed) or "none"
        try:
            fields = list(Formatter().parse(text))
        except ValueError as exc:
            raise self.fail(where, f"a brace that starts no placeholder ({exc}); write {{{{ and }}}} for literal braces") from None
        for _, name, spec, conversion in fields:
            if name is None:
                continue
            if name not in allowed:
                raise self.fail(where, f"unknown placeholder {{{name}}} (expected: {expected})")
            if spec or conversion:
                raise self.fail(where, f"placeholder {{{name}}} has a format; write just {{{name}}}")
        return text


    # -- for the facilitator (schema 2) --------------------------------------

    def since_2(self, raw: dict[str, Any], place: str, keys: tuple[str, ...]) -> None:
        """A schema 1 file may not use what schema 2 added: say so, rather
        than read half of a newer file."""
        if self.version >= 2:
            return
        for key in keys:
            if key in raw:
                raise self.fail(_join(place, key), f"this needs schema_version: 2 (the file says {self.version})")

    def line(self, raw: dict[str, Any], key: str, place: str, *, optional: bool = False) -> str | None:
        """A one-line text: no line breaks and at most ``MAX_LINE`` characters."""
        value = self.text(raw, key, place, optional=optional)
        if value is not None and ("\n" in value or len(value) > MAX_LINE):
            raise self.fail(_join(place, key), f"expected one line of at most {MAX_LINE} characters, got {len(value)} characters" + (" over several lines" if "\n" in value else ""))
        return value

    def texts(self, raw: dict[str, Any], key: str, place: str, *, min_len: int, max_len: int | None = None) -> tuple[str, ...]:
        items = self.sequence(raw, key, place, min_len=min_len, max_len=max_len)
        out = []
        for j, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{_join(place, key)}[{j}]", f"expected a non-empty string, got {describe(item)}")
            out.append(item.strip())
        return tuple(out)

    def minutes(self, raw: dict[str, Any], key: str, place: str, *, most: int) -> int:
        value = self.integer(raw, key, place)
        if not 1 <= value <= most:
            raise self.fail(_join(place, key), f"expected minutes from 1 to {most}, got {value}")
        return value

    def sensitivity(self, raw: Any, place: str) -> Sensitivity | None:
        if raw is None:
            return None
        m = self.mapping(raw, place, {"kind", "reason"})
        kind = self.text(m, "kind", place)
        if kind not in SENSITIVE_KINDS:
            raise self.fail(_join(place, "kind"), f"expected one of {', '.join(SENSITIVE_KINDS)}, got {kind!r}")
        return Sensitivity(kind=kind, reason=self.line(m, "reason", place))  # type: ignore[arg-type]

    def facilitation(self, raw: Any, place: str, questions: list[Question], worksheet_ids: set[str]) -> Facilitation | None:
        if raw is None:
            return None
        m = self.mapping(raw, place, {"purpose", "core", "minutes", "method", "materials", "pitfalls"})
        own = [q.id for q in questions]
        core = self.texts(m, "core", place, min_len=1, max_len=2)
        for j, qid in enumerate(core):
            if qid not in own:
                raise self.fail(f"{place}.core[{j}]", f"{qid!r} is not one of this tool's questions ({', '.join(own)})")
        if len(set(core)) != len(core):
            raise self.fail(f"{place}.core[1]", f"{core[1]!r} is listed twice")
        method = self.slug(m, "method", place)
        if method not in worksheet_ids:
            known = ", ".join(sorted(worksheet_ids)) or "none defined"
            raise self.fail(_join(place, "method"), f"no worksheet has the id {method!r} (worksheets: {known})")
        return Facilitation(
            purpose=self.line(m, "purpose", place),  # type: ignore[arg-type]
            core=core,
            minutes=self.minutes(m, "minutes", place, most=MAX_TOOL_MINUTES),
            method=method,
            materials=self.texts(m, "materials", place, min_len=1),
            pitfalls=self.texts(m, "pitfalls", place, min_len=2, max_len=3),
        )

    def worksheets(self, top: dict[str, Any]) -> tuple[Worksheet, ...]:
        if top.get("worksheets") is None:
            return ()
        out = []
        for i, raw in enumerate(self.sequence(top, "worksheets", "")):
            place = f"worksheets[{i}]"
            m = self.mapping(raw, place, {"id", "title", "purpose", "steps", "columns"}, {"rows"})
            rows = self.integer(m, "rows", place) if "rows" in m else WORKSHEET_ROWS
            if not 1 <= rows <= 30:
                raise self.fail(_join(place, "rows"), f"expected 1 to 30 blank rows, got {rows}")
            out.append(
                Worksheet(
                    id=self.slug(m, "id", place),
                    title=self.text(m, "title", place),  # type: ignore[arg-type]
                    purpose=self.text(m, "purpose", place),  # type: ignore[arg-type]
                    steps=self.texts(m, "steps", place, min_len=2, max_len=8),
                    columns=self.texts(m, "columns", place, min_len=2, max_len=7),
                    rows=rows,
                )
            )
        self.unique([(f"worksheets[{i}].id", w.id) for i, w in enumerate(out)], "worksheet id")
        return tuple(out)

    def plans(self, top: dict[str, Any], tool_ids: set[str]) -> tuple[Plan, ...]:
        if top.get("plans") is None:
            return ()
        out = []
        for i, raw in enumerate(self.sequence(top, "plans", "")):
            place = f"plans[{i}]"
            m = self.mapping(raw, place, {"id", "title", "suits", "sessions"})
            sessions = []
            for j, rs in enumerate(self.sequence(m, "sessions", place, min_len=1)):
                splace = f"{place}.sessions[{j}]"
                sm = self.mapping(rs, splace, {"title", "items"})
                items: list[PlanItem] = []
                for k, ri in enumerate(self.sequence(sm, "items", splace, min_len=1)):
                    items.append(self.plan_item(ri, f"{splace}.items[{k}]", tool_ids, items))
                if not any(item.tool_id for item in items):
                    raise self.fail(_join(splace, "items"), "expected at least one tool among the items")
                sessions.append(PlanSession(title=self.text(sm, "title", splace), items=tuple(items)))  # type: ignore[arg-type]
            out.append(
                Plan(
                    id=self.slug(m, "id", place),
                    title=self.text(m, "title", place),  # type: ignore[arg-type]
                    suits=self.text(m, "suits", place),  # type: ignore[arg-type]
                    sessions=tuple(sessions),
                )
            )
        self.unique([(f"plans[{i}].id", p.id) for i, p in enumerate(out)], "plan id")
        return tuple(out)

    def plan_item(self, raw: Any, place: str, tool_ids: set[str], before: list[PlanItem]) -> PlanItem:
        m = self.mapping(raw, place, {"minutes"}, {"tool", "activity"})
        if ("tool" in m) == ("activity" in m):
            raise self.fail(place, "expected either a tool (its id) or an activity (a label), not both or neither")
        minutes = self.minutes(m, "minutes", place, most=MAX_TOOL_MINUTES)
        if "activity" in m:
            return PlanItem(minutes=minutes, activity=self.line(m, "activity", place))
        tool_id = self.text(m, "tool", place)
        if tool_id not in tool_ids:
            raise self.fail(_join(place, "tool"), f"no tool has the id {tool_id!r}")
        if any(item.tool_id == tool_id for item in before):
            raise self.fail(_join(place, "tool"), f"{tool_id!r} is already in this session")
        return PlanItem(minutes=minutes, tool_id=tool_id)

    def changes(self, top: dict[str, Any], question_ids: set[str]) -> tuple[Change, ...]:
        """The changelog. A renamed (old) id is never a question id again, is
        renamed once, and leads, perhaps through later entries, to a question
        of this file: so moving old answers is safe to repeat."""
        if top.get("changes") is None:
            return ()
        entries: list[Change] = []
        renamed_at: dict[str, str] = {}
        for i, raw in enumerate(self.sequence(top, "changes", "")):
            place = f"changes[{i}]"
            m = self.mapping(raw, place, {"version", "date", "note"}, {"renamed", "added"})
            version = m.get("version")
            if isinstance(version, bool) or not isinstance(version, str | int | float) or not str(version).strip():
                raise self.fail(_join(place, "version"), f"expected a version such as '2.0', got {describe(version)}")
            date = m.get("date")
            if isinstance(date, str):
                try:
                    date = _dt.date.fromisoformat(date.strip())
                except ValueError:
                    date = None
            if not isinstance(date, _dt.date) or isinstance(date, _dt.datetime):
                raise self.fail(_join(place, "date"), f"expected a date as YYYY-MM-DD, got {describe(m.get('date'))}")
            renamed = []
            if m.get("renamed") is not None:
                rplace = _join(place, "renamed")
                rm = m["renamed"]
                if not isinstance(rm, dict) or not rm:
                    raise self.fail(rplace, f"expected a mapping of old id: new id, got {describe(rm)}")
                for old, new in rm.items():
                    where = _join(rplace, str(old))
                    if not isinstance(new, str) or not new.strip():
                        raise self.fail(where, f"expected the new question id, got {describe(new)}")
                    if old in question_ids:
                        raise self.fail(where, f"{old!r} is still a question id; a renamed id is retired for good")
                    if old in renamed_at:
                        raise self.fail(where, f"{old!r} was already renamed at {renamed_at[old]}")
                    renamed_at[old] = where
                    renamed.append((str(old), new.strip()))
            added = self.texts(m, "added", place, min_len=1) if m.get("added") is not None else ()
            if not renamed and not added:
                raise self.fail(place, "expected renamed or added question ids (or both)")
            entries.append(Change(version=str(version).strip(), date=date.isoformat(), note=self.line(m, "note", place), renamed=tuple(renamed), added=added))  # type: ignore[arg-type]
        self.unique([(f"changes[{i}].version", c.version) for i, c in enumerate(entries)], "version")
        for i in range(1, len(entries)):
            if entries[i].date < entries[i - 1].date:
                raise self.fail(f"changes[{i}].date", f"expected {entries[i - 1].date} or later (entries run oldest first)")
        # Where every id leads now: a question of this file, or a broken link.
        final = resolve_renames(tuple(entries))
        for i, c in enumerate(entries):
            for old, new in c.renamed:
                end = final[old]
                if end not in question_ids:
                    if end in final:
                        problem = f"renames go round in a circle through {new!r}"
                    elif end != new:
                        problem = f"{new!r} is renamed later to {end!r}, which is not a question id of this file"
                    else:
                        problem = f"{new!r} is not a question id of this file"
                    raise self.fail(f"changes[{i}].renamed.{old}", problem)
            for j, qid in enumerate(c.added):
                if final.get(qid, qid) not in question_ids:
                    raise self.fail(f"changes[{i}].added[{j}]", f"{qid!r} is not a question id of this file")
        return tuple(entries)


#: Top-level sections and example keys that schema 2 added.
FACILITATOR_SECTIONS = ("plans", "worksheets", "changes")
EXAMPLE_SINCE_2 = ("shows", "related", "source")
#: A "one line" (a purpose, what an example shows, a reason): a generous tweet.
MAX_LINE = 240
#: No single tool or agenda slot runs longer than a half day.
MAX_TOOL_MINUTES = 240
WORKSHEET_ROWS = 6


def _join(place: str, key: str) -> str:
    return f"{place}.{key}" if place else key


def describe(value: Any) -> str:
    """A value named for an error message, as in "expected a list, got
    a mapping": the content's validator and the importer both say it this way.

        >>> describe("five"), describe(None), describe([1, 2])
        ("a string ('five')", 'nothing (null)', 'a list of 2')
    """
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({value})"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else f"a string ({value[:40]!r})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
