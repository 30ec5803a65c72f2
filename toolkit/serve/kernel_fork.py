"""Kernels forked from one warm process instead of started from nothing.

    >>> fork = start_fork_server(run_folder)      # toolkit.serve.app does this
    >>> fork.stop()

Every page a participant opens gets a kernel of its own. Started the usual
way, each is a new Python that imports IPython, ipykernel, ipywidgets,
SQLAlchemy and the kit (about 0.65 CPU-seconds and 55 MiB of its own
memory for a workbook page), and a room of 40 walking five pages starts
some 250 of them on a 2-core laptop. Here ``workshop serve`` starts one
*fork server* (``python -m toolkit.serve.kernel_fork SOCKET``) that imports
all of that once and then waits; a kernel is a ``fork()`` of it, which
shares those modules' memory with it until written and skips the imports.

- :class:`ForkProvisioner` is jupyter_client's provisioner for every kernel
  of the kit's server (entry point ``workshop-fork``, chosen in
  :func:`toolkit.serve.voila_config`): it asks the fork server for a kernel
  over a Unix socket in the server's own (owner-only) run folder, and
  starts it the usual way when there is no fork server (plain Voila, a
  fork server that failed to start) or the kernel command is not the
  standard ``python -m ipykernel_launcher -f FILE``.
- The fork server forks on request; the child takes the kernel's
  environment, folder and a session of its own (so the facilitator's
  Ctrl-C never reaches it, as with a started kernel), sets up in the new
  kernel the libraries that would have done so on import (ipywidgets'
  comm targets, through its IPython extension) and runs the kernel until
  it is shut down. What the fork server imports is ipykernel's and the
  server's own (:data:`KERNEL_MODULES`) and what the served pages' code
  imports (:func:`page_imports`): it knows no page itself. Children are
  reaped by the fork server; the provisioner follows a kernel by its pid.
- Nothing in the fork server may start a thread or open a connection
  before it forks (a forked child gets no copy of other threads): it
  checks that it holds one thread once its imports are done and refuses
  to serve otherwise.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

#: The provisioner's entry point name (``pyproject.toml``).
FORK_PROVISIONER = "workshop-fork"
#: The environment variable naming the fork server's socket (the server's
#: own; removed from each kernel's environment).
SOCKET_ENV = "WORKSHOP_FORK_SOCKET"
#: ``0`` starts every kernel the usual way, ``1`` forks them where the
#: platform would not by default (:func:`fork_wanted`).
FORK_ENV = "WORKSHOP_KERNEL_FORK"
#: The socket's file name in the run folder.
SOCKET_NAME = "kernel-fork.sock"
#: Modules every kernel imports before its page runs, imported once by the
#: fork server; the pages' own imports are added (:func:`page_imports`).
KERNEL_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "sqlalchemy.dialects.sqlite",
    "toolkit.serve.request_info",
    "websockets.asyncio.client",
    "setproctitle",
)
#: How long ``workshop serve`` waits for the fork server to be ready (s).
READY_SECONDS = 30.0
#: How often the fork server looks whether its server is still there (s).
PARENT_CHECK_SECONDS = 2.0
#: Longest the fork server waits for a request's line (seconds).
REQUEST_SECONDS = 10.0
#: The kernel command the fork server can stand in for.
LAUNCHER = ("-m", "ipykernel_launcher")


def page_imports(codes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The modules the pages' code imports (``from widgets.session import
    Session`` gives ``widgets.session``), in order, each once: what the
    fork server imports for them."""
    import ast

    found: list[str] = []
    for code in codes:
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append(node.module)
    return tuple(dict.fromkeys(found))


def kernel_argv(cmd: list[str]) -> list[str] | None:
    """The kernel application's arguments in a standard kernel command
    (``[python, -m, ipykernel_launcher, -f, FILE, ...]``, this Python), or
    ``None`` when the fork server cannot run it."""
    if len(cmd) < 3 or tuple(cmd[1:3]) != LAUNCHER:
        return None
    if Path(cmd[0]).resolve() != Path(sys.executable).resolve():
        return None
    return list(cmd[3:])


