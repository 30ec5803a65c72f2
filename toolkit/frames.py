"""pandas DataFrames of one workshop, with columns and dtypes defined once
(:data:`COLUMNS`) so every view and export agrees on them.

    >>> frames = all_frames(store, "riverside-partners")
    >>> frames["ratings"].query("sector == 'all'")[["tool", "mean", "band"]]

Ratings are banded: **strength** at a mean of 4 or more, **discuss** from 3,
**concern** below 3. A tool is flagged for **divergence** ("partners see this
differently") when the means of two sectors differ by
:data:`DIVERGENCE_GAP` points or more: the cross-sector conversation the
toolkit exists for.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from toolkit.values import NOT_SURE

if TYPE_CHECKING:
    from toolkit.content import Toolkit
    from toolkit.store import AnswerStore
    from toolkit.values import Participant

#: Means at or above this are a strength.
STRENGTH_AT = 4.0
#: Means at or above this (and below STRENGTH_AT) are to discuss; below is a concern.
DISCUSS_AT = 3.0
#: Sector means this far apart (points on the 1-5 scale) flag a divergence.
DIVERGENCE_GAP = 1.5
#: Label of the row that aggregates every sector.
ALL_SECTORS = "all"

_TOOL = {"tool_id": "string", "tool_number": "int64", "tool": "string", "stage_id": "string", "stage": "string"}
_WHO = {"participant_id": "int64", "name": "string", "organization": "string", "sector": "string", "table": "string"}

#: Every frame's columns, in order, with their dtypes.
COLUMNS: dict[str, dict[str, str]] = {
    "participants": {**_WHO, "created": "datetime64[ns, UTC]"},
    "answers": {
        "answer_id": "int64",
        "round": "int64",
        **_WHO,
        **_TOOL,
        "question_id": "string",
        "question": "string",
        "kind": "string",
        "value": "string",
        "created": "datetime64[ns, UTC]",
    },
    "ratings": {**_TOOL, "sector": "string", "mean": "float64", "count": "int64", "not_sure": "int64", "band": "string"},
    "divergence": {
        **_TOOL,
        "sectors": "int64",
        "low_sector": "string",
        "low_mean": "float64",
        "high_sector": "string",
        "high_mean": "float64",
        "gap": "float64",
        "spread": "float64",
        "count": "int64",
        "flagged": "bool",
    },
    "progress": {**_TOOL, "table": "string", "participants": "int64", "answered": "int64", "questions": "int64", "share": "float64", "rated": "bool"},
    "priorities": {**_TOOL, "dots": "int64", "voters": "int64", "rank": "int64"},
    "actions": {
        "action_id": "int64",
        **_TOOL,
        "what": "string",
        "owner": "string",
        "owner_sector": "string",
        "due": "string",
        "status": "string",
        "created": "datetime64[ns, UTC]",
        "updated": "datetime64[ns, UTC]",
    },
}
COLUMNS["current_answers"] = COLUMNS["answers"]

#: Frame names in the order exports list them.
FRAME_NAMES = ("answers", "current_answers", "ratings", "divergence", "progress", "priorities", "actions", "participants")


def band(mean: float | None) -> str:
    """``strength``, ``discuss`` or ``concern`` for a mean rating; ``""``
    when nobody rated."""
    if mean is None or pd.isna(mean):
        return ""
    if mean >= STRENGTH_AT:
        return "strength"
    if mean >= DISCUSS_AT:
        return "discuss"
    return "concern"


def empty(name: str) -> pd.DataFrame:
    """An empty frame with the right columns and dtypes."""
    return pd.DataFrame({c: pd.Series([], dtype=dtype) for c, dtype in COLUMNS[name].items()}, index=pd.RangeIndex(0))


def _shape(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with exactly frame ``name``'s columns, in order, with their
    dtypes (a missing column is filled in), indexed 0..n-1."""
    spec = COLUMNS[name]
    columns = {}
    for col, dtype in spec.items():
        values = df[col] if col in df.columns else pd.Series(np.nan, index=df.index, dtype="float64")
        if str(values.dtype) == dtype:
            pass  # built with the right dtype already
        elif dtype.startswith("datetime"):
            if not isinstance(values.dtype, pd.DatetimeTZDtype):
                values = pd.to_datetime(values.astype("float64"), unit="s", utc=True)
            values = values.astype(dtype)
        elif dtype == "bool":
            values = values.fillna(False).astype(bool)
        elif dtype == "int64":
            values = values.fillna(0).astype("int64")
        else:
            values = values.astype(dtype)
        columns[col] = values.array
    # One frame built from the finished arrays: cheaper than replacing
    # columns of a copy one by one.
    return pd.DataFrame(columns, index=pd.RangeIndex(len(df)))


