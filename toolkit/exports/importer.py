"""Import answers into the store: the JSON file that ``workshop export
--format json`` writes (a backup, or a workshop moved between stores), or a
CSV of answers gathered on paper.

    >>> result = import_file(store, "riverside.json")
    >>> print(result)
    riverside.json: workshop 'riverside' created; 12 participants, 431 answers and 6 actions added

Every row is checked with the store's own rules (:mod:`toolkit.store.checks`,
sectors, tool and question ids, the rating scale, the dot budget, stage
locks) before anything is written; then everything is written in one
transaction, or nothing is. A refusal is an :class:`ImportFileError` that
names the file, the row and the column::

    answers.csv row 57, column 'value': rating 9 is outside the scale 1-5

Importing the same file twice adds nothing the second time: an answer row
identical to one already stored (same participant, round, tool, question,
kind, value and time) is skipped, participants are matched by identity
(name, organization and table, ignoring case, as when they sign in again)
and a JSON workshop by its slug.

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
sector          yes       sector id or name: government, business, nonprofit
                          (Non-profit), community, other
table           yes       the table they sat at ("Table 2")
tool            yes       tool id (share-discretion) or number (1-17)
question        text      for ``text``: question id (epp-1) or its number
                          within the tool (1, 2, ...); empty for other kinds
kind            yes       text (an answer to a guiding question), rating,
                          comment (the note with a rating) or dots
value           yes       the answer; a rating 1-5 or "not sure"; dots a whole
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
``"version": 1``): ``workshop`` (slug, title, created, settings),
``participants`` (with a file-local ``id``), ``answers`` (every row of
the history) and ``actions``. Into a store without that slug it recreates
the workshop exactly; into an existing one it adds what is missing. Rows
are restored as they were recorded, even in a stage that is locked now, and
an action already stored (same tool, text and creation time) is left as it
is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import ImportFileError, InvalidAnswer, NotFound, UnknownTool
from toolkit.store import checks
from toolkit.store.values import (
    ACTION_STATUSES,
    KINDS,
    NOT_SURE,
    STAGE_STATES,
    WorkshopSettings,
)

if TYPE_CHECKING:
    from toolkit.content import Toolkit
    from toolkit.store import AnswerStore

Progress = Callable[[int, int, str], None]

#: CSV columns: required ones, and the ones that may be left out.
CSV_REQUIRED = ("organization", "sector", "table", "tool", "kind", "value")
CSV_OPTIONAL = ("workshop", "name", "question", "round", "created")
CSV_COLUMNS = ("workshop", "name", "organization", "sector", "table", "tool", "question", "kind", "value", "round", "created")

#: Short help for ``workshop import --help``.
CSV_HELP = """\
CSV columns (header row first, any order, case-insensitive; UTF-8):
  workshop      slug or title of the workshop (created if new); not needed with --into
  name          participant's name (may be empty)
  organization  participant's organization                      (required)
  sector        government, business, nonprofit, community, other (required)
  table         the table they sat at, e.g. "Table 2"            (required)
  tool          tool id (share-discretion) or number 1-17         (required)
  question      for kind text: question id (epp-1) or number within the tool
  kind          text | rating | comment | dots                    (required)
  value         the answer; rating 1-5 or "not sure"; dots a whole number (required)
  round         optional; default the workshop's current round
  created       optional ISO time, e.g. 2026-05-01T14:30 (UTC unless an offset is given)
