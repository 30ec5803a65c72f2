"""``workshop`` verbs that run the room: today's plan, the discussion
timer, hiding an answer, the minimum group size and the presenter's
section (``lock``, ``open``, ``reveal`` ... live in :mod:`toolkit.cli.store_verbs`).

    workshop plan SLUG --template first-meeting      today's plan from an agenda template
    workshop plan SLUG --tools 1,2,4:30,5            by hand (tool numbers or ids, :minutes)
    workshop plan SLUG                               show it;  --clear: every tool again
    workshop timer SLUG 10m                          a timer on every page;  stop: none
    workshop hide-answer SLUG 4182                   off the projected views and the guide
    workshop show-answer SLUG 4182                   back again;  workshop hidden-answers SLUG
    workshop group-size SLUG 4                       a sector's mean needs 4 raters
    workshop present SLUG heatmap                    the presenter view's section;  auto: its own
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from toolkit.cli.context import add_db_option, store_of

if TYPE_CHECKING:
    from toolkit.content import Toolkit
    from toolkit.store.values import Workshop


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def settings_line(kit: Toolkit, ws: Workshop, now: float | None = None) -> str:
    """One line saying what the facilitator has set, for every verb that changes it."""
    from toolkit.frames.views import plural
    from toolkit.room import clock
    from toolkit.store.values import VOTE

    s = ws.settings
    now = time.time() if now is None else now

    def state(key: str, title: str, locked: bool, done: str = "locked", coming: str = "locks") -> str:
        left = s.locks_in(key, now)
        return f"{title} {done if locked else 'open'}" + (f" ({coming} in {clock(left)})" if left is not None else "")

    stages = ", ".join(state(st.id, st.title, s.is_locked(st.id, now)) for st in kit.stages)
    vote = state(VOTE, "dot vote", s.vote_is_closed(now), "closed", "closes")
    parts = [
        f"round {s.round}", f"ratings {'revealed' if s.ratings_revealed else 'hidden'}",
        f"names {'hidden (anonymous)' if s.anonymous else 'shown'}", stages, vote,
        f"plan: {len(s.plan)} tools" if s.plan else "plan: every tool",
    ]
    left = s.timer_left(now)
    if left is not None:
        parts.append(f"timer {clock(left)} left" if left > 0 else "timer: time is up")
    parts.append(f"a sector's mean needs {plural(s.min_group, 'rater')}")
    if s.hidden:
        parts.append(plural(len(s.hidden), "hidden answer"))
    return f"{ws.slug}: " + "; ".join(parts)


def print_plan(kit: Toolkit, ws: Workshop) -> None:
    s = ws.settings
    if not s.plan:
        _out(f"{ws.slug}: no plan; every tool is in scope. Set one: workshop plan {ws.slug} --template first-meeting  (or --tools 1,2,4,5)")
        return
    source = f" from the template {s.plan_template!r}" if s.plan_template else " (by hand)"
    _out(f"{ws.slug}: today's plan{source}, {sum(slot.minutes for slot in s.plan)} minutes:")
    for n, slot in enumerate(s.plan, 1):
        tool = kit.tool(slot.tool_id)
        _out(f"  {n:>2}. {tool.number:>2} {tool.name}  ({kit.stage(tool.stage_id).title}, {slot.minutes} min)")


def cmd_plan(args: argparse.Namespace) -> int:
    from toolkit.store import checks

    store = store_of(args)
    if args.template:
        ws = store.use_plan(args.slug, args.template)
    elif args.tools:
        ws = store.set_plan(args.slug, checks.tool_list(args.tools, field="--tools"))
    elif args.clear:
        ws = store.clear_plan(args.slug)
    else:
        ws = store.workshop(args.slug)
    print_plan(store.kit, ws)
    return 0


def cmd_timer(args: argparse.Namespace) -> int:
    from toolkit.room import clock
    from toolkit.store import checks

    store = store_of(args)
    if args.length.strip().lower() in ("stop", "off", "0"):
        ws = store.stop_timer(args.slug)
    else:
        ws = store.start_timer(args.slug, checks.duration(args.length, field="timer"))
        ends = dt.datetime.fromtimestamp(ws.settings.timer_ends or 0).strftime("%H:%M:%S")
        _out(f"Timer: {clock(ws.settings.timer_seconds)} on every page, ends at {ends}")
    _out(settings_line(store.kit, ws))
    return 0


def cmd_hide_answer(args: argparse.Namespace) -> int:
    store = store_of(args)
    if args.verb == "hide-answer":
        ws = store.hide_answer(args.slug, args.answer_id)
        _out(f"Answer {args.answer_id} is hidden from the dashboard, the presenter view, the guide and the spreadsheets (kept in the store).")
    else:
        ws = store.show_answer(args.slug, args.answer_id)
        _out(f"Answer {args.answer_id} is shown again.")
    _out(settings_line(store.kit, ws))
    return 0


def cmd_hidden_answers(args: argparse.Namespace) -> int:
    store = store_of(args)
    hidden = store.hidden_answers(args.slug)
    if not hidden:
        _out(f"{args.slug}: no hidden answers.")
        return 0
    for a in hidden:
        text = " ".join(a.value.split())
        _out(f"{a.id:>8}  {store.kit.tool(a.tool_id).number if store.kit.has_tool(a.tool_id) else a.tool_id:>3}  {text[:100]}{'...' if len(text) > 100 else ''}")
    _out(f"Show one again: workshop show-answer {args.slug} ID")
    return 0


def cmd_group_size(args: argparse.Namespace) -> int:
    store = store_of(args)
    ws = store.update_settings(args.slug, min_group=args.size)
    _out(settings_line(store.kit, ws))
    return 0


def cmd_present(args: argparse.Namespace) -> int:
    store = store_of(args)
    ws = store.show_screen(args.slug, "" if args.section == "auto" else args.section)
    _out(f"Presenter view: {ws.settings.screen or 'its own section (cycling if it is set to)'}")
    return 0


def register(verb: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the room verbs to the ``workshop`` parser."""
    from toolkit.store.values import SCREENS

    with_db = add_db_option
    p = with_db(verb("plan", cmd_plan, "show or set today's plan: the tools in scope, in order, with minutes"))
    p.add_argument("slug", metavar="SLUG")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--template", metavar="PLAN", help="an agenda template's id (workshop plans lists them), e.g. half-day or first-meeting")
    how.add_argument("--tools", metavar="LIST", help="tool numbers or ids in order, each with optional minutes: 1,2,4:30,5")
    how.add_argument("--clear", action="store_true", help="no plan: every tool is in scope")
    p = with_db(verb("timer", cmd_timer, "start a discussion timer that counts down on every page (or stop it)"))
    p.add_argument("slug", metavar="SLUG")
    p.add_argument("length", metavar="LENGTH", help="10m, 90s, 1h, 1m30s or minutes (10); stop removes the timer")
    for name, text in (("hide-answer", "hide an answer from the dashboard, the presenter view, the guide and the spreadsheets (not deleted)"),
                       ("show-answer", "show a hidden answer again")):
        p = with_db(verb(name, cmd_hide_answer, text))
        p.add_argument("slug", metavar="SLUG")
        p.add_argument("answer_id", metavar="ANSWER_ID", type=int, help="the answer's id (the dashboard feed and the console show it)")
    p = with_db(verb("hidden-answers", cmd_hidden_answers, "list the answers hidden by the facilitator"))
    p.add_argument("slug", metavar="SLUG")
    p = with_db(verb("group-size", cmd_group_size, "how many people of a sector must rate before its mean is shown (default 3)"))
    p.add_argument("slug", metavar="SLUG")
    p.add_argument("size", metavar="N", type=int)
    p = with_db(verb("present", cmd_present, "put one section on the presenter view"))
    p.add_argument("slug", metavar="SLUG")
    p.add_argument("section", choices=[*SCREENS, "auto"])