class _Lookups:
    """Content and participant facts to join onto answer rows, by position
    (``pandas.Index.get_indexer``) rather than by merging frames."""

    def __init__(self, kit: Toolkit, people: Sequence[Participant]):
        stage_title = {s.id: s.title for s in kit.stages}
        self.tools = pd.DataFrame(
            {
                "tool_id": [t.id for t in kit.tools],
                "tool_number": [t.number for t in kit.tools],
                "tool": [t.name for t in kit.tools],
                "stage_id": [t.stage_id for t in kit.tools],
                "stage": [stage_title[t.stage_id] for t in kit.tools],
                "questions": [len(t.questions) for t in kit.tools],
            }
        )
        self.questions = {q.id: q.text for t in kit.tools for q in t.questions}
        self.participants = pd.DataFrame(
            {
                "participant_id": [p.id for p in people],
                "name": [p.name or "" for p in people],
                "organization": [p.organization for p in people],
                "sector": [p.sector for p in people],
                "table": [p.table for p in people],
                "created": [p.created for p in people],
            }
        )
        self.tool_index = pd.Index(self.tools["tool_id"].to_numpy(dtype=object))
        self.tool_numbers = self.tools["tool_number"].to_numpy(dtype="int64")
        self.tool_text = {c: pd.array(self.tools[c].to_numpy(dtype=object), dtype="string") for c in ("tool", "stage_id", "stage")}
        self.people_index = pd.Index(self.participants["participant_id"].to_numpy(dtype="int64"))
        self.people_text = {c: pd.array(self.participants[c].to_numpy(dtype=object), dtype="string") for c in ("name", "organization", "sector", "table")}

    @classmethod
    def of(cls, store: AnswerStore, slug: str) -> _Lookups:
        return cls(store.kit, store.participants(slug))


#: The answer columns the frames read (all but ``workshop_id``).
_READ = ("id", "round", "participant_id", "tool_id", "question_id", "kind", "value", "created")
#: What makes an answer the same answer again: its newest row is the current one.
_KEY = ("participant_id", "tool_id", "kind", "question_id")

#: Answer rows as one numpy array per column (:meth:`AnswerStore.answer_columns`).
Columns = dict[str, np.ndarray]
#: Integer codes and distinct values of the text columns of :data:`_KEY`
#: (``pandas.factorize``). Hashing the strings is the dearest step over
#: 100,000 rows, so it is done once and shared by the shaped frame and the
#: choice of current rows.
Codes = dict[str, tuple[np.ndarray, np.ndarray]]


def _rows(cols: Columns, which: np.ndarray) -> Columns:
    """The rows of ``cols`` at ``which`` (positions or a boolean mask)."""
    return {k: v[which] for k, v in cols.items()}


def _encode(cols: Columns) -> Codes:
    return {c: pd.factorize(cols[c]) for c in ("tool_id", "kind", "question_id")}


def _latest(cols: Columns, codes: Codes) -> np.ndarray:
    """Positions of the newest row per :data:`_KEY` in rows ordered by id,
    in id order."""
    n = len(cols["id"])
    if n == 0:
        return np.arange(0)
    # One integer per key: each column's codes folded into the running code,
    # re-numbered after every step so the product never overflows.
    key, _ = pd.factorize(cols["participant_id"])
    for column in _KEY[1:]:
        column_codes, uniques = codes[column]
        key, _ = pd.factorize(key * len(uniques) + column_codes)
    return np.flatnonzero(~pd.Index(key).duplicated(keep="last"))


