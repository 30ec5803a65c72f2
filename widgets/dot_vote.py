"""Tool priorities as a dot vote: each participant spreads a fixed number of
dots (the workshop's ``dots`` setting, 5 by default) over the 17 tools.

    >>> vote = DotVote(kit, budget=5)
    >>> vote.on_change(lambda allocation: ...)   # {"share-discretion": 2}
    >>> vote.counts["share-discretion"].value = 2

Each change is emitted at once with the one tool that changed; the store
merges it with the participant's other dots and refuses a total over the
budget, and :meth:`mark_failed` then puts the count back and shows why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from widgets.autosave import SaveStatus
from widgets.style import LABEL_STYLE, esc, hook

if TYPE_CHECKING:
    from toolkit.content import Toolkit


class DotVote(widgets.VBox):
    """``value`` is ``{tool_id: dots}`` as shown (tools with no dots
    included, as 0).

    Children: ``counts`` (one BoundedIntText per tool, by id, labelled with
    the tool's number and name), ``remaining`` (HTML: dots left),
    ``status`` (``xs-save-status``). CSS: ``xs-dots`` on the vote,
    ``xs-dot-count xs-dots-<tool_id>`` on each count, ``xs-dots-remaining``.
    """

    value = traitlets.Dict(help="{tool_id: dots}")
    budget = traitlets.Int(5, help="dots each participant may place")

    def __init__(self, kit: Toolkit, budget: int = 5, **kwargs: Any):
        super().__init__(**kwargs)
        self._handlers = widgets.CallbackDispatcher()
        self._loading = False
        self.saved: dict[str, int] = {t.id: 0 for t in kit.tools}
        self.counts: dict[str, widgets.BoundedIntText] = {}
        sections: list[widgets.Widget] = []
        for stage in kit.stages:
            sections.append(widgets.HTML(f"<h3>Stage {stage.number}: {esc(stage.title)}</h3>"))
            for tool in kit.tools_in(stage.id):
                count = widgets.BoundedIntText(
                    value=0, min=0, max=max(budget, 0), step=1, description=f"{tool.number}. {tool.name}",
                    style=LABEL_STYLE, layout=widgets.Layout(width="100%"),
                )
                hook(count, "xs-dot-count", f"xs-dots-{tool.id}")
                count.observe(self._changed(tool.id), "value")
                self.counts[tool.id] = count
                sections.append(hook(widgets.HBox([count], layout=widgets.Layout(width="100%")), "xs-dots-row"))
        self.remaining = hook(widgets.HTML("", layout=widgets.Layout(width="100%")), "xs-dots-remaining")
        self.status = SaveStatus()
        self.children = [self.remaining, self.status, *sections]
        hook(self, "xs-dots", "xs-card")
        self.budget = budget
        self._sync()

    @traitlets.observe("budget")
    def _budget_changed(self, change: dict[str, Any]) -> None:
        for count in getattr(self, "counts", {}).values():
            count.max = max(change["new"], 0)
        if hasattr(self, "remaining"):
            self._sync()

    def on_change(self, callback: Callable[[dict[str, int]], Any], remove: bool = False) -> None:
        """Register ``callback(allocation)``: ``{tool_id: dots}`` for the
        tool that changed."""
        self._handlers.register_callback(callback, remove=remove)

    @property
    def used(self) -> int:
        return sum(c.value for c in self.counts.values())

    def load(self, allocation: Mapping[str, Any]) -> None:
        """Show the stored dots (``{tool_id: n}``; values may be strings)."""
        self._loading = True
        try:
            for tool_id, count in self.counts.items():
                n = int(allocation.get(tool_id, 0) or 0)
                count.value = min(n, count.max)
                self.saved[tool_id] = n
        finally:
            self._loading = False
        self.status.clear()
        self._sync()

    def mark_saved(self, allocation: Mapping[str, int], when: float) -> None:
        self.saved.update(allocation)
        self.status.saved(when)

    def mark_failed(self, reason: str) -> None:
        """Put the counts back to what the store holds and show why."""
        self._loading = True
        try:
            for tool_id, count in self.counts.items():
                count.value = min(self.saved.get(tool_id, 0), count.max)
        finally:
            self._loading = False
        self._sync()
        self.status.failed(reason)

    @property
    def disabled(self) -> bool:
        return all(c.disabled for c in self.counts.values())

    @disabled.setter
    def disabled(self, value: bool) -> None:
        for c in self.counts.values():
            c.disabled = bool(value)

    def _changed(self, tool_id: str) -> Callable[[dict[str, Any]], None]:
        def handler(change: dict[str, Any]) -> None:
            self._sync()
            if self._loading or change["new"] == self.saved.get(tool_id, 0):
                return
            self.status.editing()
            self._handlers({tool_id: int(change["new"])})

        return handler

    def _sync(self) -> None:
        self.value = {tool_id: c.value for tool_id, c in self.counts.items()}
        left = self.budget - self.used
        glyphs = "●" * min(self.used, self.budget) + "○" * max(left, 0)
        if left >= 0:
            text = f"{left} of {self.budget} dots left"
        else:
            text = f"{-left} dot{'s' if -left != 1 else ''} too many: {self.used} placed, {self.budget} allowed"
        self.remaining.value = f'<span class="xs-dots-glyphs" aria-hidden="true">{glyphs}</span> <span class="xs-dots-left">{esc(text)}</span>'
