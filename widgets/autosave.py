"""Autosave without a save button: a debounce in the kernel and a visible
status per box.

A Textarea with ``continuous_update=True`` sends its value to the kernel on
every keystroke. Each change (re)starts a short timer on the kernel's event
loop (``loop.call_later``); when the participant has paused for ``delay``
seconds the field's owner emits its save event once, with the text as it is
then. So the save happens about a second after the last keystroke, whether
or not the box still has the focus.

    >>> saves = []
    >>> d = Debouncer(saves.append, delay=1.0)
    >>> d.touch("epp-1"); d.touch("epp-1")     # one pending save, not two
    >>> d.flush()                               # tests: save now, no sleeping
    >>> saves
    ['epp-1']

With ``delay=0`` every change saves at once. With no running event loop
(plain Python, headless tests) a change stays pending until :meth:`flush`;
inside a kernel (JupyterLab, Voila) there always is one.

The save itself goes through a :class:`Writer`: one worker thread per page
session runs the writes, so a store that waits for a lock never freezes
the page, and the outcome is handed back on the event loop, where widget
state is changed. A save that failed for a passing reason (the store is
busy, its disk failed, its server is away) is tried again after 1, 2, 4, 8
and then every 15 seconds (:func:`retry_delay`) until it goes through or
the page closes; a newer save of the same box replaces the waiting one, so
the newest text wins. The box says so meanwhile (:meth:`SaveStatus.retrying`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import traitlets

from widgets.style import LIVE_LOCAL, QUIET, hook, shared_style

#: Seconds between the last keystroke and the save.
DEFAULT_DELAY = 1.0

#: ``call_later(delay, callback) -> handle with .cancel()``, like asyncio's.
CallLater = Callable[[float, Callable[[], None]], Any]


class Debouncer:
    """Calls ``fire(key)`` once, ``delay`` seconds after the last
    ``touch(key)``; keys are independent (typing in one box never delays
    another box's save).

    ``call_later`` schedules the timer; by default the running asyncio
    loop's ``call_later`` (the kernel's). Tests may pass a fake one.
    """

    def __init__(self, fire: Callable[[Hashable], None], delay: float = DEFAULT_DELAY, call_later: CallLater | None = None):
        self.fire = fire
        self.delay = float(delay)
        self._call_later = call_later
        self._pending: dict[Hashable, Any] = {}

    @property
    def pending(self) -> tuple[Hashable, ...]:
        """Keys whose save has not happened yet."""
        return tuple(self._pending)

    def touch(self, key: Hashable) -> None:
        """(Re)start the timer of ``key``."""
        self.cancel(key)
        if self.delay <= 0:
            self.fire(key)
            return
        self._pending[key] = self._schedule(key)

    def cancel(self, key: Hashable) -> None:
        handle = self._pending.pop(key, None)
        if handle is not None:
            handle.cancel()

    def flush(self) -> None:
        """Fire every pending key now (in the order they were first touched)."""
        for key in list(self._pending):
            self.cancel(key)
            self.fire(key)

    def _schedule(self, key: Hashable) -> Any:
        call_later = self._call_later
        if call_later is None:
            try:
                call_later = asyncio.get_running_loop().call_later
            except RuntimeError:
                return _Unscheduled()
        return call_later(self.delay, lambda: self._due(key))

    def _due(self, key: Hashable) -> None:
        if self._pending.pop(key, None) is not None:
            self.fire(key)


class _Unscheduled:
    """The handle of a change that waits for :meth:`Debouncer.flush`."""

    def cancel(self) -> None:
        pass


#: Seconds before the first retry of a save that failed for a passing
#: reason; each next wait doubles, up to :data:`RETRY_MAX_SECONDS`.
RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 15.0


def retry_delay(attempt: int) -> float:
    """Seconds to wait before retry number ``attempt`` (1, 2, ...) of a
    failed save: 1, 2, 4, 8, then 15 for every retry after that.

        >>> [retry_delay(n) for n in range(1, 7)]
        [1.0, 2.0, 4.0, 8.0, 15.0, 15.0]
    """
    return min(RETRY_FIRST_SECONDS * 2 ** min(max(attempt, 1) - 1, 30), RETRY_MAX_SECONDS)


@dataclass(frozen=True)
class Write:
    """One save for a :class:`Writer`.

    ``prepare()`` runs on the event loop just before each attempt and
    returns the function the worker runs (so each attempt starts from what
    the page knows then, such as the answer row it saves on top of);
    ``settle(result, error)`` gets the outcome on the event loop, once:
    the result, or an error that is not worth retrying; ``wait(reason)``
    says on the event loop that an attempt failed for a passing reason and
    the save will be tried again."""

    prepare: Callable[[], Callable[[], Any]]
    settle: Callable[[Any, BaseException | None], None]
    wait: Callable[[str], None]


class Writer:
    """Runs one page session's saves one at a time on a worker thread and
    retries the ones that fail for a passing reason.

    ``passing(error)`` is the reason in plain words when ``error`` is worth
    retrying (the store was busy or away), else ``None`` (the save was
    refused: it is settled with the error). ``call_later`` schedules the
    retries, as for :class:`Debouncer`.

    Saves are keyed (one key per box): a key has at most one attempt
    running, and a save submitted meanwhile waits for it and then starts
    from the outcome (the newer text is saved on the row the older one
    wrote). A newer save replaces one that waits for its retry and starts
    at once. After :meth:`stop` (the page closed) nothing is retried; a
    save already submitted still gets its one attempt.

    With a running event loop the attempts run on the worker thread and
    their outcomes come back through the loop; without one (plain Python,
    headless tests) they run at once, in the caller's thread, and retries
    wait for ``call_later`` or :meth:`flush`.
    """

    def __init__(self, passing: Callable[[BaseException], str | None], call_later: CallLater | None = None):
        self.passing = passing
        self._call_later = call_later
        self._queued: dict[Hashable, Write] = {}
        self._running: set[Hashable] = set()
        self._timers: dict[Hashable, Any] = {}
        self._attempts: dict[Hashable, int] = {}
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self.stopped = False

    @property
    def pending(self) -> tuple[Hashable, ...]:
        """Keys with a save running, waiting for one that runs, or waiting
        for its retry."""
        return tuple(dict.fromkeys([*self._running, *self._queued]))

    def busy(self, key: Hashable) -> bool:
        """A save of ``key`` has not settled yet."""
        return key in self._running or key in self._queued

    def attempts(self, key: Hashable) -> int:
        """How many attempts of ``key``'s save failed in a row so far."""
        return self._attempts.get(key, 0)

    def submit(self, key: Hashable, write: Write) -> None:
        """Save ``write`` for ``key``: now, or as soon as the attempt
        running for ``key`` is over. It replaces a save of ``key`` that
        waits (for that attempt or for its retry)."""
        self._cancel_timer(key)
        self._queued[key] = write
        if key not in self._running:
            self._start(key)

    def drop(self, key: Hashable) -> None:
        """Forget the save of ``key`` that waits (not the running attempt)."""
        self._cancel_timer(key)
        self._queued.pop(key, None)
        self._attempts.pop(key, None)

    def flush(self) -> None:
        """Try every waiting save now instead of after its delay."""
        for key in list(self._queued):
            if key not in self._running:
                self._cancel_timer(key)
                self._start(key)

    def stop(self) -> None:
        """Retry nothing from now on (the page closed): the saves waiting
        for a retry are dropped."""
        self.stopped = True
        for key in list(self._timers):
            self.drop(key)

    def start(self) -> None:
        """Retry again (a page was opened after :meth:`stop`)."""
        self.stopped = False

    def _start(self, key: Hashable) -> None:
        write = self._queued.pop(key)
        self._running.add(key)
        try:
            run = write.prepare()
        except Exception as exc:  # noqa: BLE001 - settled like a failed attempt
            self._finish(key, write, (None, exc))
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._finish(key, write, _attempt(run))
            return
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="xs-save")
        future = loop.run_in_executor(self._pool, _attempt, run)
        # Done callbacks of an asyncio future run on its loop: the widgets
        # are changed in the loop's thread, as ipywidgets needs.
        future.add_done_callback(lambda f: self._finish(key, write, f.result()))

    def _finish(self, key: Hashable, write: Write, outcome: tuple[Any, BaseException | None]) -> None:
        self._running.discard(key)
        result, error = outcome
        reason = self.passing(error) if error is not None else None
        if reason is not None:
            self._attempts[key] = attempts = self._attempts.get(key, 0) + 1
            if key in self._queued:
                self._start(key)  # a newer save came meanwhile: it goes instead
                return
            write.wait(reason)
            if not self.stopped:
                self._queued[key] = write
                self._schedule_retry(key, retry_delay(attempts))
            return
        self._attempts.pop(key, None)
        write.settle(result, error)
        if key in self._queued and key not in self._running and key not in self._timers:
            self._start(key)

    def _schedule_retry(self, key: Hashable, delay: float) -> None:
        call_later = self._call_later
        if call_later is None:
            try:
                call_later = asyncio.get_running_loop().call_later
            except RuntimeError:
                return  # plain Python: waits for flush()
        self._timers[key] = call_later(delay, lambda: self._due(key))

    def _due(self, key: Hashable) -> None:
        if self._timers.pop(key, None) is not None and key in self._queued and key not in self._running:
            self._start(key)

    def _cancel_timer(self, key: Hashable) -> None:
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()