def _answers_frame(cols: Columns, look: _Lookups, name: str, codes: Codes | None = None) -> pd.DataFrame:
    """Answer rows (columns :data:`_READ`) with who wrote them and the tool
    and question they answer, shaped as frame ``name``."""
    if len(cols["id"]) == 0:
        return empty(name)
    codes = codes or _encode(cols)
    who = look.people_index.get_indexer(cols["participant_id"])
    tool_codes, tool_ids = codes["tool_id"]
    tool = look.tool_index.get_indexer(tool_ids)[tool_codes]
    question_codes, question_ids = codes["question_id"]
    kind_codes, kinds = codes["kind"]

    def text(values: Any, positions: np.ndarray) -> Any:
        return pd.array(np.asarray(values, dtype=object), dtype="string").take(positions)

    df = pd.DataFrame(
        {
            "answer_id": cols["id"],
            "round": cols["round"],
            "participant_id": cols["participant_id"],
            # allow_fill: a row whose participant or tool is unknown gets <NA>,
            # as the left join this replaces did.
            **{c: look.people_text[c].take(who, allow_fill=True) for c in look.people_text},
            "tool_id": text(tool_ids, tool_codes),
            "tool_number": np.where(tool >= 0, look.tool_numbers[tool], 0),
            **{c: look.tool_text[c].take(tool, allow_fill=True) for c in look.tool_text},
            "question_id": text(question_ids, question_codes),
            "question": text([look.questions.get(q, "") for q in question_ids], question_codes),
            "kind": text(kinds, kind_codes),
            "value": pd.array(cols["value"], dtype="string"),
            "created": cols["created"],
        }
    )
    return _shape(name, df)


def participants(store: AnswerStore, slug: str) -> pd.DataFrame:
    """Who signed in: name (may be empty), organization, sector, table."""
    return _shape("participants", _Lookups.of(store, slug).participants)


def answers(store: AnswerStore, slug: str) -> pd.DataFrame:
    """Every answer row ever written (the history), oldest first."""
    return _answers_frame(store.answer_columns(slug, _READ), _Lookups.of(store, slug), "answers")


def current_answers(store: AnswerStore, slug: str, round: int | None = None) -> pd.DataFrame:
    """The newest answer per participant, tool, kind and question in a round
    (default: the workshop's current round). Cleared answers are left out."""
    round = round or store.workshop(slug).settings.round
    latest = store.answer_columns(slug, _READ, current=True, round=round)
    return _answers_frame(_rows(latest, latest["value"] != ""), _Lookups.of(store, slug), "current_answers")


def _numbers(values: np.ndarray) -> np.ndarray:
    """Text parsed as numbers (``float64``), NaN where it is not one
    (such as "not sure")."""
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype="float64")


def _objects(column: pd.Series) -> np.ndarray:
    """A text column as a numpy array of ``str`` (``pd.NA`` where missing),
    read-only: for a string column the array pandas holds, not a copy.
    pandas' string arrays are slow to mask and group by a few thousand rows
    at a time; plain object arrays and integer codes are not."""
    return column.to_numpy(dtype=object)


