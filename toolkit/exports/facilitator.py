"""The facilitator's guide and the worksheets, printable: for the person
who runs the room, never for partners.

    >>> fg = facilitator_guide(kit, "first-meeting")      # None: all tools, stage by stage
    >>> html_text = render_facilitator_html(fg)
    >>> md_text = render_facilitator_markdown(fg)
    >>> sheets = render_worksheets_html(kit, ["stakeholder-map"])
    >>> notes = render_tool_notes_html(kit, "engage-potential-partners")   # the console's panel

One model, as for the planning guide (:mod:`toolkit.exports.guide`, whose
Jinja2 environments, escaping and CSS this module uses):
:func:`facilitator_guide` reads the content once into a
:class:`FacilitatorGuide` (the agenda of a plan, or of every tool stage by
stage, with clock times; then per tool its notes: purpose, core questions,
suggested and planned minutes, the method with its worksheet, materials,
pitfalls, the questions flagged sensitive and why, and the provisional
note), and the templates lay it out: ``facilitator.html.j2`` as HTML (the
worksheets the tools use follow, one page each, each tool's method linking
to its sheet), ``facilitator.md.j2`` as Markdown. The per-tool block is one
macro (``_facilitator.html.j2``) that the facilitator console shows too.

Worksheets (:func:`worksheet_pages`, :func:`render_worksheets_html`): a
one-page sheet per method, from the content's ``worksheets`` (our own
words): title, purpose, steps, and the grid to fill in with its blank rows,
naming the tools that use it.

What is here is for facilitators only: the provisional note, pitfalls and
the reasons a question is sensitive never go into the planning guide, the
handout or a partner export (a test checks).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.content.model import duration
from toolkit.errors import InvalidAnswer

if TYPE_CHECKING:
    from toolkit.content import Plan, Tool, Toolkit, Worksheet
    from toolkit.exports.workshop import Progress

#: Formats :func:`export_facilitator_guide` writes; worksheets are html or pdf.
GUIDE_FORMATS = ("html", "md", "pdf")
SHEET_FORMATS = ("html", "pdf")
#: What the guide's agenda is called when no plan is chosen.
ALL_TOOLS_TITLE = "All tools, stage by stage"


# --------------------------------------------------------------------------
# The model


@dataclass(frozen=True)
class Slot:
    """One line of the agenda: clock times from the session's start
    (``"0:10"``), its minutes, and a tool (``tool_number``, ``anchor``) or
    another activity."""

    start: str
    end: str
    minutes: int
    label: str
    tool_number: int | None = None
    anchor: str = ""
    method: str = ""


@dataclass(frozen=True)
class AgendaSession:
    title: str
    duration: str
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class NoteQuestion:
    """A guiding question as the facilitator sees it: whether it is a core
    question, and, when sensitive, its kind and why."""

    number: int
    id: str
    text: str
    core: bool
    sensitive: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Method:
    """The method a note suggests: its worksheet's id, title and purpose."""

    id: str
    title: str
    purpose: str
    anchor: str


@dataclass(frozen=True)
class ToolNotes:
    """One tool's part of the facilitator's guide (and of the console)."""

    number: int
    id: str
    name: str
    stage: str
    definition: str
    provisional: bool
    #: Why the tool is provisional (facilitators only; "" when it is not).
    note: str
    #: The content has a facilitation note for the tool.
    has_note: bool
    purpose: str
    #: Suggested minutes (the note's); 0 without a note.
    suggested: int
    #: Minutes the chosen plan gives it (0: not in the plan's agenda).
    planned: int
    method: Method | None
    materials: tuple[str, ...]
    pitfalls: tuple[str, ...]
    core: tuple[NoteQuestion, ...]
    questions: tuple[NoteQuestion, ...]

    @property
    def anchor(self) -> str:
        return f"tool-{self.number}"

    @property
    def sensitive(self) -> tuple[NoteQuestion, ...]:
        return tuple(q for q in self.questions if q.sensitive)


@dataclass(frozen=True)
class WorksheetPage:
    """One printable worksheet: the content's ``sheet``, the tools that use
    it (``"1. Engage Potential Partners"``) and the height of a blank row
    (millimetres) that keeps the grid on one page."""

    sheet: Worksheet
    used_by: tuple[str, ...]
    row_mm: float

    @property
    def anchor(self) -> str:
        return f"sheet-{self.sheet.id}"


@dataclass(frozen=True)
class FacilitatorGuide:
    """Everything the facilitator's guide prints, in order."""

    title: str
    #: The plan's id ("" when every tool is listed stage by stage).
    plan_id: str
    suits: str
    prepared: str
    total: str
    tool_count: int
    sessions: tuple[AgendaSession, ...]
    tools: tuple[ToolNotes, ...]
    worksheets: tuple[WorksheetPage, ...]
    source_title: str
    source_publisher: str
    source_url: str


