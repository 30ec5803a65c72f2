"""What every page shows of the facilitator's controls: the discussion
timer and a lock's countdown (or the dot vote closing), above the page's
own content.

    >>> status = RoomStatus(lock_key="diagnosis", lock_title="The Diagnosis stage")
    >>> status.show(settings, now=time.time())     # True while something counts down

The Session re-reads the settings every few seconds and calls
:meth:`RoomStatus.show` every second while a timer or a notice runs, so the
countdown moves on the page without the browser running any code. The
countdowns are ``role="timer"`` (read on demand, not announced every
second); the moments that matter (a timer or a notice starts, time is up)
are said once each in a polite live region (``xs-live``, issue #17), a
screen-reader-only line that stays in the page while empty so that a
screen reader hears its text change. The lock falling is said by the
page's own notice line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from toolkit.room import clock
from widgets.style import LIVE, SR_ONLY, esc, hook, shared_style

if TYPE_CHECKING:
    from toolkit.store.values import WorkshopSettings

#: A countdown's text at ``0:00`` and after.
TIME_UP = "Time is up"


class RoomStatus(widgets.VBox):
    """The timer and lock notices of one page. ``lock_key`` is the stage id
    (or :data:`toolkit.store.values.VOTE`) whose lock this page cares about,
    ``lock_title`` how a notice names it ("The Diagnosis stage", "The dot
    vote"), ``lock_verb`` what happens ("locks", "closes").

    Children: ``timer`` (``xs-timer``) and ``countdown``
    (``xs-lock-countdown``), HTML hidden while empty, and ``announce``
    (``xs-room-alert``), a Label read by screen readers only: a polite
    live region, never hidden, so that its changes are heard.
    ``value`` is the text shown, for tests. CSS: ``xs-room-status``."""

    def __init__(self, lock_key: str | None = None, lock_title: str = "", lock_verb: str = "locks", **kwargs: Any):
        self.lock_key, self.lock_title, self.lock_verb = lock_key, lock_title, lock_verb
        self.timer = hook(widgets.HTML("", layout=widgets.Layout(width="100%", display="none"), style=shared_style(widgets.HTML)), "xs-timer")
        self.countdown = hook(widgets.HTML("", layout=widgets.Layout(width="100%", display="none"), style=shared_style(widgets.HTML)), "xs-lock-countdown")
        self.announce = hook(widgets.Label("", style=shared_style(widgets.Label)), "xs-room-alert", LIVE, SR_ONLY)
        self._said: tuple[Any, ...] = (None, None, None)  # the moments last said, so each is said once
        super().__init__([self.timer, self.countdown, self.announce], layout=widgets.Layout(width="100%"), **kwargs)
        hook(self, "xs-room-status")

    @property
    def value(self) -> str:
        return " ".join(w.value for w in (self.timer, self.countdown, self.announce) if w.value)

    def show(self, settings: WorkshopSettings | None, now: float) -> bool:
        """Show the timer and this page's lock notice as of ``now``; True
        while one of them still counts down (call again in a second)."""
        ticking = False
        left = settings.timer_left(now) if settings is not None else None
        if left is None:
            _set(self.timer, "")
        elif left > 0:
            ticking = True
            _set(self.timer, f'<div role="timer" aria-label="Discussion time left">'
                             f'Discussion: <b class="xs-timer-left">{clock(left)}</b> left</div>')
        else:
            _set(self.timer, f'<div role="timer"><b class="xs-timer-left">{TIME_UP}</b></div>')
        lock_left = settings.locks_in(self.lock_key, now) if settings is not None and self.lock_key else None
        if lock_left is not None:
            ticking = True
            _set(self.countdown, f'<div role="timer" aria-label="Time until {esc(self.lock_title)} {esc(self.lock_verb)}">'
                                 f'{esc(self.lock_title)} {esc(self.lock_verb)} in '
                                 f'<b class="xs-lock-left">{clock(lock_left)}</b>.<span class="xs-lock-advice"> Finish what you are writing: what is saved by then stays.</span></div>')
        else:
            _set(self.countdown, "")
        self._announce(settings, left, lock_left)
        return ticking

    def _announce(self, settings: WorkshopSettings | None, left: float | None, lock_left: float | None) -> None:
        """Say once what just changed: a notice or a timer started, time ran out."""
        moment: tuple[Any, ...] = (
            settings.lock_at.get(self.lock_key) if settings is not None and lock_left is not None and self.lock_key else None,
            settings.timer_ends if settings is not None and left else None,
            settings.timer_ends if settings is not None and left == 0 else None,
        )
        if moment == self._said:
            return
        said, self._said = self._said, moment
        lines = []
        if moment[0] is not None and moment[0] != said[0]:
            lines.append(f"{self.lock_title} {self.lock_verb} in {clock(lock_left or 0)}.")
        if moment[1] is not None and moment[1] != said[1]:
            lines.append(f"Discussion timer: {clock(left or 0)} left.")
        if moment[2] is not None and moment[2] != said[2]:
            lines.append(f"{TIME_UP} for this discussion.")
        if lines:
            self.announce.value = " ".join(lines)
        elif not any(m is not None for m in moment):
            self.announce.value = ""


def _set(widget: widgets.HTML, html: str) -> None:
    if widget.value != html:
        widget.value = html
    display = None if html else "none"
    if widget.layout.display != display:
        widget.layout.display = display