class ForkedProcess:
    """The part of :class:`subprocess.Popen` a provisioner uses, for a kernel
    that is the fork server's child rather than ours."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and not _alive(self.pid):
            self.returncode = 0  # its parent, the fork server, reaped it
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.05)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        # As Popen's: a kernel that has ended is not signalled (the fork
        # server may have reaped it a moment ago, during a shutdown).
        if self.poll() is not None:
            return
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            self.returncode = 0

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process now has the pid
        return False
    try:  # a child not yet reaped is a zombie: gone for us
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


class ForkProvisioner(LocalProvisioner):  # type: ignore[misc]
    """jupyter_client's local provisioner, with kernels forked by the fork
    server named in :data:`SOCKET_ENV` when there is one."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        path = os.environ.get(SOCKET_ENV)
        argv = kernel_argv(cmd)
        if not path or argv is None:
            return await super().launch_kernel(cmd, **kwargs)
        env = {k: v for k, v in dict(kwargs.get("env") or os.environ).items() if k != SOCKET_ENV}
        cwd = str(kwargs.get("cwd") or os.getcwd())
        try:
            pid = await _ask_for_kernel(path, {"argv": argv, "env": env, "cwd": cwd})
        except (OSError, ValueError) as exc:
            self.log.warning("Starting a kernel the usual way: the fork server did not answer (%s)", exc)
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedProcess(pid)
        self.pid = pid
        self.pgid = pid  # the child made a session (and group) of its own
        self.cwd = cwd
        return self.connection_info


async def _ask_for_kernel(path: str, request: dict[str, Any]) -> int:
    import asyncio

    reader, writer = await asyncio.open_unix_connection(path)
    try:
        writer.write(json.dumps(request).encode() + b"\n")
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), timeout=30)
    finally:
        writer.close()
    reply = json.loads(line or b"{}")
    if not isinstance(reply.get("pid"), int):
        raise ValueError(reply.get("error") or "no kernel")
    return int(reply["pid"])


# -- the fork server ---------------------------------------------------------


@dataclass
class ForkServer:
    """A running fork server: its process and its socket."""

    process: subprocess.Popen[bytes] | None
    socket_path: Path

    @property
    def ready(self) -> bool:
        return self.process is not None and self.process.poll() is None and self.socket_path.exists()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.socket_path.unlink(missing_ok=True)


def fork_wanted(environ: dict[str, str] | os._Environ[str] | None = None, platform: str | None = None) -> bool:
    """Whether kernels are forked: on Linux unless :data:`FORK_ENV` is
    ``0``; elsewhere only when it is ``1`` (macOS's system libraries are not
    safe to fork after some imports, and Windows has no fork)."""
    choice = (os.environ if environ is None else environ).get(FORK_ENV, "").strip()
    if choice in ("0", "1"):
        return choice == "1" and hasattr(os, "fork")
    return (platform or sys.platform).startswith("linux")


def start_fork_server(run_folder: Path, modules: tuple[str, ...] = (), *, ready_seconds: float = READY_SECONDS) -> ForkServer:
    """Start the fork server with its socket in ``run_folder`` and wait
    until it answers; on success :data:`SOCKET_ENV` names the socket for
    this process's provisioners; it imports :data:`KERNEL_MODULES` and
    ``modules`` (the pages' imports). When it cannot start, or forking is not
    wanted (:func:`fork_wanted`), kernels start the usual way (the returned
    server is not ``ready``)."""
    path = Path(run_folder) / SOCKET_NAME
    if not fork_wanted():
        return ForkServer(None, path)
    # A session of its own: the facilitator's Ctrl-C stops the server,
    # which then stops this; it never reaches the fork server directly.
    command = [sys.executable, "-m", "toolkit.serve.kernel_fork", str(path), *modules]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)
    server = ForkServer(process, path)
    deadline = time.monotonic() + ready_seconds
    while time.monotonic() < deadline and process.poll() is None and not path.exists():
        time.sleep(0.05)
    if server.ready:
        os.environ[SOCKET_ENV] = str(path)
    else:
        server.stop()
    return server


def serve(path: Path, modules: tuple[str, ...] = ()) -> None:
    """The fork server's loop: import :data:`KERNEL_MODULES` and
    ``modules``, listen on ``path`` and fork a kernel for each request
    until terminated."""
    import gc
    import importlib
    import threading

    gc.disable()  # no collection may move what the imports made ...
    try:
        for name in (*KERNEL_MODULES, *modules):
            importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback in the facilitator's terminal
        raise SystemExit(f"kernel fork server: cannot import {name} ({type(exc).__name__}: {exc}); kernels will be started the usual way") from None
    gc.freeze()  # ... and none in a child touches it: its pages stay shared
    if threading.active_count() != 1:
        raise SystemExit("kernel fork server: an import started a thread; kernels will be started the usual way")
    # Children are reaped as they end, by waiting for them (not SIG_IGN):
    # then their CPU time is counted as this process's children's.
    _server[0] = os.getpid()
    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGTERM, lambda *_: _end())
    parent = _end_with_parent()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path) + ".new")
    os.chmod(str(path) + ".new", 0o600)
    listener.listen(64)
    listener.settimeout(PARENT_CHECK_SECONDS)
    os.replace(str(path) + ".new", path)  # the socket appears once it listens
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            if os.getppid() != parent:  # the server is gone (killed): so is this
                _end()
            continue
        except OSError:
            continue
        with conn:
            try:
                conn.settimeout(REQUEST_SECONDS)  # a request is one short line
                request = json.loads(conn.makefile("rb").readline() or b"{}")
                pid = os.fork()
            except (OSError, ValueError) as exc:
                _reply(conn, {"error": str(exc)})
                continue
            if pid == 0:
                listener.close()
                conn.close()
                _run_kernel(request)  # never returns
            _children.add(pid)
            _reply(conn, {"pid": pid})