def _attempt(run: Callable[[], Any]) -> tuple[Any, BaseException | None]:
    try:
        return run(), None
    except Exception as exc:  # noqa: BLE001 - the Writer's passing() and settle() decide
        return None, exc


class SaveStatus(widgets.Label):
    """The status line under a box: ``Saved 14:03:12``, ``Saving…``,
    ``Not saved yet, retrying… <Reason>.`` or ``Not saved: <reason>``.
    Plain text (a Label), CSS class ``xs-save-status`` plus
    ``xs-status-saved|editing|retrying|error`` (from ``state``), and a live
    region for the box it sits beside (:data:`~widgets.style.LIVE_LOCAL`)."""

    SAVED = "saved"
    EDITING = "editing"
    RETRYING = "retrying"
    ERROR = "error"

    state = traitlets.Unicode("", help="'saved', 'editing', 'retrying', 'error' or '' (nothing to say)")

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("layout", widgets.Layout(width="100%"))
        kwargs.setdefault("style", shared_style(widgets.Label))
        super().__init__("", **kwargs)
        hook(self, "xs-save-status", LIVE_LOCAL)

    @traitlets.observe("state")
    def _state_class(self, change: dict[str, Any]) -> None:
        if change["old"]:
            self.remove_class(f"xs-status-{change['old']}")
        if change["new"]:
            self.add_class(f"xs-status-{change['new']}")

    def _set(self, state: str, text: str) -> None:
        self.state = state
        self.value = text

    def saved(self, when: float | None = None) -> None:
        """``Saved 14:03:12`` (kernel's local time), or ``Saved`` for a value
        that was loaded from the store."""
        self._set(self.SAVED, "Saved" if when is None else f"Saved {time.strftime('%H:%M:%S', time.localtime(when))}")

    def editing(self) -> None:
        self._set(self.EDITING, "Saving…")

    def retrying(self, reason: str) -> None:
        """The save failed for a passing ``reason`` and is tried again by itself."""
        self._set(self.RETRYING, retrying_text(reason))

    def failed(self, reason: str) -> None:
        self._set(self.ERROR, f"Not saved: {reason}")

    def refused(self, text: str) -> None:
        """An error that is not a failed save (nothing was sent): ``text``
        as it is, such as ``No dots left: …``."""
        self._set(self.ERROR, text)

    def clear(self) -> None:
        self._set("", "")


