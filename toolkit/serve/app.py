"""The Voila application ``workshop serve`` runs: its configuration for a
plan (:func:`voila_config`), the Voila subclass that pins what a page may
do and who may open it (:func:`workshop_voila_class`) and :func:`run`.

What the facilitator's terminal shows, in order: the links, once the
server has answered a request of its own (:func:`wait_until_answering`);
a "Ready" line once every preheated kernel has run its page
(:func:`pools_warm`); on Ctrl-C (or SIGTERM), at any moment, "Stopping"
and "Stopped" and exit status 0, never a traceback. The served pages are
signed in a notary of the run folder (:func:`sign_pages`), so Jupyter
trusts them instead of warning about each one as each kernel renders it.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from toolkit.errors import ToolkitError
from toolkit.paths import PRIVATE_DIR_MODE, write_private_text
from toolkit.serve import page_bundle, static
from toolkit.serve.bytecode import compile_kit
from toolkit.serve.kernel_fork import FORK_PROVISIONER, page_imports, start_fork_server
from toolkit.serve.page_templates import share_compiled_templates
from toolkit.serve.kernel_errors import PAGE_MESSAGE, write_startup
from toolkit.serve.kernel_limits import with_room_kernels
from toolkit.serve.kernel_pool import raise_socket_limit, with_refill_when_quiet
from toolkit.serve.pages import write_pages
from toolkit.serve.plan import ServePlan, describe, port_free, ready_line
from toolkit.serve.run_folder import (
    FACILITATOR_TOKEN_FILE,
    IPYTHON_FOLDER,
    PAGES_FOLDER,
    kernel_transport,
    make_run_folder,
    remove_stale_run_folders,
)

#: The only JupyterLab extensions a page loads: the widget managers. Voila
#: would otherwise load every extension installed beside it (on a hub, many),
#: each a handful of files for every visitor to fetch from the server.
PAGE_EXTENSIONS = ("@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8")
#: How long Voila waits for a cell's output once the cell has run.
IOPUB_TIMEOUT_SECONDS = 60

#: The kernel messages a page may send. Everything else (execute_request,
#: complete_request, inspect_request, history_request, ...) is dropped.
ALLOWED_MESSAGE_TYPES = (
    "comm_open",
    "comm_close",
    "comm_msg",
    "comm_info_request",
    "kernel_info_request",
    "shutdown_request",
)
#: Files Voila may serve from the served folder: images at its top level only.
FILE_ALLOWLIST = (r"[^/\\]+\.(png|jpe?g|gif|svg)",)
#: The server's umask: what it and its kernels create is its owner's only
#: (toolkit.paths.PRIVATE_DIR_MODE, PRIVATE_FILE_MODE).
PRIVATE_UMASK = 0o777 & ~PRIVATE_DIR_MODE
#: The kit's page template (Voila's lab page without CDN stylesheets, with
#: a ``main`` landmark and the accessibility helper ``a11y.js``), put in
#: front of the lab template's folders.
PAGE_TEMPLATE = Path(__file__).parent / "templates" / "page"
#: The request headers Voila hands to a page's kernel (``$HTTP_COOKIE``):
#: the kernel learns its browser's device cookie from it.
HEADER_ENVS = ("Cookie",)
#: What a page shows when its code fails while it is first drawn (Voila
#: puts it where the cell's output would be; the error goes to the log).
CELL_ERROR = PAGE_MESSAGE
#: The run folder's notary: the served pages' signatures and its secret
#: (:func:`sign_pages`).
NOTARY_DB = "notary.db"
NOTARY_SECRET = "notary-secret"
#: How long the server waits for its own first request to be answered
#: before printing the links anyway (seconds).
ANSWER_WAIT_SECONDS = 120
#: Log lines that say nothing new while the server stops and kills its
#: kernels: a cancelled pool start still counts as "filled", and a page
#: being run in a kernel that is killed fails (its sockets close, its
#: client never gets a reply).
STOPPING_NOISE = (
    "Kernel pool of",
    "Got events for closed stream",
    "Error occurred while starting new kernel client",
    "Error at server while executing cell",
    "Kernel died",
)
#: Files it refuses even if the allowlist matched.
FILE_DENYLIST = (
    r".*\.(ipynb|py|pyc|sqlite|sqlite3|db|db-wal|db-shm|sqlite-wal|sqlite-shm|yaml|yml|json|csv|xlsx|toml|ini|cfg|env|txt|md|sh)",
    r".*\.\..*",
    r"(.*[/\\])?\..*",
)



def page_config(config: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Voila's ``page_config_hook``: Voila's scripts under their versioned
    prefix (:func:`toolkit.serve.static.page_config`) and the kit's own front
    end when built (:func:`toolkit.serve.page_bundle.page_config`)."""
    return page_bundle.page_config(static.page_config(config, **kwargs), **kwargs)


