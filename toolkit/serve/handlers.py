"""The room's door on Jupyter Server's own auth machinery: an identity
provider that knows the room's visitors, an authorizer that gives each
browser its own kernels only, the join page as the login page, and
Voila's handlers swapped for ones that check what they must.

    >>> handlers = room_handlers(voila_handlers, base_url="/", query_path="/kq-SECRET/")

Why Jupyter's machinery rather than a check in front of each handler:
every Jupyter handler (the pages, the kernel websockets, the kernels and
contents APIs) asks the identity provider who is calling before it does
anything, and the kernel handlers ask the authorizer; Tornado's
``@authenticated`` then sends a stranger to the ``login_url`` (here the
join page). A handler Voila adds later gets the same treatment, and
:func:`room_handlers` refuses to serve any handler it does not know.

- :class:`RoomIdentityProvider` -> a :class:`RoomUser` (grants and device,
  :meth:`toolkit.serve.room.Room.visitor`) or ``None`` for a stranger.
- :class:`RoomAuthorizer`: visitors may only read and connect to their own
  kernels (``GET /api/kernels/<id>``, which Voila's page needs for the
  kernel's name, and its channels websocket); no ``DELETE``, no contents.
- :class:`JoinHandler` (``/join``, ``/join/<code>``), :class:`DashboardLinkHandler`
  (``/dashboard/<key>``), :class:`HomeHandler` (``/``).
- :class:`RoomPageHandler`: a page for its grant only, no ``?template=``
  or ``?theme=``, its kernel claimed by the browser, "the room is full"
  instead of a kernel past the cap.
- :class:`RoomShutdownHandler`: the page's ``beforeunload`` beacon shuts
  its own kernel down (the beacon has no XSRF token; the kernel's owner
  cookie and the Origin check stand in for it).
- :class:`RoomApplication`: refuses any ``Host`` not on the allowlist,
  for every path and websocket (DNS rebinding).
"""

from __future__ import annotations

import hmac
import inspect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import tornado.web
from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.auth.identity import IdentityProvider, User
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from voila.request_info_handler import RequestInfoSocketHandler
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.tornado.contentshandler import VoilaContentsHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler
from voila.tornado.treehandler import TornadoVoilaTreeHandler

from toolkit.serve.kernel_limits import RoomFull, visiting
from toolkit.serve.static import SettingsCompressedStatic
from toolkit.serve.room import (
    COOKIE_DAYS,
    DASHBOARD,
    DASHBOARD_COOKIE,
    DEVICE_COOKIE,
    FACILITATOR,
    PAGES,
    ROOM_COOKIE,
    Room,
    new_device,
    valid_device,
)

#: The room's own pages (join, short messages) and their stylesheet.
TEMPLATES = Path(__file__).parent / "templates" / "room"
STATIC = Path(__file__).parent / "static"

#: What a visitor reads instead of an error's details (logged, one line).
MESSAGES = {
    403: "This page is not open to you. Ask the facilitator for the right link.",
    404: "There is no such page in this workshop.",
    429: "Too many wrong codes from this device. Wait a few minutes, then try again.",
    503: "The room is full right now: too many pages are open. Close a tab you no longer need, wait a minute, then reload.",
}
SERVER_ERROR = "Something went wrong on the server. Reload the page; the facilitator can see what happened."
DASHBOARD_ONLY = "The dashboard opens from its own link. Ask the facilitator for it."
WRONG_CODE = "That is not this workshop's code. Check the code on the screen and try again."


@dataclass
class RoomUser(User):
    """A visitor as Jupyter Server sees it: what it may open (``grants``)
    and its browser's device token."""

    grants: frozenset[str] = field(default_factory=frozenset)
    device: str | None = None

    def may(self, grant: str) -> bool:
        return FACILITATOR in self.grants or grant in self.grants


class RoomIdentityProvider(IdentityProvider):
    """Who is calling, from the room's cookies (see :mod:`toolkit.serve.room`)."""

    @property
    def auth_enabled(self) -> bool:
        return True

    @property
    def login_available(self) -> bool:
        return False  # the join page is the way in; there is no password form

    def get_user(self, handler: tornado.web.RequestHandler) -> RoomUser | None:
        room: Room = handler.settings["xs_room"]
        cookies = {name: morsel.value for name, morsel in handler.request.cookies.items()}
        visitor = room.visitor(cookies, handler.request.headers.get("Authorization"))
        if visitor is None:
            return None
        kind = FACILITATOR if FACILITATOR in visitor.grants else (PAGES if PAGES in visitor.grants else DASHBOARD)
        return RoomUser(username=kind, name=kind, display_name=kind, grants=visitor.grants, device=visitor.device)

    def get_handlers(self) -> list[tuple[str, object]]:
        base = getattr(self.parent, "base_url", "/")
        return [
            (f"{base}join", JoinHandler),
            (f"{base}join/([^/]*)", JoinHandler),
            (f"{base}dashboard/([^/]*)", DashboardLinkHandler),
            (f"{base}xs/static/(.*)", KitStaticHandler, {"path": str(STATIC)}),
        ]


