"""Serve a workshop to the room with Voila: the participant notebooks
(``01_*.ipynb`` .. ``05_*.ipynb``) and the read-only dashboard, nothing else.

    >>> plan = plan_serve(db="/srv/riverside.sqlite", host="0.0.0.0", pool=4)
    >>> print(describe(plan))        # the links to share with the room
    >>> run(plan)                    # until Ctrl-C

What the room can reach, and what it cannot:

- **Only the allowed notebooks.** They are copied into a fresh folder
  (a temporary directory, removed on exit) and Voila serves that folder, so
  the facilitator console (``00_facilitator.ipynb``), the store file and the
  content files are not under Voila's root at all. Voila's tree page is
  left on: it lists exactly the served notebooks, which is a useful landing
  page for someone who types the bare address.
- **No files.** Voila's file handler (``/voila/files/...``) only serves
  images at the top of the served folder (which holds none), and refuses
  notebooks, Python, databases, YAML, JSON, spreadsheets, dot-files and any
  path with ``..`` in it.
- **No code from the page.** A page may send only the kernel messages that
  widgets need (:data:`ALLOWED_MESSAGE_TYPES`: comms, ``kernel_info_request``,
  ``shutdown_request``); Jupyter Server drops anything else, ``execute_request``
  included, before it reaches the kernel. Voila 0.5 sets this list itself;
  :class:`WorkshopVoila` sets it again and refuses to start if it would allow
  ``execute_request``, so a change in Voila's defaults cannot open it.

Every kernel gets the store's URL in ``$WORKSHOP_DB`` and the workshop in
``$WORKSHOP_SLUG``. A pool of preheated kernels per page keeps the first
visitors from waiting, and kernels left idle by closed pages are culled.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import ToolkitError

#: Where the packaged notebooks live.
NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
#: Participant notebooks: numbered 01 and up (00 is the facilitator console).
PARTICIPANT_NOTEBOOK = re.compile(r"^(0[1-9]|[1-9][0-9])_[A-Za-z0-9_-]+\.ipynb$")
DASHBOARD_NOTEBOOK = "dashboard.ipynb"
#: Never served, whatever a folder holds.
CONSOLE_NOTEBOOK = "00_facilitator.ipynb"

DEFAULT_PORT = 8866
DEFAULT_HOST = "127.0.0.1"
#: Preheated kernels kept warm per participant page (the dashboard keeps one).
DEFAULT_POOL = 2
#: Kernels whose page was closed are shut down after this many idle minutes.
DEFAULT_CULL_MINUTES = 30
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


@dataclass(frozen=True)
class ServePlan:
    """Everything ``workshop serve`` decided before starting Voila."""

    url: str
    slug: str
    title: str
    host: str
    port: int
    pool: int
    cull_minutes: int
    dashboard_only: bool
    notebooks: tuple[str, ...]
    source: Path = NOTEBOOKS_DIR
    env: dict[str, str] = field(default_factory=dict)

    @property
    def public_host(self) -> str:
        """The host name to put in the links: the LAN address when
        listening on every interface, ``localhost`` for the loopback."""
        if self.host in ("0.0.0.0", "::", ""):
            return lan_ip()
        if self.host in ("127.0.0.1", "::1", "localhost"):
            return "localhost"
        return self.host

    def link(self, notebook: str) -> str:
        host = self.public_host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/voila/render/{notebook}"


def served_notebooks(source: Path = NOTEBOOKS_DIR, *, dashboard_only: bool = False) -> tuple[str, ...]:
    """Names of the notebooks to serve from ``source``: the participant
    notebooks in order, then the dashboard; just the dashboard with
    ``dashboard_only``. The console is never among them."""
    names = sorted(p.name for p in Path(source).glob("*.ipynb"))
    chosen = [] if dashboard_only else [n for n in names if PARTICIPANT_NOTEBOOK.match(n) and n != CONSOLE_NOTEBOOK]
    if DASHBOARD_NOTEBOOK not in names:
        raise ToolkitError(f"the dashboard notebook is missing: {Path(source) / DASHBOARD_NOTEBOOK}")
    return (*chosen, DASHBOARD_NOTEBOOK)


def prepare_folder(notebooks: Sequence[str], source: Path = NOTEBOOKS_DIR, folder: Path | None = None) -> Path:
    """Copy the notebooks to serve into ``folder`` (a new temporary
    directory by default) and return it. Nothing else goes in it."""
    target = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="workshop-serve-"))
    target.mkdir(parents=True, exist_ok=True)
    for name in notebooks:
        if name == CONSOLE_NOTEBOOK or not (PARTICIPANT_NOTEBOOK.match(name) or name == DASHBOARD_NOTEBOOK):
            raise ToolkitError(f"refusing to serve {name!r}: only participant notebooks and the dashboard are served")
        shutil.copyfile(Path(source) / name, target / name)
    return target


def lan_ip() -> str:
    """This machine's address on the local network, for links the room can
    open; ``127.0.0.1`` when there is no network. Sends no packet."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))  # UDP connect only picks a route
            ip = s.getsockname()[0]
            if ip and not ip.startswith("0."):
                return ip
    except OSError:
        pass
    try:
        ip = socket.gethostbyname(socket.gethostname())
        if ip:
            return ip
    except OSError:
        pass
    return "127.0.0.1"


