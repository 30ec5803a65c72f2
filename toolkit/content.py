"""The toolkit as typed, frozen values, loaded and validated from ``data/``.

    >>> from toolkit import content
    >>> kit = content.load()
    >>> [s.title for s in kit.stages]
    ['Diagnosis', 'Design', 'Implementation', 'Assessment']
    >>> kit.tool(7).name
    'Agree on Measures of Success'

A broken file raises one :class:`ContentError` naming the file, the place
inside it (``tools[6].questions[2].id``) and what was expected, so a
facilitator who edits the YAML can fix it without reading code.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from toolkit.errors import ContentError, UnknownTool
from toolkit.paths import kit_folder

SCHEMA_VERSION = 1
DATA_DIR = kit_folder("data")
DEFAULT_FILE = DATA_DIR / "toolkit.yaml"
#: An environment override so a hub can serve edited or translated content.
CONTENT_ENV = "WORKSHOP_CONTENT"


# --------------------------------------------------------------------------
# Values


@dataclass(frozen=True)
class Source:
    """Where the toolkit comes from, for the credit line."""

    title: str
    publisher: str
    url: str
    credit: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Question:
    """One guiding question of a tool; ``id`` is stable across edits."""

    id: str
    text: str
    tool_id: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Example:
    """A published case that illustrates a tool (facts only)."""

    title: str
    place: str
    summary: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Resource:
    """Further reading named for a tool."""

    name: str
    publisher: str
    url: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Tool:
    """One of the toolkit's tools, with its questions in order."""

    id: str
    number: int
    name: str
    stage_id: str
    definition: str
    why: str
    questions: tuple[Question, ...]
    example: Example | None
    resources: tuple[Resource, ...]
    terms: tuple[str, ...]
    provisional: bool = False
    note: str | None = None

    def __repr__(self) -> str:
        flag = " provisional" if self.provisional else ""
        return f"<Tool {self.number} {self.id!r} stage={self.stage_id!r} questions={len(self.questions)}{flag}>"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Stage:
    """A stage of the collaboration and the ids of its tools, in order."""

    id: str
    number: int
    title: str
    question: str
    summary: str
    tool_ids: tuple[str, ...]

    def __repr__(self) -> str:
        return f"<Stage {self.number} {self.id!r} tools={len(self.tool_ids)}>"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Sector:
    """A sector partners come from (government, business, ...)."""

    id: str
    name: str
    description: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Term:
    """A glossary entry: the common language partners need."""

    id: str
    term: str
    definition: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: str
    description: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Scale:
    """The readiness scale ratings use: points 1..5 and a "not sure" option."""

    question: str
    points: tuple[ScalePoint, ...]
    not_sure: str

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(p.value for p in self.points)

    def label(self, value: int | None) -> str:
        """The label of a point, or the "not sure" text for ``None``."""
        if value is None:
            return self.not_sure
        for p in self.points:
            if p.value == value:
                return p.label
        raise UnknownTool(f"the readiness scale has no point {value!r} (expected one of {list(self.values)})")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Toolkit:
    """The whole content: stages, tools, sectors, glossary and scale.

    Iterating yields tools in published order. Lookups raise
    :class:`UnknownTool` with the id that was not found.
    """

    schema_version: int
    source: Source
    stages: tuple[Stage, ...]
    tools: tuple[Tool, ...]
    sectors: tuple[Sector, ...]
    glossary: tuple[Term, ...]
    scale: Scale
    path: str = ""
    _index: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {
            "stage": MappingProxyType({s.id: s for s in self.stages}),
            "tool": MappingProxyType({t.id: t for t in self.tools}),
            "number": MappingProxyType({str(t.number): t for t in self.tools}),
            "question": MappingProxyType({q.id: q for t in self.tools for q in t.questions}),
            "sector": MappingProxyType({s.id: s for s in self.sectors}),
            "term": MappingProxyType({t.id: t for t in self.glossary}),
        }
        object.__setattr__(self, "_index", MappingProxyType(index))

    def __repr__(self) -> str:
        return f"<Toolkit {len(self.stages)} stages, {len(self.tools)} tools, {len(self.sectors)} sectors from {self.path!r}>"

    def __iter__(self) -> Iterator[Tool]:
        return iter(self.tools)

    def __len__(self) -> int:
        return len(self.tools)

    def _get(self, kind: str, key: str, what: str) -> Any:
        try:
            return self._index[kind][key]
        except KeyError:
            known = ", ".join(list(self._index[kind])[:20])
            raise UnknownTool(f"unknown {what} {key!r} (known: {known})") from None

    def stage(self, stage_id: str | int) -> Stage:
        """A stage by id (``"design"``) or number (``2``)."""
        if isinstance(stage_id, int) or str(stage_id).isdigit():
            for s in self.stages:
                if s.number == int(stage_id):
                    return s
            raise UnknownTool(f"unknown stage number {stage_id!r} (expected 1 to {len(self.stages)})")
        return self._get("stage", stage_id, "stage")

    def tool(self, tool_id: str | int) -> Tool:
        """A tool by id (``"share-discretion"``) or number (``9`` or ``"9"``)."""
        key = str(tool_id).strip()
        if key.isdigit():
            return self._get("number", str(int(key)), "tool number")
        return self._get("tool", key, "tool")

    def tools_in(self, stage_id: str | int) -> tuple[Tool, ...]:
        """The tools of one stage, in published order."""
        stage = self.stage(stage_id)
        return tuple(self.tool(t) for t in stage.tool_ids)

    def question(self, question_id: str) -> Question:
        return self._get("question", question_id, "question")

    def sector(self, sector_id: str) -> Sector:
        return self._get("sector", sector_id, "sector")

    def term(self, term_id: str) -> Term:
        return self._get("term", term_id, "glossary term")

    def has_tool(self, tool_id: str) -> bool:
        return tool_id in self._index["tool"]

    def has_question(self, question_id: str) -> bool:
        return question_id in self._index["question"]

    def has_sector(self, sector_id: str) -> bool:
        return sector_id in self._index["sector"]

    def to_dict(self) -> dict[str, Any]:
        """The content in the file's own shape, ready for ``yaml.safe_dump``."""
        return {
            "schema_version": self.schema_version,
            "source": self.source.to_dict(),
            "stages": [
                {k: v for k, v in s.to_dict().items() if k != "tool_ids"} | {"tools": list(s.tool_ids)}
                for s in self.stages
            ],
            "tools": [
                {
                    "id": t.id,
                    "number": t.number,
                    "name": t.name,
                    "definition": t.definition,
                    "why": t.why,
                    "questions": [{"id": q.id, "text": q.text} for q in t.questions],
                    "example": t.example.to_dict() if t.example else None,
                    "resources": [r.to_dict() for r in t.resources],
                    "terms": list(t.terms),
                    "provisional": t.provisional,
                    "note": t.note,
                }
                for t in self.tools
            ],
            "sectors": [s.to_dict() for s in self.sectors],
            "glossary": [t.to_dict() for t in self.glossary],
            "scale": {
                "question": self.scale.question,
                "points": [p.to_dict() for p in self.scale.points],
                "not_sure": self.scale.not_sure,
            },
        }


