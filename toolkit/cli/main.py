"""The ``workshop`` command line: everything a facilitator does from a widget
can be done from here, with ``toolkit`` alone.

    workshop tools                 list stages and tools in order
    workshop show 7                one tool in full
    workshop validate FILE         check an edited content file
    workshop new "Title"           create a workshop, print its slug
    workshop list                  workshops in the store
    workshop demo                  fill the store with a fictional demo workshop
    workshop lock SLUG STAGE       lock a stage (also: open, reveal, hide, round, anonymous)

Every verb has ``--help``. The store is ``$WORKSHOP_DB`` (a path or a
SQLAlchemy URL) unless ``--db`` says otherwise; the content is
``$WORKSHOP_CONTENT`` or the packaged file unless ``--content`` says
otherwise (:mod:`toolkit.cli.context` builds both for every verb).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from toolkit.cli.context import add_content_option
from toolkit.errors import ToolkitError

Handler = Callable[[argparse.Namespace], int]

#: Modules that add verbs; each has ``register(verb)``.
VERB_MODULES: tuple[str, ...] = ("content_verbs", "store_verbs", "serve_verbs", "export_verbs")


# --------------------------------------------------------------------------
# Parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workshop",
        description="Run cross-sector collaboration workshops built on The Intersector Toolkit.",
    )
    add_content_option(parser, top=True)
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    sub.required = True

    def verb(name: str, handler: Handler, help: str, description: str | None = None, *, content: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=description or help)
        p.set_defaults(handler=handler)
        if content:
            add_content_option(p)
        return p

    import importlib

    for name in VERB_MODULES:
        importlib.import_module(f"toolkit.cli.{name}").register(verb)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except ToolkitError as exc:
        sys.stderr.write(f"workshop {args.verb}: {exc}\n")
        return 1
    except KeyboardInterrupt:
        return 130


