"""Tool priorities as a dot vote: each participant spreads a fixed number of
dots (the workshop's ``dots`` setting, 5 by default) over the 17 tools.

    >>> vote = DotVote(kit, budget=5)
    >>> vote.on_change(lambda allocation: ...)   # {"share-discretion": 2}
    >>> vote.counts["share-discretion"].add.click()     # a dot on it
    >>> vote.counts["share-discretion"].value = 2       # the same, by number

Dots that feel like dots (issue #19): a click or tap on a tool (a button
named by the tool) places a dot on it, a click on one of its dots takes it
back, and the budget is a row of dots, filled as they are placed, with
"3 of 5 dots left" beside it (a live region). Every control is a button:
Tab reaches them, Enter or Space presses them, and each says what it does
("Take back a dot from 3. …"). With no dot left, a tool says so beside
itself instead of placing one.

Each change is emitted at once with the one tool that changed; the store
merges it with the participant's other dots and refuses a total over the
budget, and :meth:`mark_failed` then puts the count back and shows why,
beside the tool.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from toolkit.room import NOT_PLANNED
from widgets.autosave import SaveStatus
from widgets.keyed import KeyedBox
from widgets.style import LIVE, esc, focus, hook, shared_style

if TYPE_CHECKING:
    from toolkit.content import Tool, Toolkit

#: What a tool says when the participant has no dot left to place.
NO_DOTS_LEFT = "No dots left: take one back from another tool first."


class DotRow(widgets.VBox):
    """One tool's dots. ``value``: the dots on it (at most ``max``);
    ``disabled``: read-only. Children: ``add`` (the tool's Button, named
    ``<number>. <name>``: a dot on it, ``xs-dot-add``), ``dots`` (one Button
    per dot placed, ``xs-dot``: takes it back), ``placed`` ("2 dots",
    ``xs-dots-placed``), ``status`` (a :class:`SaveStatus`, for what went
    wrong here). ``description`` is the tool's label. The row asks its
    vote before it places a dot (:meth:`on_add`). CSS: ``xs-dots-row
    xs-dots-<tool_id>``."""

    value = traitlets.Int(0, help="dots on this tool")
    max = traitlets.Int(5, help="the most dots one tool can hold (the budget)")
    disabled = traitlets.Bool(False, help="read-only")

    def __init__(self, tool: Tool, **kwargs: Any):
        self.tool = tool
        self.description = f"{tool.number}. {tool.name}"
        self._add_handlers = widgets.CallbackDispatcher()
        self.add = hook(
            widgets.Button(description=self.description, tooltip=f"Place a dot on {self.description}", layout=widgets.Layout(width="auto", height="auto"), style=shared_style(widgets.Button)),
            "xs-dot-add",
        )
        self.add.on_click(lambda _b: self._add_handlers())
        self.dots: list[widgets.Button] = []
        self.dot_box = hook(widgets.HBox([], layout=widgets.Layout(width="auto")), "xs-dot-list")
        self.placed = hook(widgets.Label("", layout=widgets.Layout(width="auto"), style=shared_style(widgets.Label)), "xs-dots-placed")
        self.status = SaveStatus()
        traitlets.dlink((self, "disabled"), (self.add, "disabled"))
        line = hook(widgets.HBox([self.add, self.dot_box, self.placed], layout=widgets.Layout(width="100%")), "xs-dots-line")
        super().__init__([line, self.status], layout=widgets.Layout(width="100%"), **kwargs)
        hook(self, "xs-dots-row", f"xs-dots-{tool.id}")
        self._render()

    def on_add(self, callback: Callable[[], Any]) -> None:
        """Register ``callback()``, called when the tool is pressed (the
        vote places the dot, or says why not)."""
        self._add_handlers.register_callback(callback)

    def take_back(self) -> None:
        """Take one dot back (what a dot's button does) and keep the
        keyboard focus on this tool's last dot, or on the tool."""
        if self.value > 0 and not self.disabled:
            self.value -= 1
            focus(self.dots[self.value - 1] if self.value > 0 else self.add)

    @traitlets.validate("value")
    def _bounded(self, proposal: dict[str, Any]) -> int:
        return max(0, min(int(proposal["value"]), max(self.max, 0)))

    @traitlets.observe("max")
    def _max_changed(self, _change: dict[str, Any]) -> None:
        if self.value > max(self.max, 0):
            self.value = max(self.max, 0)

    @traitlets.observe("value", "disabled")
    def _changed(self, _change: dict[str, Any]) -> None:
        self._render()

    def _render(self) -> None:
        while len(self.dots) < self.value:
            dot = hook(widgets.Button(description="", tooltip=f"Take back a dot from {self.description}", layout=widgets.Layout(width="auto"), style=shared_style(widgets.Button)), "xs-dot")
            dot.on_click(lambda _b: self.take_back())
            self.dots.append(dot)
        for i, dot in enumerate(self.dots):
            display = None if i < self.value else "none"
            if dot.layout.display != display:
                dot.layout.display = display
            dot.disabled = self.disabled
        if len(self.dot_box.children) != len(self.dots):
            self.dot_box.children = list(self.dots)
        text = "" if self.value == 0 else f"{self.value} dot{'s' if self.value != 1 else ''}"
        if self.placed.value != text:
            self.placed.value = text
        (self.add_class if self.value else self.remove_class)("xs-dots-some")


class DotVote(KeyedBox):
    """``value`` is ``{tool_id: dots}`` as shown (tools with no dots
    included, as 0). Setting it from outside sets the counts it names (the
    others keep theirs) and counts as a change: each changed tool is
    emitted. :meth:`load` shows the store's dots without emitting.
    ``disabled`` makes every count read-only; ``budget`` bounds each count.

    Children: ``counts`` (one :class:`DotRow` per tool, by id: its
    ``value`` is the tool's dots), ``rows`` (the same rows, by id),
    ``remaining`` (HTML: the budget as dots, and "3 of 5 dots left"),
    ``status`` (``xs-save-status``: saved, saving; an error about one tool
    is shown beside it, in its row's ``status``). The rows are grouped by
    stage, or with today's plan (:meth:`set_order`) today's tools first
    and the others under "Not in today's plan". CSS: ``xs-dots`` on the
    vote, ``xs-dots-row xs-dots-<tool_id>`` on each row
    (``xs-dots-unplanned`` when not planned), ``xs-dots-remaining``.
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
        self.elsewhere: Any = None  # the ElsewhereNotice, built when first needed
        self._mine: tuple[str, int] | None = None  # what "Use mine" saves
        self.kit = kit
        self.counts: dict[str, DotRow] = {}
        self.rows: dict[str, DotRow] = {}
        self.remaining = hook(widgets.HTML("", layout=widgets.Layout(width="100%"), style=shared_style(widgets.HTML)), "xs-dots-remaining", LIVE)
        self.status = SaveStatus()
        self._headings = {stage.id: widgets.HTML(f"<h3>Stage {stage.number}: {esc(stage.title)}</h3>", style=shared_style(widgets.HTML)) for stage in kit.stages}
        self._today = widgets.HTML("<h3>Today's tools</h3>", style=shared_style(widgets.HTML))
        self._others = widgets.HTML(f"<h3>{esc(NOT_PLANNED[:1].upper() + NOT_PLANNED[1:])}</h3>", style=shared_style(widgets.HTML))
        for stage in kit.stages:
            for tool in kit.tools_in(stage.id):
                count = DotRow(tool)
                traitlets.dlink((self, "budget"), (count, "max"), transform=lambda n: max(n, 0))
                traitlets.dlink((self, "disabled"), (count, "disabled"))
                count.on_add(lambda tid=tool.id: self.place(tid))
                self.counts[tool.id] = count
                self.rows[tool.id] = count
        with self.hold_trait_notifications():  # one drawing of "dots left"
            self.budget = budget
            self._keep_in_step(self.counts)
        for tool_id, count in self.counts.items():  # after value follows the count
            count.observe(self._changed(tool_id), "value")
        super().__init__([self.remaining, self.status, *self._sections([t.id for t in kit.tools], [])], **kwargs)
        hook(self, "xs-dots", "xs-card")

    def _sections(self, first: list[str], rest: list[str]) -> list[widgets.Widget]:
        def by_stage(ids: list[str]) -> list[widgets.Widget]:
            wanted = set(ids)
            out: list[widgets.Widget] = []
            for stage in self.kit.stages:
                rows = [self.rows[t.id] for t in self.kit.tools_in(stage.id) if t.id in wanted]
                out += [self._headings[stage.id], *rows] if rows else []
            return out

        if not rest:
            return by_stage(first)
        return [*([self._today, *(self.rows[t] for t in first)] if first else []), self._others, *by_stage(rest)]

    def set_order(self, first: list[str], rest: list[str]) -> None:
        """Today's tools (``first``, in the plan's order) above the others
        (``rest``, by stage, under "Not in today's plan"); without a plan
        (``rest`` empty) every tool by stage."""
        for tool_id, row in self.rows.items():
            (row.add_class if tool_id in set(rest) else row.remove_class)("xs-dots-unplanned")
        self.children = [self.remaining, self.status, *self._sections(first, rest)]

    def children_rows(self) -> list[DotRow]:
        """The rows in the order shown (today's first)."""
        return [w for w in self.children if isinstance(w, DotRow)]

    def on_change(self, callback: Callable[[dict[str, int]], Any], remove: bool = False) -> None:
        """Register ``callback(allocation)``: ``{tool_id: dots}`` for the
        tool that changed."""
        self._handlers.register_callback(callback, remove=remove)

    def place(self, tool_id: str) -> bool:
        """Place one dot on ``tool_id`` (what pressing the tool does), or,
        with no dot left, say so beside it; returns whether it placed one."""
        row = self.counts[tool_id]
        if self.disabled:
            return False
        if self.used >= self.budget:
            row.status.refused(NO_DOTS_LEFT)
            return False
        row.value += 1
        return True

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
        for tool_id in allocation:
            if tool_id in self.counts:
                self.counts[tool_id].status.clear()

    def mark_failed(self, reason: str, tool_id: str | None = None) -> None:
        """Put the counts back to what the store holds and show why:
        beside ``tool_id`` (the tool that changed), else at the top."""
        self._loading = True
        try:
            with self.hold_trait_notifications():
                for tid, count in self.counts.items():
                    count.value = min(self.saved.get(tid, 0), count.max)
        finally:
            self._loading = False
        if tool_id in self.counts:
            self.status.clear()
            self.counts[tool_id].status.failed(reason)
        else:
            self.status.failed(reason)

    def mark_retrying(self, reason: str, tool_id: str | None = None) -> None:
        """The change failed for a passing ``reason`` and is saved again by
        itself: the counts stay as placed, the status says so."""
        self.status.retrying(reason)

    def changed_elsewhere(self, tool_id: str, theirs: int, mine: int) -> None:
        """The count ``mine`` on ``tool_id`` was refused: the store holds
        ``theirs``, set in another tab or on another device. Show theirs,
        say so, and offer "Use mine" (hooks ``xs-changed-elsewhere``,
        ``xs-use-mine``)."""
        from widgets.conflict import ElsewhereNotice

        self.load_count(tool_id, theirs)
        self.status.saved(None)
        if self.elsewhere is None:
            self.elsewhere = ElsewhereNotice()
            self.elsewhere.on_use_mine(self._use_mine)
            self.children = [self.children[0], self.children[1], self.elsewhere, *self.children[2:]]
        self._mine = (tool_id, mine)
        name = self.counts[tool_id].description
        self.elsewhere.show(theirs=f"{theirs} on {name}", mine=str(mine))

    def _use_mine(self) -> None:
        if self.elsewhere is not None:
            self.elsewhere.hide()
        if self._mine is not None:
            tool_id, mine = self._mine
            self.counts[tool_id].value = mine  # a change: saved over theirs

    def load_count(self, tool_id: str, n: Any) -> None:
        """Show one tool's stored dots (a newer count from elsewhere)."""
        self._loading = True
        try:
            self.counts[tool_id].value = min(int(n or 0), self.counts[tool_id].max)
            self.saved[tool_id] = int(n or 0)
        finally:
            self._loading = False

    def busy(self, tool_id: str) -> bool:
        """The count shown differs from what the store holds."""
        return self.counts[tool_id].value != self.saved.get(tool_id, 0)

    def _check_part(self, tool_id: str, n: Any) -> int:
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise traitlets.TraitError(f"dots on {self.counts[tool_id].description}: expected a whole number of at least 0, got {n!r}")
        return min(n, self.counts[tool_id].max)  # as its box bounds it

    def _changed(self, tool_id: str) -> Callable[[dict[str, Any]], None]:
        def handler(change: dict[str, Any]) -> None:
            if self._loading or change["new"] == self.saved.get(tool_id, 0):
                return
            self.status.editing()
            for row in self.counts.values():
                if row.status.state == SaveStatus.ERROR:
                    row.status.clear()  # what was refused is put back: a new change starts afresh
            self._handlers({tool_id: int(change["new"])})

        return handler

    @traitlets.observe("value", "budget")
    def _render_remaining(self, _change: dict[str, Any]) -> None:
        used = self.used
        left = self.budget - used
        # The budget as dots: CSS circles (no font needed), hidden from
        # screen readers, which read the words beside them.
        spent = '<span class="xs-budget-dot xs-budget-dot-used"></span>' * min(used, self.budget)
        free = '<span class="xs-budget-dot"></span>' * max(left, 0)
        if left >= 0:
            text = f"{left} of {self.budget} dots left"
        else:
            text = f"{-left} dot{'s' if -left != 1 else ''} too many: {used} placed, {self.budget} allowed"
        self.remaining.value = f'<span class="xs-dots-glyphs" aria-hidden="true">{spent}{free}</span> <span class="xs-dots-left">{esc(text)}</span>'
