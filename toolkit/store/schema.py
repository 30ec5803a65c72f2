"""The store's tables, its engine settings and its upgrades, in one place.

Times are UTC seconds since the epoch (a float): cheap to write, cheap to
turn into a pandas column over 100,000 rows, and the same on SQLite and
PostgreSQL. Order within a table is the ``id`` column, never the clock.

A store that cannot be opened is a :class:`~toolkit.errors.StoreError`
naming where it is (:func:`location`: a path, or a URL with the password
hidden), the cause and what to do (:func:`store_error`), never a driver's
traceback; the command line and the facilitator's views turn a database
error met later into the same line with :func:`store_error`. A SQLite store in a folder that does not exist is refused
(a typo in ``WORKSHOP_DB`` must not start a new, empty store), except the
default one in this machine's data folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from toolkit.errors import StoreError, ToolkitError

#: Bumped whenever the tables change; ``upgrade`` brings older stores here.
SCHEMA_VERSION = 5
DB_ENV = "WORKSHOP_DB"
#: How long a SQLite connection waits for another one's lock (seconds):
#: commands, imports and the facilitator's views, which have nobody to
#: retry for them.
BUSY_SECONDS = 30
#: The same wait for a participant's page (``AnswerStore(busy_seconds=...)``,
#: see :class:`widgets.session.Session`): its saves run off the page's event
#: loop and a save that meets a busy store is retried, so a short wait
#: frees the page's writer for the next box sooner. On PostgreSQL it is the
#: ``lock_timeout`` of the page's connections. Opening the store (the
#: schema check, :func:`create_or_upgrade`) still waits up to
#: :data:`BUSY_SECONDS`: a page that could not open its store would stay
#: broken, while a save is retried.
PAGE_BUSY_SECONDS = 3
#: How long connecting to PostgreSQL may take, and one statement may run
#: (seconds), so a host that accepts a connection and never answers cannot
#: hang a command or a kernel. The URL's own ``connect_timeout`` and
#: ``statement_timeout`` win: ``postgresql://...?connect_timeout=30``,
#: ``postgresql://...?options=-c%20statement_timeout%3D120s``.
CONNECT_SECONDS = 10
STATEMENT_SECONDS = 30
#: Where a person sets the store, for messages.
SETTING = "WORKSHOP_DB (or --db)"
#: What a store URL looks like, for messages.
URL_FORMS = "a file path, or a URL such as postgresql://user:password@host:5432/database"

metadata = sa.MetaData()

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(256), nullable=False),
)

workshops = sa.Table(
    "workshops",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("slug", sa.String(64), nullable=False, unique=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("created", sa.Float(53), nullable=False),
    sa.Column("settings", sa.Text, nullable=False),  # JSON, see WorkshopSettings
)

participants = sa.Table(
    "participants",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workshop_id", sa.Integer, sa.ForeignKey("workshops.id"), nullable=False),
    sa.Column("name", sa.String(120), nullable=True),
    sa.Column("organization", sa.String(120), nullable=False),
    sa.Column("sector", sa.String(64), nullable=False),
    sa.Column("table_name", sa.String(120), nullable=False),
    # One key per participant, unique in its workshop: what an export calls
    # the participant, so a re-import finds the same person. Random since
    # schema 3 (a name, organization and table no longer identify anyone);
    # rows from older stores keep the lower-cased name|organization|table
    # they were matched by then (the column was called identity_key).
    sa.Column("participant_key", sa.String(400), nullable=False),
    sa.Column("created", sa.Float(53), nullable=False),
    # The participant's own code to continue on another device
    # (toolkit.store.identity), unique in the workshop. Kept as typed
    # because the facilitator looks it up for a participant who lost it.
    sa.Column("resume_code", sa.String(16), nullable=True),
    sa.UniqueConstraint("workshop_id", "participant_key", name="uq_participant_key"),
)

#: A browser (its device token, hashed) signed in as one participant of one
#: workshop: every page that browser opens knows who it is.
participant_sessions = sa.Table(
    "participant_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workshop_id", sa.Integer, sa.ForeignKey("workshops.id"), nullable=False),
    sa.Column("participant_id", sa.Integer, sa.ForeignKey("participants.id"), nullable=False),
    sa.Column("device_hash", sa.String(64), nullable=False),  # sha256 hex of the token
    sa.Column("created", sa.Float(53), nullable=False),
    sa.Column("last_seen", sa.Float(53), nullable=False),
    sa.UniqueConstraint("workshop_id", "device_hash", name="uq_session_device"),
)

def _answer_columns() -> list[sa.Column[Any]]:
    """An answer row's columns (fresh objects: a Column belongs to one table)."""
    return [
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("workshop_id", sa.Integer, sa.ForeignKey("workshops.id"), nullable=False),
        sa.Column("participant_id", sa.Integer, sa.ForeignKey("participants.id"), nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("tool_id", sa.String(64), nullable=False),
        # '' for tool-level kinds (rating, comment, dots).
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("created", sa.Float(53), nullable=False),
    ]


answers = sa.Table("answers", metadata, *_answer_columns())

#: Saves refused because they were based on an answer that had changed
#: meanwhile (another tab or device): the text is kept here, never lost, but
#: outside ``answers``, so nothing that reads current answers or frames
#: from ``answers`` can mistake it for the current one. ``base_id`` is the
#: answer row the participant had seen (0: none), ``newer_id`` the row it
#: lost to.
superseded = sa.Table(
    "superseded",
    metadata,
    *_answer_columns(),
    sa.Column("base_id", sa.BigInteger, nullable=False),
    sa.Column("newer_id", sa.BigInteger, nullable=False),
)

#: Answers a participant gave without their name (a question the content
#: flags as sensitive): every view but the facilitator's JSON backup shows
#: them unattributed (toolkit.frames.views). A side table, so the answers
#: table and its fast reads stay as they are; the row is written in the
#: answer's own transaction.
anonymous_answers = sa.Table(
    "anonymous_answers",
    metadata,
    sa.Column("answer_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), sa.ForeignKey("answers.id"), primary_key=True, autoincrement=False),
    sa.Column("workshop_id", sa.Integer, sa.ForeignKey("workshops.id"), nullable=False),
)


def _table_answer_columns() -> list[sa.Column[Any]]:
    """A table answer row's columns (fresh objects, as for answers)."""
    return [
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("workshop_id", sa.Integer, sa.ForeignKey("workshops.id"), nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        # The table as its members' participant rows spell it (one spelling
        # per workshop: AnswerStore.add_participant keeps the first one typed).
        sa.Column("table_name", sa.String(120), nullable=False),
        sa.Column("tool_id", sa.String(64), nullable=False),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        # Who wrote it: a member of the table, or NULL for the table's own
        # shared device (a table device, issue #15 item 5).
        sa.Column("participant_id", sa.Integer, sa.ForeignKey("participants.id"), nullable=True),
        sa.Column("created", sa.Float(53), nullable=False),
    ]


#: One shared answer per table, round, tool and question, which any member
#: of the table may edit (issue #15). Appended, never overwritten: the
#: current table answer is the newest row.
table_answers = sa.Table("table_answers", metadata, *_table_answer_columns())

#: Table answer edits refused because they were based on a table answer
#: that another member had changed meanwhile: kept, never current, as
#: ``superseded`` keeps participants' own refused saves.
table_superseded = sa.Table(
    "table_superseded",
    metadata,
    *_table_answer_columns(),
    sa.Column("base_id", sa.BigInteger, nullable=False),
    sa.Column("newer_id", sa.BigInteger, nullable=False),
)

#: A browser (its device token, hashed) signed in as a whole table: the
#: laptop a table shares. ``members`` is JSON, sector id -> how many of
#: that sector sit at the table (what the table said when it signed in).
table_sessions = sa.Table(
    "table_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workshop_id", sa.Integer, sa.ForeignKey("workshops.id"), nullable=False),
    sa.Column("table_name", sa.String(120), nullable=False),
    sa.Column("members", sa.Text, nullable=False),
    sa.Column("device_hash", sa.String(64), nullable=False),
    sa.Column("created", sa.Float(53), nullable=False),
    sa.Column("last_seen", sa.Float(53), nullable=False),
    sa.UniqueConstraint("workshop_id", "device_hash", name="uq_table_session_device"),
)

actions = sa.Table(
    "actions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workshop_id", sa.Integer, sa.ForeignKey("workshops.id"), nullable=False),
    sa.Column("tool_id", sa.String(64), nullable=False),
    sa.Column("what", sa.Text, nullable=False),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("owner_sector", sa.String(64), nullable=True),
    sa.Column("due", sa.String(10), nullable=True),  # ISO date
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("participant_id", sa.Integer, sa.ForeignKey("participants.id"), nullable=True),
    sa.Column("created", sa.Float(53), nullable=False),
    sa.Column("updated", sa.Float(53), nullable=False),
)

# The current answer is the newest row per (participant, round, tool, kind,
# question): this index makes that lookup and the dashboard's refresh cheap.
sa.Index("ix_answers_current", answers.c.workshop_id, answers.c.participant_id, answers.c.round, answers.c.tool_id, answers.c.kind, answers.c.question_id, answers.c.id)
sa.Index("ix_participants_workshop", participants.c.workshop_id)
sa.Index("uq_participant_resume_code", participants.c.workshop_id, participants.c.resume_code, unique=True)
sa.Index("ix_superseded_workshop", superseded.c.workshop_id, superseded.c.id)
sa.Index("ix_actions_workshop", actions.c.workshop_id)
sa.Index("ix_anonymous_answers_workshop", anonymous_answers.c.workshop_id, anonymous_answers.c.answer_id)
# A table's current answers, and the rows after the last one a page saw.
sa.Index("ix_table_answers_current", table_answers.c.workshop_id, table_answers.c.table_name, table_answers.c.round, table_answers.c.tool_id, table_answers.c.question_id, table_answers.c.id)
sa.Index("ix_table_superseded_workshop", table_superseded.c.workshop_id, table_superseded.c.id)
# Who sits at a table: a page's poll joins answers to this.
sa.Index("ix_participants_table", participants.c.workshop_id, participants.c.table_name)


def default_sqlite_path() -> Path:
    """Where the store lives when nothing says otherwise: ``workshop.sqlite``
    in this user's data folder for the kit, as ``platformdirs`` names it:
    ``$XDG_DATA_HOME/intersector-workshop/`` (``~/.local/share/...`` by
    default) on Linux, ``~/Library/Application Support/intersector-workshop/``
    on macOS, ``%LOCALAPPDATA%\\intersector-workshop\\`` on Windows."""
    import platformdirs

    return platformdirs.user_data_path("intersector-workshop", appauthor=False) / "workshop.sqlite"


def resolve_url(url: str | os.PathLike[str] | None = None) -> str:
    """A SQLAlchemy URL from an argument, ``$WORKSHOP_DB`` or the default.

    A plain path becomes a SQLite URL; ``postgresql://`` is given the
    psycopg 3 driver, so the URL a hub admin copies from their provider works.
    """
    raw = str(url) if url is not None else os.environ.get(DB_ENV) or str(default_sqlite_path())
    if "://" not in raw:
        path = Path(raw).expanduser().resolve()
        return f"sqlite:///{path}"
    if raw.startswith("postgresql://") or raw.startswith("postgres://"):
        return "postgresql+psycopg://" + raw.split("://", 1)[1]
    return raw


def location(url: str | os.PathLike[str]) -> str:
    """Where a store is, as a person would write it: the file's path for
    SQLite (``/srv/w.sqlite``), ``sqlite:// (in memory)``, else the URL with
    its password hidden and without the driver's name
    (``postgresql://ws:***@db/workshops``, as a person writes it).
    Used in every message about a store; never raises."""
    raw = str(url)
    try:
        parsed = sa.engine.make_url(raw)
    except Exception:  # noqa: BLE001 - not a URL: show it, minus anything like a password
        if "://" not in raw:
            return raw
        raw = re.sub(r"^([\w-]+)\+[\w-]+://", r"\1://", raw)  # postgresql+psycopg:// as postgresql://
        return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", raw)
    if parsed.get_backend_name() != "sqlite":
        # as a person writes it: postgresql://, not postgresql+psycopg://
        return parsed.set(drivername=parsed.get_backend_name()).render_as_string(hide_password=True)
    database = parsed.database or ""
    if database in ("", ":memory:"):
        return "sqlite:// (in memory)"
    if database.startswith("file:"):  # a read-only URI: file:/path?mode=ro
        database = database[len("file:"):].split("?", 1)[0]
    return database


def store_error(exc: BaseException, url: str | os.PathLike[str]) -> ToolkitError:
    """A one-line :class:`~toolkit.errors.StoreError` for a database, driver
    or file error met opening or using the store at ``url``: where it is,
    the cause (the driver's first line) and what to do. A
    :class:`~toolkit.errors.ToolkitError` is returned as it is.

        >>> raise store_error(exc, store.url) from exc"""
    if isinstance(exc, ToolkitError):
        return exc
    where = location(url)
    try:
        parsed: sa.URL | None = sa.engine.make_url(str(url))
    except Exception:  # noqa: BLE001 - the message is still worth giving
        parsed = None
    postgres = parsed is not None and parsed.get_backend_name() == "postgresql"
    orig = getattr(exc, "orig", None) or exc
    cause = _first_line(orig)
    lowered = cause.lower()
    if type(orig).__name__ == "ConnectionTimeout" or "timeout expired" in lowered:
        timeout = parsed.query.get("connect_timeout", CONNECT_SECONDS) if parsed is not None else CONNECT_SECONDS
        return StoreError(f"the store {where} did not answer within {timeout} s; check that PostgreSQL runs on that host and port, and that {SETTING} names them")
    if type(orig).__name__ == "QueryCanceled" or "statement timeout" in lowered:
        return StoreError(f"the store {where} did not finish a query within its statement timeout ({cause}); try again, "
                          "or raise it in the URL: ?options=-c%20statement_timeout%3D120s")
    if "file is not a database" in lowered or "file is encrypted" in lowered:
        return StoreError(f"{where} is not a workshop store (the file is not a SQLite database); set {SETTING} to a store file, or to a new file name to start one")
    if "no such table" in lowered or ("unable to open database file" in lowered and not Path(where).exists()):
        return StoreError(f"cannot open the store {where}: there is no store there yet; create a workshop first (workshop new \"Title\"), or check {SETTING}")
    if "database is locked" in lowered:
        return StoreError(f"the store {where} is busy: another program held its lock for {BUSY_SECONDS} s; try again, and close any program that has it open")
    if "readonly database" in lowered or "permission denied" in lowered:
        return StoreError(f"the store {where} cannot be written by this user ({cause}); check the permissions of the file and its folder")
    if "disk is full" in lowered or "no space left" in lowered:
        return StoreError(f"the store {where} cannot be written: the disk is full; free some space and try again")
    if postgres:
        return StoreError(f"cannot use the store {where} ({cause}); check that PostgreSQL runs there and accepts this user, and that {SETTING} is right")
    if isinstance(orig, OSError) and orig.strerror:
        cause = f"{orig.strerror}: {orig.filename}" if orig.filename else orig.strerror
    return StoreError(f"cannot use the store {where} ({cause}); check {SETTING}")


def _first_line(exc: BaseException) -> str:
    """The first line of an error's message, without SQLAlchemy's framing
    (``(sqlite3.DatabaseError) ...``) or its "Background on this error" link."""
    text = str(exc).strip()
    text = re.sub(r"^\([\w.]+\)\s*", "", text)
    line = text.splitlines()[0].strip() if text else ""
    return line or type(exc).__name__


def make_engine(url: str, *, read_only: bool = False, busy_seconds: float | None = None) -> sa.Engine:
    """An engine with the settings that keep answers safe under concurrency
    and commands from hanging (PostgreSQL connect and statement timeouts).
    ``busy_seconds``: how long a write waits for another one's lock
    (default :data:`BUSY_SECONDS`; a page uses :data:`PAGE_BUSY_SECONDS`).

    Raises :class:`~toolkit.errors.StoreError` for a URL that is not one, a
    driver that is not installed, a SQLite path that is a folder or in a
    folder that does not exist (see :func:`sqlite_folder`)."""
    backend = ""
    try:
        parsed = sa.engine.make_url(url)
        backend = parsed.get_backend_name()
        if backend == "sqlite":
            return _sqlite_engine(parsed, read_only=read_only, busy_seconds=busy_seconds)
        kwargs: dict[str, Any] = {"pool_pre_ping": True, "pool_size": 2, "max_overflow": 4}
        if backend == "postgresql":
            kwargs["connect_args"] = postgresql_connect_args(parsed, read_only=read_only, lock_seconds=busy_seconds)
        return sa.create_engine(parsed, **kwargs)
    except ImportError as exc:  # the driver is an extra: pip install 'intersector-workshop[postgres]'
        if backend == "postgresql":
            raise StoreError(
                f"the store is PostgreSQL and its driver is not installed ({exc.name or exc}); "
                "install the kit's postgres extra: pip install 'intersector-workshop[postgres]' (in a checkout: pip install -e '.[postgres]')"
            ) from None
        raise StoreError(f"the store {location(url)} needs a database driver that is not installed ({exc.name or exc}); set {SETTING} to {URL_FORMS}") from None
    except sa.exc.NoSuchModuleError:
        scheme = url.split(":", 1)[0]
        raise StoreError(f"{location(url)} is not a store the kit can use ({scheme} is not a database it knows); set {SETTING} to {URL_FORMS}") from None
    except (sa.exc.ArgumentError, ValueError):
        raise StoreError(f"{location(url)} is not a valid store URL; set {SETTING} to {URL_FORMS}") from None


def postgresql_connect_args(parsed: sa.URL, *, read_only: bool = False, lock_seconds: float | None = None) -> dict[str, Any]:
    """psycopg's connection arguments: the connect and statement timeouts
    (unless the URL sets its own), a ``lock_timeout`` of ``lock_seconds``
    when given (unless the URL sets one) and, for a read-only store,
    read-only transactions. ``options`` given in the URL are kept."""
    query = {key: value if isinstance(value, str) else " ".join(value) for key, value in parsed.query.items()}
    options = query.get("options", "")
    if "statement_timeout" not in options:
        options += f" -c statement_timeout={STATEMENT_SECONDS * 1000}"
    if lock_seconds is not None and "lock_timeout" not in options:
        options += f" -c lock_timeout={round(lock_seconds * 1000)}"
    if read_only:
        options += " -c default_transaction_read_only=on"
    args: dict[str, Any] = {"options": options.strip()}
    if "connect_timeout" not in query:
        args["connect_timeout"] = CONNECT_SECONDS
    return args


def sqlite_folder(url: str) -> Path | None:
    """The folder a SQLite store's file lives in (``None`` for another
    backend or an in-memory store)."""
    try:
        parsed = sa.engine.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        return None  # make_engine says what is wrong with it
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    return Path(database).parent


def _sqlite_engine(parsed: sa.URL, *, read_only: bool, busy_seconds: float | None) -> sa.Engine:
    database = parsed.database or ""
    memory = database in ("", ":memory:")
    if not memory:
        from toolkit.paths import private_dir, private_file

        path = Path(database)
        if path.is_dir():
            raise StoreError(f"the store {path} is a folder, not a file; set {SETTING} to a file, such as {path / 'workshop.sqlite'}")
        if not path.parent.is_dir():
            if path != default_sqlite_path():
                raise StoreError(
                    f"the folder {path.parent} for the store {path.name} does not exist; create it first "
                    f"(mkdir -p {shlex.quote(str(path.parent))}, or workshop new --create-folder), or check {SETTING}"
                )
            try:  # this machine's data folder, made on first use (owner-only)
                private_dir(path.parent)
            except OSError as exc:
                raise StoreError(f"cannot create the folder for the store {path.parent} ({exc.strerror}); check its permissions, or set {SETTING} to another place") from None
        if not read_only:
            # A new store is owner-only; SQLite gives its -wal and -shm
            # files the database file's mode.
            try:
                private_file(path)
            except OSError:
                pass  # SQLite says what is wrong, as for any store it cannot open
    if read_only and not memory:
        # mode=ro: this connection cannot write even if our code tried to.
        parsed = parsed.set(database=f"file:{Path(database).resolve()}?mode=ro", query={"uri": "true"})
    kwargs: dict[str, Any] = {"connect_args": {"timeout": BUSY_SECONDS, "check_same_thread": False}}
    if memory:
        kwargs["poolclass"] = sa.pool.StaticPool
    engine = sa.create_engine(parsed, **kwargs)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own
        # transaction handling would start deferred transactions).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {round(BUSY_SECONDS * 1000)}")
        cur.execute("PRAGMA foreign_keys = ON")
        if not read_only and not memory:
            set_wal(cur)
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # Writers take the write lock up front, so a busy store waits its turn
        # (busy_timeout) instead of failing a read-then-write upgrade.
        options = conn.get_execution_options()
        mode = "DEFERRED" if read_only or options.get("readonly") else "IMMEDIATE"
        if options.get("busy_seconds") is not None:
            # This use's own wait (the engine's, or the connection's): set on
            # each transaction, as pooled connections serve every use.
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {round(options['busy_seconds'] * 1000)}")
        conn.exec_driver_sql(f"BEGIN {mode}")

    if busy_seconds is not None:
        engine.update_execution_options(busy_seconds=busy_seconds)
    return engine


def set_wal(cursor: Any, *, seconds: float = BUSY_SECONDS, sleep: Any = time.sleep) -> None:
    """Put a SQLite database in WAL mode, waiting up to ``seconds`` for
    other connections. When several kernels open a new store at the same
    moment, SQLite can answer "database is locked" at once, without
    waiting out the busy timeout (it does so where waiting could
    deadlock), so the switch is tried again until the time is up."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            sleep(0.05)


def create_or_upgrade(engine: sa.Engine, renames: Mapping[str, tuple[str, str]] | None = None) -> int:
    """Create the tables in an empty store or upgrade an older one; returns
    the version found before (0 for a new store). Rows are never dropped.

    ``renames`` (old question id -> (new id, its tool id), from the content
    changelog: :meth:`toolkit.content.Toolkit.question_renames`) moves the
    answers of retired question ids, see :func:`rename_questions`.

    A store that cannot be opened (a file that is not a database, a server
    that refuses or never answers) is a :class:`~toolkit.errors.StoreError`."""
    try:
        return _create_or_upgrade(engine, renames)
    except (sa.exc.DBAPIError, OSError) as exc:
        raise store_error(exc, engine.url.render_as_string(hide_password=False)) from exc


def _create_or_upgrade(engine: sa.Engine, renames: Mapping[str, tuple[str, str]] | None) -> int:
    # Opening waits the long wait whatever the engine's own (a page's store
    # is short, see PAGE_BUSY_SECONDS): a store that could not be opened
    # leaves nothing to retry.
    with engine.connect() as conn, conn.execution_options(busy_seconds=BUSY_SECONDS).begin():
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {round(BUSY_SECONDS * 1000)}")
            # Kernels that start together on an empty database would all create
            # the tables at once and all but one fail; take turns instead (SQLite
            # already does: its writers BEGIN IMMEDIATE).
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7432017)")
        inspector = sa.inspect(conn)
        tables = set(inspector.get_table_names())
        if "workshops" not in tables:
            metadata.create_all(conn)
            conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
            if renames:
                _set_meta(conn, RENAMES_KEY, _fingerprint(renames))  # nothing to move in a new store
            return 0
        found = 1
        if "meta" in tables:
            row = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
            found = int(row) if row else 1
        else:
            meta.create(conn)
        if found > SCHEMA_VERSION:
            raise ToolkitError(
                f"this store was written by a newer version of the kit (schema {found}, this one reads up to {SCHEMA_VERSION}); upgrade the kit"
            )
        for version in range(found, SCHEMA_VERSION):
            UPGRADES[version](conn)
        if found < SCHEMA_VERSION:
            _set_meta(conn, "schema_version", str(SCHEMA_VERSION))
        if renames:
            rename_questions(conn, renames)
        return found


# --------------------------------------------------------------------------
# Content upgrade: answers follow renamed question ids

#: The ``meta`` row holding a fingerprint of the renames last applied, so an
#: unchanged changelog costs one read when a store opens, not a table scan.
RENAMES_KEY = "question_renames"


def rename_questions(conn: sa.Connection, renames: Mapping[str, tuple[str, str]]) -> int:
    """Give answers of a question id the content changelog retired the id
    (and tool) that question has now; returns how many rows moved.

    Safe to repeat: the content never uses a retired id again, so a second
    run finds nothing to move (and an unchanged set of renames is skipped).
    History is kept: every row moves, the current answer stays the newest."""
    fingerprint = _fingerprint(renames)
    if conn.execute(sa.select(meta.c.value).where(meta.c.key == RENAMES_KEY)).scalar() == fingerprint:
        return 0
    moved = 0
    for old, (new, tool_id) in sorted(renames.items()):
        result = conn.execute(answers.update().where(answers.c.question_id == old).values(question_id=new, tool_id=tool_id))
        moved += result.rowcount or 0
    _set_meta(conn, RENAMES_KEY, fingerprint)
    return moved


def _fingerprint(renames: Mapping[str, tuple[str, str]]) -> str:
    text = json.dumps(sorted((old, list(new)) for old, new in renames.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _set_meta(conn: sa.Connection, key: str, value: str) -> None:
    conn.execute(meta.delete().where(meta.c.key == key))
    conn.execute(meta.insert().values(key=key, value=value))


def _upgrade_1_to_2(conn: sa.Connection) -> None:
    """Version 1 had no record of who added an action and no index for
    current answers; add both, keeping every row."""
    columns = {c["name"] for c in sa.inspect(conn).get_columns("actions")}
    if "participant_id" not in columns:
        conn.exec_driver_sql("ALTER TABLE actions ADD COLUMN participant_id INTEGER REFERENCES participants(id)")
    indexes = {i["name"] for i in sa.inspect(conn).get_indexes("answers")}
    for index in answers.indexes:
        if index.name not in indexes:
            index.create(conn)


def _upgrade_2_to_3(conn: sa.Connection) -> None:
    """Version 2 matched participants by name, organization and table and
    had no resume codes, device sessions or superseded saves. Keep every
    row: the identity key becomes the participant's key (still unique),
    every participant gets a resume code, and the new tables are added."""
    columns = {c["name"] for c in sa.inspect(conn).get_columns("participants")}
    if "identity_key" in columns and "participant_key" not in columns:
        conn.exec_driver_sql("ALTER TABLE participants RENAME COLUMN identity_key TO participant_key")
    if "resume_code" not in columns:
        conn.exec_driver_sql("ALTER TABLE participants ADD COLUMN resume_code VARCHAR(16)")
    fill_resume_codes(conn)
    indexes = {i["name"] for i in sa.inspect(conn).get_indexes("participants")}
    for index in participants.indexes:
        if index.name not in indexes:
            index.create(conn)
    metadata.create_all(conn, tables=[participant_sessions, superseded])


def fill_resume_codes(conn: sa.Connection, workshop_id: int | None = None) -> int:
    """Give every participant without a resume code one (of ``workshop_id``,
    or of every workshop); returns how many were given."""
    from toolkit.store.identity import new_resume_code

    query = sa.select(participants.c.id, participants.c.workshop_id).where(participants.c.resume_code.is_(None))
    if workshop_id is not None:
        query = query.where(participants.c.workshop_id == workshop_id)
    missing = conn.execute(query.order_by(participants.c.id)).all()
    taken: dict[int, set[str]] = {}
    for pid, wid in missing:
        if wid not in taken:
            taken[wid] = set(conn.execute(sa.select(participants.c.resume_code).where(participants.c.workshop_id == wid, participants.c.resume_code.is_not(None))).scalars())
        code = new_resume_code()
        while code in taken[wid]:
            code = new_resume_code()
        taken[wid].add(code)
        conn.execute(participants.update().where(participants.c.id == pid).values(resume_code=code))
    return len(missing)


def _add_anonymous_answers(conn: sa.Connection) -> None:
    """Answers given without a name (schema 4): a new, empty side table;
    no existing row changes."""
    metadata.create_all(conn, tables=[anonymous_answers])


def _add_tables(conn: sa.Connection) -> None:
    """Version 4 had no tables working together (issue #15): add the
    table answers, their refused edits and table devices, and the index
    that finds a table's members. Every row is kept."""
    metadata.create_all(conn, tables=[table_answers, table_superseded, table_sessions])
    indexes = {i["name"] for i in sa.inspect(conn).get_indexes("participants")}
    for index in participants.indexes:
        if index.name not in indexes:
            index.create(conn)


UPGRADES = {1: _upgrade_1_to_2, 2: _upgrade_2_to_3, 3: _add_anonymous_answers, 4: _add_tables}