def retrying_text(reason: str, what: str = "saved") -> str:
    """``Not saved yet, retrying… The workshop store is busy with another
    save.``: the words every view uses while a write is retried (``reason``
    in plain words, as a sentence without its full stop; ``what``:
    ``"added"`` for an action)."""
    return f"Not {what} yet, retrying… {reason[:1].upper()}{reason[1:]}."


#: What a box says when the facilitator's lock caught a save (the stage's
#: title and the time the lock fell in the braces); see :func:`lock_fell_text`.
LOCK_FELL = ("the facilitator locked the {stage} stage at {time} before this was saved. "
             "What you entered is still shown here but is not in the workshop: copy it if you want to keep it.")


def lock_fell_text(stage: str, when: float) -> str:
    """The one message for a save the facilitator's lock caught, whichever
    noticed it first: the page's settings poll (the box was still being
    typed in) or the store refusing a save already on its way. ``stage``
    is the stage's title, ``when`` the time the lock fell (seconds since
    1970, shown in the kernel's local time)::

        >>> lock_fell_text("Diagnosis", when)
        'the facilitator locked the Diagnosis stage at 14:03:12 before this was saved. What you entered ...'

    :meth:`SaveStatus.failed` puts ``Not saved:`` in front."""
    return LOCK_FELL.format(stage=stage, time=time.strftime("%H:%M:%S", time.localtime(when)))


#: The status line while a conflict waits for the participant's choice.
CHOOSE_BELOW = "changed in another tab or on another device; choose below what to keep"