class KitStaticHandler(SettingsCompressedStatic, tornado.web.StaticFileHandler):
    """The kit's own scripts and styles (``/xs/static/``), sent as the
    compressed copies made with Voila's (toolkit.serve.static)."""


class RoomAuthorizer(Authorizer):
    """Visitors may read and connect to their own kernels and nothing else
    Jupyter authorizes; the facilitator's token may do anything."""

    def is_authorized(self, handler: JupyterHandler, user: User, action: str, resource: str) -> bool:
        grants = getattr(user, "grants", frozenset())
        if FACILITATOR in grants:
            return True
        if resource == "kernels" and action in ("read", "execute"):
            return owns_kernel(handler, getattr(user, "device", None), _kernel_id(handler))
        return False


def owns_kernel(handler: tornado.web.RequestHandler, device: str | None, kernel_id: str | None) -> bool:
    """Whether ``kernel_id`` was handed to the browser holding ``device``."""
    owner_of = getattr(handler.settings.get("kernel_manager"), "owner_of", None)
    if not device or not kernel_id or owner_of is None:
        return False
    claim = owner_of(kernel_id)
    return claim is not None and claim.device is not None and hmac.compare_digest(claim.device.encode(), device.encode())


def _kernel_id(handler: tornado.web.RequestHandler) -> str | None:
    found = getattr(handler, "kernel_id", None) or handler.path_kwargs.get("kernel_id")
    if not found and handler.path_args:
        found = handler.path_args[0]
    return found if isinstance(found, str) else None


# ----------------------------------------------------------------------
# Helpers every room handler uses


class RoomHandlerMixin:
    """Short pages instead of error details, and one log line per failure."""

    request: Any
    settings: Any
    log: Any

    @property
    def room(self) -> Room:
        return self.settings["xs_room"]

    def room_url(self, path: str = "") -> str:
        return f"{self.room.base_url}{path}"

    def render_room(self, template: str, status: int = 200, **values: Any) -> None:
        env = self.settings["xs_jinja2_env"]
        self.set_status(status)  # type: ignore[attr-defined]
        self.set_header("Content-Type", "text/html; charset=UTF-8")  # type: ignore[attr-defined]
        self.set_header("Cache-Control", "no-store")  # type: ignore[attr-defined]
        self.finish(env.get_template(template).render(base_url=self.room.base_url, **values))  # type: ignore[attr-defined]

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.render_room("message.html", status_code, message=MESSAGES.get(status_code, SERVER_ERROR))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, tornado.web.HTTPError):
            return super().log_exception(typ, value, tb)  # type: ignore[misc]
        first = str(value).strip().splitlines()[0] if str(value).strip() else ""
        self.log.error("%s %s failed: %s%s", self.request.method, self.request.path, typ.__name__, f": {first}" if first else "")

    def login_redirect(self) -> None:
        """Send the browser to the join page, to come back here after."""
        self.redirect(self.room_url("join") + "?" + urlencode({"next": self.request.uri}))  # type: ignore[attr-defined]

    def set_room_cookie(self, name: str, value: str) -> None:
        self.set_cookie(  # type: ignore[attr-defined]
            name, value, path=self.room.base_url, max_age=COOKIE_DAYS * 86400,
            httponly=True, samesite="Lax", secure=self.request.protocol == "https",
        )

    def ensure_device(self) -> str:
        """This browser's device token; a new one (and its cookie) if it has none."""
        device = valid_device(self.get_cookie(DEVICE_COOKIE))  # type: ignore[attr-defined]
        if device is None:
            device = new_device()
            self.set_room_cookie(DEVICE_COOKIE, device)
        return device

    def safe_next(self, wanted: str | None) -> str | None:
        """``wanted`` if it is a path on this server (no scheme, no host,
        no ``//``), else ``None``: the join page never sends anyone away."""
        if not wanted:
            return None
        parts = urlsplit(wanted)
        if parts.scheme or parts.netloc or not wanted.startswith(self.room.base_url) or wanted.startswith("//") or "\\" in wanted:
            return None
        return wanted

    def page_url(self, notebook: str) -> str:
        return self.room_url(f"voila/render/{notebook}")


# ----------------------------------------------------------------------
# The way in


