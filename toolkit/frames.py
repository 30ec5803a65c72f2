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

from typing import TYPE_CHECKING, Any

import pandas as pd

from toolkit.values import NOT_SURE

if TYPE_CHECKING:
    from toolkit.store import AnswerStore

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
    return _shape(name, pd.DataFrame({c: [] for c in COLUMNS[name]}))


def _shape(name: str, df: pd.DataFrame) -> pd.DataFrame:
    spec = COLUMNS[name]
    out = df.reindex(columns=list(spec))
    for col, dtype in spec.items():
        if dtype.startswith("datetime"):
            if not isinstance(out[col].dtype, pd.DatetimeTZDtype):
                out[col] = pd.to_datetime(out[col].astype("float64"), unit="s", utc=True)
            out[col] = out[col].astype(dtype)
        elif dtype == "bool":
            out[col] = out[col].fillna(False).astype(bool)
        elif dtype == "int64":
            out[col] = out[col].fillna(0).astype("int64")
        else:
            out[col] = out[col].astype(dtype)
    return out.reset_index(drop=True)


class _Lookups:
    """Content and participant facts to join onto answer rows."""

    def __init__(self, store: AnswerStore, slug: str):
        kit = store.kit
        self.kit = kit
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
        people = store.participants(slug)
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


def _answers_frame(raw: pd.DataFrame, look: _Lookups, name: str) -> pd.DataFrame:
    if raw.empty:
        return empty(name)
    df = raw.rename(columns={"id": "answer_id"})
    df = df.merge(look.participants.drop(columns="created"), on="participant_id", how="left")
    df = df.merge(look.tools.drop(columns="questions"), on="tool_id", how="left")
    df["question"] = df["question_id"].map(look.questions).fillna("")
    return _shape(name, df)


def participants(store: AnswerStore, slug: str) -> pd.DataFrame:
    """Who signed in: name (may be empty), organization, sector, table."""
    return _shape("participants", _Lookups(store, slug).participants)


def answers(store: AnswerStore, slug: str) -> pd.DataFrame:
    """Every answer row ever written (the history), oldest first."""
    return _answers_frame(store.answer_rows(slug), _Lookups(store, slug), "answers")


def current_answers(store: AnswerStore, slug: str, round: int | None = None) -> pd.DataFrame:
    """The newest answer per participant, tool, kind and question in a round
    (default: the workshop's current round). Cleared answers are left out."""
    round = round or store.workshop(slug).settings.round
    return _current(store.answer_rows(slug, current=True, round=round), _Lookups(store, slug))


def _current(raw: pd.DataFrame, look: _Lookups) -> pd.DataFrame:
    if not raw.empty:
        raw = raw[raw["value"] != ""]
    return _answers_frame(raw, look, "current_answers")


def ratings(current: pd.DataFrame, look: _Lookups | None = None) -> pd.DataFrame:
    """Mean rating, count and band per tool and sector, plus a row per tool
    with ``sector == "all"``. "Not sure" is counted apart, not averaged."""
    rated = current[current["kind"] == "rating"]
    if rated.empty:
        return empty("ratings")
    rated = rated.assign(score=pd.to_numeric(rated["value"].where(rated["value"] != NOT_SURE), errors="coerce"))
    rated = rated.assign(unsure=rated["value"] == NOT_SURE)
    keys = list(_TOOL)
    by_sector = rated.groupby([*keys, "sector"], observed=True, sort=False).agg(
        mean=("score", "mean"), count=("score", "count"), not_sure=("unsure", "sum")
    ).reset_index()
    overall = rated.groupby(keys, observed=True, sort=False).agg(
        mean=("score", "mean"), count=("score", "count"), not_sure=("unsure", "sum")
    ).reset_index().assign(sector=ALL_SECTORS)
    df = pd.concat([by_sector, overall], ignore_index=True)
    df["band"] = df["mean"].map(band)
    df = df.assign(_all=df["sector"] == ALL_SECTORS).sort_values(["tool_number", "_all", "sector"])
    return _shape("ratings", df)


