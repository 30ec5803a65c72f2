"""What ``workshop serve`` will serve: the plan (store, workshop, pages,
pools, address) checked before anything starts, and the message with the
links to share (:func:`describe`).

    >>> plan = plan_serve(db="/srv/riverside.sqlite", host="0.0.0.0", pool=4)
    >>> print(describe(plan))
"""

from __future__ import annotations

import re
import shutil
import socket
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.paths import kit_folder
from toolkit.serve.run_folder import RUN_FOLDER_PREFIX

#: Where the packaged notebooks live.
NOTEBOOKS_DIR = kit_folder("notebooks")
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
#: A page's pool is refilled once nobody has opened it for this many seconds.
#: Starting a kernel and running a workbook costs a core for a few seconds;
#: while the room arrives those cores are needed by the pages being opened,
#: and a room arrives within about this long. Voila's own default is 1 s.
DEFAULT_REFILL_SECONDS = 20.0
#: Served under this path unless ``--base-url`` says otherwise.
DEFAULT_BASE_URL = "/"
@dataclass(frozen=True)
class PagePool:
    """How many preheated kernels one served notebook keeps warm."""

    notebook: str
    size: int

    def to_dict(self) -> dict[str, object]:
        return {"notebook": self.notebook, "size": self.size}


@dataclass(frozen=True)
class ServePlan:
    """Everything ``workshop serve`` decided before starting Voila.

    ``pool`` is the pool of every participant page and ``page_pools`` the
    pages given their own size (``--pool-for``); :meth:`pool_size` says
    what a page gets."""

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
    page_pools: tuple[PagePool, ...] = ()
    refill_seconds: float = DEFAULT_REFILL_SECONDS
    base_url: str = DEFAULT_BASE_URL

    def pool_size(self, notebook: str) -> int:
        """Preheated kernels kept warm for ``notebook``: its own size if it
        was given one, else ``pool`` (one for the dashboard, which a screen
        or a few show)."""
        for page in self.page_pools:
            if page.notebook == notebook:
                return page.size
        if notebook == DASHBOARD_NOTEBOOK:
            return min(self.pool, 1)
        return self.pool

    @property
    def warm_kernels(self) -> int:
        """Preheated kernels over every served page, before anyone arrives."""
        return sum(self.pool_size(nb) for nb in self.notebooks)

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
        return f"http://{host}:{self.port}{self.base_url}voila/render/{notebook}"


def page_names(notebooks: Iterable[str]) -> dict[str, str]:
    """The names ``--pool-for`` accepts for each notebook, mapped to it:
    the file name, its stem, the stage id and number (``01_diagnosis.ipynb``,
    ``01_diagnosis``, ``diagnosis``, ``1``), and ``dashboard``."""
    names: dict[str, str] = {}
    for notebook in notebooks:
        stem = Path(notebook).stem
        number, _, rest = stem.partition("_")
        aliases = [notebook, stem]
        if number.isdigit() and rest:
            aliases += [rest, str(int(number))]
        for alias in aliases:
            names[alias.lower()] = notebook
    return names


def parse_page_pools(specs: Iterable[str], notebooks: Sequence[str]) -> tuple[PagePool, ...]:
    """Read ``--pool-for`` values (``PAGE=N``) against the served notebooks.

        >>> parse_page_pools(["diagnosis=20", "dashboard=0"], ("01_diagnosis.ipynb", "dashboard.ipynb"))
        (PagePool(notebook='01_diagnosis.ipynb', size=20), PagePool(notebook='dashboard.ipynb', size=0))
    """
    names = page_names(notebooks)
    valid = ", ".join(_page_choices(notebooks)) + " (or a notebook's file name)"
    chosen: dict[str, tuple[str, int]] = {}
    for spec in specs:
        page, sep, count = spec.partition("=")
        page, count = page.strip(), count.strip()
        if not sep or not page:
            raise ToolkitError(f"--pool-for {spec!r}: expected PAGE=N, e.g. diagnosis=20; pages: {valid}")
        notebook = names.get(page.lower())
        if notebook is None:
            raise ToolkitError(f"--pool-for {spec!r}: no served page is called {page!r}; pages: {valid}")
        if not re.fullmatch(r"[0-9]+", count):
            raise ToolkitError(f"--pool-for {spec!r}: N must be a whole number of kernels, 0 or more, got {count!r}")
        if notebook in chosen:
            raise ToolkitError(f"--pool-for {spec!r}: {notebook} was already given {chosen[notebook][0]!r}")
        chosen[notebook] = (spec, int(count))
    return tuple(PagePool(nb, chosen[nb][1]) for nb in notebooks if nb in chosen)