Row numbers in messages count the header as row 1. Nothing is written unless
every row is valid; rows already imported are skipped."""

_NOT_SURE_WORDS = {"not sure", "not-sure", "notsure", "unsure", "?", "n/a"}


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

    def __str__(self) -> str:
        where = f"workshop {self.slug!r} " + ("created" if self.created_workshop else "updated" if self.added else "unchanged")
        parts = [f"{self.participants_added} participant{'s' * (self.participants_added != 1)}", f"{self.answers_added} answer{'s' * (self.answers_added != 1)}"]
        if self.actions_added or self.actions_skipped:
            parts.append(f"{self.actions_added} action{'s' * (self.actions_added != 1)}")
        text = f"{self.file}: {where}; " + ", ".join(parts[:-1]) + f" and {parts[-1]} added"
        skipped = self.answers_skipped + self.actions_skipped
        if skipped:
            text += f" ({skipped} row{'s' * (skipped != 1)} already there, skipped)"
        return text

    @property
    def added(self) -> int:
        return self.participants_added + self.answers_added + self.actions_added


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


# --------------------------------------------------------------------------
# What an import will write


@dataclass
class _Plan:
    """Rows checked and ready for :meth:`AnswerStore.import_rows`."""

    workshop: dict[str, Any]
    create: bool
    participants: list[dict[str, Any]] = field(default_factory=list)
    keys: dict[str, int] = field(default_factory=dict)  # identity -> index in participants
    answers: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    answers_skipped: int = 0
    actions_skipped: int = 0


class _Existing:
    """What the store already holds for the target workshop."""

    def __init__(self, store: AnswerStore, slug: str):
        from toolkit.store import identity_key

        try:
            self.workshop = store.workshop(slug)
        except NotFound:
            self.workshop = None
        self.people: dict[str, Any] = {}
        self.answer_keys: set[tuple[Any, ...]] = set()
        self.loose_keys: set[tuple[Any, ...]] = set()
        self.action_keys: set[tuple[Any, ...]] = set()
        self.dots: dict[tuple[str, int], dict[str, int]] = {}
        if self.workshop is None:
            return
        by_id = {}
        for p in store.participants(slug):
            key = identity_key(p.name, p.organization, p.table)
            self.people[key] = p
            by_id[p.id] = key
        rows = store.answer_rows(slug)
        if not rows.empty:
            columns = [rows[c].tolist() for c in ("participant_id", "round", "tool_id", "question_id", "kind", "value", "created")]
            for pid, rnd, tool, qid, kind, value, created in zip(*columns):
                who = by_id.get(pid)
                self.answer_keys.add((who, int(rnd), tool, qid, kind, value, float(created)))
                self.loose_keys.add((who, int(rnd), tool, qid, kind, value))
                if kind == "dots":  # rows come oldest first: the last one is current
                    self.dots.setdefault((who, int(rnd)), {})[tool] = int(value)
        for a in store.actions(slug):
            self.action_keys.add((a.tool_id, a.what, float(a.created)))


def _identity(name: str | None, organization: str, table: str) -> str:
    from toolkit.store import identity_key

    return identity_key(name, organization, table)


def _add_person(plan: _Plan, existing: _Existing, person: dict[str, Any], where: str) -> int:
    """The index of a participant in the plan, adding them once."""
    key = _identity(person["name"], person["organization"], person["table"])
    if key in plan.keys:
        known = plan.participants[plan.keys[key]]
        if known["sector"] != person["sector"]:
            raise ImportFileError(
                f"{where}: {_who(person)} is in sector {person['sector']!r} here but {known['sector']!r} in "
                f"{known['_where']}; one person has one sector"
            )
        return plan.keys[key]
    plan.keys[key] = len(plan.participants)
    plan.participants.append({**person, "_where": where, "_new": key not in existing.people})
    return plan.keys[key]


def _who(person: Mapping[str, Any]) -> str:
    name = person.get("name") or "(no name)"
    return f"{name} of {person['organization']} at {person['table']}"


def _write(store: AnswerStore, plan: _Plan, name: str, progress: Progress | None) -> ImportResult:
    tick = progress or (lambda done, total, label: None)
    tick(9, 10, "writing (one transaction)")
    people = [{k: v for k, v in p.items() if not k.startswith("_")} for p in plan.participants]
    added_people = sum(1 for p in plan.participants if p["_new"])
    if plan.answers or plan.actions or added_people or plan.create:
        store.import_rows(plan.workshop, people, plan.answers, plan.actions)
    result = ImportResult(
        file=name,
        slug=plan.workshop["slug"],
        created_workshop=plan.create,
        participants_added=added_people,
        answers_added=len(plan.answers),
        answers_skipped=plan.answers_skipped,
        actions_added=len(plan.actions),
        actions_skipped=plan.actions_skipped,
    )
    tick(10, 10, "done")
    return result


def _value(kit: Toolkit, kind: str, raw: str, *, csv_mode: bool) -> str:
    """An answer value checked as the store checks it; :class:`InvalidAnswer`
    carries the problem."""
    if kind in ("text", "comment"):
        value = checks.clean_text(raw, field="value")
        if csv_mode and not value:
            raise InvalidAnswer("value: empty; leave the row out when there is no answer")
        return value
    lo, hi = kit.scale.values[0], kit.scale.values[-1]
    if kind == "rating":
        text = raw.strip() if isinstance(raw, str) else raw
        if isinstance(text, str) and text.casefold() in _NOT_SURE_WORDS:
            return NOT_SURE
        number = _whole(text)
        if number is None:
            raise InvalidAnswer(f"value: a rating is a whole number {lo}-{hi} or \"not sure\", got {str(raw)[:40]!r}")
        if number not in kit.scale.values:
            raise InvalidAnswer(f"value: rating {number} is outside the scale {lo}-{hi}")
        return str(number)
    number = _whole(raw.strip() if isinstance(raw, str) else raw)
    if number is None or number < 0:
        raise InvalidAnswer(f"value: dots are a whole number of 0 or more, got {str(raw)[:40]!r}")
    return str(number)


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) < 12:
        return int(value.strip())
    return None


# --------------------------------------------------------------------------
# CSV


def import_csv(store: AnswerStore, text: str, *, name: str = "answers.csv", into: str | None = None, progress: Progress | None = None) -> ImportResult:
    """Import a CSV of answers (columns in the module docstring); ``into``
    names the workshop and wins over a ``workshop`` column."""
    kit = store.kit
    tick = progress or (lambda done, total, label: None)
    rows = _read_csv(text, name)
    if not rows:
        raise ImportFileError(f"{name}: the file is empty; expected a header row ({', '.join(CSV_COLUMNS)}) and answers")
    header = _csv_header(rows[0], name, need_workshop=into is None)
    body = rows[1:]
    if not any(any(cell.strip() for cell in r) for r in body):
        raise ImportFileError(f"{name}: no answer rows under the header")

    def cell(r: list[str], col: str) -> str:
        i = header.get(col)
        return r[i] if i is not None and i < len(r) else ""

    # The workshop first: the checks below depend on it.
    slug, title = _csv_workshop(body, header, name, into, cell)
    existing = _Existing(store, slug)
    ws = existing.workshop
    plan = _Plan(
        workshop={"slug": slug, "title": title, "created": None, "settings": WorkshopSettings()},
        create=ws is None,
    )
    settings = ws.settings if ws else WorkshopSettings()
    now = time.time()
    seen_loose: set[tuple[Any, ...]] = set()
    dots: dict[tuple[str, int], dict[str, int]] = {k: dict(v) for k, v in existing.dots.items()}
    total = len(body)
    for n, r in enumerate(body, 2):
        if n % 500 == 0:
            tick(9 * (n - 1), 10 * total, "checking rows")
        if not any(c.strip() for c in r):
            continue  # a blank line
        where = f"{name} row {n}"
        if len(r) > len(rows[0]):
            raise ImportFileError(f"{where}: {len(r)} cells but the header names {len(rows[0])} columns (a stray comma or an unquoted line break?)")
        col = "?"
        try:
            col = "name"
            person_name = checks.clean_short(cell(r, "name"), field="name", required=False) or None
            col = "organization"
            org = checks.clean_short(cell(r, "organization"), field="organization")
            col = "table"
            table = checks.clean_short(cell(r, "table"), field="table")
            col = "sector"
            sector = _sector(kit, cell(r, "sector"))
            col = "tool"
            tool = _tool(kit, cell(r, "tool"))
            col = "kind"
            kind = cell(r, "kind").strip().casefold()
            if kind not in KINDS:
                raise InvalidAnswer(f"kind: expected one of {', '.join(KINDS)}, got {cell(r, 'kind')[:40]!r}")
            col = "question"
            question_id = _question(kit, tool, kind, cell(r, "question"))
            col = "value"
            value = _value(kit, kind, cell(r, "value"), csv_mode=True)
            col = "round"
            round_ = _round(cell(r, "round"), settings.round)
            col = "created"
            created = _created(cell(r, "created"))
        except (InvalidAnswer, UnknownTool) as exc:
            raise ImportFileError(f"{where}, column {col!r}: {_problem(exc, col)}") from None
        if ws is not None and settings.is_locked(tool.stage_id):
            title_ = kit.stage(tool.stage_id).title
            raise ImportFileError(
                f"{where}, column 'tool': the {title_} stage is locked in {slug!r}; open it first (workshop open {slug} {tool.stage_id})"
            )
        person = {"name": person_name, "organization": org, "sector": sector, "table": table, "created": now}
        index = _add_person(plan, existing, person, where)
        key = _identity(person_name, org, table)
        if kind == "dots":
            alloc = dots.setdefault((key, round_), {})
            alloc[tool.id] = int(value)
            if sum(alloc.values()) > settings.dots:
                raise ImportFileError(
                    f"{where}, column 'value': {_who(person)} would have {sum(alloc.values())} dots in round {round_} "
                    f"but each participant has {settings.dots}"
                )
        loose = (key, round_, tool.id, question_id, kind, value)
        if created is None:
            if loose in existing.loose_keys or loose in seen_loose:
                plan.answers_skipped += 1
                continue
            seen_loose.add(loose)
        elif (*loose, created) in existing.answer_keys:
            plan.answers_skipped += 1
            continue
        plan.answers.append(
            {
                "participant": index,
                "round": round_,
                "tool_id": tool.id,
                "question_id": question_id,
                "kind": kind,
                "value": value,
                "created": now if created is None else created,
            }
        )
    return _write(store, plan, name, progress)


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


def _csv_workshop(body: list[list[str]], header: dict[str, int], name: str, into: str | None, cell: Callable[[list[str], str], str]) -> tuple[str, str]:
    if into is not None:
        slug = into.strip()
        if checks.slugify(slug) != slug:
            raise ImportFileError(f"--into: {into!r} is not a workshop slug (try {checks.slugify(into)!r})")
        return slug, slug
    first: tuple[str, str, int] | None = None
    for n, r in enumerate(body, 2):
        if not any(c.strip() for c in r):
            continue
        raw = cell(r, "workshop")
        try:
            title = checks.clean_text(raw, field="workshop", limit=checks.MAX_TITLE_CHARS, allow_empty=False, multiline=False)
        except InvalidAnswer as exc:
            raise ImportFileError(f"{name} row {n}, column 'workshop': {_problem(exc, 'workshop')}") from None
        slug = title if checks.slugify(title) == title else checks.slugify(title)
        if first is None:
            first = (slug, title, n)
        elif slug != first[0]:
            raise ImportFileError(
                f"{name} row {n}, column 'workshop': {title!r} is another workshop than {first[1]!r} in row {first[2]}; "
                "import one workshop per file"
            )
    assert first is not None
    return first[0], first[1]


def _problem(exc: Exception, col: str) -> str:
    """The store's message without its own field prefix (the column is named)."""
    text = str(exc)
    for prefix in (f"{col}: ", "value: ", "name: "):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


