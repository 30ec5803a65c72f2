"""The rules every value obeys before it is stored, written once.

The store (:class:`~toolkit.store.AnswerStore`), the importer
(:mod:`toolkit.exports.importer`) and the demo loader
(:mod:`toolkit.store.demo`) call these same functions, so a rating, a
sector, an id, a dot budget, a round or a time means the same on every path
into the store.

    >>> clean_text("  We meet monthly.\\r\\n", field="answer")
    'We meet monthly.'
    >>> rating(kit, 4, field="engage-potential-partners")
    '4'
    >>> created(1e300)
    InvalidAnswer: created: 1e+300 is not a time between 2000-01-01 and ... (a day from now)

Each refusal is an :class:`InvalidAnswer` (an :class:`UnknownTool` for an id
the content does not have, a :class:`StageLocked` for a locked stage) whose
message starts with the field it is about, so a widget's status line can
show it as it is. It also carries ``field`` and ``problem`` (the message
without the field): the importer puts the problem after its own row and
column (:func:`problem_of`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from toolkit.content.validate import describe
from toolkit.errors import InvalidAnswer, StageLocked, ToolkitError, UnknownTool
from toolkit.store.values import ACTION_STATUSES, KINDS, NOT_SURE, NOT_YET, SCREENS, STAGE_STATES, VOTE, Workshop, WorkshopSettings

if TYPE_CHECKING:
    from toolkit.content import Plan, Question, Tool, Toolkit
    from toolkit.store.values import Participant

#: The longest answer a participant can save (characters). About eight pages.
MAX_ANSWER_CHARS = 20_000
#: Names, organizations, tables, owners.
MAX_SHORT_CHARS = 120
#: An action's description.
MAX_ACTION_CHARS = 2_000
#: A workshop title.
MAX_TITLE_CHARS = 200
#: The most rounds a workshop can have (a round is one pass through the questions).
MAX_ROUND = 1_000
#: The dot budget a facilitator can give each participant.
MIN_DOTS, MAX_DOTS = 1, 50
#: The earliest time a stored row may carry: 2000-01-01 00:00 UTC.
EARLIEST_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc).timestamp()
#: How far ahead of this machine's clock a row's time may be (another laptop's clock may run ahead).
AHEAD_SECONDS = 24 * 3600.0
#: A participant id fits the store's integer columns (PostgreSQL ``integer``).
MAX_ID = 2**31 - 1
#: The most people a table device can say sit at its table.
MAX_TABLE_MEMBERS = 50

#: The most minutes one tool of today's plan can have.
MAX_PLAN_MINUTES = 480
#: The longest discussion timer (seconds): four hours.
MAX_TIMER_SECONDS = 4 * 3600
#: The largest minimum group size a facilitator can set.
MAX_GROUP = 50
#: The most answers a workshop can hide at once.
MAX_HIDDEN = 10_000
#: An answer id fits the store's answer ids (PostgreSQL ``bigint``).
MAX_ANSWER_ID = 2**63 - 1

#: The facilitator's settings and the type each must have (``float``:
#: any number; ``None`` in a tuple: may be empty).
SETTING_TYPES: Mapping[str, Any] = {
    "anonymous": bool, "ratings_revealed": bool, "round": int, "dots": int, "stages": dict,
    "plan": list, "plan_template": str, "lock_at": dict, "timer_ends": (float, None), "timer_seconds": int,
    "vote_closed": bool, "hidden": list, "min_group": int, "screen": str,
}
_TYPE_WORDS = {
    bool: "true or false", int: "a whole number", dict: "a mapping", list: "a list", str: "text",
    (float, None): "a time in seconds since 1970, or null",
}

# Control characters (C0, DEL, C1) other than tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def refuse(field: str, problem: str, kind: type[ToolkitError] = InvalidAnswer) -> ToolkitError:
    """A refusal to raise: ``field: problem`` (or the problem alone when it
    names the thing itself, as "unknown tool 'x'" does), carrying both."""
    exc = kind(f"{field}: {problem}" if field else problem)
    exc.field = field  # type: ignore[attr-defined]
    exc.problem = problem  # type: ignore[attr-defined]
    return exc


def problem_of(exc: BaseException) -> str:
    """A refusal's message without its field, for a caller that names the
    place itself (``answers.csv row 57, column 'value': ...``)."""
    return getattr(exc, "problem", None) or str(exc)


def field_of(exc: BaseException) -> str:
    """The field a refusal is about (``"settings.dots"``), or ``""``."""
    return getattr(exc, "field", "") or ""


def named(of_tool: Tool, question_id: str | None = None) -> str:
    """How a message names a tool or one of its questions for the people
    in the room: by number, never by id (issue #19).

        >>> named(kit.tool("engage-potential-partners"), "epp-2")
        'question 2 of tool 1'
        >>> named(kit.tool("engage-potential-partners"))
        'tool 1'
    """
    if question_id:
        numbers = {q.id: n for n, q in enumerate(of_tool.questions, start=1)}
        if question_id in numbers:
            return f"question {numbers[question_id]} of tool {of_tool.number}"
    return f"tool {of_tool.number}"


def shown(value: Any) -> str:
    """A value as a message quotes it: its repr, cut at 40 characters."""
    try:
        text = repr(value)
    except ValueError:  # an integer too long to print
        return "a number too long to show"
    return text if len(text) <= 40 else text[:37] + "..."


# --------------------------------------------------------------------------
# Text


def clean_text(value: object, *, field: str, limit: int = MAX_ANSWER_CHARS, allow_empty: bool = True, multiline: bool = True) -> str:
    """Check and normalise typed text: line endings to ``\\n``, outer
    whitespace trimmed, Unicode NFC. Refuses non-text, control characters,
    and text over ``limit`` characters."""
    if not isinstance(value, str):
        raise refuse(field, f"expected text, got {type(value).__name__}")
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    bad = _CONTROL.search(text)
    if bad:
        code = f"U+{ord(bad.group()):04X}"
        name = "NUL" if bad.group() == "\x00" else "a control character"
        raise refuse(field, f"contains {name} ({code}) at position {bad.start() + 1}; only letters, punctuation, tabs and line breaks are allowed")
    if not multiline and "\n" in text.strip():
        raise refuse(field, "must be a single line")
    text = unicodedata.normalize("NFC", text.strip())
    if len(text) > limit:
        raise refuse(field, f"{len(text):,} characters is over the limit of {limit:,}; shorten it or split it across questions")
    if not text and not allow_empty:
        raise refuse(field, "must not be empty")
    return text


def clean_short(value: object, *, field: str, required: bool = True) -> str:
    """A one-line name-like field (organization, table, owner)."""
    if value is None and not required:
        return ""
    return clean_text(value, field=field, limit=MAX_SHORT_CHARS, allow_empty=not required, multiline=False)


def title(value: object, *, field: str = "workshop title") -> str:
    """A workshop's title: one line, not empty, at most 200 characters."""
    return clean_text(value, field=field, limit=MAX_TITLE_CHARS, allow_empty=False, multiline=False)


def action_text(value: object, *, field: str = "action") -> str:
    """What an action is: not empty, at most 2,000 characters."""
    return clean_text(value, field=field, limit=MAX_ACTION_CHARS, allow_empty=False)


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
    raise refuse(field, f"expected a date like 2026-12-31, got {str(value)[:40]!r}")


def slugify(title: str) -> str:
    """A URL-safe id from a title: ``"Riverside Partners 2026"`` ->
    ``"riverside-partners-2026"``."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:48].strip("-") or "workshop"


def slug(value: object, *, field: str = "workshop slug") -> str:
    """A workshop slug as :func:`slugify` makes them (``riverside-partners``)."""
    if not isinstance(value, str):
        raise refuse(field, f"expected a slug such as 'riverside-partners', got {describe(value)}")
    if slugify(value) != value:
        raise refuse(field, f"{shown(value)} is not a valid slug (try {slugify(value)!r})")
    return value


# --------------------------------------------------------------------------
# Ids: tools, questions, sectors, participants


def tool(kit: Toolkit, ref: object, *, loose: bool = False) -> Tool:
    """A tool by id. ``loose=True`` (what people write on paper) also takes
    its number (``"9"``) and any case or outer spaces."""
    if isinstance(ref, str) and kit.has_tool(ref):
        return kit.tool(ref)
    text = ref.strip() if isinstance(ref, str) else ref
    if loose and isinstance(text, str):
        if text.isdigit() and 1 <= int(text) <= len(kit.tools):
            return kit.tool(int(text))
        if kit.has_tool(text.casefold()):
            return kit.tool(text.casefold())
    numbers = f", or a number 1-{len(kit.tools)}" if loose else ""
    raise refuse("", f"unknown tool {shown(text)} (expected a tool id, such as {kit.tools[0].id!r}{numbers})", UnknownTool)


def question(kit: Toolkit, of_tool: Tool, ref: object, *, loose: bool = False) -> Question:
    """A question of ``of_tool`` by id. ``loose=True`` also takes its
    number within the tool (``"2"``) and any case."""
    text = ref.strip() if loose and isinstance(ref, str) else ref
    if loose and isinstance(text, str) and text.isdigit():
        number = int(text)
        if not 1 <= number <= len(of_tool.questions):
            raise refuse("", f"tool {of_tool.number} has questions 1-{len(of_tool.questions)}, not {number}", UnknownTool)
        return of_tool.questions[number - 1]
    qid = text.casefold() if loose and isinstance(text, str) else text
    if not isinstance(qid, str) or not kit.has_question(qid):
        known = ", ".join(q.id for q in of_tool.questions)
        raise refuse("", f"unknown question {shown(text)} (tool {of_tool.number} has {known})", UnknownTool)
    found = kit.question(qid)
    if found.tool_id != of_tool.id:
        raise refuse("", f"question {qid!r} belongs to {found.tool_id!r}, not to tool {of_tool.number} {of_tool.id!r}", UnknownTool)
    return found


def question_id(kit: Toolkit, of_tool: Tool, kind: str, ref: object, *, loose: bool = False) -> str:
    """The question an answer of ``kind`` is about: a text answer names one
    of the tool's questions; a rating, comment or dots is about the whole
    tool and names none (``""``)."""
    empty = ref is None or (isinstance(ref, str) and not ref.strip())
    if kind != "text":
        if not empty:
            raise refuse("", f"leave it empty for a {kind} (a {kind} is about the whole tool), got {shown(ref)}")
        return ""
    if empty:
        numbers = f" or a number 1-{len(of_tool.questions)}" if loose else ""
        raise refuse("", f"empty; a text answer needs its question: an id such as {of_tool.questions[0].id!r}{numbers}")
    return question(kit, of_tool, ref, loose=loose).id


def kind(value: object, *, field: str = "kind") -> str:
    """An answer's kind: text, rating, comment or dots."""
    if not isinstance(value, str) or value not in KINDS:
        raise refuse(field, f"expected one of {', '.join(KINDS)}, got {shown(value)}")
    return value


def sector(kit: Toolkit, value: object, *, field: str = "sector", loose: bool = False) -> str:
    """A sector id (``nonprofit``). ``loose=True`` also takes the sector's
    name in any case (``Non-profit``, ``non profit`` is not one)."""
    text = value.strip() if isinstance(value, str) else value
    if text == "":
        raise refuse(field, "must not be empty")
    if isinstance(text, str) and kit.has_sector(text):
        return text
    if loose and isinstance(text, str):
        folded = text.casefold()
        for s in kit.sectors:
            if folded in (s.id, s.name.casefold(), s.name.casefold().replace("-", "")):
                return s.id
    raise refuse(field, f"unknown sector {shown(text)} (expected one of {', '.join(s.id for s in kit.sectors)})")


def owner_sector(kit: Toolkit, value: object, *, field: str = "owner's sector") -> str | None:
    """An action owner's sector, or nothing."""
    if value is None or value == "":
        return None
    return sector(kit, value, field=field)


def participant_id(value: object) -> int:
    """A participant's id number as the store hands them out."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise refuse("participant", f"expected a participant id number, got {shown(value)}")
    return value


def same_workshop(workshop: Workshop, participant: Participant) -> None:
    """A participant writes only into the workshop they signed in to."""
    if participant.workshop_id != workshop.id:
        raise refuse("", f"participant {participant.id} signed in to another workshop, not {workshop.slug!r}")


# --------------------------------------------------------------------------
# Tables (issue #15)


def table_key(name: str) -> str:
    """How two spellings of one table compare: case and spacing ignored.

        >>> table_key("  Table   3 ") == table_key("table 3")
        True
    """
    return " ".join(name.split()).casefold()


def at_table(participant: Participant, table: str) -> None:
    """Only a table's members write its table answer."""
    if table_key(participant.table) != table_key(table):
        raise refuse("", f"participant {participant.id} sits at {participant.table!r}, not at {table!r}: only a table's members write its answer")


def table_members(kit: Toolkit, value: object, *, field: str = "table members") -> dict[str, int]:
    """Who sits at a table that shares one device, as it says when it signs
    in: sector id -> how many (whole numbers; sectors with none may be left
    out), at least one person and at most :data:`MAX_TABLE_MEMBERS`."""
    if not isinstance(value, Mapping):
        raise refuse(field, f"expected sector -> number of people, got {describe(value)}")
    members: dict[str, int] = {}
    for raw_sector, raw_count in value.items():
        sector_id = sector(kit, raw_sector, field=field)
        if isinstance(raw_count, bool) or not isinstance(raw_count, int) or raw_count < 0:
            raise refuse(field, f"{sector_id}: expected a whole number of people (0 or more), got {shown(raw_count)}")
        if raw_count:
            members[sector_id] = members.get(sector_id, 0) + raw_count
    total = sum(members.values())
    if not total:
        raise refuse(field, "say how many people from each sector sit at the table (at least one)")
    if total > MAX_TABLE_MEMBERS:
        raise refuse(field, f"{total} people is more than a table can seat here (at most {MAX_TABLE_MEMBERS})")
    return {s.id: members[s.id] for s in kit.sectors if s.id in members}


# --------------------------------------------------------------------------
# Answers: ratings, dots, rounds, times


def rating(kit: Toolkit, value: object, *, field: str = "rating") -> str:
    """A rating as stored: a point of the content's scale (``"4"``),
    ``not-sure`` for ``None``, or ``not-yet`` ("not yet relevant at our
    stage") when the scale offers it."""
    if value is None or value == NOT_SURE:
        return NOT_SURE
    if value == NOT_YET:
        if not kit.scale.not_yet:
            raise refuse(field, "this content's scale has no \"not yet relevant\" option (scale.not_yet)")
        return NOT_YET
    if isinstance(value, bool) or not isinstance(value, int) or value not in kit.scale.values:
        lo, hi = kit.scale.values[0], kit.scale.values[-1]
        raise refuse(field, f"rating {shown(value)} is outside the scale {lo}-{hi}")
    return str(value)


def anonymous_answer(question: Question, anonymous: object) -> bool:
    """Only a question the content flags as sensitive may be answered
    without the participant's name (the workbook offers it there)."""
    if not isinstance(anonymous, bool):
        raise refuse("anonymous", f"expected true or false, got {shown(anonymous)}")
    if anonymous and question.sensitive is None:
        raise refuse("anonymous", f"question {question.id} is not marked sensitive, so it is answered with your name")
    return anonymous


def dots(value: object, *, field: str = "dots") -> int:
    """The dots a participant places on one tool: 0 or more, and never more
    than any budget allows."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise refuse(field, f"expected a whole number of 0 or more, got {shown(value)}")
    if value > MAX_DOTS:
        raise refuse(field, f"{shown(value)} dots is more than any budget allows (at most {MAX_DOTS})")
    return value


def dots_budget(allocation: Mapping[str, int], budget: int, *, field: str = "dots") -> int:
    """One participant's dots in one round (tool id -> dots) fit the
    workshop's budget; returns the total."""
    total = sum(allocation.values())
    if total > budget:
        raise refuse(field, f"{total} dots placed but each participant has {budget}; take some back first")
    return total


def budget(value: object, *, field: str = "settings.dots") -> int:
    """The dot budget a facilitator sets: 1 to 50 per participant."""
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_DOTS <= value <= MAX_DOTS:
        raise refuse(field, f"expected {MIN_DOTS} to {MAX_DOTS} dots per participant, got {shown(value)}")
    return value


def round_number(value: object, *, field: str = "round") -> int:
    """A round: a whole number from 1 to :data:`MAX_ROUND`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise refuse(field, f"expected a whole number from 1, got {describe(value)}")
    if value < 1:
        raise refuse(field, f"rounds start at 1, got {shown(value)}")
    if value > MAX_ROUND:
        raise refuse(field, f"{shown(value)} is more rounds than a workshop can have (at most {MAX_ROUND:,})")
    return value


def created(value: object, *, field: str = "created", now: float | None = None) -> float:
    """When a row was written, in seconds since 1970 (UTC): a real time from
    2000-01-01 to a day ahead of this machine's clock. Anything else (a year
    9999, ``1e300``, NaN) would break every view that shows times."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise refuse(field, f"expected a time in seconds since 1970 (UTC), got {describe(value)}")
    try:
        stamp = float(value)
    except OverflowError:
        stamp = math.inf
    latest = (time.time() if now is None else now) + AHEAD_SECONDS
    if not (math.isfinite(stamp) and EARLIEST_TIME <= stamp <= latest):
        last = dt.datetime.fromtimestamp(latest, dt.timezone.utc).date().isoformat()
        raise refuse(field, f"{_when(stamp)} is not a time between 2000-01-01 and {last} (a day from now)")
    return stamp