# --------------------------------------------------------------------------
# Reading the content


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def tool_notes(kit: Toolkit, tool: Tool, planned: int = 0) -> ToolNotes:
    """The facilitator's view of one tool (``planned``: its minutes in a plan)."""
    note = tool.facilitation
    core_ids = note.core if note else ()
    questions = tuple(
        NoteQuestion(
            number=n, id=q.id, text=q.text, core=q.id in core_ids,
            sensitive=q.sensitive.kind if q.sensitive else "", reason=q.sensitive.reason if q.sensitive else "",
        )
        for n, q in enumerate(tool.questions, 1)
    )
    by_id = {q.id: q for q in questions}
    method = None
    if note is not None:
        sheet = kit.worksheet(note.method)
        method = Method(sheet.id, sheet.title, sheet.purpose, f"sheet-{sheet.id}")
    return ToolNotes(
        number=tool.number,
        id=tool.id,
        name=tool.name,
        stage=kit.stage(tool.stage_id).title,
        definition=tool.definition,
        provisional=tool.provisional,
        note=tool.note or "",
        has_note=note is not None,
        purpose=note.purpose if note else "",
        suggested=note.minutes if note else 0,
        planned=planned,
        method=method,
        materials=note.materials if note else (),
        pitfalls=note.pitfalls if note else (),
        core=tuple(by_id[q] for q in core_ids),
        questions=questions,
    )


def _users(kit: Toolkit, sheet_id: str) -> tuple[str, ...]:
    return tuple(f"{t.number}. {t.name}" for t in kit.tools if t.facilitation and t.facilitation.method == sheet_id)


def worksheet_page(kit: Toolkit, sheet: Worksheet) -> WorksheetPage:
    # Blank rows share about 13.5 cm of the A4 page (what is left beside the
    # heading and up to six steps), between 7 and 30 mm each.
    row_mm = round(max(7.0, min(30.0, 135 / max(sheet.rows, 1))), 1)
    return WorksheetPage(sheet, _users(kit, sheet.id), row_mm)


def worksheet_pages(kit: Toolkit, ids: Iterable[str] | None = None) -> tuple[WorksheetPage, ...]:
    """The worksheets named by ``ids`` (in that order), or all of them;
    an unknown id is :class:`~toolkit.errors.UnknownTool` naming the known ones."""
    sheets = kit.worksheets if ids is None else tuple(kit.worksheet(i) for i in ids)
    return tuple(worksheet_page(kit, s) for s in sheets)


def _agenda(kit: Toolkit, plan: Plan | None) -> tuple[tuple[AgendaSession, ...], dict[str, int]]:
    """The sessions with clock times, and each tool's minutes in them."""
    if plan is None:
        # Every tool, stage by stage, at its suggested minutes.
        from toolkit.content.model import PlanItem, PlanSession

        sessions = [
            PlanSession(f"Stage {s.number}: {s.title}", tuple(PlanItem(t.facilitation.minutes if t.facilitation else 0, tool_id=t.id) for t in kit.tools_in(s.id)))
            for s in kit.stages
        ]
    else:
        sessions = list(plan.sessions)
    out, planned = [], {}
    for session in sessions:
        at, slots = 0, []
        for item in session.items:
            if item.tool_id is not None:
                tool = kit.tool(item.tool_id)
                planned[tool.id] = planned.get(tool.id, 0) + item.minutes
                method = kit.worksheet(tool.facilitation.method).title if tool.facilitation else ""
                slots.append(Slot(_clock(at), _clock(at + item.minutes), item.minutes, f"{tool.number}. {tool.name}", tool.number, f"tool-{tool.number}", method))
            else:
                slots.append(Slot(_clock(at), _clock(at + item.minutes), item.minutes, item.activity or ""))
            at += item.minutes
        out.append(AgendaSession(session.title, duration(session.minutes), tuple(slots)))
    return tuple(out), planned


def facilitator_guide(kit: Toolkit, plan_id: str | None = None, *, today: dt.date | None = None) -> FacilitatorGuide:
    """The facilitator's guide for a plan (``workshop plans`` lists them),
    or, without one, for every tool stage by stage at its suggested
    minutes. An unknown plan is :class:`~toolkit.errors.UnknownTool`
    naming the known ones."""
    from toolkit.exports.guide import human_date

    plan = kit.plan(plan_id) if plan_id else None
    sessions, planned = _agenda(kit, plan)
    order = plan.tool_ids if plan is not None else tuple(t.id for t in kit.tools)
    tools = tuple(tool_notes(kit, kit.tool(t), planned.get(t, 0)) for t in order)
    used = list(dict.fromkeys(t.method.id for t in tools if t.method is not None))  # each sheet once, in order of use
    minutes = plan.minutes if plan is not None else sum(planned.values())
    return FacilitatorGuide(
        title=plan.title if plan is not None else ALL_TOOLS_TITLE,
        plan_id=plan.id if plan is not None else "",
        suits=plan.suits if plan is not None else "Choosing tools, or running the whole toolkit: every tool in published order, at its suggested minutes.",
        prepared=human_date(today or dt.date.today()),
        total=duration(minutes),
        tool_count=len(tools),
        sessions=sessions,
        tools=tools,
        worksheets=worksheet_pages(kit, used),
        source_title=kit.source.title,
        source_publisher=kit.source.publisher,
        source_url=kit.source.url,
    )


# --------------------------------------------------------------------------
# Rendering


