"""Fixtures shared by the whole suite.

- ``kit``: the packaged content (``toolkit.content.load()``).
- ``pg_url``: a real PostgreSQL server for the session (started here, or
  ``$WORKSHOP_TEST_PG_URL``). Missing binaries fail the run: the suite must
  really test PostgreSQL.
- ``store_url``: parametrized over ``sqlite`` and ``postgresql``; a fresh
  SQLite file, or an empty PostgreSQL database no other test is using.
- ``store``: an ``AnswerStore`` on ``store_url``; ``sqlite_store``: SQLite only.
- ``edited_content``: a copy of the packaged content with stage 1 renamed
  and an extra question on tool 1: ``.path``, ``.stage`` (id, title) and
  ``.question`` (id, text).
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import sys
import threading
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


def _load_helper(name: str, file: str):
    # The tests are not a package (importlib mode, no __init__.py), so the
    # helper is loaded from its path under a name that cannot clash.
    spec = importlib.util.spec_from_file_location(name, TESTS / file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


pg = _load_helper("workshop_tests_pg", "pg.py")

@pytest.fixture
def edited_content(tmp_path):
    """A content file as a facilitator edits it: stage 1 renamed (id and
    title: ``.stage``) and a question added to tool 1 (``.question``: id,
    text); the file is ``.path``."""
    from types import SimpleNamespace

    import yaml

    from toolkit import content

    edited = SimpleNamespace(stage=("discovery", "Discovery"), question=("epp-extra", "Which partner could host our very first meeting?"))
    raw = yaml.safe_load(content.DEFAULT_FILE.read_text(encoding="utf-8"))
    raw["stages"][0]["id"], raw["stages"][0]["title"] = edited.stage
    raw["tools"][0]["questions"].append(dict(zip(("id", "text"), edited.question)))
    edited.path = tmp_path / "edited-content" / "toolkit.yaml"
    edited.path.parent.mkdir()
    edited.path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return edited


@pytest.fixture
def kit():
    """The packaged toolkit content."""
    from toolkit import content
    return content.load()


@pytest.fixture(scope="session")
def pg_url():
    """A SQLAlchemy URL (``postgresql+psycopg://...``) of a real PostgreSQL
    database for this session: a server started in a temporary directory
    and stopped at the end, or ``$WORKSHOP_TEST_PG_URL`` when set."""
    env = os.environ.get(pg.URL_ENV)
    if env:
        from toolkit.store.schema import resolve_url

        yield resolve_url(env)
        return
    if pg.find_bin_dir() is None:
        pytest.fail(pg.MISSING, pytrace=False)
    server = pg.LocalServer.start()
    try:
        yield server.url
    finally:
        server.stop()


class _Databases:
    """Empty PostgreSQL databases for tests, named ``test_<pid>_<n>``.

    Each test gets a database nobody else is using, empty as if new. Creating
    one costs about 0.4 s (PostgreSQL copies the template), so a database is
    created only when none is free; after a test it is wiped (connections
    ended, schemas dropped; tens of milliseconds) and handed to the next one.
    All are dropped at the end of the session."""

    def __init__(self, server_url: str):
        self.server_url = server_url
        self.free: list[str] = []
        self.made: list[str] = []
        self._numbers = itertools.count(1)

    def acquire(self) -> tuple[str, str]:
        if self.free:
            name = self.free.pop()
            return name, pg.with_database(self.server_url, name)
        name = f"test_{os.getpid()}_{next(self._numbers)}"
        url = pg.create_database(self.server_url, name)
        self.made.append(name)
        return name, url

    def release(self, name: str, url: str) -> None:
        pg.wipe_database(url)
        self.free.append(name)

    def drop_all(self) -> None:
        for name in self.made:
            pg.drop_database(self.server_url, name)


@pytest.fixture(scope="session")
def _pg_databases(pg_url):
    databases = _Databases(pg_url)
    yield databases
    databases.drop_all()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    """A store URL on each backend, empty and private to this test: a SQLite
    file in ``tmp_path``, or a PostgreSQL database of its own (see
    ``_Databases``)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    databases = request.getfixturevalue("_pg_databases")
    name, url = databases.acquire()
    try:
        yield url
    finally:
        databases.release(name, url)


@pytest.fixture
def store(store_url):
    """An ``AnswerStore`` on ``store_url`` (both backends)."""
    from toolkit.store import AnswerStore

    s = AnswerStore(store_url)
    yield s
    s.close()


@pytest.fixture
def sqlite_store(tmp_path):
    """An ``AnswerStore`` on a SQLite file in ``tmp_path``, for quick tests."""
    from toolkit.store import AnswerStore

    s = AnswerStore(f"sqlite:///{tmp_path / 'quick.sqlite'}")
    yield s
    s.close()


@pytest.fixture
def at_once():
    """``run(calls, catch)``: every call at the same moment, one thread each
    (behind a barrier), as kernels saving together do; returns what each
    returned, or the ``catch`` exception it raised."""

    def run(calls, catch):
        barrier = threading.Barrier(len(calls))
        outcomes: list[object] = [None] * len(calls)

        def one(i: int) -> None:
            barrier.wait()
            try:
                outcomes[i] = calls[i]()
            except catch as exc:
                outcomes[i] = exc

        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(calls))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return outcomes

    return run
