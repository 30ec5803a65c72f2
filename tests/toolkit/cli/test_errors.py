"""Failures at the command line are one line and exit code 2, never a
traceback (see :mod:`toolkit.cli.main`): the real ``workshop`` command run
as a subprocess against each kind of bad store, broken content, a closed
pipe, and a bug.

Every run gets its own HOME and XDG_DATA_HOME under ``tmp_path``, and the
whole of ``tmp_path`` is compared before and after: a refused store leaves
nothing behind.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from toolkit import cli, content

CONSOLE_SCRIPT = Path(sys.executable).with_name("workshop")
#: Far above the connect timeout (10 s): the test asserts the command
#: ended, not how fast.
GENEROUS_SECONDS = 60


@pytest.fixture
def room(tmp_path):
    """A working folder, a private home and data folder, and a way to run
    ``workshop`` there: ``room.run(*argv, db=...)``."""
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()

    class Room:
        root = tmp_path
        folder = work

        @staticmethod
        def run(*argv: str, db: str | None = None, timeout: float = GENEROUS_SECONDS, stdout: int = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
            assert CONSOLE_SCRIPT.exists(), f"{CONSOLE_SCRIPT} is missing; run: bash scripts/setup.sh"
            env = {k: v for k, v in os.environ.items() if k not in (content.CONTENT_ENV, "WORKSHOP_DB")}
            env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"))
            if db is not None:
                env["WORKSHOP_DB"] = db
            return subprocess.run([str(CONSOLE_SCRIPT), *argv], stdout=stdout, stderr=subprocess.PIPE, text=True, cwd=work, env=env, timeout=timeout)

    return Room()


def _tree(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` with a digest of its bytes."""
    return {
        str(p.relative_to(root)): "folder" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
    }


def _one_line(result: subprocess.CompletedProcess[str], verb: str) -> str:
    """The single line a failed verb wrote on stderr, without its prefix."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"workshop {verb}: "), lines[0]
    assert "Traceback" not in result.stderr and "sqlalche.me" not in result.stderr
    return lines[0][len(f"workshop {verb}: "):]


@pytest.fixture
def refused_port():
    """A local port where nothing listens (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def silent_server():
    """A port that accepts TCP connections and never says a word, as a
    firewall or a hung server does: a client without a timeout waits for ever."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append(conn)  # kept open, never answered

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=5)
    for conn in held:
        conn.close()
    server.close()
    assert held, "the command never connected to the silent server"


# --------------------------------------------------------------------------
# A bad WORKSHOP_DB: one line naming it, exit 2, nothing created


def _bad_store(kind: str, room, refused_port: int) -> tuple[str, str]:
    """(WORKSHOP_DB, a piece of the line that says what is wrong)."""
    folder = room.folder
    if kind == "text file":
        (folder / "notes.txt").write_text("Agenda: coffee at ten\n", encoding="utf-8")
        return str(folder / "notes.txt"), f"{folder / 'notes.txt'} is not a workshop store (the file is not a SQLite database)"
    if kind == "random bytes":
        (folder / "noise.sqlite").write_bytes(bytes(range(256)) * 64)
        return str(folder / "noise.sqlite"), f"{folder / 'noise.sqlite'} is not a workshop store"
    if kind == "a folder":
        (folder / "stores").mkdir()
        return str(folder / "stores"), f"the store {folder / 'stores'} is a folder, not a file; set WORKSHOP_DB (or --db) to a file, such as {folder / 'stores' / 'workshop.sqlite'}"
    if kind == "a missing folder":
        return str(folder / "typo" / "w.sqlite"), f"the folder {folder / 'typo'} for the store w.sqlite does not exist; create it first (mkdir -p {folder / 'typo'}"
    if kind == "an unknown database":
        return "mongodb://ws:secret@db.example.org/w", "mongodb://ws:***@db.example.org/w is not a store the kit can use (mongodb is not a database it knows)"
    if kind == "a port that is not a number":
        return "postgresql://ws:secret@db.example.org:fivefourthreetwo/w", "postgresql://ws:***@db.example.org:fivefourthreetwo/w is not a valid store URL"
    if kind == "a refused PostgreSQL":
        return (
            f"postgresql://ws:secret@127.0.0.1:{refused_port}/w",
            f"cannot use the store postgresql://ws:***@127.0.0.1:{refused_port}/w (connection failed: connection to server at \"127.0.0.1\", port {refused_port} failed: Connection refused); check that PostgreSQL runs there",
        )
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind", ["text file", "random bytes", "a folder", "a missing folder", "an unknown database", "a port that is not a number", "a refused PostgreSQL"]
)
@pytest.mark.parametrize("verb", [["list"], ["new", "Riverside"]])
def test_a_bad_store_is_one_line_exit_2_and_nothing_created(room, refused_port, kind, verb):
    db, expected = _bad_store(kind, room, refused_port)
    before = _tree(room.root)
    result = room.run(*verb, db=db)
    line = _one_line(result, verb[0])
    assert result.returncode == 2 and result.stdout == ""
    assert expected in line
    assert "secret" not in line and "<AnswerStore" not in line
    assert _tree(room.root) == before


def test_a_postgresql_that_never_answers_fails_within_the_connect_timeout(room, silent_server):
    from toolkit.store.schema import CONNECT_SECONDS

    db = f"postgresql://ws:secret@127.0.0.1:{silent_server}/w"
    before = _tree(room.root)
    result = room.run("list", db=db)  # subprocess.run raises TimeoutExpired if it hangs
    line = _one_line(result, "list")
    assert result.returncode == 2 and result.stdout == ""
    assert line == (
        f"the store postgresql://ws:***@127.0.0.1:{silent_server}/w did not answer within {CONNECT_SECONDS} s; "
        "check that PostgreSQL runs on that host and port, and that WORKSHOP_DB (or --db) names them"
    )
    assert _tree(room.root) == before


def test_the_url_can_set_its_own_connect_timeout(room, silent_server):
    result = room.run("list", db=f"postgresql://ws@127.0.0.1:{silent_server}/w?connect_timeout=2")
    assert result.returncode == 2
    assert _one_line(result, "list").startswith(f"the store postgresql://ws@127.0.0.1:{silent_server}/w?connect_timeout=2 did not answer within 2 s")


def test_a_missing_folder_is_made_only_when_asked(room):
    db = room.folder / "new" / "place" / "w.sqlite"
    refused = room.run("demo", "--db", str(db))
    assert refused.returncode == 2 and "--create-folder" in _one_line(refused, "demo")
    assert not (room.folder / "new").exists()

    made = room.run("new", "Riverside", "--db", str(db), "--create-folder")
    assert (made.returncode, made.stdout, made.stderr) == (0, "riverside\n", "")
    assert db.is_file()
    listed = room.run("list", db=str(db))
    assert listed.returncode == 0 and listed.stdout.splitlines()[1].startswith("riverside ")


def test_the_default_store_folder_is_still_made_on_first_use(room):
    """With no WORKSHOP_DB the store is this machine's data folder, made on first use."""
    result = room.run("new", "Riverside")
    assert (result.returncode, result.stdout, result.stderr) == (0, "riverside\n", "")
    assert (room.root / "home" / "data" / "intersector-workshop" / "workshop.sqlite").is_file()


def test_an_empty_store_is_named_by_its_path(room):
    db = room.folder / "w.sqlite"
    result = room.run("list", db=str(db))
    assert result.returncode == 0
    assert result.stdout == f'No workshops in {db} yet. Create one with: workshop new "Title"  (or: workshop demo)\n'


# --------------------------------------------------------------------------
# Broken content: a ContentError line (validate's answer is 1, other verbs fail with 2)


def _broken_content(kind: str, folder: Path) -> tuple[Path, str]:
    path = folder / f"{kind.replace(' ', '-')}.yaml"
    if kind == "a list as a key":
        path.write_text("schema_version: 2\n[stages, tools]: []\n", encoding="utf-8")
        return path, f"{path}: line 2: a list is used as a key; a key is a plain word such as id or title"
    if kind == "tab indented":
        path.write_text("schema_version: 2\nstages:\n\t- id: diagnosis\n", encoding="utf-8")
        return path, f"{path}: line 3, column 1: not valid YAML: "
    if kind == "binary":
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
        return path, f"{path}: the file is not UTF-8 text (byte 0)"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["a list as a key", "tab indented", "binary"])