def render_facilitator_html(fg: FacilitatorGuide) -> str:
    """The facilitator's guide as one self-contained HTML page."""
    from toolkit.exports.guide import _environment

    page = {"page_title": f"Facilitator's guide: {fg.title}", "footer": f"Facilitator's guide \u00b7 {fg.title} \u00b7 not for partners", "sheets": ("facilitator", "worksheet")}
    return _environment("html").get_template("facilitator.html.j2").render(fg=fg, **page)


def render_facilitator_markdown(fg: FacilitatorGuide) -> str:
    """The facilitator's guide as Markdown: the same facts in the same
    order as the HTML, the worksheets named by the command that prints them."""
    from toolkit.exports.guide import _environment

    return _environment("md").get_template("facilitator.md.j2").render(fg=fg)


def render_worksheets_html(kit: Toolkit, ids: Sequence[str] | None = None) -> str:
    """Worksheets (``ids``, or all) as one HTML page to print, a sheet per page."""
    from toolkit.exports.guide import _environment

    pages = worksheet_pages(kit, ids)
    page = {"page_title": f"Worksheet: {pages[0].sheet.title}" if len(pages) == 1 else f"Worksheets: {kit.source.title}", "footer": f"{kit.source.publisher} \u00b7 workshop worksheet", "sheets": ("worksheet",)}
    return _environment("html").get_template("worksheets.html.j2").render(worksheets=pages, source=kit.source, **page)


def render_tool_notes_html(kit: Toolkit, tool_id: str | int) -> str:
    """One tool's notes as an HTML fragment (no page around it): what the
    facilitator console shows beside the tool, from the guide's own macro."""
    from toolkit.exports.guide import _environment

    return _environment("html").get_template("notes.html.j2").render(t=tool_notes(kit, kit.tool(tool_id)))


# --------------------------------------------------------------------------
# Files


def export_facilitator_guide(
    kit: Toolkit,
    fmt: str = "html",
    path: str | os.PathLike[str] | None = None,
    *,
    plan_id: str | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> Path:
    """Write the facilitator's guide (html, md or pdf) and return the path;
    ``path`` as in :func:`toolkit.exports.workshop.export_workshop`
    (default ``facilitator-guide[-PLAN].FMT``)."""
    from toolkit.exports.workshop import _target

    fmt = _checked(fmt, GUIDE_FORMATS, "facilitator's guide")
    tick = progress or (lambda done, total, label: None)
    tick(0, 2, "laying out the facilitator's guide")
    fg = facilitator_guide(kit, plan_id, today=today)  # an unknown plan stops here, before any file
    target = _target(path, f"facilitator-guide{'-' + fg.plan_id if fg.plan_id else ''}.{fmt}")
    _write(target, fmt, render_facilitator_markdown(fg) if fmt == "md" else render_facilitator_html(fg), tick)
    return target


def export_worksheets(
    kit: Toolkit,
    ids: Sequence[str] | None = None,
    fmt: str = "html",
    path: str | os.PathLike[str] | None = None,
    *,
    progress: Progress | None = None,
) -> Path:
    """Write worksheets (``ids``, or all of them in one file, a page each)
    as html or pdf and return the path (default ``worksheet-ID.FMT``, or
    ``worksheets.FMT`` for all)."""
    from toolkit.exports.workshop import _target

    fmt = _checked(fmt, SHEET_FORMATS, "worksheet")
    tick = progress or (lambda done, total, label: None)
    tick(0, 2, "laying out the worksheets")
    text = render_worksheets_html(kit, ids)  # an unknown id stops here, before any file
    name = f"worksheet-{ids[0]}.{fmt}" if ids is not None and len(ids) == 1 else f"worksheets.{fmt}"
    target = _target(path, name)
    _write(target, fmt, text, tick)
    return target


def _checked(fmt: str, allowed: tuple[str, ...], what: str) -> str:
    fmt = (fmt or "").lower().lstrip(".")
    fmt = {"markdown": "md", "htm": "html"}.get(fmt, fmt)
    if fmt not in allowed:
        raise InvalidAnswer(f"{what} format: expected {', '.join(allowed[:-1])} or {allowed[-1]}, got {fmt!r}")
    return fmt


def _write(target: Path, fmt: str, text: str, tick: Progress) -> None:
    """``text`` (HTML or Markdown) to ``target``, printed first for a PDF;
    written beside it and moved into place, so a failure leaves no half file."""
    from toolkit.exports.workshop import _atomic

    with _atomic(target) as tmp:
        if fmt == "pdf":
            from toolkit.exports import pdf

            tick(1, 2, "printing the PDF with Chromium")
            pdf.html_to_pdf(text, tmp)
        else:
            tmp.write_text(text, encoding="utf-8")
    tick(2, 2, "done")


__all__ = [
    "FacilitatorGuide",
    "ToolNotes",
    "WorksheetPage",
    "export_facilitator_guide",
    "export_worksheets",
    "facilitator_guide",
    "render_facilitator_html",
    "render_facilitator_markdown",
    "render_tool_notes_html",
    "render_worksheets_html",
    "tool_notes",
    "worksheet_pages",
]
