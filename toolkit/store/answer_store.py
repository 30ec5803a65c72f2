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
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from toolkit import content as content_mod
from toolkit.errors import ChangedElsewhere, InvalidAnswer, NotFound, ToolkitError
from toolkit.store import checks, identity, schema
from toolkit.store.controls import Controls
from toolkit.store.schema import actions as t_actions
from toolkit.store.schema import anonymous_answers as t_anonymous
from toolkit.store.schema import answers as t_answers
from toolkit.store.schema import participant_sessions as t_sessions
from toolkit.store.schema import participants as t_participants
from toolkit.store.schema import superseded as t_superseded
from toolkit.store.schema import table_answers as t_table_answers
from toolkit.store.schema import table_sessions as t_table_sessions
from toolkit.store.schema import table_superseded as t_table_superseded
from toolkit.store.schema import workshops as t_workshops
from toolkit.store.values import (
    KINDS,
    Action,
    Answer,
    NewRows,
    Participant,
    Person,
    Stored,
    Superseded,
    TableAnswer,
    TableChanges,
    TableSeat,
    TableSuperseded,
    Workshop,
    WorkshopSettings,
)

if TYPE_CHECKING:
    import pandas as pd

    from toolkit.content import Toolkit


#: How often a write that lost a race for a new slug or participant is
#: tried again. Each lost race means another writer's row went in, so this
#: many writers at once all succeed.
_ATTEMPTS = 8