def voila_config(plan: ServePlan, run_folder: Path | None = None) -> dict[str, dict[str, object]]:
    """Voila's configuration for a plan, as ``{Class: {trait: value}}``.
    Voila's connection files (and the kernels' sockets) go in ``run_folder``,
    or in the temporary directory as Voila does by default."""
    # Voila keys a pool by the notebook's path relative to the served
    # folder, which holds the notebooks at its top: the file name.
    pools: dict[str, dict[str, int]] = {"default": {"pool_size": plan.pool}}
    pools.update({nb: {"pool_size": plan.pool_size(nb)} for nb in plan.notebooks})
    preheat = any(plan.pool_size(nb) > 0 for nb in plan.notebooks)
    connection_root = Path(run_folder) if run_folder is not None else Path(tempfile.gettempdir())
    voila: dict[str, object] = {"ip": plan.host, "port": plan.port, "port_retries": 0, "open_browser": False, "base_url": plan.base_url}
    # Who may open what (toolkit.serve.handlers): Jupyter Server asks the
    # identity provider on every request and the authorizer on kernel ones.
    from toolkit.serve.handlers import RoomAuthorizer, RoomIdentityProvider

    voila["identity_provider_class"] = RoomIdentityProvider
    voila["authorizer_class"] = RoomAuthorizer
    if run_folder is not None:
        voila["connection_dir_root"] = str(run_folder)
    config: dict[str, dict[str, object]] = {
        "Voila": voila,
        "VoilaConfiguration": {
            "preheat_kernel": preheat,
            "default_pool_size": plan.pool,
            "show_tracebacks": False,
            "strip_sources": True,
            # A query string may not pick another template or theme (which
            # would also skip the warm pool and start a kernel).
            "allow_template_override": "NO",
            "allow_theme_override": "NO",
            "http_header_envs": list(HEADER_ENVS),
            "extension_allowlist": list(PAGE_EXTENSIONS),
            "file_allowlist": list(FILE_ALLOWLIST),
            "file_denylist": list(FILE_DENYLIST),
            # Voila's scripts from a versioned URL, cached a year (toolkit.serve.static).
            "page_config_hook": page_config,
        },
        # With RefillWhenQuiet (which WorkshopVoila adds), fill_delay counts
        # from the page's latest visitor, not from each kernel taken.
        "VoilaKernelManager": {"kernel_pools_config": pools, "fill_delay": plan.refill_seconds},
        # Every kernel binds five TCP ports picked as free a moment before
        # it starts; with dozens starting at once two can pick the same one
        # and the kernel dies. A Unix socket per kernel cannot clash.
        "KernelManager": {"transport": kernel_transport(connection_root)},
        # nbclient waits only 4 s for a cell's output after its reply; on a
        # busy 2-core laptop (a room of kernels starting at once) the widget's
        # display message comes later, is dropped, and the page stays blank.
        # Waiting longer costs nothing when the output is prompt.
        "VoilaExecutor": {"iopub_timeout": IOPUB_TIMEOUT_SECONDS, "raise_on_iopub_timeout": False, "cell_error_instruction": CELL_ERROR},
        # Kernels forked from one warm process when the server runs one
        # (toolkit.serve.kernel_fork), else started as usual.
        "KernelProvisionerFactory": {"default_provisioner_name": FORK_PROVISIONER},
        "MappingKernelManager": {
            "cull_idle_timeout": plan.cull_minutes * 60,
            "cull_interval": min(60, plan.cull_minutes * 60),
            "cull_connected": False,
        },
    }
    if run_folder is not None:
        # The notary the contents manager checks the pages against: the one
        # sign_pages signed them in, not the user's own Jupyter notary.
        config["NotebookNotary"] = notary_settings(run_folder)
    return config


def notary_settings(run_folder: Path) -> dict[str, object]:
    """The settings of the run folder's notebook notary (its database and
    secret, both inside the run folder)."""
    return {"db_file": str(run_folder / NOTARY_DB), "secret_file": str(run_folder / NOTARY_SECRET)}


