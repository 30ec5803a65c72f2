"""Who may see what: one rule for every view of a workshop, applied where
rows enter the frames, so no view can forget it.

    >>> frames = for_view(store, "demo", View.GUIDE)         # masked when anonymous
    >>> shown = audience(store.workshop("demo").settings, View.DASHBOARD)
    >>> shown.names, shown.ratings
    (False, True)

The rule, for each :class:`View`:

- **Anonymous workshop** (``settings.anonymous``): no view shows a
  participant's name or organization (in answer rows, the participant list
  or who wrote what), and an action whose owner is a participant's name
  shows :data:`PARTICIPANT_OWNER`. An owner typed as a role or an
  organization ("Food Bank", "the county's planner") stays: the action
  register is a plan, and a plan needs owners. Sector and table stay: they
  are what the room is counted by. The only exception is
  :attr:`View.BACKUP`, the JSON file the facilitator keeps to rebuild the
  workshop elsewhere, which must name each participant to be imported
  again (never share it with partners).
- **Answers given without a name** (a participant ticked "Answer without
  my name" on a question the content flags as sensitive): every view
  shows them unattributed, with no participant id, name, organization,
  sector or table, whatever the workshop's settings (:func:`unattributed`);
  they are not counted in a table's progress either. Only
  :attr:`View.BACKUP` keeps who wrote them, with the flag, so a re-import
  keeps them unattributed.
- **Small groups** (``settings.min_group``, 3 by default): a sector's mean
  rating (and band) is shown only when at least that many people rated;
  a smaller group shows as :func:`fewer_than` ("fewer than 3") and takes
  no part in divergence flags, in every view (the backup has no means).
- **Tablemates** (:attr:`View.TABLE`, a table's own page): each member sees
  what the others at the table wrote, attributed by name, or by sector
  when names are hidden (:func:`attribution`); a table answer written on
  the table's shared device is attributed to :data:`TABLE_DEVICE`. An
  answer given without a name or hidden by the facilitator is not shown
  to tablemates at all (:func:`for_tablemates`): at a table of four, "a
  tablemate" names its writer. The spread of a table's ratings is shown
  only when at least ``settings.min_group`` of them rated
  (:func:`~toolkit.frames.tables.rating_spread`).
- **Ratings**: the projected dashboard shows means and bands only once the
  facilitator reveals them (``settings.ratings_revealed``); every other
  view, written for the facilitator, always shows them.
- **Hidden answers** (``settings.hidden``, the facilitator's moderation):
  left out of every view but the backup, which keeps every row.
- **Today's plan** (``settings.plan``): views cover the tools in
  :func:`scope`, those planned or answered, not every tool of the content.

A view asks :func:`for_view` (or a :class:`~toolkit.frames.LiveFrames`
made for its view) for its frames; :func:`audience` tells it what it may
show beyond them.
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from toolkit.content import Toolkit
    from toolkit.store import AnswerStore
    from toolkit.store.values import Action, Answer, Participant, WorkshopSettings

#: What an action owned by a participant (by name) shows in an anonymous workshop.
PARTICIPANT_OWNER = "A participant"
#: How a withheld mean reads ("fewer than 3").
FEWER_THAN = "fewer than {n}"
#: Who wrote a table answer on a table's shared device (a table device).
TABLE_DEVICE = "the table's shared device"


class View(enum.Enum):
    """The places a workshop is shown."""

    #: The live dashboard projected to the room.
    DASHBOARD = "dashboard"
    #: The dashboard published to anyone (``workshop serve --public-dashboard``):
    #: never a name, whatever the workshop's setting.
    PUBLIC = "public"
    #: The facilitator console.
    CONSOLE = "console"
    #: The planning guide (HTML, Markdown, PDF).
    GUIDE = "guide"
    #: The frames as a spreadsheet (xlsx) or CSV.
    SPREADSHEET = "spreadsheet"
    #: The full-fidelity JSON file for re-import: keeps every name.
    BACKUP = "backup"
    #: A table's own page: what tablemates wrote, and who changed the
    #: table's answer (issue #15).
    TABLE = "table"


@dataclass(frozen=True)
class Audience:
    """What one view of one workshop may show."""

    view: View
    #: Participants' names and organizations, and who wrote what.
    names: bool
    #: Mean ratings, bands and divergence (and the notes that come with ratings).
    ratings: bool
    #: Answer ids this view leaves out (hidden by the facilitator).
    hidden: frozenset[int] = frozenset()
    #: A sector's mean is shown only when at least this many people rated.
    min_group: int = 1


def audience(settings: WorkshopSettings, view: View) -> Audience:
    """The rule: what ``view`` may show of a workshop with ``settings``."""
    backup = view is View.BACKUP
    return Audience(
        view=view,
        names=backup or (view is not View.PUBLIC and not settings.anonymous),
        ratings=view not in (View.DASHBOARD, View.PUBLIC) or settings.ratings_revealed,
        hidden=frozenset() if backup else frozenset(settings.hidden),
        min_group=1 if backup else settings.min_group,
    )


def unattributed(shown: Audience, anonymous: np.ndarray) -> np.ndarray:
    """Which answer rows ``shown`` shows without who wrote them: those
    given without a name (``anonymous``, a boolean per row), in every view
    but the backup."""
    import numpy as np  # here: a participant's page never needs it (kernel start-up)

    return anonymous if shown.view is not View.BACKUP else np.zeros(len(anonymous), dtype=bool)


def fewer_than(shown: Audience) -> str:
    """What a withheld mean shows: ``"fewer than 3"``."""
    return FEWER_THAN.format(n=shown.min_group)


def shown_rows(ids: np.ndarray, shown: Audience) -> np.ndarray:
    """Which answer rows (by id) ``shown`` may show: all but the hidden ones."""
    import numpy as np

    if not shown.hidden:
        return np.ones(len(ids), dtype=bool)
    return ~np.isin(ids, np.fromiter(shown.hidden, dtype="int64", count=len(shown.hidden)))


def visible_people(people: Sequence[Participant], shown: Audience) -> list[Participant]:
    """The participants as ``shown`` may see them: without name and
    organization when names are hidden."""
    if shown.names:
        return list(people)
    return [replace(p, name=None, organization="") for p in people]


def visible_actions(actions: Sequence[Action], people: Sequence[Participant], shown: Audience) -> list[Action]:
    """The actions as ``shown`` may see them: when names are hidden, an
    owner that is a participant's name (ignoring case and outer spaces)
    is replaced by :data:`PARTICIPANT_OWNER`. Owners typed as roles or
    organizations stay, so the register still says who does what.
    ``people`` are the real participants."""
    if shown.names:
        return list(actions)
    names = {p.name.strip().casefold() for p in people if p.name}
    return [replace(a, owner=PARTICIPANT_OWNER) if a.owner.strip().casefold() in names else a for a in actions]


def scope(tools: pd.DataFrame, settings: WorkshopSettings, current: pd.DataFrame) -> pd.DataFrame:
    """The tools a view covers (frame ``scope``): with today's plan, the
    planned tools and any tool with a current answer (text, rating,
    comment or dots); without one, every tool. ``tools`` is the content's
    tools (:attr:`Lookups.tools <toolkit.frames.Lookups>`); ``planned`` says
    whether a tool is in the plan (every tool when there is none),
    ``minutes`` and ``order`` (1, 2, ...; 0 when not planned) where it is."""
    import numpy as np

    from toolkit.frames.columns import shape

    order = {tool_id: i for i, tool_id in enumerate(settings.planned, 1)}
    minutes = {slot.tool_id: slot.minutes for slot in settings.plan}
    ids = tools["tool_id"].to_numpy(dtype=object)
    if order:
        value = current["value"].to_numpy(dtype=object)
        answered = set(current["tool_id"].to_numpy(dtype=object)[(value != "") & (value != "0")].tolist())
        keep = np.asarray([t in order or t in answered for t in ids], dtype=bool)
    else:
        keep = np.ones(len(ids), dtype=bool)
    df = tools[keep].assign(
        planned=[not order or t in order for t in ids[keep]],
        minutes=[minutes.get(t, 0) for t in ids[keep]],
        order=[order.get(t, 0) for t in ids[keep]],
    )
    return shape("scope", df.sort_values("tool_number"))


def for_tablemates(rows: Iterable[Answer], shown: Audience, unnamed: Collection[int] = ()) -> list[Answer]:
    """The tablemates' answer rows a table's page (:attr:`View.TABLE`) may
    show: not those given without a name (``unnamed``, their ids: at a
    table of four, "a tablemate" would name the writer), not those the
    facilitator hid. The reader's own rows are never passed here."""
    return [r for r in rows if r.id not in unnamed and r.id not in shown.hidden]


