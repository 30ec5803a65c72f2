"""What a page shows when the same participant changed an answer somewhere
else (another tab, another device) while this page still showed the older
one: nothing is saved over the newer text, and the participant chooses.

    >>> choice = ConflictChoice()
    >>> choice.show(mine="tab B's text", theirs="tab A's text", when=1767225600.0)
    >>> choice.on_choose(lambda which: ...)   # "mine", "theirs" or "merge"
    >>> choice.keep_mine.click()

:class:`ConflictChoice` is for text (answers, the low-rating comment): both
texts side by side and three choices, keep mine, keep theirs, or edit the
two merged. :class:`ElsewhereNotice` is the short form for a rating or a
dot count: "Changed on another device: showing theirs; yours was 4 · Mostly
[Use mine]". Both only emit the choice; whoever owns the input acts on it.
Texts are shown escaped, never as HTML.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import traitlets

from widgets.style import LIVE, esc, hook, shared_style

CHOICES = ("mine", "theirs", "merge")
HEADLINE = "This answer was changed in another tab or on another device while you were typing. Nothing was lost: choose what to keep."


def merged(theirs: str, mine: str) -> str:
    """The starting point of "edit both together": the newer text, then
    this page's, one blank line apart (only one when they are equal)."""
    if not theirs.strip() or theirs == mine:
        return mine
    if not mine.strip():
        return theirs
    return f"{theirs.rstrip()}\n\n{mine.lstrip()}"


class _Shown:
    """Shown or hidden with its layout (hidden widgets stay in the page)."""

    layout: widgets.Layout

    def hide(self) -> None:
        self.layout.display = "none"

    @property
    def showing(self) -> bool:
        return self.layout.display != "none"


class ConflictChoice(_Shown, widgets.VBox):
    """``mine`` (this page's text), ``theirs`` (the newer text the store
    holds) and ``when`` (when theirs was saved). Children: ``headline``
    (Label), ``texts`` (HTML: both texts, escaped), ``keep_mine``,
    ``keep_theirs``, ``merge`` (Buttons). CSS: ``xs-conflict`` on the box,
    ``xs-conflict-mine``, ``xs-conflict-theirs``, ``xs-conflict-merge`` on
    the buttons; inside ``texts``, ``xs-conflict-mine-text`` and
    ``xs-conflict-theirs-text``."""

    mine = traitlets.Unicode("", help="this page's text")
    theirs = traitlets.Unicode("", help="the newer text the store holds")
    when = traitlets.Float(0.0, help="when theirs was saved (seconds since the epoch)")

    def __init__(self, **kwargs: Any):
        self._handlers = widgets.CallbackDispatcher()
        self.headline = hook(widgets.Label(HEADLINE, layout=widgets.Layout(width="100%"), style=shared_style(widgets.Label)), "xs-conflict-headline", "xs-wrap")
        self.texts = widgets.HTML("", layout=widgets.Layout(width="100%"), style=shared_style(widgets.HTML))
        button = widgets.Layout(width="auto")
        self.keep_mine = hook(widgets.Button(description="Keep mine", tooltip="Save the text on this page over the newer one", layout=button, style=shared_style(widgets.Button)), "xs-conflict-mine")
        self.keep_theirs = hook(widgets.Button(description="Keep theirs", tooltip="Keep the newer text; drop this page's", layout=button, style=shared_style(widgets.Button)), "xs-conflict-theirs")
        self.merge = hook(widgets.Button(description="Edit both together", tooltip="Put both texts in the box to edit into one", layout=button, style=shared_style(widgets.Button)), "xs-conflict-merge")
        for which, b in zip(CHOICES, (self.keep_mine, self.keep_theirs, self.merge)):
            b.on_click(lambda _b, which=which: self._handlers(which))
        row = widgets.HBox([self.keep_mine, self.keep_theirs, self.merge], layout=widgets.Layout(flex_flow="row wrap", width="100%"))
        super().__init__([self.headline, self.texts, row], layout=widgets.Layout(width="100%"), **kwargs)
        hook(self, "xs-conflict")
        self._render()

    def on_choose(self, callback: Callable[[str], Any], remove: bool = False) -> None:
        """Register ``callback(which)``: ``"mine"``, ``"theirs"`` or ``"merge"``."""
        self._handlers.register_callback(callback, remove=remove)

    def show(self, *, mine: str, theirs: str, when: float) -> None:
        with self.hold_trait_notifications():
            self.mine, self.theirs, self.when = mine, theirs, when
        self.layout.display = None

    @traitlets.observe("mine", "theirs", "when")
    def _changed(self, _change: dict[str, Any]) -> None:
        self._render()

    def _render(self) -> None:
        saved = time.strftime("%H:%M:%S", time.localtime(self.when)) if self.when else ""
        self.texts.value = (
            '<div class="xs-conflict-texts">'
            f'<div><strong>Yours, on this page</strong><div class="xs-conflict-mine-text">{esc(self.mine) or "<em>(empty)</em>"}</div></div>'
            f'<div><strong>The newer one{esc(", saved " + saved) if saved else ""}</strong>'
            f'<div class="xs-conflict-theirs-text">{esc(self.theirs) or "<em>(empty)</em>"}</div></div>'
            "</div>"
        )


class ElsewhereNotice(_Shown, widgets.HBox):
    """"Changed on another device: showing theirs; yours was X" and a
    ``use_mine`` Button. CSS: ``xs-changed-elsewhere`` on the notice,
    ``xs-use-mine`` on the button."""

    def __init__(self, **kwargs: Any):
        self._handlers = widgets.CallbackDispatcher()
        self.text = hook(widgets.Label("", layout=widgets.Layout(width="auto"), style=shared_style(widgets.Label)), "xs-wrap", LIVE)
        self.use_mine = hook(widgets.Button(description="Use mine", tooltip="Save your choice over the newer one", layout=widgets.Layout(width="auto"), style=shared_style(widgets.Button)), "xs-use-mine")
        self.use_mine.on_click(lambda _b: self._handlers())
        super().__init__([self.text, self.use_mine], layout=widgets.Layout(width="100%", flex_flow="row wrap", align_items="center"), **kwargs)
        hook(self, "xs-changed-elsewhere")

    def on_use_mine(self, callback: Callable[[], Any], remove: bool = False) -> None:
        self._handlers.register_callback(callback, remove=remove)

    def show(self, *, theirs: str, mine: str) -> None:
        """``theirs`` and ``mine`` as the participant reads them (``4 · Mostly``)."""
        self.text.value = f"Changed in another tab or on another device: showing {theirs}; yours was {mine}."
        self.layout.display = None