def _when(stamp: float) -> str:
    try:
        return dt.datetime.fromtimestamp(stamp, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, ValueError, OSError):
        return shown(stamp)


# --------------------------------------------------------------------------
# Actions, stages, settings


def action_status(value: object, *, field: str = "action status") -> str:
    """An action's status: open, in progress, done or dropped."""
    if not isinstance(value, str) or value not in ACTION_STATUSES:
        raise refuse(field, f"expected one of {', '.join(ACTION_STATUSES)}, got {shown(value)}")
    return value


def stage_state(value: object, *, field: str = "stage state") -> str:
    """A stage is open or locked."""
    if not isinstance(value, str) or value not in STAGE_STATES:
        raise refuse(field, f"expected one of {', '.join(STAGE_STATES)}, got {shown(value)}")
    return value


def stage_open(kit: Toolkit, settings: WorkshopSettings, tool_id: str) -> None:
    """A tool's stage is open: the facilitator's lock makes answers there read-only."""
    stage = kit.stage(kit.tool(tool_id).stage_id)
    if settings.is_locked(stage.id):
        raise refuse("", f"the {stage.title} stage is locked by the facilitator; answers there are read-only", StageLocked)


def settings(kit: Toolkit, raw: object, *, field: str = "settings") -> WorkshopSettings:
    """The facilitator's settings from a mapping (keys as
    :meth:`WorkshopSettings.to_dict` writes them), every value checked:
    the right type, a round and a budget within limits, stages the content
    has, each open or locked, today's plan (:func:`plan`), locks with
    notice and the timer at real times, hidden answer ids, a minimum group
    size (:func:`min_group`) and a presenter section the view has."""
    if not isinstance(raw, Mapping):
        raise refuse(field, f"expected a mapping, got {describe(raw)}")
    for key, value in raw.items():
        if key not in SETTING_TYPES:
            raise refuse(field, f"unknown setting {shown(key)} (expected one of {', '.join(SETTING_TYPES)})")
        wanted = SETTING_TYPES[key]
        if not _has_type(value, wanted):
            raise refuse(f"{field}.{key}", f"expected {_TYPE_WORDS[wanted]}, got {describe(value)}")
    round_number(raw.get("round", 1), field=f"{field}.round")
    budget(raw.get("dots", 5), field=f"{field}.dots")
    stage_ids = {s.id for s in kit.stages}
    for stage_id, state in dict(raw.get("stages", {})).items():
        if stage_id not in stage_ids:
            raise refuse(f"{field}.stages", f"unknown stage {shown(stage_id)} (expected one of {', '.join(s.id for s in kit.stages)})")
        stage_state(state, field=f"{field}.stages.{stage_id}")
    plan(kit, raw.get("plan") or [], field=f"{field}.plan")
    template = raw.get("plan_template") or ""
    if template and not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", template):
        raise refuse(f"{field}.plan_template", f"expected an agenda template's id such as 'first-meeting', got {shown(template)}")
    for key, at in dict(raw.get("lock_at") or {}).items():
        if key not in stage_ids and key != VOTE:
            raise refuse(f"{field}.lock_at", f"unknown stage {shown(key)} (expected one of {', '.join([*(s.id for s in kit.stages), VOTE])})")
        created(at, field=f"{field}.lock_at.{key}")
    if raw.get("timer_ends") is not None:
        created(raw["timer_ends"], field=f"{field}.timer_ends")
    timer_seconds(raw.get("timer_seconds", 0), field=f"{field}.timer_seconds", allow_zero=True)
    hidden = list(raw.get("hidden") or [])
    if len(hidden) > MAX_HIDDEN:
        raise refuse(f"{field}.hidden", f"{len(hidden):,} hidden answers is more than a workshop can hide (at most {MAX_HIDDEN:,})")
    for value in hidden:
        answer_id(value, field=f"{field}.hidden")
    min_group(raw.get("min_group", 3), field=f"{field}.min_group")
    screen = raw.get("screen") or ""
    if screen and screen not in SCREENS:
        raise refuse(f"{field}.screen", f"expected one of {', '.join(SCREENS)}, got {shown(screen)}")
    return WorkshopSettings.from_dict(raw)


