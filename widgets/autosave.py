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
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable
from typing import Any

import ipywidgets as widgets
import traitlets

from widgets.style import LIVE_LOCAL, hook

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


class SaveStatus(widgets.Label):
    """The status line under a box: ``Saved 14:03:12``, ``Saving…`` or
    ``Not saved: <reason>``. Plain text (a Label), CSS class
    ``xs-save-status`` plus ``xs-status-saved|editing|error`` (from
    ``state``), and a live region for the box it sits beside
    (:data:`~widgets.style.LIVE_LOCAL`)."""

    SAVED = "saved"
    EDITING = "editing"
    ERROR = "error"

    state = traitlets.Unicode("", help="'saved', 'editing', 'error' or '' (nothing to say)")

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("layout", widgets.Layout(width="100%"))
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

    def failed(self, reason: str) -> None:
        self._set(self.ERROR, f"Not saved: {reason}")

    def clear(self) -> None:
        self._set("", "")


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
    def in_conflict(self) -> bool:
        """A conflict waits for the participant's choice: saves are held."""
        return self.choice is not None and self.choice.showing

    @property
    def busy(self) -> bool:
        """The participant has something here the store does not hold yet
        (typed, waiting for its save, or in a conflict): a newer text from
        elsewhere must not simply replace it."""
        return self.dirty or self.key in self.debouncer.pending or self.in_conflict

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

    def _changed(self, change: dict[str, Any]) -> None:
        if self._loading or self.in_conflict:
            return  # in a conflict the text waits for the choice
        self.status.editing()
        self.debouncer.touch(self.key)
