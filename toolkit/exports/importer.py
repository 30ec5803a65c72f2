"""Import answers into the store: the JSON file that ``workshop export
--format json`` writes (a backup, or a workshop moved between stores), or a
CSV of answers gathered on paper.

    >>> result = import_file(store, "riverside.json")
    >>> print(result)
    riverside.json: workshop 'riverside' created; 12 participants, 431 answers and 6 actions added

Every value is checked with the store's own rules (:mod:`toolkit.store.checks`:
text limits, sectors, tool and question ids, the rating scale, rounds,
times, the dot budget, stage locks). A file is read in two steps:

1. each CSV column and each JSON field is read by the reader its table
   names (:data:`CSV_TABLE`, :data:`JSON_TABLES`), which checks and
   converts it; this needs the content only;
2. in the store's write transaction (:meth:`AnswerStore.import_rows`), with
   the workshop's row held, the rows are checked against what is stored
   (stage locks, each participant's dots against the budget, rows already
   there) and written, so a change made meanwhile by a kernel cannot slip
   between the check and the write.

All of it is written, or nothing is. A refusal is one line, an
:class:`ImportFileError` that names the file, the row and the column::

    answers.csv row 57, column 'value': rating 9 is outside the scale 1-5

Importing the same file twice adds nothing the second time: an answer row
identical to one already stored (same participant, round, tool, question,
kind, value and time) is skipped and a JSON workshop is matched by its slug.
Participants are matched as each format can:

- a JSON file names each participant by their ``key`` (the store's own,
  random since issue #12), so the same people are found again however many
  share a name, organization and table; a version 1 file, which has no
  keys, matches by name, organization and table *and* the moment they first
  signed in, so two people with the same details stay two;
- a CSV from paper has only the details: a row goes to the one participant
  with that name, organization and table (ignoring case), or to a new one;
  when several participants have those details the row is refused, naming
  them, since the paper cannot say which of them wrote it.

CSV columns
-----------
The first row names the columns (any order, any case); row numbers in
messages count that header as row 1, as a spreadsheet shows them. UTF-8
(Excel's "CSV UTF-8"), comma- or semicolon-separated.

==============  ========  ====================================================
column          needed    what goes in it
==============  ========  ====================================================
workshop        yes [1]   the workshop's slug, or its title; created if new
name            no        the participant's name (empty for no name)
organization    yes       the participant's organization
table           yes       the table they sat at ("Table 2")
sector          yes       sector id or name: government, business, nonprofit
                          (Non-profit), community, other
tool            yes       tool id (share-discretion) or number (1-17)
kind            yes       text (an answer to a guiding question), rating,
                          comment (the note with a rating) or dots
question        text      for ``text``: question id (epp-1) or its number
                          within the tool (1, 2, ...); empty for other kinds
value           yes       the answer; a rating 1-5, "not sure" or "not yet"
                          (not yet relevant at our stage); dots a whole
                          number (each person's dots within the budget)
round           no        the round (default: the workshop's current round)
created         no        when it was written, ISO 8601 (2026-05-01T14:30;
                          UTC unless an offset is given); default: now
==============  ========  ====================================================

[1] not needed with ``--into SLUG``, which then wins over the column.

A CSV row without ``created`` counts as already imported when an identical
row (participant, round, tool, question, kind, value) is stored at any
time, so transcribing and importing a stack of paper twice is harmless.

JSON
----
The export's own format (``"format": "intersector-workshop"``,
``"version": 3``; versions 1 and 2 are read too): ``workshop`` (slug,
title, created, settings), ``participants`` (with a file-local ``id``,
their ``key`` and ``resume_code``), ``answers`` (every row of the
history; an answer given without a name has ``"anonymous": true`` and
stays unattributed in every view after the import), ``superseded`` (saves
refused as based on an older answer; kept for the record, never current),
``actions`` and (version 3) ``table_answers`` and ``table_superseded``
(each table's shared answers and refused edits of them, with the table's
name and the member who wrote them, ``null`` for a table's shared device). A resume code already taken by someone else in the
target workshop is replaced by a fresh one. Into a store without that slug it recreates
the workshop exactly; into an existing one it adds what is missing. Rows
are restored as they were recorded, even in a stage that is locked now, and
an action already stored (same tool, text and creation time) is left as it
is.

Times (``created``) lie between 2000-01-01 and a day ahead of now, rounds
between 1 and 1,000, and each participant's dots in a round, as they stand
once the file is in, within the workshop's budget.
"""

from __future__ import annotations

import dataclasses

import csv
import datetime as dt
import io
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.content.validate import describe
from toolkit.errors import ImportFileError, InvalidAnswer, StageLocked, UnknownTool
from toolkit.store import checks
from toolkit.store.values import NOT_SURE, NOT_YET, NewRows, Stored, WorkshopSettings

if TYPE_CHECKING:
    from toolkit.content import Toolkit
    from toolkit.store import AnswerStore

Progress = Callable[[int, int, str], None]


# --------------------------------------------------------------------------
# The tables: every column and field, and the reader that checks it