# --------------------------------------------------------------------------
# Loading


def content_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The content file to use: the argument, else ``$WORKSHOP_CONTENT``,
    else the packaged ``data/toolkit.yaml``."""
    if path is not None:
        return Path(path)
    env = os.environ.get(CONTENT_ENV)
    return Path(env) if env else DEFAULT_FILE


def load(path: str | os.PathLike[str] | None = None) -> Toolkit:
    """Load and validate the content; parsed once per file and process.

    Raises :class:`ContentError` for a missing, unreadable or invalid file.
    """
    p = content_path(path).resolve()
    try:
        mtime = p.stat().st_mtime_ns
    except OSError as exc:
        raise ContentError(str(p), "", f"cannot read the content file ({exc.strerror})") from None
    return _load_cached(str(p), mtime)


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, _mtime: int) -> Toolkit:
    return parse_file(Path(path))


def parse_file(path: Path) -> Toolkit:
    """Parse and validate one file without the cache (``workshop validate``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContentError(str(path), "", f"cannot read the content file ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ContentError(str(path), "", f"the file is not UTF-8 text (byte {exc.start})") from None
    return parse_text(text, str(path))


def parse_text(text: str, file: str = "<content>") -> Toolkit:
    """Parse YAML (or JSON, a subset of YAML) content and validate it."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class _StrictLoader(loader):  # type: ignore[misc, valid-type]
        pass

    def _no_duplicates(node_loader: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = node_loader.construct_object(key_node, deep=deep)
            if key in seen:
                line = key_node.start_mark.line + 1
                raise ContentError(file, f"line {line}", f"the key {key!r} appears twice in one mapping")
            seen.add(key)
        return node_loader.construct_mapping(node, deep=deep)

    _StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)
    try:
        raw = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(file, place, f"not valid YAML: {problem}") from None
    return _Validator(file).toolkit(raw)


class _Validator:
    """Walks the raw YAML and builds values; the first problem raises."""

    def __init__(self, file: str):
        self.file = file

    def fail(self, place: str, problem: str) -> ContentError:
        return ContentError(self.file, place, problem)

    # -- primitives --------------------------------------------------------

    def mapping(self, raw: Any, place: str, required: set[str], optional: set[str] = frozenset()) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(place or "top level", f"expected a mapping, got {_kind(raw)}")
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
            raise self.fail(where, f"expected a non-empty string, got {_kind(value)}")
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
            raise self.fail(_join(place, key), f"expected a whole number, got {_kind(value)}")
        return value

    def boolean(self, raw: dict[str, Any], key: str, place: str, default: bool) -> bool:
        if key not in raw:
            return default
        value = raw[key]
        if not isinstance(value, bool):
            raise self.fail(_join(place, key), f"expected true or false, got {_kind(value)}")
        return value

    def sequence(self, raw: dict[str, Any], key: str, place: str, *, min_len: int = 0, max_len: int | None = None) -> list[Any]:
        value = raw.get(key)
        where = _join(place, key)
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list, got {_kind(value)}")
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
        top = self.mapping(raw, "", {"schema_version", "source", "stages", "tools", "sectors", "glossary", "scale"})
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
                    raise self.fail(place, f"expected a tool id, got {_kind(tid)}")
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
        return Toolkit(
            schema_version=version,
            source=source,
            stages=stages,
            tools=tools,
            sectors=sectors,
            glossary=glossary,
            scale=scale,
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
        m = self.mapping(raw, place, {"question", "points", "not_sure"})
        points = []
        for j, p in enumerate(self.sequence(m, "points", place, min_len=2, max_len=10)):
            pplace = f"{place}.points[{j}]"
            pm = self.mapping(p, pplace, {"value", "label"}, {"description"})
            value = self.integer(pm, "value", pplace)
            if value != j + 1:
                raise self.fail(_join(pplace, "value"), f"expected {j + 1} (points run 1, 2, 3, ... in order), got {value}")
            points.append(ScalePoint(value=value, label=self.text(pm, "label", pplace), description=self.text(pm, "description", pplace, optional=True) or ""))  # type: ignore[arg-type]
        return Scale(question=self.text(m, "question", place), points=tuple(points), not_sure=self.text(m, "not_sure", place))  # type: ignore[arg-type]


def _join(place: str, key: str) -> str:
    return f"{place}.{key}" if place else key


def _kind(value: Any) -> str:
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