class AnswerStore(Controls):
    """The shared store every kernel writes to and the dashboard reads.

    ``url`` is a path or SQLAlchemy URL; ``None`` uses ``$WORKSHOP_DB`` or
    the default SQLite file (:func:`toolkit.store.schema.default_sqlite_path`).
    ``read_only=True`` opens the database so that it cannot write at all
    (the dashboard uses this). ``busy_seconds``: how long a write waits for
    another one's lock (default :data:`~toolkit.store.schema.BUSY_SECONDS`;
    a participant's page, which retries, waits
    :data:`~toolkit.store.schema.PAGE_BUSY_SECONDS`).
    """

    def __init__(self, url: str | None = None, *, kit: Toolkit | None = None, read_only: bool = False, busy_seconds: float | None = None):
        self.url = schema.resolve_url(url)
        self.read_only = read_only
        self.kit = kit if kit is not None else content_mod.load()
        self.engine = schema.make_engine(self.url, read_only=read_only, busy_seconds=busy_seconds)
        if read_only:
            self._check_exists()
        else:
            schema.create_or_upgrade(self.engine, renames=self.kit.question_renames())

    def __repr__(self) -> str:
        mode = " read-only" if self.read_only else ""
        return f"<AnswerStore {self.engine.url.render_as_string(hide_password=True)}{mode}>"

    @property
    def location(self) -> str:
        """Where the store is, for messages: a path, or a URL with the
        password hidden (:func:`toolkit.store.schema.location`)."""
        return schema.location(self.url)

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
        except sa.exc.ProgrammingError:
            raise ToolkitError(f"the store {self.location} has no workshops table yet; create a workshop first") from None
        except (sa.exc.DBAPIError, OSError) as exc:
            raise schema.store_error(exc, self.url) from exc
        # A read-only store cannot upgrade itself, and its queries need the
        # current tables: say so now rather than fail on a missing column later.
        found = int(stored) if stored else 1
        if found < schema.SCHEMA_VERSION:
            raise ToolkitError(f"the store {self.location} has schema {found} and this kit needs {schema.SCHEMA_VERSION}; open it once read-write to upgrade it (for example: workshop list --db URL)")
        if found > schema.SCHEMA_VERSION:
            raise ToolkitError(f"this store was written by a newer version of the kit (schema {found}, this one reads up to {schema.SCHEMA_VERSION}); upgrade the kit")

    def _read(self) -> sa.Connection:
        return self.engine.connect().execution_options(readonly=True)

    def _write(self) -> Any:
        if self.read_only:
            raise ToolkitError("this store is open read-only (the dashboard cannot change anything)")
        return self.engine.begin()

    def _in_turn(self, write: Callable[[sa.Connection], Any], busy: str = "could not sign in: the store was busy; try again") -> Any:
        """``write(conn)`` in one write transaction, tried again when it
        lost a race for a unique row (another kernel bound the same device
        or drew the same code at the same moment: the next try sees it)."""
        for _attempt in range(_ATTEMPTS):
            try:
                with self._write() as conn:
                    return write(conn)
            except sa.exc.IntegrityError:
                continue
        raise ToolkitError(busy)  # pragma: no cover

    # ------------------------------------------------------------------
    # Workshops

    def create_workshop(self, title: str, slug: str | None = None, settings: WorkshopSettings | None = None) -> Workshop:
        """Create a workshop; the slug comes from the title unless given,
        with ``-2``, ``-3`` ... added when it is taken."""
        title = checks.title(title)
        base = checks.slug(slug) if slug is not None else checks.slugify(title)
        settings = checks.settings(self.kit, (settings or WorkshopSettings()).to_dict())
        for _attempt in range(_ATTEMPTS):
            try:
                with self._write() as conn:
                    if slug is not None and self._free_slug(conn, base) != base:
                        raise InvalidAnswer(f"workshop slug: {slug!r} is already used by another workshop")
                    return self._insert_workshop(conn, self._free_slug(conn, base), title, time.time(), settings)
            except sa.exc.IntegrityError:
                # Another process created a workshop with this slug at the
                # same moment; the next attempt sees it and picks another.
                continue
        raise ToolkitError("could not create the workshop: the store was busy; try again")  # pragma: no cover

    @staticmethod
    def _free_slug(conn: sa.Connection, base: str) -> str:
        """``base``, or ``base-2``, ``base-3`` ... when it is taken."""
        taken = set(conn.execute(sa.select(t_workshops.c.slug).where(t_workshops.c.slug.like(f"{base}%"))).scalars())
        final, n = base, 1
        while final in taken:
            n += 1
            final = f"{base}-{n}"
        return final

    def _insert_workshop(self, conn: sa.Connection, slug: str, title: str, created: float, settings: WorkshopSettings) -> Workshop:
        result = conn.execute(t_workshops.insert().values(slug=slug, title=title, created=created, settings=json.dumps(settings.to_dict())))
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

    def _workshop_row(self, conn: sa.Connection, key: str | int, by: str = "slug", *, lock: bool = False) -> Workshop:
        """One workshop's row. ``lock=True`` holds it until the transaction
        ends, for a write that checks the settings or a budget and then
        writes: on PostgreSQL two such writes would otherwise both pass
        their check (SQLite's BEGIN IMMEDIATE already runs writers one at a
        time, and ignores the lock). ``FOR NO KEY UPDATE`` leaves inserts
        that only refer to the workshop free to go on."""
        column = t_workshops.c.slug if by == "slug" else t_workshops.c.id
        query = sa.select(t_workshops).where(column == key)
        if lock:
            query = query.with_for_update(key_share=True)
        row = conn.execute(query).mappings().first()
        if row is None:
            known = [r for r in conn.execute(sa.select(t_workshops.c.slug).limit(10)).scalars()]
            hint = f" (known: {', '.join(known)})" if known else " (the store has no workshops yet)"
            raise NotFound(f"unknown workshop {key!r}{hint}")
        return _workshop(row)

    def update_settings(self, slug: str, **changes: Any) -> Workshop:
        """Change what the facilitator controls: ``anonymous``,
        ``ratings_revealed``, ``round``, ``dots`` (one transaction; each
        checked by :func:`toolkit.store.checks.settings`). The dot budget
        cannot go below the dots a participant has already placed."""
        checks.settings(self.kit, changes)

        def change(conn: sa.Connection, ws: Workshop) -> WorkshopSettings:
            new = checks.settings(self.kit, {**ws.settings.to_dict(), **changes})
            if new.dots < ws.settings.dots:
                # No one may be left holding more dots than the budget (an
                # export of the workshop would not import again).
                checks.dots_budget({"most placed": self._most_dots(conn, ws)}, new.dots, field="settings.dots")
            return new

        return self._change_settings(slug, change)

    def _most_dots(self, conn: sa.Connection, ws: Workshop) -> int:
        """The most dots any participant holds in any round."""
        t = t_answers
        latest = sa.select(sa.func.max(t.c.id)).where(t.c.workshop_id == ws.id, t.c.kind == "dots").group_by(t.c.participant_id, t.c.round, t.c.tool_id)
        totals: dict[tuple[int, int], int] = {}
        for who, rnd, value in conn.execute(sa.select(t.c.participant_id, t.c.round, t.c.value).where(t.c.id.in_(latest))):
            totals[who, rnd] = totals.get((who, rnd), 0) + int(value)
        return max(totals.values(), default=0)

    def set_stage_state(self, slug: str, stage_id: str | int, state: str) -> Workshop:
        """Open or lock one stage (by id or number). A locked stage refuses
        every write."""
        # Store the stage's id: a number ("2") would be saved as a key no tool has.
        stage_id = self.kit.stage(stage_id).id
        checks.stage_state(state)
        return self._change_settings(slug, lambda conn, ws: ws.settings.with_stage(stage_id, state))

    def lock_stage(self, slug: str, stage_id: str) -> Workshop:
        return self.set_stage_state(slug, stage_id, "locked")

    def open_stage(self, slug: str, stage_id: str) -> Workshop:
        return self.set_stage_state(slug, stage_id, "open")

    def new_round(self, slug: str) -> Workshop:
        """Start the next round: earlier answers stay, new ones start empty."""
        return self._change_settings(
            slug, lambda conn, ws: checks.settings(self.kit, {**ws.settings.to_dict(), "round": ws.settings.round + 1})
        )

    def _change_settings(self, slug: str, change: Callable[[sa.Connection, Workshop], WorkshopSettings]) -> Workshop:
        # The row is held: two facilitators locking two stages at once on
        # PostgreSQL would otherwise each write back the settings they read,
        # and one lock would be lost.
        with self._write() as conn:
            ws = self._workshop_row(conn, slug, lock=True)
            new = change(conn, ws)
            conn.execute(t_workshops.update().where(t_workshops.c.id == ws.id).values(settings=json.dumps(new.to_dict())))
            return self._workshop_row(conn, ws.id, by="id")

    # ------------------------------------------------------------------
    # Participants

    def add_participant(
        self, slug: str, *, organization: str, sector: str, table: str, name: str | None = None,
        device: str | None = None, known: int | None = None,
    ) -> Participant:
        """Sign a participant in: a new participant, with their own resume
        code (:meth:`resume_code`).

        A name, organization and table never find anyone: that would hand a
        person's answers to whoever types their details (and two people
        without a name at the same table would become one). The way back to
        an existing participant is a secret: ``known`` (the participant this
        page is signed in as already) or ``device`` (a device token bound to
        a participant, :mod:`toolkit.store.identity`). When that participant
        has the same name, organization and table (ignoring case) they are
        signed in again, their sector updated, so pressing "Sign in" twice
        is one person. ``device`` is then bound to whoever signed in.

        The table is kept as the workshop first spelled it (``"table 3"``
        joins ``"Table 3"``, :func:`toolkit.store.checks.table_key`), so
        everyone at one table is at the same table."""
        name_clean = checks.clean_short(name, field="name", required=False) or None
        org = checks.clean_short(organization, field="organization")
        typed_table = checks.clean_short(table, field="table")
        sector_clean = checks.sector(self.kit, sector)
        hashed = identity.device_hash(device) if device is not None else None

        def sign_in(conn: sa.Connection) -> Participant:
            # Held with a device: on PostgreSQL a browser's tabs signing in
            # at once would each bind the device to their own new
            # participant, the last one winning.
            ws = self._workshop_row(conn, slug, lock=hashed is not None)
            # "table 3" joins "Table 3": a table is one table however its
            # members type it, so they see each other's answers.
            table_clean = self._table_spelling(conn, ws, typed_table)
            typed = identity_key(name_clean, org, table_clean)
            mine = [known] if known is not None else []
            if hashed is not None:
                bound = self._device_participant(conn, ws, hashed)
                mine += [bound] if bound is not None else []
            found = None
            for pid in mine:
                row = conn.execute(sa.select(t_participants).where(t_participants.c.id == pid, t_participants.c.workshop_id == ws.id)).mappings().first()
                if row is not None and identity_key(row["name"], row["organization"], row["table_name"]) == typed:
                    found = row
                    break
            if found is not None:
                pid = found["id"]
                if found["sector"] != sector_clean:
                    conn.execute(t_participants.update().where(t_participants.c.id == pid).values(sector=sector_clean))
            else:
                result = conn.execute(
                    t_participants.insert().values(
                        workshop_id=ws.id, name=name_clean, organization=org, sector=sector_clean, table_name=table_clean,
                        participant_key=new_participant_key(), resume_code=self._free_code(conn, ws.id), created=time.time(),
                    )
                )
                pid = result.inserted_primary_key[0]
            if hashed is not None:
                self._bind(conn, ws, hashed, pid)
            return self._participant_row(conn, pid)

        return self._in_turn(sign_in)

    def participant_for_device(self, slug: str, device: str | None) -> Participant | None:
        """The participant a device token is signed in as in this workshop,
        or ``None`` (no token, a malformed one, or never signed in here)."""
        if identity.valid_device(device) is None:
            return None
        hashed = identity.device_hash(device)  # type: ignore[arg-type]
        with self._write() as conn:
            ws = self._workshop_row(conn, slug)
            pid = self._device_participant(conn, ws, hashed)
            if pid is None:
                return None
            t = t_sessions
            conn.execute(t.update().where(t.c.workshop_id == ws.id, t.c.device_hash == hashed).values(last_seen=time.time()))
            return self._participant_row(conn, pid)

    def resume(self, slug: str, code: str, *, device: str | None = None) -> Participant:
        """The participant whose resume code this is (typed in any case,
        with or without the dash); ``device`` is bound to them. A code
        nobody in this workshop has is refused with :class:`InvalidAnswer`."""
        normal = identity.normalise_resume_code(code)
        hashed = identity.device_hash(device) if device is not None else None

        def resume(conn: sa.Connection) -> Participant:
            ws = self._workshop_row(conn, slug, lock=hashed is not None)
            pid = conn.execute(
                sa.select(t_participants.c.id).where(t_participants.c.workshop_id == ws.id, t_participants.c.resume_code == normal)
            ).scalar()
            if pid is None:
                raise InvalidAnswer(f"resume code: nobody in this workshop has the code {identity.format_resume_code(normal)}; check it, or ask the facilitator")
            if hashed is not None:
                self._bind(conn, ws, hashed, pid)
            return self._participant_row(conn, pid)

        return self._in_turn(resume)

    def bind_device(self, slug: str, device: str, participant_id: int) -> None:
        """Bind a device to a participant the caller already holds: a page
        signed in (by form or resume code) before its device token was
        known. Never call it with a participant id a visitor typed."""
        hashed = identity.device_hash(device)

        def bind(conn: sa.Connection) -> None:
            ws = self._workshop_row(conn, slug, lock=True)
            checks.same_workshop(ws, self._participant_row(conn, participant_id))
            self._bind(conn, ws, hashed, participant_id)

        self._in_turn(bind)

    def forget_device(self, slug: str, device: str | None) -> None:
        """Sign a device out of a workshop: its pages no longer know anyone."""
        if identity.valid_device(device) is None:
            return
        with self._write() as conn:
            ws = self._workshop_row(conn, slug)
            hashed = identity.device_hash(device)  # type: ignore[arg-type]
            for t in (t_sessions, t_table_sessions):
                conn.execute(t.delete().where(t.c.workshop_id == ws.id, t.c.device_hash == hashed))

    def resume_code(self, participant_id: int) -> str:
        """A participant's resume code, as stored (``K7PQ4QX9``; show it with
        :func:`toolkit.store.identity.format_resume_code`)."""
        checks.participant_id(participant_id)
        with self._read() as conn:
            code = conn.execute(sa.select(t_participants.c.resume_code).where(t_participants.c.id == participant_id)).scalar()
        if code is None:
            raise NotFound(f"unknown participant {participant_id!r}; sign in again")
        return code

    def people(self, slug: str, find: str | None = None) -> list[Person]:
        """Every participant of a workshop with their resume code, oldest
        first: what a facilitator looks up (``workshop people``, the
        console). ``find`` keeps those whose name, organization, sector
        (id or name) or table contains it, ignoring case."""
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            rows = conn.execute(
                sa.select(t_participants).where(t_participants.c.workshop_id == ws.id).order_by(t_participants.c.id)
            ).mappings().all()
        people = [Person(_participant(r), r["resume_code"] or "") for r in rows]
        wanted = (find or "").strip().casefold()
        if not wanted:
            return people

        def matches(p: Participant) -> bool:
            sector = self.kit.sector(p.sector).name if self.kit.has_sector(p.sector) else p.sector
            return any(wanted in (x or "").casefold() for x in (p.name, p.organization, p.sector, sector, p.table))

        return [person for person in people if matches(person.participant)]

    def participant_keys(self, slug: str) -> dict[int, str]:
        """Participant id -> key (what an export calls each participant)."""
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            t = t_participants
            return dict(conn.execute(sa.select(t.c.id, t.c.participant_key).where(t.c.workshop_id == ws.id)).all())

    @staticmethod
    def _device_participant(conn: sa.Connection, ws: Workshop, hashed: str) -> int | None:
        t = t_sessions
        return conn.execute(sa.select(t.c.participant_id).where(t.c.workshop_id == ws.id, t.c.device_hash == hashed)).scalar()

    @staticmethod
    def _bind(conn: sa.Connection, ws: Workshop, hashed: str, participant_id: int) -> None:
        """Bind a device (hashed) to a participant, replacing its binding in
        this workshop (a shared table laptop passes from one person to the next)."""
        t = t_sessions
        now = time.time()
        conn.execute(t_table_sessions.delete().where(t_table_sessions.c.workshop_id == ws.id, t_table_sessions.c.device_hash == hashed))
        updated = conn.execute(
            t.update().where(t.c.workshop_id == ws.id, t.c.device_hash == hashed).values(participant_id=participant_id, last_seen=now)
        )
        if not updated.rowcount:
            conn.execute(t.insert().values(workshop_id=ws.id, participant_id=participant_id, device_hash=hashed, created=now, last_seen=now))

    @staticmethod
    def _free_code(conn: sa.Connection, workshop_id: int, wanted: str | None = None) -> str:
        """``wanted`` if no one in the workshop has it, else a fresh code
        no one has."""
        code = wanted or identity.new_resume_code()
        while conn.execute(
            sa.select(t_participants.c.id).where(t_participants.c.workshop_id == workshop_id, t_participants.c.resume_code == code)
        ).first() is not None:
            code = identity.new_resume_code()
        return code

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

    def _participant_row(self, conn: sa.Connection, participant_id: int, *, lock: bool = False) -> Participant:
        checks.participant_id(participant_id)
        query = sa.select(t_participants).where(t_participants.c.id == participant_id)
        if lock:
            query = query.with_for_update(key_share=True)
        row = conn.execute(query).mappings().first()
        if row is None:
            raise NotFound(f"unknown participant {participant_id!r}; sign in again")
        return _participant(row)

    # ------------------------------------------------------------------
    # Answers

    def save_answer(self, slug: str, participant_id: int, tool_id: str, question_id: str, text: str, *, base: int | None = None, anonymous: bool = False) -> Answer:
        """Save a participant's answer to one guiding question. Empty text
        records that the answer was cleared.

        ``base`` is the id of the answer row the participant last saw for
        this question (loaded or saved; ``0`` when they saw none). When the
        current row is another one, written meanwhile in another tab or on
        another device, nothing is written over it: the text is kept in the
        superseded history (:meth:`superseded`) and :class:`ChangedElsewhere`
        carries the newer answer. ``None`` saves over whatever is current
        (scripts, the demo).

        ``anonymous=True`` (only on a question the content flags as
        sensitive) saves it without the participant's name: every view but
        the JSON backup shows it unattributed (:mod:`toolkit.frames.views`)."""
        of_tool = checks.tool(self.kit, tool_id)
        question = checks.question(self.kit, of_tool, question_id)
        what = f"answer to {checks.named(of_tool, question.id)}"
        value = checks.clean_text(text, field=what)
        checks.anonymous_answer(question, anonymous)
        return self._append(slug, participant_id, tool_id, question_id, "text", value, base=base, what=what, anonymous=anonymous)

    def save_rating(self, slug: str, participant_id: int, tool_id: str, value: int | str | None, *, base: int | None = None) -> Answer:
        """Rate how well the collaboration does a tool today, on the
        content's scale; ``None`` means "not sure", ``"not-yet"`` "not yet
        relevant at our stage" (when the scale offers it). ``base`` as in
        :meth:`save_answer`."""
        what = f"rating for {checks.named(checks.tool(self.kit, tool_id))}"
        stored = checks.rating(self.kit, value, field=what)
        return self._append(slug, participant_id, tool_id, "", "rating", stored, base=base, what=what)

    def save_comment(self, slug: str, participant_id: int, tool_id: str, text: str, *, base: int | None = None) -> Answer:
        """The note that goes with a low rating: what is missing. ``base``
        as in :meth:`save_answer`."""
        what = f"comment on {checks.named(checks.tool(self.kit, tool_id))}"
        value = checks.clean_text(text, field=what)
        return self._append(slug, participant_id, tool_id, "", "comment", value, base=base, what=what)

    def save_dots(self, slug: str, participant_id: int, allocation: Mapping[str, int], *, bases: Mapping[str, int] | None = None) -> list[Answer]:
        """Save a participant's dot vote: tool id -> dots. Tools not named
        keep their current dots. The total may not exceed the workshop's
        budget; all tools change in one transaction or none do.

        ``bases`` (tool id -> the dots row last seen, ``0`` for none) works
        as ``base`` in :meth:`save_answer`: when a tool's dots changed
        meanwhile elsewhere, nothing is saved and :class:`ChangedElsewhere`
        carries the newer row."""
        if not isinstance(allocation, Mapping):
            raise InvalidAnswer("dots: expected a mapping of tool id to number of dots")
        for tool_id, n in allocation.items():
            checks.dots(n, field=f"dots for {checks.named(checks.tool(self.kit, tool_id))}")
        stale: ChangedElsewhere | None = None
        with self._write() as conn:
            # Held until commit: two saves at once (two tabs, a double
            # click) must not both count the dots placed before either.
            ws = self._workshop_row(conn, slug, lock=True)
            checks.vote_open(ws.settings)
            participant = self._participant_row(conn, participant_id)
            checks.same_workshop(ws, participant)
            for tool_id, n in allocation.items():
                if bases is not None and tool_id in bases:
                    stale = self._stale(conn, ws, participant_id, tool_id, "", "dots", str(n), bases[tool_id], what=f"dots for {checks.named(self.kit.tool(tool_id))}")
                    if stale is not None and stale.newer.value != str(n):  # type: ignore[union-attr]
                        break
                    stale = None
            if stale is None:
                current = self._current_values(conn, ws, participant_id, kind="dots")
                merged = {tool: int(v) for (tool, _q), v in current.items()} | dict(allocation)
                checks.dots_budget(merged, ws.settings.dots)
                saved = []
                for tool_id, n in allocation.items():
                    if current.get((tool_id, "")) == str(n):
                        continue
                    saved.append(self._insert_answer(conn, ws, participant_id, tool_id, "", "dots", str(n), check_lock=False))
                return saved
        raise stale

    def _append(self, slug: str, participant_id: int, tool_id: str, question_id: str, kind: str, value: str, *, base: int | None = None, what: str = "answer", anonymous: bool = False) -> Answer:
        assert kind in KINDS
        stale: ChangedElsewhere | None = None
        with self._write() as conn:
            ws = self._workshop_row(conn, slug)
            # With a base the participant's row is held until commit: on
            # PostgreSQL two saves of one answer at once (two tabs) would
            # otherwise both find the same current row and both be written.
            checks.same_workshop(ws, self._participant_row(conn, participant_id, lock=base is not None))
            if base is not None:
                checks.stage_open(self.kit, ws.settings, tool_id)
                stale = self._stale(conn, ws, participant_id, tool_id, question_id, kind, value, base, what=what)
                if stale is not None and stale.newer is not None and stale.newer.value == value:
                    return stale.newer  # both wrote the same: nothing to choose between
            if stale is None:
                answer = self._insert_answer(conn, ws, participant_id, tool_id, question_id, kind, value)
                if anonymous:
                    conn.execute(t_anonymous.insert().values(answer_id=answer.id, workshop_id=ws.id))
                return answer
        # Raised once the refused value is committed to the superseded history.
        raise stale

    def _stale(self, conn: sa.Connection, ws: Workshop, participant_id: int, tool_id: str, question_id: str, kind: str, value: str, base: int, *, what: str) -> ChangedElsewhere | None:
        """``None`` when a save based on row ``base`` may go ahead: no
        answer is current yet, or ``base`` is the current one. Otherwise the
        refusal, with the value kept in ``superseded`` (unless it is what the
        store holds already)."""
        if isinstance(base, bool) or not isinstance(base, int) or base < 0:
            raise InvalidAnswer(f"{what}: base must be the id of the answer last seen (0 for none), got {checks.shown(base)}")
        t = t_answers
        row = conn.execute(
            sa.select(t).where(
                t.c.workshop_id == ws.id, t.c.participant_id == participant_id, t.c.round == ws.settings.round,
                t.c.tool_id == tool_id, t.c.kind == kind, t.c.question_id == question_id,
            ).order_by(t.c.id.desc()).limit(1)
        ).mappings().first()
        if row is None or row["id"] == base:
            return None
        newer = Answer(**{c: row[c] for c in ANSWER_COLUMNS})
        if newer.value != value:
            conn.execute(
                t_superseded.insert().values(
                    workshop_id=ws.id, participant_id=participant_id, round=ws.settings.round, tool_id=tool_id,
                    question_id=question_id, kind=kind, value=value, created=time.time(), base_id=base, newer_id=newer.id,
                )
            )
        return ChangedElsewhere(f"{what}: changed in another tab or on another device since this page showed it; nothing was saved over it", newer=newer, mine=value)

    def _insert_answer(self, conn: sa.Connection, ws: Workshop, participant_id: int, tool_id: str, question_id: str, kind: str, value: str, *, check_lock: bool = True) -> Answer:
        if check_lock:
            checks.stage_open(self.kit, ws.settings, tool_id)
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

    def changes_for(self, slug: str, participant_id: int, *, after_id: int = 0, round: int | None = None) -> list[Answer]:
        """A participant's answer rows written after row ``after_id``, oldest
        first, in ``round`` (default: every round): what an open page polls
        for to show what the same person saved in another tab or on another
        device. Cheap when nothing is new (one index range)."""
        checks.participant_id(participant_id)
        t = t_answers
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            where = [t.c.workshop_id == ws.id, t.c.participant_id == participant_id, t.c.id > int(after_id)]
            if round is not None:
                where.append(t.c.round == round)
            rows = conn.execute(sa.select(t).where(*where).order_by(t.c.id)).mappings().all()
        return [Answer(**{c: r[c] for c in ANSWER_COLUMNS}) for r in rows]

    def current_rows(self, slug: str, participant_id: int, round: int | None = None) -> dict[tuple[str, str, str], Answer]:
        """A participant's current answer rows in a round (default: the
        current one), keyed by ``(kind, tool_id, question_id)``: the values
        with the ids a page sends back as the ``base`` of its next save."""
        t = t_answers
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            latest = (
                sa.select(sa.func.max(t.c.id))
                .where(t.c.workshop_id == ws.id, t.c.participant_id == participant_id, t.c.round == (round or ws.settings.round))
                .group_by(t.c.tool_id, t.c.kind, t.c.question_id)
            )
            rows = conn.execute(sa.select(t).where(t.c.id.in_(latest))).mappings().all()
        return {(r["kind"], r["tool_id"], r["question_id"]): Answer(**{c: r[c] for c in ANSWER_COLUMNS}) for r in rows}

    def superseded(self, slug: str, participant_id: int | None = None) -> list[Superseded]:
        """The saves refused as based on an older answer (oldest first), of
        one participant or all: kept for the record, never current."""
        t = t_superseded
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            query = sa.select(t).where(t.c.workshop_id == ws.id)
            if participant_id is not None:
                query = query.where(t.c.participant_id == participant_id)
            return [_superseded(r) for r in conn.execute(query.order_by(t.c.id)).mappings()]

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

    def anonymous_answer_ids(self, slug: str) -> Any:
        """Ids of the workshop's answer rows given without a name, ascending
        (``int64``). Read after the answers, it covers every row read: a
        row's flag is written in the row's own transaction."""
        t = t_anonymous
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            query = sa.select(t.c.answer_id).where(t.c.workshop_id == ws.id).order_by(t.c.answer_id)
            return _fetch_columns(conn, query, ("answer_id",))["answer_id"]

    def anonymous_questions(self, slug: str, participant_id: int, round: int | None = None) -> set[str]:
        """The questions whose current answer by this participant (in a
        round, default the current one) was given without their name: what
        a reopened workbook ticks again."""
        t = t_answers
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            latest = (
                sa.select(sa.func.max(t.c.id))
                .where(t.c.workshop_id == ws.id, t.c.participant_id == participant_id, t.c.round == (round or ws.settings.round), t.c.kind == "text")
                .group_by(t.c.tool_id, t.c.question_id)
            )
            rows = conn.execute(
                sa.select(t.c.question_id).join(t_anonymous, t_anonymous.c.answer_id == t.c.id).where(t.c.id.in_(latest))
            ).scalars()
            return set(rows)

    def count_answers(self, slug: str | None = None) -> int:
        with self._read() as conn:
            query = sa.select(sa.func.count()).select_from(t_answers)
            if slug is not None:
                query = query.where(t_answers.c.workshop_id == self._workshop_row(conn, slug).id)
            return int(conn.execute(query).scalar_one())

    # ------------------------------------------------------------------
    # Tables (issue #15): a table sees its members' answers and agrees one
    # table answer per question; a table may share one device.

    @staticmethod
    def _table_spelling(conn: sa.Connection, ws: Workshop, typed: str) -> str:
        """The workshop's spelling of a table: the first one a member or a
        table device used for it (:func:`toolkit.store.checks.table_key`),
        else ``typed``."""
        key = checks.table_key(typed)
        p, ts = t_participants, t_table_sessions
        used = conn.execute(
            sa.select(p.c.table_name, sa.func.min(p.c.created)).where(p.c.workshop_id == ws.id).group_by(p.c.table_name)
        ).all() + conn.execute(
            sa.select(ts.c.table_name, sa.func.min(ts.c.created)).where(ts.c.workshop_id == ws.id).group_by(ts.c.table_name)
        ).all()
        same = sorted((first, name) for name, first in used if checks.table_key(name) == key)
        return same[0][1] if same else typed

    def table_members(self, slug: str, table: str) -> list[Participant]:
        """The participants at a table (any spelling of it), oldest first."""
        key = checks.table_key(table)
        return [p for p in self.participants(slug) if checks.table_key(p.table) == key]

    def sign_in_table(self, slug: str, table: str, members: Mapping[str, int], *, device: str | None = None) -> TableSeat:
        """Sign a device in as a whole table (the one laptop a table
        shares): ``members`` says how many of each sector sit at it
        (:func:`toolkit.store.checks.table_members`). The device, if any, is
        bound to the table (no longer to a participant); without one the
        table's members are recorded under a token no browser holds."""
        typed = checks.clean_short(table, field="table")
        counts = checks.table_members(self.kit, members)
        hashed = identity.device_hash(device) if device is not None else secrets.token_hex(32)

        def sign_in(conn: sa.Connection) -> TableSeat:
            ws = self._workshop_row(conn, slug, lock=True)
            name = self._table_spelling(conn, ws, typed)
            now = time.time()
            t = t_table_sessions
            conn.execute(t_sessions.delete().where(t_sessions.c.workshop_id == ws.id, t_sessions.c.device_hash == hashed))
            conn.execute(t.delete().where(t.c.workshop_id == ws.id, t.c.device_hash == hashed))
            conn.execute(t.insert().values(workshop_id=ws.id, table_name=name, members=json.dumps(counts), device_hash=hashed, created=now, last_seen=now))
            return TableSeat(ws.id, name, MappingProxyType(counts))

        return self._in_turn(sign_in)

    def table_for_device(self, slug: str, device: str | None) -> TableSeat | None:
        """The table a device is signed in as (a table's shared device), or
        ``None``."""
        if identity.valid_device(device) is None:
            return None
        hashed = identity.device_hash(device)  # type: ignore[arg-type]
        t = t_table_sessions
        with self._write() as conn:
            ws = self._workshop_row(conn, slug)
            row = conn.execute(sa.select(t).where(t.c.workshop_id == ws.id, t.c.device_hash == hashed)).mappings().first()
            if row is None:
                return None
            conn.execute(t.update().where(t.c.id == row["id"]).values(last_seen=time.time()))
            return _seat(row)

    def table_seats(self, slug: str) -> dict[str, TableSeat]:
        """Each table that signed in a shared device, by name: who it said
        sits at it (its newest sign-in)."""
        t = t_table_sessions
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            rows = conn.execute(sa.select(t).where(t.c.workshop_id == ws.id).order_by(t.c.created, t.c.id)).mappings().all()
        return {r["table_name"]: _seat(r) for r in rows}

    def save_table_answer(
        self, slug: str, table: str, tool_id: str, question_id: str, text: str, *, participant_id: int | None, base: int | None = None
    ) -> TableAnswer:
        """Save a table's shared answer to one guiding question, written by
        ``participant_id`` (a member of the table) or, with ``None``, by the
        table's shared device. Empty text records that it was cleared.

        ``base`` works as in :meth:`save_answer`, for the whole table: when
        another member changed the table answer since the editor's page
        showed row ``base``, nothing is written over it, the edit is kept
        in :meth:`table_superseded` and :class:`ChangedElsewhere` carries
        the newer :class:`~toolkit.store.values.TableAnswer`."""
        question = checks.question(self.kit, checks.tool(self.kit, tool_id), question_id)
        what = f"table answer to {question.id}"
        value = checks.clean_text(text, field=what)
        typed = checks.clean_short(table, field="table")
        if participant_id is not None:
            checks.participant_id(participant_id)
        stale: ChangedElsewhere | None = None
        with self._write() as conn:
            # Held until commit: on PostgreSQL two members saving at once on
            # the same base would otherwise both find it current.
            ws = self._workshop_row(conn, slug, lock=True)
            checks.stage_open(self.kit, ws.settings, tool_id)
            name = self._table_spelling(conn, ws, typed)
            if participant_id is not None:
                author = self._participant_row(conn, participant_id)
                checks.same_workshop(ws, author)
                checks.at_table(author, name)
            row = {"workshop_id": ws.id, "round": ws.settings.round, "table_name": name, "tool_id": tool_id, "question_id": question_id, "participant_id": participant_id}
            if base is not None:
                if isinstance(base, bool) or not isinstance(base, int) or base < 0:
                    raise InvalidAnswer(f"{what}: base must be the id of the table answer last seen (0 for none), got {checks.shown(base)}")
                t = t_table_answers
                current = conn.execute(
                    sa.select(t).where(*(t.c[k] == row[k] for k in ("workshop_id", "table_name", "round", "tool_id", "question_id"))).order_by(t.c.id.desc()).limit(1)
                ).mappings().first()
                if current is not None and current["id"] != base:
                    newer = _table_answer(current)
                    if newer.value == value:
                        return newer  # both wrote the same: nothing to choose between
                    conn.execute(t_table_superseded.insert().values(**row, value=value, created=time.time(), base_id=base, newer_id=newer.id))
                    stale = ChangedElsewhere(f"{what}: changed by another member of the table since this page showed it; nothing was saved over it", newer=newer, mine=value)
            if stale is None:
                values = {**row, "value": value, "created": time.time()}
                result = conn.execute(t_table_answers.insert().values(**values))
                return _table_answer({"id": result.inserted_primary_key[0], **values})
        raise stale

    def table_current(self, slug: str, table: str, round: int | None = None) -> TableChanges:
        """What a table's page shows when it opens: the current text answers
        and ratings of every member of ``table`` and the table's current
        answers, in ``round`` (default: the current one), oldest first."""
        a, p, ta, anon = t_answers, t_participants, t_table_answers, t_anonymous
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            rnd = round or ws.settings.round
            latest = (
                sa.select(sa.func.max(a.c.id))
                .select_from(a.join(p, p.c.id == a.c.participant_id))
                .where(a.c.workshop_id == ws.id, p.c.workshop_id == ws.id, p.c.table_name == table, a.c.round == rnd, a.c.kind.in_(("text", "rating")))
                .group_by(a.c.participant_id, a.c.tool_id, a.c.kind, a.c.question_id)
            )
            answers = conn.execute(
                sa.select(a, anon.c.answer_id.label("unnamed")).select_from(a.outerjoin(anon, anon.c.answer_id == a.c.id)).where(a.c.id.in_(latest)).order_by(a.c.id)
            ).mappings().all()
            newest = sa.select(sa.func.max(ta.c.id)).where(ta.c.workshop_id == ws.id, ta.c.table_name == table, ta.c.round == rnd).group_by(ta.c.tool_id, ta.c.question_id)
            tabled = conn.execute(sa.select(ta).where(ta.c.id.in_(newest)).order_by(ta.c.id)).mappings().all()
        return TableChanges(
            tuple(Answer(**{c: r[c] for c in ANSWER_COLUMNS}) for r in answers),
            tuple(map(_table_answer, tabled)),
            frozenset(r["id"] for r in answers if r["unnamed"] is not None),
        )

    def table_changes(self, slug: str, table: str, *, round: int, after_id: int = 0, after_table_id: int = 0) -> TableChanges:
        """What a table's page polls for, in one statement: the answer rows
        of the table's members (the reader's own among them) after answer
        row ``after_id``, and the table's answer rows after table answer
        row ``after_table_id``, in ``round``, oldest first. Cheap when
        little is new: it reads the ids after ``after_id`` (the primary
        key's range), not the workshop's history. An unknown workshop has
        no rows."""
        a, p, ta, w, anon = t_answers, t_participants, t_table_answers, t_workshops, t_anonymous
        workshop_id = sa.select(w.c.id).where(w.c.slug == slug).scalar_subquery()
        if self.backend == "sqlite":
            # As in _answers_query: "+ 0" keeps SQLite on the id range after
            # after_id instead of walking every row of the workshop in
            # ix_answers_current.
            in_workshop, in_round = (a.c.workshop_id + 0) == workshop_id, (a.c.round + 0) == round
        else:
            in_workshop, in_round = a.c.workshop_id == workshop_id, a.c.round == round
        mates = (
            sa.select(sa.literal(0).label("source"), a.c.id, a.c.workshop_id, a.c.participant_id, a.c.round, a.c.tool_id, a.c.question_id, a.c.kind, a.c.value, a.c.created, sa.literal("").label("table_name"),
                      sa.case((anon.c.answer_id.is_(None), 0), else_=1).label("unnamed"))
            .select_from(a.join(p, p.c.id == a.c.participant_id).outerjoin(anon, anon.c.answer_id == a.c.id))
            .where(a.c.id > int(after_id), in_workshop, in_round, p.c.table_name == table)
        )
        tabled = sa.select(
            sa.literal(1), ta.c.id, ta.c.workshop_id, ta.c.participant_id, ta.c.round, ta.c.tool_id, ta.c.question_id, sa.literal("table"), ta.c.value, ta.c.created, ta.c.table_name, sa.literal(0)
        ).where(ta.c.workshop_id == workshop_id, ta.c.table_name == table, ta.c.round == round, ta.c.id > int(after_table_id))
        with self._read() as conn:
            rows = conn.execute(sa.union_all(mates, tabled)).mappings().all()
        answers = sorted((Answer(**{c: r[c] for c in ANSWER_COLUMNS}) for r in rows if r["source"] == 0), key=lambda x: x.id)
        tables = sorted((_table_answer(r) for r in rows if r["source"] == 1), key=lambda x: x.id)
        unnamed = frozenset(r["id"] for r in rows if r["source"] == 0 and r["unnamed"])
        return TableChanges(tuple(answers), tuple(tables), unnamed)

    def current_table_answers(self, slug: str, round: int | None = None) -> list[TableAnswer]:
        """Every table's current answers in ``round`` (default: the current
        one), cleared ones included, oldest first: what the report-back shows."""
        ta = t_table_answers
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            newest = (
                sa.select(sa.func.max(ta.c.id))
                .where(ta.c.workshop_id == ws.id, ta.c.round == (round or ws.settings.round))
                .group_by(ta.c.table_name, ta.c.tool_id, ta.c.question_id)
            )
            return [_table_answer(r) for r in conn.execute(sa.select(ta).where(ta.c.id.in_(newest)).order_by(ta.c.id)).mappings()]

    def table_answer_rows(self, slug: str) -> list[TableAnswer]:
        """Every table answer row of a workshop (the history), oldest first."""
        ta = t_table_answers
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            return [_table_answer(r) for r in conn.execute(sa.select(ta).where(ta.c.workshop_id == ws.id).order_by(ta.c.id)).mappings()]

    def table_superseded(self, slug: str) -> list[TableSuperseded]:
        """The table answer edits refused as based on an older table answer
        (oldest first): kept for the record, never current."""
        t = t_table_superseded
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            rows = conn.execute(sa.select(t).where(t.c.workshop_id == ws.id).order_by(t.c.id)).mappings().all()
        return [TableSuperseded(**{**_table_answer(r).to_dict(), "base_id": r["base_id"], "newer_id": r["newer_id"]}) for r in rows]

    def table_answers_version(self, slug: str) -> tuple[int, int]:
        """How many table answer rows a workshop has and the newest id: a
        live view re-reads the table answers only when this moves."""
        ta = t_table_answers
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            count, latest = conn.execute(sa.select(sa.func.count(), sa.func.max(ta.c.id)).where(ta.c.workshop_id == ws.id)).one()
        return int(count), int(latest or 0)

    # ------------------------------------------------------------------
    # Actions

    def add_action(self, slug: str, tool_id: str, *, what: str, owner: str, owner_sector: str | None = None, due: Any = None, participant_id: int | None = None, status: str = "open") -> Action:
        """Record an action: what, who owns it (and their sector), by when."""
        checks.tool(self.kit, tool_id)
        what_clean = checks.action_text(what)
        owner_clean = checks.clean_short(owner, field="owner")
        sector_clean = checks.owner_sector(self.kit, owner_sector)
        due_clean = checks.clean_date(due, field="due date")
        checks.action_status(status)
        with self._write() as conn:
            ws = self._workshop_row(conn, slug)
            checks.stage_open(self.kit, ws.settings, tool_id)
            if participant_id is not None:
                checks.same_workshop(ws, self._participant_row(conn, participant_id))
            now = time.time()
            result = conn.execute(
                t_actions.insert().values(
                    workshop_id=ws.id, tool_id=tool_id, what=what_clean, owner=owner_clean, owner_sector=sector_clean,
                    due=due_clean, status=status, participant_id=participant_id, created=now, updated=now,
                )
            )
            return self._action_row(conn, result.inserted_primary_key[0])

    def update_action(self, action_id: int, *, base: float | None = None, **changes: Any) -> Action:
        """Change an action's ``what``, ``owner``, ``owner_sector``, ``due``
        or ``status``. ``base`` is the action's ``updated`` time as the
        caller last saw it: when someone changed it since, nothing is
        written and :class:`ChangedElsewhere` carries the action as it is
        now (``None``: change it whatever it is now)."""
        values: dict[str, Any] = {}
        for key, value in changes.items():
            if key == "what":
                values["what"] = checks.action_text(value)
            elif key == "owner":
                values["owner"] = checks.clean_short(value, field="owner")
            elif key == "owner_sector":
                values["owner_sector"] = checks.owner_sector(self.kit, value)
            elif key == "due":
                values["due"] = checks.clean_date(value, field="due date")
            elif key == "status":
                values["status"] = checks.action_status(value)
            else:
                raise InvalidAnswer(f"action: unknown field {key!r} (expected what, owner, owner_sector, due or status)")
        with self._write() as conn:
            action = self._action_row(conn, action_id)
            ws = self._workshop_row(conn, action.workshop_id, by="id")
            checks.stage_open(self.kit, ws.settings, action.tool_id)
            query = t_actions.update().where(t_actions.c.id == action_id)
            if base is not None:
                # Compared in the UPDATE itself, so two changes at once
                # cannot both pass the check.
                query = query.where(t_actions.c.updated == float(base))
            done = conn.execute(query.values(**values, updated=max(time.time(), action.updated + 1e-6)))
            newer = self._action_row(conn, action_id)
            if done.rowcount:
                return newer
        raise ChangedElsewhere(f"action {action_id}: changed by someone else since you saw it; nothing was saved over it", newer=newer, mine=changes)

    def actions_version(self, slug: str) -> tuple[int, float]:
        """How many actions a workshop has and when the latest changed: a
        page polls this and re-reads the actions only when it moves."""
        t = t_actions
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            count, latest = conn.execute(sa.select(sa.func.count(), sa.func.max(t.c.updated)).where(t.c.workshop_id == ws.id)).one()
        return int(count), float(latest or 0.0)

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

    # ------------------------------------------------------------------
    # Bulk (import, demo, benchmarks)

    def bulk_insert(self, rows: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Insert prepared rows (table name, values) in one transaction,
        unchecked: for benchmarks and tests that build large workshops
        fast. Imports and the demo go through :meth:`import_rows`."""
        tables = {"participants": t_participants, "answers": t_answers, "actions": t_actions, "table_answers": t_table_answers}
        with self._write() as conn:
            batch: dict[str, list[dict[str, Any]]] = {}
            for table, values in rows:
                if table == "participants" and "participant_key" not in values:
                    values = {**values, "participant_key": new_participant_key()}
                batch.setdefault(table, []).append(values)
            for name in ("participants", "answers", "actions", "table_answers"):
                if batch.get(name):
                    conn.execute(tables[name].insert(), batch[name])
            if batch.get("participants"):
                schema.fill_resume_codes(conn)

    def import_rows(self, slug: str, plan: Callable[[Stored], NewRows], *, new: bool = False) -> Workshop:
        """Write a batch (an import, the demo) in one transaction, all or
        nothing, with its checks inside that transaction.

        ``plan`` receives what the store holds for ``slug``
        (:class:`~toolkit.store.values.Stored`, read in this transaction,
        with the workshop's row held) and returns the checked rows
        (:class:`~toolkit.store.values.NewRows`); anything it raises rolls
        back. The workshop is created from ``NewRows.workshop`` when no
        workshop has the slug. ``new=True`` always creates one, under
        ``slug`` or the next free ``slug-2``, ``slug-3`` ...

        When another process adds the same workshop or participant at the
        same moment, the whole batch is planned again against what is
        stored then."""
        for _attempt in range(_ATTEMPTS):
            try:
                with self._write() as conn:
                    stored = self._stored(conn, None if new else slug)
                    rows = plan(stored)
                    ws = stored.workshop
                    if ws is None:
                        info = rows.workshop
                        ws = self._insert_workshop(
                            conn, self._free_slug(conn, slug) if new else slug, info["title"],
                            info.get("created") or time.time(), info.get("settings") or WorkshopSettings(),
                        )
                    self._write_rows(conn, ws, rows)
                    return ws
            except sa.exc.IntegrityError:
                continue
        raise ToolkitError("could not write the rows: the store was busy; try again")  # pragma: no cover

    def _stored(self, conn: sa.Connection, slug: str | None) -> Stored:
        try:
            ws = None if slug is None else self._workshop_row(conn, slug, lock=True)
        except NotFound:
            ws = None
        if ws is None:
            return Stored(workshop=None)
        people = conn.execute(sa.select(t_participants).where(t_participants.c.workshop_id == ws.id).order_by(t_participants.c.id)).mappings().all()
        actions = conn.execute(sa.select(t_actions).where(t_actions.c.workshop_id == ws.id).order_by(t_actions.c.id)).mappings()
        superseded = conn.execute(sa.select(t_superseded).where(t_superseded.c.workshop_id == ws.id).order_by(t_superseded.c.id)).mappings()
        columns = ("participant_id", "round", "tool_id", "question_id", "kind", "value", "created")
        answers = _fetch_columns(conn, _answers_query(conn.dialect.name, ws.id, columns, current=False, round=None, after_id=0), columns)
        tabled = conn.execute(sa.select(t_table_answers).where(t_table_answers.c.workshop_id == ws.id).order_by(t_table_answers.c.id)).mappings()
        tabled_refused = conn.execute(sa.select(t_table_superseded).where(t_table_superseded.c.workshop_id == ws.id).order_by(t_table_superseded.c.id)).mappings()
        return Stored(
            workshop=ws, participants=tuple(map(_participant, people)), answers=answers, actions=tuple(map(_action, actions)),
            keys={r["id"]: r["participant_key"] for r in people}, resume_codes={r["id"]: r["resume_code"] for r in people if r["resume_code"]},
            superseded=tuple(map(_superseded, superseded)),
            table_answers=tuple(map(_table_answer, tabled)),
            table_superseded=tuple(TableSuperseded(**{**_table_answer(r).to_dict(), "base_id": r["base_id"], "newer_id": r["newer_id"]}) for r in tabled_refused),
        )

    def _write_rows(self, conn: sa.Connection, ws: Workshop, rows: NewRows) -> None:
        ids: list[int] = []
        for p in rows.participants:
            if p.get("id") is not None:
                found = self._participant_row(conn, p["id"])
                checks.same_workshop(ws, found)
                if p.get("sector") and found.sector != p["sector"]:
                    conn.execute(t_participants.update().where(t_participants.c.id == found.id).values(sector=p["sector"]))
                ids.append(found.id)
                continue
            key = p.get("key") or new_participant_key()
            if conn.execute(sa.select(t_participants.c.id).where(t_participants.c.workshop_id == ws.id, t_participants.c.participant_key == key)).first():
                key = new_participant_key()
            result = conn.execute(
                t_participants.insert().values(
                    workshop_id=ws.id, name=p.get("name") or None, organization=p["organization"], sector=p["sector"],
                    table_name=self._table_spelling(conn, ws, p["table"]), participant_key=key, resume_code=self._free_code(conn, ws.id, p.get("resume_code")),
                    created=p.get("created") or time.time(),
                )
            )
            ids.append(result.inserted_primary_key[0])

        def link(values: Mapping[str, Any]) -> dict[str, Any]:
            out = {k: v for k, v in values.items() if k != "participant"}
            index = values.get("participant")
            return out | {"workshop_id": ws.id, "participant_id": None if index is None else ids[index]}

        if rows.answers:
            _insert_answers(conn, ws.id, [link(a) for a in rows.answers])
        if rows.actions:
            conn.execute(t_actions.insert(), [link(a) for a in rows.actions])
        if rows.superseded:
            conn.execute(t_superseded.insert(), [{"base_id": 0, "newer_id": 0} | link(a) for a in rows.superseded])

        spelled: dict[str, str] = {}

        def tabled(values: Mapping[str, Any]) -> dict[str, Any]:
            out = link({k: v for k, v in values.items() if k != "table"})
            if values["table"] not in spelled:
                spelled[values["table"]] = self._table_spelling(conn, ws, values["table"])
            return out | {"table_name": spelled[values["table"]]}

        if rows.table_answers:
            conn.execute(t_table_answers.insert(), [tabled(a) for a in rows.table_answers])
        if rows.table_superseded:
            conn.execute(t_table_superseded.insert(), [{"base_id": 0, "newer_id": 0} | tabled(a) for a in rows.table_superseded])


def _insert_answers(conn: sa.Connection, workshop_id: int, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert answer rows in order; a row with ``anonymous: True`` also gets
    its flag (:data:`~toolkit.store.schema.anonymous_answers`). Runs of
    plain rows go in as one statement each; a flagged row alone, for its id."""
    plain: list[dict[str, Any]] = []
    for row in rows:
        values = {k: v for k, v in row.items() if k != "anonymous"}
        if not row.get("anonymous"):
            plain.append(values)
            continue
        if plain:
            conn.execute(t_answers.insert(), plain)
            plain = []
        answer_id = conn.execute(t_answers.insert().values(**values)).inserted_primary_key[0]
        conn.execute(t_anonymous.insert().values(answer_id=answer_id, workshop_id=workshop_id))
    if plain:
        conn.execute(t_answers.insert(), plain)


def identity_key(name: str | None, organization: str, table: str) -> str:
    """A participant's details as one comparable string (the cleaned name,
    organization and table, ignoring case). It identifies no one: it tells
    whether a participant signing in again on the same device typed their
    own details, and matches a paper CSV's rows to the people it names."""
    return "|".join(x.casefold() for x in (name or "", organization, table))


def new_participant_key() -> str:
    """A fresh participant key: random, what an export calls the participant."""
    return secrets.token_hex(16)


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
    try:
        table = np.array(rows, dtype=layout) if rows else np.empty(0, dtype=layout)
    except (OverflowError, ValueError, TypeError):
        # A value written around the store that its column's type cannot
        # hold (a round of 1e30 in SQLite): column by column, such a cell
        # becomes NaN or the smallest int64, which toolkit.frames.rows
        # refuses, so the row is left out of the views, not the whole read.
        return {c: _lenient(values, layout[c]) for c, values in zip(columns, zip(*rows))}
    return {c: table[c] for c in columns}


def _lenient(values: Sequence[Any], dtype: Any) -> Any:
    import numpy as np

    if dtype == object:
        return np.array(values, dtype=object)
    bad = np.nan if dtype.kind == "f" else np.iinfo("int64").min

    def one(value: Any) -> Any:
        try:
            return np.array(value, dtype=dtype).item()
        except (OverflowError, ValueError, TypeError):
            return bad

    return np.array([one(v) for v in values], dtype=dtype)


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


def _superseded(row: Mapping[str, Any]) -> Superseded:
    return Superseded(**{k: row[k] for k in ("id", "workshop_id", "participant_id", "round", "tool_id", "question_id", "kind", "value", "created", "base_id", "newer_id")})


def _table_answer(row: Mapping[str, Any]) -> TableAnswer:
    return TableAnswer(
        id=row["id"], workshop_id=row["workshop_id"], round=row["round"], table=row["table_name"], tool_id=row["tool_id"],
        question_id=row["question_id"], value=row["value"], participant_id=row["participant_id"], created=row["created"],
    )


def _seat(row: Mapping[str, Any]) -> TableSeat:
    return TableSeat(row["workshop_id"], row["table_name"], MappingProxyType(dict(json.loads(row["members"]))))


def _action(row: Mapping[str, Any]) -> Action:
    return Action(**{k: row[k] for k in ("id", "workshop_id", "tool_id", "what", "owner", "owner_sector", "due", "status", "participant_id", "created", "updated")})
