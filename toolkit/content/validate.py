"""Validation of raw content (parsed YAML) into :mod:`toolkit.content.model`
values. The first problem raises one :class:`ContentError` with the file,
the place (``tools[6].questions[2].id``) and what was expected.
"""

from __future__ import annotations

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
from toolkit.errors import ContentError


class Validator:
    """Walks the raw YAML and builds values; the first problem raises."""

    def __init__(self, file: str):
        self.file = file

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
        top = self.mapping(raw, "", {"schema_version", "source", "stages", "tools", "sectors", "glossary", "scale"}, {"pages"})
        version = self.integer(top, "schema_version", "")
        if version != SCHEMA_VERSION:
            raise self.fail("schema_version", f"expected {SCHEMA_VERSION}, got {version}")
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

        raw_tools = self.sequence(top, "tools", "", min_len=1)
        tools = tuple(self.tool(t, f"tools[{i}]", holder, term_ids) for i, t in enumerate(raw_tools))
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
        return Toolkit(
            schema_version=version,
            source=source,
            stages=stages,
            tools=tools,
            sectors=sectors,
            glossary=glossary,
            scale=scale,
            pages=pages,
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

    def tool(self, raw: Any, place: str, holder: dict[str, tuple[str, str]], term_ids: set[str]) -> Tool:
        m = self.mapping(
            raw,
            place,
            {"id", "number", "name", "definition", "why", "questions"},
            {"example", "resources", "terms", "provisional", "note"},
        )
        tool_id = self.slug(m, "id", place)
        if tool_id not in holder:
            raise self.fail(_join(place, "id"), f"tool {tool_id!r} is in no stage; add it to one stage's tools list")
        raw_qs = m.get("questions")
        if isinstance(raw_qs, list) and not raw_qs:
            raise self.fail(_join(place, "questions"), "the question list is empty; expected 1 or more guiding questions")
        questions = []
        for j, q in enumerate(self.sequence(m, "questions", place, min_len=1)):
            qplace = f"{place}.questions[{j}]"
            qm = self.mapping(q, qplace, {"id", "text"})
            questions.append(Question(id=self.slug(qm, "id", qplace), text=self.text(qm, "text", qplace), tool_id=tool_id))  # type: ignore[arg-type]
        example = None
        if m.get("example") is not None:
            eplace = _join(place, "example")
            em = self.mapping(m["example"], eplace, {"title", "summary"}, {"place"})
            example = Example(
                title=self.text(em, "title", eplace),  # type: ignore[arg-type]
                place=self.text(em, "place", eplace, optional=True) or "",
                summary=self.text(em, "summary", eplace),  # type: ignore[arg-type]
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
        )

    def sector(self, raw: Any, place: str) -> Sector:
        m = self.mapping(raw, place, {"id", "name", "description"})
        return Sector(id=self.slug(m, "id", place), name=self.text(m, "name", place), description=self.text(m, "description", place))  # type: ignore[arg-type]

    def term(self, raw: Any, place: str) -> Term:
        m = self.mapping(raw, place, {"id", "term", "definition"})
        return Term(id=self.slug(m, "id", place), term=self.text(m, "term", place), definition=self.text(m, "definition", place))  # type: ignore[arg-type]

    def scale(self, raw: Any, place: str) -> Scale:
        m = self.mapping(raw, place, {"question", "points", "not_sure"}, {"low_at", "low_prompt"})
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