class AutosaveField:
    """One autosaved input: the widget, its status, what the store holds.

    Not a widget itself; :class:`~widgets.question_form.QuestionForm` and
    :class:`~widgets.rating.Rating` hold one per box. Changes made by
    :meth:`load` are not saves.

    When a save is refused because the store holds a newer text written
    elsewhere, :meth:`conflict` shows both (a
    :class:`~widgets.conflict.ConflictChoice` added to ``row`` the first
    time) and holds this field's saves until the participant chooses: keep
    mine (saved now, over the newer text), keep theirs (shown, nothing
    saved), or edit both merged (autosaved as they edit).
    """

    def __init__(self, key: Hashable, input: widgets.ValueWidget, status: SaveStatus, debouncer: Debouncer, row: widgets.Box | None = None):
        self.key = key
        self.input = input
        self.status = status
        self.debouncer = debouncer
        self.row = row
        self.choice: Any = None  # the ConflictChoice, built on the first conflict
        self.saved_value: Any = input.value
        self.saved_at: float | None = None
        self._loading = False
        input.observe(self._changed, "value")

    @property
    def value(self) -> Any:
        return self.input.value

    @property
    def dirty(self) -> bool:
        """The box differs from what the store holds."""
        return self.input.value != self.saved_value

    @property
    def unsettled(self) -> bool:
        """A save is still due: the box differs from the store, or its
        save is being retried (even if the box was typed back to the
        stored text, the retry must not save the older one)."""
        return self.dirty or self.status.state == SaveStatus.RETRYING

    @property
    def in_conflict(self) -> bool:
        """A conflict waits for the participant's choice: saves are held."""
        return self.choice is not None and self.choice.showing

    @property
    def busy(self) -> bool:
        """The participant has something here the store does not hold yet
        (typed, waiting for its save, or in a conflict): a newer text from
        elsewhere must not simply replace it."""
        return self.unsettled or self.key in self.debouncer.pending or self.in_conflict

    def conflict(self, *, mine: str, theirs: str, when: float) -> None:
        """The store refused ``mine``: it holds ``theirs`` (saved ``when``)."""
        from widgets.conflict import ConflictChoice

        self.debouncer.cancel(self.key)
        self.saved_value, self.saved_at = theirs, when
        if self.choice is None:
            self.choice = ConflictChoice()
            self.choice.on_choose(self._choose)
            if self.row is not None:
                self.row.children = [*self.row.children, self.choice]
        self.choice.show(mine=mine, theirs=theirs, when=when)
        self.status.failed(CHOOSE_BELOW)

    def _choose(self, which: str) -> None:
        from widgets.conflict import merged

        if self.choice is None:
            return
        self.choice.hide()
        if which == "theirs":
            when = self.saved_at
            self.load(self.saved_value)
            self.saved_at = when
            self.status.saved(when)
        elif which == "merge":
            self.input.value = merged(self.saved_value, self.input.value)  # autosaved like typing
        else:  # mine: saved at once, over the newer text
            self.debouncer.cancel(self.key)
            self.debouncer.fire(self.key)

    def load(self, value: Any) -> None:
        """Show a value the store holds, without saving it again."""
        self.debouncer.cancel(self.key)
        self._loading = True
        try:
            self.input.value = value
        finally:
            self._loading = False
        self.saved_value = value
        self.saved_at = None
        if value not in ("", None):
            self.status.saved(None)
        else:
            self.status.clear()

    def settled(self) -> None:
        """The debounce ended and nothing changed: show the last status again."""
        if self.saved_at is not None or self.saved_value not in ("", None):
            self.status.saved(self.saved_at)
        else:
            self.status.clear()

    def mark_saved(self, value: Any, when: float) -> None:
        self.saved_value = value
        self.saved_at = when
        self.status.saved(when)

    def mark_failed(self, reason: str) -> None:
        self.status.failed(reason)

    def mark_retrying(self, reason: str) -> None:
        """The save failed for a passing ``reason``; the text stays and is
        saved again by itself."""
        self.status.retrying(reason)

    def _changed(self, change: dict[str, Any]) -> None:
        if self._loading or self.in_conflict:
            return  # in a conflict the text waits for the choice
        self.status.editing()
        self.debouncer.touch(self.key)