def divergence(current: pd.DataFrame, rating_frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per tool: the lowest and highest sector means, their gap, the spread
    (standard deviation) of all ratings, and whether the gap reaches
    :data:`DIVERGENCE_GAP` between at least two sectors."""
    rating_frame = ratings(current) if rating_frame is None else rating_frame
    sectors = rating_frame[(rating_frame["sector"] != ALL_SECTORS) & (rating_frame["count"] > 0)]
    if sectors.empty:
        return empty("divergence")
    rated = current[(current["kind"] == "rating") & (current["value"] != NOT_SURE)]
    scores = pd.to_numeric(rated["value"], errors="coerce")
    spread = scores.groupby(rated["tool_id"]).std(ddof=0)
    counts = scores.groupby(rated["tool_id"]).count()
    rows = []
    for tool_id, group in sectors.groupby("tool_id", sort=False):
        low = group.loc[group["mean"].idxmin()]
        high = group.loc[group["mean"].idxmax()]
        gap = float(high["mean"] - low["mean"])
        rows.append(
            {
                **{k: group.iloc[0][k] for k in _TOOL},
                "sectors": len(group),
                "low_sector": low["sector"],
                "low_mean": float(low["mean"]),
                "high_sector": high["sector"],
                "high_mean": float(high["mean"]),
                "gap": gap,
                "spread": float(spread.get(tool_id, 0.0)),
                "count": int(counts.get(tool_id, 0)),
                "flagged": len(group) >= 2 and gap >= DIVERGENCE_GAP,
            }
        )
    return _shape("divergence", pd.DataFrame(rows).sort_values("tool_number"))


def progress(current: pd.DataFrame, look: _Lookups) -> pd.DataFrame:
    """Per tool and table: how many of the tool's questions at least one
    person at the table answered, the share, and whether the table rated it.
    Every tool appears for every table that has signed in."""
    tables = sorted(look.participants["table"].unique()) if not look.participants.empty else []
    if not tables:
        return empty("progress")
    grid = look.tools.merge(pd.DataFrame({"table": tables}), how="cross")
    text = current[(current["kind"] == "text")]
    answered = text.groupby(["tool_id", "table"], observed=True)["question_id"].nunique().rename("answered")
    rated = current[current["kind"] == "rating"].groupby(["tool_id", "table"], observed=True).size().rename("rated") > 0
    people = look.participants.groupby("table")["participant_id"].count().rename("participants")
    df = grid.join(answered, on=["tool_id", "table"]).join(rated, on=["tool_id", "table"]).join(people, on="table")
    df["answered"] = df["answered"].fillna(0).astype("int64")
    df["share"] = df["answered"] / df["questions"]
    df = df.sort_values(["tool_number", "table"])
    return _shape("progress", df)


def priorities(current: pd.DataFrame, look: _Lookups) -> pd.DataFrame:
    """Dot-vote totals per tool, ranked (ties share a rank); every tool
    appears, with 0 dots when nobody chose it."""
    dots = current[current["kind"] == "dots"]
    counts = pd.to_numeric(dots["value"], errors="coerce").fillna(0).astype("int64")
    totals = counts.groupby(dots["tool_id"]).sum().rename("dots")
    voters = counts[counts > 0].groupby(dots["tool_id"]).size().rename("voters")
    df = look.tools.join(totals, on="tool_id").join(voters, on="tool_id")
    df["dots"] = df["dots"].fillna(0).astype("int64")
    df["voters"] = df["voters"].fillna(0).astype("int64")
    df["rank"] = df["dots"].rank(method="min", ascending=False).astype("int64")
    return _shape("priorities", df.sort_values(["rank", "tool_number"]))


def actions(store: AnswerStore, slug: str, look: _Lookups | None = None, action_list: list[Any] | None = None) -> pd.DataFrame:
    """The action register: what, owner and their sector, due date, status."""
    look = look or _Lookups(store, slug)
    rows = [a.to_dict() for a in (store.actions(slug) if action_list is None else action_list)]
    if not rows:
        return empty("actions")
    df = pd.DataFrame(rows).rename(columns={"id": "action_id"}).merge(look.tools.drop(columns="questions"), on="tool_id", how="left")
    df["owner_sector"] = df["owner_sector"].fillna("")
    df["due"] = df["due"].fillna("")
    return _shape("actions", df.sort_values(["tool_number", "action_id"]))


def all_frames(store: AnswerStore, slug: str, round: int | None = None) -> dict[str, pd.DataFrame]:
    """Every frame of a workshop, reading the store once per table. Frames
    about the current state use ``round`` (default: the current round);
    ``answers`` is the whole history."""
    round = round or store.workshop(slug).settings.round
    look = _Lookups(store, slug)
    history = store.answer_rows(slug)
    all_answers = _answers_frame(history, look, "answers")
    current = _current(_latest(history, round), look)
    rating_frame = ratings(current)
    return {
        "answers": all_answers,
        "current_answers": current,
        "ratings": rating_frame,
        "divergence": divergence(current, rating_frame),
        "progress": progress(current, look),
        "priorities": priorities(current, look),
        "actions": actions(store, slug, look),
        "participants": _shape("participants", look.participants),
    }


def live_frames(store: AnswerStore, slug: str, round: int | None = None) -> dict[str, Any]:
    """What the dashboard shows: everything but the full history. One-off;
    a view that refreshes should keep a :class:`LiveFrames`."""
    return LiveFrames(store, slug).refresh(round)


class LiveFrames:
    """A workshop's current state kept in memory between refreshes.

    Each :meth:`refresh` reads only the answer rows written since the last
    one (``id > last``), so a dashboard over 50,000 answers refreshes in
    milliseconds when little changed, and returns the very same frames
    object when nothing did (``changed`` tells which).
    """

    _KEY = ["participant_id", "tool_id", "kind", "question_id"]

    def __init__(self, store: AnswerStore, slug: str):
        self.store = store
        self.slug = slug
        self.changed = True
        self._round: int | None = None
        self._last_id = 0
        self._raw: pd.DataFrame | None = None
        self._frames: dict[str, Any] | None = None
        self._people_actions: tuple[Any, ...] = ()

    def refresh(self, round: int | None = None) -> dict[str, Any]:
        """The current frames; ``self.changed`` is False when they are the
        same object as last time."""
        round = round or self.store.workshop(self.slug).settings.round
        if round != self._round:
            self._round, self._last_id, self._raw, self._frames = round, 0, None, None
        new = self.store.answer_rows(self.slug, round=round, after_id=self._last_id)
        look = _Lookups(self.store, self.slug)
        action_list = self.store.actions(self.slug)
        people_actions = (len(look.participants), tuple(look.participants["sector"]), tuple((a.id, a.updated) for a in action_list))
        if self._frames is not None and new.empty and people_actions == self._people_actions:
            self.changed = False
            return self._frames
        if not new.empty:
            self._last_id = int(new["id"].max())
            merged = new if self._raw is None or self._raw.empty else pd.concat([self._raw, new], ignore_index=True)
            self._raw = merged.drop_duplicates(self._KEY, keep="last")
        raw = self._raw if self._raw is not None else new
        current = _current(raw, look)
        rating_frame = ratings(current)
        self._frames = {
            "current_answers": current,
            "ratings": rating_frame,
            "divergence": divergence(current, rating_frame),
            "progress": progress(current, look),
            "priorities": priorities(current, look),
            "actions": actions(self.store, self.slug, look, action_list),
            "participants": _shape("participants", look.participants),
        }
        self._people_actions = people_actions
        self.changed = True
        return self._frames


def _latest(history: pd.DataFrame, round: int) -> pd.DataFrame:
    if history.empty:
        return history
    in_round = history[history["round"] == round]
    return in_round.sort_values("id").drop_duplicates(["participant_id", "tool_id", "kind", "question_id"], keep="last")
