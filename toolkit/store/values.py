"""Small frozen values the store hands out: workshops, participants,
answers and actions. Each has a readable repr and ``to_dict()``."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from types import MappingProxyType
from typing import Any

#: Answer kinds. ``text`` answers a guiding question; the others are per tool.
KINDS = ("text", "rating", "comment", "dots")
#: The value a rating takes when the participant chose "not sure".
NOT_SURE = "not-sure"
#: The value a rating takes for "not yet relevant at our stage" (offered when
#: the content's scale names it): counted apart from "not sure", never averaged.
NOT_YET = "not-yet"
ACTION_STATUSES = ("open", "in progress", "done", "dropped")
STAGE_STATES = ("open", "locked")


#: The dot vote's key in :attr:`WorkshopSettings.lock_at` (stages use their ids).
VOTE = "priorities"
#: A sector's mean is shown only when at least this many people rated (the default).
MIN_GROUP = 3
#: The presenter view's sections (one per screen), in order: who is here,
#: progress by table, the current stage's heatmap, divergence, priorities,
#: the answer feed.
SCREENS = ("here", "progress", "heatmap", "divergence", "priorities", "feed", "report")


@dataclass(frozen=True)
class PlanSlot:
    """One tool of today's plan and the minutes it has."""

    tool_id: str
    minutes: int

    def to_dict(self) -> dict[str, Any]:
        return {"tool": self.tool_id, "minutes": self.minutes}


