"""``workshop`` verbs that use the answer store: new, list, demo, people,
the facilitator's controls (lock, open, reveal, hide, anonymous, round; the
room's other controls are in :mod:`toolkit.cli.control_verbs`) and
``code`` (the room's join code and dashboard key).

Each honours ``--db`` and otherwise ``$WORKSHOP_DB``, and ``--content``
(see :mod:`toolkit.cli.context`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

from toolkit.cli.context import add_db_option, store_of
from toolkit.cli.control_verbs import print_plan, settings_line

#: What ``lock`` and ``open`` take for the dot vote instead of a stage.
VOTE_NAMES = ("priorities", "vote", "dots")


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def cmd_new(args: argparse.Namespace) -> int:
    store = store_of(args)
    if args.plan:
        from toolkit.store import checks

        checks.plan_template(store.kit, args.plan)  # an unknown template is refused before anything is written
    ws = store.create_workshop(args.title, slug=args.slug)
    _out(ws.slug)
    if args.plan:
        print_plan(store.kit, store.use_plan(ws.slug, args.plan))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    store = store_of(args)
    workshops = store.workshops()
    if not workshops:
        _out(f"No workshops in {store.location} yet. Create one with: workshop new \"Title\"  (or: workshop demo)")
        return 0
    _out(f"{'slug':<28} {'people':>6}  {'current answers':>15}  {'history rows':>12}  {'round':>5}  {'created':<16}  title")
    for ws in workshops:
        created = dt.datetime.fromtimestamp(ws.created).strftime("%Y-%m-%d %H:%M")
        counts = _counts(store, ws.slug)
        _out(
            f"{ws.slug:<28} {counts['participants']:>6}  {counts['answers']:>15}  {store.count_answers(ws.slug):>12}  "
            f"{ws.settings.round:>5}  {created:<16}  {ws.title}"
        )
    _out()
    _out("people and current answers (to guiding questions, this round) count as the dashboard does;")
    _out("history rows are every row saved: each version of an answer, ratings, notes and dots, all rounds.")
    return 0


def _counts(store: Any, slug: str) -> dict[str, int]:
    """A workshop's headline counts, as the dashboard shows them
    (:func:`toolkit.frames.views.summary`)."""
    from toolkit.frames import all_frames
    from toolkit.frames.views import summary

    return summary(all_frames(store, slug))


def cmd_demo(args: argparse.Namespace) -> int:
    from toolkit.store.demo import create_demo

    store = store_of(args)
    if args.if_empty and store.workshops():
        _out(f"The store {store.location} already has workshops; not adding the demo.")
        return 0
    ws = create_demo(store)
    counts = _counts(store, ws.slug)
    _out(ws.slug)
    _out(
        f"Demo workshop {ws.title!r}: {counts['participants']} participants, {counts['answers']} current answers, "
        f"{counts['ratings']} ratings, {counts['actions']} actions ({store.count_answers(ws.slug)} history rows); ratings revealed."
    )
    return 0


def cmd_people(args: argparse.Namespace) -> int:
    """Who signed in to a workshop, with each one's resume code: for the
    facilitator's own terminal, so names show even in anonymous mode."""
    from toolkit.store.identity import format_resume_code

    store = store_of(args)
    everyone = store.people(args.slug)
    if not everyone:
        _out(f"Nobody has signed in to {args.slug} yet.")
        return 0
    people = store.people(args.slug, find=args.find) if args.find else everyone
    sectors = {s.id: s.name for s in store.kit.sectors}
    rows = [
        (p.participant.name or "(no name)", p.participant.organization, sectors.get(p.participant.sector, p.participant.sector),
         p.participant.table, format_resume_code(p.resume_code) if p.resume_code else "-")
        for p in people
    ]
    header = ("name", "organization", "sector", "table", "resume code")
    widths = [min(max(len(h), *(len(r[i]) for r in rows)) if rows else len(h), 40) for i, h in enumerate(header)]
    _out("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip())
    for row in rows:
        _out("  ".join(_cut(cell, w).ljust(w) for cell, w in zip(row, widths)).rstrip())
    shown = f"{len(rows)} of {len(everyone)}" if args.find else str(len(everyone))
    _out(f"{shown} participant{'s' * (len(everyone) != 1)}. A resume code continues as that person on another device: keep it between you and them.")
    return 0


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_stage(args: argparse.Namespace) -> int:
    from toolkit.room import clock
    from toolkit.store import checks
    from toolkit.store.values import VOTE

    store = store_of(args)
    vote = args.stage.strip().lower() in VOTE_NAMES
    key = VOTE if vote else store.kit.stage(args.stage).id
    notice = getattr(args, "notice", None)
    if notice is not None:
        seconds = checks.duration(notice, field="--in")
        ws = store.lock_with_notice(args.slug, key, seconds)
        what = "The dot vote closes" if vote else f"{store.kit.stage(key).title} locks"
        _out(f"{what} in {clock(seconds)}; every page counts down.")
    elif vote:
        ws = store.set_vote(args.slug, open=args.verb == "open")
    else:
        ws = store.set_stage_state(args.slug, key, "locked" if args.verb == "lock" else "open")
    _out(settings_line(store.kit, ws))
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    store = store_of(args)
    changes: dict[str, Any] = {}
    if args.verb in ("reveal", "hide"):
        changes["ratings_revealed"] = args.verb == "reveal"
    elif args.verb == "anonymous":
        changes["anonymous"] = args.state == "on"
    ws = store.new_round(args.slug) if args.verb == "round" else store.update_settings(args.slug, **changes)
    _out(settings_line(store.kit, ws))
    return 0


def cmd_code(args: argparse.Namespace) -> int:
    from toolkit.store import room_keys

    store = store_of(args)
    code = room_keys.join_code(store, args.slug, new=args.new)
    key = room_keys.dashboard_key(store, args.slug, new=args.new_dashboard_key)
    _out(f"Join code: {code}" + ("  (new: browsers that joined with the old one must join again)" if args.new else ""))
    _out(f"Join link: /join/{code} on the address workshop serve prints")
    _out(f"Dashboard link: /dashboard/{key}" + ("  (new)" if args.new_dashboard_key else ""))
    _out("A running workshop serve takes a new code or key within seconds.")
    return 0


def register(verb: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the store verbs to the ``workshop`` parser."""

    with_db = add_db_option
    p = with_db(verb("new", cmd_new, "create a workshop and print its slug"), create_folder=True)
    p.add_argument("title", metavar="TITLE")
    p.add_argument("--slug", help="choose the slug instead of deriving it from the title")
    p.add_argument("--plan", metavar="PLAN", help="today's plan from an agenda template (workshop plans lists them), e.g. first-meeting")
    with_db(verb("list", cmd_list, "list the workshops in the store"))
    p = with_db(verb("people", cmd_people, "list who signed in to a workshop, with each one's resume code"))
    p.add_argument("slug", metavar="SLUG")
    p.add_argument("--find", metavar="TEXT", help="only people whose name, organization, sector or table contains TEXT")
    p = with_db(verb("demo", cmd_demo, "add a fictional demo workshop with participants, answers, ratings and actions"), create_folder=True)
    p.add_argument("--if-empty", action="store_true", help="only when the store has no workshop yet")
    for name, text in (("lock", "lock a stage (its answers become read-only) or close the dot vote"), ("open", "open a locked stage or the dot vote again")):
        p = with_db(verb(name, cmd_stage, text))
        p.add_argument("slug", metavar="SLUG")
        p.add_argument("stage", metavar="STAGE", help="stage id (design) or number (2), or priorities for the dot vote")
        if name == "lock":
            p.add_argument("--in", dest="notice", metavar="TIME", help="lock with notice: pages count down and it locks by itself after 2m, 90s ...")
    for name, text in (("reveal", "reveal ratings on the dashboard"), ("hide", "hide ratings on the dashboard"), ("round", "start a new round of answers")):
        p = with_db(verb(name, cmd_set, text))
        p.add_argument("slug", metavar="SLUG")
    p = with_db(verb("code", cmd_code, "print a workshop's join code and dashboard key (--new: a new code)",
                     "Print the code participants type to join the served workshop, and the key the projected dashboard's "
                     "link carries. Both are made the first time; --new replaces the join code (browsers that joined with "
                     "the old one must join again), --new-dashboard-key the dashboard key."))
    p.add_argument("slug", metavar="SLUG")
    p.add_argument("--new", action="store_true", help="make a new join code")
    p.add_argument("--new-dashboard-key", action="store_true", help="make a new dashboard key")
    p = with_db(verb("anonymous", cmd_set, "hide (on) or show (off) participants' names on the dashboard and in exports"))
    p.add_argument("slug", metavar="SLUG")
    p.add_argument("state", choices=["on", "off"])
