"""One participant's session in one kernel: the only place where widget
events become store calls.

    >>> from widgets.session import Session
    >>> session = Session()                      # $WORKSHOP_DB, $WORKSHOP_SLUG
    >>> session.stage_workbook("diagnosis")      # a widget; the cell shows it
    >>> session.priorities()                     # the dot vote

``Session(store=None, workshop=None)`` opens an :class:`AnswerStore` on
``$WORKSHOP_DB`` (else the default SQLite file) when none is given and picks
the workshop: the argument, else ``$WORKSHOP_SLUG``, else the most recent
one.

**Who is on the other end.** In a served room every browser carries a
device token (the ``xs_device`` cookie); Voila hands the page's Cookie header
to the kernel as ``HTTP_COOKIE``, read by
:func:`toolkit.store.identity.device_from_environ`. A preheated kernel gets
it only once a visitor's request claims it (:mod:`toolkit.serve.request_info`),
so it is awaited in a background thread while the page's widgets are built,
and applied on the kernel's event loop. A device signed in before is signed
in on every page and every reload, with no form; otherwise the participant
signs in once (or types a resume code) and the device is bound to them.
Outside a served room (JupyterLab, tests) pass ``device=`` yourself; without
one the participant signs in on each page, as a new participant unless
they use their resume code.

**No silent overwrite.** Every save names the answer row the page last
showed for that answer (``base``); the store refuses a save on an older
one. While signed in the session polls the participant's own new rows every
``sync_seconds``: an answer changed in another tab or on another device
replaces what the page shows when the participant has no unsaved edit
there; otherwise their save is refused and the page shows both texts and
the choice (keep mine, keep theirs, edit both), or for a rating or a dot
count, theirs with "Use mine". The actions lists follow changes too.

**A table works together** (issue #15). Under each guiding question the
page shows what the others at the participant's table wrote, attributed
as :func:`toolkit.frames.views.attribution` says (a name, or a sector in
an anonymous workshop; an answer given without a name or hidden by the
facilitator is not shown: :func:`toolkit.frames.views.for_tablemates`),
and the table's shared answer, which any member edits with the same
no-silent-overwrite rule, for the whole table, saved by the same
retrying writer; a tool's panel also shows the spread of the table's
ratings once enough members rated (the minimum group size). The same
poll reads it all: one statement for the new rows of the table's members
(the participant's own among them) and of the table's answers
(:meth:`~toolkit.store.AnswerStore.table_changes`). A table that shares
one laptop signs in as the table (``sign_in_table``, "Our whole table"
on the form): that page writes the table's answers only.

Widgets only emit events; this class saves, then tells the widget
"Saved 14:03:12" or "Not saved: <the store's reason>". **Saves heal
themselves**: they run on the session's :class:`~widgets.autosave.Writer`,
off the kernel's event loop (a store that waits for a lock never freezes
the page; a page's store waits at most
:data:`~toolkit.store.schema.PAGE_BUSY_SECONDS` for one), and a save that
failed for a passing reason (:func:`passing_reason`: busy, disk error,
server away) says "Not saved yet, retrying… <Reason>." and is tried again
with backoff, the newest text of the box first, until it goes through or
the last page closes. A retry that meets a newer answer written elsewhere
offers the choice as any save does. A read that fails
is shown too (the actions list and the page's notice say the store could
not be read), never as "nothing there". When a write is refused because
the facilitator locked the stage, or every ``poll_seconds`` on the
kernel's event loop (a few seconds), it re-reads the workshop settings:
locked stages become read-only, the dot vote closes, pages list today's
tools first (:func:`toolkit.frames.views.today`), and every page's
:class:`~widgets.room.RoomStatus` shows the discussion timer and a lock's
countdown, moved on every second while one runs. When a lock with notice
falls, a box the participant was still typing in keeps its text, read-only,
with a note that it was not saved. The polling stops when every page the
session built has been closed (``page.close()``, or the browser closing the
page's comm).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import traitlets
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from toolkit.errors import ChangedElsewhere, StageLocked, ToolkitError
from toolkit.frames.tables import rating_spread
from toolkit.frames.views import View, attribution, audience, for_tablemates, sector_name
from toolkit.room import today
from toolkit.store import AnswerStore
from toolkit.store.checks import field_of, problem_of
from toolkit.store.identity import device_from_environ, format_resume_code
from toolkit.store.schema import PAGE_BUSY_SECONDS
from toolkit.store.values import NOT_SURE
from widgets.autosave import DEFAULT_DELAY, CallLater, Write, Writer, lock_fell_text
from widgets.priorities import PrioritiesPage
from widgets.signin import SignIn
from widgets.stage_workbook import StageWorkbook, ToolPanel
from widgets.style import set_message
from widgets.table_view import Mate, TableView

if TYPE_CHECKING:
    from toolkit.content import Toolkit
    from toolkit.store.values import Action, Answer, Participant, TableAnswer, TableChanges, TableSeat, Workshop

log = logging.getLogger(__name__)

SLUG_ENV = "WORKSHOP_SLUG"
#: Seconds between re-reads of the workshop settings (stage locks, the
#: timer, today's plan, dots): what the facilitator does shows this soon.
DEFAULT_POLL_SECONDS = 3.0
#: Seconds between two steps of a countdown on the pages.
TICK_SECONDS = 1.0
#: Seconds between reads of the participant's own new rows (written in
#: another tab or on another device) while signed in.
DEFAULT_SYNC_SECONDS = 2.5
NO_WORKSHOP = (
    "This store has no workshop yet. Facilitator: run `workshop new \"Your workshop title\"` "
    "(or `workshop demo` for a practice workshop), then reload this page."
)
STORE_DOWN = "the workshop store could not be reached ({}); your text is still here, keep typing or try again in a moment"
#: Why something could not be shown (the store's reason in the braces).
STORE_UNREADABLE = "the workshop store could not be read ({})"
#: The pages' notice while re-reading the workshop fails.
SETTINGS_UNREADABLE = "The workshop could not be checked just now: {}. Stage locks may be out of date; what you type stays here."
NOT_SIGNED_IN = "sign in first"
#: Why a save waits for its retry while another program writes to the store.
STORE_BUSY = "the workshop store is busy with another save"
#: After the store's refusal of dots in a closed vote (a locked stage's
#: refusal says :func:`~widgets.autosave.lock_fell_text`, as the poll does).
KEPT_NOT_SAVED = "{}. What you entered is still shown here but was not saved: copy it if you want to keep it."
#: Seconds of a table's rows a poll reads again on PostgreSQL, where ids
#: are handed out before commit: a tablemate's row can commit after a
#: higher id another member wrote, and a poll reading only the ids after
#: the last one seen would skip it for good. SQLite's writers take turns,
#: so its ids commit in order and nothing is read twice.
LOOKBACK_SECONDS = 10.0
#: How the reader is named as the author of their own table answer.
YOU = "you"


class Session:
    """Connects one kernel's widgets to the answer store.

    ``store``: an :class:`AnswerStore` (default: one on ``$WORKSHOP_DB``).
    ``workshop``: a slug (default: ``$WORKSHOP_SLUG``, else the most
    recent workshop). ``autosave_delay``: seconds between the last keystroke
    and the save (``0`` saves on every change). ``call_later``: the timer
    the autosave and the settings poll use (default: the kernel's event
    loop; tests may pass a fake). ``poll_seconds``: how often to re-read
    the workshop settings while a page is open (``0``: never; it is also
    re-read after a refused write). ``sync_seconds``: how often, while
    signed in, to read the participant's rows written elsewhere (``0``:
    never; :meth:`sync` does it by hand). ``device``: the browser's device
    token (default: from the page's request in a served room, else none).

    Attributes: ``store``, ``kit``, ``workshop`` (or ``None``),
    ``participant`` (``None`` until signed in), ``device`` (or ``None``),
    ``signin`` (the shared :class:`SignIn`), ``problem`` (why nobody can
    sign in, or ``""``).
    """

    def __init__(
        self,
        store: AnswerStore | None = None,
        workshop: str | None = None,
        *,
        autosave_delay: float = DEFAULT_DELAY,
        call_later: CallLater | None = None,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        sync_seconds: float = DEFAULT_SYNC_SECONDS,
        device: str | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.problem = ""
        self.clock = clock
        self._ticker: Any = None  # the pending countdown step's timer handle
        self.autosave_delay = autosave_delay
        self.call_later = call_later
        self.poll_seconds = poll_seconds
        self.sync_seconds = sync_seconds
        self.participant: Participant | None = None
        #: Set instead of ``participant`` on a table's shared device.
        self.seat: TableSeat | None = None
        self.workshop: Workshop | None = None
        self.device: str | None = None
        self._tentative: int | None = None  # the participant this page signed in as, shown or not
        self.workbooks: list[StageWorkbook] = []
        self.priority_pages: list[PrioritiesPage] = []
        self._current: dict[tuple[str, str, str], str] = {}
        #: Question ids whose current answer was given without a name.
        self._anonymous: set[str] = set()
        # (kind, tool, question) -> the answer row this page last showed or
        # saved: the base of its next save there.
        self._base: dict[tuple[str, str, str], int] = {}
        self._seen_id = 0  # the newest of the participant's rows read
        self._actions_seen: tuple[int, float] | None = None
        # The table (issue #15): its members by id, their current rows
        # ((kind, tool, question, participant) -> row; the reader's own
        # are in _current) and which of those were given without a name,
        # the table's current answers and the rows this page based its
        # shown table answers on, the newest table answer row read, the
        # poll's cursors of the last few seconds, and the table parts of
        # each panel built (by id(panel)).
        self._members: dict[int, Participant] = {}
        self._mates: dict[tuple[str, str, str, int], Answer] = {}
        self._mates_unnamed: set[int] = set()
        self._tabled: dict[tuple[str, str], TableAnswer] = {}
        self._table_base: dict[tuple[str, str], int] = {}
        self._table_seen = 0
        self._marks: list[tuple[float, int, int]] = []
        self._table_views: dict[int, tuple[ToolPanel, TableView]] = {}
        # stage id -> when its lock fell, as this page first learnt it (see
        # _lock_fell_at): every message about that lock names the same time.
        self._locked_at: dict[str, float] = {}
        self._poll: Any = None  # the pending poll's timer handle
        self._sync: Any = None  # the pending sync's timer handle
        self.writer = Writer(passing_reason, call_later=call_later)
        if store is None:
            try:
                store = AnswerStore(busy_seconds=PAGE_BUSY_SECONDS)
            except (ToolkitError, SQLAlchemyError) as exc:
                self.problem = f"The workshop store cannot be opened ({_reason(exc)}). Facilitator: check WORKSHOP_DB."
        self.store = store
        if store is not None:
            self.kit: Toolkit = store.kit
        else:
            from toolkit import content
            self.kit = content.load()
        workshops = self._pick_workshop(workshop)
        self.signin = SignIn(self.kit, workshops=workshops, selected=self.workshop.slug if self.workshop else None)
        self.signin.on_sign_in(self._on_sign_in)
        self.signin.on_sign_in_table(self._on_sign_in_table)
        self.signin.on_resume(self._on_resume)
        if self.problem:
            self.signin.unavailable(self.problem)
        if device is not None:
            self.use_device(device)
        else:
            self._device_from_request()

    def __repr__(self) -> str:
        who = f"participant {self.participant.id}" if self.participant else f"table {self.seat.table!r}" if self.seat else "not signed in"
        slug = self.workshop.slug if self.workshop else None
        return f"<Session workshop={slug!r} {who}>"

    @property
    def slug(self) -> str | None:
        return self.workshop.slug if self.workshop else None

    @property
    def table(self) -> str | None:
        """The table this page works with: the participant's, or the one a
        table's shared device signed in as (``None`` until signed in)."""
        if self.seat is not None:
            return self.seat.table
        return self.participant.table if self.participant is not None else None

    @property
    def signed_in(self) -> bool:
        return self.participant is not None or self.seat is not None

    def _pick_workshop(self, wanted: str | None) -> list[tuple[str, str]]:
        self._wanted = wanted
        if self.store is None:
            return []
        try:
            found = self.store.workshops()
        except SQLAlchemyError as exc:
            self.problem = f"The workshop store cannot be read ({_reason(exc)}). Facilitator: check WORKSHOP_DB."
            return []
        wanted = wanted or os.environ.get(SLUG_ENV) or None
        self._wanted = wanted
        if not found:
            self.problem = NO_WORKSHOP
            return []
        by_slug = {w.slug: w for w in found}
        if wanted is not None and wanted not in by_slug:
            known = ", ".join(list(by_slug)[:10])
            self.problem = f"There is no workshop {wanted!r} in this store (known: {known}). Facilitator: check WORKSHOP_SLUG."
            return []
        self.workshop = by_slug[wanted] if wanted else found[0]  # newest first
        if os.environ.get(SLUG_ENV):  # a served room offers its own workshop and no other
            found = [self.workshop]
        titles = [w.title for w in found]
        return [(w.title if titles.count(w.title) == 1 else f"{w.title} ({w.slug})", w.slug) for w in found]

    # ------------------------------------------------------------------
    # Pages

    def stage_workbook(self, stage_id: str | int) -> StageWorkbook:
        """The workbook of one stage (id like ``"diagnosis"`` or number),
        wired to the store."""
        stage = self.kit.stage(stage_id)
        order = today(self.kit, self.workshop.settings, [t.id for t in self.kit.tools_in(stage.id)]) if self.workshop else None
        book = StageWorkbook(self.kit, stage.id, signin=self.signin, delay=self.autosave_delay, call_later=self.call_later, order=order)
        book.on_panel(lambda panel: self._open_panel(book, panel))
        book.problem = self.problem
        self.workbooks.append(book)
        book.on_close(lambda: self._forget(book))
        self.writer.start()
        self._refresh_view(book)
        self._start_polling()
        self._start_sync()
        return book

    def priorities(self) -> PrioritiesPage:
        """The dot vote over all tools, wired to the store."""
        budget = self.workshop.settings.dots if self.workshop else 5
        order = today(self.kit, self.workshop.settings) if self.workshop else None
        page = PrioritiesPage(self.kit, signin=self.signin, budget=budget, order=order)
        page.vote.on_change(lambda allocation: self._save_dots(page, allocation))
        page.problem = self.problem
        self.priority_pages.append(page)
        page.on_close(lambda: self._forget(page))
        self.writer.start()
        self._refresh_view(page)
        self._start_polling()
        self._start_sync()
        return page

    def _open_panel(self, book: StageWorkbook, panel: ToolPanel) -> None:
        """A panel was just built (its tool opened): wire it and show the
        participant's current values in it. The panel built with the page
        is shown by the page's first :meth:`_refresh_view` instead, which
        reads the actions once for the whole page."""
        self._wire(book, panel)
        if book in self.workbooks:
            self._load_panel(panel)
            self._show_actions([panel])

    def _wire(self, book: StageWorkbook, panel: ToolPanel) -> None:
        self._table_view(panel)
        panel.form.on_save(lambda qid, text: self._save_text(book, panel, qid, text))
        panel.rating.on_rate(lambda value: self._save_rating(book, panel, value))
        panel.rating.on_comment(lambda text: self._save_comment(book, panel, text))
        panel.actions.on_add(lambda fields: self._add_action(panel, fields))

    # ------------------------------------------------------------------
    # Signing in

    def sign_in(self, *, organization: str, sector: str, table: str, name: str | None = None, workshop: str | None = None) -> Participant:
        """Sign a participant in (what the form's button does) and show
        their current values everywhere. A name, organization and table
        find no one: this is a new participant, unless this page or device
        is signed in as someone with exactly these details already. The
        device, if any, is bound to them. Raises the store's
        :class:`~toolkit.errors.InvalidAnswer` for a bad field."""
        slug = self._slug_for_sign_in(workshop)
        self.flush()  # pending saves belong to whoever was signed in before
        # Who this page is (or was about to be: a sign-in whose answers
        # could not be read) is the secret that finds the same person again.
        known = self._tentative if self.participant is None or self.slug == slug else None
        participant = self.store.add_participant(
            slug, organization=organization, sector=sector, table=table, name=name or None, device=self.device, known=known
        )
        self._tentative = participant.id
        return self._become(slug, participant)

    def resume(self, code: str) -> Participant:
        """Continue as the participant whose resume code this is (what the
        "Continue with a resume code" button does); the device, if any, is
        bound to them."""
        slug = self._slug_for_sign_in(None)
        self.flush()
        return self._become(slug, self.store.resume(slug, code, device=self.device))

    def sign_in_table(self, *, table: str, members: dict[str, int], workshop: str | None = None) -> TableSeat:
        """Sign this page (and its device) in as a whole table sharing one
        device (what the form does with "Our whole table"): ``members`` is
        sector id -> how many sit at it. The page then writes the table's
        answers, not anyone's own."""
        slug = self._slug_for_sign_in(workshop)
        self.flush()
        seat = self.store.sign_in_table(slug, table, members, device=self.device)
        return self._become_table(slug, seat)

    def use_device(self, device: str | None) -> Participant | None:
        """Take ``device`` as this browser's token: if it is signed in to the
        workshop, sign this page in as that participant (no form). Returns
        the participant, or ``None``."""
        self.device = device
        if device is None or self.store is None or self.slug is None or self.problem:
            return None
        try:
            if self.participant is not None:
                # Signed in on this page before the request's token arrived
                # (a preheated kernel on a busy machine): the device is theirs.
                self.store.bind_device(self.slug, device, self.participant.id)
                return self.participant
            if self.seat is not None:  # ... or the table's
                self.store.sign_in_table(self.slug, self.seat.table, self.seat.members, device=device)
                return None
            participant = self.store.participant_for_device(self.slug, device)
            if participant is not None:
                return self._become(self.slug, participant)
            seat = self.store.table_for_device(self.slug, device)
            if seat is not None:
                self._become_table(self.slug, seat)
            return None
        except (ToolkitError, SQLAlchemyError) as exc:
            # The form stays; signing in works as soon as the store does.
            self.signin.failed(STORE_DOWN.format(_reason(exc)))
            return None

    def _device_from_request(self) -> None:
        """In a served room, the device token of the visitor's request. A
        preheated kernel ran this page before anyone asked for it: the
        request arrives later (:mod:`toolkit.serve.request_info`), so it is
        awaited in a background thread and the identity applied on the
        kernel's event loop, where every widget change is made."""
        if os.environ.get("VOILA_PREHEAT") != "True":
            device = device_from_environ(os.environ)
            if device is not None:
                self.use_device(device)
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        # Voila's own wait_for_request would import its server into every
        # kernel (3 CPU-seconds); the kit's asks the same way.
        from toolkit.serve.request_info import wait_for_request

        def wait() -> None:
            try:
                wait_for_request()
            except Exception:  # noqa: BLE001 - no request info: the participant signs in by hand
                return
            if not loop.is_closed():
                loop.call_soon_threadsafe(self._arrived, device_from_environ(os.environ))

        import threading

        threading.Thread(target=wait, name="xs-wait-for-request", daemon=True).start()

    def _arrived(self, device: str | None) -> None:
        """A visitor has this preheated page: it was built minutes ago,
        perhaps, and is in their browser within a second, before the next
        settings poll; so the timer, locks and plan are read now, then the
        visitor's device signs them in."""
        self.check_settings()
        if device is not None:
            self.use_device(device)

    def _slug_for_sign_in(self, workshop: str | None) -> str:
        if self.store is None or self.problem:
            raise ToolkitError(self.problem or NO_WORKSHOP)
        slug = workshop or self.slug
        if slug is None:
            raise ToolkitError(NO_WORKSHOP)
        return slug

    def _become(self, slug: str, participant: Participant) -> Participant:
        # Everything is read before anything changes: if the store fails
        # here, the form stays open and says so.
        workshop_now = self.store.workshop(slug)
        rows = self.store.current_rows(slug, participant.id)
        anonymous = self.store.anonymous_questions(slug, participant.id)
        code = self.store.resume_code(participant.id)
        table = self._read_table(slug, participant.table)
        self.participant, self.seat, self.workshop = participant, None, workshop_now
        self._take_rows(rows, anonymous)
        self._take_table(*table)
        self.signin.signed_in(self._who(participant), format_resume_code(code))
        self._show_everywhere()
        self._start_sync()
        return participant

    def _become_table(self, slug: str, seat: TableSeat) -> TableSeat:
        workshop_now = self.store.workshop(slug)
        table = self._read_table(slug, seat.table)
        self.participant, self.seat, self.workshop, self._tentative = None, seat, workshop_now, None
        self._take_rows({})
        self._take_table(*table)
        self.signin.signed_in(self._who_table(seat))
        self._show_everywhere()
        self._start_sync()
        return seat

    def _read_table(self, slug: str, table: str) -> tuple[list[Participant], TableChanges]:
        return self.store.table_members(slug, table), self.store.table_current(slug, table)

    def _take_table(self, members: list[Participant], current: TableChanges) -> None:
        """Start from a table's current state (members, their rows, its answers)."""
        me = self.participant.id if self.participant is not None else None
        self._members = {p.id: p for p in members}
        self._mates = {(r.kind, r.tool_id, r.question_id, r.participant_id): r for r in current.answers if r.participant_id != me}
        self._mates_unnamed = set(current.unnamed)
        self._tabled = {(r.tool_id, r.question_id): r for r in current.table_answers}
        self._table_base = {key: r.id for key, r in self._tabled.items()}
        self._table_seen = max((r.id for r in current.table_answers), default=0)
        self._seen_id = max([self._seen_id, *(r.id for r in current.answers)])
        self._marks = []

    def _take_rows(self, rows: dict[tuple[str, str, str], Answer], anonymous: set[str] | None = None) -> None:
        self._current = {key: a.value for key, a in rows.items()}
        self._anonymous = set(anonymous or ())
        self._base = {key: a.id for key, a in rows.items()}
        self._seen_id = max(self._base.values(), default=0)
        self._actions_seen = None

    def _on_sign_in(self, value: dict[str, Any]) -> None:
        self._tell_form(
            lambda: self.sign_in(
                organization=value.get("organization", ""),
                sector=value.get("sector", ""),
                table=value.get("table", ""),
                name=value.get("name") or None,
                workshop=value.get("workshop") or None,
            )
        )

    def _on_sign_in_table(self, value: dict[str, Any]) -> None:
        self._tell_form(lambda: self.sign_in_table(table=value.get("table", ""), members=value.get("members") or {}, workshop=value.get("workshop") or None))

    def _on_resume(self, code: str) -> None:
        self._tell_form(lambda: self.resume(code))

    def _tell_form(self, do: Callable[[], Any]) -> None:
        try:
            do()
        except ToolkitError as exc:
            self.signin.failed(str(exc), field_of(exc))
        except SQLAlchemyError as exc:
            self.signin.failed(STORE_DOWN.format(_reason(exc)))
        else:  # the form collapsed under the keyboard: go on where the work is
            for view in [*self.workbooks, *self.priority_pages]:
                view.focus_first()

    def _who(self, p: Participant) -> str:
        sector = self.kit.sector(p.sector).name if self.kit.has_sector(p.sector) else p.sector
        return f"{p.name or 'Anonymous'} · {p.organization} · {sector} · {p.table}"

    def _who_table(self, seat: TableSeat) -> str:
        members = ", ".join(f"{sector_name(self.kit, s)} {n}" for s, n in seat.members.items())
        return f"{seat.table} · the table's shared device · {members}"

    # ------------------------------------------------------------------
    # Showing the store's state

    def reload(self) -> None:
        """Read the participant's current values and the workshop settings
        again and show them on every page."""
        if self.participant is not None and self.slug is not None:
            self._take_rows(self.store.current_rows(self.slug, self.participant.id), self.store.anonymous_questions(self.slug, self.participant.id))
        else:
            self._take_rows({})
        if self.table is not None and self.slug is not None:
            self._take_table(*self._read_table(self.slug, self.table))
        self._show_everywhere()

    def _show_everywhere(self) -> None:
        for view in [*self.workbooks, *self.priority_pages]:
            self._refresh_view(view)

    def _refresh_view(self, view: StageWorkbook | PrioritiesPage) -> None:
        settings = self.workshop.settings if self.workshop else None
        if isinstance(view, PrioritiesPage):
            if settings is not None:
                view.vote.budget = settings.dots
            view.vote.load({t: v for (k, t, _q), v in self._current.items() if k == "dots"})
            with view.hold_trait_notifications():
                view.closed = bool(settings and settings.vote_is_closed(self.clock()))
                view.ready = self.participant is not None  # a table's shared device has no dots of its own
                view.shared = self.seat is not None  # ... and the page says so
            self._show_room()
            return
        for panel in view.panels.values():
            self._load_panel(panel)
        self._show_actions(view.panels.values())
        for tool_id in view.nav.tools:
            view.set_done(tool_id, self._answered(tool_id))
        with view.hold_trait_notifications():  # one update of the page's state
            view.locked = bool(settings and settings.is_locked(view.stage.id, self.clock()))
            view.ready = self.signed_in
        self._show_room()

    def _load_panel(self, panel: ToolPanel) -> None:
        tool_id = panel.tool.id
        panel.form.load({q: v for (k, t, q), v in self._current.items() if k == "text" and t == tool_id}, anonymous=self._anonymous)
        panel.rating.load(self._current.get(("rating", tool_id, "")), self._current.get(("comment", tool_id, ""), ""))
        # A table's shared device writes the table's answers only: each
        # person rates on their own device.
        panel.form.individual = self.seat is None
        panel.rating.layout.display = "none" if self.seat is not None else None
        view = self._table_view(panel)
        if view is not None:
            for qid, part in view.questions.items():
                row = self._tabled.get((tool_id, qid))
                if not part.field.busy:  # a member's edit in progress stays
                    part.field.load(row.value if row is not None else "")
                part.show_changed(self._author(row), row.created if row is not None else 0.0)
            self._show_mates(tool_id)

    # ------------------------------------------------------------------
    # The table (issue #15)

    def _table_view(self, panel: ToolPanel) -> TableView | None:
        """The table parts of a panel, built the first time the page knows
        its table (after signing in: before, there is no table to show)."""
        if id(panel) in self._table_views:
            return self._table_views[id(panel)][1]
        if self.table is None:
            return None
        view = TableView(panel.tool, delay=self.autosave_delay, call_later=self.call_later)
        for qid, part in view.questions.items():
            panel.form.attach(qid, part)
            traitlets.dlink((panel.form.boxes[qid], "value"), (part, "mine"))
        panel.form.attach(None, view.ratings)
        traitlets.dlink((panel, "disabled"), (view, "disabled"))
        view.on_save(lambda qid, text: self._save_table(view, panel.tool.id, qid, text))
        self._table_views[id(panel)] = (panel, view)
        return view

    def _views_of(self, tool_id: str) -> list[TableView]:
        return [view for panel, view in self._table_views.values() if panel.tool.id == tool_id]

    def _person_label(self, participant_id: int | None) -> str:
        """A member as this page may attribute them (the privacy rule)."""
        if self.participant is not None and participant_id == self.participant.id:
            return YOU
        person = self._members.get(participant_id) if participant_id is not None else None
        if participant_id is not None and person is None:
            try:
                person = self._members[participant_id] = self.store.participant(participant_id)
            except (ToolkitError, SQLAlchemyError):
                return "another member"
        shown = audience(self.workshop.settings, View.TABLE) if self.workshop else None
        return attribution(self.kit, person, shown) if shown is not None else ""

    def _author(self, row: TableAnswer | None) -> str:
        """Who changed a table answer last, as the page says it (``""``: nobody yet)."""
        return "" if row is None else self._person_label(row.participant_id)

    def _show_mates(self, tool_id: str) -> None:
        """Show the tablemates' current answers and the table's ratings on
        every panel of ``tool_id``, as the privacy rule lets this table see
        them (:func:`~toolkit.frames.views.for_tablemates`: nothing given
        without a name or hidden; a spread only once enough rated)."""
        views = self._views_of(tool_id)
        if not views or self.workshop is None:
            return
        shown = audience(self.workshop.settings, View.TABLE)
        order = list(self._members)
        mates = for_tablemates((r for (_k, t, _q, _p), r in self._mates.items() if t == tool_id), shown, self._mates_unnamed)
        rows = sorted(
            (r for r in mates if r.kind == "text"),
            key=lambda r: (order.index(r.participant_id) if r.participant_id in order else len(order), r.participant_id),
        )
        ratings = [r.value for r in mates if r.kind == "rating"]
        mine = self._current.get(("rating", tool_id, "")) if self.participant is not None else None
        spread = rating_spread([*ratings, *([mine] if mine else [])], min_group=shown.min_group)
        for view in views:
            for qid, part in view.questions.items():
                part.show_mates([Mate(r.participant_id, self._person_label(r.participant_id), r.value) for r in rows if r.question_id == qid])
            if view.ratings.value != spread:
                view.ratings.value = spread

    def _take_changes(self, changes: TableChanges) -> None:
        """Show what a poll read of the table: the tablemates' new rows and
        the table's new answers (the reader's own rows are taken by
        :meth:`sync`)."""
        me = self.participant.id if self.participant is not None else None
        touched: set[str] = set()
        for row in changes.answers:
            if row.participant_id == me or row.kind not in ("text", "rating"):
                continue
            key = (row.kind, row.tool_id, row.question_id, row.participant_id)
            known = self._mates.get(key)
            if known is not None and known.id >= row.id:
                continue  # read again within the look-back
            self._mates[key] = row
            (self._mates_unnamed.add if row.id in changes.unnamed else self._mates_unnamed.discard)(row.id)
            touched.add(row.tool_id)
        for tool_id in touched:
            self._show_mates(tool_id)
        for row in changes.table_answers:
            self._table_seen = max(self._table_seen, row.id)
            key = (row.tool_id, row.question_id)
            known = self._tabled.get(key)
            if known is None or known.id < row.id:
                self._tabled[key] = row
        # Show every table answer newer than what its box is based on,
        # unless a member is editing it here: their save then meets it.
        for key, row in self._tabled.items():
            if self._table_base.get(key, 0) == row.id:
                continue
            parts = [view.questions[key[1]] for view in self._views_of(key[0]) if key[1] in view.questions]
            for part in parts:
                part.show_changed(self._author(row), row.created)
            if any(part.field.busy for part in parts) or self.writer.busy(self._table_key(*key)):
                continue
            for part in parts:
                part.show_table_answer(row.value, self._author(row), row.created)
            self._table_base[key] = row.id
            self._tick(key[0])

    def _cursor(self) -> tuple[int, int]:
        """The answer and table answer ids this poll reads after: the newest
        seen, or on PostgreSQL those seen :data:`LOOKBACK_SECONDS` ago."""
        if self.store is None or self.store.backend != "postgresql":
            return self._seen_id, self._table_seen
        now = time.monotonic()
        self._marks.append((now, self._seen_id, self._table_seen))
        while len(self._marks) > 1 and self._marks[1][0] <= now - LOOKBACK_SECONDS:
            self._marks.pop(0)
        return self._marks[0][1], self._marks[0][2]

    def _table_key(self, tool_id: str, question_id: str) -> tuple[Any, ...]:
        """The writer's key of one table answer (as :meth:`_write` makes it)."""
        who = self.participant.id if self.participant is not None else f"table:{self.table}"
        return (who, "table", tool_id, question_id)

    def _save_table(self, view: TableView, tool_id: str, question_id: str, text: str) -> None:
        key = (tool_id, question_id)
        part = view.questions[question_id]
        table = self.table

        def ok(row: TableAnswer) -> None:
            self._tabled[key], self._table_base[key] = row, row.id
            part.mark_saved(text, row.created, self._author(row))
            self._tick(tool_id)

        def stale(exc: ChangedElsewhere) -> None:
            newer: TableAnswer = exc.newer  # type: ignore[assignment]
            self._tabled[key], self._table_base[key] = newer, newer.id  # the choice is saved on top of it
            # The box's text: what "keep mine" saves (newer than this save when typed on meanwhile).
            part.conflict(mine=part.field.value, theirs=newer.value, when=newer.created, who=self._author(newer))

        self._write(
            ("table", tool_id, question_id),
            lambda store, slug, who, base: store.save_table_answer(slug, table, tool_id, question_id, text, participant_id=who, base=base),
            ok,
            part.field.mark_failed,
            part.field.mark_retrying,
            base=lambda _bases: self._table_base.get(key, 0),
            stale=stale,
            table=True,
        )

    def _table_lock_fell(self, book: StageWorkbook, when: float) -> None:
        """A lock fell on ``book``'s stage: a table answer still being typed
        keeps its text, marked not saved, as the page's own boxes do."""
        reason = lock_fell_text(book.stage.title, when)
        for panel in book.panels.values():
            built = self._table_views.get(id(panel))
            if built is None:
                continue
            for part in built[1].questions.values():
                if part.field.dirty:
                    part.field.debouncer.cancel(part.field.key)
                    part.field.mark_failed(reason)

    def _show_actions(self, panels: Iterable[ToolPanel], tool_id: str | None = None) -> None:
        """Read the actions (of ``tool_id``, or all) once and show them on
        ``panels``; if the store cannot be read, the panels say so."""
        panels = list(panels)
        if not panels:
            return
        actions: list[Action] = []
        if self.store is not None and self.slug is not None:
            try:
                actions = self.store.actions(self.slug, tool_id)
            except (ToolkitError, SQLAlchemyError) as exc:
                for panel in panels:
                    panel.actions.unreadable(STORE_UNREADABLE.format(_reason(exc)))
                return
        for panel in panels:
            panel.actions.show_actions(actions)

    def _answered(self, tool_id: str) -> bool:
        if self.seat is not None:
            return any(t == tool_id and r.value.strip() for (t, _q), r in self._tabled.items())
        return any(
            t == tool_id and k in ("text", "rating", "comment") and v.strip()
            for (k, t, _q), v in self._current.items()
        )

    def _tick(self, tool_id: str) -> None:
        done = self._answered(tool_id)
        for book in self.workbooks:
            if tool_id in book.nav.tools:
                book.set_done(tool_id, done)

    def check_settings(self) -> None:
        """Re-read the workshop: lock or unlock stages, update the dot
        budget; a new round shows the (empty) answers of that round. While
        there is no workshop yet, look again: the facilitator may have just
        run ``workshop new``. A failed read is shown in every page's notice
        until a read succeeds; actions lists that could not be read are
        read again."""
        if self.store is None:
            return
        try:
            if self.workshop is None:
                self._recover()
            else:
                self._reread_workshop()
        except (ToolkitError, SQLAlchemyError) as exc:
            self._store_error(SETTINGS_UNREADABLE.format(STORE_UNREADABLE.format(_reason(exc))))
            return
        self._store_error("")
        self._show_actions(p for book in self.workbooks for p in book.panels.values() if p.actions.problem)

    def _reread_workshop(self) -> None:
        old = self.workshop
        self.workshop = self.store.workshop(self.slug)
        if old is not None and old.settings.round != self.workshop.settings.round:
            self.flush()
            self.reload()
            return
        settings = self.workshop.settings
        if old is None or old.settings.plan != settings.plan:
            for book in self.workbooks:
                book.set_order(*today(self.kit, settings, list(book.nav.tools)))
            for page in self.priority_pages:
                page.vote.set_order(*today(self.kit, settings))
        for page in self.priority_pages:
            page.vote.budget = settings.dots
        if old is not None and _table_rule(old.settings) != _table_rule(settings):
            # Who wrote what (a name or a sector), which answers are hidden
            # and the group size a spread needs: say it all again.
            for panel, _view in list(self._table_views.values()):
                self._load_panel(panel)
        self._show_room()

    # ------------------------------------------------------------------
    # Countdowns: the timer and locks with notice

    def _show_room(self) -> None:
        """Apply the locks in force now, show every page's timer and lock
        notice, and keep stepping the countdowns every second while one runs."""
        if self.workshop is None:
            return
        settings, now = self.workshop.settings, self.clock()
        for book in self.workbooks:
            locked = settings.is_locked(book.stage.id, now)
            if locked and not book.locked and book.ready:
                # The lock fell while the page was open: what was typed
                # since the last save stays in its box, marked not saved.
                when = self._lock_fell_at(book.stage.id)
                book.lock_fell(when)
                self._table_lock_fell(book, when)
            elif not locked:
                self._locked_at.pop(book.stage.id, None)  # open: a new lock falls at a new time
            book.locked = locked
        for page in self.priority_pages:
            page.closed = settings.vote_is_closed(now)
        ticking = False
        for view in [*self.workbooks, *self.priority_pages]:
            ticking = view.room.show(settings, now) or ticking
        if ticking:
            self._start_ticking()

    def _lock_fell_at(self, stage_id: str) -> float:
        """When the lock on ``stage_id`` fell, as every message about it
        says (:func:`~widgets.autosave.lock_fell_text`), whichever path
        noticed it first: the settings poll or a save the store refused.
        A lock with notice fell at its set time (``lock_at``, the same on
        every page); a lock made at once is recorded with no time, so it
        is the moment this page first learnt of it, remembered until the
        stage is seen open again."""
        if stage_id not in self._locked_at:
            now = self.clock()
            at = self.workshop.settings.lock_at.get(stage_id) if self.workshop is not None else None
            self._locked_at[stage_id] = at if at is not None and at <= now else now
        return self._locked_at[stage_id]

    def _stage_of(self, key: tuple[str, str, str]) -> str | None:
        """The stage a write's ``key`` (kind, tool id, ...) saves into, or
        ``None`` for the dot vote."""
        if key[0] == "dots":
            return None
        try:
            return self.kit.tool(key[1]).stage_id
        except ToolkitError:
            return None

    def _start_ticking(self) -> None:
        call_later = self._timer()
        if self._ticker is not None or call_later is None:
            return

        def step() -> None:
            self._ticker = None
            if self.workbooks or self.priority_pages:
                self._show_room()

        self._ticker = call_later(TICK_SECONDS, step)

    def _store_error(self, text: str) -> None:
        for view in [*self.workbooks, *self.priority_pages]:
            view.store_error = text

    def _recover(self) -> None:
        """The store had no (such) workshop when the page was built; if it
        has one now, let participants sign in."""
        wanted = self._wanted
        self.problem = ""
        workshops = self._pick_workshop(wanted)
        if self.problem or self.workshop is None:
            return
        self.signin.set_workshops(workshops, self.workshop.slug)
        self.signin.disabled = False
        set_message(self.signin.message, "", "info")
        for view in [*self.workbooks, *self.priority_pages]:
            view.problem = ""
        self.reload()

    def _start_polling(self) -> None:
        """Re-read the settings every ``poll_seconds`` until the last page closes."""
        if self._poll is None and self.store is not None:
            self._every(self.poll_seconds, self.check_settings, "_poll")

    def _start_sync(self) -> None:
        """Read the participant's new rows every ``sync_seconds`` while
        signed in and a page is open."""
        if self._sync is None and self.signed_in and (self.workbooks or self.priority_pages):
            self._every(self.sync_seconds, self.sync, "_sync")

    def _timer(self) -> CallLater | None:
        """``call_later``, else the running event loop's; ``None`` in plain
        Python (nothing then runs by itself)."""
        if self.call_later is not None:
            return self.call_later
        try:
            return asyncio.get_running_loop().call_later
        except RuntimeError:
            return None

    def _every(self, seconds: float, action: Callable[[], None], handle: str) -> None:
        """Run ``action`` every ``seconds`` on ``call_later`` (else the
        running event loop), keeping the pending timer in attribute
        ``handle`` (``None`` stops it); in plain Python, by hand only."""
        call_later = self._timer()
        if seconds <= 0 or call_later is None:
            return

        def tick() -> None:
            try:
                action()
            finally:
                if getattr(self, handle) is not None:  # not stopped meanwhile
                    setattr(self, handle, call_later(seconds, tick))

        setattr(self, handle, call_later(seconds, tick))

    def sync(self) -> None:
        """Show what this participant saved elsewhere (another tab, another
        device) and what their table wrote since this page last looked: one
        cheap read of the table's rows after the newest one seen
        (:meth:`~toolkit.store.AnswerStore.table_changes`), and the actions
        when they changed. A box with unsaved edits keeps them (its save
        will be refused, and the page will offer the choice); everything
        else shows the newer value."""
        if not self.signed_in or self.store is None or self.slug is None or self.workshop is None or self.table is None:
            return
        after, after_table = self._cursor()
        try:
            # One statement: the new rows of the table's members (this
            # participant's own among them) and of the table's answers,
            # with which of them were given without a name.
            changes = self.store.table_changes(self.slug, self.table, round=self.workshop.settings.round, after_id=after, after_table_id=after_table)
            actions_now = self.store.actions_version(self.slug)
        except (ToolkitError, SQLAlchemyError):
            return  # the settings poll says when the store cannot be read
        me = self.participant.id if self.participant is not None else None
        for row in changes.answers:
            self._seen_id = max(self._seen_id, row.id)
        self._take_changes(changes)
        for row in changes.answers:
            if row.participant_id != me:
                continue
            key = (row.kind, row.tool_id, row.question_id)
            if row.id <= self._base.get(key, 0):
                continue  # this page's own save, or older than what it shows
            self._current[key] = row.value
            if row.kind == "text":  # an answer from elsewhere brings its "without my name" too
                (self._anonymous.add if row.id in changes.unnamed else self._anonymous.discard)(row.question_id)
            if self._show_newer(row):
                self._base[key] = row.id
            self._tick(row.tool_id)
            if row.kind == "rating":
                self._show_mates(row.tool_id)
        if actions_now != self._actions_seen:
            if self._actions_seen is not None:
                self._show_actions(p for book in self.workbooks for p in book.panels.values())
            self._actions_seen = actions_now

    def _show_newer(self, row: Answer) -> bool:
        """Show a newer row from elsewhere wherever this page shows that
        answer; ``False`` when the participant is editing it here or its
        save is still being made or retried (their save will then meet the
        newer row and offer the choice)."""
        if self.participant is not None and self.writer.busy((self.participant.id, row.kind, row.tool_id, row.question_id)):
            return False
        if row.kind == "dots":
            votes = [page.vote for page in self.priority_pages]
            if any(v.busy(row.tool_id) for v in votes):
                return False
            for vote in votes:
                vote.load_count(row.tool_id, row.value)
            return True
        panels = [book.panels[row.tool_id] for book in self.workbooks if row.tool_id in book.panels]
        if row.kind == "text":
            if any(p.form.busy(row.question_id) for p in panels):
                return False
            for panel in panels:
                panel.form.load_answer(row.question_id, row.value, anonymous=row.question_id in self._anonymous)
        elif row.kind == "comment":
            if any(p.rating.comment_field.busy for p in panels):
                return False
            for panel in panels:
                panel.rating.comment_field.load(row.value)
        elif row.kind == "rating":
            for panel in panels:
                panel.rating.load_rating(row.value)
        return True

    def stop_polling(self) -> None:
        """Cancel the pending re-read of the settings, of the participant's
        rows and the countdown step (no-op when none)."""
        poll, self._poll = self._poll, None
        if poll is not None:
            poll.cancel()
        sync, self._sync = self._sync, None
        if sync is not None:
            sync.cancel()
        ticker, self._ticker = self._ticker, None
        if ticker is not None:
            ticker.cancel()

    @property
    def polling(self) -> bool:
        return self._poll is not None

    def _forget(self, page: StageWorkbook | PrioritiesPage) -> None:
        """A page closed: stop updating it, and stop polling after the last."""
        if page in self.workbooks:
            for panel in page.panels.values():
                built = self._table_views.pop(id(panel), None)
                if built is not None:
                    built[1].flush()
            self.workbooks.remove(page)
        if page in self.priority_pages:
            self.priority_pages.remove(page)
        if not self.workbooks and not self.priority_pages:
            self.stop_polling()
            self.writer.stop()  # the saves already made still finish; nothing is retried

    def close(self) -> None:
        """Close every page the session built (their pending saves are
        made first); the polling stops with the last one."""
        for page in [*self.workbooks, *self.priority_pages]:
            page.close()
        self.stop_polling()

    def flush(self) -> None:
        """Save every pending autosave now, and try every save that waits
        for its retry (tests, and before switching participant)."""
        for book in self.workbooks:
            book.flush()
        for _panel, view in list(self._table_views.values()):
            view.flush()
        self.writer.flush()

    # ------------------------------------------------------------------
    # Writes: the store decides, the widget shows the outcome

    def _write(
        self,
        key: tuple[str, str, str],
        save: Callable[[AnswerStore, str, int, Any], Any],
        ok: Callable[[Any], None],
        fail: Callable[[str], None],
        wait: Callable[[str], None],
        *,
        base: Callable[[dict[tuple[str, str, str], int]], Any] = lambda _bases: None,
        stale: Callable[[ChangedElsewhere], None] | None = None,
        beside: bool = True,
        table: bool = False,
    ) -> None:
        """Hand one save to the writer: ``save(store, slug, participant_id,
        base)`` runs off the event loop for whoever is signed in now;
        ``base(bases)`` (the answer row the page shows there, read on the
        loop just before each attempt) is what it saves on top of.
        The outcome comes back on the loop: ``ok(result)``, ``stale`` (a
        newer answer was written elsewhere), ``fail(reason)`` (refused), or
        ``wait(reason)`` while it is retried. ``beside``: the reason is
        shown beside the one field it concerns, so a refusal says its
        problem without naming the field again (an action's message line
        serves several fields and keeps the name). ``table``: a table
        answer, which a table's shared device writes too
        (``participant_id`` is then ``None``); every other write is a
        participant's own.

        An outcome that arrives after the page switched participant or
        round (the page shows other answers now) changes nothing on it;
        the save itself still went to whoever typed it."""
        if self.store is None or self.slug is None or not (self.participant is not None or (table and self.seat is not None)):
            fail(NOT_SIGNED_IN)
            return
        bases = self._base  # replaced (not changed) when the participant or round changes
        store, slug = self.store, self.slug
        participant_id = self.participant.id if self.participant is not None else None

        def current() -> bool:
            return bases is self._base

        def settle(result: Any, exc: BaseException | None) -> None:
            if not current():
                return
            if exc is None:
                ok(result)
            elif isinstance(exc, ChangedElsewhere):
                self.writer.drop(writer_key)  # what waits was typed before the choice now shown
                (stale or (lambda e: fail(str(e))))(exc)
            elif isinstance(exc, StageLocked):
                stage_id = self._stage_of(key)
                # Read the lock first: the page locks, and the poll's words
                # (with the time the lock fell) go on this box as on the others.
                self.check_settings()
                if not current():
                    return  # the re-read found a new round: the page shows it now
                if stage_id is None:
                    fail(KEPT_NOT_SAVED.format(str(exc).rstrip(".")))
                else:
                    fail(lock_fell_text(self.kit.stage(stage_id).title, self._lock_fell_at(stage_id)))
            elif isinstance(exc, ToolkitError):
                fail(problem_of(exc) if beside else str(exc))
            elif isinstance(exc, SQLAlchemyError):
                fail(STORE_DOWN.format(_reason(exc)))
            else:  # a bug: one line in the kernel's log, the reason on the box, never a traceback
                log.error("a save failed: %s: %s", type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")
                fail(f"something went wrong ({type(exc).__name__}); your text is still here")

        writer_key = (participant_id if participant_id is not None else f"table:{self.table}", *key)  # as _table_key
        self.writer.submit(
            writer_key,
            Write(
                prepare=lambda: functools.partial(save, store, slug, participant_id, base(bases)),
                settle=settle,
                wait=lambda reason: wait(reason) if current() else None,
            ),
        )

    def _saved(self, answer: Answer) -> None:
        """A save went through: it is what the page shows, the base of the next."""
        key = (answer.kind, answer.tool_id, answer.question_id)
        self._current[key] = answer.value
        self._base[key] = answer.id

    def _lost_to(self, newer: Answer) -> None:
        """A save was refused for ``newer``: the store holds it, and the
        participant's choice is saved on top of it."""
        self._saved(newer)

    def _save_text(self, book: StageWorkbook, panel: ToolPanel, question_id: str, text: str) -> None:
        tool_id = panel.tool.id
        key = ("text", tool_id, question_id)
        anonymous = panel.form.is_anonymous(question_id)

        def ok(answer: Answer) -> None:
            panel.form.mark_saved(question_id, text, answer.created)
            self._saved(answer)
            (self._anonymous.add if anonymous else self._anonymous.discard)(question_id)
            self._tick(tool_id)

        def stale(exc: ChangedElsewhere) -> None:
            self._lost_to(exc.newer)
            # The box's text: what "keep mine" saves (newer than this save when typed on meanwhile).
            panel.form.conflict(question_id, mine=panel.form.fields[question_id].value, theirs=exc.newer.value, when=exc.newer.created)
            self._tick(tool_id)

        self._write(
            key,
            lambda store, slug, who, base: store.save_answer(slug, who, tool_id, question_id, text, base=base, anonymous=anonymous),
            ok,
            lambda reason: panel.form.mark_failed(question_id, reason),
            lambda reason: panel.form.mark_retrying(question_id, reason),
            base=lambda bases: bases.get(key, 0),
            stale=stale,
        )

    def _save_rating(self, book: StageWorkbook, panel: ToolPanel, value: Any) -> None:
        tool_id = panel.tool.id
        key = ("rating", tool_id, "")

        def ok(answer: Answer) -> None:
            panel.rating.mark_rating_saved(value, answer.created)
            self._saved(answer)
            self._tick(tool_id)
            self._show_mates(tool_id)  # the table's spread

        def stale(exc: ChangedElsewhere) -> None:
            self._lost_to(exc.newer)
            panel.rating.rating_changed_elsewhere(exc.newer.value, value)

        self._write(
            key,
            lambda store, slug, who, base: store.save_rating(slug, who, tool_id, None if value == NOT_SURE else value, base=base),
            ok,
            panel.rating.mark_rating_failed,
            panel.rating.mark_rating_retrying,
            base=lambda bases: bases.get(key, 0),
            stale=stale,
        )

    def _save_comment(self, book: StageWorkbook, panel: ToolPanel, text: str) -> None:
        tool_id = panel.tool.id
        key = ("comment", tool_id, "")

        def ok(answer: Answer) -> None:
            panel.rating.mark_comment_saved(text, answer.created)
            self._saved(answer)
            self._tick(tool_id)

        def stale(exc: ChangedElsewhere) -> None:
            self._lost_to(exc.newer)
            panel.rating.comment_conflict(mine=panel.rating.comment.value, theirs=exc.newer.value, when=exc.newer.created)

        self._write(
            key,
            lambda store, slug, who, base: store.save_comment(slug, who, tool_id, text, base=base),
            ok,
            panel.rating.mark_comment_failed,
            panel.rating.mark_comment_retrying,
            base=lambda bases: bases.get(key, 0),
            stale=stale,
        )

    def _add_action(self, panel: ToolPanel, fields: dict[str, Any]) -> None:
        tool_id = panel.tool.id

        def ok(action: Any) -> None:
            panel.actions.added(action)
            self._show_actions([panel], tool_id)

        # One key per tool: pressing "Add action" again while an add is
        # retried replaces it (the fields still show that action).
        self._write(
            ("action", tool_id, ""),
            lambda store, slug, who, _base: store.add_action(slug, tool_id, participant_id=who, **fields),
            ok,
            panel.actions.failed,
            panel.actions.retrying,
            beside=False,
        )

    def _save_dots(self, page: PrioritiesPage, allocation: dict[str, int]) -> None:
        def ok(answers: list[Answer]) -> None:
            page.vote.mark_saved(allocation, time.time())
            for tool_id, n in allocation.items():
                self._current[("dots", tool_id, "")] = str(n)
            for answer in answers:
                self._saved(answer)

        def stale(exc: ChangedElsewhere) -> None:
            self._lost_to(exc.newer)
            tool_id = exc.newer.tool_id
            page.vote.changed_elsewhere(tool_id, int(exc.newer.value), int(allocation[tool_id]))

        # Each change names one tool: one key per tool, the newest count wins.
        self._write(
            ("dots", ",".join(sorted(allocation)), ""),
            lambda store, slug, who, bases: store.save_dots(slug, who, allocation, bases=bases),
            ok,
            lambda reason: page.vote.mark_failed(reason, next(iter(allocation), None)),
            page.vote.mark_retrying,
            base=lambda bases: {tool_id: bases.get(("dots", tool_id, ""), 0) for tool_id in allocation},
            stale=stale,
        )


def _table_rule(settings: Any) -> tuple[Any, ...]:
    """The settings a table's page shows tablemates by (the privacy rule)."""
    return (settings.anonymous, tuple(sorted(settings.hidden)), settings.min_group)


def passing_reason(exc: BaseException) -> str | None:
    """Why a save failed, in plain words, when trying it again may work
    (the store was busy, its disk failed, its server was away); ``None``
    when the store refused it (a rule, a lock, a conflict), which no retry
    changes."""
    if isinstance(exc, (ToolkitError, IntegrityError)) or not isinstance(exc, (SQLAlchemyError, OSError)):
        return None
    text = _reason(exc).lower()
    if "locked" in text or "busy" in text or "lock timeout" in text:
        return STORE_BUSY
    if "full" in text or "no space" in text:
        return "the workshop computer's disk is full"
    if "disk i/o" in text or "i/o error" in text:
        return "the workshop computer could not write to its disk"
    if "readonly" in text or "read-only" in text or "permission" in text:
        return "the workshop store cannot be written just now"
    return f"the workshop store had a problem ({_reason(exc)})"


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
