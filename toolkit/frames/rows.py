"""Stored rows as they enter the frames: a row no view can show is left out,
with a :class:`BadRow` warning, so one poisoned row never breaks the
dashboard or an export.

The store checks everything it writes, but a row can still be written
around it (an old import, a hand-edited database, another program). Such a
row is left out of every frame here, once, where rows are read:

- a time (``created``, ``updated``) that is not a number from the store's
  earliest time (:data:`toolkit.store.checks.EARLIEST_TIME`, 2000) to the
  last one the frames can hold (:data:`LATEST`, 2262);
- an answer in a round the workshop never had, of an unknown kind, by a
  participant the workshop does not have (or who was left out), a rating
  off the content's scale, a dot count that is not a whole number from 0
  to the workshop's budget, or text over the store's length limit.

    >>> with warnings.catch_warnings(record=True) as caught:
    ...     frames = all_frames(store, "demo")    # the good rows, all of them
    >>> caught[0].message
    BadRow('workshop demo: 1 answer row left out of every view (id 12): created is not a time from 2000 to 2262')

Rows that are merely unusual stay: an answer to a tool the content no
longer has keeps its place in the history, an unknown sector is shown by
its id.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from toolkit.errors import ToolkitWarning
from toolkit.store.checks import EARLIEST_TIME, MAX_ANSWER_CHARS
from toolkit.store.values import KINDS, NOT_SURE, NOT_YET

if TYPE_CHECKING:
    from toolkit.content import Toolkit
    from toolkit.store.values import Action, Participant, WorkshopSettings

#: The earliest time a view shows: the store's own (2000-01-01; it writes nothing earlier).
EARLIEST = EARLIEST_TIME
#: The latest time a frame can hold (pandas' nanosecond times end in April
#: 2262). Not the store's "a day from now": a row a writer with a fast clock
#: saved is still shown.
LATEST = float(pd.Timestamp.max.floor("s").timestamp())
#: How the window reads in a warning.
WINDOW = "from 2000 to 2262"


class BadRow(ToolkitWarning):
    """A stored row no view can show was left out of the frames; the
    message names the workshop, the table, the row ids and what is wrong."""


def is_time(value: Any) -> bool:
    """``value`` is seconds since the epoch that a view can show.

        >>> is_time(1_780_000_000.0), is_time(1e300), is_time(253402300800.0), is_time(0.0)
        (True, False, False, False)
    """
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and EARLIEST <= value <= LATEST


def times_ok(values: np.ndarray) -> np.ndarray:
    """:func:`is_time` for a ``float64`` array (NaN, inf and the rest out)."""
    with np.errstate(invalid="ignore"):
        return (values >= EARLIEST) & (values <= LATEST)


def warn(slug: str, table: str, ids: Sequence[Any], problem: str) -> None:
    """One :class:`BadRow` warning for rows of one table with one problem."""
    if not len(ids):
        return
    n = len(ids)
    shown = ", ".join(str(i) for i in list(ids)[:5]) + (", ..." if n > 5 else "")
    rows = f"{n} {table} row{'s' * (n != 1)}"
    warnings.warn(BadRow(f"workshop {slug}: {rows} left out of every view (id{'s' * (n != 1)} {shown}): {problem}"), stacklevel=3)


def admit_people(slug: str, people: Sequence[Participant], *, reported: Collection[int] = ()) -> tuple[list[Participant], list[int]]:
    """The participants a view can show (a readable time, text where text
    belongs), and the ids of those left out; ids in ``reported`` are left
    out without a second warning."""
    good, bad = [], []
    for p in people:
        texts = (p.organization, p.sector, p.table) + (() if p.name is None else (p.name,))
        if is_time(p.created) and all(isinstance(t, str) for t in texts):
            good.append(p)
        else:
            bad.append(p.id)
    warn(slug, "participant", [i for i in bad if i not in reported], f"created is not a time {WINDOW}, or a name, organization, sector or table is not text (their answers are left out too)")
    return good, bad


def admit_actions(slug: str, actions: Sequence[Action], *, reported: Collection[int] = ()) -> tuple[list[Action], list[int]]:
    """The actions a view can show (times readable, text where text
    belongs; a sector or due date that is not text is left empty), and the
    ids of those left out; ids in ``reported`` without a second warning."""
    good, bad = [], []
    for a in actions:
        texts = (a.tool_id, a.what, a.owner, a.status)
        if is_time(a.created) and is_time(a.updated) and all(isinstance(t, str) for t in texts):
            good.append(a if isinstance(a.owner_sector, (str, type(None))) and isinstance(a.due, (str, type(None))) else replace(a, owner_sector=None, due=None))
        else:
            bad.append(a.id)
    warn(slug, "action", [i for i in bad if i not in reported], f"created or updated is not a time {WINDOW}, or its text is not text")
    return good, bad


def admit_answers(slug: str, cols: dict[str, np.ndarray], kit: Toolkit, settings: WorkshopSettings, people: Sequence[Participant]) -> np.ndarray:
    """Which answer rows (columns as :meth:`AnswerStore.answer_columns`
    reads them) a view can show, as a boolean array; the others are named
    in one :class:`BadRow` warning per problem."""
    n = len(cols["id"])
    ok = np.ones(n, dtype=bool)
    if not n:
        return ok
    ids = cols["id"]
    checks: list[tuple[np.ndarray, str]] = []
    if "created" in cols:
        checks.append((times_ok(np.asarray(cols["created"], dtype="float64")), f"created is not a time {WINDOW}"))
    if "round" in cols:
        rounds = cols["round"]
        checks.append(((rounds >= 1) & (rounds <= settings.round), f"round is not one the workshop has had (1 to {settings.round})"))
    if "participant_id" in cols:
        known = np.fromiter((p.id for p in people), dtype="int64", count=len(people))
        checks.append((np.isin(cols["participant_id"], known), "the participant is not one of the workshop's (or was left out)"))
    kind = cols.get("kind")
    value = cols.get("value")
    if value is not None:
        checks.append((_short_texts(value), f"the value is not text of at most {MAX_ANSWER_CHARS:,} characters"))
    if kind is not None:
        checks.append((_among(kind, KINDS), f"the kind is not one of {', '.join(KINDS)}"))
        if value is not None:
            passed = np.ones(n, dtype=bool)
            rating = np.flatnonzero(kind == "rating")
            passed[rating] = _among(value[rating], [NOT_SURE, NOT_YET, *(str(v) for v in kit.scale.values)])
            checks.append((passed, f"a rating is not on the scale ({kit.scale.values[0]} to {kit.scale.values[-1]}, {NOT_SURE!r} or {NOT_YET!r})"))
            passed = np.ones(n, dtype=bool)
            dots = np.flatnonzero(kind == "dots")
            passed[dots] = _among(value[dots], [str(d) for d in range(settings.dots + 1)])
            checks.append((passed, f"a dot count is not a whole number from 0 to the budget of {settings.dots}"))
    for passed, problem in checks:
        failed = ok & ~passed
        if failed.any():
            warn(slug, "answer", ids[failed].tolist(), problem)
            ok &= passed
    return ok


def _among(values: np.ndarray, allowed: Sequence[str]) -> np.ndarray:
    """``values`` (an object array) in ``allowed``: each distinct value
    looked up once (a few kinds or scale points over 100,000 rows)."""
    codes, uniques = pd.factorize(values)  # -1: missing
    wanted = set(allowed)
    ok = np.asarray([u in wanted for u in uniques] + [False], dtype=bool)
    return ok[codes]


def _short_texts(values: np.ndarray) -> np.ndarray:
    """True where a value is ``str`` of at most :data:`MAX_ANSWER_CHARS`."""
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        return np.fromiter(map(len, values), dtype="int64", count=len(values)) <= MAX_ANSWER_CHARS
    return np.fromiter((isinstance(v, str) and len(v) <= MAX_ANSWER_CHARS for v in values), dtype=bool, count=len(values))
