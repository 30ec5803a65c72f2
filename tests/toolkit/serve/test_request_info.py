"""A preheated kernel learns its visitor's request over Voila's query websocket."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import websockets

from toolkit.serve.request_info import query_url, wait_for_request


def test_the_query_url_is_built_from_voilas_variables():
    env = {"VOILA_APP_IP": "127.0.0.1", "VOILA_APP_PORT": "8899", "VOILA_SERVER_URL": "/room/", "VOILA_KERNEL_ID": "k-1"}
    assert query_url(env) == "ws://127.0.0.1:8899/room/voila/query/k-1"
    assert query_url({**env, "VOILA_WS_BASE_URL": "/ws/"}) == "ws://127.0.0.1:8899/ws/voila/query/k-1"


def test_a_kernel_that_was_not_preheated_does_not_wait(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    assert wait_for_request("ws://127.0.0.1:9/never") is False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_visitors_variables_arrive_in_the_environment(monkeypatch):
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.delenv("HTTP_COOKIE", raising=False)
    port = _free_port()
    asked: list[str] = []
    ready = threading.Event()
    stop: list[asyncio.AbstractEventLoop] = []

    def server() -> None:
        async def answer(ws) -> None:
            asked.append(ws.request.path)
            await ws.send(json.dumps({"HTTP_COOKIE": "xs_device=abc", "QUERY_STRING": ""}))

        async def main() -> None:
            async with websockets.serve(answer, "127.0.0.1", port):
                stop.append(asyncio.get_running_loop())
                ready.set()
                await asyncio.Future()

        try:
            asyncio.run(main())
        except RuntimeError:
            pass  # stopped

    thread = threading.Thread(target=server, daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        assert wait_for_request(f"ws://127.0.0.1:{port}/voila/query/k-7") is True
    finally:
        stop[0].call_soon_threadsafe(stop[0].stop)
    assert asked == ["/voila/query/k-7"]
    assert os.environ["HTTP_COOKIE"] == "xs_device=abc"


def test_no_server_means_no_request_info(monkeypatch):
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    assert wait_for_request(f"ws://127.0.0.1:{_free_port()}/voila/query/k-8") is False


def test_asking_imports_neither_voila_nor_jupyter_server():
    # Voila's own helper imports its server: 3 CPU-seconds in every kernel.
    code = "import sys, toolkit.serve.request_info\nprint(sorted(m for m in ('voila', 'jupyter_server', 'jsonschema') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[3])
    assert out.stdout.strip() == "[]"
