"""The toolkit as typed, frozen values: stages, tools, questions, sectors,
glossary and the readiness scale (:mod:`toolkit.content.loader` builds them
from ``data/`` through :mod:`toolkit.content.validate`).

Schema 2 adds what the facilitator uses and participants never see: per
tool a :class:`Facilitation` note (purpose, core questions, minutes, a
method that is one of the content's :class:`Worksheet` s, materials,
pitfalls), a :class:`Sensitivity` flag on questions, agenda templates
(:class:`Plan`), and a changelog (:class:`Change`) of renamed question ids
that the store's upgrade applies to old answers.

    >>> from toolkit import content
    >>> kit = content.load()
    >>> [s.title for s in kit.stages]
    ['Diagnosis', 'Design', 'Implementation', 'Assessment']
    >>> kit.tool(7).name
    'Agree on Measures of Success'
    >>> kit.pages.label_for(kit.stage(2), len(kit.stages))
    'Stage 2 of 4'
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from string import Formatter
from typing import Any

from toolkit.errors import UnknownTool

#: The content file format this kit writes and reads.
SCHEMA_VERSION = 2
#: Every format this kit still reads: a schema 1 file is one without the
#: facilitator's notes, plans, worksheets and changelog.
READABLE_VERSIONS = (1, 2)


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
    """One guiding question of a tool; ``id`` is stable across edits.
    ``sensitive`` says why a participant may prefer to answer it without
    their name (the workbook offers that)."""

    id: str
    text: str
    tool_id: str
    sensitive: Sensitivity | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Example:
    """A published case that illustrates a tool (facts only). ``shows`` is
    one line on what the case shows for this tool; a ``related`` case comes
    from the same case library but is not the toolkit's own example for the
    tool, and names its ``source``."""

    title: str
    place: str
    summary: str
    shows: str = ""
    related: bool = False
    source: str | None = None

    @property
    def heading(self) -> str:
        """How every view titles the case: a related case is never shown
        as if it were the toolkit's own example for the tool."""
        return "A related case" if self.related else "A case example"

    @property
    def credit(self) -> str:
        """The source line a related case is shown with ("" otherwise)."""
        return f"Related case, not the toolkit's own example for this tool. Source: {self.source}" if self.related and self.source else ""

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
    #: For facilitators only (why a tool is provisional): never shown on
    #: participant pages or in exports for partners.
    note: str | None = None
    facilitation: Facilitation | None = None

    @property
    def core_questions(self) -> tuple[Question, ...]:
        """The one or two questions to use when time is short, in the order
        the note gives them (none when the tool has no note)."""
        if self.facilitation is None:
            return ()
        by_id = {q.id: q for q in self.questions}
        return tuple(by_id[qid] for qid in self.facilitation.core)

    @property
    def sensitive_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.sensitive is not None)

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
    """The readiness scale ratings use: points 1..n, a "not sure" option
    and, when ``not_yet`` names it, a "not yet relevant at our stage"
    option. Neither is a point: both are counted apart, never averaged.

    A rating at or below ``low_at`` is low: the page then asks
    ``low_prompt`` ("What is missing?"). ``low_at`` 0 means no rating is."""

    question: str
    points: tuple[ScalePoint, ...]
    not_sure: str
    low_at: int
    low_prompt: str = "What is missing? What would help us do this better?"
    #: The label of "not yet relevant at our stage" ("": not offered).
    not_yet: str = ""

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(p.value for p in self.points)

    @property
    def low_values(self) -> tuple[int, ...]:
        """The points that count as low (``(1, 2)`` with ``low_at: 2``)."""
        return tuple(v for v in self.values if v <= self.low_at)

    def is_low(self, value: Any) -> bool:
        """Whether a rating (a point, ``"not-sure"`` or ``None``) is low."""
        return isinstance(value, int) and not isinstance(value, bool) and value in self.low_values

    @property
    def span(self) -> str:
        """The scale in words from its ends: ``1 (Not at all) to 5 (Fully)``."""
        first, last = self.points[0], self.points[-1]
        return f"{first.value} ({first.label}) to {last.value} ({last.label})"

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


#: The placeholders each page wording may use (see :class:`PageText`).
STAGE_FIELDS = ("number", "count", "title", "question")
PRIORITIES_FIELDS = ("count", "title")


