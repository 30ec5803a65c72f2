"""What ``workshop serve`` will serve: the plan (store, workshop, pages,
pools, kernel limits, address, the room's join code and dashboard key)
checked before anything starts, the message with the links to share
(:func:`describe`) and the line saying the pools are warm (:func:`ready_line`).

    >>> plan = plan_serve(db="/srv/riverside.sqlite", host="0.0.0.0", pool=4)
    >>> print(describe(plan))
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import ToolkitError
from toolkit.serve.kernel_limits import DEFAULT_UNCONNECTED_SECONDS, KernelLimits
from toolkit.serve.pages import PRESENTER_PAGE, Page, site_pages

if TYPE_CHECKING:
    from toolkit.content import Toolkit

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
#: Host names every server answers to, whatever it listens on: this machine.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
#: Set in every kernel's environment with ``--public-dashboard``: the
#: dashboard hides names whatever the workshop's setting.
PUBLIC_DASHBOARD_ENV = "WORKSHOP_PUBLIC_DASHBOARD"
#: The join link and code every kernel gets (the presenter view shows them).
JOIN_URL_ENV, JOIN_CODE_ENV = "WORKSHOP_JOIN_URL", "WORKSHOP_JOIN_CODE"


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

    ``pages`` are the notebooks to serve, built from the content
    (:mod:`toolkit.serve.pages`). ``pool`` is the pool of every participant
    page and ``page_pools`` the pages given their own size (``--pool-for``);
    :meth:`pool_size` says what a page gets. ``join_code`` and
    ``dashboard_key`` are the room's secrets (:mod:`toolkit.store.room_keys`);
    ``limits`` caps the kernels; ``allow_hosts`` are host names to answer
    to beside the ones in the links (:attr:`allowed_hosts`)."""

    url: str
    slug: str
    title: str
    host: str
    port: int
    pool: int
    cull_minutes: int
    dashboard_only: bool
    pages: tuple[Page, ...]
    env: dict[str, str] = field(default_factory=dict)
    page_pools: tuple[PagePool, ...] = ()
    refill_seconds: float = DEFAULT_REFILL_SECONDS
    base_url: str = DEFAULT_BASE_URL
    join_code: str = ""
    dashboard_key: str = ""
    public_dashboard: bool = False
    limits: KernelLimits | None = None
    allow_hosts: tuple[str, ...] = ()

    @property
    def notebooks(self) -> tuple[str, ...]:
        """The served notebooks' file names, in order."""
        return tuple(page.name for page in self.pages)

    @property
    def route(self) -> tuple[str, ...]:
        """The participant pages in the order a room walks them (the
        stages, then the priorities): where a room-sized pool moves next
        (:class:`~toolkit.serve.kernel_pool.RefillWhenQuiet`)."""
        return tuple(page.name for page in self.pages if not page.dashboard)

    def pool_size(self, notebook: str) -> int:
        """Preheated kernels kept warm for ``notebook``: its own size if it
        was given one, else ``pool`` (one for the dashboard, which a screen
        or a few show; none for the presenter view, opened once)."""
        for page in self.page_pools:
            if page.notebook == notebook:
                return page.size
        if notebook == PRESENTER_PAGE:
            return 0  # opened once, on the projector: it can wait for its kernel
        if any(page.dashboard and page.name == notebook for page in self.pages):
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

    @property
    def allowed_hosts(self) -> tuple[str, ...]:
        """The ``Host`` names the server answers to: this machine, the
        address in the links, the one it listens on, and ``allow_hosts``
        (behind a proxy, its public name). Any other is refused, so a web
        page elsewhere cannot reach the server by renaming it (DNS rebinding)."""
        hosts = [*LOOPBACK_HOSTS, self.public_host]
        if self.host not in ("0.0.0.0", "::", ""):
            hosts.append(self.host)
        hosts += [h.lower() for h in self.allow_hosts]
        return tuple(dict.fromkeys(h.lower() for h in hosts))

    def address(self, path: str = "") -> str:
        """A full link to ``path`` under the base URL, on :attr:`public_host`."""
        host = self.public_host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}{self.base_url}{path}"

    def link(self, notebook: str) -> str:
        """A page's address (opens once the browser has joined)."""
        return self.address(f"voila/render/{notebook}")

    @property
    def join_link(self) -> str:
        """The participants' link: one click joins and opens the first page."""
        return self.address(f"join/{self.join_code}")

    @property
    def dashboard_link(self) -> str:
        """The projected dashboard's own link (its key), or with
        ``public_dashboard`` the dashboard's plain address."""
        dashboard = next((p.name for p in self.pages if p.dashboard), None)
        if self.public_dashboard or dashboard is None:
            return self.link(dashboard or "")
        return self.address(f"dashboard/{self.dashboard_key}")