def ratings(current: pd.DataFrame, look: _Lookups | None = None) -> pd.DataFrame:
    """Mean rating, count and band per tool and sector, plus a row per tool
    with ``sector == "all"``. "Not sure" is counted apart, not averaged."""
    # A tool the content no longer has has no name to show: left out.
    keep = np.flatnonzero((_objects(current["kind"]) == "rating") & current["tool"].notna().to_numpy())
    if not len(keep):
        return empty("ratings")
    value = _objects(current["value"])[keep]
    unsure = value == NOT_SURE
    score = _numbers(value)  # NaN for "not sure": left out of the mean
    tool, _ = pd.factorize(_objects(current["tool_id"])[keep])
    sector, sector_names = pd.factorize(_objects(current["sector"])[keep])  # -1: the sector is unknown
    # Integer groups: tool * width + sector, and tool * width + len(sectors)
    # for the tool's "all" row.
    width = len(sector_names) + 1
    known = np.flatnonzero(sector >= 0)
    rows = np.concatenate([known, np.arange(len(keep))])
    groups = np.concatenate([tool[known] * width + sector[known], tool * width + width - 1])
    scores = pd.Series(score[rows]).groupby(groups)
    stats = pd.DataFrame({"mean": scores.mean(), "count": scores.count(), "not_sure": pd.Series(unsure[rows]).groupby(groups).sum()})
    group_tool, slot = np.divmod(stats.index.to_numpy(), width)
    overall = slot == width - 1
    first_row = keep[np.unique(tool, return_index=True)[1]][group_tool]  # where each group's tool facts are
    df = pd.DataFrame(
        {
            **{c: current[c].to_numpy()[first_row] for c in _TOOL},
            "sector": np.where(overall, ALL_SECTORS, np.append(np.asarray(sector_names, dtype=object), ALL_SECTORS)[slot]),
            "mean": stats["mean"].to_numpy(),
            "count": stats["count"].to_numpy(),
            "not_sure": stats["not_sure"].to_numpy(),
            "band": [band(m) for m in stats["mean"]],
            "_all": overall,
        }
    )
    return _shape("ratings", df.sort_values(["tool_number", "_all", "sector"]))


