"""The one place where ``workshop`` verbs get their content and their store.

    >>> kit = content_of(args)     # --content, else $WORKSHOP_CONTENT, else the packaged file
    >>> store = store_of(args)     # --db, else $WORKSHOP_DB, else the default file; on that content

``--content`` is accepted before the verb (``workshop --content FILE list``)
and after it (``workshop serve --content FILE``); every verb that reads
content or a store goes through here, so an edited content file is what
every verb uses, and a missing or broken one stops every verb with one
line naming it.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from toolkit.content import Toolkit
    from toolkit.store import AnswerStore

CONTENT_HELP = "content file (default: $WORKSHOP_CONTENT, else the packaged data/toolkit.yaml)"
DB_HELP = (
    "store path or SQLAlchemy URL (default: $WORKSHOP_DB, else workshop.sqlite in this machine's data folder, "
    "~/.local/share/intersector-workshop on Linux)"
)


def add_content_option(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """``--content FILE`` on the top-level parser (``top``) or on a verb's.
    On a verb it has no default, so it does not hide one given before the verb."""
    default = None if top else argparse.SUPPRESS
    parser.add_argument("--content", metavar="FILE", default=default, help=CONTENT_HELP)


def add_db_option(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``--db URL`` on a verb's parser."""
    parser.add_argument("--db", metavar="URL", help=DB_HELP)
    return parser


def content_of(args: argparse.Namespace) -> Toolkit:
    """The content a verb uses, loaded and checked."""
    from toolkit import content

    return content.load(getattr(args, "content", None))


def store_of(args: argparse.Namespace) -> AnswerStore:
    """The answer store a verb uses, on the verb's content."""
    from toolkit.store import AnswerStore

    return AnswerStore(getattr(args, "db", None), kit=content_of(args))
