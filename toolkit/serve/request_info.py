"""What a preheated kernel learns of its visitor's request, asked as Voila
asks it, without importing Voila's server into the kernel.

    >>> wait_for_request()      # in a preheated kernel: blocks until a visitor claims it

A pool kernel runs its page before anyone asks for it; Voila hands it the
visitor's request (headers such as the Cookie, as environment variables)
once a request claims it, over a websocket on ``<server>/voila/query/<kernel
id>``. ``voila.utils.wait_for_request`` does that, but importing
``voila.utils`` imports Jupyter Server and JupyterLab's server with it:
3.1 CPU-seconds and tens of MiB in every preheated kernel, measured here
(``jsonschema`` compiles a grammar on import). This is the same protocol in
a module that imports only ``websockets``.
"""

from __future__ import annotations

import asyncio
import json
import os

#: Seconds to open the websocket (Voila's own value).
OPEN_TIMEOUT = 5


def query_url(environ: dict[str, str] | os._Environ[str] | None = None) -> str:
    """Voila's request-info websocket for this kernel, from the variables
    Voila gives a preheated kernel (its defaults where one is missing)."""
    env = os.environ if environ is None else environ
    protocol = env.get("VOILA_WS_PROTOCOL", "ws")
    host = env.get("VOILA_APP_IP", "127.0.0.1")
    port = env.get("VOILA_APP_PORT", "8866")
    base = env.get("VOILA_WS_BASE_URL", env.get("VOILA_SERVER_URL", "/"))
    return f"{protocol}://{host}:{port}{base}voila/query/{env.get('VOILA_KERNEL_ID')}"


def wait_for_request(url: str | None = None) -> bool:
    """In a preheated kernel: wait until a visitor's request claims it and
    put the request's variables into ``os.environ``; ``True`` if they came.
    Outside a preheated kernel, ``False`` at once. Blocks on an event loop
    of its own: call it from a thread with none running (the kernel's
    session runs it in a background thread)."""
    if os.environ.get("VOILA_PREHEAT", "False") == "False":
        return False
    loop = asyncio.new_event_loop()
    try:
        message = loop.run_until_complete(_receive(url or query_url()))
    except (OSError, TimeoutError, ValueError):
        return False  # no request info: the participant signs in by hand
    finally:
        loop.close()
    for name, value in json.loads(message).items():
        os.environ[str(name)] = str(value)
    return True


async def _receive(url: str) -> str:
    import websockets

    try:
        async with websockets.connect(url, open_timeout=OPEN_TIMEOUT) as socket:
            message = await socket.recv()
    except websockets.exceptions.WebSocketException as exc:
        raise ValueError(str(exc)) from None
    return message if isinstance(message, str) else message.decode()