def port_free(host: str, port: int) -> bool:
    """Whether Voila could listen on ``host:port`` now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def plan_serve(
    db: str | None = None,
    *,
    workshop: str | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    pool: int = DEFAULT_POOL,
    cull_minutes: int = DEFAULT_CULL_MINUTES,
    dashboard_only: bool = False,
    source: Path = NOTEBOOKS_DIR,
) -> ServePlan:
    """Check the store and the options and decide what to serve. The
    workshop is ``workshop`` or else the newest one in the store."""
    from toolkit.store import AnswerStore

    if not 1 <= port <= 65535:
        raise ToolkitError(f"--port: expected 1 to 65535, got {port}")
    if pool < 0:
        raise ToolkitError(f"--pool: expected 0 or more kernels, got {pool}")
    if cull_minutes < 1:
        raise ToolkitError(f"--cull-minutes: expected 1 or more, got {cull_minutes}")
    store = AnswerStore(db)
    try:
        if workshop:
            ws = store.workshop(workshop)
        else:
            listed = store.workshops()
            if not listed:
                raise ToolkitError('the store has no workshop yet; create one with: workshop new "Title"  (or: workshop demo)')
            ws = listed[0]
        url = store.url
    finally:
        store.close()
    notebooks = served_notebooks(source, dashboard_only=dashboard_only)
    env = {"WORKSHOP_DB": url, "WORKSHOP_SLUG": ws.slug}
    return ServePlan(
        url=url, slug=ws.slug, title=ws.title, host=host, port=port, pool=pool, cull_minutes=cull_minutes,
        dashboard_only=dashboard_only, notebooks=notebooks, source=Path(source), env=env,
    )


def voila_config(plan: ServePlan) -> dict[str, dict[str, object]]:
    """Voila's configuration for a plan, as ``{Class: {trait: value}}``."""
    pools: dict[str, dict[str, int]] = {"default": {"pool_size": plan.pool}}
    if plan.pool > 0:
        pools[DASHBOARD_NOTEBOOK] = {"pool_size": 1}  # projected by one screen or a few
    return {
        "Voila": {"ip": plan.host, "port": plan.port, "port_retries": 0, "open_browser": False},
        "VoilaConfiguration": {
            "preheat_kernel": plan.pool > 0,
            "default_pool_size": plan.pool,
            "show_tracebacks": False,
            "strip_sources": True,
            "file_allowlist": list(FILE_ALLOWLIST),
            "file_denylist": list(FILE_DENYLIST),
        },
        "VoilaKernelManager": {"kernel_pools_config": pools},
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


def describe(plan: ServePlan) -> str:
    """The message ``workshop serve`` prints: what is served and the links."""
    lines = [f"Serving workshop {plan.slug!r} ({plan.title}) from {_safe_url(plan.url)}", ""]
    participant = [n for n in plan.notebooks if n != DASHBOARD_NOTEBOOK]
    if participant:
        lines.append("Share these links with the room:")
        width = max(len(_label(n)) for n in participant)
        lines += [f"  {_label(n):<{width}}  {plan.link(n)}" for n in participant]
        lines.append("")
    lines.append("Project the dashboard (read-only):")
    lines.append(f"  {plan.link(DASHBOARD_NOTEBOOK)}")
    lines.append("")
    if plan.host in ("127.0.0.1", "localhost", "::1"):
        lines.append("Only this machine can open these links; to let the room connect, run with --host 0.0.0.0.")
    warm = f"{plan.pool} kernel{'s' if plan.pool != 1 else ''} kept warm per page" if plan.pool else "no preheated kernels"
    lines.append(f"{warm}; kernels of closed pages are shut down after {plan.cull_minutes} idle minutes. Press Ctrl-C to stop.")
    return "\n".join(lines)


def _label(notebook: str) -> str:
    stem = Path(notebook).stem
    number, _, rest = stem.partition("_")
    return f"{int(number)}. {rest.replace('_', ' ').title()}" if number.isdigit() else stem.replace("_", " ").title()


def _safe_url(url: str) -> str:
    try:
        import sqlalchemy as sa

        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for display
        return url


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
            settings = super().init_settings()
            self.kernel_manager.allowed_message_types = list(ALLOWED_MESSAGE_TYPES)
            allowed = set(self.kernel_manager.allowed_message_types)
            if not allowed or "execute_request" in allowed:
                raise ToolkitError("refusing to serve: the kernel manager would accept code from the page")
            return settings

    return WorkshopVoila


def run(plan: ServePlan, *, out: Callable[[str], None] | None = None) -> int:
    """Copy the notebooks to a fresh folder, print the links and run Voila
    until Ctrl-C (or SIGTERM); the folder is removed afterwards."""
    out = out or (lambda text: (sys.stdout.write(text + "\n"), sys.stdout.flush()))
    if not port_free(plan.host, plan.port):
        raise ToolkitError(f"port {plan.port} on {plan.host} is in use (another workshop serve?); pick another with --port")
    folder = prepare_folder(plan.notebooks, plan.source)
    try:
        store_file = _sqlite_file(plan.url)
        if store_file is not None and folder.resolve() in store_file.resolve().parents:
            raise ToolkitError(f"refusing to serve: the store {store_file} is inside the served folder {folder}")
        os.environ.update(plan.env)  # every kernel inherits the server's environment
        out(describe(plan))
        from traitlets.config import Config

        app = workshop_voila_class().instance(config=Config(voila_config(plan)))
        app.initialize([str(folder)])
        app.start()  # runs until Ctrl-C or SIGTERM, then shuts the kernels down
        return 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _sqlite_file(url: str) -> Path | None:
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database)
    return None