def page_names(pages: Iterable[Page]) -> dict[str, str | None]:
    """The names ``--pool-for`` accepts, lower case, mapped to the page's
    file name: the file name, its stem, and for a stage its id and number
    (``stage-1-diagnosis.ipynb``, ``stage-1-diagnosis``, ``diagnosis``,
    ``1``); ``priorities``, ``dashboard``. A name two pages answer to (a
    stage whose id is ``priorities``) maps to ``None``."""
    names: dict[str, str | None] = {}
    for page in pages:
        for alias in page.names:
            names[alias] = page.name if names.get(alias, page.name) == page.name else None
    return names


def parse_page_pools(specs: Iterable[str], pages: Sequence[Page]) -> tuple[PagePool, ...]:
    """Read ``--pool-for`` values (``PAGE=N``) against the served pages.

        >>> parse_page_pools(["diagnosis=20", "dashboard=0"], site_pages(kit))
        (PagePool(notebook='stage-1-diagnosis.ipynb', size=20), PagePool(notebook='dashboard.ipynb', size=0))
    """
    names = page_names(pages)
    valid = ", ".join(_page_choices(pages)) + " (or a page's file name)"
    chosen: dict[str, tuple[str, int]] = {}
    for spec in specs:
        page, sep, count = spec.partition("=")
        page, count = page.strip(), count.strip()
        if not sep or not page:
            raise ToolkitError(f"--pool-for {spec!r}: expected PAGE=N, e.g. diagnosis=20; pages: {valid}")
        if page.lower() in names and names[page.lower()] is None:
            raise ToolkitError(f"--pool-for {spec!r}: {page!r} names more than one page; use a file name: {', '.join(p.name for p in pages)}")
        notebook = names.get(page.lower())
        if notebook is None:
            raise ToolkitError(f"--pool-for {spec!r}: no served page is called {page!r}; pages: {valid}")
        if not re.fullmatch(r"[0-9]+", count):
            raise ToolkitError(f"--pool-for {spec!r}: N must be a whole number of kernels, 0 or more, got {count!r}")
        if notebook in chosen:
            raise ToolkitError(f"--pool-for {spec!r}: {notebook} was already given {chosen[notebook][0]!r}")
        chosen[notebook] = (spec, int(count))
    return tuple(PagePool(p.name, chosen[p.name][1]) for p in pages if p.name in chosen)


def _page_choices(pages: Sequence[Page]) -> list[str]:
    """The valid pages for an error message: ``diagnosis (1), ..., priorities, dashboard``."""
    choices = []
    for page in pages:
        first, *more = page.aliases or (Path(page.name).stem,)
        choices.append(f"{first} ({more[0]})" if more and more[0].isdigit() else Path(page.name).stem)
    return choices