def _sector(kit: Toolkit, raw: str) -> str:
    text = checks.clean_short(raw, field="sector")
    folded = text.casefold()
    for s in kit.sectors:
        if folded in (s.id, s.name.casefold(), s.name.casefold().replace("-", "")):
            return s.id
    raise InvalidAnswer(f"unknown sector {text!r} (expected one of {', '.join(s.id for s in kit.sectors)})")


def _tool(kit: Toolkit, raw: str) -> Any:
    text = raw.strip()
    if not text:
        raise InvalidAnswer(f"empty; expected a tool id or a number 1-{len(kit.tools)}")
    try:
        return kit.tool(text.casefold() if not text.isdigit() else text)
    except UnknownTool:
        raise UnknownTool(f"unknown tool {text[:60]!r} (expected a tool id, such as {kit.tools[0].id!r}, or a number 1-{len(kit.tools)})") from None


def _question(kit: Toolkit, tool: Any, kind: str, raw: str) -> str:
    text = raw.strip()
    if kind != "text":
        if text:
            raise InvalidAnswer(f"leave it empty for a {kind} (a {kind} is about the whole tool), got {text[:40]!r}")
        return ""
    if not text:
        raise InvalidAnswer(f"empty; a text answer needs its question: an id such as {tool.questions[0].id!r} or a number 1-{len(tool.questions)}")
    if text.isdigit():
        number = int(text)
        if not 1 <= number <= len(tool.questions):
            raise UnknownTool(f"tool {tool.number} has questions 1-{len(tool.questions)}, not {number}")
        return tool.questions[number - 1].id
    folded = text.casefold()
    if not kit.has_question(folded):
        raise UnknownTool(f"unknown question {text[:60]!r} (tool {tool.number} has {', '.join(q.id for q in tool.questions)})")
    if kit.question(folded).tool_id != tool.id:
        raise UnknownTool(f"question {folded!r} belongs to {kit.question(folded).tool_id!r}, not to tool {tool.number} {tool.id!r}")
    return folded