def sign_pages(pages: Path, run_folder: Path) -> int:
    """Sign every notebook in ``pages`` with a fresh secret, in the run
    folder's notary (:func:`notary_settings`), and return how many. The kit
    wrote these pages itself from the content; Jupyter's contents manager
    checks a notebook's signature each time a kernel renders it and warns
    about every unsigned one. Voila marks every output trusted whatever the
    signature says, so signing changes what the log says, not what a page
    may show."""
    import nbformat
    from nbformat.sign import NotebookNotary

    write_private_text(run_folder / NOTARY_SECRET, secrets.token_hex(32))
    notary = NotebookNotary(**notary_settings(run_folder))
    try:
        signed = 0
        for path in sorted(pages.glob("*.ipynb")):
            notary.sign(nbformat.read(path, as_version=4))
            signed += 1
        return signed
    finally:
        notary.store.close()


def voila_hook_problems() -> list[str]:
    """What this kit needs from Voila's insides and does not find, one line
    each; empty when everything is in place. :class:`WorkshopVoila`,
    :class:`~toolkit.serve.kernel_pool.RefillWhenQuiet` and
    :class:`~toolkit.serve.kernel_limits.RoomKernels` override or call
    private parts of Voila 0.5 (the pin in ``pyproject.toml``): the kernel
    manager factory, ``init_settings``, ``init_handlers``, ``start``,
    ``setup_template_dirs``, the exporter's ``_create_environment``, the pool's ``fill_if_needed``, ``get_pool_size``,
    ``_initialize``, ``get_rendered_notebook``, ``shutdown_kernel`` and
    ``shutdown_all``, and the handler classes :mod:`toolkit.serve.handlers`
    replaces; and
    :func:`voila_config` sets traits that a newer Voila may rename, which
    traitlets would ignore with a mere warning."""
    import inspect

    import voila.app as voila_app
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

    problems: list[str] = []

    def wants(owner: str, func: object, params: Sequence[str], *, coroutine: bool = False) -> None:
        if not callable(func):
            problems.append(f"{owner} is gone")
            return
        found = list(inspect.signature(func).parameters)
        missing = [p for p in params if p not in found]
        if missing:
            problems.append(f"{owner} no longer takes {', '.join(missing)} (it takes {', '.join(found)})")
        if coroutine and not inspect.iscoroutinefunction(func):
            problems.append(f"{owner} is no longer a coroutine")

    factory = getattr(voila_app, "voila_kernel_manager_factory", None)
    wants("voila.app.voila_kernel_manager_factory", factory, ("base_class", "preheat_kernel", "default_pool_size"))
    wants("voila.app.Voila.initialize", getattr(voila_app.Voila, "initialize", None), ("argv",))
    wants("voila.app.Voila.init_settings", getattr(voila_app.Voila, "init_settings", None), ())
    wants("voila.app.Voila.init_handlers", getattr(voila_app.Voila, "init_handlers", None), ())
    wants("voila.app.Voila.setup_template_dirs", getattr(voila_app.Voila, "setup_template_dirs", None), ())
    wants("voila.app.Voila.start", getattr(voila_app.Voila, "start", None), ())
    from voila.exporter import VoilaExporter

    wants("voila.exporter.VoilaExporter._create_environment", getattr(VoilaExporter, "_create_environment", None), ())
    try:  # the handlers the room replaces, by their Voila 0.5 modules
        import toolkit.serve.handlers  # noqa: F401
    except ImportError as exc:
        problems.append(f"a Voila handler the kit guards moved ({exc})")
    classes: dict[str, type] = {}
    if callable(factory):
        pooled = factory(AsyncMappingKernelManager, True, 1)
        for name, params, coroutine in (
            ("fill_if_needed", ("delay", "notebook_name"), False),
            ("get_pool_size", ("notebook_name",), False),
            ("_initialize", ("notebook_path", "kernel_id"), True),
            ("shutdown_all", (), True),
            ("get_rendered_notebook", ("notebook_name",), True),
            ("shutdown_kernel", ("kernel_id",), True),
        ):
            wants(f"Voila's pooling kernel manager .{name}", getattr(pooled, name, None), params, coroutine=coroutine)
        classes["VoilaKernelManager"] = pooled

    from jupyter_client.manager import KernelManager
    from nbformat.sign import NotebookNotary
    from voila.configuration import VoilaConfiguration
    from voila.execute import VoilaExecutor

    from toolkit.serve.pages import dashboard_page

    classes.update(Voila=voila_app.Voila, VoilaConfiguration=VoilaConfiguration, KernelManager=KernelManager,
                   VoilaExecutor=VoilaExecutor, MappingKernelManager=AsyncMappingKernelManager, NotebookNotary=NotebookNotary)
    sample = ServePlan(url="sqlite://", slug="w", title="W", host="127.0.0.1", port=8866, pool=1, cull_minutes=30, dashboard_only=True, pages=(dashboard_page(),))
    for class_name, traits in voila_config(sample, Path(tempfile.gettempdir())).items():
        cls = classes.get(class_name)
        if cls is None:
            continue  # reported above: the factory is gone
        for trait in traits:
            if not cls.class_traits().get(trait):
                problems.append(f"{class_name}.{trait} is no longer a setting (workshop serve sets it)")
    if "allowed_message_types" not in AsyncMappingKernelManager.class_trait_names():
        problems.append("the kernel manager's allowed_message_types is gone (WorkshopVoila pins it)")
    return problems