def normalise_base_url(base_url: str) -> str:
    """``--base-url`` as Voila wants it: one leading and one trailing slash
    (``hub/workshop`` -> ``/hub/workshop/``); refuses anything but a plain path."""
    path = "/" + base_url.strip().strip("/") + "/" if base_url.strip("/ ") else "/"
    if not re.fullmatch(r"/([A-Za-z0-9._~-]+/)*", path) or re.search(r"/\.\.?/", path):
        raise ToolkitError(f"--base-url: expected a path such as /hub/workshop/, got {base_url!r}")
    return path


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
    kit: Toolkit | None = None,
    max_kernels: int | None = None,
    max_kernels_per_page: int | None = None,
    unconnected_seconds: float = DEFAULT_UNCONNECTED_SECONDS,
    public_dashboard: bool = False,
    allow_hosts: Iterable[str] = (),
) -> ServePlan:
    """Check the content, the store and the options and decide what to
    serve: a page per stage of ``kit`` (default: :func:`toolkit.content.load`),
    the priorities page and the dashboard. The workshop is ``workshop``,
    else the one this store was served with last, else the newest; it is
    remembered for next time. ``pool_for`` holds ``PAGE=N`` values (see
    :func:`parse_page_pools`). The workshop's join code and dashboard key
    are made on first serve. Every kernel gets the store, the workshop and
    the content file in its environment."""
    from toolkit import content
    from toolkit.store import AnswerStore
    from toolkit.store import room_keys

    if not 1 <= port <= 65535:
        raise ToolkitError(f"--port: expected 1 to 65535, got {port}")
    if pool < 0:
        raise ToolkitError(f"--pool: expected 0 or more kernels, got {pool}")
    if not 0 <= refill_seconds <= 3600:
        raise ToolkitError(f"--refill-seconds: expected 0 to 3600, got {refill_seconds}")
    if cull_minutes < 1:
        raise ToolkitError(f"--cull-minutes: expected 1 or more, got {cull_minutes}")
    if not 10 <= unconnected_seconds <= 3600:
        raise ToolkitError(f"--unconnected-seconds: expected 10 to 3600, got {unconnected_seconds:g}")
    hosts = tuple(_check_host_name(h) for h in allow_hosts)
    base_url = normalise_base_url(base_url)
    kit = kit if kit is not None else content.load()
    pages = site_pages(kit, dashboard_only=dashboard_only)
    page_pools = parse_page_pools(pool_for, pages)
    limits = KernelLimits.for_machine(pages=len(pages), total=max_kernels, per_page=max_kernels_per_page, unconnected_seconds=unconnected_seconds)
    store = AnswerStore(db, kit=kit)
    try:
        if workshop:
            ws = store.workshop(workshop)
        else:
            listed = store.workshops()
            if not listed:
                raise ToolkitError('the store has no workshop yet; create one with: workshop new "Title"  (or: workshop demo)')
            last = room_keys.last_served(store)
            ws = next((w for w in listed if w.slug == last), listed[0])
        code = room_keys.join_code(store, ws.slug)
        key = room_keys.dashboard_key(store, ws.slug)
        room_keys.remember_served(store, ws.slug)
        url = store.url
    finally:
        store.close()
    # The kernels read exactly the content checked here, wherever it came from.
    env = {"WORKSHOP_DB": url, "WORKSHOP_SLUG": ws.slug, content.CONTENT_ENV: str(Path(kit.path).resolve())}
    if public_dashboard:
        env[PUBLIC_DASHBOARD_ENV] = "1"
    plan = ServePlan(
        url=url, slug=ws.slug, title=ws.title, host=host, port=port, pool=pool, cull_minutes=cull_minutes,
        dashboard_only=dashboard_only, pages=pages, env=env,
        page_pools=page_pools, refill_seconds=float(refill_seconds), base_url=base_url,
        join_code=code, dashboard_key=key, public_dashboard=public_dashboard, limits=limits, allow_hosts=hosts,
    )
    _check_pools_fit(plan, limits)
    env.update({JOIN_URL_ENV: plan.join_link, JOIN_CODE_ENV: code})  # for the presenter view
    return plan


def _check_pools_fit(plan: ServePlan, limits: KernelLimits) -> None:
    """Warm kernels count against the kernel limits: refuse pools that
    could never all be warm."""
    for notebook in plan.notebooks:
        if plan.pool_size(notebook) > limits.per_page:
            raise ToolkitError(
                f"{notebook} keeps {plan.pool_size(notebook)} kernels warm but a page may hold {limits.per_page}; "
                "lower its pool (--pool, --pool-for) or raise --max-kernels-per-page"
            )
    if plan.warm_kernels > limits.total:
        raise ToolkitError(
            f"the pools keep {plan.warm_kernels} kernels warm but the server may hold {limits.total}; "
            "lower the pools (--pool, --pool-for) or raise --max-kernels"
        )


def _check_host_name(name: str) -> str:
    host = name.strip().lower().strip("[]")
    if not re.fullmatch(r"[a-z0-9.:_-]+", host) or host in ("", "*"):
        raise ToolkitError(f"--allow-host: expected a host name or address such as workshop.example.org, got {name!r}")
    return host