def _round(raw: str, default: int) -> int:
    text = raw.strip()
    if not text:
        return default
    number = _whole(text)
    if number is None or number < 1:
        raise InvalidAnswer(f"a round is a whole number from 1, got {text[:40]!r}")
    return number


def _created(raw: str) -> float | None:
    text = raw.strip()
    if not text:
        return None
    try:
        stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidAnswer(f"expected a time like 2026-05-01T14:30 (ISO 8601), got {text[:40]!r}") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    return stamp.timestamp()


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

    kit = store.kit
    tick = progress or (lambda done, total, label: None)
    if isinstance(data, bytes | str):
        try:
            doc = json.loads(data)
        except json.JSONDecodeError as exc:
            raise ImportFileError(f"{name} line {exc.lineno}, column {exc.colno}: broken JSON: {exc.msg}") from None
        except RecursionError:
            raise ImportFileError(f"{name}: broken JSON: nested too deeply") from None
    else:
        doc = data

    def fail(place: str, problem: str) -> ImportFileError:
        return ImportFileError(f"{name} {place}: {problem}")

    if not isinstance(doc, dict):
        raise fail("top level", f"expected an object from 'workshop export --format json', got {_kind(doc)}")
    if doc.get("format") != JSON_FORMAT:
        raise fail("field 'format'", f"expected {JSON_FORMAT!r} (a file written by 'workshop export --format json'), got {_kind(doc.get('format'))}")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= JSON_VERSION:
        raise fail("field 'version'", f"this kit reads versions 1-{JSON_VERSION}, got {_kind(version)}; upgrade the kit")
    for key in ("workshop", "participants", "answers", "actions"):
        if key not in doc:
            raise fail(f"field {key!r}", "missing")

    w = doc["workshop"]
    if not isinstance(w, dict):
        raise fail("field 'workshop'", f"expected an object, got {_kind(w)}")
    slug = _j_text(w, "slug", "workshop", fail)
    if checks.slugify(slug) != slug:
        raise fail("workshop, field 'slug'", f"{slug!r} is not a valid slug")
    try:
        title = checks.clean_text(w.get("title"), field="title", limit=checks.MAX_TITLE_CHARS, allow_empty=False, multiline=False)
    except InvalidAnswer as exc:
        raise fail("workshop, field 'title'", _problem(exc, "title")) from None
    created = _j_time(w, "created", "workshop", fail)
    settings = _j_settings(kit, w.get("settings"), fail)
    if into is not None:
        if checks.slugify(into) != into:
            raise ImportFileError(f"--into: {into!r} is not a workshop slug (try {checks.slugify(into)!r})")
        slug = into
    existing = _Existing(store, slug)
    plan = _Plan(workshop={"slug": slug, "title": title, "created": created, "settings": settings}, create=existing.workshop is None)

    people = doc["participants"]
    if not isinstance(people, list):
        raise fail("field 'participants'", f"expected a list, got {_kind(people)}")
    index_of: dict[int, int] = {}
    for i, p in enumerate(people):
        place = f"participants[{i}]"
        if not isinstance(p, dict):
            raise fail(place, f"expected an object, got {_kind(p)}")
        pid = p.get("id")
        if isinstance(pid, bool) or not isinstance(pid, int):
            raise fail(f"{place}, field 'id'", f"expected a whole number, got {_kind(pid)}")
        if pid in index_of:
            raise fail(f"{place}, field 'id'", f"id {pid} appears twice")
        col = "?"
        try:
            col = "name"
            person_name = checks.clean_short(p.get("name"), field="name", required=False) or None
            col = "organization"
            org = checks.clean_short(p.get("organization"), field="organization")
            col = "table"
            table = checks.clean_short(p.get("table"), field="table")
            col = "sector"
            sector = p.get("sector")
            if not isinstance(sector, str) or not kit.has_sector(sector):
                raise InvalidAnswer(f"unknown sector {sector!r} (expected one of {', '.join(s.id for s in kit.sectors)})")
        except InvalidAnswer as exc:
            raise fail(f"{place}, field {col!r}", _problem(exc, col)) from None
        person = {"name": person_name, "organization": org, "sector": sector, "table": table, "created": _j_time(p, "created", place, fail)}
        index_of[pid] = _add_person(plan, existing, person, f"{name} {place}")

    answers = doc["answers"]
    if not isinstance(answers, list):
        raise fail("field 'answers'", f"expected a list, got {_kind(answers)}")
    total = len(answers)
    key_of = {i: _identity(p["name"], p["organization"], p["table"]) for i, p in enumerate(plan.participants)}
    for i, a in enumerate(answers):
        if i % 1000 == 0:
            tick(9 * i, 10 * max(total, 1), "checking answers")
        place = f"answers[{i}]"
        if not isinstance(a, dict):
            raise fail(place, f"expected an object, got {_kind(a)}")
        pid = a.get("participant")
        if isinstance(pid, bool) or pid not in index_of:
            raise fail(f"{place}, field 'participant'", f"{pid!r} is not the id of a participant in this file")
        round_ = a.get("round")
        if isinstance(round_, bool) or not isinstance(round_, int) or round_ < 1:
            raise fail(f"{place}, field 'round'", f"expected a whole number from 1, got {_kind(round_)}")
        kind = a.get("kind")
        if kind not in KINDS:
            raise fail(f"{place}, field 'kind'", f"expected one of {', '.join(KINDS)}, got {_kind(kind)}")
        tool_id = a.get("tool_id")
        if not isinstance(tool_id, str) or not kit.has_tool(tool_id):
            raise fail(f"{place}, field 'tool_id'", f"unknown tool {tool_id!r}")
        qid = a.get("question_id")
        if kind == "text":
            if not isinstance(qid, str) or not kit.has_question(qid) or kit.question(qid).tool_id != tool_id:
                raise fail(f"{place}, field 'question_id'", f"{qid!r} is not a question of {tool_id!r}")
        elif qid != "":
            raise fail(f"{place}, field 'question_id'", f"expected \"\" for a {kind}, got {_kind(qid)}")
        raw = a.get("value")
        if not isinstance(raw, str):
            raise fail(f"{place}, field 'value'", f"expected text, got {_kind(raw)}")
        try:
            value = _value(kit, kind, raw, csv_mode=False)
        except InvalidAnswer as exc:
            raise fail(f"{place}, field 'value'", _problem(exc, "value")) from None
        if kind == "dots" and value != raw:
            raise fail(f"{place}, field 'value'", f"dots are written as a whole number, got {raw[:40]!r}")
        when = _j_time(a, "created", place, fail)
        index = index_of[pid]
        if (key_of[index], round_, tool_id, qid, kind, value, when) in existing.answer_keys:
            plan.answers_skipped += 1
            continue
        plan.answers.append(
            {"participant": index, "round": round_, "tool_id": tool_id, "question_id": qid, "kind": kind, "value": value, "created": when}
        )

    actions = doc["actions"]
    if not isinstance(actions, list):
        raise fail("field 'actions'", f"expected a list, got {_kind(actions)}")
    for i, a in enumerate(actions):
        place = f"actions[{i}]"
        if not isinstance(a, dict):
            raise fail(place, f"expected an object, got {_kind(a)}")
        tool_id = a.get("tool_id")
        if not isinstance(tool_id, str) or not kit.has_tool(tool_id):
            raise fail(f"{place}, field 'tool_id'", f"unknown tool {tool_id!r}")
        col = "?"
        try:
            col = "what"
            what = checks.clean_text(a.get("what"), field="what", limit=checks.MAX_ACTION_CHARS, allow_empty=False)
            col = "owner"
            owner = checks.clean_short(a.get("owner"), field="owner")
            col = "owner_sector"
            owner_sector = a.get("owner_sector") or None
            if owner_sector is not None and (not isinstance(owner_sector, str) or not kit.has_sector(owner_sector)):
                raise InvalidAnswer(f"unknown sector {owner_sector!r}")
            col = "due"
            due = checks.clean_date(a.get("due"), field="due")
            col = "status"
            status = a.get("status")
            if status not in ACTION_STATUSES:
                raise InvalidAnswer(f"expected one of {', '.join(ACTION_STATUSES)}, got {status!r}")
        except InvalidAnswer as exc:
            raise fail(f"{place}, field {col!r}", _problem(exc, col)) from None
        pid = a.get("participant")
        if pid is not None and (isinstance(pid, bool) or pid not in index_of):
            raise fail(f"{place}, field 'participant'", f"{pid!r} is not the id of a participant in this file")
        when = _j_time(a, "created", place, fail)
        updated = _j_time(a, "updated", place, fail)
        if (tool_id, what, when) in existing.action_keys:
            plan.actions_skipped += 1
            continue
        plan.actions.append(
            {
                "tool_id": tool_id, "what": what, "owner": owner, "owner_sector": owner_sector, "due": due, "status": status,
                "participant": None if pid is None else index_of[pid], "created": when, "updated": updated,
            }
        )
    return _write(store, plan, name, progress)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({value})"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _j_text(obj: dict[str, Any], key: str, place: str, fail: Callable[[str, str], ImportFileError]) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise fail(f"{place}, field {key!r}", f"expected text, got {_kind(value)}")
    return value


