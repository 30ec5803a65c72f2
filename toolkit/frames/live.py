"""Frames for a view that refreshes (the dashboard): :class:`LiveFrames`
reads only the answer rows added since its last refresh, and re-reads ids
that were handed out but not yet committed.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from toolkit.frames.compute import (
    READ_COLUMNS,
    Columns,
    Source,
    actions,
    answers_frame,
    encode_keys,
    latest_rows,
    state_frames,
    take_rows,
)
from toolkit.frames.columns import in_order
from toolkit.frames.tables import table_answers_frame
from toolkit.frames.views import View

if TYPE_CHECKING:
    from toolkit.store import AnswerStore
    from toolkit.store.values import WorkshopSettings


def live_frames(store: AnswerStore, slug: str, round: int | None = None, *, view: View = View.DASHBOARD) -> dict[str, Any]:
    """What the dashboard shows: everything but the full history. One-off;
    a view that refreshes should keep a :class:`LiveFrames`."""
    return LiveFrames(store, slug, view=view).refresh(round)


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

    The frames are masked for ``view`` (:mod:`toolkit.frames.views`; by
    default the dashboard's), and rows no view can show are left out with a
    warning when they are first read (:mod:`toolkit.frames.rows`).
    """

    def __init__(self, store: AnswerStore, slug: str, *, view: View = View.DASHBOARD, clock: Callable[[], float] = time.monotonic):
        self.store = store
        self.slug = slug
        self.view = view
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
        self._reported: set[tuple[str, int]] = set()  # participants and actions already warned about
        # The table answers (issue #15): re-read only when their count or
        # newest id moved (a handful of rows per table, read whole).
        self._table_version: tuple[int, int] | None = None
        self._tabled: list[Any] = []
        #: Each table that signed in a shared device, by name (:meth:`AnswerStore.table_seats`).
        self.seats: dict[str, Any] = {}

    def refresh(self, round: int | None = None, *, settings: WorkshopSettings | None = None) -> dict[str, Any]:
        """The current frames; ``self.changed`` is False when they are the
        same object as last time. ``settings``: the workshop's, when the
        caller has just read them (else they are read here)."""
        settings = settings or self.store.workshop(self.slug).settings
        round = round or settings.round
        if round != self._round:
            self._round, self._gaps, self._seen, self._newest, self._frames = round, _Gaps(), self._seen[:0], None, None
            self._table_version = None
        now = self._clock()
        # Everything is read (and judged) before any state changes: a read
        # that fails leaves the view as it was, to read the same rows again.
        gaps = copy.deepcopy(self._gaps)
        # Ids first, then rows: a row committed in between is read, and its
        # id is seen (and skipped as known) next time.
        if self._newest is None:
            ids = self.store.answer_ids(newest=FIRST_LOOK)
            gaps.saw(ids, int(ids[0]) - 1 if len(ids) else 0, now)
            new = self.store.answer_columns(self.slug, READ_COLUMNS, current=True, round=round)
        else:
            floor = gaps.floor
            gaps.saw(self.store.answer_ids(after_id=floor), floor, now)
            new = self.store.answer_columns(self.slug, READ_COLUMNS, round=round, after_id=floor)
            new = take_rows(new, ~np.isin(new["id"], self._seen))
        table_version = self.store.table_answers_version(self.slug)
        tables_changed = table_version != self._table_version
        if tables_changed:
            tabled = [r for r in self.store.current_table_answers(self.slug, round) if r.round == round]
            seats = self.store.table_seats(self.slug)
        # Participants and actions after the answers: every answer read has
        # its participant among them. A row is judged once, when read, and
        # its verdict travels with it; a bad participant or action is
        # reported once too.
        source = Source.read(self.store, self.slug, self.view, settings, reported=self._reported)
        new = source.admit(self.store.kit, new)
        self._gaps = gaps
        self._seen = np.union1d(self._seen, new["id"])
        self._seen = self._seen[self._seen > self._gaps.floor]
        self._reported |= source.left_out
        people_actions = (
            tuple((p.id, p.sector) for p in source.people),
            tuple((a.id, a.updated) for a in source.actions),
            (source.shown, source.settings.plan),  # the view rule and today's plan
        )
        answers_changed = self._merge(new)
        if tables_changed:
            self._table_version, self._tabled, self.seats = table_version, tabled, seats
        if self._frames is not None and not answers_changed and not tables_changed and people_actions == self._people_actions:
            self.changed = False
            return self._frames
        look = source.lookups(self.store.kit)
        current = answers_frame(take_rows(self._newest, source.shows(self._newest) & (self._newest["value"] != "")), look, "current_answers")
        old = self._frames
        same_view = old is not None and people_actions[2] == self._people_actions[2]
        if same_view and people_actions[:2] == self._people_actions[:2]:  # owners are masked by the participants' names
            action_frame = old["actions"]  # the tools' names come from the content, which is fixed
        else:
            action_frame = actions(self.store, self.slug, look, source.actions)
        same_people = same_view and people_actions[0] == self._people_actions[0]
        # A row replaces one of its own kind (the kind is part of the key),
        # so the kinds of the rows read are all the kinds that changed.
        frames = state_frames(current, look, action_frame, source, old if same_people else None, set(new["kind"].tolist()))
        tabled = old["table_answers"] if same_people and not tables_changed else table_answers_frame(self._tabled, look, self.store.kit)  # type: ignore[index]
        frames = in_order({**frames, "table_answers": tabled})
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
            both = take_rows(both, np.argsort(both["id"], kind="stable"))
        self._newest = take_rows(both, latest_rows(both, encode_keys(both)))
        return not np.array_equal(self._newest["id"], held)