@dataclass(frozen=True)
class PageText:
    """The words around the served pages, so a translated or extended
    content file changes them too. Each is a template whose ``{name}``
    placeholders are filled from the content (:data:`STAGE_FIELDS`,
    :data:`PRIORITIES_FIELDS`); the intros are Markdown.

    - ``stage_label``: ``Stage {number} of {count}``, above a stage's title
    - ``stage_intro``: the introduction at the top of a stage's page
    - ``priorities_title``: the name of the dot-vote page (``Priorities``)
    - ``priorities_intro``: the introduction at the top of that page
    """

    stage_label: str = "Stage {number} of {count}"
    stage_intro: str = (
        "**Intersector workshop · Stage {number} of {count}: {title}.** Sign in below, then work through this "
        "stage's tools with your table, in any order. Every answer saves itself about a second after you stop "
        "typing; the line under each box says *Saved* and the time."
    )
    priorities_title: str = "Priorities"
    priorities_intro: str = (
        "**Intersector workshop · {title}.** After the {count} stages, each participant spreads a few dots over "
        "the tools to show which ones the collaboration should work on first. Sign in below with the same details "
        "you used for the stages."
    )

    def label_for(self, stage: Stage, count: int) -> str:
        """``Stage 2 of 4``."""
        return fill(self.stage_label, **_stage_fields(stage, count))

    def intro_for(self, stage: Stage, count: int) -> str:
        """The Markdown introduction of a stage's page; the stage's texts go
        in as text (``<`` and ``&`` escaped), the template as written."""
        return fill(self.stage_intro, **_as_text(_stage_fields(stage, count)))

    def priorities_intro_for(self, count: int) -> str:
        """The Markdown introduction of the priorities page."""
        return fill(self.priorities_intro, **_as_text({"count": count, "title": self.priorities_title}))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------
# For the facilitator (schema 2): notes per tool, sensitive questions,
# worksheets, agenda templates and the changelog of question ids.


#: Why a question may be sensitive; the workbook offers to answer it
#: without the participant's name.
SENSITIVE_KINDS = ("money", "power", "past-failures", "data")


@dataclass(frozen=True)
class Sensitivity:
    """Why a question is delicate to answer in front of other partners."""

    kind: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _as_text(values: dict[str, Any]) -> dict[str, str]:
    return {name: html.escape(str(value), quote=False) for name, value in values.items()}


def _stage_fields(stage: Stage, count: int) -> dict[str, Any]:
    return {"number": stage.number, "count": count, "title": stage.title, "question": stage.question}


def fill(template: str, **values: Any) -> str:
    """``template`` with its ``{name}`` placeholders filled by name only:
    no attribute, index, conversion or format spec (the validator refuses
    them, so a content file cannot reach into the values)."""
    out = []
    for literal, name, _spec, _conversion in Formatter().parse(template):
        out.append(literal)
        if name is not None:
            out.append(str(values[name]))
    return "".join(out)


@dataclass(frozen=True)
class Facilitation:
    """The facilitator's note on one tool: what it is for, the core
    questions when time is short, how long, which method (a worksheet id),
    what to bring and what tends to go wrong."""

    purpose: str
    core: tuple[str, ...]
    minutes: int
    method: str
    materials: tuple[str, ...]
    pitfalls: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Worksheet:
    """A one-page method sheet a table fills in: why, the steps, and the
    grid (its column headings and how many blank rows to print)."""

    id: str
    title: str
    purpose: str
    steps: tuple[str, ...]
    columns: tuple[str, ...]
    rows: int

    def __repr__(self) -> str:
        return f"<Worksheet {self.id!r} steps={len(self.steps)} columns={len(self.columns)}>"

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


def duration(minutes: int) -> str:
    """Minutes as every view writes a length of time:

        >>> duration(45), duration(90), duration(120)
        ('45 min', '1 h 30 min', '2 h')
    """
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


@dataclass(frozen=True)
class PlanItem:
    """One slot of an agenda: a tool (``tool_id``) or another activity
    (``activity``: a welcome, a break, the dot vote), and its minutes."""

    minutes: int
    tool_id: str | None = None
    activity: str | None = None

    def to_dict(self) -> dict[str, Any]:
        key, value = ("tool", self.tool_id) if self.tool_id is not None else ("activity", self.activity)
        return {key: value, "minutes": self.minutes}


@dataclass(frozen=True)
class PlanSession:
    """One meeting of a plan, its slots in order."""

    title: str
    items: tuple[PlanItem, ...]

    @property
    def minutes(self) -> int:
        return sum(i.minutes for i in self.items)

    @property
    def tool_ids(self) -> tuple[str, ...]:
        return tuple(i.tool_id for i in self.items if i.tool_id is not None)

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "items": [i.to_dict() for i in self.items]}