def _j_time(obj: dict[str, Any], key: str, place: str, fail: Callable[[str, str], ImportFileError]) -> float:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise fail(f"{place}, field {key!r}", f"expected a time in seconds since 1970 (UTC), got {_kind(value)}")
    return float(value)


def _j_settings(kit: Toolkit, raw: Any, fail: Callable[[str, str], ImportFileError]) -> WorkshopSettings:
    place = "workshop, field 'settings'"
    if not isinstance(raw, dict):
        raise fail(place, f"expected an object, got {_kind(raw)}")
    known = {"anonymous": bool, "ratings_revealed": bool, "round": int, "dots": int, "stages": dict}
    for key, value in raw.items():
        if key not in known:
            raise fail(f"{place}.{key}", f"unknown setting (expected one of {', '.join(known)})")
        if type(value) is not known[key]:
            raise fail(f"{place}.{key}", f"expected {known[key].__name__}, got {_kind(value)}")
    if raw.get("round", 1) < 1:
        raise fail(f"{place}.round", "rounds start at 1")
    if not 1 <= raw.get("dots", 5) <= 50:
        raise fail(f"{place}.dots", "expected 1 to 50 dots per participant")
    for stage_id, state in raw.get("stages", {}).items():
        if not any(s.id == stage_id for s in kit.stages):
            raise fail(f"{place}.stages", f"unknown stage {stage_id!r}")
        if state not in STAGE_STATES:
            raise fail(f"{place}.stages.{stage_id}", f"expected one of {', '.join(STAGE_STATES)}, got {_kind(state)}")
    return WorkshopSettings.from_dict(raw)
