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
from toolkit.serve.plan import ServePlan, describe, port_free, prepare_folder
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
    """Remove run folders left by killed servers, copy the notebooks to a
    fresh run folder, print the links and run Voila until Ctrl-C (or
    SIGTERM); the run folder is removed afterwards."""
    out = out or (lambda text: (sys.stdout.write(text + "\n"), sys.stdout.flush()))
    if not port_free(plan.host, plan.port):
        raise ToolkitError(f"port {plan.port} on {plan.host} is in use (another workshop serve?); pick another with --port")
    stale = remove_stale_run_folders()
    if stale:
        out(f"Removed {len(stale)} folder{'s' if len(stale) != 1 else ''} left by a workshop serve that was killed: {', '.join(map(str, stale))}")
    run_folder = make_run_folder()
    try:
        folder = prepare_folder(plan.notebooks, plan.source, run_folder / PAGES_FOLDER)
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