def _end_with_parent() -> int:
    """Ask Linux to end this process when ``workshop serve`` ends, even by
    SIGKILL (its kernels then end too: their parent poller watches this
    process); return the parent's pid, checked again every
    :data:`PARENT_CHECK_SECONDS` where that cannot be asked."""
    parent = os.getppid()
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # it ended before the request took effect
        os._exit(0)
    return parent


#: The fork server's kernels still running, and its own pid (set by serve).
_children: set[int] = set()
_server = [0]


def _reap(signum: int, frame: object) -> None:
    try:
        while (pid := os.waitpid(-1, os.WNOHANG)[0]) > 0:
            _children.discard(pid)
    except ChildProcessError:
        pass


def _end() -> None:
    """End the fork server and, first, the kernels it forked that are still
    running: by now ``workshop serve`` has shut down every kernel it knew,
    and one it gave up while starting would otherwise notice its parent
    gone a second later and say so on the facilitator's terminal."""
    # A child between fork and setting its own handlers ends alone.
    for pid in list(_children) if os.getpid() == _server[0] else ():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    os._exit(0)


def _reply(conn: socket.socket, reply: dict[str, Any]) -> None:
    try:
        conn.sendall(json.dumps(reply).encode() + b"\n")
    except OSError:
        pass


def _run_kernel(request: dict[str, Any]) -> None:
    """In the forked child: become the kernel the request describes."""
    code = 1
    try:
        import gc

        gc.enable()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _children.clear()
        os.setsid()
        sys.argv = [sys.executable, *LAUNCHER, *request["argv"]]
        # In ps (and to the kit's benchmarks) it is the kernel it would have
        # been: "python -m ipykernel_launcher -f .../kernel-ID.json". Before
        # the environment changes: setproctitle reuses its memory.
        import setproctitle

        setproctitle.setproctitle(" ".join(sys.argv))
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in dict(request["env"]).items()})
        os.chdir(request["cwd"])
        sys.path[0] = os.getcwd()  # as ``python -m`` would have it
        # The server gave this kernel up before it started (Ctrl-C) and
        # removed its run folder: initialising would make the kernel's
        # IPython folder, in that run folder, again. (Given up a moment
        # later, init_connection_file below catches it.)
        if not _connection_file(request["argv"]).is_file():
            return
        from ipykernel.kernelapp import IPKernelApp

        class ForkedKernelApp(IPKernelApp):  # type: ignore[misc]
            def init_connection_file(self) -> None:
                # ipykernel writes a connection file of its own (and makes
                # its folder) when it finds none: here the server gave the
                # kernel up meanwhile (Ctrl-C), and its run folder is gone.
                if not Path(self.connection_file).is_file():
                    raise SystemExit(0)
                super().init_connection_file()

        # ipykernel read these two defaults from the environment when the
        # fork server imported it; a started kernel reads its own.
        # Its parent is the fork server: the kernel ends if that goes.
        app = ForkedKernelApp.instance(
            parent_handle=os.getppid(),
            interrupt=int(os.environ.get("JPY_INTERRUPT_EVENT") or 0),
        )
        app.initialize(list(request["argv"]))
        _set_up_in_kernel(app.shell)
        app.start()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:  # noqa: BLE001 - a child must never return into the server's loop
        # One line, never a traceback in the facilitator's terminal; none
        # at all when the server stopped meanwhile and took the file away.
        if _connection_file(request.get("argv", [])).is_file():
            print(f"kernel fork: a kernel could not start: {type(exc).__name__}: {exc}", file=sys.stderr)
    finally:
        os._exit(code)


def _set_up_in_kernel(shell: Any) -> None:
    """A library imported into a running kernel sets itself up there
    (ipywidgets registers its comm targets when imported into one); these
    were imported by the fork server, before any kernel: each that offers
    it is loaded as the IPython extension it is, which does the same."""
    for name, module in list(sys.modules.items()):
        if "." not in name and name != "IPython" and callable(getattr(module, "load_ipython_extension", None)):
            shell.extension_manager.load_extension(name)


def _connection_file(argv: list[str]) -> Path:
    """The ``-f`` argument of a kernel's arguments."""
    for flag, value in zip(argv, argv[1:]):
        if flag in ("-f", "--f"):
            return Path(value)
    return Path("/nonexistent")


if __name__ == "__main__":
    serve(Path(sys.argv[1]), tuple(sys.argv[2:]))
