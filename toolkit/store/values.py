"""Small frozen values the store hands out: workshops, participants,
answers and actions. Each has a readable repr and ``to_dict()``."""

from __future__ import annotations

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


@dataclass(frozen=True)
class WorkshopSettings:
    """What the facilitator controls during a workshop.

    ``stages`` maps a stage id to ``"open"`` or ``"locked"``; a stage not
    listed is open.
    """

    anonymous: bool = False
    stages: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    ratings_revealed: bool = False
    round: int = 1
    dots: int = 5

    def stage_state(self, stage_id: str) -> str:
        return self.stages.get(stage_id, "open")

    def is_locked(self, stage_id: str) -> bool:
        return self.stage_state(stage_id) == "locked"

    def with_stage(self, stage_id: str, state: str) -> WorkshopSettings:
        return replace(self, stages=MappingProxyType({**self.stages, stage_id: state}))

    def to_dict(self) -> dict[str, Any]:
        return {
            "anonymous": self.anonymous,
            "stages": dict(self.stages),
            "ratings_revealed": self.ratings_revealed,
            "round": self.round,
            "dots": self.dots,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> WorkshopSettings:
        return cls(
            anonymous=bool(raw.get("anonymous", False)),
            stages=MappingProxyType({str(k): str(v) for k, v in dict(raw.get("stages", {})).items()}),
            ratings_revealed=bool(raw.get("ratings_revealed", False)),
            round=int(raw.get("round", 1)),
            dots=int(raw.get("dots", 5)),
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
    ``"participant"`` (``None`` for an action nobody added).
    """

    workshop: Mapping[str, Any]
    participants: tuple[Mapping[str, Any], ...] = ()
    answers: tuple[Mapping[str, Any], ...] = ()
    actions: tuple[Mapping[str, Any], ...] = ()
    superseded: tuple[Mapping[str, Any], ...] = ()
