"""``workshop`` verbs that move a workshop in and out of the store: export
(planning guide, spreadsheet, CSV, JSON), handout (the toolkit for
partners, or with ``--facilitator`` the facilitator's guide), worksheet
(the one-page method sheets) and import (a JSON export or a CSV of
answers from paper).

    workshop export demo --format pdf --output guide.pdf
    workshop export demo --format csv --frame ratings
    workshop handout --format pdf --output handout.pdf
    workshop handout --facilitator --plan first-meeting --format pdf
    workshop worksheet stakeholder-map --format pdf
    workshop worksheet --all --format pdf
    workshop import answers.csv --into demo

Long runs draw a text progress bar on stderr when it is a terminal, or
always with ``--progress``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from toolkit.cli.context import add_db_option, content_of, store_of


class ProgressBar:
    """A one-line text bar: ``[##########..........]  50%  sheet Ratings``.

    Called as ``bar(done, total, label)``; redraws when the label changes
    and otherwise at most ten times a second; :meth:`close` ends the line. Draws nothing when disabled."""

    def __init__(self, stream: TextIO, *, enabled: bool, width: int = 28, title: str = ""):
        self.stream = stream
        self.enabled = enabled
        self.width = width
        self.title = title
        self._last = 0.0
        self._label: str | None = None
        self._drawn = False

    def __call__(self, done: int, total: int, label: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        final = total > 0 and done >= total
        if not final and label == self._label and now - self._last < 0.1:
            return
        self._last, self._label = now, label
        share = min(max(done / total, 0.0), 1.0) if total > 0 else 0.0
        filled = int(round(share * self.width))
        bar = "#" * filled + "." * (self.width - filled)
        text = f"\r{self.title}[{bar}] {share:4.0%}  {label}"[:120]
        self.stream.write(text.ljust(100) if len(text) < 100 else text)
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self.enabled and self._drawn:
            self.stream.write("\n")
            self.stream.flush()


#: The frames ``--frame`` accepts, as in :data:`toolkit.frames.FRAME_NAMES`
#: (a test keeps them equal).
FRAME_CHOICES = ("answers", "current_answers", "table_answers", "ratings", "divergence", "progress", "priorities", "actions", "participants", "scope")


def _bar(args: argparse.Namespace, title: str) -> ProgressBar:
    enabled = bool(getattr(args, "progress", False)) or sys.stderr.isatty()
    return ProgressBar(sys.stderr, enabled=enabled, title=title)


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _format(args: argparse.Namespace, allowed: tuple[str, ...], default: str) -> str:
    if args.format:
        return args.format
    if args.output:
        suffix = Path(args.output).suffix.lower().lstrip(".")
        suffix = {"markdown": "md", "htm": "html"}.get(suffix, suffix)
        if suffix in allowed:
            return suffix
    return default


def cmd_export(args: argparse.Namespace) -> int:
    from toolkit.exports.workshop import FORMATS, export_workshop

    fmt = _format(args, FORMATS, "html")
    bar = _bar(args, f"export {fmt} ")
    try:
        path = export_workshop(store_of(args), args.slug, fmt, args.output, frame=args.frame, progress=bar)
    finally:
        bar.close()
    _out(str(path))
    return 0


def cmd_handout(args: argparse.Namespace) -> int:
    from toolkit.errors import InvalidAnswer
    from toolkit.exports.facilitator import GUIDE_FORMATS, export_facilitator_guide
    from toolkit.exports.workshop import export_handout

    if not args.facilitator:
        if args.plan:
            raise InvalidAnswer("--plan chooses the agenda of the facilitator's guide: add --facilitator")
        if args.format == "md":
            raise InvalidAnswer("the handout is html or pdf; Markdown is for the facilitator's guide (--facilitator)")
    fmt = _format(args, GUIDE_FORMATS if args.facilitator else ("html", "pdf"), "html")
    bar = _bar(args, f"{'facilitator' if args.facilitator else 'handout'} {fmt} ")
    try:
        if args.facilitator:
            path = export_facilitator_guide(content_of(args), fmt, args.output, plan_id=args.plan, progress=bar)
        else:
            path = export_handout(content_of(args), fmt, args.output, progress=bar)
    finally:
        bar.close()
    _out(str(path))
    return 0


def cmd_worksheet(args: argparse.Namespace) -> int:
    """One worksheet, all of them (``--all``, one file, a page each), or
    without either the list of worksheets and the tools that use them."""
    from toolkit.errors import InvalidAnswer
    from toolkit.exports.facilitator import SHEET_FORMATS, export_worksheets

    kit = content_of(args)
    if args.all and args.worksheet:
        raise InvalidAnswer(f"give a worksheet id or --all, not both (got {args.worksheet!r} and --all)")
    if not args.all and not args.worksheet:
        if not kit.worksheets:
            _out(f"{kit.path}: no worksheets (the content file has none)")
            return 0
        for w in kit.worksheets:
            tools = [t.number for t in kit.tools if t.facilitation and t.facilitation.method == w.id]
            _out(f"{w.id:<24} {w.title:<38} tools {', '.join(map(str, tools)) or '-'}")
        _out(f"\n{len(kit.worksheets)} worksheets. Print one: workshop worksheet ID --format pdf; all: workshop worksheet --all --format pdf")
        return 0
    fmt = _format(args, SHEET_FORMATS, "html")
    bar = _bar(args, f"worksheet {fmt} ")
    try:
        path = export_worksheets(kit, None if args.all else [args.worksheet], fmt, args.output, progress=bar)
    finally:
        bar.close()
    _out(str(path))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from toolkit.exports.importer import import_file

    bar = _bar(args, "import ")
    try:
        result = import_file(store_of(args), args.file, into=args.into, progress=bar)
    finally:
        bar.close()
    _out(str(result))
    return 0


def register(verb: Callable[..., argparse.ArgumentParser]) -> None:
    """Add export, handout and import to the ``workshop`` parser."""
    from toolkit.exports.importer import CSV_HELP
    from toolkit.exports.workshop import FORMATS

    def common(p: argparse.ArgumentParser, *, create_folder: bool = False) -> argparse.ArgumentParser:
        add_db_option(p, create_folder=create_folder)
        p.add_argument("--progress", action="store_true", help="draw a progress bar on stderr even when it is not a terminal")
        return p

    p = common(
        verb(
            "export",
            cmd_export,
            "export a workshop: planning guide (html, md, pdf), spreadsheet (xlsx), csv or json",
            "Export one workshop. html/md/pdf: the planning guide (answers, readiness with bands and divergence, "
            "priorities, actions, participants). xlsx: one sheet per frame. csv: one frame (--frame). "
            "json: everything, for 'workshop import'. Prints the path written.",
        )
    )
    p.add_argument("slug", metavar="SLUG")
    p.add_argument("--format", "-f", choices=FORMATS, help="default: from the --output extension, else html")
    p.add_argument("--output", "-o", metavar="PATH", help="file or folder to write (default: SLUG-planning-guide.html and so on, here)")
    # toolkit.frames (and pandas) is imported only when a verb runs, so
    # 'workshop --help' stays quick; export_workshop checks the name.
    p.add_argument("--frame", metavar="NAME", default="answers", help=f"the frame a csv export holds: {', '.join(FRAME_CHOICES)} (default: answers)")

    p = common(
        verb(
            "handout",
            cmd_handout,
            "write the toolkit handout for partners (html or pdf)",
            "The toolkit to send partners before a workshop: stages, the 17 tools with definitions, why they matter, "
            "guiding questions with space for notes, examples, resources and the glossary. It needs no store (--db is accepted and unused).",
        )
    )
    p.add_argument("--format", "-f", choices=("html", "md", "pdf"), help="default: from the --output extension, else html (md: --facilitator only)")
    p.add_argument("--output", "-o", metavar="PATH", help="file or folder to write (default: intersector-toolkit-handout.html, or facilitator-guide[-PLAN].html, here)")
    p.add_argument(
        "--facilitator", action="store_true",
        help="the facilitator's guide instead (not for partners): the agenda, then per tool its purpose, core questions, "
        "timings, method with its worksheet, materials, pitfalls, sensitive questions and provisional notes; the worksheets follow",
    )
    p.add_argument("--plan", metavar="PLAN", help="with --facilitator: the agenda template to follow (workshop plans lists them); default: every tool, stage by stage")

    p = common(
        verb(
            "worksheet",
            cmd_worksheet,
            "print a method's one-page worksheet (html or pdf), or all of them; without an id, list them",
            "The one-page worksheets the facilitator's notes suggest (a stakeholder map, a resource inventory, ...): "
            "purpose, steps and a grid with blank rows for a table to fill in. It needs no store (--db is accepted and unused).",
        )
    )
    p.add_argument("worksheet", metavar="ID", nargs="?", help="a worksheet id (stakeholder-map); 'workshop worksheet' lists them")
    p.add_argument("--all", action="store_true", help="every worksheet in one file, one per page")
    p.add_argument("--format", "-f", choices=("html", "pdf"), help="default: from the --output extension, else html")
    p.add_argument("--output", "-o", metavar="PATH", help="file or folder to write (default: worksheet-ID.html, or worksheets.html with --all, here)")

    p = common(
        verb(
            "import",
            cmd_import,
            "import a JSON export or a CSV of answers gathered on paper",
            "Import FILE: a .json file from 'workshop export --format json', or a .csv of answers. Every row is "
            "checked before anything is written, all in one transaction; importing the same file again adds nothing.",
        ),
        create_folder=True,
    )
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = CSV_HELP
    p.add_argument("file", metavar="FILE")
    p.add_argument("--into", metavar="SLUG", help="the workshop to import into (wins over the CSV's workshop column; for JSON, a new slug)")