def attribution(kit: Toolkit, person: Participant | None, shown: Audience) -> str:
    """Who wrote something, as ``shown`` may say it: the name (else the
    organization) when names are shown, else the sector's name;
    :data:`TABLE_DEVICE` for ``None`` (a table's shared device).

        >>> attribution(kit, ana, audience(settings, View.TABLE))
        'Ana Ruiz'               # 'Government' in an anonymous workshop
    """
    if person is None:
        return TABLE_DEVICE
    if not shown.names:
        return sector_name(kit, person.sector)
    return attributed(kit, person.name, person.organization, person.sector)


def attributed(kit: Toolkit, name: object, organization: object, sector: object) -> str:
    """:func:`attribution` for a row of a frame already masked for its
    view (``name`` and ``organization`` empty when names are hidden): the
    name, else the organization, else the sector's name."""
    for text in (name, organization):
        if isinstance(text, str) and text:
            return text
    return sector_name(kit, sector) if isinstance(sector, str) and sector else ""


def for_view(store: AnswerStore, slug: str, view: View, round: int | None = None) -> dict[str, pd.DataFrame]:
    """Every frame of a workshop (as :func:`~toolkit.frames.all_frames`),
    masked for ``view``."""
    from toolkit.frames.compute import all_frames

    return all_frames(store, slug, round, view=view)


