"""The rules every piece of participant text obeys before it is stored.

    >>> clean_text("  We meet monthly.\\r\\n", field="answer")
    'We meet monthly.'

Each refusal is an :class:`InvalidAnswer` that names the field and the
problem, so the widget's status line can show it as it is.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from toolkit.errors import InvalidAnswer

#: The longest answer a participant can save (characters). About eight pages.
MAX_ANSWER_CHARS = 20_000
#: Names, organizations, tables, owners.
MAX_SHORT_CHARS = 120
#: An action's description.
MAX_ACTION_CHARS = 2_000
#: A workshop title.
MAX_TITLE_CHARS = 200

# Control characters (C0, DEL, C1) other than tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(value: object, *, field: str, limit: int = MAX_ANSWER_CHARS, allow_empty: bool = True, multiline: bool = True) -> str:
    """Check and normalise typed text: line endings to ``\\n``, outer
    whitespace trimmed, Unicode NFC. Refuses non-text, control characters,
    and text over ``limit`` characters."""
    if not isinstance(value, str):
        raise InvalidAnswer(f"{field}: expected text, got {type(value).__name__}")
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    bad = _CONTROL.search(text)
    if bad:
        code = f"U+{ord(bad.group()):04X}"
        name = "NUL" if bad.group() == "\x00" else "a control character"
        raise InvalidAnswer(f"{field}: contains {name} ({code}) at position {bad.start() + 1}; only letters, punctuation, tabs and line breaks are allowed")
    if not multiline and "\n" in text.strip():
        raise InvalidAnswer(f"{field}: must be a single line")
    text = unicodedata.normalize("NFC", text.strip())
    if len(text) > limit:
        raise InvalidAnswer(f"{field}: {len(text):,} characters is over the limit of {limit:,}; shorten it or split it across questions")
    if not text and not allow_empty:
        raise InvalidAnswer(f"{field}: must not be empty")
    return text


def clean_short(value: object, *, field: str, required: bool = True) -> str:
    """A one-line name-like field (organization, table, owner)."""
    if value is None and not required:
        return ""
    return clean_text(value, field=field, limit=MAX_SHORT_CHARS, allow_empty=not required, multiline=False)


def clean_date(value: object, *, field: str) -> str | None:
    """An ISO date (``2026-12-01``), a ``date``, or nothing."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise InvalidAnswer(f"{field}: expected a date like 2026-12-31, got {str(value)[:40]!r}")


def slugify(title: str) -> str:
    """A URL-safe id from a title: ``"Riverside Partners 2026"`` ->
    ``"riverside-partners-2026"``."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:48].strip("-") or "workshop"