def workshop_voila_class() -> type:
    """Voila made a room: the page's kernel messages pinned to
    :data:`ALLOWED_MESSAGE_TYPES` whatever Voila's defaults become; the
    kit's page template; the room's handlers (:func:`toolkit.serve.handlers.room_handlers`)
    behind a ``Host`` allowlist; kernels capped and owned
    (:mod:`toolkit.serve.kernel_limits`).

    Before ``initialize``, the application needs ``room`` (a
    :class:`toolkit.serve.room.Room`), ``kernel_limits``, ``allowed_hosts``
    and ``query_path`` (see :func:`run`); ``on_answering``, ``on_ready``
    and ``on_stopping`` are called once the server answers, once its pools
    are warm and when a signal stops it. SIGINT and SIGTERM stop it at any
    moment: before it serves (and when sent again while it stops) as a
    ``KeyboardInterrupt`` for :func:`run` to catch, while it serves by
    stopping the loop; kernels are then killed, not interrupted (an
    interrupted kernel prints a traceback into the terminal), and pool
    kernels not started yet never start."""
    from voila.app import Voila

    class WorkshopVoila(Voila):
        room: Any = None
        kernel_limits: Any = None
        room_route: tuple[str, ...] = ()
        allowed_hosts: tuple[str, ...] = ()
        query_path: str = ""
        on_answering: Callable[[], None] = staticmethod(lambda: None)
        on_ready: Callable[[int, int], None] = staticmethod(lambda warm, pooled: None)
        on_stopping: Callable[[], None] = staticmethod(lambda: None)
        _stopping = False

        def initialize(self, argv: Sequence[str] | None = None) -> None:
            super().initialize(argv)  # sets Voila's own SIGTERM handler, replaced here
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, self._stop_on_signal)
            one_line_errors(self.log)
            self.log.addFilter(not_voilas_link)
            for log in (self.log, logging.getLogger("tornado.general")):
                log.addFilter(self._quiet_while_stopping)
            # A jupyter config file cannot widen what is served.
            self.voila_configuration.file_allowlist = list(FILE_ALLOWLIST)
            self.voila_configuration.file_denylist = list(FILE_DENYLIST)
            self.voila_configuration.show_tracebacks = False
            self.voila_configuration.allow_template_override = "NO"
            self.voila_configuration.allow_theme_override = "NO"

        def setup_template_dirs(self) -> None:
            super().setup_template_dirs()
            # Voila finds index.html.j2 in the first folder that has one: ours,
            # which extends the lab template found in the folders after it.
            self.template_paths = [str(PAGE_TEMPLATE), *self.template_paths]

        def init_settings(self) -> dict:
            # Voila builds its pooling kernel manager class here and fills
            # the pools from its __init__, so RefillWhenQuiet and the room's
            # limits go into the class Voila builds: the very first pool
            # starts are batched and counted too.
            import voila.app as voila_app

            from toolkit.serve.handlers import room_jinja_env

            share_compiled_templates()
            factory = voila_app.voila_kernel_manager_factory
            voila_app.voila_kernel_manager_factory = lambda *a, **kw: with_refill_when_quiet(with_room_kernels(factory(*a, **kw)))
            try:
                settings = super().init_settings()
            finally:
                voila_app.voila_kernel_manager_factory = factory
            self.kernel_manager.allowed_message_types = list(ALLOWED_MESSAGE_TYPES)
            allowed = set(self.kernel_manager.allowed_message_types)
            if not allowed or "execute_request" in allowed:
                raise ToolkitError("refusing to serve: the kernel manager would accept code from the page")
            if self.room is None:
                raise ToolkitError("refusing to serve: no room (join code) was set up")
            settings.update(
                login_url=f"{self.base_url}join",
                xs_room=self.room,
                xs_allowed_hosts=tuple(self.allowed_hosts),
                xs_jinja2_env=room_jinja_env(),
            )
            return settings

        def init_handlers(self) -> list:
            from toolkit.serve.handlers import UnknownHandler, room_handlers

            try:
                handlers = room_handlers(super().init_handlers(), base_url=self.base_url, query_path=self.query_path)
            except UnknownHandler as exc:
                raise ToolkitError(f"refusing to serve: Voila serves {exc}, which the kit does not guard") from None
            # Before any kernel starts: sockets for a room's kernels
            # (kernel_pool.raise_socket_limit); static files and pages
            # compressed and cached (toolkit.serve.static).
            raise_socket_limit(self.kernel_manager)
            from toolkit.serve.handlers import STATIC as KIT_STATIC

            return static.compressed_handlers(handlers, self, extensions=PAGE_EXTENSIONS, extra_roots=(KIT_STATIC,))

        def start(self) -> None:
            # Voila.start, with the room's application (Host allowlist).
            from toolkit.serve.handlers import RoomApplication

            self.connection_dir = tempfile.mkdtemp(prefix="voila_", dir=self.connection_dir_root)
            self.log.info("Storing connection files in %s." % self.connection_dir)
            self.app = RoomApplication(**self.init_settings())
            self.app.settings.update(self.tornado_settings)
            self.app.add_handlers(".*$", self.init_handlers())
            from tornado.ioloop import IOLoop

            # Runs once listen() has bound the port and started the loop.
            IOLoop.current().add_callback(self._begin_announcing)
            self.listen()

        def _begin_announcing(self) -> None:
            import asyncio

            self._announcing = asyncio.ensure_future(self._announce())

        async def _announce(self) -> None:
            host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]"}.get(self.ip, f"[{self.ip}]" if ":" in self.ip else self.ip)
            await wait_until_answering(f"http://{host}:{self.port}{self.base_url}join")
            if self._stopping:
                return
            self.on_answering()
            warm, pooled = await pools_warm(self.kernel_manager)
            if not self._stopping:
                self.on_ready(warm, pooled)

        def _quiet_while_stopping(self, record: logging.LogRecord) -> bool:
            return not (self._stopping and str(record.msg).startswith(STOPPING_NOISE))

        def _stop_on_signal(self, signum: int, frame: object) -> None:
            loop = getattr(self, "ioloop", None)
            if loop is None or self._stopping:
                raise KeyboardInterrupt  # not serving yet, or asked again: stop here
            self._stopping = True
            loop.asyncio_loop.call_soon_threadsafe(self._stop_serving)

        def _stop_serving(self) -> None:
            self.on_stopping()
            self.ioloop.stop()  # Voila's listen() then calls stop()

        def stop(self) -> None:
            # Voila's stop, but pool kernels waiting to start never start,
            # and every kernel is killed rather than interrupted first.
            import asyncio

            self._stopping = True
            waiting = []
            announcing = getattr(self, "_announcing", None)
            if announcing is not None and not announcing.done():
                announcing.cancel()
                waiting.append(announcing)
            for pool in getattr(self.kernel_manager, "_pools", {}).values():
                for task in [t for t in pool if not t.done()]:
                    pool.remove(task)
                    task.cancel()
                    waiting.append(task)

            async def shut_down() -> None:
                from tornado.web import HTTPError

                if waiting:
                    await asyncio.wait(waiting)
                manager = self.kernel_manager
                try:
                    await manager.shutdown_all(now=True)
                except HTTPError as exc:
                    # A kernel still starting ended by itself meanwhile (its
                    # connection file is gone): "does not exist" stops the
                    # rest of shutdown_all, so shut what is left one by one.
                    if exc.status_code != 404:
                        raise
                    left = [manager.shutdown_kernel(k, now=True) for k in list(manager.list_kernel_ids())]
                    await asyncio.gather(*left, return_exceptions=True)

            shutil.rmtree(self.connection_dir, ignore_errors=True)
            # On the serving loop, stopped now, whose tasks these are (Voila's
            # run_sync would start a new loop, where they never finish).
            self.ioloop.asyncio_loop.run_until_complete(shut_down())

    return WorkshopVoila


