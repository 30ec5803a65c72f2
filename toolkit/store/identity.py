"""Who is on the other end of a page: the device token a browser carries
and the resume code a participant types on another device.

The room (``workshop serve``) gives every browser that joins a random
device token in the ``xs_device`` cookie; Voila hands the page's Cookie
header to the kernel as ``HTTP_COOKIE`` (``http_header_envs=["Cookie"]``),
and :func:`device_from_environ` reads it there. The store keeps only a
hash of the token (:func:`device_hash`), bound to one participant of one
workshop (:meth:`toolkit.store.AnswerStore.participant_for_device`).

A resume code is a participant's personal secret for continuing on
another device: 8 characters from an alphabet without look-alikes
(no 0/O, 1/I/L, U), shown in two groups of four, unique per workshop::

    >>> format_resume_code("K7PQ4QX9")
    'K7PQ-4QX9'
    >>> normalise_resume_code(" k7pq 4qx9 ")
    'K7PQ4QX9'

Nothing here touches the database: the store and the pages call these.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping

from toolkit.store.checks import refuse

#: The cookie the room sets (see the room's contract, issue #12).
DEVICE_COOKIE = "xs_device"
#: What a device token looks like: ``secrets.token_urlsafe(32)`` is 43 of
#: these; anything much shorter could be guessed, anything longer is not ours.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")

#: Letters and digits that cannot be mistaken for one another when read
#: aloud, handwritten or typed on a phone.
RESUME_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
RESUME_LENGTH = 8
#: 30**8 is about 6.6e11 codes: guessing one of a room's 40 takes about
#: 16 billion tries on average.
_GROUP = 4


def device_from_environ(environ: Mapping[str, str]) -> str | None:
    """The device token in ``environ["HTTP_COOKIE"]`` (as Voila sets it for
    a page's kernel), or ``None`` when there is none or it is malformed.

        >>> device_from_environ({"HTTP_COOKIE": "xs_device=abc...; other=1"})
    """
    header = environ.get("HTTP_COOKIE") or ""
    # Read by hand: http.cookies.SimpleCookie silently stops at the first
    # cookie it cannot parse, and a browser may carry anyone's cookies.
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == DEVICE_COOKIE:
            return valid_device(value.strip().strip('"'))
    return None


def valid_device(token: object) -> str | None:
    """``token`` if it looks like a device token, else ``None``."""
    if isinstance(token, str) and _TOKEN.match(token):
        return token
    return None


def device_hash(token: str) -> str:
    """What the store keeps for a device token: its SHA-256, in hex. A
    copy of the store does not let anyone act as the device."""
    if valid_device(token) is None:
        raise refuse("device", "not a device token")
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def new_resume_code() -> str:
    """A fresh random resume code (undashed, upper case)."""
    return "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_LENGTH))


def format_resume_code(code: str) -> str:
    """``K7PQ4QX9`` -> ``K7PQ-4QX9``: how a code is shown and printed."""
    return "-".join(code[i : i + _GROUP] for i in range(0, len(code), _GROUP))


def normalise_resume_code(typed: object) -> str:
    """A typed resume code as the store keeps it: upper case, without the
    dash and spaces. Raises :class:`InvalidAnswer` naming what is wrong."""
    if not isinstance(typed, str) or not typed.strip():
        raise refuse("resume code", "type the code shown on your other device (like K7PQ-4QX9)")
    code = re.sub(r"[\s-]+", "", typed).upper()
    wrong = sorted({c for c in code if c not in RESUME_ALPHABET})
    if wrong:
        hint = " (codes use no 0, 1, I, L, O or U)" if set(wrong) & set("01ILOU") else ""
        shown = ", ".join(repr(c) for c in wrong[:5])
        raise refuse("resume code", f"{shown} cannot be in a code{hint}")
    if len(code) != RESUME_LENGTH:
        raise refuse("resume code", f"a code has {RESUME_LENGTH} characters, this has {len(code)}")
    return code
