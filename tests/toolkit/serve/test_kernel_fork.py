"""Kernels forked from the warm fork server, with the usual start as fallback."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import psutil
import pytest
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning.factory import KernelProvisionerFactory

from toolkit.serve.kernel_fork import (
    FORK_PROVISIONER,
    SOCKET_ENV,
    ForkedProcess,
    FORK_ENV,
    ForkProvisioner,
    fork_wanted,
    kernel_argv,
    page_imports,
    start_fork_server,
)

PROBE = (
    "import json, os, sys\n"
    "print(json.dumps({'ppid': os.getppid(), 'socket': os.environ.get('%s'), 'mark': os.environ.get('XS_MARK'),"
    " 'targets': sorted(t for t in get_ipython().kernel.comm_manager.targets if t.startswith('jupyter.widget')),"
    " 'cwd': os.getcwd()}))" % SOCKET_ENV
)


def test_only_the_standard_kernel_command_is_forked():
    assert kernel_argv([sys.executable, "-m", "ipykernel_launcher", "-f", "/run/k.json"]) == ["-f", "/run/k.json"]
    assert kernel_argv(["/usr/bin/other-python", "-m", "ipykernel_launcher", "-f", "k.json"]) is None
    assert kernel_argv([sys.executable, "-m", "other_kernel", "-f", "k.json"]) is None
    assert kernel_argv([sys.executable]) is None


def test_the_fork_server_imports_what_the_pages_import(kit):
    from toolkit.serve.pages import site_pages

    assert page_imports([page.code for page in site_pages(kit)]) == ("widgets.session", "widgets.dashboard", "widgets.presenter")
    assert page_imports(["import a.b, c\nfrom . import d\nfrom e import f"]) == ("a.b", "c", "e")


def test_kernels_are_forked_on_linux_unless_told_otherwise():
    assert fork_wanted({}, "linux") is True
    assert fork_wanted({FORK_ENV: "0"}, "linux") is False
    assert fork_wanted({}, "darwin") is False
    assert fork_wanted({FORK_ENV: "1"}, "darwin") is True
    assert fork_wanted({}, "win32") is False


def test_told_not_to_fork_no_fork_server_starts(tmp_path, monkeypatch):
    monkeypatch.setenv(FORK_ENV, "0")
    monkeypatch.delenv(SOCKET_ENV, raising=False)
    fork = start_fork_server(tmp_path)
    assert not fork.ready and fork.process is None
    assert SOCKET_ENV not in os.environ
    fork.stop()


def test_a_forked_process_that_ended_polls_as_done():
    child = psutil.Popen([sys.executable, "-c", "pass"])
    child.wait()
    gone = ForkedProcess(child.pid)
    assert gone.poll() == 0
    assert gone.wait(timeout=1) == 0
    assert ForkedProcess(os.getpid()).poll() is None
    # Signalling one that ended is nothing, as for Popen (a shutdown racing
    # the fork server's reaping stopped workshop serve with "No such process").
    gone.send_signal(signal.SIGTERM)
    gone.kill()


@pytest.fixture
def fork_provisioner():
    factory = KernelProvisionerFactory.instance()
    before = factory.default_provisioner_name
    factory.default_provisioner_name = FORK_PROVISIONER
    yield
    factory.default_provisioner_name = before


async def _probe(cwd: Path) -> tuple[dict, int, AsyncKernelManager]:
    km = AsyncKernelManager(kernel_name="python3")
    await km.start_kernel(env={**os.environ, "XS_MARK": "given"}, cwd=str(cwd))
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        reply = await kc.execute_interactive(PROBE, timeout=60, output_hook=lambda msg: outputs.append(msg))
        assert reply["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
    text = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
    return json.loads(text), km.provisioner.pid, km


outputs: list[dict] = []


def test_a_kernel_is_forked_from_the_fork_server_and_shut_down_as_usual(tmp_path, monkeypatch, fork_provisioner):
    monkeypatch.delenv(SOCKET_ENV, raising=False)
    monkeypatch.delenv(FORK_ENV, raising=False)
    outputs.clear()
    fork = start_fork_server(tmp_path, page_imports(["from widgets.session import Session\nSession().priorities()"]))
    try:
        assert fork.ready, "the fork server did not start"
        assert os.environ[SOCKET_ENV] == str(tmp_path / "kernel-fork.sock")
        assert (tmp_path / "kernel-fork.sock").stat().st_mode & 0o077 == 0

        async def run() -> None:
            seen, pid, km = await _probe(tmp_path)
            assert isinstance(km.provisioner, ForkProvisioner)
            assert seen["ppid"] == fork.process.pid  # forked, not started
            assert seen["socket"] is None  # a kernel is not told where the fork server is
            assert seen["mark"] == "given"  # the kernel's own environment
            assert Path(seen["cwd"]) == tmp_path
            assert seen["targets"] == ["jupyter.widget", "jupyter.widget.control"]
            assert "ipykernel_launcher" in " ".join(psutil.Process(pid).cmdline())
            await km.shutdown_kernel()
            assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE

        asyncio.run(run())
    finally:
        fork.stop()
        monkeypatch.delenv(SOCKET_ENV, raising=False)
    assert fork.process.poll() is not None
    assert not (tmp_path / "kernel-fork.sock").exists()


def test_stopping_the_fork_server_ends_the_kernels_it_still_runs_quietly(tmp_path, monkeypatch, fork_provisioner, capfd):
    # A kernel workshop serve did not shut down (given up while starting,
    # Ctrl-C during the warm-up) ends with the fork server, before it can
    # notice its parent gone and say so on the facilitator's terminal.
    import time

    monkeypatch.delenv(SOCKET_ENV, raising=False)
    monkeypatch.delenv(FORK_ENV, raising=False)
    outputs.clear()
    fork = start_fork_server(tmp_path)
    try:
        assert fork.ready
        seen, pid, km = asyncio.run(_probe(tmp_path))
        assert seen["ppid"] == fork.process.pid
    finally:
        fork.stop()
        monkeypatch.delenv(SOCKET_ENV, raising=False)
    deadline = time.monotonic() + 10
    while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    time.sleep(2)  # the parent poller's period: it would have spoken by now
    assert "Parent appears to have exited" not in capfd.readouterr().err


def test_without_a_fork_server_a_kernel_is_started_as_usual(tmp_path, monkeypatch, fork_provisioner):
    monkeypatch.setenv(SOCKET_ENV, str(tmp_path / "nobody-listens.sock"))
    outputs.clear()

    async def run() -> None:
        seen, _pid, km = await _probe(tmp_path)
        assert seen["ppid"] == os.getpid()  # started by this process
        assert seen["mark"] == "given"
        await km.shutdown_kernel()

    asyncio.run(run())


def test_a_page_import_that_fails_is_one_line_and_kernels_start_as_usual(tmp_path, monkeypatch, capfd):
    monkeypatch.delenv(SOCKET_ENV, raising=False)
    monkeypatch.delenv(FORK_ENV, raising=False)
    fork = start_fork_server(tmp_path, ("xs_no_such_page_module",))
    try:
        assert not fork.ready
        assert SOCKET_ENV not in os.environ
    finally:
        fork.stop()
    err = capfd.readouterr().err
    assert "kernel fork server: cannot import xs_no_such_page_module (ModuleNotFoundError" in err
    assert "Traceback" not in err


def test_the_fork_server_ends_with_a_killed_server(tmp_path):
    import signal
    import subprocess
    import time

    # A server killed outright (SIGKILL) leaves no fork server behind.
    code = (
        "import os, sys, time\n"
        "os.environ.pop('WORKSHOP_KERNEL_FORK', None)\n"
        "from toolkit.serve.kernel_fork import start_fork_server\n"
        f"fork = start_fork_server({str(tmp_path)!r})\n"
        "print(fork.process.pid if fork.ready else 0, flush=True)\n"
        "time.sleep(120)\n"
    )
    server = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[3])
    try:
        fork_pid = int(server.stdout.readline())
        assert fork_pid and psutil.pid_exists(fork_pid)
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        deadline = time.monotonic() + 15
        while psutil.pid_exists(fork_pid) and psutil.Process(fork_pid).status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not psutil.pid_exists(fork_pid) or psutil.Process(fork_pid).status() == psutil.STATUS_ZOMBIE
    finally:
        server.kill()
