"""The one place where ``workshop`` verbs get their content and their store.

    >>> kit = content_of(args)     # --content, else $WORKSHOP_CONTENT, else the packaged file
    >>> store = store_of(args)     # --db, else $WORKSHOP_DB, else the default file; on that content

``--content`` is accepted before the verb (``workshop --content FILE list``)
and after it (``workshop serve --content FILE``); every verb that reads
content or a store goes through here, so an edited content file is what
every verb uses, and a missing or broken one stops every verb with one
line naming it.

A SQLite store in a folder that does not exist is refused (a typo must not
start a new, empty store); the verbs that start stores (new, demo, import)
take ``--create-folder`` to make it.
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


def add_db_option(parser: argparse.ArgumentParser, *, create_folder: bool = False) -> argparse.ArgumentParser:
    """``--db URL`` on a verb's parser, and ``--create-folder`` on a verb
    that may start a new store."""
    parser.add_argument("--db", metavar="URL", help=DB_HELP)
    if create_folder:
        parser.add_argument("--create-folder", action="store_true", help="create the store's folder if it does not exist (otherwise a missing folder is refused)")
    return parser


def content_of(args: argparse.Namespace) -> Toolkit:
    """The content a verb uses, loaded and checked."""
    from toolkit import content

    return content.load(getattr(args, "content", None))


def store_of(args: argparse.Namespace) -> AnswerStore:
    """The answer store a verb uses, on the verb's content; its folder is
    made first when the verb was given ``--create-folder``."""
    from toolkit.store import AnswerStore

    kit = content_of(args)
    if getattr(args, "create_folder", False):
        _make_folder(store_location(args))
    return AnswerStore(getattr(args, "db", None), kit=kit)


def store_location(args: argparse.Namespace) -> str:
    """The URL of the store a verb uses (``--db``, else ``$WORKSHOP_DB``,
    else the default file), for opening it or naming it in a message."""
    from toolkit.store.schema import resolve_url

    return resolve_url(getattr(args, "db", None))


def _make_folder(url: str) -> None:
    from toolkit.errors import StoreError
    from toolkit.store.schema import SETTING, sqlite_folder

    folder = sqlite_folder(url)
    if folder is None or folder.is_dir():
        return
    from toolkit.paths import private_dir

    try:
        private_dir(folder)
    except OSError as exc:
        raise StoreError(f"cannot create the folder {folder} for the store ({exc.strerror}); check its parent's permissions, or set {SETTING} to another place") from None
