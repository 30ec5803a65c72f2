"""A server's run folder: made with a pid file, and removed by the next
server once its process is gone (killed with SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from toolkit.serve import run_folder


def _run_folders(base):
    return sorted(p.name for p in base.iterdir())


def test_run_folders_of_killed_servers_are_removed(tmp_path):
    base = tmp_path
    mine = run_folder.make_run_folder(base)
    assert mine.name.startswith("workshop-serve-") and (mine / "pid").read_text() == f"{os.getpid()}\n"
    # A real process makes its run folder and is killed with SIGKILL.
    probe = "import sys; from pathlib import Path; from toolkit.serve import run_folder; print(run_folder.make_run_folder(Path(sys.argv[1])), flush=True); sys.stdin.read()"
    killed = subprocess.Popen([sys.executable, "-c", probe, str(base)], stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True, cwd=Path(run_folder.__file__).parents[2])
    left = Path(killed.stdout.readline().strip())
    (left / "pages").mkdir()
    (left / "pages" / "01_diagnosis.ipynb").write_text("{}")
    killed.send_signal(signal.SIGKILL)
    killed.wait()  # reaped: a zombie would still look alive
    assert left.exists()
    starting = base / "workshop-serve-nopidyet"  # a server between mkdtemp and its pid file
    starting.mkdir()
    garbled = base / "workshop-serve-garbled"
    garbled.mkdir()
    (garbled / "pid").write_text("not a pid")
    other = base / "voila_abc"
    other.mkdir()
    assert run_folder.remove_stale_run_folders(base) == [left]
    assert _run_folders(base) == sorted([mine.name, "workshop-serve-nopidyet", "workshop-serve-garbled", "voila_abc"])
    assert run_folder.remove_stale_run_folders(base) == []