async def wait_until_answering(url: str, *, seconds: float = ANSWER_WAIT_SECONDS) -> bool:
    """Request ``url`` until the server answers it (any HTTP status) and
    return ``True``; ``False`` after ``seconds`` without an answer."""
    import asyncio

    from tornado.httpclient import AsyncHTTPClient

    client = AsyncHTTPClient()
    deadline = time.monotonic() + seconds
    while True:
        try:
            await client.fetch(url, raise_error=False, follow_redirects=False, request_timeout=10)
            return True
        except Exception:  # noqa: BLE001 - refused or reset: not answering yet
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.1)


async def pools_warm(kernel_manager: Any) -> tuple[int, int]:
    """Wait until every kernel in Voila's pools has been started and has
    run its page (:class:`~toolkit.serve.kernel_pool.RefillWhenQuiet`
    holds a pool start until then, or at most its hold time) and return
    ``(ran their page, kernels in the pools)``; ``(0, 0)`` without pools."""
    import asyncio

    starts = [task for pool in getattr(kernel_manager, "_pools", {}).values() for task in pool]
    if not starts:
        return 0, 0
    await asyncio.wait(starts)
    warm = 0
    for start in starts:
        if start.cancelled() or start.exception() is not None:
            continue
        started = start.result()
        render = started.get("task") if isinstance(started, dict) else None
        if isinstance(render, asyncio.Future) and render.done() and not render.cancelled() and render.exception() is None:
            warm += 1
    return warm, len(starts)