class SavedSummary(widgets.Label):
    """The page's one line on its saves (issue #19), from the status lines
    it watches (:meth:`watch`): ``All your answers here are saved.``, ``Saving…``, ``Not everything is saved yet: retrying by
    itself. Keep this page open.`` or ``2 answers on this page are not
    saved: see the red lines below.``; empty while ``active`` is False
    (nobody signed in). CSS: ``xs-page-saved`` plus ``xs-page-saved-<state>``
    (``saved``, ``editing``, ``retrying``, ``error``); a live region for the
    whole page (:data:`~widgets.style.LIVE`) that says only trouble (a
    failure at once, a retry politely): while saved or saving it is
    :data:`~widgets.style.QUIET`, since each box's own status speaks."""

    ALL_SAVED = "All your answers here are saved."
    SAVING = "Saving…"
    RETRYING = "Not everything is saved yet: retrying by itself. Keep this page open."

    state = traitlets.Unicode("", help="'saved', 'editing', 'retrying', 'error' or '' (inactive)")
    active = traitlets.Bool(False, help="someone is signed in: there is something to say")

    def __init__(self, **kwargs: Any):
        from widgets.style import LIVE

        kwargs.setdefault("layout", widgets.Layout(width="100%"))
        kwargs.setdefault("style", shared_style(widgets.Label))
        super().__init__("", **kwargs)
        self._watched: list[SaveStatus] = []
        hook(self, "xs-page-saved", "xs-wrap", LIVE, QUIET)

    def watch(self, *statuses: SaveStatus) -> None:
        """Count these status lines in (a panel built, a vote shown)."""
        for status in statuses:
            if status not in self._watched:
                self._watched.append(status)
                status.observe(lambda _c: self.update(), "state")
        self.update()

    @traitlets.observe("active")
    def _active_changed(self, _change: dict[str, Any]) -> None:
        self.update()

    def update(self) -> None:
        """Say again what the watched lines say now."""
        states = [s.state for s in self._watched]
        failed = states.count(SaveStatus.ERROR)
        if not self.active:
            state, text = "", ""
        elif failed:
            what = "answer on this page is" if failed == 1 else "answers on this page are"
            state, text = SaveStatus.ERROR, f"{failed} {what} not saved: see the red line{'s' if failed != 1 else ''} below."
        elif SaveStatus.RETRYING in states:
            state, text = SaveStatus.RETRYING, self.RETRYING
        elif SaveStatus.EDITING in states:
            state, text = SaveStatus.EDITING, self.SAVING
        else:
            state, text = SaveStatus.SAVED, self.ALL_SAVED
        if state != self.state:
            if self.state:
                self.remove_class(f"xs-page-saved-{self.state}")
            if state:
                self.add_class(f"xs-page-saved-{state}")
            # An error is said at once (the live region's assertive state);
            # "saved" and "saving" are left to each box's own status.
            (self.add_class if state == SaveStatus.ERROR else self.remove_class)("xs-live-alert")
            (self.add_class if state in ("", SaveStatus.SAVED, SaveStatus.EDITING) else self.remove_class)(QUIET)
            self.state = state
        if self.value != text:
            self.value = text


class CharCount(widgets.Label):
    """How much of a box's limit its text uses, shown once the text is
    near it (``near`` of the limit, 90% by default): ``18,250 of 20,000
    characters``, and at the limit ``20,000 of 20,000 characters: the
    most an answer can hold.`` The box itself stops there too
    (:func:`~widgets.style.max_length`). CSS ``xs-char-count``, with
    ``xs-char-count-full`` at the limit; hidden (``display: none``) far
    from it. :meth:`follow` keeps it in step with a box."""

    def __init__(self, limit: int, *, near: float = 0.9, **kwargs: Any):
        kwargs.setdefault("layout", widgets.Layout(width="100%", display="none"))
        kwargs.setdefault("style", shared_style(widgets.Label))
        super().__init__("", **kwargs)
        self.limit = int(limit)
        self.near = near
        hook(self, "xs-char-count")

    def follow(self, box: widgets.ValueWidget) -> None:
        """Count ``box``'s text now and on every change."""
        self.count(box.value)
        box.observe(lambda change: self.count(change["new"]), "value")

    def count(self, text: str) -> None:
        n = len(text or "")
        shown = n >= self.near * self.limit
        full = n >= self.limit
        text_now = ""
        if shown:
            text_now = f"{n:,} of {self.limit:,} characters" + (": the most an answer can hold." if full else "")
        if self.value != text_now:
            self.value = text_now
        (self.add_class if full else self.remove_class)("xs-char-count-full")
        display = None if shown else "none"
        if self.layout.display != display:
            self.layout.display = display