def divergence(current: pd.DataFrame, rating_frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per tool: the lowest and highest sector means, their gap, the spread
    (standard deviation) of all ratings, and whether the gap reaches
    :data:`DIVERGENCE_GAP` between at least two sectors."""
    rating_frame = ratings(current) if rating_frame is None else rating_frame
    sectors = rating_frame[(rating_frame["sector"] != ALL_SECTORS) & (rating_frame["count"] > 0)].reset_index(drop=True)
    if sectors.empty:
        return empty("divergence")
    value = _objects(current["value"])
    rated = (_objects(current["kind"]) == "rating") & (value != NOT_SURE)
    by_tool_id = pd.Series(_numbers(value[rated])).groupby(_objects(current["tool_id"])[rated])
    spread, counts = by_tool_id.std(ddof=0), by_tool_id.count()
    # The first of equal means wins, in the ratings' order (sectors
    # alphabetically within a tool), as idxmin/idxmax would pick.
    tool_ids = _objects(sectors["tool_id"])
    tool, _ = pd.factorize(tool_ids)
    mean = sectors["mean"].to_numpy()
    low = np.lexsort((np.arange(len(mean)), mean, tool))
    high = np.lexsort((np.arange(len(mean)), -mean, tool))
    starts = np.flatnonzero(np.r_[True, tool[low][1:] != tool[low][:-1]])
    low, high = low[starts], high[starts]
    n = np.diff(np.r_[starts, len(tool)])
    gap = mean[high] - mean[low]
    names = tool_ids[low]
    df = sectors.iloc[low][list(_TOOL)].reset_index(drop=True).assign(
        sectors=n,
        low_sector=_objects(sectors["sector"])[low],
        low_mean=mean[low],
        high_sector=_objects(sectors["sector"])[high],
        high_mean=mean[high],
        gap=gap,
        spread=spread.reindex(names).fillna(0.0).to_numpy(dtype="float64"),
        count=counts.reindex(names).fillna(0).to_numpy(dtype="int64"),
        flagged=(n >= 2) & (gap >= DIVERGENCE_GAP),
    )
    return _shape("divergence", df.sort_values("tool_number"))


def progress(current: pd.DataFrame, look: _Lookups) -> pd.DataFrame:
    """Per tool and table: how many of the tool's questions at least one
    person at the table answered, the share, and whether the table rated it.
    Every tool appears for every table that has signed in."""
    tables = sorted(look.participants["table"].unique()) if not look.participants.empty else []
    if not tables:
        return empty("progress")
    n_tools, n_tables = len(look.tools), len(tables)
    # One cell per tool and table, numbered tool-major like the grid below.
    tool = look.tool_index.get_indexer(_objects(current["tool_id"]))
    table = pd.Index(tables, dtype=object).get_indexer(_objects(current["table"]))
    cell = np.where((tool >= 0) & (table >= 0), tool * n_tables + table, -1)
    kind = _objects(current["kind"])
    text = (kind == "text") & (cell >= 0)
    question, questions = pd.factorize(_objects(current["question_id"])[text])
    width = max(len(questions), 1)
    answered_pairs = np.unique(cell[text] * width + question)  # each question once per cell
    answered = np.bincount(answered_pairs // width, minlength=n_tools * n_tables)
    rated = np.bincount(cell[(kind == "rating") & (cell >= 0)], minlength=n_tools * n_tables) > 0
    people = look.participants["table"].value_counts().reindex(tables).to_numpy(dtype="int64")
    df = look.tools.iloc[np.repeat(np.arange(n_tools), n_tables)].reset_index(drop=True)
    df = df.assign(table=np.tile(np.asarray(tables, dtype=object), n_tools), participants=np.tile(people, n_tools), answered=answered, rated=rated)
    df["share"] = df["answered"] / df["questions"]
    return _shape("progress", df.sort_values(["tool_number", "table"]))


def priorities(current: pd.DataFrame, look: _Lookups) -> pd.DataFrame:
    """Dot-vote totals per tool, ranked (ties share a rank); every tool
    appears, with 0 dots when nobody chose it."""
    dots = _objects(current["kind"]) == "dots"
    numbers = _numbers(_objects(current["value"])[dots])
    counts = np.where(np.isnan(numbers), 0, numbers).astype("int64")
    tool = look.tool_index.get_indexer(_objects(current["tool_id"])[dots])
    known = tool >= 0
    totals = np.bincount(tool[known], weights=counts[known], minlength=len(look.tools)).astype("int64")
    voters = np.bincount(tool[known & (counts > 0)], minlength=len(look.tools))
    df = look.tools.assign(dots=totals, voters=voters)
    df["rank"] = df["dots"].rank(method="min", ascending=False).astype("int64")
    return _shape("priorities", df.sort_values(["rank", "tool_number"]))


def actions(store: AnswerStore, slug: str, look: _Lookups | None = None, action_list: list[Any] | None = None) -> pd.DataFrame:
    """The action register: what, owner and their sector, due date, status."""
    look = look or _Lookups.of(store, slug)
    rows = [a.to_dict() for a in (store.actions(slug) if action_list is None else action_list)]
    if not rows:
        return empty("actions")
    df = pd.DataFrame(rows).rename(columns={"id": "action_id"}).merge(look.tools.drop(columns="questions"), on="tool_id", how="left")
    df["owner_sector"] = df["owner_sector"].fillna("")
    df["due"] = df["due"].fillna("")
    return _shape("actions", df.sort_values(["tool_number", "action_id"]))


#: The kinds of answer each frame about the current state is built from.
_KINDS_READ = {"ratings": {"rating"}, "divergence": {"rating"}, "progress": {"text", "rating"}, "priorities": {"dots"}}


def _state_frames(
    current: pd.DataFrame, look: _Lookups, action_frame: pd.DataFrame, old: dict[str, Any] | None = None, kinds: Collection[str] = ()
) -> dict[str, pd.DataFrame]:
    """Every frame about the current state, from the current answers: what
    :func:`all_frames` and :class:`LiveFrames` both return. With ``old``
    (frames of the same participants) and the ``kinds`` of answer that
    changed since, a frame built from none of those kinds is taken from
    ``old`` as it is."""

    def rebuild(name: str) -> bool:
        return old is None or not _KINDS_READ[name].isdisjoint(kinds)

    rating_frame = ratings(current) if rebuild("ratings") else old["ratings"]  # type: ignore[index]
    return {
        "current_answers": current,
        "ratings": rating_frame,
        "divergence": divergence(current, rating_frame) if rebuild("divergence") else old["divergence"],  # type: ignore[index]
        "progress": progress(current, look) if rebuild("progress") else old["progress"],  # type: ignore[index]
        "priorities": priorities(current, look) if rebuild("priorities") else old["priorities"],  # type: ignore[index]
        "actions": action_frame,
        "participants": _shape("participants", look.participants) if old is None else old["participants"],
    }


def all_frames(store: AnswerStore, slug: str, round: int | None = None) -> dict[str, pd.DataFrame]:
    """Every frame of a workshop, reading the store once per table. Frames
    about the current state use ``round`` (default: the current round);
    ``answers`` is the whole history."""
    round = round or store.workshop(slug).settings.round
    look = _Lookups.of(store, slug)
    history = store.answer_columns(slug, _READ)
    codes = _encode(history)
    all_answers = _answers_frame(history, look, "answers", codes)
    # The current answers are rows of the history, already shaped: pick them.
    in_round = np.flatnonzero(history["round"] == round)
    latest = in_round[_latest(_rows(history, in_round), {c: (k[in_round], u) for c, (k, u) in codes.items()})]
    current = all_answers.take(latest[history["value"][latest] != ""]).reset_index(drop=True)
    return {"answers": all_answers, **_state_frames(current, look, actions(store, slug, look))}


def live_frames(store: AnswerStore, slug: str, round: int | None = None) -> dict[str, Any]:
    """What the dashboard shows: everything but the full history. One-off;
    a view that refreshes should keep a :class:`LiveFrames`."""
    return LiveFrames(store, slug).refresh(round)


#: How many of the newest answer ids the first refresh looks at for ids
#: still missing (writes not committed yet). Ids below them are taken as
#: final: an answer is one short transaction, and for one to still be open
#: after 2,000 other answers committed, a full room would have to keep
#: writing for minutes while it waits.
FIRST_LOOK = 2_000
#: Seconds a missing id is looked for again before it is taken as a write
#: that rolled back (its id is never used). A write is one transaction of a
#: few statements (milliseconds; seconds for a large import), so one that
#: commits later than this is not expected; it would not be shown.
HOLD_SECONDS = 120.0


class _Gaps:
    """Answer ids a live view has not seen yet although higher ones exist.

    On PostgreSQL ids come from a sequence when a row is inserted, not when
    it commits: with several kernels writing, id 101 can commit after 102.
    A view that only read ``id > last`` would skip 101 for good. So each
    refresh reads again from the lowest id still missing (``floor``) and
    learns which ids exist now (:meth:`AnswerStore.answer_ids`, read before
    the rows so that a row it names is in the rows too). On SQLite writers
    take the database lock in turn, ids commit in order and nothing is ever
    missing: the window stays empty.
    """

    def __init__(self) -> None:
        self.last = 0  # the highest id seen, of any workshop
        # Runs of missing ids as [low, high] and when each was first missed.
        self.low = np.empty(0, dtype="int64")
        self.high = np.empty(0, dtype="int64")
        self.since = np.empty(0, dtype="float64")

    @property
    def floor(self) -> int:
        """Every id up to this one has been seen (or given up on)."""
        return int(self.low[0]) - 1 if len(self.low) else self.last

    def saw(self, ids: np.ndarray, after: int, now: float) -> None:
        """``ids``: every id above ``after`` that exists now, ascending."""
        if not len(ids):
            return
        before = np.concatenate([[after], ids[:-1]])
        runs = np.flatnonzero(ids - before > 1)
        low, high = before[runs] + 1, ids[runs] - 1
        # A run below the last id seen is what is left of one missed before
        # (ids never vanish) and keeps its time; one above it is new.
        old = np.searchsorted(self.high, low)
        since = np.where(high <= self.last, self.since[np.minimum(old, len(self.since) - 1)] if len(self.since) else now, now)
        keep = since > now - HOLD_SECONDS
        self.low, self.high, self.since = low[keep], high[keep], since[keep]
        self.last = max(self.last, int(ids[-1]))


class LiveFrames:
    """A workshop's current state kept in memory between refreshes.

    The first :meth:`refresh` reads only the newest row per answer (the
    store picks them); later ones only the rows written since, so a
    dashboard over 50,000 answers refreshes in milliseconds when little
    changed, and returns the very same frames object when nothing did
    (``changed`` tells which). A frame whose content did not change is the
    very same object as last time too: a view can skip redrawing it.

    Rows that commit out of id order (PostgreSQL, several kernels writing
    at once) are read when they commit, not skipped (see :class:`_Gaps`).
    """

    def __init__(self, store: AnswerStore, slug: str, *, clock: Callable[[], float] = time.monotonic):
        self.store = store
        self.slug = slug
        self.changed = True
        self._clock = clock
        self._round: int | None = None
        self._gaps = _Gaps()
        # Ids of rows already taken in, above the gaps' floor: a row read
        # again is new only when its id is not among them.
        self._seen = np.empty(0, dtype="int64")
        # The newest row per key in the round, in id order. Cleared answers
        # stay in it, as in the store, and are left out of the frames only.
        self._newest: Columns | None = None
        self._frames: dict[str, Any] | None = None
        self._people_actions: tuple[Any, ...] = ()

    def refresh(self, round: int | None = None) -> dict[str, Any]:
        """The current frames; ``self.changed`` is False when they are the
        same object as last time."""
        round = round or self.store.workshop(self.slug).settings.round
        if round != self._round:
            self._round, self._gaps, self._seen, self._newest, self._frames = round, _Gaps(), self._seen[:0], None, None
        now = self._clock()
        # Ids first, then rows: a row committed in between is read, and its
        # id is seen (and skipped as known) next time.
        if self._newest is None:
            ids = self.store.answer_ids(newest=FIRST_LOOK)
            self._gaps.saw(ids, int(ids[0]) - 1 if len(ids) else 0, now)
            new = self.store.answer_columns(self.slug, _READ, current=True, round=round)
        else:
            floor = self._gaps.floor
            self._gaps.saw(self.store.answer_ids(after_id=floor), floor, now)
            new = self.store.answer_columns(self.slug, _READ, round=round, after_id=floor)
            new = _rows(new, ~np.isin(new["id"], self._seen))
        self._seen = np.union1d(self._seen, new["id"])
        self._seen = self._seen[self._seen > self._gaps.floor]
        people = self.store.participants(self.slug)
        action_list = self.store.actions(self.slug)
        people_actions = (tuple((p.id, p.sector) for p in people), tuple((a.id, a.updated) for a in action_list))
        answers_changed = self._merge(new)
        if self._frames is not None and not answers_changed and people_actions == self._people_actions:
            self.changed = False
            return self._frames
        look = _Lookups(self.store.kit, people)
        current = _answers_frame(_rows(self._newest, self._newest["value"] != ""), look, "current_answers")
        old = self._frames
        if old is not None and people_actions[1] == self._people_actions[1]:
            action_frame = old["actions"]  # the tools' names come from the content, which is fixed
        else:
            action_frame = actions(self.store, self.slug, look, action_list)
        same_people = old is not None and people_actions[0] == self._people_actions[0]
        # A row replaces one of its own kind (the kind is part of the key),
        # so the kinds of the rows read are all the kinds that changed.
        frames = _state_frames(current, look, action_frame, old if same_people else None, set(new["kind"].tolist()))
        if old is not None:
            # Unchanged frames stay the same objects: the cheap change token a
            # view compares (small frames, so comparing costs little).
            for name, df in frames.items():
                if name != "current_answers" and df is not old[name] and old[name].equals(df):
                    frames[name] = old[name]
        self._frames = frames
        self._people_actions = people_actions
        self.changed = True
        return self._frames

    def _merge(self, new: Columns) -> bool:
        """Take rows not seen before into the newest rows per key; True when
        that changed them."""
        if self._newest is None:
            self._newest = new
            return True
        if not len(new["id"]):
            return False
        held = self._newest["id"]
        both = {k: np.concatenate([self._newest[k], new[k]]) for k in new}
        if len(held) and new["id"][0] < held[-1]:
            # A row that committed late: back into id order (the newest per
            # key is the highest id, whenever it was read).
            both = _rows(both, np.argsort(both["id"], kind="stable"))
        self._newest = _rows(both, _latest(both, _encode(both)))
        return not np.array_equal(self._newest["id"], held)
