"""``workshop`` verbs that read the content only: tools, show, validate, plans."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

from toolkit.cli.context import content_of
from toolkit.content.model import duration as _duration
from toolkit.errors import ContentError


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


# --------------------------------------------------------------------------
# Content verbs


def cmd_tools(args: argparse.Namespace) -> int:
    kit = content_of(args)
    for stage in kit.stages:
        _out(f"Stage {stage.number}: {stage.title} - {stage.question}")
        for tool in kit.tools_in(stage.id):
            flag = "  (provisional)" if tool.provisional else ""
            _out(f"  {tool.number:>2}  {stage.title:<15} {tool.name}{flag}")
    _out(f"\n{len(kit.tools)} tools in {len(kit.stages)} stages. Source: {kit.source.title} ({kit.source.url})")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    kit = content_of(args)
    tool = kit.tool(args.tool)
    stage = kit.stage(tool.stage_id)
    wrap = textwrap.TextWrapper(width=88, initial_indent="  ", subsequent_indent="  ")
    _out(f"Tool {tool.number}: {tool.name}" + ("  (provisional)" if tool.provisional else ""))
    _out(f"Stage {stage.number}: {stage.title}   id: {tool.id}")
    if tool.note:
        _out(f"Note: {tool.note}")
    _out("\nWhat it is")
    _out(wrap.fill(tool.definition))
    _out("\nWhy it matters")
    _out(wrap.fill(tool.why))
    _out("\nGuiding questions")
    for i, q in enumerate(tool.questions, 1):
        _out(textwrap.fill(q.text, width=88, initial_indent=f"  {i}. ", subsequent_indent="     ") + f"  [{q.id}]")
    if tool.example:
        _out(f"\nExample: {tool.example.title}" + (f" ({tool.example.place})" if tool.example.place else ""))
        _out(wrap.fill(tool.example.summary))
    if tool.resources:
        _out("\nFurther resources")
        for r in tool.resources:
            _out(f"  - {r.name}, {r.publisher}" + (f" <{r.url}>" if r.url else ""))
    if tool.terms:
        _out("\nGlossary")
        for term_id in tool.terms:
            term = kit.term(term_id)
            _out(textwrap.fill(f"{term.term}: {term.definition}", width=88, initial_indent="  ", subsequent_indent="    "))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from toolkit import content
    kit = content.parse_file(Path(args.file))
    questions = sum(len(t.questions) for t in kit.tools)
    provisional = [str(t.number) for t in kit.tools if t.provisional]
    _out(f"{args.file}: valid (schema {kit.schema_version})")
    _out(
        f"  {len(kit.stages)} stages, {len(kit.tools)} tools, {questions} questions, "
        f"{len(kit.sectors)} sectors, {len(kit.glossary)} glossary terms, scale 1-{len(kit.scale.points)}"
    )
    if provisional:
        _out(f"  provisional tools: {', '.join(provisional)}")
    if kit.schema_version >= 2:
        notes = sum(1 for t in kit.tools if t.facilitation)
        renamed = len(kit.renamed_questions())
        _out(
            f"  facilitator notes for {notes} of {len(kit.tools)} tools, {len(kit.plans)} plans, "
            f"{len(kit.worksheets)} worksheets, {len(kit.changes)} changelog entries ({renamed} renamed question ids)"
        )
    return 0


def cmd_plans(args: argparse.Namespace) -> int:
    """The agenda templates: who each suits, then its sessions with every
    slot's minutes and tool (number, name) or activity, in order."""
    kit = content_of(args)
    plans = [kit.plan(args.plan)] if args.plan else list(kit.plans)
    if not plans:
        _out(f"{kit.path}: no agenda templates (the content file has no plans)")
        return 0
    wrap = textwrap.TextWrapper(width=88, initial_indent="  Suits: ", subsequent_indent="         ")
    for n, plan in enumerate(plans):
        if n:
            _out()
        _out(f"{plan.title}   [{plan.id}]   {_duration(plan.minutes)}, {len(plan.tool_ids)} tools")
        _out(wrap.fill(plan.suits))
        for session in plan.sessions:
            if len(plan.sessions) > 1:
                _out(f"  {session.title} ({_duration(session.minutes)})")
            for item in session.items:
                if item.tool_id is not None:
                    tool = kit.tool(item.tool_id)
                    label = f"{tool.number:>2}  {tool.name}"
                else:
                    label = f"    {item.activity}"
                _out(f"    {item.minutes:>3} min  {label}")
    if not args.plan:
        _out(f"\n{len(plans)} plans. Show one: workshop plans PLAN")
    return 0


def register(verb: Callable[..., argparse.ArgumentParser]) -> None:
    """Add ``tools``, ``show``, ``validate`` and ``plans`` to the ``workshop`` parser."""
    verb("tools", cmd_tools, "list the stages and tools in published order")
    p = verb("show", cmd_show, "print one tool in full")
    p.add_argument("tool", metavar="TOOL", help="tool id (share-discretion) or number (9)")
    p = verb("validate", cmd_validate, "check an edited content file", "Check a content file; exit 0 with a summary when valid, 1 with the problem when not.", content=False)
    p.add_argument("file", metavar="FILE")
    # A broken file is validate's answer, not a failure (see toolkit.cli.main).
    p.set_defaults(answer_no=(ContentError,))
    p = verb("plans", cmd_plans, "list the agenda templates: tools, order, minutes, who each suits")
    p.add_argument("plan", metavar="PLAN", nargs="?", help="one plan's id (first-meeting); all plans when left out")
