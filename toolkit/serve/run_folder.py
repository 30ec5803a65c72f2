"""Each ``workshop serve``'s own folder in the temporary directory (0700,
its files 0600): the copies of the served notebooks (``pages/``, the only
folder Voila serves) and, beside them, Voila's connection files and the
kernels' Unix sockets, the kernels' IPython folder (``ipython/``) and the
facilitator's token (``facilitator-token``).

    >>> folder = make_run_folder()           # <tmp>/workshop-serve-XXXX/pid
    >>> remove_stale_run_folders()           # folders of killed servers
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from toolkit.paths import write_private_text

#: Prefix of each server's run folder in the temporary directory.
RUN_FOLDER_PREFIX = "workshop-serve-"
#: The served notebooks' folder inside a run folder.
PAGES_FOLDER = "pages"
#: The file in a run folder naming the process that owns it.
PID_FILE = "pid"
#: The file holding the token that opens everything (the kernels list).
FACILITATOR_TOKEN_FILE = "facilitator-token"
#: The kernels' ``$IPYTHONDIR`` (see :mod:`toolkit.serve.kernel_errors`).
IPYTHON_FOLDER = "ipython"
#: Longest Unix socket path to rely on: sun_path holds 108 bytes on Linux,
#: 104 on macOS, the trailing NUL included.
MAX_SOCKET_PATH = 103
#: What a kernel's socket path adds to Voila's connection folder root:
#: ``/voila_XXXXXXXX/kernel-<36-char uuid>-ipc-NNN``.
_SOCKET_PATH_SUFFIX = len("/voila_XXXXXXXX/kernel-") + 36 + len("-ipc-NNN")


def run_folder_base() -> Path:
    """Where run folders go: the temporary directory, or ``/tmp`` when the
    temporary directory's path is too long for the kernels' Unix sockets
    (macOS gives each user a long one)."""
    tmp = Path(tempfile.gettempdir())
    for base in (tmp, Path("/tmp")):
        if base.is_dir() and _socket_path_fits(base / f"{RUN_FOLDER_PREFIX}XXXXXXXX"):
            return base
    return tmp


def make_run_folder(base: Path | None = None) -> Path:
    """Create this server's run folder (``workshop-serve-*`` in
    :func:`run_folder_base`) holding a ``pid`` file naming this process."""
    folder = Path(tempfile.mkdtemp(prefix=RUN_FOLDER_PREFIX, dir=base or run_folder_base()))  # 0700
    partial = write_private_text(folder / f".{PID_FILE}.tmp", f"{os.getpid()}\n")
    partial.replace(folder / PID_FILE)  # a folder's pid file is whole or absent
    return folder


def remove_stale_run_folders(base: Path | None = None) -> list[Path]:
    """Remove the run folders of servers that are gone (killed with SIGKILL,
    or by a power cut) and return them. A folder is kept unless it is ours,
    has a pid file, and no process has that pid: a folder without one may
    belong to a server that is starting right now."""
    removed = []
    for folder in sorted(Path(base or run_folder_base()).glob(f"{RUN_FOLDER_PREFIX}*")):
        try:
            if not folder.is_dir() or folder.is_symlink():
                continue
            if hasattr(os, "getuid") and folder.stat().st_uid != os.getuid():
                continue
            text = (folder / PID_FILE).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and not _process_alive(int(text)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process, or no way to tell: keep its folder
        return True
    return True


def _socket_path_fits(connection_root: Path) -> bool:
    return len(os.fsencode(str(connection_root))) + _SOCKET_PATH_SUFFIX <= MAX_SOCKET_PATH


def kernel_transport(connection_root: Path) -> str:
    """``ipc`` (Unix sockets in Voila's connection folder under
    ``connection_root``) where sockets exist and their paths fit, else ``tcp``."""
    return "ipc" if os.name == "posix" and _socket_path_fits(connection_root) else "tcp"
