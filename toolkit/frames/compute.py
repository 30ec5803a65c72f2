"""Computing a workshop's frames from the store: answers joined with the
content and the participants, ratings with bands, divergence, progress,
priorities and actions.

    >>> frames = all_frames(store, "riverside-partners")
    >>> frames["ratings"].query("sector == 'all'")[["tool", "mean", "band"]]
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from toolkit.frames.columns import (
    ALL_SECTORS,
    DIVERGENCE_GAP,
    TOOL_COLUMNS,
    band,
    empty,
    shape,
)
from toolkit.frames.rows import admit_actions, admit_answers, admit_people
from toolkit.frames.views import Audience, View, audience, scope, shown_rows, unattributed, visible_actions, visible_people
from toolkit.store.values import NOT_SURE, NOT_YET

if TYPE_CHECKING:
    from toolkit.content import Toolkit
    from toolkit.store import AnswerStore
    from toolkit.store.values import Action, Participant, WorkshopSettings


class Lookups:
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



@dataclass(frozen=True)
class Source:
    """One workshop's participants and actions as they enter the frames:
    bad rows left out (:mod:`toolkit.frames.rows`) and masked for the view
    (:mod:`toolkit.frames.views`)."""

    slug: str
    settings: WorkshopSettings
    shown: Audience
    #: Every participant a view can show, with their real names (to tell
    #: which answers are theirs and which owners are participants).
    people: tuple[Participant, ...]
    #: The same participants as the view may see them.
    visible: tuple[Participant, ...]
    #: The actions as the view may see them.
    actions: tuple[Action, ...]
    #: ("participant" or "action", id) of the rows left out.
    left_out: frozenset[tuple[str, int]] = frozenset()
    #: Ids of the answers given without a name (ascending).
    anonymous: np.ndarray = field(default_factory=lambda: np.empty(0, dtype="int64"))

    @classmethod
    def read(
        cls, store: AnswerStore, slug: str, view: View | None = None, settings: WorkshopSettings | None = None, *, reported: Collection[tuple[str, int]] = ()
    ) -> Source:
        """Read the participants and actions of ``slug`` for ``view``
        (``None``: every name, as stored). Rows left out are warned about
        unless ``reported`` names them (a view that refreshes warns once)."""
        settings = settings or store.workshop(slug).settings
        shown = audience(settings, view or View.BACKUP)
        people, bad_people = admit_people(slug, store.participants(slug), reported={i for t, i in reported if t == "participant"})
        acts, bad_actions = admit_actions(slug, store.actions(slug), reported={i for t, i in reported if t == "action"})
        left_out = frozenset({("participant", i) for i in bad_people} | {("action", i) for i in bad_actions})
        anonymous = store.anonymous_answer_ids(slug)  # after the answers: covers every row read
        return cls(slug, settings, shown, tuple(people), tuple(visible_people(people, shown)), tuple(visible_actions(acts, people, shown)), left_out, anonymous)

    def lookups(self, kit: Toolkit) -> Lookups:
        return Lookups(kit, self.visible)

    def admit(self, kit: Toolkit, cols: Columns) -> Columns:
        """``cols`` with an ``ok`` column (False for a row no view can
        show), ``anonymous`` (given without a name) and ``unattributed``
        (shown without who wrote it, :func:`toolkit.frames.views.unattributed`)."""
        anonymous = np.isin(cols["id"], self.anonymous)
        return {
            **cols,
            "ok": admit_answers(self.slug, cols, kit, self.settings, self.people),
            "anonymous": anonymous,
            "unattributed": unattributed(self.shown, anonymous),
        }

    def shows(self, cols: Columns) -> np.ndarray:
        """Which admitted rows this view shows: ``ok`` and not hidden by
        the facilitator (judged when the frames are built, not when rows
        are read: hiding and showing again take effect at once)."""
        return cols["ok"] & shown_rows(cols["id"], self.shown)


#: The answer columns the frames read (all but ``workshop_id``).
READ_COLUMNS = ("id", "round", "participant_id", "tool_id", "question_id", "kind", "value", "created")
#: What makes an answer the same answer again: its newest row is the current one.
ANSWER_KEY = ("participant_id", "tool_id", "kind", "question_id")

#: Answer rows as one numpy array per column (:meth:`AnswerStore.answer_columns`).
Columns = dict[str, np.ndarray]
#: Integer codes and distinct values of the text columns of :data:`ANSWER_KEY`
#: (``pandas.factorize``). Hashing the strings is the dearest step over
#: 100,000 rows, so it is done once and shared by the shaped frame and the
#: choice of current rows.
Codes = dict[str, tuple[np.ndarray, np.ndarray]]


def take_rows(cols: Columns, which: np.ndarray) -> Columns:
    """The rows of ``cols`` at ``which`` (positions or a boolean mask)."""
    return {k: v[which] for k, v in cols.items()}


def encode_keys(cols: Columns) -> Codes:
    return {c: pd.factorize(cols[c]) for c in ("tool_id", "kind", "question_id")}


def latest_rows(cols: Columns, codes: Codes) -> np.ndarray:
    """Positions of the newest row per :data:`ANSWER_KEY` in rows ordered by id,
    in id order."""
    n = len(cols["id"])
    if n == 0:
        return np.arange(0)
    # One integer per key: each column's codes folded into the running code,
    # re-numbered after every step so the product never overflows.
    key, _ = pd.factorize(cols["participant_id"])
    for column in ANSWER_KEY[1:]:
        column_codes, uniques = codes[column]
        key, _ = pd.factorize(key * len(uniques) + column_codes)
    return np.flatnonzero(~pd.Index(key).duplicated(keep="last"))


def answers_frame(cols: Columns, look: Lookups, name: str, codes: Codes | None = None) -> pd.DataFrame:
    """Answer rows (columns :data:`READ_COLUMNS`) with who wrote them and the tool
    and question they answer, shaped as frame ``name``."""
    if len(cols["id"]) == 0:
        return empty(name)
    codes = codes or encode_keys(cols)
    who = look.people_index.get_indexer(cols["participant_id"])
    hidden = cols["unattributed"] if "unattributed" in cols else np.zeros(len(who), dtype=bool)
    if hidden.any():
        # An answer given without a name: no participant, name,
        # organization, sector or table (toolkit.frames.views.unattributed).
        who = np.where(hidden, -1, who)
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
            "participant_id": np.where(hidden, 0, cols["participant_id"]),
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
            "anonymous": cols["anonymous"] if "anonymous" in cols else np.zeros(len(who), dtype=bool),
        }
    )
    return shape(name, df)


def participants(store: AnswerStore, slug: str, *, view: View | None = None) -> pd.DataFrame:
    """Who signed in: name (may be empty), organization, sector, table."""
    return shape("participants", Source.read(store, slug, view).lookups(store.kit).participants)


def answers(store: AnswerStore, slug: str, *, view: View | None = None) -> pd.DataFrame:
    """Every answer row ever written (the history), oldest first."""
    history = store.answer_columns(slug, READ_COLUMNS)
    source = Source.read(store, slug, view)  # after the answers: their participants are in it
    history = source.admit(store.kit, history)
    return answers_frame(take_rows(history, source.shows(history)), source.lookups(store.kit), "answers")


def current_answers(store: AnswerStore, slug: str, round: int | None = None, *, view: View | None = None) -> pd.DataFrame:
    """The newest answer per participant, tool, kind and question in a round
    (default: the workshop's current round). Cleared answers are left out."""
    round = round or store.workshop(slug).settings.round
    latest = store.answer_columns(slug, READ_COLUMNS, current=True, round=round)
    source = Source.read(store, slug, view)  # after the answers: their participants are in it
    latest = source.admit(store.kit, latest)
    return answers_frame(take_rows(latest, source.shows(latest) & (latest["value"] != "")), source.lookups(store.kit), "current_answers")


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


def ratings(current: pd.DataFrame, look: Lookups | None = None, *, min_group: int = 1) -> pd.DataFrame:
    """Mean rating, count and band per tool and sector, plus a row per tool
    with ``sector == "all"``. "Not sure" and "not yet relevant at our
    stage" are each counted apart (``not_sure``, ``not_yet``), not averaged.
    A group where fewer than ``min_group`` people gave a rating is
    ``withheld``: its mean and band are left empty (the view rule's small
    groups, :mod:`toolkit.frames.views`)."""
    # A tool the content no longer has has no name to show: left out.
    keep = np.flatnonzero((_objects(current["kind"]) == "rating") & current["tool"].notna().to_numpy())
    if not len(keep):
        return empty("ratings")
    value = _objects(current["value"])[keep]
    unsure = value == NOT_SURE
    not_yet = value == NOT_YET
    score = _numbers(value)  # NaN for "not sure" and "not yet": left out of the mean
    tool, _ = pd.factorize(_objects(current["tool_id"])[keep])
    sector, sector_names = pd.factorize(_objects(current["sector"])[keep])  # -1: the sector is unknown
    # Integer groups: tool * width + sector, and tool * width + len(sectors)
    # for the tool's "all" row.
    width = len(sector_names) + 1
    known = np.flatnonzero(sector >= 0)
    rows = np.concatenate([known, np.arange(len(keep))])
    groups = np.concatenate([tool[known] * width + sector[known], tool * width + width - 1])
    scores = pd.Series(score[rows]).groupby(groups)
    stats = pd.DataFrame(
        {
            "mean": scores.mean(),
            "count": scores.count(),
            "not_sure": pd.Series(unsure[rows]).groupby(groups).sum(),
            "not_yet": pd.Series(not_yet[rows]).groupby(groups).sum(),
        }
    )
    group_tool, slot = np.divmod(stats.index.to_numpy(), width)
    overall = slot == width - 1
    first_row = keep[np.unique(tool, return_index=True)[1]][group_tool]  # where each group's tool facts are
    count = stats["count"].to_numpy()
    withheld = (count > 0) & (count < min_group)
    mean = np.where(withheld, np.nan, stats["mean"].to_numpy(dtype="float64"))
    df = pd.DataFrame(
        {
            **{c: current[c].to_numpy()[first_row] for c in TOOL_COLUMNS},
            "sector": np.where(overall, ALL_SECTORS, np.append(np.asarray(sector_names, dtype=object), ALL_SECTORS)[slot]),
            "mean": mean,
            "count": count,
            "not_sure": stats["not_sure"].to_numpy(),
            "not_yet": stats["not_yet"].to_numpy(),
            "band": [band(m) for m in mean],
            "withheld": withheld,
            "_all": overall,
        }
    )
    return shape("ratings", df.sort_values(["tool_number", "_all", "sector"]))


def divergence(current: pd.DataFrame, rating_frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per tool: the lowest and highest sector means, their gap, the spread
    (standard deviation) of all ratings, and whether the gap reaches
    :data:`DIVERGENCE_GAP` between at least two sectors. Sectors whose
    mean is withheld (a small group) take no part."""
    rating_frame = ratings(current) if rating_frame is None else rating_frame
    sectors = rating_frame[(rating_frame["sector"] != ALL_SECTORS) & (rating_frame["count"] > 0) & ~rating_frame["withheld"]].reset_index(drop=True)
    if sectors.empty:
        return empty("divergence")
    value = _objects(current["value"])
    rated = (_objects(current["kind"]) == "rating") & (value != NOT_SURE) & (value != NOT_YET)
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
    df = sectors.iloc[low][list(TOOL_COLUMNS)].reset_index(drop=True).assign(
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
    return shape("divergence", df.sort_values("tool_number"))


def progress(current: pd.DataFrame, look: Lookups) -> pd.DataFrame:
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
    return shape("progress", df.sort_values(["tool_number", "table"]))


def priorities(current: pd.DataFrame, look: Lookups) -> pd.DataFrame:
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
    return shape("priorities", df.sort_values(["rank", "tool_number"]))


def actions(store: AnswerStore, slug: str, look: Lookups | None = None, action_list: Sequence[Action] | None = None, *, view: View | None = None) -> pd.DataFrame:
    """The action register: what, owner and their sector, due date, status."""
    if action_list is None:
        action_list = Source.read(store, slug, view).actions
    look = look or Lookups(store.kit, ())
    rows = [a.to_dict() for a in action_list]
    if not rows:
        return empty("actions")
    df = pd.DataFrame(rows).rename(columns={"id": "action_id"}).merge(look.tools.drop(columns="questions"), on="tool_id", how="left")
    df["owner_sector"] = df["owner_sector"].fillna("")
    df["due"] = df["due"].fillna("")
    return shape("actions", df.sort_values(["tool_number", "action_id"]))


#: The kinds of answer each frame about the current state is built from.
#: (Progress and priorities are rebuilt on any kind: any answer can bring a
#: tool into today's scope.)
_KINDS_READ = {"ratings": {"rating"}, "divergence": {"rating"}}


def state_frames(
    current: pd.DataFrame, look: Lookups, action_frame: pd.DataFrame, source: Source, old: dict[str, Any] | None = None, kinds: Collection[str] = ()
) -> dict[str, pd.DataFrame]:
    """Every frame about the current state, from the current answers: what
    :func:`all_frames` and :class:`LiveFrames` both return, shaped by the
    view rule of ``source`` (small groups withheld, the tools in scope of
    today's plan). With ``old`` (frames of the same participants, view and
    plan) and the ``kinds`` of answer that changed since, a frame built
    from none of those kinds is taken from ``old`` as it is."""

    def rebuild(name: str) -> bool:
        return old is None or not _KINDS_READ[name].isdisjoint(kinds)

    tools = scope(look.tools, source.settings, current)
    in_scope = set(tools["tool_id"].tolist())

    def scoped(df: pd.DataFrame) -> pd.DataFrame:
        return df if len(in_scope) == len(look.tools) else df[df["tool_id"].isin(in_scope)].reset_index(drop=True)

    rating_frame = ratings(current, min_group=source.shown.min_group) if rebuild("ratings") else old["ratings"]  # type: ignore[index]
    return {
        "current_answers": current,
        "ratings": rating_frame,
        "divergence": divergence(current, rating_frame) if rebuild("divergence") else old["divergence"],  # type: ignore[index]
        # Every kind decides the scope (a tool with any answer is in it).
        "progress": scoped(progress(current, look)) if old is None or kinds else old["progress"],  # type: ignore[index]
        "priorities": scoped(priorities(current, look)) if old is None or kinds else old["priorities"],  # type: ignore[index]
        "actions": action_frame,
        "participants": shape("participants", look.participants) if old is None else old["participants"],
        "scope": tools,
    }


def all_frames(store: AnswerStore, slug: str, round: int | None = None, *, view: View | None = None) -> dict[str, pd.DataFrame]:
    """Every frame of a workshop, reading the store once per table. Frames
    about the current state use ``round`` (default: the current round);
    ``answers`` is the whole history. With a ``view``, masked for it
    (:func:`toolkit.frames.views.for_view`); without, every name as stored.
    Rows no view can show are left out, with a warning."""
    # Participants, actions and settings after the answers: every answer
    # read has its participant among them, and its round is one the
    # workshop has had.
    history = store.answer_columns(slug, READ_COLUMNS)
    tabled = store.current_table_answers(slug, round)  # before the participants too: their authors are in it
    source = Source.read(store, slug, view)
    round = round or source.settings.round
    look = source.lookups(store.kit)
    history = source.admit(store.kit, history)
    codes = encode_keys(history)
    # The current answer of a key is its newest row, as the store picks it
    # for LiveFrames, even when that row is left out: then the key has none.
    in_round = np.flatnonzero(history["round"] == round)
    latest = in_round[latest_rows(take_rows(history, in_round), {c: (k[in_round], u) for c, (k, u) in codes.items()})]
    good = source.shows(history)
    latest = latest[good[latest] & (history["value"][latest] != "")]
    all_answers = answers_frame(take_rows(history, good), look, "answers", {c: (k[good], u) for c, (k, u) in codes.items()})
    # The current answers are rows of the history, already shaped: pick them.
    position = np.cumsum(good) - 1  # a kept row's place in all_answers
    current = all_answers.take(position[latest]).reset_index(drop=True)
    from toolkit.frames.columns import in_order
    from toolkit.frames.tables import table_answers_frame

    frames = {"answers": all_answers, **state_frames(current, look, actions(store, slug, look, source.actions), source)}
    return in_order({**frames, "table_answers": table_answers_frame([r for r in tabled if r.round == round], look, store.kit)})