def _page_choices(notebooks: Sequence[str]) -> list[str]:
    """The valid pages for an error message: ``diagnosis (1), ..., dashboard``."""
    choices = []
    for notebook in notebooks:
        number, _, rest = Path(notebook).stem.partition("_")
        choices.append(f"{rest} ({int(number)})" if number.isdigit() and rest else Path(notebook).stem)
    return choices


def normalise_base_url(base_url: str) -> str:
    """``--base-url`` as Voila wants it: one leading and one trailing slash
    (``hub/workshop`` -> ``/hub/workshop/``); refuses anything but a plain path."""
    path = "/" + base_url.strip().strip("/") + "/" if base_url.strip("/ ") else "/"
    if not re.fullmatch(r"/([A-Za-z0-9._~-]+/)*", path) or re.search(r"/\.\.?/", path):
        raise ToolkitError(f"--base-url: expected a path such as /hub/workshop/, got {base_url!r}")
    return path


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
    target = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix=RUN_FOLDER_PREFIX))
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
    pool_for: Iterable[str] = (),
    refill_seconds: float = DEFAULT_REFILL_SECONDS,
    cull_minutes: int = DEFAULT_CULL_MINUTES,
    dashboard_only: bool = False,
    base_url: str = DEFAULT_BASE_URL,
    source: Path = NOTEBOOKS_DIR,
) -> ServePlan:
    """Check the store and the options and decide what to serve. The
    workshop is ``workshop`` or else the newest one in the store;
    ``pool_for`` holds ``PAGE=N`` values (see :func:`parse_page_pools`)."""
    from toolkit.store import AnswerStore

    if not 1 <= port <= 65535:
        raise ToolkitError(f"--port: expected 1 to 65535, got {port}")
    if pool < 0:
        raise ToolkitError(f"--pool: expected 0 or more kernels, got {pool}")
    if not 0 <= refill_seconds <= 3600:
        raise ToolkitError(f"--refill-seconds: expected 0 to 3600, got {refill_seconds}")
    if cull_minutes < 1:
        raise ToolkitError(f"--cull-minutes: expected 1 or more, got {cull_minutes}")
    base_url = normalise_base_url(base_url)
    notebooks = served_notebooks(source, dashboard_only=dashboard_only)
    page_pools = parse_page_pools(pool_for, notebooks)
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
    env = {"WORKSHOP_DB": url, "WORKSHOP_SLUG": ws.slug}
    return ServePlan(
        url=url, slug=ws.slug, title=ws.title, host=host, port=port, pool=pool, cull_minutes=cull_minutes,
        dashboard_only=dashboard_only, notebooks=notebooks, source=Path(source), env=env,
        page_pools=page_pools, refill_seconds=float(refill_seconds), base_url=base_url,
    )


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
    lines.append(_warm_summary(plan))
    lines.append(f"Kernels of closed pages are shut down after {plan.cull_minutes} idle minutes. Press Ctrl-C to stop.")
    return "\n".join(lines)


def _warm_summary(plan: ServePlan) -> str:
    """``Kernels kept warm: 20 on 1. Diagnosis, 2 on each other participant
    page, 1 on the dashboard (29 in all); ...``"""
    total = plan.warm_kernels
    if total == 0:
        return "No preheated kernels: every visitor waits for a kernel to start."
    participant = [nb for nb in plan.notebooks if nb != DASHBOARD_NOTEBOOK]
    own = {page.notebook for page in plan.page_pools}
    parts = [f"{plan.pool_size(nb)} on {_label(nb)}" for nb in participant if nb in own]
    rest = [nb for nb in participant if nb not in own]
    if len(rest) == 1:
        parts.append(f"{plan.pool} on {_label(rest[0])}")
    elif rest:
        parts.append(f"{plan.pool} on each {'other ' if len(rest) < len(participant) else ''}participant page")
    parts.append(f"{plan.pool_size(DASHBOARD_NOTEBOOK)} on the dashboard")
    seconds = f"{plan.refill_seconds:g}"
    return (
        f"Kernels kept warm: {', '.join(parts)} ({total} in all); "
        f"a page's pool is refilled once nobody has opened it for {seconds} s."
    )


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


