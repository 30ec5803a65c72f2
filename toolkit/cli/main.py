"""The ``workshop`` command line: everything a facilitator does from a widget
can be done from here, with ``toolkit`` alone.

    workshop tools                 list stages and tools in order
    workshop show 7                one tool in full
    workshop validate FILE         check an edited content file
    workshop new "Title"           create a workshop, print its slug
    workshop list                  workshops in the store
    workshop demo                  fill the store with a fictional demo workshop
    workshop lock SLUG STAGE       lock a stage (also: open, reveal, hide, round, anonymous)
    workshop plan SLUG --template first-meeting   today's plan (also: timer, hide-answer, present)

Every verb has ``--help``. The store is ``$WORKSHOP_DB`` (a path or a
SQLAlchemy URL) unless ``--db`` says otherwise; the content is
``$WORKSHOP_CONTENT`` or the packaged file unless ``--content`` says
otherwise (:mod:`toolkit.cli.context` builds both for every verb).

Exit codes, the same for every verb:

    0    done
    1    the verb ran and its answer is no: ``workshop validate`` found the
         file invalid (the only verb with a yes/no answer so far)
    2    it failed: a store that cannot be opened or used, a missing driver,
         a broken content file, an import refused, an unknown workshop or
         tool, a bad option (argparse's own usage errors are 2 as well)
    130  stopped with Ctrl-C (``serve`` says 0: Ctrl-C is how it ends);
         141  its output was closed early (``| head``)

A failure is one line on stderr, ``workshop VERB: what is wrong; what to
do``, never a traceback (``workshop --traceback VERB`` shows it, for a
bug report). :func:`explain` is the one place an exception becomes that line.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from toolkit.cli.context import add_content_option, store_location
from toolkit.errors import ToolkitError

Handler = Callable[[argparse.Namespace], int]

EXIT_DONE, EXIT_NO, EXIT_FAILED = 0, 1, 2
EXIT_INTERRUPTED, EXIT_PIPE_CLOSED = 130, 141

#: Modules that add verbs; each has ``register(verb)``.
VERB_MODULES: tuple[str, ...] = ("content_verbs", "store_verbs", "control_verbs", "serve_verbs", "export_verbs")


# --------------------------------------------------------------------------
# Parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workshop",
        description="Run cross-sector collaboration workshops built on The Intersector Toolkit.",
    )
    add_content_option(parser, top=True)
    parser.add_argument("--traceback", action="store_true", help="on an error, show Python's traceback too (for a bug report)")
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
    """Run one ``workshop`` command; returns its exit code (see the module)."""
    try:
        parser = build_parser()  # imports every verb's module: a moment to press Ctrl-C in too
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    args = parser.parse_args(argv)
    try:
        code = args.handler(args)
        sys.stdout.flush()  # a reader that went away (| head) is met here, not at exit
        return code
    except BrokenPipeError:
        _drop_stdout()
        return EXIT_PIPE_CLOSED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:
        if args.traceback:
            raise
        _say(f"workshop {args.verb}: {explain(exc, args)}")
        return EXIT_NO if isinstance(exc, getattr(args, "answer_no", ())) else EXIT_FAILED


def explain(exc: BaseException, args: argparse.Namespace) -> str:
    """One line for an error a verb met: the cause and what to do.

    The kit's own errors already say both; database and driver errors name
    the store (:func:`toolkit.store.schema.store_error`); file errors name
    the file; anything else is a bug, and says how to report it."""
    if isinstance(exc, ToolkitError):
        text = str(exc)
    elif _is_database_error(exc):
        from toolkit.store.schema import store_error

        text = str(store_error(exc, store_location(args)))
    elif isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        text = f"{where}{exc.strerror or exc}; check the path and its permissions"
    else:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        text = (
            f"unexpected error ({type(exc).__name__}{': ' + first if first else ''}); this is a bug in the kit: "
            f"run again as workshop --traceback {args.verb} ... and report what it prints"
        )
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def _is_database_error(exc: BaseException) -> bool:
    """A SQLAlchemy error, or a driver's own (sqlite3, psycopg), without
    importing a driver that is not loaded."""
    if "sqlalchemy" in sys.modules and isinstance(exc, sys.modules["sqlalchemy"].exc.SQLAlchemyError):
        return True
    return any(cls.__module__.split(".")[0] in ("sqlite3", "psycopg") for cls in type(exc).__mro__)


def _say(line: str) -> None:
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # stderr closed as well: nobody to tell
        pass


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so the flush at exit does not complain
    about the closed pipe a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