def test_broken_content_is_one_line(room, kind):
    path, expected = _broken_content(kind, room.folder)
    validated = room.run("validate", str(path))
    assert validated.returncode == 1 and validated.stdout == ""  # validate's documented "no"
    assert _one_line(validated, "validate").startswith(expected)
    used = room.run("--content", str(path), "tools")
    assert used.returncode == 2 and used.stdout == ""
    assert _one_line(used, "tools").startswith(expected)


def test_a_tab_is_named_as_a_tab(room):
    path, _ = _broken_content("tab indented", room.folder)
    assert "tab" in _one_line(room.run("validate", str(path)), "validate").split("not valid YAML: ", 1)[1]


# --------------------------------------------------------------------------
# A closed pipe, a bug, Ctrl-C


@pytest.mark.parametrize("verb", [["tools"], ["show", "9"], ["list"]])
def test_a_reader_that_goes_away_is_quiet(room, verb):
    """``workshop tools | head -1``: the reader closed its end before the
    command wrote; no BrokenPipe traceback, the shell's usual 141."""
    env_db = str(room.folder / "w.sqlite")
    room.run("demo", db=env_db)
    read, write = os.pipe()
    os.close(read)  # nobody will ever read what the command writes
    try:
        result = room.run(*verb, db=env_db, stdout=write)
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (141, "")


def test_an_unexpected_error_is_one_line_that_says_how_to_report_it(capsys, monkeypatch):
    from toolkit.cli import content_verbs

    def broken(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(content_verbs, "cmd_tools", broken)
    assert cli.main(["tools"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "workshop tools: unexpected error (ZeroDivisionError: division by zero); this is a bug in the kit: "
        "run again as workshop --traceback tools ... and report what it prints\n"
    )
    with pytest.raises(ZeroDivisionError):
        cli.main(["--traceback", "tools"])


def test_a_database_error_while_the_store_is_used_names_the_store(capsys, monkeypatch, tmp_path):
    """An error after the store opened (a server gone, a table changed under
    the kit's feet) is still one line naming the store, not SQLAlchemy's
    text with its SQL."""
    from toolkit.store import AnswerStore

    db = tmp_path / "w.sqlite"
    assert cli.main(["new", "Riverside", "--db", str(db)]) == 0
    capsys.readouterr()
    monkeypatch.setattr(AnswerStore, "workshops", lambda self: self.engine.connect().exec_driver_sql("SELECT nonsense FROM workshops").all())
    assert cli.main(["list", "--db", str(db)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"workshop list: cannot use the store {db} (no such column: nonsense); check WORKSHOP_DB (or --db)\n"