class JoinHandler(RoomHandlerMixin, JupyterHandler):
    """``/join`` (a form with one field), ``/join?code=K7QM4P`` and
    ``/join/K7QM4P`` (the printed link): a right code gets the room grant
    and a device cookie and goes on to the page asked for, or the first one."""

    def check_xsrf_cookie(self) -> None:
        return  # GET only: a join link is clicked from anywhere

    @allow_unauthenticated
    async def get(self, code: str | None = None) -> None:
        typed = code if code is not None else self.get_argument("code", "")
        wanted = self.safe_next(self.get_argument("next", ""))
        if not typed.strip():
            user = self.current_user
            if user is not None and user.may(PAGES) and wanted:
                self.redirect(wanted)
                return
            self.render_room("join.html", next=wanted or "", message="", invalid=False)
            return
        address = self.request.remote_ip or ""
        if self.room.throttle.blocked(address):
            self.render_room("join.html", 429, next=wanted or "", message=MESSAGES[429], invalid=True)
            return
        if not self.room.code_matches(typed):
            self.room.throttle.failed(address)
            self.log.warning("Wrong join code from %s", address)
            self.render_room("join.html", 403, next=wanted or "", message=WRONG_CODE, invalid=True)
            return
        self.set_room_cookie(ROOM_COOKIE, self.room.grant_value())
        self.ensure_device()
        first = self.room.first_page(PAGES)
        self.redirect(wanted or (self.page_url(first) if first else self.room_url()))


class DashboardLinkHandler(RoomHandlerMixin, JupyterHandler):
    """``/dashboard/<key>``: the projected dashboard's link; the right key
    gets the dashboard cookie and opens the dashboard."""

    @allow_unauthenticated
    async def get(self, key: str) -> None:
        address = self.request.remote_ip or ""
        if self.room.throttle.blocked(address):
            raise tornado.web.HTTPError(429)
        if not self.room.key_matches(key):
            self.room.throttle.failed(address)
            self.log.warning("Wrong dashboard key from %s", address)
            raise tornado.web.HTTPError(404)
        self.set_room_cookie(DASHBOARD_COOKIE, self.room.dashboard_value())
        self.ensure_device()
        dashboard = self.room.first_page(DASHBOARD)
        self.redirect(self.page_url(dashboard) if dashboard else self.room_url())


class HomeHandler(RoomHandlerMixin, JupyterHandler):
    """``/``: the first page this browser may open, else the join page."""

    @allow_unauthenticated
    async def get(self) -> None:
        landing = self.room.landing(self.current_user)
        self.redirect(self.page_url(landing) if landing else self.room_url("join"))


# ----------------------------------------------------------------------
# Pages and their kernels


class RoomPageHandler(RoomHandlerMixin, TornadoVoilaHandler):
    """A served page, for a browser holding its grant."""

    async def get(self, path: str | None = None) -> None:
        user = self.current_user
        notebook = (path or "").strip("/")
        needs = self.room.grant_for(notebook)
        if user is None:
            self.login_redirect()
            return
        if needs is None:
            raise tornado.web.HTTPError(404)
        if not user.may(needs):
            if needs == PAGES:
                self.login_redirect()
            else:
                self.render_room("message.html", 403, message=DASHBOARD_ONLY)
            return
        # A page is the kit's template and theme, from its pool: a query
        # string may not pick another (or skip the pool, starting a kernel).
        for name in ("template", "theme"):
            self.request.arguments.pop(name, None)
            self.request.query_arguments.pop(name, None)
        device = self.ensure_device()
        with visiting(notebook, device):
            try:
                await super().get(notebook)
            except RoomFull:
                self.clear()
                self.render_room("message.html", 503, message=MESSAGES[503])


class RoomKernelWebsocket(RoomHandlerMixin, VoilaKernelWebsocketHandler):
    """A page's kernel channels (owner only, see :class:`RoomAuthorizer`);
    notes that the page connected, so its kernel is not culled as unused."""

    async def open(self, kernel_id: str, *args: Any, **kwargs: Any) -> None:
        mark = getattr(self.kernel_manager, "mark_connected", None)
        if mark is not None:
            mark(kernel_id)
        opened = super().open(kernel_id, *args, **kwargs)
        if inspect.isawaitable(opened):
            await opened


class RoomShutdownHandler(RoomHandlerMixin, VoilaShutdownKernelHandler):
    """``POST /voila/api/shutdown/<id>``: the page's ``beforeunload`` beacon
    gives its kernel back. Only the browser the kernel was handed to may;
    anyone else gets a 404, as for an unknown id."""

    def check_xsrf_cookie(self) -> None:
        # Voila's beacon sends no XSRF token. What a forged request cannot
        # have is the kernel's owner cookie (SameSite=Lax: not sent on a
        # cross-site POST), checked in post(); APIHandler.prepare also
        # refuses an Origin other than this server.
        return

    @tornado.web.authenticated
    async def post(self, kernel_id: str) -> None:
        user = self.current_user
        if not (user.may(FACILITATOR) or owns_kernel(self, user.device, kernel_id)):
            raise tornado.web.HTTPError(404)
        await self.kernel_manager.shutdown_kernel(kernel_id)
        self.set_status(204)
        self.finish()

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        APIHandler.write_error(self, status_code, **kwargs)