def describe(plan: ServePlan) -> str:
    """The message ``workshop serve`` prints: what is served, the join
    link and code, the pages and the dashboard's own link."""
    from toolkit.store.schema import location

    lines = [f"Serving workshop {plan.slug!r} ({plan.title}) from {location(plan.url)}", ""]
    participant = [p for p in plan.pages if not p.dashboard]
    if participant:
        lines.append("Share this link with the room (one click joins, then every page opens):")
        lines.append(f"  {plan.join_link}")
        lines.append(f"Or open {plan.address()} and type the join code:  {plan.join_code}")
        lines.append("")
        lines.append("The pages, once joined:")
        width = max(len(p.label) for p in participant)
        lines += [f"  {p.label:<{width}}  {plan.link(p.name)}" for p in participant]
        lines.append("")
    if any(p.dashboard for p in plan.pages):
        if plan.public_dashboard:
            lines.append("The dashboard is public (read-only, names hidden): anyone may open")
        else:
            lines.append("Project the dashboard (read-only; its own link, keep it for the screen):")
        lines.append(f"  {plan.dashboard_link}")
        presenter = [p for p in plan.pages if p.dashboard and p.name == PRESENTER_PAGE]
        if presenter:
            lines.append("On the projector, after that link: the presenter view (one section per screen, the join code and QR code on it):")
            lines.append(f"  {plan.link(PRESENTER_PAGE)}")
        lines.append("")
    if plan.host in ("127.0.0.1", "localhost", "::1"):
        lines.append("Only this machine can open these links; to let the room connect, run with --host 0.0.0.0.")
    lines.append(_warm_summary(plan))
    if plan.limits is not None:
        lines.append(
            f"At most {plan.limits.total} kernels at once ({plan.limits.per_page} on one page); a page that does not "
            f"connect within {plan.limits.unconnected_seconds:g} s gives its kernel back."
        )
    lines.append(f"Kernels of closed pages are shut down after {plan.cull_minutes} idle minutes. Press Ctrl-C to stop.")
    return "\n".join(lines)


def _warm_summary(plan: ServePlan) -> str:
    """``Kernels kept warm: 20 on 1. Diagnosis, 2 on each other participant
    page, 1 on the dashboard (29 in all); ...``"""
    total = plan.warm_kernels
    if total == 0:
        return "No preheated kernels: every visitor waits for a kernel to start."
    participant = [p for p in plan.pages if not p.dashboard]
    own = {page.notebook for page in plan.page_pools}
    parts = [f"{plan.pool_size(p.name)} on {p.label}" for p in participant if p.name in own]
    rest = [p for p in participant if p.name not in own]
    if len(rest) == 1:
        parts.append(f"{plan.pool} on {rest[0].label}")
    elif rest:
        parts.append(f"{plan.pool} on each {'other ' if len(rest) < len(participant) else ''}participant page")
    # (the presenter view keeps none unless --pool-for says so: not worth a mention)
    parts += [f"{plan.pool_size(p.name)} on the {p.label.lower()}" for p in plan.pages if p.dashboard and (p.name != PRESENTER_PAGE or plan.pool_size(p.name))]
    seconds = f"{plan.refill_seconds:g}"
    return (
        f"Kernels kept warm: {', '.join(parts)} ({total} in all); "
        f"a page's pool is refilled once nobody has opened it for {seconds} s."
    )


def ready_line(plan: ServePlan, warm: int, pooled: int, seconds: float) -> str:
    """The line ``workshop serve`` prints once its pools are warm: every
    preheated kernel (``pooled`` of them) has run its page (``warm`` did),
    ``seconds`` after the start.

        >>> ready_line(plan, 11, 11, 42.4)
        'Ready: 11 preheated kernels have run their pages (42 s after the start).'
    """
    after = f"{seconds:.0f} s after the start"
    if pooled == 0:
        return f"Ready ({after}); no preheated kernels, so every visitor waits for a kernel to start."
    if warm == pooled:
        return f"Ready: {pooled} preheated kernel{'s have' if pooled != 1 else ' has'} run {'their pages' if pooled != 1 else 'its page'} ({after})."
    return (
        f"Ready, but only {warm} of {pooled} preheated kernels ran their page ({after}; see the lines above); "
        "visitors past them wait for a kernel to start."
    )


