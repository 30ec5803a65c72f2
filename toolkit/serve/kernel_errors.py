"""What a served page's kernel shows when its code fails: a short sentence
on the page and one line in the terminal running ``workshop serve``, never
a traceback (which names the server's files and folders).

    >>> write_startup(run_folder / "ipython")   # the kernels' $IPYTHONDIR
    >>> install(get_ipython())                  # what the startup file runs

Every kernel of ``workshop serve`` starts with ``$IPYTHONDIR`` pointing at
a folder in the server's run folder whose startup file calls
:func:`install`: IPython's ``showtraceback`` (which a failed cell, a failed
widget callback and an ``Output`` widget all go through) is replaced by
one that sends :data:`PAGE_MESSAGE` to the page and writes
:func:`one_line` to the server's terminal. Kernels outside a served room
(JupyterLab, tests) are not touched.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Any

#: What the page shows instead of a traceback.
PAGE_MESSAGE = "Something went wrong on the server. Your saved answers are safe; reload the page to continue."
#: The startup file's name in ``$IPYTHONDIR/profile_default/startup/``.
STARTUP_FILE = "00-workshop-errors.py"


def one_line(etype: type[BaseException] | None, value: BaseException | None, tb: Any) -> str:
    """``page error: ValueError: bad value (widgets/session.py:212 in save)``:
    the exception and the innermost frame of the kit or the page."""
    name = etype.__name__ if etype is not None else "Error"
    message = str(value).strip().splitlines()[0] if value is not None and str(value).strip() else ""
    where = ""
    frames = traceback.extract_tb(tb) if tb is not None else []
    if frames:
        last = frames[-1]
        where = f" ({_short(last.filename)}:{last.lineno} in {last.name})"
    return f"page error: {name}{': ' + message if message else ''}{where}"


def _short(filename: str) -> str:
    parts = Path(filename).parts
    for root in ("toolkit", "widgets"):
        if root in parts:
            return "/".join(parts[len(parts) - 1 - parts[::-1].index(root):])
    return Path(filename).name


def terminal_write(line: str) -> None:
    """Write ``line`` to the server's terminal, not to the page: ipykernel
    forwards what is written to the kernel's stderr to the page as well, so
    this writes to the stream it saved (``sys.stderr.fileno()`` is that
    copy under ipykernel, fd 2 anywhere else)."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        fd = 2
    try:
        os.write(fd, (line + "\n").encode("utf-8", "replace"))
    except OSError:
        pass


def install(shell: Any = None) -> None:
    """Make ``shell`` (default: the running IPython) show
    :data:`PAGE_MESSAGE` and log :func:`one_line` instead of tracebacks."""
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is None:
            return

    def showtraceback(exc_tuple: Any = None, filename: Any = None, tb_offset: Any = None,
                      exception_only: bool = False, running_compiled_code: bool = False) -> None:
        etype, value, tb = exc_tuple if exc_tuple is not None else sys.exc_info()
        terminal_write(one_line(etype, value, tb))
        shell._showtraceback(etype or Exception, "", [PAGE_MESSAGE])

    shell.showtraceback = showtraceback
    shell.showsyntaxerror = lambda *args, **kwargs: showtraceback()


def write_startup(ipython_dir: Path) -> Path:
    """Write the startup file that calls :func:`install` under
    ``ipython_dir`` (the kernels' ``$IPYTHONDIR``) and return the folder."""
    from toolkit.paths import private_dir, write_private_text

    startup = private_dir(Path(ipython_dir) / "profile_default" / "startup")
    write_private_text(startup / STARTUP_FILE, "from toolkit.serve.kernel_errors import install\n\ninstall()\n")
    return Path(ipython_dir)