@dataclass(frozen=True)
class WorkshopSettings:
    """What the facilitator controls during a workshop.

    ``stages`` maps a stage id to ``"open"`` or ``"locked"``; a stage not
    listed is open. ``lock_at`` maps a stage id (or :data:`VOTE`, the dot
    vote) to the time it locks by itself: a lock with notice. ``plan`` is
    today's plan, its tools in order (empty: every tool), from the agenda
    template ``plan_template`` (``""``: given by hand). ``timer_ends`` and
    ``timer_seconds`` are the discussion timer (``None`` and 0: none).
    ``vote_closed`` closes the dot vote. ``hidden`` are answer ids kept off
    every view but the backup (moderation). ``min_group``: a sector's mean
    is shown only when at least this many people rated. ``screen`` is the
    section the facilitator put on the presenter view (``""``: its own).

    Every time is seconds since 1970 (UTC); :meth:`is_locked` and
    :meth:`vote_is_closed` take ``now`` (default: this machine's clock).
    """

    anonymous: bool = False
    stages: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    ratings_revealed: bool = False
    round: int = 1
    dots: int = 5
    plan: tuple[PlanSlot, ...] = ()
    plan_template: str = ""
    lock_at: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    timer_ends: float | None = None
    timer_seconds: int = 0
    vote_closed: bool = False
    hidden: tuple[int, ...] = ()
    min_group: int = MIN_GROUP
    screen: str = ""

    def stage_state(self, stage_id: str, now: float | None = None) -> str:
        """``"locked"`` or ``"open"``, a lock with notice counted once its time has come."""
        return "locked" if self.is_locked(stage_id, now) else "open"

    def is_locked(self, stage_id: str, now: float | None = None) -> bool:
        if self.stages.get(stage_id, "open") == "locked":
            return True
        at = self.lock_at.get(stage_id)
        return at is not None and at <= (time.time() if now is None else now)

    def locks_in(self, key: str, now: float | None = None) -> float | None:
        """Seconds until a lock with notice on ``key`` (a stage id or
        :data:`VOTE`) falls; ``None`` when none is pending."""
        at = self.lock_at.get(key)
        if at is None:
            return None
        left = at - (time.time() if now is None else now)
        return left if left > 0 else None

    def vote_is_closed(self, now: float | None = None) -> bool:
        """The dot vote is closed: by the facilitator, or its notice ran out."""
        if self.vote_closed:
            return True
        at = self.lock_at.get(VOTE)
        return at is not None and at <= (time.time() if now is None else now)

    def timer_left(self, now: float | None = None) -> float | None:
        """Seconds left on the discussion timer (0 once it ran out), or
        ``None`` when no timer is set."""
        if self.timer_ends is None:
            return None
        return max(self.timer_ends - (time.time() if now is None else now), 0.0)

    @property
    def planned(self) -> tuple[str, ...]:
        """Today's tools in order (empty: no plan, every tool)."""
        return tuple(slot.tool_id for slot in self.plan)

    def with_stage(self, stage_id: str, state: str) -> WorkshopSettings:
        """The stage opened or locked now (a lock with notice on it is dropped)."""
        lock_at = {k: v for k, v in self.lock_at.items() if k != stage_id}
        return replace(self, stages=MappingProxyType({**self.stages, stage_id: state}), lock_at=MappingProxyType(lock_at))

    def settled(self, now: float | None = None) -> WorkshopSettings:
        """The same settings with every lock whose notice ran out written
        as a plain lock (what they mean does not change)."""
        now = time.time() if now is None else now
        due = {k for k, at in self.lock_at.items() if at <= now}
        if not due:
            return self
        stages = {**self.stages, **{k: "locked" for k in due if k != VOTE}}
        lock_at = {k: v for k, v in self.lock_at.items() if k not in due}
        return replace(
            self, stages=MappingProxyType(stages), lock_at=MappingProxyType(lock_at), vote_closed=self.vote_closed or VOTE in due
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "anonymous": self.anonymous,
            "stages": dict(self.stages),
            "ratings_revealed": self.ratings_revealed,
            "round": self.round,
            "dots": self.dots,
            "plan": [slot.to_dict() for slot in self.plan],
            "plan_template": self.plan_template,
            "lock_at": dict(self.lock_at),
            "timer_ends": self.timer_ends,
            "timer_seconds": self.timer_seconds,
            "vote_closed": self.vote_closed,
            "hidden": list(self.hidden),
            "min_group": self.min_group,
            "screen": self.screen,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> WorkshopSettings:
        """Settings from their stored form (checked first by
        :func:`toolkit.store.checks.settings`); keys an older store lacks
        take their defaults."""
        ends = raw.get("timer_ends")
        return cls(
            anonymous=bool(raw.get("anonymous", False)),
            stages=MappingProxyType({str(k): str(v) for k, v in dict(raw.get("stages", {})).items()}),
            ratings_revealed=bool(raw.get("ratings_revealed", False)),
            round=int(raw.get("round", 1)),
            dots=int(raw.get("dots", 5)),
            plan=tuple(PlanSlot(str(s["tool"]), int(s["minutes"])) for s in raw.get("plan") or ()),
            plan_template=str(raw.get("plan_template") or ""),
            lock_at=MappingProxyType({str(k): float(v) for k, v in dict(raw.get("lock_at") or {}).items()}),
            timer_ends=None if ends is None else float(ends),
            timer_seconds=int(raw.get("timer_seconds") or 0),
            vote_closed=bool(raw.get("vote_closed", False)),
            hidden=tuple(sorted({int(i) for i in raw.get("hidden") or ()})),
            min_group=int(raw.get("min_group", MIN_GROUP)),
            screen=str(raw.get("screen") or ""),
        )


@dataclass(frozen=True)
class Workshop:
    id: int
    slug: str
    title: str
    created: float
    settings: WorkshopSettings

    def __repr__(self) -> str:
        return f"<Workshop {self.slug!r} {self.title!r} round={self.settings.round}>"

    def to_dict(self) -> dict[str, Any]:
        return {"slug": self.slug, "title": self.title, "created": self.created, "settings": self.settings.to_dict()}


@dataclass(frozen=True)
class Participant:
    id: int
    workshop_id: int
    name: str | None
    organization: str
    sector: str
    table: str
    created: float

    @property
    def label(self) -> str:
        """How the participant is shown when names are visible."""
        who = self.name or "Anonymous"
        return f"{who} ({self.organization}, {self.table})"

    def __repr__(self) -> str:
        return f"<Participant {self.id} {self.name!r} {self.organization!r} {self.sector} {self.table!r}>"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    id: int
    workshop_id: int
    participant_id: int
    round: int
    tool_id: str
    question_id: str
    kind: str
    value: str
    created: float

    def __repr__(self) -> str:
        short = self.value if len(self.value) <= 30 else self.value[:27] + "..."
        return f"<{type(self).__name__} {self.id} {self.kind} {self.tool_id}/{self.question_id or '-'} {short!r}>"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, repr=False)
class Superseded(Answer):
    """A save the store refused because the participant had not seen the
    newer answer (another tab or device wrote it first). Kept for the
    record, outside the answers, so it is never taken for the current one.
    ``base_id``: the answer row the participant had seen (0: none);
    ``newer_id``: the row that was current instead (both 0 when the row
    came from an import, where the other store's ids mean nothing)."""

    base_id: int = 0
    newer_id: int = 0

    def __repr__(self) -> str:
        return f"{super().__repr__()[:-1]} lost to {self.newer_id}>"


