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
from widgets.keyed import KeyedBox
from widgets.style import LABEL_STYLE, esc, hook

if TYPE_CHECKING:
    from toolkit.content import Toolkit


class DotVote(KeyedBox):
    """``value`` is ``{tool_id: dots}`` as shown (tools with no dots
    included, as 0). Setting it from outside sets the counts it names (the
    others keep theirs) and counts as a change: each changed tool is
    emitted. :meth:`load` shows the store's dots without emitting.
    ``disabled`` makes every count read-only; ``budget`` bounds each count.

    Children: ``counts`` (one BoundedIntText per tool, by id, labelled with
    the tool's number and name), ``remaining`` (HTML: dots left),
    ``status`` (``xs-save-status``). CSS: ``xs-dots`` on the vote,
    ``xs-dot-count xs-dots-<tool_id>`` on each count, ``xs-dots-remaining``.
    """

    value = traitlets.Dict(help="{tool_id: dots}")
    noun = "tool"
    budget = traitlets.Int(5, help="dots each participant may place")
    disabled = traitlets.Bool(False, help="every count read-only")

    def __init__(self, kit: Toolkit, budget: int = 5, **kwargs: Any):
        # Children first, super().__init__ last: the observers (also of
        # traits given as kwargs) always find the counts built.
        self._handlers = widgets.CallbackDispatcher()
        self._loading = False
        self.saved: dict[str, int] = {t.id: 0 for t in kit.tools}
        self.counts: dict[str, widgets.BoundedIntText] = {}
        self.remaining = hook(widgets.HTML("", layout=widgets.Layout(width="100%")), "xs-dots-remaining")
        self.status = SaveStatus()
        sections: list[widgets.Widget] = []
        for stage in kit.stages:
            sections.append(widgets.HTML(f"<h3>Stage {stage.number}: {esc(stage.title)}</h3>"))
            for tool in kit.tools_in(stage.id):
                count = widgets.BoundedIntText(
                    value=0, min=0, max=max(budget, 0), step=1, description=f"{tool.number}. {tool.name}",
                    style=LABEL_STYLE, layout=widgets.Layout(width="100%"),
                )
                hook(count, "xs-dot-count", f"xs-dots-{tool.id}")
                traitlets.dlink((self, "budget"), (count, "max"), transform=lambda n: max(n, 0))
                traitlets.dlink((self, "disabled"), (count, "disabled"))
                self.counts[tool.id] = count
                sections.append(hook(widgets.HBox([count], layout=widgets.Layout(width="100%")), "xs-dots-row"))
        with self.hold_trait_notifications():  # one drawing of "dots left"
            self.budget = budget
            self._keep_in_step(self.counts)
        for tool_id, count in self.counts.items():  # after value follows the count
            count.observe(self._changed(tool_id), "value")
        super().__init__([self.remaining, self.status, *sections], **kwargs)
        hook(self, "xs-dots", "xs-card")

    def on_change(self, callback: Callable[[dict[str, int]], Any], remove: bool = False) -> None:
        """Register ``callback(allocation)``: ``{tool_id: dots}`` for the
        tool that changed."""
        self._handlers.register_callback(callback, remove=remove)

    @property
    def used(self) -> int:
        return sum(self.value.values())

    def load(self, allocation: Mapping[str, Any]) -> None:
        """Show the stored dots (``{tool_id: n}``; values may be strings)."""
        self._loading = True
        try:
            with self.hold_trait_notifications():
                for tool_id, count in self.counts.items():
                    n = int(allocation.get(tool_id, 0) or 0)
                    count.value = min(n, count.max)
                    self.saved[tool_id] = n
        finally:
            self._loading = False
        self.status.clear()

    def mark_saved(self, allocation: Mapping[str, int], when: float) -> None:
        self.saved.update(allocation)
        self.status.saved(when)

    def mark_failed(self, reason: str) -> None:
        """Put the counts back to what the store holds and show why."""
        self._loading = True
        try:
            with self.hold_trait_notifications():
                for tool_id, count in self.counts.items():
                    count.value = min(self.saved.get(tool_id, 0), count.max)
        finally:
            self._loading = False
        self.status.failed(reason)

    def _check_part(self, tool_id: str, n: Any) -> int:
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise traitlets.TraitError(f"dots on {tool_id}: expected a whole number of at least 0, got {n!r}")
        return min(n, self.counts[tool_id].max)  # as its box bounds it

    def _changed(self, tool_id: str) -> Callable[[dict[str, Any]], None]:
        def handler(change: dict[str, Any]) -> None:
            if self._loading or change["new"] == self.saved.get(tool_id, 0):
                return
            self.status.editing()
            self._handlers({tool_id: int(change["new"])})

        return handler

    @traitlets.observe("value", "budget")
    def _render_remaining(self, _change: dict[str, Any]) -> None:
        used = self.used
        left = self.budget - used
        glyphs = "●" * min(used, self.budget) + "○" * max(left, 0)
        if left >= 0:
            text = f"{left} of {self.budget} dots left"
        else:
            text = f"{-left} dot{'s' if -left != 1 else ''} too many: {used} placed, {self.budget} allowed"
        self.remaining.value = f'<span class="xs-dots-glyphs" aria-hidden="true">{glyphs}</span> <span class="xs-dots-left">{esc(text)}</span>'
