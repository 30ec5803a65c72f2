"""Actions for one tool: what will be done, who owns it, by when.

    >>> panel = ActionsPanel(kit, "share-discretion")
    >>> panel.on_add(lambda fields: ...)       # the Session adds the action
    >>> panel.show_actions(store.actions(slug, "share-discretion"))

The form emits ``add({"what", "owner", "owner_sector", "due"})`` when the
add button is pressed; the list shows the tool's actions as escaped text,
or, when they could not be read (:meth:`ActionsPanel.unreadable`), says so
instead of claiming there are none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from widgets.autosave import retrying_text
from toolkit.store.checks import MAX_ACTION_CHARS, MAX_SHORT_CHARS
from widgets.style import LABEL_STYLE, esc, hook, max_length, message_line, set_message, shared_style

if TYPE_CHECKING:
    from toolkit.content import Toolkit
    from toolkit.store.values import Action

NO_SECTOR = ""


class ActionsPanel(widgets.VBox):
    """``value`` is the list of the tool's actions shown (``to_dict()`` of
    each); setting it redraws the list. ``problem`` is why the actions
    could not be read (shown in place of the list while set).
    ``disabled`` makes the form read-only. Children: ``what`` (Textarea),
    ``owner`` (Text), ``owner_sector`` (Dropdown, optional), ``due``
    (DatePicker), ``add`` (Button), ``message`` (Label), ``listing``
    (HTML). CSS: ``xs-action-what``, ``xs-action-owner``,
    ``xs-action-sector``, ``xs-action-due``, ``xs-action-add``,
    ``xs-action-list``.
    """

    value = traitlets.List(traitlets.Dict(), help="the tool's actions, as dicts")
    problem = traitlets.Unicode("", help="why the actions could not be read")
    disabled = traitlets.Bool(False, help="the form is read-only")

    def __init__(self, kit: Toolkit, tool_id: str, **kwargs: Any):
        # Children first, super().__init__ last: the observers (also of
        # traits given as kwargs) always find the listing built.
        self.tool_id = tool_id
        self._sector_names = {s.id: s.name for s in kit.sectors}
        self._add_handlers = widgets.CallbackDispatcher()
        self.heading = widgets.HTML("<h3>Actions</h3><p class=\"xs-muted\">What will we do about this tool, who owns it, and by when?</p>", style=shared_style(widgets.HTML))
        self.what = hook(
            widgets.Textarea(description="What will be done", placeholder="e.g. Draft a data-sharing agreement", rows=2,
                             style=shared_style(widgets.Textarea, **LABEL_STYLE), layout=widgets.Layout(width="100%")),
            "xs-action-what", "xs-stacked",
        )
        self.owner = hook(
            widgets.Text(description="Owner", placeholder="a person or organization", style=shared_style(widgets.Text, **LABEL_STYLE), layout=widgets.Layout(width="100%")),
            "xs-action-owner", "xs-stacked",
        )
        self.owner_sector = hook(
            widgets.Dropdown(description="Owner's sector (optional)", options=[("Not given", NO_SECTOR)] + [(s.name, s.id) for s in kit.sectors],
                             value=NO_SECTOR, style=shared_style(widgets.Dropdown, **LABEL_STYLE), layout=widgets.Layout(width="100%")),
            "xs-action-sector", "xs-stacked",
        )
        self.due = hook(
            widgets.DatePicker(description="Due date", value=None, style=shared_style(widgets.DatePicker, **LABEL_STYLE), layout=widgets.Layout(width="100%")),
            "xs-action-due", "xs-stacked",
        )
        max_length(self.what, MAX_ACTION_CHARS)  # the store's limits
        max_length(self.owner, MAX_SHORT_CHARS)
        self.add = hook(widgets.Button(description="Add action", icon="plus", button_style="primary", tooltip="Add this action to the tool",
                                       layout=widgets.Layout(width="auto", min_width="9rem", align_self="flex-start"), style=shared_style(widgets.Button)), "xs-action-add")
        self.add.on_click(lambda _b: self._add_handlers(self.fields()))
        self.message = message_line("xs-action-message")
        self.listing = hook(widgets.HTML("", layout=widgets.Layout(width="100%"), style=shared_style(widgets.HTML)), "xs-action-listing")
        for w in (self.what, self.owner, self.owner_sector, self.due, self.add):
            traitlets.dlink((self, "disabled"), (w, "disabled"))
        fields = hook(widgets.Box([self.owner, self.owner_sector, self.due], layout=widgets.Layout(width="100%")), "xs-action-fields")
        self._render()
        super().__init__([self.heading, self.listing, self.what, fields, self.add, self.message], **kwargs)
        hook(self, "xs-actions", "xs-card")

    def on_add(self, callback: Callable[[dict[str, Any]], Any], remove: bool = False) -> None:
        """Register ``callback(fields)``; ``fields`` has ``what``, ``owner``,
        ``owner_sector`` (``None`` when not given) and ``due`` (a date or
        ``None``)."""
        self._add_handlers.register_callback(callback, remove=remove)

    def fields(self) -> dict[str, Any]:
        due: dt.date | None = self.due.value
        return {
            "what": self.what.value,
            "owner": self.owner.value,
            "owner_sector": self.owner_sector.value or None,
            "due": due,
        }

    def show_actions(self, actions: Iterable[Action]) -> None:
        """List the tool's actions (plain text, escaped)."""
        with self.hold_trait_notifications():  # one redraw
            self.problem = ""
            self.value = [a.to_dict() for a in actions if a.tool_id == self.tool_id]

    def unreadable(self, reason: str) -> None:
        """The actions could not be read: say so (and why) in place of the
        list, until :meth:`show_actions` shows them again."""
        self.problem = reason

    def added(self, action: Action, actions: Iterable[Action] | None = None) -> None:
        """The action was stored: clear the form, say so, and show
        ``actions`` when given (the Session reads them again)."""
        self.what.value = ""
        self.owner.value = ""
        self.owner_sector.value = NO_SECTOR
        self.due.value = None
        if actions is not None:
            self.show_actions(actions)
        set_message(self.message, f"Added: {action.what[:80]}", "ok")

    def failed(self, reason: str) -> None:
        set_message(self.message, f"Not added: {reason}", "error")

    def retrying(self, reason: str) -> None:
        """Adding failed for a passing ``reason`` and is tried again by
        itself; the fields keep the action until it is added."""
        set_message(self.message, retrying_text(reason, "added"), "error")

    @traitlets.observe("value", "problem")
    def _changed(self, _change: dict[str, Any]) -> None:
        self._render()

    def _render(self) -> None:
        if self.problem:
            self.listing.value = f'<p class="xs-message xs-message-error" role="alert">Actions could not be loaded: {esc(self.problem)}</p>'
            return
        if not self.value:
            self.listing.value = '<p class="xs-muted xs-action-empty">No actions for this tool yet.</p>'
            return
        rows = []
        for a in self.value:
            sector = a.get("owner_sector")
            bits = [f"owner: {esc(a.get('owner', ''))}" + (f" ({esc(self._sector_names.get(sector, sector))})" if sector else "")]
            if a.get("due"):
                bits.append(f"due {esc(a['due'])}")
            bits.append(esc(a.get("status", "")))
            rows.append(f'<li class="xs-action"><strong>{esc(a.get("what", ""))}</strong><br><span class="xs-muted">{" · ".join(bits)}</span></li>')
        self.listing.value = f'<ul class="xs-action-list">{"".join(rows)}</ul>'