class OneLineErrors(logging.Filter):
    """Keeps tracebacks out of the facilitator's terminal: a log record
    that carries an exception becomes one line, its message's first line
    (at most :data:`LOG_LINE_CHARS` characters) and the exception's name
    and first line. What a page's kernel did wrong is already in the line
    its kernel wrote (``page error: ...``, :mod:`toolkit.serve.kernel_errors`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            said = record.getMessage().strip().splitlines()
            detail = str(exc).strip().splitlines()
            head = said[0][:LOG_LINE_CHARS] if said else "error"
            record.msg = f"{head} ({type(exc).__name__}{': ' + detail[0][:LOG_LINE_CHARS] if detail else ''})"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


def not_voilas_link(record: logging.LogRecord) -> bool:
    """A log filter that drops Voila's "Voilà is running at" line: it names
    the address Voila listens on, before the server answers; ``workshop
    serve`` prints the room's own links once it does."""
    return not str(record.msg).startswith("Voilà is running at")


#: Longest piece of a message :class:`OneLineErrors` keeps.
LOG_LINE_CHARS = 160


def one_line_errors(log: logging.Logger) -> None:
    """Put :class:`OneLineErrors` on ``log``, Tornado's error log and
    their handlers."""
    keep = OneLineErrors()
    for logger in (log, logging.getLogger("tornado.application")):
        logger.addFilter(keep)
        for handler in logger.handlers:
            handler.addFilter(keep)


