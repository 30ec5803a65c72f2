"""The Voila application ``workshop serve`` runs: its configuration for a
plan (:func:`voila_config`), the Voila subclass that pins what a page may
do (:func:`workshop_voila_class`) and :func:`run`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.serve.kernel_pool import with_refill_when_quiet
from toolkit.serve.pages import write_pages
from toolkit.serve.plan import ServePlan, describe, port_free
from toolkit.serve.run_folder import (
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
#: Files it refuses even if the allowlist matched.
FILE_DENYLIST = (
    r".*\.(ipynb|py|pyc|sqlite|sqlite3|db|db-wal|db-shm|sqlite-wal|sqlite-shm|yaml|yml|json|csv|xlsx|toml|ini|cfg|env|txt|md|sh)",
    r".*\.\..*",
    r"(.*[/\\])?\..*",
)



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
    if run_folder is not None:
        voila["connection_dir_root"] = str(run_folder)
    return {
        "Voila": voila,
        "VoilaConfiguration": {
            "preheat_kernel": preheat,
            "default_pool_size": plan.pool,
            "show_tracebacks": False,
            "strip_sources": True,
            "extension_allowlist": list(PAGE_EXTENSIONS),
            "file_allowlist": list(FILE_ALLOWLIST),
            "file_denylist": list(FILE_DENYLIST),
            # The page's Cookie header reaches its kernel as HTTP_COOKIE
            # (preheated kernels once a request claims them): the device
            # token in it tells the kernel who is on the other end.
            "http_header_envs": ["Cookie"],
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
        "VoilaExecutor": {"iopub_timeout": IOPUB_TIMEOUT_SECONDS, "raise_on_iopub_timeout": False},
        "MappingKernelManager": {
            "cull_idle_timeout": plan.cull_minutes * 60,
            "cull_interval": min(60, plan.cull_minutes * 60),
            "cull_connected": False,
        },
    }


def voila_hook_problems() -> list[str]:
    """What this kit needs from Voila's insides and does not find, one line
    each; empty when everything is in place. :class:`WorkshopVoila` and
    :class:`~toolkit.serve.kernel_pool.RefillWhenQuiet` override or call
    private parts of Voila 0.5 (the pin in ``pyproject.toml``): the kernel
    manager factory, ``init_settings``, the pool's ``fill_if_needed``,
    ``get_pool_size``, ``_initialize`` and ``shutdown_all``; and
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
    classes: dict[str, type] = {}
    if callable(factory):
        pooled = factory(AsyncMappingKernelManager, True, 1)
        for name, params, coroutine in (
            ("fill_if_needed", ("delay", "notebook_name"), False),
            ("get_pool_size", ("notebook_name",), False),
            ("_initialize", ("notebook_path", "kernel_id"), True),
            ("shutdown_all", (), True),
        ):
            wants(f"Voila's pooling kernel manager .{name}", getattr(pooled, name, None), params, coroutine=coroutine)
        classes["VoilaKernelManager"] = pooled

    from jupyter_client.manager import KernelManager
    from voila.configuration import VoilaConfiguration
    from voila.execute import VoilaExecutor

    from toolkit.serve.pages import dashboard_page

    classes.update(Voila=voila_app.Voila, VoilaConfiguration=VoilaConfiguration, KernelManager=KernelManager,
                   VoilaExecutor=VoilaExecutor, MappingKernelManager=AsyncMappingKernelManager)
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
    """Voila, with the page's kernel messages pinned to
    :data:`ALLOWED_MESSAGE_TYPES` whatever Voila's defaults become."""
    from voila.app import Voila

    class WorkshopVoila(Voila):
        def initialize(self, argv: Sequence[str] | None = None) -> None:
            super().initialize(argv)
            # A jupyter config file cannot widen what is served.
            self.voila_configuration.file_allowlist = list(FILE_ALLOWLIST)
            self.voila_configuration.file_denylist = list(FILE_DENYLIST)
            self.voila_configuration.show_tracebacks = False

        def init_settings(self) -> dict:
            # Voila builds its pooling kernel manager class here and fills
            # the pools from its __init__, so RefillWhenQuiet goes into the
            # class Voila builds: the very first pool starts are batched too.
            import voila.app as voila_app

            factory = voila_app.voila_kernel_manager_factory
            voila_app.voila_kernel_manager_factory = lambda *a, **kw: with_refill_when_quiet(factory(*a, **kw))
            try:
                settings = super().init_settings()
            finally:
                voila_app.voila_kernel_manager_factory = factory
            self.kernel_manager.allowed_message_types = list(ALLOWED_MESSAGE_TYPES)
            allowed = set(self.kernel_manager.allowed_message_types)
            if not allowed or "execute_request" in allowed:
                raise ToolkitError("refusing to serve: the kernel manager would accept code from the page")
            return settings

    return WorkshopVoila


def run(plan: ServePlan, *, out: Callable[[str], None] | None = None) -> int:
    """Remove run folders left by killed servers, write the plan's pages
    into a fresh run folder, print the links and run Voila until Ctrl-C
    (or SIGTERM); the run folder is removed afterwards."""
    out = out or (lambda text: (sys.stdout.write(text + "\n"), sys.stdout.flush()))
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
    run_folder = make_run_folder()
    try:
        folder = write_pages(plan.pages, run_folder / PAGES_FOLDER)
        store_file = _sqlite_file(plan.url)
        if store_file is not None and run_folder.resolve() in store_file.resolve().parents:
            raise ToolkitError(f"refusing to serve: the store {store_file} is inside the run folder {run_folder}")
        os.environ.update(plan.env)  # every kernel inherits the server's environment
        out(describe(plan))
        from traitlets.config import Config

        app = workshop_voila_class().instance(config=Config(voila_config(plan, run_folder)))
        app.initialize([str(folder)])
        app.start()  # runs until Ctrl-C or SIGTERM, then shuts the kernels down
        return 0
    finally:
        shutil.rmtree(run_folder, ignore_errors=True)


def _sqlite_file(url: str) -> Path | None:
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database)
    return None
