"""The planning guide of a workshop (HTML and Markdown) and the toolkit
handout for partners (HTML); :mod:`toolkit.exports.pdf` prints either to PDF.

    >>> guide = guide_data(store, "demo")
    >>> html_text = render_html(guide)
    >>> md_text = render_markdown(guide)
    >>> handout = render_handout_html(store.kit)

One model, two templates: :func:`guide_data` reads the workshop once into a
:class:`Guide` (frozen values holding the facts in the order the guide
prints them, numbers already formatted), and the Jinja2 templates in
``templates/`` lay it out, ``guide.html.j2`` as HTML and ``guide.md.j2`` as
Markdown. Both walk the same model in the same order, so they show the
same facts (a test compares them).

The planning guide: title, date and source credit; today's plan when the
workshop has one; an overview with the
readiness heatmap (tools x sectors, mean rating coloured by band), the top
priorities and the tools partners see differently; then per stage and tool
the definition, every current answer under its question grouped by table
and sector, the readiness summary with bands and divergence flags, and the
notes that came with ratings; then the dot-vote priorities, the action
register and the participants. The frames come from
:func:`toolkit.frames.for_view` for :attr:`~toolkit.frames.View.GUIDE`, so
an anonymous workshop shows no participant's name or organization anywhere
(answers unattributed, participants counted per sector, an action owned by
a participant shows "A participant"), a sector's mean where fewer than the
workshop's minimum group rated reads "fewer than 3", answers the
facilitator hid are left out, and only the tools in scope (today's plan
and what was answered, the ``scope`` frame) and their stages are covered.
Ratings are always shown: the guide is for the facilitator, whatever the
dashboard reveals.

The HTML is self-contained (the palette and the CSS files inlined; no
script, font or image is fetched) and prints well: a page break before
each stage, tool headers kept with what follows, backgrounds kept so the
bands print in colour. Every piece of text, participant's or content's, is
escaped: HTML by Jinja2's autoescape, Markdown by :func:`md_escape`
applied to every value the template prints, so raw HTML or Markdown in an
answer never reaches a renderer.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from toolkit.frames import ALL_SECTORS, BAND_LABELS, BANDS, DIVERGENCE_GAP, View, audience, band, band_range, for_view
from toolkit.frames.rows import is_time
from toolkit.frames import views
from toolkit.frames.views import natural_key, plural, sector_order

if TYPE_CHECKING:
    import jinja2
    import pandas as pd

    from toolkit.content import Toolkit
    from toolkit.store import AnswerStore

#: How many tools the overview lists as top priorities.
TOP_PRIORITIES = 5


# --------------------------------------------------------------------------
# The model: what the guide shows, in order, read once


@dataclass(frozen=True)
class Entry:
    """One answer or note as the guide prints it; ``who`` is empty when
    the view may not attribute it."""

    text: str
    who: str = ""


@dataclass(frozen=True)
class Group:
    """Answers from one table and sector (the sector's name), or, when
    ``unattributed``, the answers given without a name (no table or sector)."""

    table: str
    sector: str
    entries: tuple[Entry, ...]
    unattributed: bool = False


@dataclass(frozen=True)
class Rating:
    """A mean rating of one sector (or all): ``mean`` formatted (``"4.5"``,
    ``""`` when nobody rated, ``"fewer than 3"`` when ``withheld``: too
    few rated to show it), ``band`` as :func:`toolkit.frames.band`;
    "not sure" and "not yet relevant at our stage" counted apart."""

    sector: str
    mean: str
    count: int
    not_sure: int
    band: str
    not_yet: int = 0
    withheld: bool = False

    @property
    def label(self) -> str:
        return self.band or ("small group" if self.withheld else "no rating")


@dataclass(frozen=True)
class PlanLine:
    """One tool of today's plan: ``9. Share Discretion``, its stage and minutes."""

    tool: str
    stage: str
    minutes: int


@dataclass(frozen=True)
class Divergence:
    """Two sectors far apart on a tool: names and formatted means."""

    low_sector: str
    low_mean: str
    high_sector: str
    high_mean: str
    gap: str


@dataclass(frozen=True)
class Question:
    number: int
    text: str
    groups: tuple[Group, ...]


@dataclass(frozen=True)
class TableLine:
    """A table's shared answer to one question (issue #15), and who changed
    it last as the guide may say it (``""`` when names are hidden)."""

    number: int
    question: str
    text: str
    who: str = ""


@dataclass(frozen=True)
class TableSaid:
    """What one table agreed for a tool: its answers, in question order."""

    table: str
    answers: tuple[TableLine, ...]


@dataclass(frozen=True)
class ToolPart:
    """One tool's part of the guide."""

    number: int
    id: str
    name: str
    definition: str
    provisional: bool
    #: Each sector that rated it, then all sectors (empty: no ratings).
    ratings: tuple[Rating, ...]
    divergence: Divergence | None
    dots: int
    voters: int
    rank: int
    questions: tuple[Question, ...]
    notes: tuple[Group, ...]
    #: What the tables said: each table's shared answers (issue #15).
    tables: tuple[TableSaid, ...] = ()


@dataclass(frozen=True)
class HeatRow:
    """A tool's row of the heatmap: a cell per sector of the guide, then all."""

    number: int
    name: str
    provisional: bool
    cells: tuple[Rating, ...]
    flagged: bool


@dataclass(frozen=True)
class StagePart:
    number: int
    id: str
    title: str
    question: str
    summary: str
    heat: tuple[HeatRow, ...]
    tools: tuple[ToolPart, ...]


@dataclass(frozen=True)
class Priority:
    """A tool that got dots: ``width`` is its bar as a share of the top one (0-100)."""

    rank: int
    tool: str
    stage: str
    dots: int
    voters: int
    width: int


@dataclass(frozen=True)
class ActionRow:
    tool: str
    what: str
    owner: str
    sector: str
    due: str
    status: str


@dataclass(frozen=True)
class Person:
    name: str
    organization: str
    sector: str
    table: str


@dataclass(frozen=True)
class Legend:
    band: str
    label: str
    range: str


@dataclass(frozen=True)
class Guide:
    """Everything the planning guide prints, in order (:func:`guide_data`)."""

    title: str
    prepared: str
    #: When the workshop started (``""`` when its stored time is not one).
    started: str
    round: int
    participant_count: int
    sector_count: int
    answer_count: int
    source_title: str
    source_publisher: str
    source_url: str
    source_credit: str
    scale_question: str
    scale_top: int
    #: The scale's "not yet relevant at our stage" label ("": not offered).
    scale_not_yet: str
    stage_count: int
    tool_count: int
    gap: str
    legend: tuple[Legend, ...]
    any_provisional: bool
    #: The sectors' names as heatmap columns (then "All").
    sectors: tuple[str, ...]
    stages: tuple[StagePart, ...]
    top: tuple[Priority, ...]
    #: (tool name, divergence) for every flagged tool, in tool order.
    flags: tuple[tuple[str, Divergence], ...]
    dot_budget: int
    priorities: tuple[Priority, ...]
    #: Tools without dots, in tool order.
    undotted: tuple[str, ...]
    actions: tuple[ActionRow, ...]
    #: Names are hidden (anonymous workshop): participants are only counted.
    anonymous: bool
    people: tuple[Person, ...]
    #: (sector name, participants) in content order, then ("Total", n).
    sector_counts: tuple[tuple[str, int], ...]
    #: Today's plan, in order (empty: no plan, every tool covered), and
    #: the agenda template it came from (``""``: given by hand).
    plan: tuple[PlanLine, ...] = ()
    plan_title: str = ""
    #: The minimum group size, and how a withheld mean reads ("fewer than 3").
    min_group: int = 1
    fewer: str = ""


def guide_data(store: AnswerStore, slug: str, *, today: dt.date | None = None) -> Guide:
    """Read one workshop for the planning guide, masked for
    :attr:`~toolkit.frames.View.GUIDE`."""
    ws = store.workshop(slug)
    kit = store.kit
    frames = for_view(store, slug, View.GUIDE)
    shown = audience(ws.settings, View.GUIDE)
    people = _records(frames["participants"])
    present = {str(p["sector"]) for p in people} | set(frames["ratings"]["sector"].astype(str)) - {ALL_SECTORS}
    sector_ids = sector_order(kit, present)
    order = {s: i for i, s in enumerate(sector_ids)}

    def sector_key(sector_id: str) -> tuple[int, str]:
        return (order.get(sector_id, len(order)), sector_id)

    def sector_name(sector_id: str) -> str:
        return views.sector_name(kit, sector_id)

    # Answers and notes, grouped by table and sector under their question.
    # Plain lists: pandas' row iteration costs more than the grouping itself.
    cur = frames["current_answers"].sort_values(["participant_id", "answer_id"])
    text: dict[tuple[str, str], list[dict[str, Any]]] = {}
    notes: dict[str, list[dict[str, Any]]] = {}
    for r in _records(cur, ["tool_id", "question_id", "kind", "table", "sector", "value", "name", "organization", "anonymous"]):
        if r["kind"] == "text":
            text.setdefault((r["tool_id"], r["question_id"]), []).append(r)
        elif r["kind"] == "comment":
            notes.setdefault(r["tool_id"], []).append(r)

    def groups(rows: list[dict[str, Any]]) -> tuple[Group, ...]:
        out: dict[tuple[str, str], list[Entry]] = {}
        # Answers given without a name come unattributed from the frames
        # (toolkit.frames.views.unattributed): one group of their own, last.
        unnamed = [Entry(str(r["value"])) for r in rows if r["anonymous"]]
        for r in rows:
            if not r["anonymous"]:
                out.setdefault((r["table"] or "", r["sector"] or ""), []).append(Entry(str(r["value"]), _who(r["name"], r["organization"])))
        keys = sorted(out, key=lambda k: (natural_key(k[0]), *sector_key(k[1])))
        named = tuple(Group(table=t, sector=sector_name(s), entries=tuple(out[(t, s)])) for t, s in keys)
        return named + ((Group("", "", tuple(unnamed), unattributed=True),) if unnamed else ())

    # What the tables said (issue #15): the frame is already masked for the
    # guide and in table, tool and question order.
    said: dict[str, dict[str, list[TableLine]]] = {}
    numbers = {q.id: (i, q.text) for t in kit.tools for i, q in enumerate(t.questions, 1)}
    for r in _records(frames["table_answers"], ["tool_id", "question_id", "table", "value", "participant_id", "name", "organization"]):
        n, question = numbers.get(str(r["question_id"]), (0, str(r["question_id"])))
        who = views.TABLE_DEVICE if int(r["participant_id"]) == 0 else _who(r["name"], r["organization"])
        said.setdefault(str(r["tool_id"]), {}).setdefault(str(r["table"]), []).append(TableLine(n, question, str(r["value"]), who))

    ratings: dict[str, dict[str, Rating]] = {}
    for r in _records(frames["ratings"]):
        mean = None if r["mean"] is None else float(r["mean"])
        withheld = bool(r["withheld"])
        ratings.setdefault(str(r["tool_id"]), {})[str(r["sector"])] = Rating(
            sector_name(str(r["sector"])), views.fewer_than(shown) if withheld else _mean(mean), int(r["count"]), int(r["not_sure"]), band(mean),
            int(r["not_yet"]), withheld,
        )
    divergence = {
        str(r["tool_id"]): Divergence(sector_name(r["low_sector"]), _mean(r["low_mean"]), sector_name(r["high_sector"]), _mean(r["high_mean"]), _mean(r["gap"]))
        for r in _records(frames["divergence"])
        if r["flagged"]
    }
    dots = {str(r["tool_id"]): (int(r["dots"]), int(r["voters"]), int(r["rank"])) for r in _records(frames["priorities"])}
    nobody = Rating("", "", 0, 0, "")

    in_scope = set(frames["scope"]["tool_id"].tolist())
    stages = []
    for stage in kit.stages:
        heat, tools = [], []
        for tool in kit.tools_in(stage.id):
            if tool.id not in in_scope:
                continue
            by = ratings.get(tool.id, {})
            cells = tuple(by.get(s, nobody) for s in [*sector_ids, ALL_SECTORS])
            heat.append(HeatRow(tool.number, tool.name, tool.provisional, cells, tool.id in divergence))
            d, v, rank = dots.get(tool.id, (0, 0, 0))
            questions = tuple(Question(i, q.text, groups(text.get((tool.id, q.id), []))) for i, q in enumerate(tool.questions, 1))
            tools.append(
                ToolPart(
                    number=tool.number, id=tool.id, name=tool.name, definition=tool.definition, provisional=tool.provisional,
                    ratings=tuple(by[s] for s in [*sector_ids, ALL_SECTORS] if s in by) if by else (),
                    divergence=divergence.get(tool.id), dots=d, voters=v, rank=rank,
                    questions=questions, notes=groups(notes.get(tool.id, [])),
                    tables=tuple(TableSaid(table, tuple(lines)) for table, lines in said.get(tool.id, {}).items()),
                )
            )
        if tools:  # a stage with no tool in scope is left out
            stages.append(StagePart(stage.number, stage.id, stage.title, stage.question, stage.summary, tuple(heat), tuple(tools)))

    pri = frames["priorities"]
    voted = _records(pri[pri["dots"] > 0])
    top_dots = max((int(r["dots"]) for r in voted), default=1)
    priorities = tuple(
        Priority(int(r["rank"]), f"{int(r['tool_number'])}. {r['tool']}", str(r["stage"]), int(r["dots"]), int(r["voters"]), round(100 * int(r["dots"]) / top_dots))
        for r in voted
    )
    # The overview's top list names the tool alone, in rank then tool order.
    by_number = {t.number: t for t in kit.tools}
    top = tuple(
        Priority(p.rank, by_number[int(r["tool_number"])].name, p.stage, p.dots, p.voters, p.width)
        for p, r in sorted(zip(priorities, voted), key=lambda pr: (pr[0].rank, int(pr[1]["tool_number"])))
    )[:TOP_PRIORITIES]

    actions = tuple(
        ActionRow(f"{int(r['tool_number'])}. {r['tool']}", str(r["what"]), str(r["owner"]), sector_name(r["owner_sector"]) if r["owner_sector"] else "", str(r["due"] or ""), str(r["status"]))
        for r in _records(frames["actions"])
    )

    counts = Counter(str(p["sector"]) for p in people)
    sector_counts = tuple((sector_name(s), counts[s]) for s in sector_ids if s in counts) + (("Total", len(people)),)
    listed = sorted(people, key=lambda p: (natural_key(p["table"] or ""), *sector_key(str(p["sector"])), (p["name"] or "").casefold()))
    created = dt.datetime.fromtimestamp(ws.created, dt.timezone.utc).date() if is_time(ws.created) else None
    s = kit.source
    return Guide(
        title=ws.title,
        prepared=human_date(today or dt.date.today()),
        started=human_date(created) if created else "",
        round=ws.settings.round,
        participant_count=len(people),
        sector_count=len(counts),
        answer_count=int((frames["current_answers"]["kind"] == "text").sum()),
        source_title=s.title,
        source_publisher=s.publisher,
        source_url=s.url,
        source_credit=s.credit,
        scale_question=kit.scale.question,
        scale_top=len(kit.scale.points),
        scale_not_yet=kit.scale.not_yet,
        stage_count=len(kit.stages),
        tool_count=len(in_scope),  # the tools the guide covers
        gap=f"{DIVERGENCE_GAP:g}",
        legend=tuple(Legend(b, BAND_LABELS[b], band_range(b)) for b in BANDS),
        any_provisional=any(t.provisional for t in kit.tools),
        sectors=tuple(sector_name(x) for x in sector_ids),
        stages=tuple(stages),
        top=top,
        flags=tuple((t.name, divergence[t.id]) for t in kit.tools if t.id in divergence),
        dot_budget=ws.settings.dots,
        priorities=priorities,
        undotted=tuple(str(r["tool"]) for r in _records(pri[pri["dots"] == 0].sort_values("tool_number"))),
        actions=actions,
        anonymous=not shown.names,
        people=() if not shown.names else tuple(
            Person(p["name"] or "", p["organization"] or "", sector_name(str(p["sector"])), p["table"] or "") for p in listed
        ),
        sector_counts=sector_counts,
        plan=tuple(
            PlanLine(f"{kit.tool(slot.tool_id).number}. {kit.tool(slot.tool_id).name}", kit.stage(kit.tool(slot.tool_id).stage_id).title, slot.minutes)
            for slot in ws.settings.plan if kit.has_tool(slot.tool_id)
        ),
        min_group=shown.min_group,
        fewer=views.fewer_than(shown),
        plan_title=kit.plan(ws.settings.plan_template).title if ws.settings.plan_template and ws.settings.plan_template in {p.id for p in kit.plans} else "",
    )


def _who(name: Any, organization: Any) -> str:
    """Who wrote an answer, as far as the frames show it."""
    name, organization = name or "", organization or ""
    return f"{name}, {organization}" if name and organization else name or organization


def _records(df: pd.DataFrame, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (NA becomes ``None``)."""
    columns = list(df.columns) if columns is None else columns
    lists = [[None if _isna(v) else v for v in df[c].tolist()] for c in columns]
    return [dict(zip(columns, values)) for values in zip(*lists)]


def _isna(value: Any) -> bool:
    try:
        return bool(value is None or value != value or str(value) == "<NA>")
    except (TypeError, ValueError):
        return False


def _mean(value: float | None) -> str:
    return "" if value is None or value != value else f"{value:.1f}"  # NaN when only "not sure"


def human_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


# --------------------------------------------------------------------------
# Escaping


def esc(value: Any) -> str:
    """Text as HTML: escaped, line breaks kept."""
    return html.escape("" if value is None else str(value)).replace("\n", "<br>")


_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([#>+\-=])|(\d+)([.)]))")


def md_escape(value: Any) -> str:
    """Text for Markdown: HTML escaped (so ``<script>`` stays text), the
    characters that would format escaped with a backslash, and lines that
    would start a heading, quote or list defused.

        >>> md_escape("1. **bold** <b>")
        '1\\\\. \\\\*\\\\*bold\\\\*\\\\* &lt;b&gt;'
    """
    return "\n".join(_MD_LINE_START.sub(_defuse, line) for line in _md_inline(value).split("\n"))


def _md_inline(value: Any) -> str:
    """Text for Markdown where it cannot start a line (inside a table
    cell, after other text): HTML and formatting characters escaped."""
    return _MD_INLINE.sub(r"\\\1", html.escape("" if value is None else str(value), quote=False))


def _defuse(m: re.Match[str]) -> str:
    # A backslash is an escape only before punctuation: "\#", but "1\." (not "\1.").
    return f"{m.group(1)}\\{m.group(2)}" if m.group(2) else f"{m.group(1)}{m.group(3)}\\{m.group(4)}"


class MarkdownText(str):
    """Markdown already escaped: printed by a Markdown template as it is."""


def _md_finalize(value: Any) -> Any:
    """Every value a Markdown template prints is escaped unless a filter
    already made it :class:`MarkdownText`: forgetting a filter cannot let
    raw text through."""
    return value if isinstance(value, MarkdownText) else _md_inline(value)


def _md_cell(value: Any) -> MarkdownText:
    """A table cell: escaped, line breaks as ``<br>``."""
    return MarkdownText(_md_inline(value).replace("\n", "<br>"))


def _md_block(value: Any, indent: str = "") -> MarkdownText:
    """Text that starts a line (a list item): escaped with line starts
    defused; lines after the first indented by ``indent``."""
    lines = md_escape(value).split("\n")
    return MarkdownText(lines[0] + "".join(f"\n{indent}{line}" if line.strip() else "\n" for line in lines[1:]))


def css_string(text: str) -> str:
    """A CSS string literal that nothing in ``text`` can break out of."""
    return '"' + "".join(c if c.isalnum() or c in " ,.:()" else f"\\{ord(c):06x} " for c in text) + '"'


# --------------------------------------------------------------------------
# Templates


@functools.cache
def _environment(kind: str) -> jinja2.Environment:
    """The Jinja2 environment for ``"html"`` (autoescaped) or ``"md"``
    (every printed value through :func:`md_escape`'s inline escaping)."""
    import jinja2
    from markupsafe import Markup

    from toolkit import palette

    loader = jinja2.PackageLoader("toolkit.exports", "templates")
    common = {"loader": loader, "undefined": jinja2.StrictUndefined, "trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}
    if kind == "html":
        env = jinja2.Environment(autoescape=True, **common)
        env.filters["br"] = lambda value: Markup(esc(value))
        # Inside <style> entities are not decoded: the literal is safe as it is.
        env.filters["css_string"] = lambda text: Markup(css_string(text))
        env.globals["stylesheet"] = lambda *names: Markup(stylesheet(*names))
        env.globals["colours"] = palette.colours()
    else:
        env = jinja2.Environment(autoescape=False, finalize=_md_finalize, **common)
        env.filters["cell"] = _md_cell
        env.filters["block"] = _md_block
        env.filters["raw"] = MarkdownText  # a literal the template itself wrote
    env.filters["plural"] = plural
    return env


@functools.cache
def stylesheet(*names: str) -> str:
    """The palette and the named CSS files of ``css/``, as one text to
    inline in a page (comments left out)."""
    from toolkit import palette

    folder = resources.files("toolkit.exports").joinpath("css")
    text = "".join(folder.joinpath(f"{name}.css").read_text(encoding="utf-8") for name in names)
    return palette.css() + re.sub(r"/\*.*?\*/\n?", "", text, flags=re.S)


def render_html(guide: Guide) -> str:
    """The planning guide as one self-contained HTML page."""
    page = {"page_title": f"Planning guide: {guide.title}", "footer": f"{guide.title} \u00b7 Planning guide", "sheets": ("guide",)}
    return _environment("html").get_template("guide.html.j2").render(guide=guide, **page)


def render_markdown(guide: Guide) -> str:
    """The planning guide as Markdown: the same facts in the same order as
    the HTML, bands as words as well as colours."""
    return _environment("md").get_template("guide.md.j2").render(guide=guide)


def render_handout_html(kit: Toolkit, *, today: dt.date | None = None, rule_lines: int = 4) -> str:
    """The toolkit as a handout to send partners before a workshop: the
    source credit, the four stages, every tool with its definition, why it
    matters, guiding questions each followed by ruled space for notes, a
    readiness box, the example and resources, and the glossary."""
    template = _environment("html").get_template("handout.html.j2")
    glossary = sorted(kit.glossary, key=lambda t: t.term.casefold())
    page = {"page_title": f"Workshop handout: {kit.source.title}", "footer": f"{kit.source.publisher} \u00b7 workshop handout", "sheets": ("handout",)}
    return template.render(kit=kit, today=human_date(today or dt.date.today()), rule_lines=rule_lines, glossary=glossary, terms=_terms(kit), **page)


def _terms(kit: Toolkit) -> Mapping[str, str]:
    """Glossary terms by id, as the handout names them under each tool."""
    return {t: kit.term(t).term for tool in kit.tools for t in tool.terms}


__all__ = [
    "Guide",
    "guide_data",
    "render_html",
    "render_markdown",
    "render_handout_html",
    "md_escape",
    "esc",
    "css_string",
    "plural",
    "stylesheet",
]
