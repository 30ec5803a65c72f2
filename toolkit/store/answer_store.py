"""The answer store: workshops, participants, answers and actions that are
never lost. One small interface over SQLAlchemy Core; a SQLite file by
default, PostgreSQL by URL, ``sqlite://`` in memory for tests.

    >>> store = AnswerStore("sqlite://")
    >>> ws = store.create_workshop("Riverside Partners")
    >>> p = store.add_participant(ws.slug, organization="City Parks", sector="government", table="Table 1")
    >>> store.save_answer(ws.slug, p.id, "engage-potential-partners", "epp-1", "The river trust").value
    'The river trust'

Answers are appended, never overwritten: the current answer is the newest
row per participant, round, tool, kind and question. Every write is one
transaction, and every value is checked before anything is written.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from toolkit import content as content_mod
from toolkit.errors import (
    InvalidAnswer,
    NotFound,
    StageLocked,
    ToolkitError,
    UnknownTool,
)
from toolkit.store import checks, schema
from toolkit.store.schema import actions as t_actions
from toolkit.store.schema import answers as t_answers
from toolkit.store.schema import participants as t_participants
from toolkit.store.schema import workshops as t_workshops
from toolkit.store.values import (
    ACTION_STATUSES,
    KINDS,
    NOT_SURE,
    STAGE_STATES,
    Action,
    Answer,
    Participant,
    Workshop,
    WorkshopSettings,
)

if TYPE_CHECKING:
    import pandas as pd

    from toolkit.content import Toolkit


class AnswerStore:
    """The shared store every kernel writes to and the dashboard reads.

    ``url`` is a path or SQLAlchemy URL; ``None`` uses ``$WORKSHOP_DB`` or
    the default SQLite file (:func:`toolkit.store.schema.default_sqlite_path`).
    ``read_only=True`` opens the database so that it cannot write at all
    (the dashboard uses this).
    """

    def __init__(self, url: str | None = None, *, kit: Toolkit | None = None, read_only: bool = False):
        self.url = schema.resolve_url(url)
        self.read_only = read_only
        self.kit = kit if kit is not None else content_mod.load()
        self.engine = schema.make_engine(self.url, read_only=read_only)
        if read_only:
            self._check_exists()
        else:
            schema.create_or_upgrade(self.engine, renames=self.kit.question_renames())

    def __repr__(self) -> str:
        mode = " read-only" if self.read_only else ""
        return f"<AnswerStore {self.engine.url.render_as_string(hide_password=True)}{mode}>"

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.url.get_backend_name()

    def close(self) -> None:
        self.engine.dispose()

    def _check_exists(self) -> None:
        try:
            with self._read() as conn:
                conn.execute(sa.select(sa.func.count()).select_from(t_workshops)).scalar()
                has_meta = "meta" in sa.inspect(conn).get_table_names()
                stored = conn.execute(sa.select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")).scalar() if has_meta else None
        except sa.exc.OperationalError as exc:
            raise ToolkitError(f"cannot open the store {self!r} read-only: {exc.orig}") from None
        except sa.exc.ProgrammingError:
            raise ToolkitError(f"the store {self!r} has no workshops table yet; create a workshop first") from None
        # A read-only store cannot upgrade itself, and its queries need the
        # current tables: say so now rather than fail on a missing column later.
        found = int(stored) if stored else 1
        if found < schema.SCHEMA_VERSION:
            raise ToolkitError(f"the store {self!r} has schema {found} and this kit needs {schema.SCHEMA_VERSION}; open it once read-write to upgrade it (for example: workshop list --db URL)")
        if found > schema.SCHEMA_VERSION:
            raise ToolkitError(f"this store was written by a newer version of the kit (schema {found}, this one reads up to {schema.SCHEMA_VERSION}); upgrade the kit")

    def _read(self) -> sa.Connection:
        return self.engine.connect().execution_options(readonly=True)

    def _write(self) -> Any:
        if self.read_only:
            raise ToolkitError("this store is open read-only (the dashboard cannot change anything)")
        return self.engine.begin()

    # ------------------------------------------------------------------
    # Workshops

    def create_workshop(self, title: str, slug: str | None = None, settings: WorkshopSettings | None = None) -> Workshop:
        """Create a workshop; the slug comes from the title unless given,
        with ``-2``, ``-3`` ... added when it is taken."""
        title = checks.clean_text(title, field="workshop title", limit=checks.MAX_TITLE_CHARS, allow_empty=False, multiline=False)
        base = checks.slugify(slug or title)
        if slug is not None and base != slug:
            raise InvalidAnswer(f"workshop slug: {slug!r} is not a valid slug (try {base!r})")
        settings = settings or WorkshopSettings()
        with self._write() as conn:
            taken = set(conn.execute(sa.select(t_workshops.c.slug).where(t_workshops.c.slug.like(f"{base}%"))).scalars())
            if slug is not None and slug in taken:
                raise InvalidAnswer(f"workshop slug: {slug!r} is already used by another workshop")
            final, n = base, 1
            while final in taken:
                n += 1
                final = f"{base}-{n}"
            result = conn.execute(
                t_workshops.insert().values(slug=final, title=title, created=time.time(), settings=json.dumps(settings.to_dict()))
            )
            return self._workshop_row(conn, result.inserted_primary_key[0], by="id")

    def workshops(self) -> list[Workshop]:
        """Every workshop, newest first."""
        with self._read() as conn:
            rows = conn.execute(sa.select(t_workshops).order_by(t_workshops.c.id.desc())).mappings().all()
        return [_workshop(r) for r in rows]

    def workshop(self, slug: str) -> Workshop:
        """One workshop by slug; :class:`NotFound` names the slug."""
        with self._read() as conn:
            return self._workshop_row(conn, slug)

    def _workshop_row(self, conn: sa.Connection, key: str | int, by: str = "slug") -> Workshop:
        column = t_workshops.c.slug if by == "slug" else t_workshops.c.id
        row = conn.execute(sa.select(t_workshops).where(column == key)).mappings().first()
        if row is None:
            known = [r for r in conn.execute(sa.select(t_workshops.c.slug).limit(10)).scalars()]
            hint = f" (known: {', '.join(known)})" if known else " (the store has no workshops yet)"
            raise NotFound(f"unknown workshop {key!r}{hint}")
        return _workshop(row)

    def update_settings(self, slug: str, **changes: Any) -> Workshop:
        """Change what the facilitator controls: ``anonymous``,
        ``ratings_revealed``, ``round``, ``dots`` (one transaction)."""
        allowed = {"anonymous": bool, "ratings_revealed": bool, "round": int, "dots": int}
        for key, value in changes.items():
            if key not in allowed:
                raise InvalidAnswer(f"settings: unknown setting {key!r} (expected one of {', '.join(allowed)})")
            if type(value) is not allowed[key]:
                raise InvalidAnswer(f"settings.{key}: expected {allowed[key].__name__}, got {value!r}")
        if "round" in changes and changes["round"] < 1:
            raise InvalidAnswer("settings.round: rounds start at 1")
        if "dots" in changes and not 1 <= changes["dots"] <= 50:
            raise InvalidAnswer("settings.dots: expected 1 to 50 dots per participant")
        return self._change_settings(slug, lambda s: WorkshopSettings.from_dict({**s.to_dict(), **changes}))

    def set_stage_state(self, slug: str, stage_id: str | int, state: str) -> Workshop:
        """Open or lock one stage (by id or number). A locked stage refuses
        every write."""
        # Store the stage's id: a number ("2") would be saved as a key no tool has.
        stage_id = self.kit.stage(stage_id).id
        if state not in STAGE_STATES:
            raise InvalidAnswer(f"stage state: expected one of {', '.join(STAGE_STATES)}, got {state!r}")
        return self._change_settings(slug, lambda s: s.with_stage(stage_id, state))

    def lock_stage(self, slug: str, stage_id: str) -> Workshop:
        return self.set_stage_state(slug, stage_id, "locked")

    def open_stage(self, slug: str, stage_id: str) -> Workshop:
        return self.set_stage_state(slug, stage_id, "open")

    def new_round(self, slug: str) -> Workshop:
        """Start the next round: earlier answers stay, new ones start empty."""
        return self._change_settings(slug, lambda s: WorkshopSettings.from_dict({**s.to_dict(), "round": s.round + 1}))

    def _change_settings(self, slug: str, change: Any) -> Workshop:
        with self._write() as conn:
            ws = self._workshop_row(conn, slug)
            new = change(ws.settings)
            conn.execute(t_workshops.update().where(t_workshops.c.id == ws.id).values(settings=json.dumps(new.to_dict())))
            return self._workshop_row(conn, ws.id, by="id")

    # ------------------------------------------------------------------
    # Participants

    def add_participant(self, slug: str, *, organization: str, sector: str, table: str, name: str | None = None) -> Participant:
        """Sign a participant in. The same name, organization and table
        (ignoring case) finds the same participant again; their sector is
        updated if it changed."""
        name_clean = checks.clean_short(name, field="name", required=False) or None
        org = checks.clean_short(organization, field="organization")
        table_clean = checks.clean_short(table, field="table")
        sector_clean = checks.clean_short(sector, field="sector")
        if not self.kit.has_sector(sector_clean):
            known = ", ".join(s.id for s in self.kit.sectors)
            raise InvalidAnswer(f"sector: unknown sector {sector_clean!r} (expected one of {known})")
        key = identity_key(name_clean, org, table_clean)
        for _attempt in range(3):
            try:
                with self._write() as conn:
                    ws = self._workshop_row(conn, slug)
                    found = conn.execute(
                        sa.select(t_participants).where(t_participants.c.workshop_id == ws.id, t_participants.c.identity_key == key)
                    ).mappings().first()
                    if found is not None:
                        if found["sector"] != sector_clean:
                            conn.execute(t_participants.update().where(t_participants.c.id == found["id"]).values(sector=sector_clean))
                        return self._participant_row(conn, found["id"])
                    result = conn.execute(
                        t_participants.insert().values(
                            workshop_id=ws.id,
                            name=name_clean,
                            organization=org,
                            sector=sector_clean,
                            table_name=table_clean,
                            identity_key=key,
                            created=time.time(),
                        )
                    )
                    return self._participant_row(conn, result.inserted_primary_key[0])
            except sa.exc.IntegrityError:
                # Two kernels signed the same person in at once; the other won.
                continue
        raise ToolkitError("could not sign in: the store was busy; try again")  # pragma: no cover

    def participant(self, participant_id: int) -> Participant:
        with self._read() as conn:
            return self._participant_row(conn, participant_id)

    def participants(self, slug: str) -> list[Participant]:
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            rows = conn.execute(
                sa.select(t_participants).where(t_participants.c.workshop_id == ws.id).order_by(t_participants.c.id)
            ).mappings().all()
        return [_participant(r) for r in rows]

    def _participant_row(self, conn: sa.Connection, participant_id: int) -> Participant:
        if isinstance(participant_id, bool) or not isinstance(participant_id, int):
            raise InvalidAnswer(f"participant: expected a participant id number, got {participant_id!r}")
        row = conn.execute(sa.select(t_participants).where(t_participants.c.id == participant_id)).mappings().first()
        if row is None:
            raise NotFound(f"unknown participant {participant_id!r}; sign in again")
        return _participant(row)

    # ------------------------------------------------------------------
    # Answers

    def save_answer(self, slug: str, participant_id: int, tool_id: str, question_id: str, text: str) -> Answer:
        """Save a participant's answer to one guiding question. Empty text
        records that the answer was cleared."""
        question = self._question(tool_id, question_id)
        value = checks.clean_text(text, field=f"answer to {question.id}")
        return self._append(slug, participant_id, tool_id, question_id, "text", value)

    def save_rating(self, slug: str, participant_id: int, tool_id: str, value: int | None) -> Answer:
        """Rate how well the collaboration does a tool today, on the
        content's scale; ``None`` means "not sure"."""
        self._tool(tool_id)
        if value is None or value == NOT_SURE:
            stored = NOT_SURE
        else:
            if isinstance(value, bool) or not isinstance(value, int) or value not in self.kit.scale.values:
                lo, hi = self.kit.scale.values[0], self.kit.scale.values[-1]
                raise InvalidAnswer(f"rating for {tool_id}: {value!r} is outside the scale (expected {lo} to {hi}, or not sure)")
            stored = str(value)
        return self._append(slug, participant_id, tool_id, "", "rating", stored)

    def save_comment(self, slug: str, participant_id: int, tool_id: str, text: str) -> Answer:
        """The note that goes with a low rating: what is missing."""
        self._tool(tool_id)
        value = checks.clean_text(text, field=f"comment on {tool_id}")
        return self._append(slug, participant_id, tool_id, "", "comment", value)

    def save_dots(self, slug: str, participant_id: int, allocation: Mapping[str, int]) -> list[Answer]:
        """Save a participant's dot vote: tool id -> dots. Tools not named
        keep their current dots. The total may not exceed the workshop's
        budget; all tools change in one transaction or none do."""
        if not isinstance(allocation, Mapping):
            raise InvalidAnswer("dots: expected a mapping of tool id to number of dots")
        for tool_id, n in allocation.items():
            self._tool(tool_id)
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise InvalidAnswer(f"dots for {tool_id}: expected a whole number of 0 or more, got {n!r}")
        with self._write() as conn:
            ws = self._workshop_row(conn, slug)
            participant = self._participant_row(conn, participant_id)
            self._check_member(ws, participant)
            current = self._current_values(conn, ws, participant_id, kind="dots")
            merged = {tool: int(v) for (tool, _q), v in current.items()} | dict(allocation)
            total = sum(merged.values())
            if total > ws.settings.dots:
                raise InvalidAnswer(f"dots: {total} dots placed but each participant has {ws.settings.dots}; take some back first")
            saved = []
            for tool_id, n in allocation.items():
                if current.get((tool_id, "")) == str(n):
                    continue
                saved.append(self._insert_answer(conn, ws, participant_id, tool_id, "", "dots", str(n), check_lock=False))
            return saved

    def _append(self, slug: str, participant_id: int, tool_id: str, question_id: str, kind: str, value: str) -> Answer:
        assert kind in KINDS
        with self._write() as conn:
            ws = self._workshop_row(conn, slug)
            participant = self._participant_row(conn, participant_id)
            self._check_member(ws, participant)
            return self._insert_answer(conn, ws, participant_id, tool_id, question_id, kind, value)

    def _insert_answer(self, conn: sa.Connection, ws: Workshop, participant_id: int, tool_id: str, question_id: str, kind: str, value: str, *, check_lock: bool = True) -> Answer:
        if check_lock:
            self._check_open(ws, tool_id)
        row = {
            "workshop_id": ws.id,
            "participant_id": participant_id,
            "round": ws.settings.round,
            "tool_id": tool_id,
            "question_id": question_id,
            "kind": kind,
            "value": value,
            "created": time.time(),
        }
        result = conn.execute(t_answers.insert().values(**row))
        return Answer(id=result.inserted_primary_key[0], **row)

    def _check_member(self, ws: Workshop, participant: Participant) -> None:
        if participant.workshop_id != ws.id:
            raise InvalidAnswer(f"participant {participant.id} signed in to another workshop, not {ws.slug!r}")

    def _check_open(self, ws: Workshop, tool_id: str) -> None:
        stage_id = self._tool(tool_id).stage_id
        if ws.settings.is_locked(stage_id):
            title = self.kit.stage(stage_id).title
            raise StageLocked(f"the {title} stage is locked by the facilitator; answers there are read-only")

    def _tool(self, tool_id: str) -> Any:
        if not isinstance(tool_id, str) or not self.kit.has_tool(tool_id):
            raise UnknownTool(f"unknown tool {tool_id!r}")
        return self.kit.tool(tool_id)

    def _question(self, tool_id: str, question_id: str) -> Any:
        tool = self._tool(tool_id)
        if not isinstance(question_id, str) or not self.kit.has_question(question_id):
            raise UnknownTool(f"unknown question {question_id!r}")
        question = self.kit.question(question_id)
        if question.tool_id != tool.id:
            raise UnknownTool(f"question {question_id!r} belongs to {question.tool_id!r}, not {tool.id!r}")
        return question

    def _current_values(self, conn: sa.Connection, ws: Workshop, participant_id: int, *, kind: str | None = None, round: int | None = None) -> dict[tuple[str, str], str]:
        latest = (
            sa.select(sa.func.max(t_answers.c.id))
            .where(
                t_answers.c.workshop_id == ws.id,
                t_answers.c.participant_id == participant_id,
                t_answers.c.round == (round or ws.settings.round),
                *( [t_answers.c.kind == kind] if kind else [] ),
            )
            .group_by(t_answers.c.tool_id, t_answers.c.kind, t_answers.c.question_id)
        )
        rows = conn.execute(
            sa.select(t_answers.c.tool_id, t_answers.c.question_id, t_answers.c.kind, t_answers.c.value).where(t_answers.c.id.in_(latest))
        ).all()
        if kind:
            return {(r.tool_id, r.question_id): r.value for r in rows}
        return {(r.kind, r.tool_id, r.question_id): r.value for r in rows}  # type: ignore[misc]

    def current_for(self, slug: str, participant_id: int, round: int | None = None) -> dict[tuple[str, str, str], str]:
        """A participant's current values in a round (default: the current
        one), keyed by ``(kind, tool_id, question_id)``. This is what a
        reopened workbook shows."""
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            return self._current_values(conn, ws, participant_id, round=round)  # type: ignore[return-value]

    def answer_rows(self, slug: str, *, current: bool = False, round: int | None = None, after_id: int = 0) -> pd.DataFrame:
        """Answers of one workshop as a raw DataFrame (``toolkit.frames``
        shapes it), oldest first. ``current=True`` keeps only the newest row
        per key; ``after_id`` reads only rows written after that one (a live
        view reads just what is new)."""
        import pandas as pd

        return pd.DataFrame(self.answer_columns(slug, ANSWER_COLUMNS, current=current, round=round, after_id=after_id))

    def answer_columns(
        self, slug: str, columns: Sequence[str] = (), *, current: bool = False, round: int | None = None, after_id: int = 0
    ) -> dict[str, Any]:
        """Some columns of a workshop's answers as numpy arrays, oldest
        first: the fast path under :mod:`toolkit.frames`. Whole numbers are
        ``int64``, ``created`` is ``float64`` seconds, text is an object
        array of ``str``. ``current``, ``round`` and ``after_id`` work as in
        :meth:`answer_rows`; ``columns`` defaults to all of them.

            >>> store.answer_columns(slug, ("id", "value"), current=True)["value"]
            array(['The river trust', '4'], dtype=object)
        """
        columns = tuple(columns) or ANSWER_COLUMNS
        unknown = [c for c in columns if c not in ANSWER_COLUMNS]
        if unknown:
            raise ValueError(f"answer_columns: unknown column(s) {', '.join(unknown)} (expected some of {', '.join(ANSWER_COLUMNS)})")
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            query = _answers_query(conn.dialect.name, ws.id, columns, current=current, round=round, after_id=after_id)
            return _fetch_columns(conn, query, columns)

    def answer_ids(self, *, after_id: int = 0, newest: int | None = None) -> Any:
        """Ids of the answer rows of every workshop, ascending (``int64``):
        those after ``after_id``, or the ``newest`` highest ones. An id
        missing between two of them was taken by a write that has not
        committed yet (PostgreSQL hands ids out before commit) or that
        rolled back: :class:`toolkit.frames.LiveFrames` reads such ids again
        until they show up.

            >>> store.answer_ids(after_id=100)
            array([101, 103])
        """
        t = t_answers
        query = sa.select(t.c.id).where(t.c.id > after_id)
        if newest is not None:
            query = query.order_by(t.c.id.desc()).limit(newest)
        else:
            query = query.order_by(t.c.id)
        with self._read() as conn:
            ids = _fetch_columns(conn, query, ("id",))["id"]
        return ids[::-1].copy() if newest is not None else ids

    def count_answers(self, slug: str | None = None) -> int:
        with self._read() as conn:
            query = sa.select(sa.func.count()).select_from(t_answers)
            if slug is not None:
                query = query.where(t_answers.c.workshop_id == self._workshop_row(conn, slug).id)
            return int(conn.execute(query).scalar_one())

    # ------------------------------------------------------------------
    # Actions

    def add_action(self, slug: str, tool_id: str, *, what: str, owner: str, owner_sector: str | None = None, due: Any = None, participant_id: int | None = None, status: str = "open") -> Action:
        """Record an action: what, who owns it (and their sector), by when."""
        what_clean = checks.clean_text(what, field="action", limit=checks.MAX_ACTION_CHARS, allow_empty=False)
        owner_clean = checks.clean_short(owner, field="owner")
        sector_clean = self._sector_or_none(owner_sector)
        due_clean = checks.clean_date(due, field="due date")
        self._status(status)
        with self._write() as conn:
            ws = self._workshop_row(conn, slug)
            self._check_open(ws, tool_id)
            if participant_id is not None:
                self._check_member(ws, self._participant_row(conn, participant_id))
            now = time.time()
            result = conn.execute(
                t_actions.insert().values(
                    workshop_id=ws.id, tool_id=tool_id, what=what_clean, owner=owner_clean, owner_sector=sector_clean,
                    due=due_clean, status=status, participant_id=participant_id, created=now, updated=now,
                )
            )
            return self._action_row(conn, result.inserted_primary_key[0])

    def update_action(self, action_id: int, **changes: Any) -> Action:
        """Change an action's ``what``, ``owner``, ``owner_sector``, ``due``
        or ``status``."""
        values: dict[str, Any] = {}
        for key, value in changes.items():
            if key == "what":
                values["what"] = checks.clean_text(value, field="action", limit=checks.MAX_ACTION_CHARS, allow_empty=False)
            elif key == "owner":
                values["owner"] = checks.clean_short(value, field="owner")
            elif key == "owner_sector":
                values["owner_sector"] = self._sector_or_none(value)
            elif key == "due":
                values["due"] = checks.clean_date(value, field="due date")
            elif key == "status":
                values["status"] = self._status(value)
            else:
                raise InvalidAnswer(f"action: unknown field {key!r} (expected what, owner, owner_sector, due or status)")
        with self._write() as conn:
            action = self._action_row(conn, action_id)
            ws = self._workshop_row(conn, action.workshop_id, by="id")
            self._check_open(ws, action.tool_id)
            conn.execute(t_actions.update().where(t_actions.c.id == action_id).values(**values, updated=time.time()))
            return self._action_row(conn, action_id)

    def actions(self, slug: str, tool_id: str | None = None) -> list[Action]:
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            query = sa.select(t_actions).where(t_actions.c.workshop_id == ws.id)
            if tool_id is not None:
                query = query.where(t_actions.c.tool_id == tool_id)
            return [_action(r) for r in conn.execute(query.order_by(t_actions.c.id)).mappings()]

    def _action_row(self, conn: sa.Connection, action_id: int) -> Action:
        row = conn.execute(sa.select(t_actions).where(t_actions.c.id == action_id)).mappings().first()
        if row is None:
            raise NotFound(f"unknown action {action_id!r}")
        return _action(row)

    def _sector_or_none(self, sector: object) -> str | None:
        if sector in (None, ""):
            return None
        if not isinstance(sector, str) or not self.kit.has_sector(sector):
            known = ", ".join(s.id for s in self.kit.sectors)
            raise InvalidAnswer(f"owner's sector: unknown sector {sector!r} (expected one of {known})")
        return sector

    @staticmethod
    def _status(status: object) -> str:
        if status not in ACTION_STATUSES:
            raise InvalidAnswer(f"action status: expected one of {', '.join(ACTION_STATUSES)}, got {status!r}")
        return status  # type: ignore[return-value]

    # ------------------------------------------------------------------
    # Bulk (import, demo)

    def bulk_insert(self, rows: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Insert prepared rows (table name, values) in one transaction; the
        import and demo validate everything before calling this."""
        tables = {"participants": t_participants, "answers": t_answers, "actions": t_actions}
        with self._write() as conn:
            batch: dict[str, list[dict[str, Any]]] = {}
            for table, values in rows:
                batch.setdefault(table, []).append(values)
            for name in ("participants", "answers", "actions"):
                if batch.get(name):
                    conn.execute(tables[name].insert(), batch[name])

    def import_rows(
        self,
        workshop: Mapping[str, Any],
        participants: Sequence[Mapping[str, Any]] = (),
        answers: Sequence[Mapping[str, Any]] = (),
        actions: Sequence[Mapping[str, Any]] = (),
    ) -> Workshop:
        """Write an import that :mod:`toolkit.exports.importer` validated, all in one
        transaction (all or nothing).

        ``workshop`` has ``slug``; when no workshop has that slug it is
        created from ``title``, ``created`` and ``settings`` (a
        :class:`WorkshopSettings`). ``participants`` (name, organization,
        sector, table, created) are matched by identity like a sign-in, or
        added. Answer and action rows name their participant by index into
        ``participants`` under the key ``"participant"`` (``None`` for an
        action nobody added)."""
        with self._write() as conn:
            row = conn.execute(sa.select(t_workshops).where(t_workshops.c.slug == workshop["slug"])).mappings().first()
            if row is None:
                settings = workshop.get("settings") or WorkshopSettings()
                result = conn.execute(
                    t_workshops.insert().values(
                        slug=workshop["slug"], title=workshop["title"], created=workshop.get("created") or time.time(),
                        settings=json.dumps(settings.to_dict()),
                    )
                )
                ws = self._workshop_row(conn, result.inserted_primary_key[0], by="id")
            else:
                ws = _workshop(row)
            ids: list[int] = []
            for p in participants:
                key = identity_key(p.get("name"), p["organization"], p["table"])
                found = conn.execute(
                    sa.select(t_participants.c.id, t_participants.c.sector).where(
                        t_participants.c.workshop_id == ws.id, t_participants.c.identity_key == key
                    )
                ).first()
                if found is not None:
                    if found.sector != p["sector"]:
                        conn.execute(t_participants.update().where(t_participants.c.id == found.id).values(sector=p["sector"]))
                    ids.append(found.id)
                    continue
                result = conn.execute(
                    t_participants.insert().values(
                        workshop_id=ws.id, name=p.get("name") or None, organization=p["organization"], sector=p["sector"],
                        table_name=p["table"], identity_key=key, created=p.get("created") or time.time(),
                    )
                )
                ids.append(result.inserted_primary_key[0])

            def link(values: Mapping[str, Any]) -> dict[str, Any]:
                out = {k: v for k, v in values.items() if k != "participant"}
                index = values.get("participant")
                return out | {"workshop_id": ws.id, "participant_id": None if index is None else ids[index]}

            if answers:
                conn.execute(t_answers.insert(), [link(a) for a in answers])
            if actions:
                conn.execute(t_actions.insert(), [link(a) for a in actions])
            return ws


def identity_key(name: str | None, organization: str, table: str) -> str:
    """How a participant is recognised when they sign in again (the same
    cleaned name, organization and table, ignoring case); the key
    :meth:`AnswerStore.add_participant` stores."""
    return "|".join(x.casefold() for x in (name or "", organization, table))


#: The answers table's columns, in the order :meth:`AnswerStore.answer_rows` gives them.
ANSWER_COLUMNS = ("id", "workshop_id", "participant_id", "round", "tool_id", "question_id", "kind", "value", "created")
_FLOAT_COLUMNS = frozenset({"created"})
_TEXT_COLUMNS = frozenset({"tool_id", "question_id", "kind", "value"})


def _answers_query(dialect: str, workshop_id: int, columns: Sequence[str], *, current: bool, round: int | None, after_id: int) -> sa.Select[Any]:
    """The SELECT behind :meth:`AnswerStore.answer_columns`, ordered by id."""
    t = t_answers
    if after_id and dialect == "sqlite":
        # SQLite has no statistics here and would walk ix_answers_current
        # (every row of the workshop) for a handful of new rows; "+ 0" keeps
        # it off that index so it reads the id range after ``after_id``.
        where = [t.c.id > after_id, (t.c.workshop_id + 0) == workshop_id]
    else:
        where = [t.c.workshop_id == workshop_id, *([t.c.id > after_id] if after_id else [])]
    selected = sa.select(*(t.c[c] for c in columns))
    if current:
        if round is not None:
            # On SQLite "round = ?" makes it sort the groups in a temporary
            # B-tree; as a plain filter ("+ 0") the groups stream in the
            # index's order, 1.5 to 2 times faster.
            where.append(((t.c.round + 0) if dialect == "sqlite" else t.c.round) == round)
        # Grouped in ix_answers_current's column order.
        key = [t.c.participant_id, t.c.round, t.c.tool_id, t.c.kind, t.c.question_id]
        latest = sa.select(sa.func.max(t.c.id)).where(*where).group_by(*key)
        # Only the id list is filtered by workshop: SQLite then looks the rows
        # up by primary key in id order, with no second pass through the
        # index and no sort (0.55-0.75 of the time of repeating the filter
        # outside, measured over 50,000 and 100,000 answers).
        return selected.where(t.c.id.in_(latest)).order_by(t.c.id)
    if round is not None:
        where.append(t.c.round == round)
    if dialect == "sqlite" and not after_id:
        # The same for a whole history: rows fetched by id in order take about
        # half the time of SQLite's own plan (an index hop per row, then a
        # sort by id). A scan of the whole table is a quarter faster still
        # when the workshop is all the store holds, but it reads every other
        # workshop too; this does not.
        return selected.where(t.c.id.in_(sa.select(t.c.id).where(*where))).order_by(t.c.id)
    return selected.where(*where).order_by(t.c.id)


def _fetch_columns(conn: sa.Connection, query: sa.Select[Any], columns: Sequence[str]) -> dict[str, Any]:
    """Run a SELECT on the driver's own cursor and turn its tuples into one
    numpy array per column. For 100,000 answers SQLAlchemy's Row objects
    (and pandas inferring each column's type) cost more than the query."""
    import numpy as np

    compiled = query.compile(dialect=conn.dialect)
    params = compiled.construct_params()
    args: Any = tuple(params[k] for k in compiled.positiontup or ()) if compiled.positional else params
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), args)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    # A structured array converts every tuple in one C loop (pandas'
    # from_records takes twice as long, inferring each column's type); the
    # columns handed out are views of its fields.
    layout = np.dtype([(c, "f8" if c in _FLOAT_COLUMNS else "O" if c in _TEXT_COLUMNS else "i8") for c in columns])
    table = np.array(rows, dtype=layout) if rows else np.empty(0, dtype=layout)
    return {c: table[c] for c in columns}


def _workshop(row: Mapping[str, Any]) -> Workshop:
    return Workshop(
        id=row["id"], slug=row["slug"], title=row["title"], created=row["created"],
        settings=WorkshopSettings.from_dict(json.loads(row["settings"])),
    )


def _participant(row: Mapping[str, Any]) -> Participant:
    return Participant(
        id=row["id"], workshop_id=row["workshop_id"], name=row["name"], organization=row["organization"],
        sector=row["sector"], table=row["table_name"], created=row["created"],
    )


def _action(row: Mapping[str, Any]) -> Action:
    return Action(**{k: row[k] for k in ("id", "workshop_id", "tool_id", "what", "owner", "owner_sector", "due", "status", "participant_id", "created", "updated")})
