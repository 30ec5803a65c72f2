"""What a facilitator's terminal shows when ``workshop serve`` starts and
stops, with the real command (toolkit/serve/app.py): the links only once
the server answers them, a "Ready" line once the pools are warm, no
"is not trusted" warnings, and Ctrl-C at any moment (during the warm-up
too) stopping with exit status 0, no traceback and no kernel left behind."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from toolkit.store import AnswerStore

pytestmark = pytest.mark.slow

#: Longest wait for a line the server is expected to print (a loaded
#: 2-core machine starts kernels slowly).
LINE_WAIT = 240


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Serving:
    """A ``workshop serve`` in its own process group (as a terminal runs
    it), its output (stdout and stderr together, as the terminal shows it)
    read line by line as it comes."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        db = tmp_path / "store" / "w.sqlite"
        db.parent.mkdir(exist_ok=True)
        store = AnswerStore(str(db))
        self.slug = store.create_workshop("Riverside Partners").slug
        store.close()
        self.port = free_port()
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for name in ("WORKSHOP_SLUG", "WORKSHOP_CONTENT", "WORKSHOP_DB"):
            env.pop(name, None)
        command = [str(Path(os.sys.executable).parent / "workshop"), "serve", "--db", str(db), "--port", str(self.port), *args]
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def next_line(self, seconds: float = LINE_WAIT) -> str | None:
        """The next line printed (``None`` once the output has ended)."""
        try:
            line = self._queue.get(timeout=seconds)
        except queue.Empty:
            raise AssertionError(f"nothing printed for {seconds} s; so far:\n" + "\n".join(self.lines)) from None
        if line is not None:
            self.lines.append(line)
        return line

    def until(self, pattern: str) -> str:
        """Read until a line matching ``pattern``; return it."""
        while True:
            line = self.next_line()
            if line is None:
                raise AssertionError(f"the output ended before {pattern!r}:\n" + "\n".join(self.lines))
            if re.search(pattern, line):
                return line

    def interrupt(self) -> None:
        """Ctrl-C in the terminal: SIGINT to the whole process group."""
        os.killpg(self.proc.pid, signal.SIGINT)

    def finish(self, seconds: float = 120) -> tuple[int, str]:
        """Wait for the process to end; its exit status and everything it printed."""
        deadline = time.monotonic() + seconds
        while self.next_line(max(1.0, deadline - time.monotonic())) is not None:
            pass
        return self.proc.wait(timeout=10), "\n".join(self.lines)

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)  # our own process group only
            self.proc.wait(timeout=10)

    @property
    def run_folder(self) -> Path | None:
        found = re.search(r"Storing connection files in (\S+)\.", "\n".join(self.lines))
        return Path(found.group(1)).parent if found else None


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback only
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def kernels_of(run_folder: Path) -> list[int]:
    """Processes whose command line names ``run_folder``: its kernels."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if str(run_folder).encode() in (proc / "cmdline").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


def assert_stopped_cleanly(serving: Serving, code: int, text: str) -> None:
    assert code == 0, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
    assert text.splitlines()[-1] == "Stopped.", text
    folder = serving.run_folder
    if folder is not None:
        assert not folder.exists(), text
        deadline = time.monotonic() + 15  # a kernel mid-start follows its server within seconds
        while kernels_of(folder) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert kernels_of(folder) == [], text


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_links_only_once_the_server_answers_then_ready_and_no_trust_warnings(tmp_path):
    # One warm kernel (priorities), none elsewhere: a short warm-up.
    serving = Serving(tmp_path, "--pool", "0", "--pool-for", "priorities=1")
    try:
        first = serving.until(r"http://").strip()
        # The moment a link is printed, the server answers it.
        assert get(f"http://127.0.0.1:{serving.port}/join") == 200, serving.lines
        assert re.fullmatch(rf"http://localhost:{serving.port}/join/[A-Z0-9]{{6}}", first), first  # the join link comes first
        assert get(first.replace("localhost", "127.0.0.1")) == 200  # joined, and on to the first page
        ready = serving.until(r"^Ready")
        assert re.fullmatch(r"Ready: 1 preheated kernel has run its page \(\d+ s after the start\)\.", ready), ready
        serving.interrupt()
        code, text = serving.finish()
    finally:
        serving.kill()
    assert "is not trusted" not in text, text
    assert "Voilà is running at" not in text  # Voila's own link, printed before it answers
    assert re.search(r"^Serving workshop 'riverside-partners' \(Riverside Partners\) from /\S+/store/w\.sqlite$", text, re.M), text
    assert "<AnswerStore" not in text and "sqlite:///" not in text
    assert "Stopping: shutting the kernels down ..." in text
    assert_stopped_cleanly(serving, code, text)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("when", ["at once", "while warming up"])
def test_ctrl_c_during_the_warm_up_stops_with_exit_0_and_no_traceback(tmp_path, when):
    # Two warm kernels on each page: Ctrl-C comes while most are still to start.
    serving = Serving(tmp_path, "--pool", "2")
    try:
        if when == "at once":
            serving.next_line()  # Voila is setting up; no kernel has started yet
        else:
            serving.until(r"/join/[A-Z0-9]{6}$")  # serving; the pools are warming
            assert not any(line.startswith("Ready") for line in serving.lines)
        serving.interrupt()
        code, text = serving.finish()
    finally:
        serving.kill()
    assert not any(line.startswith("Ready") for line in serving.lines), text
    assert_stopped_cleanly(serving, code, text)
    if when == "while warming up":
        assert "Stopping: shutting the kernels down ..." in text
        assert "Kernel pool of" not in text.split("Stopping:")[1]  # a cancelled start is not "filled"
