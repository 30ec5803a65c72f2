"""A throwaway PostgreSQL server for the test session, and the few admin
verbs the fixtures need (create and drop a database).

The suite must really test PostgreSQL, so a missing server is a failure,
not a skip: ``bash scripts/setup.sh --test`` installs Debian's postgresql.

    server = LocalServer.start()
    create_database(server.url, "test_1")
    ...
    server.stop()

Loaded by ``tests/conftest.py`` from its path (the tests are not a package).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: Point the suite at an existing server instead of starting one.
URL_ENV = "WORKSHOP_TEST_PG_URL"
DEFAULT_DB = "workshop_test"
MISSING = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin. "
    "The test suite runs the store against a real PostgreSQL server; install it with: "
    "bash scripts/setup.sh --test   (or set WORKSHOP_TEST_PG_URL to an existing server)"
)


def find_bin_dir() -> Path | None:
    """Debian's newest PostgreSQL bin directory, or ``None``.

    ``/usr/local/bin/pg_ctl`` and friends are deliberately not used: the
    suite pins the distribution's server that setup.sh installs."""
    found = []
    for initdb in Path("/usr/lib/postgresql").glob("*/bin/initdb"):
        bin_dir = initdb.parent
        if (bin_dir / "pg_ctl").exists() and (bin_dir / "postgres").exists():
            version = re.findall(r"\d+", bin_dir.parent.name)
            found.append((int(version[0]) if version else 0, bin_dir))
    return max(found)[1] if found else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    """initdb refuses to run as root: run the server tools as ``postgres``."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@dataclass
class LocalServer:
    """A PostgreSQL cluster in a temporary directory, on 127.0.0.1."""

    bin_dir: Path
    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{DEFAULT_DB}"

    @classmethod
    def start(cls, bin_dir: Path | None = None) -> LocalServer:
        """initdb, start on a free port with trust auth and fsync off, and
        create the ``workshop_test`` database. Raises ``RuntimeError`` with
        the server log when it does not come up."""
        bin_dir = bin_dir or find_bin_dir()
        if bin_dir is None:
            raise FileNotFoundError(MISSING)
        root = Path(tempfile.mkdtemp(prefix="workshop-pg-"))
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        run = _as_server_user
        initdb = run([str(bin_dir / "initdb"), "-D", str(root / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"])
        result = subprocess.run(initdb, capture_output=True, text=True, cwd=root)
        if result.returncode != 0:
            shutil.rmtree(root, ignore_errors=True)
            raise RuntimeError(f"initdb failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        last_error = ""
        for _attempt in range(3):  # the free port can be taken between probe and start
            server = cls(bin_dir=bin_dir, root=root, port=free_port())
            options = (
                f"-p {server.port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            )
            cmd = run([str(bin_dir / "pg_ctl"), "-D", str(server.data), "-l", str(server.log), "-o", options, "-w", "-t", "60", "start"])
            result = subprocess.run(cmd, capture_output=True, text=True, cwd=root)
            if result.returncode == 0:
                create_database(server.admin_url(), DEFAULT_DB)
                return server
            last_error = f"{result.stdout}\n{result.stderr}\n{server.log.read_text() if server.log.exists() else ''}"
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"pg_ctl start failed three times:\n{last_error}")

    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        """Stop the server at once and remove its files."""
        cmd = _as_server_user([str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        subprocess.run(cmd, capture_output=True, text=True, cwd=self.root)
        shutil.rmtree(self.root, ignore_errors=True)


# --------------------------------------------------------------------------
# Admin verbs on any server (local or WORKSHOP_TEST_PG_URL)


def libpq_dsn(url: str) -> str:
    """A SQLAlchemy URL as psycopg's own connection string."""
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.set(database=name).render_as_string(hide_password=False)


@contextlib.contextmanager
def _admin(url: str):
    import psycopg

    with psycopg.connect(libpq_dsn(url), autocommit=True, connect_timeout=10) as conn:
        yield conn


def create_database(url: str, name: str) -> str:
    """Create database ``name`` on the server of ``url`` (connecting to
    ``url``'s own database); returns the URL of the new database."""
    from psycopg import sql

    with _admin(url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return with_database(url, name)


def wipe_database(url: str) -> None:
    """Empty the database of ``url`` as if it were new: end the connections
    still open to it and drop every schema a test made, then recreate
    ``public``. Much cheaper than CREATE DATABASE (which copies the template)."""
    with _admin(url) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        schemas = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'"
        ).fetchall()
        from psycopg import sql

        for (schema,) in schemas:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
        conn.execute("CREATE SCHEMA public")


def drop_database(url: str, name: str) -> None:
    """Drop database ``name``, ending any connection still open to it."""
    from psycopg import sql

    with _admin(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

