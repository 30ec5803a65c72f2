"""Schema upgrades and store URLs (``toolkit.store.schema``).

A store written by version 1 of the kit is built here from its own DDL (the
tables of ``schema.py`` without ``actions.participant_id`` and without the
indexes, ``meta.schema_version = 1``), filled with raw SQL, then opened with
``AnswerStore``: every row must survive the upgrade, on both backends.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from toolkit.errors import ChangedElsewhere, StoreError, ToolkitError
from toolkit.store import AnswerStore, schema

V1_DDL = """
CREATE TABLE meta (
    key VARCHAR(64) PRIMARY KEY,
    value VARCHAR(256) NOT NULL
);
CREATE TABLE workshops (
    id {pk},
    slug VARCHAR(64) NOT NULL UNIQUE,
    title VARCHAR(200) NOT NULL,
    created DOUBLE PRECISION NOT NULL,
    settings TEXT NOT NULL
);
CREATE TABLE participants (
    id {pk},
    workshop_id INTEGER NOT NULL REFERENCES workshops (id),
    name VARCHAR(120),
    organization VARCHAR(120) NOT NULL,
    sector VARCHAR(64) NOT NULL,
    table_name VARCHAR(120) NOT NULL,
    identity_key VARCHAR(400) NOT NULL,
    created DOUBLE PRECISION NOT NULL,
    CONSTRAINT uq_participant_identity UNIQUE (workshop_id, identity_key)
);
CREATE TABLE answers (
    id {bigpk},
    workshop_id INTEGER NOT NULL REFERENCES workshops (id),
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    round INTEGER NOT NULL,
    tool_id VARCHAR(64) NOT NULL,
    question_id VARCHAR(64) NOT NULL,
    kind VARCHAR(16) NOT NULL,
    value TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL
);
CREATE TABLE actions (
    id {pk},
    workshop_id INTEGER NOT NULL REFERENCES workshops (id),
    tool_id VARCHAR(64) NOT NULL,
    what TEXT NOT NULL,
    owner VARCHAR(200) NOT NULL,
    owner_sector VARCHAR(64),
    due VARCHAR(10),
    status VARCHAR(16) NOT NULL,
    created DOUBLE PRECISION NOT NULL,
    updated DOUBLE PRECISION NOT NULL
)
"""
PK = {
    "sqlite": {"pk": "INTEGER PRIMARY KEY", "bigpk": "INTEGER PRIMARY KEY"},
    "postgresql": {"pk": "SERIAL PRIMARY KEY", "bigpk": "BIGSERIAL PRIMARY KEY"},
}
TOOL = "engage-potential-partners"
QUESTIONS = ["epp-1", "epp-2", "epp-3"]
N_ANSWERS = 60  # 2 participants x 3 questions x 10 edits


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url)


def make_v1_store(url: str, *, with_meta: bool = True) -> dict[str, int]:
    """Create a version-1 store at ``url`` and fill it; returns the ids."""
    engine = _engine(url)
    backend = engine.url.get_backend_name()
    settings = {"anonymous": True, "stages": {"assessment": "locked"}, "ratings_revealed": False, "round": 1, "dots": 5}
    with engine.begin() as conn:
        for statement in V1_DDL.format(**PK[backend]).split(";"):
            if with_meta or "CREATE TABLE meta" not in statement:
                conn.exec_driver_sql(statement)
        if with_meta:
            conn.execute(sa.text("INSERT INTO meta (key, value) VALUES ('schema_version', '1')"))
        conn.execute(
            sa.text("INSERT INTO workshops (slug, title, created, settings) VALUES ('old-workshop', 'Old Workshop', 1700000000.5, :s)"),
            {"s": json.dumps(settings)},
        )
        ws_id = conn.execute(sa.text("SELECT id FROM workshops WHERE slug = 'old-workshop'")).scalar_one()
        people = []
        for name, sector in (("Ana", "government"), ("Ben", "business")):
            conn.execute(
                sa.text(
                    "INSERT INTO participants (workshop_id, name, organization, sector, table_name, identity_key, created) "
                    "VALUES (:w, :n, 'Org', :s, 'T1', :k, 1700000001.0)"
                ),
                {"w": ws_id, "n": name, "s": sector, "k": f"{name.lower()}|org|t1"},
            )
            people.append(conn.execute(sa.text("SELECT id FROM participants WHERE name = :n"), {"n": name}).scalar_one())
        rows = [
            {"w": ws_id, "p": p, "t": TOOL, "q": qid, "v": f"{qid} by {p}, edit {edit}", "c": 1700000100.0 + edit}
            for edit in range(10)
            for p in people
            for qid in QUESTIONS
        ]
        conn.execute(
            sa.text("INSERT INTO answers (workshop_id, participant_id, round, tool_id, question_id, kind, value, created) VALUES (:w, :p, 1, :t, :q, 'text', :v, :c)"),
            rows,
        )
        conn.execute(
            sa.text(
                "INSERT INTO actions (workshop_id, tool_id, what, owner, owner_sector, due, status, created, updated) "
                "VALUES (:w, :t, 'Map the partners', 'Ana', 'government', '2026-03-01', 'open', 1700000200.0, 1700000200.0)"
            ),
            {"w": ws_id, "t": TOOL},
        )
    engine.dispose()
    return {"workshop": ws_id, "ana": people[0], "ben": people[1]}


def _meta_version(url: str) -> str:
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar_one()
    finally:
        engine.dispose()


def _inspect(url: str) -> tuple[set[str], set[str]]:
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            insp = sa.inspect(conn)
            return {c["name"] for c in insp.get_columns("actions")}, {i["name"] for i in insp.get_indexes("answers")}
    finally:
        engine.dispose()


#: What the 2 -> 3 upgrade adds or renames.
V3_TABLES = {"participant_sessions", "superseded"}
#: Tables the 3 -> 4 upgrade adds whole (answers given without a name).
V4_TABLES = {"anonymous_answers"}
#: Tables the 4 -> 5 upgrade adds whole (tables working together, #15).
V5_TABLES = {"table_answers", "table_superseded", "table_sessions"}


def test_the_v1_ddl_here_is_schema_py_minus_the_upgrade(store_url):
    """Guard the fixture: a new store's tables are the v1 tables plus
    exactly what the 1 -> 2, 2 -> 3, 3 -> 4 and 4 -> 5 upgrades add."""
    make_v1_store(store_url)
    v1_columns, v1_indexes = _inspect(store_url)
    assert "participant_id" not in v1_columns and "ix_answers_current" not in v1_indexes
    for table in schema.metadata.sorted_tables:
        if table.name in V3_TABLES | V4_TABLES | V5_TABLES:
            continue
        expected = {c.name for c in table.columns}
        if table.name == "actions":
            expected.discard("participant_id")
        if table.name == "participants":
            expected = expected - {"participant_key", "resume_code"} | {"identity_key"}
        engine = _engine(store_url)
        with engine.connect() as conn:
            assert {c["name"] for c in sa.inspect(conn).get_columns(table.name)} == expected, table.name
            assert not (V3_TABLES | V4_TABLES | V5_TABLES) & set(sa.inspect(conn).get_table_names())
        engine.dispose()


@pytest.mark.parametrize("with_meta", [True, False], ids=["meta-1", "no-meta"])
def test_opening_a_v1_store_upgrades_it_keeping_every_row(store_url, with_meta):
    ids = make_v1_store(store_url, with_meta=with_meta)
    store = AnswerStore(store_url)
    try:
        assert _meta_version(store_url) == str(schema.SCHEMA_VERSION)
        columns, indexes = _inspect(store_url)
        assert "participant_id" in columns
        assert "ix_answers_current" in indexes

        [ws] = store.workshops()
        assert (ws.id, ws.slug, ws.title, ws.created) == (ids["workshop"], "old-workshop", "Old Workshop", 1700000000.5)
        assert ws.settings.anonymous and ws.settings.is_locked("assessment")
        assert [(p.id, p.name, p.sector) for p in store.participants(ws.slug)] == [(ids["ana"], "Ana", "government"), (ids["ben"], "Ben", "business")]

        history = store.answer_rows(ws.slug)
        assert len(history) == N_ANSWERS == store.count_answers()
        assert store.current_for(ws.slug, ids["ana"]) == {("text", TOOL, qid): f"{qid} by {ids['ana']}, edit 9" for qid in QUESTIONS}
        [action] = store.actions(ws.slug)
        assert (action.what, action.owner, action.due, action.participant_id) == ("Map the partners", "Ana", "2026-03-01", None)

        # Writing works, including the new column and every id sequence.
        saved = store.save_answer(ws.slug, ids["ben"], TOOL, "epp-1", "after the upgrade")
        assert saved.id > int(history.id.max())
        new_action = store.add_action(ws.slug, TOOL, what="Call the port", owner="Ben", participant_id=ids["ben"])
        assert new_action.participant_id == ids["ben"] and new_action.id > action.id
        carla = store.add_participant(ws.slug, name="Carla", organization="Org", sector="nonprofit", table="T2")
        assert carla.id > ids["ben"]

        # 2 -> 3: everyone has a resume code of their own; the old identity
        # is the participant's key now, and details no longer find anyone.
        people = store.people(ws.slug)
        codes = [p.resume_code for p in people]
        assert len(codes) == 3 and len(set(codes)) == 3 and all(len(c) == 8 for c in codes)
        assert store.resume(ws.slug, codes[0]).id == ids["ana"]
        ana_again = store.add_participant(ws.slug, name="Ana", organization="Org", sector="government", table="T1")
        assert ana_again.id not in (ids["ana"], ids["ben"], carla.id)
        engine = _engine(store_url)
        with engine.connect() as conn:
            keys = dict(conn.execute(sa.text("SELECT id, participant_key FROM participants")).all())
            assert not conn.execute(sa.text("SELECT count(*) FROM participant_sessions")).scalar_one()
        engine.dispose()
        assert keys[ids["ana"]] == "ana|org|t1" and keys[ana_again.id] != "ana|org|t1"
        device = "d" * 43
        assert store.add_participant(ws.slug, name="Dee", organization="Org", sector="other", table="T3", device=device).id == store.participant_for_device(ws.slug, device).id
        assert store.create_workshop("Newer Workshop").id > ws.id
        assert store.count_answers() == N_ANSWERS + 1
    finally:
        store.close()


def make_old_store(url: str, version: int) -> dict[str, int]:
    """A version-3 or version-4 store (the tables of schema.py without what
    the later upgrades add), with a workshop, three people at two tables and
    answers; at version 4, one of them given without a name."""
    engine = _engine(url)
    later = V5_TABLES | (V4_TABLES if version == 3 else set())
    old = [t for t in schema.metadata.sorted_tables if t.name not in later]
    with engine.begin() as conn:
        schema.metadata.create_all(conn, tables=old)
        conn.exec_driver_sql("DROP INDEX ix_participants_table")
        conn.execute(schema.meta.insert().values(key="schema_version", value=str(version)))
        ws = conn.execute(schema.workshops.insert().values(slug="old", title="Old", created=1700000000.0, settings="{}")).inserted_primary_key[0]
        ids = {}
        for n, (name, table) in enumerate((("Ana", "Table 1"), ("Ben", "Table 1"), ("Cy", "Table 2"))):
            ids[name] = conn.execute(
                schema.participants.insert().values(
                    workshop_id=ws, name=name, organization="Org", sector="government", table_name=table,
                    participant_key=f"key-{n}", created=1700000001.0 + n, resume_code=f"ABCD234{n + 2}",
                )
            ).inserted_primary_key[0]
        answer_ids = [
            conn.execute(
                schema.answers.insert().values(workshop_id=ws, participant_id=ids[name], round=1, tool_id=TOOL, question_id="epp-1", kind="text", value=f"{name}'s", created=1700000100.0)
            ).inserted_primary_key[0]
            for name in ids
        ]
        if version == 4:
            conn.execute(schema.anonymous_answers.insert().values(answer_id=answer_ids[2], workshop_id=ws))
    engine.dispose()
    return {"workshop": ws, **ids}


@pytest.mark.parametrize("version", [3, 4])
def test_opening_a_v3_or_v4_store_adds_table_answers_keeping_every_row(store_url, version):
    ids = make_old_store(store_url, version)
    store = AnswerStore(store_url)
    try:
        assert _meta_version(store_url) == str(schema.SCHEMA_VERSION) == "5"
        engine = _engine(store_url)
        with engine.connect() as conn:
            insp = sa.inspect(conn)
            assert V4_TABLES | V5_TABLES <= set(insp.get_table_names())
            assert "ix_participants_table" in {i["name"] for i in insp.get_indexes("participants")}
            assert "ix_table_answers_current" in {i["name"] for i in insp.get_indexes("table_answers")}
            anonymous = conn.execute(sa.select(sa.func.count()).select_from(schema.anonymous_answers)).scalar_one()
        engine.dispose()
        assert store.count_answers() == 3
        # A version-4 store's answer given without a name stays so.
        assert anonymous == (1 if version == 4 else 0)
        assert store.anonymous_questions("old", ids["Cy"]) == ({"epp-1"} if version == 4 else set())
        # The tables work together on the upgraded store.
        first = store.save_table_answer("old", "Table 1", TOOL, "epp-1", "We agree", participant_id=ids["Ana"], base=0)
        with pytest.raises(ChangedElsewhere):
            store.save_table_answer("old", "Table 1", TOOL, "epp-1", "Ben's version", participant_id=ids["Ben"], base=0)
        now = store.table_current("old", "Table 1")
        assert [r.value for r in now.table_answers] == ["We agree"] and now.table_answers[0].id == first.id
        assert sorted(r.value for r in now.answers) == ["Ana's", "Ben's"]
        assert [s.value for s in store.table_superseded("old")] == ["Ben's version"]
        assert store.add_participant("old", organization="Org", sector="business", table="table  2").table == "Table 2"
    finally:
        store.close()


def test_upgrade_runs_once(store_url):
    make_v1_store(store_url)
    engine = schema.make_engine(store_url)
    try:
        assert schema.create_or_upgrade(engine) == 1
        assert schema.create_or_upgrade(engine) == schema.SCHEMA_VERSION  # already upgraded: nothing to do
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM meta")).scalar_one() == 1
    finally:
        engine.dispose()
    store = AnswerStore(store_url)
    assert store.count_answers() == N_ANSWERS
    store.close()


def test_a_new_store_starts_at_the_current_version(store_url):
    engine = schema.make_engine(store_url)
    try:
        assert schema.create_or_upgrade(engine) == 0
    finally:
        engine.dispose()
    assert _meta_version(store_url) == str(schema.SCHEMA_VERSION) == "5"


def test_a_store_from_a_newer_kit_is_refused(store_url):
    store = AnswerStore(store_url)
    ws = store.create_workshop("Future")
    store.close()
    engine = _engine(store_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE meta SET value = '99' WHERE key = 'schema_version'"))
    engine.dispose()
    with pytest.raises(ToolkitError) as info:
        AnswerStore(store_url)
    message = str(info.value)
    assert "newer version of the kit" in message and "schema 99" in message and f"reads up to {schema.SCHEMA_VERSION}" in message
    assert "upgrade the kit" in message
    assert _meta_version(store_url) == "99"  # left as it was
    engine = _engine(store_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT slug FROM workshops")).scalars().all() == [ws.slug]
    engine.dispose()


# --------------------------------------------------------------------------
# resolve_url


def test_a_plain_path_is_a_sqlite_url(tmp_path):
    path = tmp_path / "stores" / "w.sqlite"
    assert schema.resolve_url(str(path)) == f"sqlite:///{path}"
    assert schema.resolve_url(path) == f"sqlite:///{path}"


def test_a_relative_or_home_path_becomes_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert schema.resolve_url("w.sqlite") == f"sqlite:///{tmp_path.resolve() / 'w.sqlite'}"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert schema.resolve_url("~/w.sqlite") == f"sqlite:///{tmp_path.resolve() / 'w.sqlite'}"


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgresql://ws:secret@db.example.org:5432/workshop", "postgresql+psycopg://ws:secret@db.example.org:5432/workshop"),
        ("postgres://ws@db/workshop", "postgresql+psycopg://ws@db/workshop"),
        ("postgresql+psycopg://ws@db/workshop", "postgresql+psycopg://ws@db/workshop"),
        ("sqlite://", "sqlite://"),
        ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
    ],
)
def test_urls(given, expected):
    assert schema.resolve_url(given) == expected


def test_workshop_db_is_honoured(monkeypatch, tmp_path):
    monkeypatch.setenv(schema.DB_ENV, "postgresql://ws@db/workshop")
    assert schema.resolve_url(None) == "postgresql+psycopg://ws@db/workshop"
    monkeypatch.setenv(schema.DB_ENV, str(tmp_path / "env.sqlite"))
    assert schema.resolve_url() == f"sqlite:///{tmp_path / 'env.sqlite'}"
    # An explicit argument wins over the environment.
    assert schema.resolve_url("sqlite://") == "sqlite://"


def test_the_default_is_a_file_under_xdg_data_home(monkeypatch, tmp_path):
    monkeypatch.delenv(schema.DB_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    expected = tmp_path / "intersector-workshop" / "workshop.sqlite"
    assert schema.default_sqlite_path() == expected
    assert schema.resolve_url() == f"sqlite:///{expected}"


def test_answer_store_uses_workshop_db(monkeypatch, tmp_path):
    monkeypatch.setenv(schema.DB_ENV, str(tmp_path / "from-env.sqlite"))
    store = AnswerStore()
    try:
        store.create_workshop("Env")
        assert store.url == f"sqlite:///{tmp_path / 'from-env.sqlite'}"
        assert Path(tmp_path / "from-env.sqlite").exists()
    finally:
        store.close()


def test_a_v1_store_opened_read_only_says_to_upgrade_it(store_url):
    # The dashboard opens the store read-only and cannot upgrade it; it must
    # say so instead of failing later on the missing column.
    make_v1_store(store_url)
    with pytest.raises(ToolkitError, match=f"has schema 1 and this kit needs {schema.SCHEMA_VERSION}; open it once read-write"):
        AnswerStore(store_url, read_only=True)
    assert _meta_version(store_url) == "1"
    AnswerStore(store_url).close()  # a writer upgrades it
    ro = AnswerStore(store_url, read_only=True)
    try:
        assert ro.actions("old-workshop")[0].participant_id is None
    finally:
        ro.close()


def test_a_newer_store_opened_read_only_is_refused(store_url):
    AnswerStore(store_url).close()
    engine = _engine(store_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE meta SET value = '99' WHERE key = 'schema_version'"))
    engine.dispose()
    with pytest.raises(ToolkitError, match="newer version of the kit \\(schema 99"):
        AnswerStore(store_url, read_only=True)


class _LockedCursor:
    """A cursor whose WAL switch finds the database locked ``times`` times."""

    def __init__(self, times: int, message: str = "database is locked"):
        self.times, self.message, self.executed = times, message, []

    def execute(self, sql):
        self.executed.append(sql)
        if self.times:
            self.times -= 1
            raise sqlite3.OperationalError(self.message)


def test_wal_switch_is_tried_again_while_another_kernel_holds_the_lock():
    cursor, naps = _LockedCursor(3), []
    schema.set_wal(cursor, sleep=naps.append)
    assert cursor.executed == ["PRAGMA journal_mode = WAL"] * 4 and len(naps) == 3


def test_wal_switch_gives_up_after_its_time_and_on_other_errors():
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        schema.set_wal(_LockedCursor(10**6), seconds=0.05, sleep=lambda _s: None)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        schema.set_wal(_LockedCursor(1, "disk I/O error"), sleep=lambda _s: None)


def test_a_new_sqlite_store_is_in_wal_mode(tmp_path):
    engine = schema.make_engine(f"sqlite:///{tmp_path / 'w.sqlite'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


# --------------------------------------------------------------------------
# Where a store is, and what went wrong with it (one line each)


@pytest.mark.parametrize(
    "url, shown",
    [
        ("sqlite:////srv/w.sqlite", "/srv/w.sqlite"),
        ("sqlite:///file:/srv/w.sqlite?mode=ro&uri=true", "/srv/w.sqlite"),
        ("sqlite://", "sqlite:// (in memory)"),
        ("postgresql+psycopg://ws:secret@db.example.org:5432/workshops", "postgresql://ws:***@db.example.org:5432/workshops"),
        ("postgresql://ws@db/workshops?connect_timeout=3", "postgresql://ws@db/workshops?connect_timeout=3"),
        # Not a URL SQLAlchemy can read: the password is still hidden.
        ("postgresql+psycopg://ws:secret@db:port/workshops", "postgresql://ws:***@db:port/workshops"),
    ],
)
def test_location_is_a_path_or_a_url_without_its_password(url, shown):
    assert schema.location(url) == shown


def test_a_store_names_its_location(tmp_path):
    store = AnswerStore(f"sqlite:///{tmp_path / 'w.sqlite'}", read_only=False)
    store.close()
    ro = AnswerStore(f"sqlite:///{tmp_path / 'w.sqlite'}", read_only=True)
    try:
        assert (store.location, ro.location) == (str(tmp_path / "w.sqlite"),) * 2
    finally:
        ro.close()


def test_postgresql_timeouts_by_default_and_from_the_url():
    args = schema.postgresql_connect_args(sa.engine.make_url("postgresql+psycopg://ws@db/w"))
    assert args == {"connect_timeout": schema.CONNECT_SECONDS, "options": f"-c statement_timeout={schema.STATEMENT_SECONDS * 1000}"}
    args = schema.postgresql_connect_args(sa.engine.make_url("postgresql+psycopg://ws@db/w?connect_timeout=3&options=-c%20search_path%3Dkit"), read_only=True)
    assert args == {"options": f"-c search_path=kit -c statement_timeout={schema.STATEMENT_SECONDS * 1000} -c default_transaction_read_only=on"}
    args = schema.postgresql_connect_args(sa.engine.make_url("postgresql+psycopg://ws@db/w?options=-c%20statement_timeout%3D2s"))
    assert args == {"connect_timeout": schema.CONNECT_SECONDS, "options": "-c statement_timeout=2s"}


@pytest.mark.postgres
def test_a_postgresql_store_has_a_statement_timeout(pg_url):
    def setting(url: str, name: str, read_only: bool = False) -> str:
        engine = schema.make_engine(url, read_only=read_only)
        try:
            with engine.connect() as conn:
                return conn.exec_driver_sql(f"SHOW {name}").scalar()
        finally:
            engine.dispose()

    assert setting(pg_url, "statement_timeout") == f"{schema.STATEMENT_SECONDS}s"
    assert setting(pg_url, "default_transaction_read_only") == "off"
    assert (setting(pg_url, "statement_timeout", True), setting(pg_url, "default_transaction_read_only", True)) == (f"{schema.STATEMENT_SECONDS}s", "on")
    joiner = "&" if "?" in pg_url else "?"
    short = f"{pg_url}{joiner}options=-c%20statement_timeout%3D300ms"
    assert setting(short, "statement_timeout") == "300ms"
    # A query past it is cut off, and said in one line naming the store.
    engine = schema.make_engine(short)
    try:
        with pytest.raises(sa.exc.OperationalError) as err, engine.connect() as conn:
            conn.exec_driver_sql("SELECT pg_sleep(5)")
    finally:
        engine.dispose()
    line = str(schema.store_error(err.value, short))
    assert line.startswith(f"the store {schema.location(short)} did not finish a query within its statement timeout (canceling statement due to statement timeout)")
    assert "\n" not in line


def test_a_store_in_a_missing_folder_is_refused_and_not_created(tmp_path):
    for read_only in (False, True):
        with pytest.raises(StoreError, match="^the folder .* for the store w.sqlite does not exist; create it first"):
            AnswerStore(f"sqlite:///{tmp_path / 'typo' / 'w.sqlite'}", read_only=read_only)
    assert list(tmp_path.iterdir()) == []


def test_the_default_store_folder_is_made(monkeypatch, tmp_path):
    monkeypatch.delenv(schema.DB_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    AnswerStore().close()
    assert (tmp_path / "data" / "intersector-workshop" / "workshop.sqlite").is_file()


def test_a_store_held_by_another_program_is_busy_in_one_line(monkeypatch, tmp_path):
    db = tmp_path / "w.sqlite"
    AnswerStore(str(db)).close()
    holder = sqlite3.connect(db, timeout=0, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program's write, never finished
    monkeypatch.setattr(schema, "BUSY_SECONDS", 0)
    try:
        with pytest.raises(StoreError) as err:
            AnswerStore(str(db))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert str(err.value) == f"the store {db} is busy: another program held its lock for 0 s; try again, and close any program that has it open"


@pytest.mark.parametrize(
    "write, expected",
    [
        (lambda p: p.write_text("hello\n"), "{p} is not a workshop store (the file is not a SQLite database); set WORKSHOP_DB (or --db) to a store file, or to a new file name to start one"),
        (lambda p: p.mkdir(), "the store {p} is a folder, not a file; set WORKSHOP_DB (or --db) to a file, such as {p}/workshop.sqlite"),
    ],
    ids=["text", "folder"],
)
def test_a_store_that_is_not_one_is_refused_in_one_line(tmp_path, write, expected):
    path = tmp_path / "w.sqlite"
    write(path)
    for read_only in (False, True):
        with pytest.raises(StoreError) as err:
            AnswerStore(str(path), read_only=read_only)
        assert str(err.value) == expected.format(p=path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.sqlite"]  # no -wal or -journal beside it


def test_a_page_store_waits_briefly_for_a_lock_and_commands_wait_long(store_url):
    """``busy_seconds`` is one use's wait for another writer's lock: SQLite's
    busy timeout in every transaction, PostgreSQL's lock_timeout; a store
    opened without it waits :data:`schema.BUSY_SECONDS`."""
    page = AnswerStore(store_url, busy_seconds=0.5)
    command = AnswerStore(store_url)
    try:
        for store, seconds in ((page, 0.5), (command, schema.BUSY_SECONDS), (page, 0.5)):  # pooled connections too
            with store.engine.begin() as conn:
                if store.backend == "sqlite":
                    assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == round(seconds * 1000)
                elif store is page:
                    assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "500ms"
                else:
                    assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "0"  # PostgreSQL's default: no limit
    finally:
        page.close()
        command.close()