def _has_type(value: object, wanted: Any) -> bool:
    if wanted is dict:
        return isinstance(value, Mapping)
    if wanted is list:
        return isinstance(value, (list, tuple))
    if wanted == (float, None):
        return value is None or (isinstance(value, int | float) and not isinstance(value, bool))
    return type(value) is wanted


def plan(kit: Toolkit, raw: object, *, field: str = "plan") -> list[dict[str, Any]]:
    """Today's plan: a list of ``{"tool": id, "minutes": n}``, each tool
    the content has, once, with 1 to :data:`MAX_PLAN_MINUTES` minutes."""
    if not isinstance(raw, (list, tuple)):
        raise refuse(field, f"expected a list of tools with minutes, got {describe(raw)}")
    seen: set[str] = set()
    out = []
    for i, slot in enumerate(raw):
        place = f"{field}[{i}]"
        if not isinstance(slot, Mapping) or set(slot) != {"tool", "minutes"}:
            raise refuse(place, f"expected {{'tool': id, 'minutes': n}}, got {shown(slot)}")
        try:
            found = tool(kit, slot["tool"])
        except UnknownTool as exc:
            raise refuse(f"{place}.tool", problem_of(exc)) from None
        if found.id in seen:
            raise refuse(place, f"tool {found.number} ({found.id}) is in the plan twice")
        seen.add(found.id)
        minutes = slot["minutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_PLAN_MINUTES:
            raise refuse(f"{place}.minutes", f"expected 1 to {MAX_PLAN_MINUTES} minutes, got {shown(minutes)}")
        out.append({"tool": found.id, "minutes": minutes})
    return out


_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def duration(value: object, *, field: str = "duration") -> int:
    """A length of time as people type it, in seconds: ``10m``, ``90s``,
    ``1h``, ``1m30s``, or a bare number of minutes (``10``).

        >>> duration("10m"), duration("1m30s"), duration("5")
        (600, 90, 300)
    """
    text = value.strip().lower().replace(" ", "") if isinstance(value, str) else value
    if isinstance(text, str) and text.isdigit():
        seconds = int(text) * 60
    else:
        m = _DURATION.match(text) if isinstance(text, str) and text else None
        if m is None:
            raise refuse(field, f"expected a time such as 10m, 90s, 1h or 1m30s, got {shown(value)}")
        h, mins, secs = (int(g or 0) for g in m.groups())
        seconds = h * 3600 + mins * 60 + secs
    return timer_seconds(seconds, field=field)


def plan_template(kit: Toolkit, ref: object) -> Plan:
    """An agenda template by id (``diagnosis-and-design``) or by the start
    of its title as a slug, when one template has it (``half-day`` for
    "Half day: Diagnosis and Design")."""
    text = ref.strip().lower() if isinstance(ref, str) else ref
    if isinstance(text, str) and text:
        if text in {p.id for p in kit.plans}:
            return kit.plan(text)
        by_title = [p for p in kit.plans if slugify(p.title).startswith(text)]
        if len(by_title) == 1:
            return by_title[0]
    known = ", ".join(f"{p.id} ({p.title})" for p in kit.plans) or "none: the content has no plans"
    raise refuse("plan", f"unknown agenda template {shown(ref)} (known: {known})", UnknownTool)


def tool_list(text: object, *, field: str = "tools") -> list[tuple[str, int | None]]:
    """Tools as a facilitator types them for today's plan, in order, each
    with optional minutes: ``"1,2,4:30,share-discretion"`` ->
    ``[("1", None), ("2", None), ("4", 30), ("share-discretion", None)]``
    (:meth:`~toolkit.store.AnswerStore.set_plan` checks the tools)."""
    if not isinstance(text, str):
        raise refuse(field, f"expected tool numbers or ids separated by commas, got {describe(text)}")
    out: list[tuple[str, int | None]] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        ref, _, minutes = part.partition(":")
        if minutes and not minutes.strip().isdigit():
            raise refuse(field, f"{part!r}: minutes after ':' must be a whole number, such as 4:30")
        out.append((ref.strip(), int(minutes) if minutes else None))
    if not out:
        raise refuse(field, "expected tool numbers or ids separated by commas, such as 1,2,4,5")
    return out


def timer_seconds(value: object, *, field: str = "timer", allow_zero: bool = False) -> int:
    """A discussion timer's length: a whole number of seconds, at most
    four hours (0 only where it means "no timer")."""
    low = 0 if allow_zero else 1
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_TIMER_SECONDS:
        raise refuse(field, f"expected {low} to {MAX_TIMER_SECONDS:,} seconds (four hours), got {shown(value)}")
    return value


def min_group(value: object, *, field: str = "min_group") -> int:
    """The minimum group size: 1 (every mean shown) to :data:`MAX_GROUP`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_GROUP:
        raise refuse(field, f"expected a group size of 1 to {MAX_GROUP}, got {shown(value)}")
    return value


def answer_id(value: object, *, field: str = "answer") -> int:
    """An answer's id number as the store hands them out."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ANSWER_ID:
        raise refuse(field, f"expected an answer id number, got {shown(value)}")
    return value


def vote_open(settings: WorkshopSettings) -> None:
    """The dot vote is open: the facilitator closes it (at once or with notice)."""
    if settings.vote_is_closed():
        raise refuse("", "the dot vote is closed by the facilitator; your dots are shown read-only", StageLocked)