class KernelListHandler(RoomHandlerMixin, APIHandler):
    """``GET /api/kernels``: every kernel, for the facilitator's token only
    (what a test counts)."""

    @tornado.web.authenticated
    async def get(self) -> None:
        if not self.current_user.may(FACILITATOR):
            raise tornado.web.HTTPError(403)
        km = self.kernel_manager
        models = []
        for kernel_id in km.list_kernel_ids():
            model = km.kernel_model(kernel_id)
            claim = km.owner_of(kernel_id) if hasattr(km, "owner_of") else None
            model["page"] = claim.page if claim else None
            model["connected"] = claim.connected if claim else None
            models.append(model)
        self.set_header("Content-Type", "application/json")
        import json

        self.finish(json.dumps(models, default=str))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        APIHandler.write_error(self, status_code, **kwargs)


class FacilitatorContentsHandler(RoomHandlerMixin, VoilaContentsHandler):
    """Voila's listing of the served notebooks, for the facilitator's token only."""

    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        if self.current_user is None or not self.current_user.may(FACILITATOR):
            raise tornado.web.HTTPError(403)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        APIHandler.write_error(self, status_code, **kwargs)


# ----------------------------------------------------------------------
# The handler list and the application


#: Voila's handlers served as they are: static files (templates, labextensions,
#: themes), the allow-listed files handler and the kernel model for its owner.
KEPT = ("TemplateStaticFileHandler", "MultiStaticFileHandler", "ThemesHandler", "FileFindHandler", "AllowListFileHandler", "KernelHandler")
#: Voila's handlers replaced by the room's.
REPLACED = {
    VoilaKernelWebsocketHandler: RoomKernelWebsocket,
    VoilaShutdownKernelHandler: RoomShutdownHandler,
    TornadoVoilaHandler: RoomPageHandler,
    VoilaContentsHandler: FacilitatorContentsHandler,
}
#: Voila's handlers dropped: its tree of notebooks (``/`` goes to a page
#: or the join page instead).
DROPPED = (TornadoVoilaTreeHandler,)


class UnknownHandler(Exception):
    """Voila serves a handler :func:`room_handlers` does not know."""


def room_handlers(voila_handlers: Iterable[Sequence[Any]], *, base_url: str, query_path: str) -> list[tuple[Any, ...]]:
    """Voila's handler list made the room's: replaced (:data:`REPLACED`),
    dropped (:data:`DROPPED`), the preheated kernels' request-info socket
    moved under ``query_path`` (a secret only the kernels know, from
    ``$VOILA_WS_BASE_URL``), and the room's own added (``/``, ``/api/kernels``).
    Raises :class:`UnknownHandler` for anything else."""
    out: list[tuple[Any, ...]] = [(base_url, HomeHandler), (f"{base_url}api/kernels", KernelListHandler)]
    for spec in voila_handlers:
        pattern, cls, *rest = spec
        if cls in DROPPED:
            continue
        if cls is RequestInfoSocketHandler:
            out.append((pattern.replace(f"{base_url}voila/query/", f"{query_path}voila/query/", 1), cls, *rest))
            continue
        if cls in REPLACED:
            out.append((pattern, REPLACED[cls], *rest))
            continue
        if cls in (JoinHandler, DashboardLinkHandler, KitStaticHandler) or cls.__name__ in KEPT:
            out.append((pattern, cls, *rest))
            continue
        raise UnknownHandler(f"{cls.__module__}.{cls.__name__} at {pattern}")
    return out


def host_allowed(host_header: str | None, allowed: Iterable[str]) -> bool:
    """Whether a request's ``Host`` header names this server: one of
    ``allowed`` (names and addresses, any port)."""
    if not host_header:
        return False
    host = host_header.strip().lower()
    if host.startswith("["):  # [::1]:8866
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".") in {h.lower().strip("[]") for h in allowed}


class RefusedHostHandler(tornado.web.RequestHandler):
    """What a request for another host name gets: 403 and nothing else."""

    def prepare(self) -> None:
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.finish("This server does not answer to that address.\n")


class RoomApplication(tornado.web.Application):
    """Voila's Tornado application, answering only requests whose ``Host``
    is in ``settings["xs_allowed_hosts"]`` (pages, websockets, files)."""

    def find_handler(self, request: Any, **kwargs: Any) -> Any:
        if not host_allowed(request.host, self.settings.get("xs_allowed_hosts", ())):
            return self.get_handler_delegate(request, RefusedHostHandler)
        return super().find_handler(request, **kwargs)


def room_jinja_env() -> Any:
    """The Jinja2 environment of the room's own pages (autoescaped)."""
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
