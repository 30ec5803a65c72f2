"""What the participant pages share: the state the Session sets on them, the
notice line, and close hooks.

    >>> page.ready = True                  # signed in
    >>> page.store_error = "the workshop store could not be read (…)"
    >>> page.on_close(lambda: ...)         # the Session stops polling for it
    >>> page.close()                       # flushes, runs the hooks once, closes

:class:`~widgets.stage_workbook.StageWorkbook` and
:class:`~widgets.priorities.PrioritiesPage` are pages. A page closes when
``close()`` is called or when the browser closes the page's comm (ipywidgets
itself does not close a widget then, so a page asks its comm to).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
import traitlets

from widgets.style import LIVE, hook, shared_style


def notice_line() -> widgets.Label:
    """The plain-text notice above a page's inputs (``xs-notice``): a live
    region (the lock, the store's trouble, "sign in"), so it stays in the
    page while empty (CSS folds it away) and only its text changes."""
    return hook(widgets.Label("", layout=widgets.Layout(width="100%"), style=shared_style(widgets.Label)), "xs-notice", "xs-wrap", LIVE)


class Page(widgets.VBox):
    """A participant page. Subclasses build ``notice`` (:func:`notice_line`)
    before calling ``super().__init__(children)`` and derive ``disabled``
    and the notice from the state traits in :meth:`_apply`.

    ``ready``: a participant is signed in. ``problem``: why nobody can sign
    in (no workshop, no store). ``store_error``: the last read of the store
    failed, and why (the next good read clears it). ``disabled``: the page's
    inputs are read-only; the page sets it from the other traits, and it
    can be linked like any trait. CSS: ``xs-ready`` while signed in.
    """

    ready = traitlets.Bool(False, help="a participant is signed in")
    problem = traitlets.Unicode("", help="why nobody can sign in (no workshop, no store)")
    store_error = traitlets.Unicode("", help="why the last read of the store failed; empty once one succeeds")
    disabled = traitlets.Bool(False, help="the page's inputs are read-only")

    notice: widgets.Label

    def __init__(self, children: Sequence[widgets.Widget], **kwargs: Any):
        self._close_handlers = widgets.CallbackDispatcher()
        super().__init__(list(children), **kwargs)

    @traitlets.observe("ready", "problem", "store_error")
    def _state_changed(self, _change: dict[str, Any]) -> None:
        self._apply()
        # Signed in: the CSS folds what only the sign-in needed (the
        # notebook's intro line, the stage's summary), so that the work
        # starts in the first screen (issue #19).
        (self.add_class if self.ready else self.remove_class)("xs-ready")

    def _apply(self) -> None:
        raise NotImplementedError

    def say(self, text: str) -> None:
        """Show a plain-text notice (empty: CSS folds it away)."""
        self.notice.value = text

    def focus_first(self) -> widgets.Widget | None:
        """Move the keyboard focus to the first useful place (after
        signing in); return the widget focused, or ``None``."""
        return None

    def flush(self) -> None:
        """Emit whatever the page has not emitted yet (nothing here)."""

    # -- closing ------------------------------------------------------------

    def on_close(self, callback: Callable[[], Any], remove: bool = False) -> None:
        """Register ``callback()``, called once when the page closes."""
        self._close_handlers.register_callback(callback, remove=remove)

    def close(self) -> None:
        """Emit pending saves (:meth:`flush`), run the :meth:`on_close`
        callbacks once, then close the widget."""
        if self.comm is not None:
            self.flush()
            self._close_handlers()
        super().close()

    @traitlets.observe("comm")
    def _watch_comm(self, change: dict[str, Any]) -> None:
        if change["new"] is not None:
            change["new"].on_close(lambda _msg: self.close())