@dataclass(frozen=True)
class TableAnswer:
    """One row of a table's shared answer to a guiding question (issue
    #15): the current one is the newest row per table, round, tool and
    question. ``participant_id`` is the member who wrote it, ``None`` when
    the table's shared device did (a table device)."""

    id: int
    workshop_id: int
    round: int
    table: str
    tool_id: str
    question_id: str
    value: str
    participant_id: int | None
    created: float

    def __repr__(self) -> str:
        short = self.value if len(self.value) <= 30 else self.value[:27] + "..."
        return f"<{type(self).__name__} {self.id} {self.table!r} {self.tool_id}/{self.question_id} {short!r}>"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, repr=False)
class TableSuperseded(TableAnswer):
    """A table answer edit the store refused because another member had
    changed the table answer since the editor's page showed it: kept for the
    record, never current (``base_id``, ``newer_id`` as in :class:`Superseded`)."""

    base_id: int = 0
    newer_id: int = 0


@dataclass(frozen=True)
class TableSeat:
    """A device signed in as a whole table (the laptop a table shares):
    the table, and how many of each sector sit at it (sector id -> count),
    as the table said when it signed in."""

    workshop_id: int
    table: str
    members: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def to_dict(self) -> dict[str, Any]:
        return {"workshop_id": self.workshop_id, "table": self.table, "members": dict(self.members)}


@dataclass(frozen=True)
class TableChanges:
    """What a table's page polls for (:meth:`AnswerStore.table_changes`):
    the answer rows of the table's members (the reader's own included) and
    the table answer rows written after the ids the page last saw.
    ``unnamed``: the ids of those answers given without a name, which no
    tablemate is shown (:func:`toolkit.frames.views.for_tablemates`)."""

    answers: tuple[Answer, ...] = ()
    table_answers: tuple[TableAnswer, ...] = ()
    unnamed: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Person:
    """A participant as the facilitator looks them up (``workshop people``,
    the console): who they are and their resume code. Never shown to
    another participant or on the dashboard."""

    participant: Participant
    resume_code: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.participant.to_dict(), "resume_code": self.resume_code}


@dataclass(frozen=True)
class Action:
    id: int
    workshop_id: int
    tool_id: str
    what: str
    owner: str
    owner_sector: str | None
    due: str | None
    status: str
    participant_id: int | None
    created: float
    updated: float

    def __repr__(self) -> str:
        return f"<Action {self.id} {self.tool_id} {self.what[:30]!r} owner={self.owner!r} {self.status}>"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Stored:
    """What the store holds for one workshop, read inside a batch's own
    write transaction (:meth:`AnswerStore.import_rows`), so checks made
    against it still hold when the batch is written.

    ``workshop`` is ``None`` when no workshop has the slug yet. ``answers``
    is the workshop's whole history as columns (``participant_id``,
    ``round``, ``tool_id``, ``question_id``, ``kind``, ``value``,
    ``created``), oldest first.
    """

    workshop: Workshop | None
    participants: tuple[Participant, ...] = ()
    answers: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    actions: tuple[Action, ...] = ()
    #: participant id -> the participant's key (what an export calls them)
    keys: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))
    #: participant id -> resume code
    resume_codes: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))
    superseded: tuple[Superseded, ...] = ()
    #: Every table answer row (the history), oldest first.
    table_answers: tuple[TableAnswer, ...] = ()
    table_superseded: tuple[TableSuperseded, ...] = ()


@dataclass(frozen=True)
class NewRows:
    """Checked rows for :meth:`AnswerStore.import_rows` to write.

    ``workshop`` (``title``, ``created``, ``settings``) is used only when
    the workshop is created. ``participants``: a stored participant as
    ``{"id": ..., "sector": ...}`` (their sector is updated if it differs),
    or a new one (name, organization, sector, table, created, and
    optionally ``key`` and ``resume_code``, each kept when still free in the
    workshop, else a fresh one is made). Answer, action and superseded rows
    name their participant by index into ``participants`` under
    ``"participant"`` (``None`` for an action nobody added, and for a table
    answer its table's shared device wrote). Table answer rows carry
    ``table`` (the table's name), ``round``, ``tool_id``, ``question_id``,
    ``value`` and ``created``.
    """

    workshop: Mapping[str, Any]
    participants: tuple[Mapping[str, Any], ...] = ()
    answers: tuple[Mapping[str, Any], ...] = ()
    actions: tuple[Mapping[str, Any], ...] = ()
    superseded: tuple[Mapping[str, Any], ...] = ()
    table_answers: tuple[Mapping[str, Any], ...] = ()
    table_superseded: tuple[Mapping[str, Any], ...] = ()