@dataclass(frozen=True)
class Plan:
    """An agenda template: who it suits and its sessions (one for a single
    meeting). A workshop can take a plan as today's plan: ``tool_ids`` are
    its tools in order, each once."""

    id: str
    title: str
    suits: str
    sessions: tuple[PlanSession, ...]

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.sessions)

    @property
    def tool_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t for s in self.sessions for t in s.tool_ids))

    def __repr__(self) -> str:
        return f"<Plan {self.id!r} sessions={len(self.sessions)} tools={len(self.tool_ids)} minutes={self.minutes}>"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "suits": self.suits, "sessions": [s.to_dict() for s in self.sessions]}


@dataclass(frozen=True)
class Change:
    """One entry of the content changelog: question ids ``renamed`` (old,
    new) and ids ``added`` in this version. The store's upgrade moves the
    answers of a renamed id to its new one."""

    version: str
    date: str
    note: str
    renamed: tuple[tuple[str, str], ...] = ()
    added: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"version": self.version, "date": self.date, "note": self.note}
        if self.renamed:
            out["renamed"] = dict(self.renamed)
        if self.added:
            out["added"] = list(self.added)
        return out


def resolve_renames(changes: tuple[Change, ...]) -> dict[str, str]:
    """Old question id -> the id it has now, following renames made in later
    entries (``a -> b`` then ``b -> c`` gives ``a -> c`` and ``b -> c``)."""
    step = {old: new for change in changes for old, new in change.renamed}
    final = {}
    for old in step:
        new, seen = step[old], {old}
        while new in step and new not in seen:
            seen.add(new)
            new = step[new]
        final[old] = new
    return final


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
    pages: PageText = PageText()
    plans: tuple[Plan, ...] = ()
    worksheets: tuple[Worksheet, ...] = ()
    changes: tuple[Change, ...] = ()
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
            "plan": MappingProxyType({p.id: p for p in self.plans}),
            "worksheet": MappingProxyType({w.id: w for w in self.worksheets}),
            "renamed": MappingProxyType(resolve_renames(self.changes)),
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

    def plan(self, plan_id: str) -> Plan:
        """An agenda template by id (``workshop plans`` lists them)."""
        return self._get("plan", plan_id, "plan")

    def worksheet(self, worksheet_id: str) -> Worksheet:
        return self._get("worksheet", worksheet_id, "worksheet")

    def renamed_questions(self) -> dict[str, Question]:
        """Every question id the changelog retired -> the question that
        carries its answers now."""
        return {old: self.question(new) for old, new in self._index["renamed"].items()}

    def question_renames(self) -> dict[str, tuple[str, str]]:
        """The same as (old id -> (new id, its tool id)), the shape the
        store's upgrade takes (:func:`toolkit.store.schema.rename_questions`)."""
        return {old: (q.id, q.tool_id) for old, q in self.renamed_questions().items()}

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
                    "questions": [_question_dict(q) for q in t.questions],
                    "example": _example_dict(t.example),
                    "resources": [r.to_dict() for r in t.resources],
                    "terms": list(t.terms),
                    "provisional": t.provisional,
                    "note": t.note,
                }
                | ({"facilitation": t.facilitation.to_dict()} if t.facilitation else {})
                for t in self.tools
            ],
            "sectors": [s.to_dict() for s in self.sectors],
            "glossary": [t.to_dict() for t in self.glossary],
            "scale": {
                "question": self.scale.question,
                "points": [p.to_dict() for p in self.scale.points],
                "not_sure": self.scale.not_sure,
                "low_at": self.scale.low_at,
                "low_prompt": self.scale.low_prompt,
            }
            | ({"not_yet": self.scale.not_yet} if self.scale.not_yet else {}),
            "pages": self.pages.to_dict(),
        } | self._facilitator_dict()

    def _facilitator_dict(self) -> dict[str, Any]:
        """The schema 2 sections, left out when empty so an old file's
        content writes back as it was."""
        out: dict[str, Any] = {}
        if self.plans:
            out["plans"] = [p.to_dict() for p in self.plans]
        if self.worksheets:
            out["worksheets"] = [w.to_dict() for w in self.worksheets]
        if self.changes:
            out["changes"] = [c.to_dict() for c in self.changes]
        return out


def _question_dict(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {"id": q.id, "text": q.text}
    if q.sensitive is not None:
        out["sensitive"] = q.sensitive.to_dict()
    return out


def _example_dict(e: Example | None) -> dict[str, Any] | None:
    if e is None:
        return None
    out: dict[str, Any] = {"title": e.title} | ({"place": e.place} if e.place else {}) | {"summary": e.summary}
    if e.shows:
        out["shows"] = e.shows
    if e.related:
        out["related"] = True
    if e.source is not None:
        out["source"] = e.source
    return out
