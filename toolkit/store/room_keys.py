"""The secrets of a served room, kept in the store beside the workshop:
its join code (what participants type), its dashboard key (what the
projected dashboard's link carries), and which workshop ``workshop serve``
served last.

    >>> join_code(store, "riverside")          # made once, then the same
    'K7QM4P'
    >>> join_code(store, "riverside", new=True)  # a new one; the old stops working
    'W3HT9C'
    >>> normalise_code(" k7q-m4p ")
    'K7QM4P'
    >>> remember_served(store, "riverside"); last_served(store)
    'riverside'

They live in the store's ``meta`` table (``join_code:<workshop id>``,
``dashboard_key:<workshop id>``, ``served_slug``), so no table changes, and
no export or import carries them: a code belongs to the room, not to the
record of what was said in it.
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING

import sqlalchemy as sa

from toolkit.errors import ToolkitError
from toolkit.store.schema import meta

if TYPE_CHECKING:
    from toolkit.store.answer_store import AnswerStore

#: Letters and digits nobody confuses when reading a code aloud or off a
#: projector: no 0/O, 1/I/L, and no vowels that could spell words (U, A, E).
CODE_ALPHABET = "23456789BCDFGHJKMNPQRSTVWXYZ"
#: A join code's length: 28**6, about 480 million codes, and a server
#: refuses a browser after a few wrong guesses.
JOIN_CODE_LENGTH = 6
#: Random bytes in a dashboard key (it is only ever clicked, never typed).
DASHBOARD_KEY_BYTES = 18
SERVED_SLUG_KEY = "served_slug"


def new_code(length: int = JOIN_CODE_LENGTH) -> str:
    """A fresh random code from :data:`CODE_ALPHABET`."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(text: str) -> str:
    """A code as typed, the way it is stored: upper case, without spaces,
    dashes or dots (``" k7q-m4p "`` -> ``"K7QM4P"``)."""
    return re.sub(r"[\s.\-_]", "", str(text)).upper()


def join_code(store: AnswerStore, slug: str, *, new: bool = False) -> str:
    """The workshop's join code, made the first time it is asked for;
    ``new=True`` replaces it (browsers that joined with the old one must
    join again)."""
    return _secret(store, slug, "join_code", new=new, make=new_code)


def dashboard_key(store: AnswerStore, slug: str, *, new: bool = False) -> str:
    """The key the projected dashboard's link carries, made once like
    :func:`join_code`; ``new=True`` replaces it."""
    return _secret(store, slug, "dashboard_key", new=new, make=lambda: secrets.token_urlsafe(DASHBOARD_KEY_BYTES))


def read_secrets(store: AnswerStore, slug: str) -> tuple[str | None, str | None]:
    """``(join code, dashboard key)`` as stored, without making any:
    what a running server checks visitors against."""
    with store._read() as conn:
        ws = store._workshop_row(conn, slug)
        rows = dict(conn.execute(sa.select(meta.c.key, meta.c.value).where(meta.c.key.in_([f"join_code:{ws.id}", f"dashboard_key:{ws.id}"]))).all())
    return rows.get(f"join_code:{ws.id}"), rows.get(f"dashboard_key:{ws.id}")


def remember_served(store: AnswerStore, slug: str) -> None:
    """Note that ``workshop serve`` serves ``slug`` (see :func:`last_served`)."""
    with store._write() as conn:
        store._workshop_row(conn, slug)  # NotFound names it
        _put(conn, SERVED_SLUG_KEY, slug)


def last_served(store: AnswerStore) -> str | None:
    """The workshop ``workshop serve`` served last from this store, if it
    still exists."""
    with store._read() as conn:
        slug = conn.execute(sa.select(meta.c.value).where(meta.c.key == SERVED_SLUG_KEY)).scalar()
        if slug is None:
            return None
        try:
            store._workshop_row(conn, slug)
        except ToolkitError:
            return None
    return slug


def _secret(store: AnswerStore, slug: str, kind: str, *, new: bool, make: object) -> str:
    assert callable(make)
    for _attempt in range(3):
        try:
            with store._write() as conn:
                ws = store._workshop_row(conn, slug)
                key = f"{kind}:{ws.id}"
                found = conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar()
                if found is not None and not new:
                    return str(found)
                value = make()
                _put(conn, key, value)
                return value
        except sa.exc.IntegrityError:
            continue  # another process made it at the same moment: read theirs
    raise ToolkitError(f"could not store the {kind.replace('_', ' ')} of {slug!r}: the store was busy; try again")  # pragma: no cover


def _put(conn: sa.Connection, key: str, value: str) -> None:
    if conn.execute(meta.update().where(meta.c.key == key).values(value=value)).rowcount == 0:
        conn.execute(meta.insert().values(key=key, value=value))