#: The counts :func:`summary` gives, in order, with their labels.
SUMMARY_LABELS = {
    "participants": "Participants",
    "sectors": "Sectors",
    "tables": "Tables",
    "answers": "Answers",
    "ratings": "Ratings",
    "dots": "Dots placed",
    "actions": "Actions",
}


def sector_name(kit: Toolkit, sector_id: str) -> str:
    """A sector as every view names it: the content's name, "All sectors"
    for the row of all, and the id itself for a sector the content does not
    have."""
    from toolkit.frames.columns import ALL_SECTORS

    if sector_id == ALL_SECTORS:
        return "All sectors"
    return kit.sector(sector_id).name if kit.has_sector(sector_id) else sector_id


def sector_order(kit: Toolkit, present: Iterable[str]) -> list[str]:
    """The sectors ``present``, as every view lists them: the content's
    order, then unknown ones alphabetically."""
    present = set(present)
    ordered = [s.id for s in kit.sectors if s.id in present]
    return ordered + sorted(present - set(ordered))


def natural_key(text: str) -> tuple[Any, ...]:
    """How every view orders tables: "Table 2" before "Table 10".

        >>> sorted(["Table 10", "Table 2"], key=natural_key)
        ['Table 2', 'Table 10']
    """
    return tuple(int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", str(text)))


def plural(n: int, word: str, many: str | None = None) -> str:
    """A count and the word agreeing with it, as every view writes counts:

        >>> plural(1, "dot"), plural(2, "dot"), plural(0, "person", "people")
        ('1 dot', '2 dots', '0 people')
    """
    return f"{n} {word if n == 1 else many or word + 's'}"


def summary(frames: Mapping[str, pd.DataFrame]) -> dict[str, int]:
    """The headline counts of a workshop's current state (keys as
    :data:`SUMMARY_LABELS`): what the dashboard's tiles and the console
    both show. Answers are current answers to guiding questions; ratings
    include "not sure"."""
    people = frames["participants"]
    kinds: Counter[Any] = Counter(frames["current_answers"]["kind"].to_numpy(dtype=object).tolist())
    priorities = frames["priorities"]
    return {
        "participants": len(people),
        "sectors": int(people["sector"].nunique()),
        "tables": int(people["table"].nunique()),
        "answers": kinds["text"],
        "ratings": kinds["rating"],
        "dots": int(priorities["dots"].sum()) if len(priorities) else 0,
        "actions": len(frames["actions"]),
    }