@dataclass(frozen=True)
class _Context:
    """What a reader may consult: the content, and the participant ids a
    JSON file defines."""

    kit: Toolkit
    people: frozenset[int] = frozenset()


#: A reader gets the context, the raw value (``None`` when a JSON field is
#: missing, ``""`` for an empty CSV cell) and the fields read before it in
#: the same row; it returns the value to keep or raises a refusal from
#: :mod:`toolkit.store.checks`.
Reader = Callable[[_Context, Any, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Column:
    """One CSV column or JSON field: its name in the file, the key its
    value is kept under (the name unless given), and its reader. ``needed``
    and ``help`` describe a CSV column for ``workshop import --help``."""

    name: str
    read: Reader
    key: str = ""
    needed: str = ""
    help: str = ""


_NOT_SURE_WORDS = {"not sure", "not-sure", "notsure", "unsure", "?", "n/a"}
_NOT_YET_WORDS = {"not yet", "not-yet", "not yet relevant", "not yet relevant at our stage"}


def _whole(value: Any) -> int | None:
    """A whole number from an int or its digits (at most 40 of them: a
    longer one is refused as it is, not converted)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit() and len(text) <= 40:
            return int(text)
    return None


def _answer_value(kit: Toolkit, kind: str, raw: Any, *, typed: bool) -> str:
    """An answer's value as stored. ``typed=True`` (a CSV from paper) takes
    "not sure" in any of its spellings and refuses an empty text; the JSON
    export's values come back exactly as they were stored."""
    if kind in ("text", "comment"):
        value = checks.clean_text(raw, field="value")
        if typed and not value:
            raise checks.refuse("value", "empty; leave the row out when there is no answer")
        return value
    if not isinstance(raw, str):
        raise checks.refuse("value", f"expected text, got {describe(raw)}")
    number = _whole(raw)
    exact = typed or str(number) == raw  # the export writes "3", never " 3" or "03"
    if kind == "rating":
        if (raw.strip().casefold() if typed else raw) in (_NOT_SURE_WORDS if typed else {NOT_SURE}):
            return NOT_SURE
        if (raw.strip().casefold() if typed else raw) in (_NOT_YET_WORDS if typed else {NOT_YET}):
            return checks.rating(kit, NOT_YET, field="value")
        if number is None or not exact:
            lo, hi = kit.scale.values[0], kit.scale.values[-1]
            raise checks.refuse("value", f"a rating is a whole number {lo}-{hi} or \"not sure\", got {raw[:40]!r}")
        return checks.rating(kit, number, field="value")
    if number is None or not exact:
        raise checks.refuse("value", f"dots are a whole number of 0 or more, got {raw[:40]!r}")
    return str(checks.dots(number, field="value"))


def _anonymous(kit: Toolkit, row: Mapping[str, Any], raw: Any) -> bool:
    """An answer's "given without a name" flag (absent: false); only a text
    answer can carry it. The question need not be sensitive any more: a
    flag once given is kept."""
    if raw is None:
        return False
    if not isinstance(raw, bool):
        raise checks.refuse("anonymous", f"expected true or false, got {describe(raw)}")
    if raw and row["kind"] != "text":
        raise checks.refuse("anonymous", f"only an answer to a question is given without a name, not a {row['kind']}")
    return raw


def _csv_round(ctx: _Context, raw: str, row: Mapping[str, Any]) -> int | None:
    if not raw.strip():
        return None  # the workshop's current round, known in the transaction
    number = _whole(raw)
    if number is None:
        raise checks.refuse("round", f"a round is a whole number from 1, got {raw.strip()[:40]!r}")
    return checks.round_number(number)


def _csv_created(ctx: _Context, raw: str, row: Mapping[str, Any]) -> float | None:
    text = raw.strip()
    if not text:
        return None
    try:
        stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise checks.refuse("created", f"expected a time like 2026-05-01T14:30 (ISO 8601), got {text[:40]!r}") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    return checks.created(stamp.timestamp())


#: The CSV's columns in the order they are read (a question is read after
#: its tool and kind, a value after its kind). The workshop column is read
#: on its own, once per file.
CSV_TABLE: tuple[Column, ...] = (
    Column("workshop", lambda c, raw, r: checks.title(raw, field="workshop"), needed="yes [1]",
           help="slug or title of the workshop (created if new); not needed with --into"),
    Column("name", lambda c, raw, r: checks.clean_short(raw, field="name", required=False) or None, needed="no",
           help="participant's name (may be empty)"),
    Column("organization", lambda c, raw, r: checks.clean_short(raw, field="organization"), needed="yes",
           help="participant's organization"),
    Column("table", lambda c, raw, r: checks.clean_short(raw, field="table"), needed="yes",
           help='the table they sat at, e.g. "Table 2"'),
    Column("sector", lambda c, raw, r: checks.sector(c.kit, raw, loose=True), needed="yes",
           help="government, business, nonprofit, community, other"),
    Column("tool", lambda c, raw, r: checks.tool(c.kit, raw, loose=True), needed="yes",
           help="tool id (share-discretion) or number 1-17"),
    Column("kind", lambda c, raw, r: checks.kind(raw.strip().casefold()), needed="yes",
           help="text | rating | comment | dots"),
    Column("question", lambda c, raw, r: checks.question_id(c.kit, r["tool"], r["kind"], raw, loose=True), needed="text",
           help="for kind text: question id (epp-1) or number within the tool"),
    Column("value", lambda c, raw, r: _answer_value(c.kit, r["kind"], raw, typed=True), needed="yes",
           help='the answer; rating 1-5 or "not sure"; dots a whole number'),
    Column("round", _csv_round, needed="no", help="optional; default the workshop's current round"),
    Column("created", _csv_created, needed="no", help="optional ISO time, e.g. 2026-05-01T14:30 (UTC unless an offset is given)"),
)

CSV_COLUMNS = tuple(c.name for c in CSV_TABLE)
CSV_REQUIRED = tuple(c.name for c in CSV_TABLE if c.needed == "yes")
CSV_OPTIONAL = tuple(c.name for c in CSV_TABLE if c.needed != "yes")

#: Short help for ``workshop import --help``.
CSV_HELP = "\n".join(
    [
        "CSV columns (header row first, any order, case-insensitive; UTF-8):",
        *(f"  {c.name:<13} {c.help}" + ("  (required)" if c.needed == "yes" else "") for c in CSV_TABLE),
        "Row numbers in messages count the header as row 1. Nothing is written unless",
        "every row is valid; rows already imported are skipped.",
    ]
)


def _file_id(ctx: _Context, raw: Any, row: Mapping[str, Any]) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise checks.refuse("id", f"expected a whole number, got {describe(raw)}")
    return raw


def _key(ctx: _Context, raw: Any, row: Mapping[str, Any]) -> str | None:
    if raw is None:
        return None  # a version 1 file
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 400 or not raw.isprintable():
        raise checks.refuse("key", f"expected the participant's key (text of 1-400 printable characters), got {checks.shown(raw)}")
    return raw


def _resume_code(ctx: _Context, raw: Any, row: Mapping[str, Any]) -> str | None:
    if raw is None:
        return None
    from toolkit.store.identity import normalise_resume_code

    return normalise_resume_code(raw)


def _who_in_file(optional: bool) -> Reader:
    def read(ctx: _Context, raw: Any, row: Mapping[str, Any]) -> int | None:
        if raw is None and optional:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int) or raw not in ctx.people:
            raise checks.refuse("participant", f"{checks.shown(raw)} is not the id of a participant in this file")
        return raw

    return read


def _time(ctx: _Context, raw: Any, row: Mapping[str, Any]) -> float:
    return checks.created(raw)


def _json_tool(ctx: _Context, raw: Any, row: Mapping[str, Any]) -> Any:
    return checks.tool(ctx.kit, raw)


#: The JSON export's records and their fields, in the order they are read.
JSON_TABLES: Mapping[str, tuple[Column, ...]] = {
    "workshop": (
        Column("slug", lambda c, raw, r: checks.slug(raw)),
        Column("title", lambda c, raw, r: checks.title(raw, field="title")),
        Column("created", _time),
        Column("settings", lambda c, raw, r: checks.settings(c.kit, raw)),
    ),
    "participants": (
        Column("id", _file_id),
        Column("key", _key),
        Column("name", lambda c, raw, r: checks.clean_short(raw, field="name", required=False) or None),
        Column("organization", lambda c, raw, r: checks.clean_short(raw, field="organization")),
        Column("table", lambda c, raw, r: checks.clean_short(raw, field="table")),
        Column("sector", lambda c, raw, r: checks.sector(c.kit, raw)),
        Column("created", _time),
        Column("resume_code", _resume_code),
    ),
    "answers": (
        Column("participant", _who_in_file(optional=False)),
        Column("round", lambda c, raw, r: checks.round_number(raw)),
        Column("kind", lambda c, raw, r: checks.kind(raw)),
        Column("tool_id", _json_tool, key="tool"),
        Column("question_id", lambda c, raw, r: checks.question_id(c.kit, r["tool"], r["kind"], raw), key="question"),
        Column("value", lambda c, raw, r: _answer_value(c.kit, r["kind"], raw, typed=False)),
        Column("created", _time),
        Column("anonymous", lambda c, raw, r: _anonymous(c.kit, r, raw)),
    ),
    "actions": (
        Column("tool_id", _json_tool, key="tool"),
        Column("what", lambda c, raw, r: checks.action_text(raw, field="what")),
        Column("owner", lambda c, raw, r: checks.clean_short(raw, field="owner")),
        Column("owner_sector", lambda c, raw, r: checks.owner_sector(c.kit, raw, field="owner_sector")),
        Column("due", lambda c, raw, r: checks.clean_date(raw, field="due")),
        Column("status", lambda c, raw, r: checks.action_status(raw, field="status")),
        Column("participant", _who_in_file(optional=True)),
        Column("created", _time),
        Column("updated", _time),
    ),
}
#: A table's shared answer to a question (version 3, issue #15), and a
#: table answer edit refused as based on an older one: the same fields.
TABLE_ANSWER: tuple[Column, ...] = (
    Column("table", lambda c, raw, r: checks.clean_short(raw, field="table")),
    Column("participant", _who_in_file(optional=True)),
    Column("round", lambda c, raw, r: checks.round_number(raw)),
    Column("tool_id", _json_tool, key="tool"),
    Column("question_id", lambda c, raw, r: checks.question_id(c.kit, r["tool"], "text", raw), key="question"),
    Column("value", lambda c, raw, r: checks.clean_text(raw, field="value")),
    Column("created", _time),
)
#: Saves refused as based on an older answer: the fields of an answer.
JSON_TABLES = {**JSON_TABLES, "superseded": JSON_TABLES["answers"], "table_answers": TABLE_ANSWER, "table_superseded": TABLE_ANSWER}


def _read_row(ctx: _Context, raw: Callable[[str], Any], columns: Sequence[Column], place: Callable[[str], str]) -> dict[str, Any]:
    """Read one row or record through its columns; the first refusal is an
    :class:`ImportFileError` at ``place(column)``. A refusal about a part
    of a field (``settings.dots``) names that part after the field."""
    row: dict[str, Any] = {}
    for col in columns:
        try:
            row[col.key or col.name] = col.read(ctx, raw(col.name), row)
        except (InvalidAnswer, UnknownTool) as exc:
            part = checks.field_of(exc)
            sub = part[len(col.name):] if part.startswith(col.name + ".") else ""
            raise ImportFileError(f"{place(col.name)}{sub}: {checks.problem_of(exc)}") from None
    return row


# --------------------------------------------------------------------------
# What an import writes, decided in the write transaction


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote (and what it found already there)."""

    file: str
    slug: str
    created_workshop: bool
    participants_added: int
    answers_added: int
    answers_skipped: int
    actions_added: int = 0
    actions_skipped: int = 0
    superseded_added: int = 0
    table_answers_added: int = 0

    def __str__(self) -> str:
        where = f"workshop {self.slug!r} " + ("created" if self.created_workshop else "updated" if self.added else "unchanged")
        parts = [f"{self.participants_added} participant{'s' * (self.participants_added != 1)}", f"{self.answers_added} answer{'s' * (self.answers_added != 1)}"]
        if self.actions_added or self.actions_skipped:
            parts.append(f"{self.actions_added} action{'s' * (self.actions_added != 1)}")
        if self.superseded_added:
            parts.append(f"{self.superseded_added} superseded save{'s' * (self.superseded_added != 1)}")
        if self.table_answers_added:
            parts.append(f"{self.table_answers_added} table answer{'s' * (self.table_answers_added != 1)}")
        text = f"{self.file}: {where}; " + ", ".join(parts[:-1]) + f" and {parts[-1]} added"
        skipped = self.answers_skipped + self.actions_skipped
        if skipped:
            text += f" ({skipped} row{'s' * (skipped != 1)} already there, skipped)"
        return text

    @property
    def added(self) -> int:
        return self.participants_added + self.answers_added + self.actions_added + self.superseded_added + self.table_answers_added


#: How a batch names a participant: ``("id", stored id)`` for one the store
#: holds, ``("new", index)`` for one the import adds.
Who = tuple[str, int]


@dataclass
class _Batch:
    """The rows an import will write, planned against what the store holds
    (read in the write transaction)."""

    stored: Stored
    workshop: dict[str, Any]
    participants: list[dict[str, Any]] = field(default_factory=list)
    indexes: dict[Who, int] = field(default_factory=dict)  # who -> index in participants
    answers: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    superseded: list[dict[str, Any]] = field(default_factory=list)
    table_answers: list[dict[str, Any]] = field(default_factory=list)
    table_superseded: list[dict[str, Any]] = field(default_factory=list)
    answers_skipped: int = 0
    actions_skipped: int = 0
    by_details: dict[str, list[Any]] = field(default_factory=dict)  # identity -> stored participants
    by_key: dict[str, Any] = field(default_factory=dict)  # participant key -> stored participant
    by_stamp: dict[tuple[str, float], Any] = field(default_factory=dict)  # (identity, created) -> stored participant
    new_by_details: dict[str, Who] = field(default_factory=dict)  # identity -> a CSV's new participant
    answer_keys: set[tuple[Any, ...]] = field(default_factory=set)
    loose_keys: set[tuple[Any, ...]] = field(default_factory=set)
    superseded_keys: set[tuple[Any, ...]] = field(default_factory=set)
    #: (table key, round, tool, question, value, created) of stored table answer rows, then refused ones.
    table_keys: set[tuple[Any, ...]] = field(default_factory=set)
    table_superseded_keys: set[tuple[Any, ...]] = field(default_factory=set)
    action_keys: set[tuple[Any, ...]] = field(default_factory=set)
    dots: dict[tuple[Who, int], dict[str, int]] = field(default_factory=dict)  # (who, round) -> tool -> dots
    dots_placed: dict[tuple[Who, int], str] = field(default_factory=dict)  # (who, round) -> where the import last set them

    def __post_init__(self) -> None:
        from toolkit.store import identity_key

        for p in self.stored.participants:
            details = identity_key(p.name, p.organization, p.table)
            self.by_details.setdefault(details, []).append(p)
            self.by_stamp[(details, float(p.created))] = p
            if p.id in self.stored.keys:
                self.by_key[self.stored.keys[p.id]] = p
        if self.stored.answers:
            names = ("participant_id", "round", "tool_id", "question_id", "kind", "value", "created")
            for pid, rnd, tool, qid, kind, value, created in zip(*(self.stored.answers[c].tolist() for c in names)):
                who = ("id", pid)
                self.answer_keys.add((who, rnd, tool, qid, kind, value, created))
                self.loose_keys.add((who, rnd, tool, qid, kind, value))
                if kind == "dots":  # oldest first: the last row of a tool is its current dots
                    self.dots.setdefault((who, rnd), {})[tool] = int(value)
        for s in self.stored.superseded:
            self.superseded_keys.add((("id", s.participant_id), s.round, s.tool_id, s.question_id, s.kind, s.value, float(s.created)))
        for a in self.stored.actions:
            self.action_keys.add((a.tool_id, a.what, float(a.created)))
        for keys, rows in ((self.table_keys, self.stored.table_answers), (self.table_superseded_keys, self.stored.table_superseded)):
            for t in rows:
                keys.add((checks.table_key(t.table), t.round, t.tool_id, t.question_id, t.value, float(t.created)))

    @property
    def settings(self) -> WorkshopSettings:
        ws = self.stored.workshop
        return ws.settings if ws is not None else self.workshop["settings"]

    def paper_person(self, person: dict[str, Any], where: str) -> tuple[int, Who]:
        """A CSV row's participant: the one stored with these details, or
        one new participant for every row with them."""
        from toolkit.store import identity_key

        details = identity_key(person["name"], person["organization"], person["table"])
        stored = self.by_details.get(details, [])
        if len(stored) > 1:
            ids = ", ".join(str(p.id) for p in stored[:5])
            raise ImportFileError(
                f"{where}: {len(stored)} participants are {_who(person)} (ids {ids}); the paper cannot say which of them "
                "wrote this row. Add something that tells them apart to the name, or import these rows by hand"
            )
        if stored:
            return self._known(stored[0], person, where)
        if details not in self.new_by_details:
            self.new_by_details[details] = self._add(person, where)
        who = self.new_by_details[details]
        self._same_sector(self.participants[self.indexes[who]], person, where)
        return self.indexes[who], who

    def file_person(self, person: dict[str, Any], where: str) -> tuple[int, Who]:
        """A JSON participant: found by key (version 2), else by details and
        the moment they first signed in (version 1); or added."""
        from toolkit.store import identity_key

        if person.get("key") is not None:
            stored = self.by_key.get(person["key"])
        else:
            stored = self.by_stamp.get((identity_key(person["name"], person["organization"], person["table"]), float(person["created"])))
        if stored is not None:
            return self._known(stored, person, where)
        who = self._add(person, where)
        return self.indexes[who], who

    def _known(self, stored: Any, person: dict[str, Any], where: str) -> tuple[int, Who]:
        who: Who = ("id", stored.id)
        if who in self.indexes:
            self._same_sector(self.participants[self.indexes[who]], person, where)
        else:
            self.indexes[who] = len(self.participants)
            self.participants.append({"id": stored.id, "sector": person["sector"], "name": person["name"], "organization": person["organization"],
                                      "table": person["table"], "_where": where, "_new": False})
        return self.indexes[who], who

    def _add(self, person: dict[str, Any], where: str) -> Who:
        who: Who = ("new", len(self.participants))
        self.indexes[who] = len(self.participants)
        self.participants.append({**person, "_where": where, "_new": True})
        return who

    @staticmethod
    def _same_sector(known: Mapping[str, Any], person: Mapping[str, Any], where: str) -> None:
        if known["sector"] != person["sector"]:
            raise ImportFileError(
                f"{where}: {_who(person)} is in sector {person['sector']!r} here but {known['sector']!r} in "
                f"{known['_where']}; one person has one sector"
            )

    def place_dots(self, who: Who, round_: int, tool_id: str, value: str, where: str) -> None:
        self.dots.setdefault((who, round_), {})[tool_id] = int(value)
        self.dots_placed[(who, round_)] = where

    def check_dots(self) -> None:
        """Each participant's dots in each round the import touched, as they
        stand once it is in, fit the budget; a refusal names the row that
        set them last."""
        for (who, round_), where in self.dots_placed.items():
            person = self.participants[self.indexes[who]]
            try:
                checks.dots_budget(self.dots[(who, round_)], self.settings.dots, field=f"{_who(person)} in round {round_}")
            except InvalidAnswer as exc:
                raise ImportFileError(f"{where}: {exc}") from None

    def rows(self) -> NewRows:
        self.check_dots()
        people = tuple(
            {k: v for k, v in p.items() if not k.startswith("_")} if p["_new"] else {"id": p["id"], "sector": p["sector"]}
            for p in self.participants
        )
        return NewRows(
            workshop=self.workshop, participants=people, answers=tuple(self.answers), actions=tuple(self.actions), superseded=tuple(self.superseded),
            table_answers=tuple(self.table_answers), table_superseded=tuple(self.table_superseded),
        )

    def result(self, name: str, slug: str) -> ImportResult:
        return ImportResult(
            file=name,
            slug=slug,
            created_workshop=self.stored.workshop is None,
            participants_added=sum(1 for p in self.participants if p["_new"]),
            answers_added=len(self.answers),
            answers_skipped=self.answers_skipped,
            actions_added=len(self.actions),
            actions_skipped=self.actions_skipped,
            superseded_added=len(self.superseded),
            table_answers_added=len(self.table_answers),
        )


def _who(person: Mapping[str, Any]) -> str:
    name = person.get("name") or "(no name)"
    return f"{name} of {person['organization']} at {person['table']}"


def _person(row: Mapping[str, Any], created: float) -> dict[str, Any]:
    person = {"name": row["name"], "organization": row["organization"], "sector": row["sector"], "table": row["table"], "created": created}
    return person | {k: row[k] for k in ("key", "resume_code") if row.get(k) is not None}


def _write(store: AnswerStore, slug: str, plan: Callable[[Stored], _Batch], name: str, progress: Progress | None) -> ImportResult:
    """Plan and write in one transaction; the result of the plan that was written."""
    tick = progress or (lambda done, total, label: None)
    tick(9, 10, "writing (one transaction)")
    planned: list[_Batch] = []

    def rows(stored: Stored) -> NewRows:
        planned[:] = [plan(stored)]  # planned again if the store asks to retry
        return planned[0].rows()

    store.import_rows(slug, rows)
    tick(10, 10, "done")
    return planned[0].result(name, slug)


def import_file(store: AnswerStore, path: str | os.PathLike[str], *, into: str | None = None, progress: Progress | None = None) -> ImportResult:
    """Import a ``.json`` export or a ``.csv`` of answers (by extension; a
    file that starts with ``{`` is taken as JSON)."""
    p = Path(path)
    name = p.name
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"{name}: cannot read the file ({exc.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{name}: the file is not UTF-8 text (byte {exc.start}); save it as UTF-8 (in Excel: CSV UTF-8)") from None
    if p.suffix.lower() == ".json" or (p.suffix.lower() != ".csv" and text.lstrip().startswith("{")):
        return import_json(store, text, name=name, into=into, progress=progress)
    return import_csv(store, text, name=name, into=into, progress=progress)


def _into(into: str) -> str:
    try:
        return checks.slug(into.strip(), field="--into")
    except InvalidAnswer as exc:
        raise ImportFileError(str(exc)) from None


# --------------------------------------------------------------------------
# CSV


def import_csv(store: AnswerStore, text: str, *, name: str = "answers.csv", into: str | None = None, progress: Progress | None = None) -> ImportResult:
    """Import a CSV of answers (columns in the module docstring); ``into``
    names the workshop and wins over a ``workshop`` column."""
    ctx = _Context(store.kit)
    tick = progress or (lambda done, total, label: None)
    rows = _read_csv(text, name)
    if not rows:
        raise ImportFileError(f"{name}: the file is empty; expected a header row ({', '.join(CSV_COLUMNS)}) and answers")
    header = _csv_header(rows[0], name, need_workshop=into is None)
    if not any(any(cell.strip() for cell in r) for r in rows[1:]):
        raise ImportFileError(f"{name}: no answer rows under the header")
    columns = tuple(c for c in CSV_TABLE if c.name != "workshop")
    slug = title = _into(into) if into is not None else None
    first_row = 0
    parsed: list[tuple[str, dict[str, Any]]] = []
    for n, r in enumerate(rows[1:], 2):
        if n % 500 == 0:
            tick(9 * (n - 1), 10 * len(rows), "checking rows")
        if not any(c.strip() for c in r):
            continue  # a blank line
        where = f"{name} row {n}"
        if len(r) > len(rows[0]):
            raise ImportFileError(f"{where}: {len(r)} cells but the header names {len(rows[0])} columns (a stray comma or an unquoted line break?)")

        def cell(col: str, r: list[str] = r) -> str:
            i = header.get(col)
            return r[i] if i is not None and i < len(r) else ""

        def place(col: str, where: str = where) -> str:
            return f"{where}, column {col!r}"

        if into is None:
            named = _read_row(ctx, cell, CSV_TABLE[:1], place)["workshop"]
            named_slug = named if checks.slugify(named) == named else checks.slugify(named)
            if slug is None:
                slug, title, first_row = named_slug, named, n
            elif named_slug != slug:
                raise ImportFileError(f"{place('workshop')}: {named!r} is another workshop than {title!r} in row {first_row}; import one workshop per file")
        parsed.append((where, _read_row(ctx, cell, columns, place)))
    assert slug is not None and title is not None
    now = time.time()

    def plan(stored: Stored) -> _Batch:
        batch = _Batch(stored, {"title": title, "created": None, "settings": WorkshopSettings()})
        seen_loose: set[tuple[Any, ...]] = set()
        for where, row in parsed:
            tool = row["tool"]
            if stored.workshop is not None:
                try:
                    checks.stage_open(store.kit, batch.settings, tool.id)
                except StageLocked as exc:
                    raise ImportFileError(f"{where}, column 'tool': {exc}; open it first (workshop open {slug} {tool.stage_id})") from None
            index, key = batch.paper_person(_person(row, now), where)
            round_ = row["round"] or batch.settings.round
            if row["kind"] == "dots":
                batch.place_dots(key, round_, tool.id, row["value"], f"{where}, column 'value'")
            loose = (key, round_, tool.id, row["question"], row["kind"], row["value"])
            if row["created"] is None:
                if loose in batch.loose_keys or loose in seen_loose:
                    batch.answers_skipped += 1
                    continue
                seen_loose.add(loose)
            elif (*loose, row["created"]) in batch.answer_keys:
                batch.answers_skipped += 1
                continue
            batch.answers.append(
                {
                    "participant": index, "round": round_, "tool_id": tool.id, "question_id": row["question"],
                    "kind": row["kind"], "value": row["value"], "created": now if row["created"] is None else row["created"],
                }
            )
        return batch

    return _write(store, slug, plan, name, progress)


def _read_csv(text: str, name: str) -> list[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows
        except csv.Error as exc:
            problem = str(exc)
            if "field larger than field limit" in problem:
                problem = f"a cell is longer than {csv.field_size_limit():,} characters (answers may have {checks.MAX_ANSWER_CHARS:,})"
            raise ImportFileError(f"{name} row {len(rows) + 1}: not valid CSV: {problem}") from None
        rows.append(row)


def _csv_header(row: list[str], name: str, *, need_workshop: bool) -> dict[str, int]:
    header: dict[str, int] = {}
    for i, raw in enumerate(row):
        col = raw.strip().casefold()
        if not col:
            raise ImportFileError(f"{name} row 1, column {i + 1}: empty column name (expected one of: {', '.join(CSV_COLUMNS)})")
        if col not in CSV_COLUMNS:
            raise ImportFileError(f"{name} row 1, column {raw.strip()[:40]!r}: unknown column (expected: {', '.join(CSV_COLUMNS)})")
        if col in header:
            raise ImportFileError(f"{name} row 1, column {col!r}: the column appears twice")
        header[col] = i
    required = CSV_REQUIRED + (("workshop",) if need_workshop else ())
    missing = [c for c in required if c not in header]
    if missing:
        hint = " (or give --into SLUG)" if missing == ["workshop"] else ""
        raise ImportFileError(f"{name} row 1: missing column{'s' * (len(missing) > 1)} {', '.join(repr(m) for m in missing)}{hint}")
    return header


# --------------------------------------------------------------------------
# JSON


def import_json(
    store: AnswerStore,
    data: str | bytes | Mapping[str, Any],
    *,
    name: str = "workshop.json",
    into: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a JSON export (text or an already parsed document); ``into``
    imports it under another slug."""
    from toolkit.exports.workshop import JSON_FORMAT, JSON_VERSION

    tick = progress or (lambda done, total, label: None)
    if isinstance(data, bytes | str):
        try:
            doc = json.loads(data)
        except json.JSONDecodeError as exc:
            raise ImportFileError(f"{name} line {exc.lineno}, column {exc.colno}: broken JSON: {exc.msg}") from None
        except RecursionError:
            raise ImportFileError(f"{name}: broken JSON: nested too deeply") from None
        except ValueError as exc:  # a number with more digits than Python converts
            raise ImportFileError(f"{name}: broken JSON: {exc}") from None
    else:
        doc = data

    def fail(place: str, problem: str) -> ImportFileError:
        return ImportFileError(f"{name} {place}: {problem}")

    if not isinstance(doc, dict):
        raise fail("top level", f"expected an object from 'workshop export --format json', got {describe(doc)}")
    if doc.get("format") != JSON_FORMAT:
        raise fail("field 'format'", f"expected {JSON_FORMAT!r} (a file written by 'workshop export --format json'), got {describe(doc.get('format'))}")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= JSON_VERSION:
        raise fail("field 'version'", f"this kit reads versions 1-{JSON_VERSION}, got {describe(version)}; upgrade the kit")
    for key, kind in (("workshop", dict), ("participants", list), ("answers", list), ("actions", list), ("superseded", list)):
        if key == "superseded" and key not in doc and version < 2:
            continue  # version 1 had no superseded saves
        if key not in doc:
            raise fail(f"field {key!r}", "missing")
        if not isinstance(doc[key], kind):
            raise fail(f"field {key!r}", f"expected {'an object' if kind is dict else 'a list'}, got {describe(doc[key])}")

    def records(section: str, ctx: _Context) -> list[dict[str, Any]]:
        """Every record of a list section, read through its table."""
        out = []
        items = doc[section]
        for i, item in enumerate(items):
            if i % 1000 == 0 and section == "answers":
                tick(9 * i, 10 * max(len(items), 1), "checking answers")
            place = f"{section}[{i}]"
            if not isinstance(item, dict):
                raise fail(place, f"expected an object, got {describe(item)}")
            out.append(_read_row(ctx, item.get, JSON_TABLES[section], lambda col, place=place: f"{name} {place}, field {col!r}"))
        return out

    ctx = _Context(store.kit)
    w = _read_row(ctx, doc["workshop"].get, JSON_TABLES["workshop"], lambda col: f"{name} workshop, field {col!r}")
    slug = _into(into) if into is not None else w["slug"]
    people = records("participants", ctx)
    ids = [p["id"] for p in people]
    for i, pid in enumerate(ids):
        if pid in ids[:i]:
            raise fail(f"participants[{i}], field 'id'", f"id {pid} appears twice")
    ctx = _Context(store.kit, people=frozenset(ids))
    answers = records("answers", ctx)
    actions = records("actions", ctx)
    superseded = records("superseded", ctx) if "superseded" in doc else []
    for key in ("table_answers", "table_superseded"):
        if key not in doc and version < 3:
            continue  # versions 1 and 2 had no table answers
        if key not in doc:
            raise fail(f"field {key!r}", "missing")
        if not isinstance(doc[key], list):
            raise fail(f"field {key!r}", f"expected a list, got {describe(doc[key])}")
    tabled = records("table_answers", ctx) if "table_answers" in doc else []
    tabled_refused = records("table_superseded", ctx) if "table_superseded" in doc else []
    seated = {p["id"]: p["table"] for p in people}
    for key, rows in (("table_answers", tabled), ("table_superseded", tabled_refused)):
        for i, a in enumerate(rows):
            if a["participant"] is not None and checks.table_key(seated[a["participant"]]) != checks.table_key(a["table"]):
                raise fail(f"{key}[{i}], field 'participant'", f"participant {a['participant']} sits at {seated[a['participant']]!r}, not at {a['table']!r}: only a table's members write its answer")
    keys: set[str] = set()
    for i, p in enumerate(people):
        if p["key"] is not None and p["key"] in keys:
            raise fail(f"participants[{i}], field 'key'", "the same key appears twice")
        keys.add(p["key"])

    def plan(stored: Stored) -> _Batch:
        # Hidden answers are named by their ids in the old store, which the
        # rows do not keep here: the new workshop starts with none hidden
        # rather than hiding whatever rows get those ids.
        batch = _Batch(stored, {"title": w["title"], "created": w["created"], "settings": dataclasses.replace(w["settings"], hidden=())})
        index_of: dict[int, tuple[int, Who]] = {}
        for i, p in enumerate(people):
            index_of[p["id"]] = batch.file_person(_person(p, p["created"]), f"{name} participants[{i}]")
        for i, a in enumerate(answers):
            index, key = index_of[a["participant"]]
            row = (key, a["round"], a["tool"].id, a["question"], a["kind"], a["value"], a["created"])
            if row in batch.answer_keys:
                batch.answers_skipped += 1
                continue
            if a["kind"] == "dots":
                batch.place_dots(key, a["round"], a["tool"].id, a["value"], f"{name} answers[{i}], field 'value'")
            batch.answers.append(
                {"participant": index, "round": a["round"], "tool_id": a["tool"].id, "question_id": a["question"], "kind": a["kind"], "value": a["value"], "created": a["created"]}
                | ({"anonymous": True} if a["anonymous"] else {})
            )
        for a in superseded:
            index, key = index_of[a["participant"]]
            row = (key, a["round"], a["tool"].id, a["question"], a["kind"], a["value"], a["created"])
            if row in batch.superseded_keys:
                continue
            batch.superseded_keys.add(row)
            batch.superseded.append(
                {"participant": index, "round": a["round"], "tool_id": a["tool"].id, "question_id": a["question"], "kind": a["kind"], "value": a["value"], "created": a["created"]}
            )
        # Table answers (issue #15): a row already stored (same table, in any
        # spelling, round, question, text and time) is left as it is.
        for rows, keys, out in ((tabled, batch.table_keys, batch.table_answers), (tabled_refused, batch.table_superseded_keys, batch.table_superseded)):
            for a in rows:
                row = (checks.table_key(a["table"]), a["round"], a["tool"].id, a["question"], a["value"], a["created"])
                if row in keys:
                    continue
                keys.add(row)
                out.append(
                    {"table": a["table"], "participant": None if a["participant"] is None else index_of[a["participant"]][0], "round": a["round"],
                     "tool_id": a["tool"].id, "question_id": a["question"], "value": a["value"], "created": a["created"]}
                )
        for a in actions:
            if (a["tool"].id, a["what"], a["created"]) in batch.action_keys:
                batch.actions_skipped += 1
                continue
            batch.actions.append(
                {
                    "tool_id": a["tool"].id, "what": a["what"], "owner": a["owner"], "owner_sector": a["owner_sector"], "due": a["due"],
                    "status": a["status"], "participant": None if a["participant"] is None else index_of[a["participant"]][0],
                    "created": a["created"], "updated": a["updated"],
                }
            )
        return batch

    return _write(store, slug, plan, name, progress)
