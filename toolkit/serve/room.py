"""Who may come in: the served workshop's secrets and what a browser must
hold to pass.

    >>> room = Room(slug="riverside", base_url="/", read_secrets=lambda: ("K7QM4P", "dash-key"))
    >>> room.code_matches("k7q m4p")
    True
    >>> room.visitor({"xs_room": room.grant_value()}).grants
    frozenset({'pages'})

- **Joining.** Whoever types (or clicks a link carrying) the workshop's
  join code gets the *room grant*: the cookie ``xs_room``, an HMAC of the
  workshop under the code. It opens the participant pages. A new code
  (``workshop code SLUG --new``) ends every grant made with the old one.
- **The dashboard** has its own key, carried by its own link; its cookie
  ``xs_dash`` opens only the dashboard. With ``--public-dashboard``
  everyone may open the dashboard (which then hides names).
- **The facilitator** (or a test) may send ``Authorization: token <t>``
  with the token in the server's run folder: everything, including the
  list of kernels.
- **The device** cookie ``xs_device`` is only an identifier of the
  browser (see /work/scratch/contract-identity.md, kept in
  :func:`toolkit.store.identity.device_from_environ`); it says whose a
  kernel is, never whether someone may come in.

Wrong codes are counted per address and overall (:class:`JoinThrottle`),
so the ~480 million codes cannot be tried from the venue network.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from toolkit.store.room_keys import normalise_code

ROOM_COOKIE = "xs_room"
DASHBOARD_COOKIE = "xs_dash"
DEVICE_COOKIE = "xs_device"
#: How long a browser keeps its grant and its device cookie.
COOKIE_DAYS = 14
#: A device token as the server makes it: ``secrets.token_urlsafe(32)``.
DEVICE_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
#: How long the server trusts the secrets it read from the store (seconds):
#: a new join code is in force within this long.
SECRETS_SECONDS = 5.0

#: What a visitor may open: the participant pages, the dashboard, or
#: everything including the kernels list (the facilitator's token).
PAGES, DASHBOARD, FACILITATOR = "pages", "dashboard", "facilitator"


@dataclass(frozen=True)
class Visitor:
    """What a request's browser holds: ``grants`` (a set of :data:`PAGES`,
    :data:`DASHBOARD`, :data:`FACILITATOR`) and its device token."""

    grants: frozenset[str]
    device: str | None = None

    def may(self, grant: str) -> bool:
        return FACILITATOR in self.grants or grant in self.grants


def new_device() -> str:
    """A fresh device token (32 random bytes, URL-safe base64)."""
    return secrets.token_urlsafe(32)


def valid_device(value: str | None) -> str | None:
    """``value`` if it looks like a device token the server made, else ``None``."""
    return value if value and DEVICE_PATTERN.fullmatch(value) else None


@dataclass
class JoinThrottle:
    """Wrong join codes allowed per address (``per_address``) and from
    everyone together (``overall``) within ``window`` seconds."""

    per_address: int = 20
    overall: int = 200
    window: float = 300.0
    clock: Callable[[], float] = time.monotonic
    _failures: deque[tuple[float, str]] = field(default_factory=deque)

    def blocked(self, address: str) -> bool:
        """Whether ``address`` may not try a code now."""
        self._forget()
        mine = sum(1 for _t, a in self._failures if a == address)
        return mine >= self.per_address or len(self._failures) >= self.overall

    def failed(self, address: str) -> None:
        self._failures.append((self.clock(), address))
        self._forget()

    def _forget(self) -> None:
        cutoff = self.clock() - self.window
        while self._failures and self._failures[0][0] < cutoff:
            self._failures.popleft()


class Room:
    """One served workshop's door.

    ``read_secrets`` returns ``(join code, dashboard key)`` as stored
    (:func:`toolkit.store.room_keys.read_secrets`); they are read again
    every :data:`SECRETS_SECONDS`. ``pages`` maps each served notebook to
    the grant it needs (:data:`PAGES` or :data:`DASHBOARD`), in the order
    of the links. ``public_dashboard``: anyone may open the dashboard.
    ``facilitator_token``: the token that opens everything."""

    def __init__(
        self,
        *,
        slug: str,
        base_url: str,
        read_secrets: Callable[[], tuple[str | None, str | None]],
        pages: Mapping[str, str] | None = None,
        public_dashboard: bool = False,
        facilitator_token: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        log: Callable[[str], None] | None = None,
    ):
        self.slug = slug
        self.base_url = base_url
        self.pages = dict(pages or {})
        self.public_dashboard = public_dashboard
        self.facilitator_token = facilitator_token or secrets.token_urlsafe(32)
        self.throttle = JoinThrottle(clock=clock)
        self._read = read_secrets
        self._clock = clock
        self._log = log or (lambda _line: None)
        self._secrets: tuple[str | None, str | None] = (None, None)
        self._read_at: float | None = None
        self.secrets()  # a store that cannot be read stops the server now, not at the first visitor

    def secrets(self) -> tuple[str | None, str | None]:
        """``(join code, dashboard key)``, read again once they are older
        than :data:`SECRETS_SECONDS`; the last good ones while the store
        cannot be read."""
        now = self._clock()
        if self._read_at is None or now - self._read_at >= SECRETS_SECONDS:
            try:
                self._secrets = self._read()
            except Exception as exc:  # noqa: BLE001 - keep the door working on the last known secrets
                if self._read_at is None:
                    raise
                self._log(f"could not read the join code from the store ({type(exc).__name__}); using the last one read")
            self._read_at = now
        return self._secrets

    def grant_for(self, notebook: str) -> str | None:
        """The grant ``notebook`` needs, or ``None`` if it is not served."""
        return self.pages.get(notebook)

    def first_page(self, grant: str) -> str | None:
        """The first served notebook that ``grant`` opens, or ``None``."""
        return next((notebook for notebook, needs in self.pages.items() if needs == grant), None)

    def landing(self, visitor: Visitor | None) -> str | None:
        """The first page ``visitor`` may open (a notebook name), or ``None``."""
        for grant in (PAGES, DASHBOARD):
            if visitor is not None and visitor.may(grant) and self.first_page(grant):
                return self.first_page(grant)
        return None

    # -- secrets and the cookies made from them ------------------------------

    def code_matches(self, typed: str) -> bool:
        code = self.secrets()[0]
        return bool(code) and hmac.compare_digest(normalise_code(typed).encode(), code.encode())  # type: ignore[union-attr]

    def key_matches(self, typed: str) -> bool:
        key = self.secrets()[1]
        return bool(key) and hmac.compare_digest(str(typed).encode(), key.encode())  # type: ignore[union-attr]

    def grant_value(self) -> str:
        """The room grant cookie's value under the current join code."""
        return _mac(self.secrets()[0], f"room\0{self.slug}")

    def dashboard_value(self) -> str:
        """The dashboard cookie's value under the current dashboard key."""
        return _mac(self.secrets()[1], f"dashboard\0{self.slug}")

    def visitor(self, cookies: Mapping[str, str], authorization: str | None = None) -> Visitor | None:
        """What a request holds, from its cookies and ``Authorization``
        header; ``None`` when it holds nothing (a stranger)."""
        device = valid_device(cookies.get(DEVICE_COOKIE))
        token = _token(authorization)
        if token and hmac.compare_digest(token.encode(), self.facilitator_token.encode()):
            return Visitor(frozenset({FACILITATOR, PAGES, DASHBOARD}), device)
        grants = set()
        room = cookies.get(ROOM_COOKIE)
        if room and self.secrets()[0] and hmac.compare_digest(room.encode(), self.grant_value().encode()):
            grants.add(PAGES)
        dash = cookies.get(DASHBOARD_COOKIE)
        if self.public_dashboard or (dash and self.secrets()[1] and hmac.compare_digest(dash.encode(), self.dashboard_value().encode())):
            grants.add(DASHBOARD)
        return Visitor(frozenset(grants), device) if grants else None


def _mac(secret: str | None, message: str) -> str:
    if not secret:
        return ""
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _sep, value = authorization.strip().partition(" ")
    return value.strip() if scheme.lower() == "token" and value.strip() else None