def run(plan: ServePlan, *, out: Callable[[str], None] | None = None) -> int:
    """Remove run folders left by killed servers, write the plan's pages
    into a fresh run folder (signed: :func:`sign_pages`) and run Voila until
    Ctrl-C (or SIGTERM), printing the links once the server answers and a
    "Ready" line once its pools are warm; the run folder is removed
    afterwards. Ctrl-C at any moment stops it and returns 0.

    The run folder also holds the facilitator's token
    (:data:`~toolkit.serve.run_folder.FACILITATOR_TOKEN_FILE`: send it as
    ``Authorization: token ...`` to list the kernels) and the kernels'
    IPython folder (:mod:`toolkit.serve.kernel_errors`)."""
    out = out or (lambda text: (sys.stdout.write(text + "\n"), sys.stdout.flush()))
    # SIGTERM stops as Ctrl-C does, from the start (WorkshopVoila takes both
    # over once it serves), so the run folder is removed either way.
    previous_term = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _run(plan, out)
    finally:
        signal.signal(signal.SIGTERM, previous_term)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _run(plan: ServePlan, out: Callable[[str], None]) -> int:
    if not port_free(plan.host, plan.port):
        raise ToolkitError(f"port {plan.port} on {plan.host} is in use (another workshop serve?); pick another with --port")
    stale = remove_stale_run_folders()
    if stale:
        out(f"Removed {len(stale)} folder{'s' if len(stale) != 1 else ''} left by a workshop serve that was killed: {', '.join(map(str, stale))}")
    moved = voila_hook_problems()
    if moved:
        import voila

        raise ToolkitError(
            f"refusing to serve: Voila {voila.__version__} is installed and the kit is made for Voila 0.5 "
            f"({'; '.join(moved)}); install it with: pip install 'voila>=0.5,<0.6'"
        )
    compile_kit()  # before any kernel starts: each then imports the kit from bytecode
    unbuilt = page_bundle.missing_note()
    if unbuilt:
        out(unbuilt)
    # One file mode for what the server and its kernels write (their
    # IPython history, Voila's connection files): owner only.
    os.umask(PRIVATE_UMASK)
    run_folder = make_run_folder()
    fork = None
    try:
        fork = start_fork_server(run_folder, page_imports([page.code for page in plan.pages]))
        folder = write_pages(plan.pages, run_folder / PAGES_FOLDER, workshop_title=plan.title)
        store_file = _sqlite_file(plan.url)
        if store_file is not None and run_folder.resolve() in store_file.resolve().parents:
            raise ToolkitError(f"refusing to serve: the store {store_file} is inside the run folder {run_folder}")
        query_path = f"{plan.base_url}kq-{secrets.token_urlsafe(24)}/"
        os.environ.update(plan.env)  # every kernel inherits the server's environment
        os.environ.update(kernel_env(plan, query_path, write_startup(run_folder / IPYTHON_FOLDER)))
        room = make_room(plan)
        write_private_text(run_folder / FACILITATOR_TOKEN_FILE, room.facilitator_token + "\n")
        sign_pages(folder, run_folder)
        from traitlets.config import Config

        started = time.monotonic()
        cls = workshop_voila_class()
        app = cls.instance(config=Config(voila_config(plan, run_folder)))
        app.room, app.kernel_limits, app.allowed_hosts, app.query_path = room, plan.limits, plan.allowed_hosts, query_path
        app.room_route = plan.route
        app.on_answering = lambda: out(describe(plan))
        app.on_ready = lambda warm, pooled: out(ready_line(plan, warm, pooled, time.monotonic() - started))
        app.on_stopping = lambda: out("Stopping: shutting the kernels down ...")
        app.initialize([str(folder)])
        app.start()  # runs until Ctrl-C or SIGTERM, then shuts the kernels down
    except KeyboardInterrupt:
        pass  # Ctrl-C before the server ran, or twice: what started stops with this process
    finally:
        if fork is not None:
            fork.stop()
        shutil.rmtree(run_folder, ignore_errors=True)
    out("Stopped.")
    return 0


def make_room(plan: ServePlan) -> Any:
    """The :class:`~toolkit.serve.room.Room` of a plan: its pages and the
    secrets read from its store (so ``workshop code --new`` takes effect
    while serving)."""
    import logging

    from toolkit.serve.room import DASHBOARD, PAGES, Room
    from toolkit.store import AnswerStore, room_keys

    store = AnswerStore(plan.url, read_only=True)
    log = logging.getLogger("workshop.serve")
    return Room(
        slug=plan.slug,
        base_url=plan.base_url,
        read_secrets=lambda: room_keys.read_secrets(store, plan.slug),
        pages={p.name: DASHBOARD if p.dashboard else PAGES for p in plan.pages},
        public_dashboard=plan.public_dashboard,
        log=log.warning,
    )


def kernel_env(plan: ServePlan, query_path: str, ipython_dir: Path) -> dict[str, str]:
    """What the server adds to its environment for its kernels: where a
    preheated kernel asks for its request (a path only kernels know, and
    the address the server listens on), and the IPython folder whose
    startup file hides tracebacks from the page."""
    env = {"VOILA_WS_BASE_URL": query_path, "IPYTHONDIR": str(ipython_dir)}
    if plan.host not in ("0.0.0.0", "::", "") and ":" not in plan.host:
        env["VOILA_APP_IP"] = plan.host  # a server on one address is not on 127.0.0.1
    return env


def _sqlite_file(url: str) -> Path | None:
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database)
    return None
