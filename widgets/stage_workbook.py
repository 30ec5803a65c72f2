"""The workbook of one stage: its tools, in any order, each with its card,
questions, rating and actions.

    >>> book = StageWorkbook(kit, "diagnosis", signin=SignIn(kit))
    >>> book.value = "account-for-resources"     # switch tool
    >>> book.ready = True                         # signed in: inputs enabled
    >>> book.locked = True                        # read-only, with a message

The Session builds it (``session.stage_workbook("diagnosis")``) and wires
each panel's events to the store; the workbook itself never writes.
Navigation is a column of buttons (keyboard-usable), one per tool, that
stays in view while the page scrolls on a wide screen, and a compact
"Tool" picker in its place on a phone (CSS chooses), with a tick once
the participant has answered something there, today's tools first (``order``, from :func:`toolkit.frames.views.today`) and the others
under "Not in today's plan", still one click away; and plain relative
links to the other stages' pages (``stage-2-design.ipynb``, named by
:mod:`toolkit.serve.pages`), which work under Voila's ``/voila/render/``
and in JupyterLab beside the packaged ``notebooks/``. The header's
"Stage 1 of 4" is the content's wording (``pages.stage_label``).

Questions first (issue #19): a tool opens on its name and guiding
questions; what the tool is waits under "About this tool", whose state
the page keeps for every tool (``about_open``) and the browser for the
next visit. Each tool ends with "Next tool", and the last with a link to
the next stage's page. A line at the top says whether everything on the
page is saved (:class:`~widgets.autosave.SavedSummary`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from toolkit.room import NOT_PLANNED
from toolkit.serve.pages import PRIORITIES_PAGE, stage_page
from widgets.actions import ActionsPanel
from widgets.autosave import DEFAULT_DELAY, CallLater, SavedSummary, lock_fell_text
from widgets.page import Page, notice_line
from widgets.question_form import QuestionForm
from widgets.rating import Rating
from widgets.room import RoomStatus
from widgets.style import CURRENT, LABEL_STYLE, LIVE, SR_ONLY, esc, focus, hook, shared_style, style_block
from widgets.tool_card import ToolCard

if TYPE_CHECKING:
    from toolkit.content import Tool, Toolkit
    from widgets.signin import SignIn

TICK = "✓"
SIGN_IN_FIRST = "Sign in above to answer. You can already read every tool."
#: The heading over the tools of a stage, with and without a plan.
ALL_TOOLS_HEADING, TODAY_HEADING, OTHERS_HEADING = "Tools in this stage", "Today's tools", NOT_PLANNED[:1].upper() + NOT_PLANNED[1:]
#: The words of the notice on a locked stage (the padlock is the CSS's own SVG).
LOCKED = "The facilitator has locked the {stage} stage: your answers are shown read-only."


def stage_links(kit: Toolkit, current: str | None) -> str:
    """HTML links to every stage's page and the priorities page;
    ``current`` (a stage id, or ``None`` for the priorities page) is
    marked, not linked."""
    items = []
    for stage in kit.stages:
        text = f"{stage.number}. {esc(stage.title)}"
        if stage.id == current:
            items.append(f'<li><span aria-current="page">{text}</span></li>')
        else:
            items.append(f'<li><a class="xs-stage-link xs-stage-link-{esc(stage.id)}" href="{esc(stage_page(stage))}">{text}</a></li>')
    title = esc(kit.pages.priorities_title)
    if current is None:
        items.append(f'<li><span aria-current="page">{title}</span></li>')
    else:
        items.append(f'<li><a class="xs-stage-link xs-stage-link-priorities" href="{PRIORITIES_PAGE}">{title}</a></li>')
    return f'<nav class="xs-stage-links" aria-label="Workshop stages"><ul>{"".join(items)}</ul></nav>'


class ToolNav(widgets.VBox):
    """``value`` is the selected tool id; ``done`` the ids of the tools
    answered (ticked). Children: ``heading``, ``buttons`` (one per tool, by
    id, today's first: :meth:`set_order`), ``others`` (the "Not in today's
    plan" heading, shown when some are not), ``progress`` (Label),
    ``announce`` (Label, read by screen readers only: "Showing tool 2: …"
    when the selection changes), ``picker`` (the same choice as a
    Dropdown, ``xs-tool-picker``, shown instead of the buttons on a
    phone). CSS: ``xs-tool-nav``, each button
    ``xs-tool-nav-<tool_id>`` (and ``xs-tool-done`` once answered,
    ``xs-tool-unplanned`` when not in today's plan; ``xs-tool-selected``
    and ``xs-current``, that is ``aria-current``, on the selected one)."""

    value = traitlets.Unicode(help="selected tool id")
    done = traitlets.Set(traitlets.Unicode(), help="ids of the tools answered")

    def __init__(self, tools: tuple[Tool, ...], **kwargs: Any):
        # Children first, super().__init__ last: the observers (also of
        # traits given as kwargs) always find the widget built.
        self.tools = {t.id: t for t in tools}
        self.heading = widgets.HTML(f'<div class="xs-eyebrow">{ALL_TOOLS_HEADING}</div>', style=shared_style(widgets.HTML))
        self.others = hook(widgets.HTML(f'<div class="xs-eyebrow">{OTHERS_HEADING}</div>', style=shared_style(widgets.HTML)), "xs-nav-others")
        self.unplanned: set[str] = set()
        self.progress = hook(widgets.Label("", style=shared_style(widgets.Label)), "xs-tool-progress", "xs-wrap")
        self.announce = hook(widgets.Label("", style=shared_style(widgets.Label)), "xs-tool-announce", LIVE, SR_ONLY)
        self.buttons: dict[str, widgets.Button] = {}
        for tool in tools:
            button = widgets.Button(tooltip=tool.definition, layout=widgets.Layout(width="100%", height="auto"), style=shared_style(widgets.Button))
            hook(button, f"xs-tool-nav-{tool.id}")
            button.on_click(lambda _b, tid=tool.id: setattr(self, "value", tid))
            self.buttons[tool.id] = button
        self.picker = hook(
            widgets.Dropdown(description="Tool", options=[], style=shared_style(widgets.Dropdown, **LABEL_STYLE), layout=widgets.Layout(width="100%")),
            "xs-tool-picker", "xs-stacked",
        )
        self._picking = False
        self._order = [t.id for t in tools]
        self.value = tools[0].id if tools else ""
        self._render()
        self.picker.observe(self._picked, "value")
        super().__init__([self.picker, self.heading, *self.buttons.values(), self.progress, self.announce], **kwargs)
        hook(self, "xs-tool-nav")

    @property
    def order(self) -> list[str]:
        """The tools in the order listed (today's first)."""
        return list(self._order)

    def next_after(self, tool_id: str) -> str | None:
        """The tool listed after ``tool_id``, or ``None`` for the last."""
        order = self._order
        i = order.index(tool_id) if tool_id in order else -1
        return order[i + 1] if 0 <= i < len(order) - 1 else None

    def _picked(self, change: dict[str, Any]) -> None:
        if not self._picking and change["new"] and change["new"] != self.value:
            self.value = change["new"]

    def set_order(self, first: list[str], rest: list[str]) -> None:
        """Today's tools (``first``, in order) above the others (``rest``,
        under "Not in today's plan"); without a plan ``rest`` is empty."""
        planned = bool(rest)
        self.unplanned = set(rest)
        self.heading.value = f'<div class="xs-eyebrow">{TODAY_HEADING if planned else ALL_TOOLS_HEADING}</div>'
        head = [self.heading] if first else []
        tail = [self.others, *(self.buttons[t] for t in rest)] if rest else []
        self._order = [*first, *rest]
        self.children = [self.picker, *head, *(self.buttons[t] for t in first), *tail, self.progress, self.announce]
        for tool_id, button in self.buttons.items():
            (button.add_class if tool_id in self.unplanned else button.remove_class)("xs-tool-unplanned")
            button.tooltip = self.tools[tool_id].definition + (f" ({NOT_PLANNED})" if tool_id in self.unplanned else "")
        self._render()

    @traitlets.validate("value")
    def _known_tool(self, proposal: dict[str, Any]) -> str:
        if proposal["value"] not in self.tools and (self.tools or proposal["value"]):
            raise traitlets.TraitError(f"unknown tool {proposal['value']!r} in this stage (expected one of {', '.join(self.tools)})")
        return proposal["value"]

    @traitlets.validate("done")
    def _known_tools(self, proposal: dict[str, Any]) -> set[str]:
        unknown = sorted(set(proposal["value"]) - set(self.tools))
        if unknown:
            raise traitlets.TraitError(f"unknown tool {unknown[0]!r} in this stage (expected one of {', '.join(self.tools)})")
        return proposal["value"]

    @traitlets.observe("value", "done")
    def _changed(self, change: dict[str, Any]) -> None:
        if change["name"] == "value" and change["new"]:
            # Said before the list and the picker change, so that the
            # browser has the words by the time the choice shows as current.
            tool = self.tools[change["new"]]
            self.announce.value = f"Showing tool {tool.number}: {tool.name}"
        self._render()

    def set_done(self, tool_id: str, done: bool) -> None:
        """Tick (or untick) a tool."""
        self.done = self.done | {tool_id} if done else self.done - {tool_id}

    def _render(self) -> None:
        for tool_id, button in self.buttons.items():
            tool = self.tools[tool_id]
            done = tool_id in self.done
            button.description = f"{TICK + ' ' if done else ''}{tool.number}. {tool.name}"
            button.button_style = "info" if tool_id == self.value else ""
            (button.add_class if done else button.remove_class)("xs-tool-done")
            for name in ("xs-tool-selected", CURRENT):
                (button.add_class if tool_id == self.value else button.remove_class)(name)
        self.progress.value = f"{len(self.done)} of {len(self.tools)} tools answered"
        options = [(self.buttons[t].description + (f" ({NOT_PLANNED})" if t in self.unplanned else ""), t) for t in self._order]
        if tuple(options) != tuple(self.picker.options) or self.picker.value != self.value:
            self._picking = True  # new options reset the Dropdown's value: put it back
            try:
                self.picker.options = options
                if self.value:
                    self.picker.value = self.value
            finally:
                self._picking = False


class ToolPanel(widgets.VBox):
    """Everything about one tool: ``card`` (:class:`ToolCard`), ``form``
    (:class:`QuestionForm`), ``rating`` (:class:`Rating`), ``actions``
    (:class:`ActionsPanel`). ``value`` is the tool id (read-only: a panel
    is built for one tool); ``disabled`` is passed on to the form, the
    rating and the actions. Last, ``next_tool`` ("Next tool: 2. …", a
    Button, ``xs-next-tool``; :meth:`on_next`) or, on the stage's last
    tool, ``next_page`` (a link to the next page, ``xs-next-page``): the
    workbook says which (:meth:`set_next`). CSS: ``xs-tool-panel
    xs-tool-<tool_id>``."""

    value = traitlets.Unicode(read_only=True, help="tool id")
    disabled = traitlets.Bool(False, help="the tool's inputs are read-only")

    def __init__(self, kit: Toolkit, tool: Tool, *, delay: float = DEFAULT_DELAY, call_later: CallLater | None = None, **kwargs: Any):
        self.tool = tool
        self.set_trait("value", tool.id)
        self.card = ToolCard(kit, tool)
        self.form = QuestionForm(tool, delay=delay, call_later=call_later)
        self.rating = Rating(kit.scale, tool.id, delay=delay, call_later=call_later)
        questions = hook(widgets.VBox([widgets.HTML("<h3>Guiding questions</h3>", style=shared_style(widgets.HTML)), self.form], layout=widgets.Layout(width="100%")), "xs-card", "xs-questions")
        rating = hook(widgets.VBox([self.rating], layout=widgets.Layout(width="100%")), "xs-card")
        self.actions = ActionsPanel(kit, tool.id)
        for part in (self.form, self.rating, self.actions):
            traitlets.dlink((self, "disabled"), (part, "disabled"))
        self.next_tool = hook(
            widgets.Button(description="Next tool", button_style="primary", layout=widgets.Layout(width="auto", align_self="flex-end", display="none"), style=shared_style(widgets.Button)),
            "xs-next-tool",
        )
        self.next_page = hook(widgets.HTML("", layout=widgets.Layout(width="100%", display="none"), style=shared_style(widgets.HTML)), "xs-next-page")
        self._next_handlers = widgets.CallbackDispatcher()
        self.next_tool.on_click(lambda _b: self._next_handlers())
        footer = hook(widgets.HBox([self.next_page, self.next_tool], layout=widgets.Layout(width="100%", justify_content="flex-end")), "xs-tool-footer")
        super().__init__([self.card, questions, rating, self.actions, footer], **kwargs)
        hook(self, "xs-tool-panel", f"xs-tool-{tool.id}")

    def on_next(self, callback: Callable[[], Any]) -> None:
        """Register ``callback()``, called when "Next tool" is pressed."""
        self._next_handlers.register_callback(callback)

    def set_next(self, tool: Tool | None, page: tuple[str, str] | None = None) -> None:
        """What comes after this tool: the ``tool`` listed next ("Next tool:
        <number>. <name>"), or for the last, a link to ``page``
        (``(href, text)``), or nothing."""
        if tool is not None:
            self.next_tool.description = f"Next tool: {tool.number}. {tool.name}"
            self.next_tool.tooltip = f"Go to tool {tool.number}, {tool.name}"
            self.next_tool.layout.display = None
            self.next_page.layout.display = "none"
            return
        self.next_tool.layout.display = "none"
        if page is None:
            self.next_page.value = ""
            self.next_page.layout.display = "none"
            return
        href, text = page
        self.next_page.value = f'<p class="xs-next-page-line">That was the last tool of this stage. <a class="xs-next-page-link" href="{esc(href)}">Next: {esc(text)}</a></p>'
        self.next_page.layout.display = None

    def flush(self) -> None:
        self.form.flush()
        self.rating.flush()


class StageWorkbook(Page):
    """One stage's page. ``value`` is the selected tool id (linked to
    ``nav.value``); ``ready`` (signed in) and ``locked`` (by the
    facilitator) decide ``disabled`` (inputs read-only), which is passed on
    to every panel; ``problem`` and ``store_error`` are shown in the notice
    (see :class:`~widgets.page.Page`).

    Children: ``header`` (title, guiding question, summary), ``links``
    (other stages), ``signin`` (the Session's :class:`SignIn`, if given),
    ``notice`` (Label: ``problem``, ``store_error``, locked, or sign in
    first), ``saved`` (:class:`~widgets.autosave.SavedSummary`: whether
    every box of the page is saved), ``nav`` (:class:`ToolNav`), ``panels`` (dict of
    the :class:`ToolPanel` built so far, by tool id; only the selected one
    is shown). CSS: ``xs-page xs-stage xs-stage-<stage_id>``, ``xs-locked``
    while locked, ``xs-notice``.

    A tool's panel is built the first time it is selected (or asked for with
    :meth:`panel`), not with the page: a stage's unopened panels are about
    nine widget models in ten, and every model is a message the visitor's
    browser waits for before the page works. :meth:`on_panel` callbacks
    (the Session wiring a panel to the store) run for each panel as it is
    built. Closing the page (:meth:`close`) emits its pending autosaves
    first.
    """

    value = traitlets.Unicode(help="selected tool id")
    locked = traitlets.Bool(False, help="the facilitator locked this stage")
    about_open = traitlets.Bool(False, help='"About this tool" is expanded (every tool of the page alike)')

    def __init__(
        self, kit: Toolkit, stage_id: str, signin: SignIn | None = None, *, delay: float = DEFAULT_DELAY,
        call_later: CallLater | None = None, order: tuple[list[str], list[str]] | None = None, **kwargs: Any,
    ):
        # Children first, super().__init__ last: the observers (also of
        # traits given as kwargs) always find the page built.
        self.kit = kit
        self.stage = kit.stage(stage_id)
        first, rest = order or ([t.id for t in kit.tools_in(self.stage.id)], [])
        tools = tuple(kit.tool(t) for t in [*first, *rest])
        self.header = hook(
            widgets.HTML(
                f'<div class="xs-eyebrow">{esc(kit.pages.label_for(self.stage, len(kit.stages)))}</div>'
                f"<h1>{esc(self.stage.title)}</h1>"
                f'<p class="xs-lead">{esc(self.stage.question)}</p>'
                f'<p class="xs-stage-summary">{esc(self.stage.summary)}</p>',
                layout=widgets.Layout(width="100%"), style=shared_style(widgets.HTML),
            ),
            "xs-stage-header",
        )
        self.links = widgets.HTML(stage_links(kit, self.stage.id), layout=widgets.Layout(width="100%"), style=shared_style(widgets.HTML))
        self.signin = signin
        self.notice = notice_line()
        self.room = RoomStatus(lock_key=self.stage.id, lock_title=f"The {self.stage.title} stage", lock_verb="locks")
        self.saved = SavedSummary()
        self.nav = ToolNav(tools)
        self.nav.set_order(first, rest)
        self._delay, self._call_later = delay, call_later
        self._panel_callbacks: list[Callable[[ToolPanel], None]] = []
        self.panels: dict[str, ToolPanel] = {}
        self.panel_box = hook(widgets.VBox([]), "xs-tool-panels")
        self.body = hook(widgets.HBox([self.nav, self.panel_box], layout=widgets.Layout(width="100%", flex_flow="row wrap")), "xs-body")
        self._apply()
        traitlets.link((self.nav, "value"), (self, "value"))  # builds the selected tool's panel
        head = [style_block(), self.header, self.links]
        super().__init__([*head, self.room, *([signin] if signin is not None else []), self.notice, self.saved, self.body], **kwargs)
        hook(self, "xs-page", "xs-stage", f"xs-stage-{self.stage.id}")

    def set_order(self, first: list[str], rest: list[str]) -> None:
        """Today's plan changed: list today's tools first (see
        :meth:`ToolNav.set_order`). Before anyone signed in (a page built
        ahead, in a warm kernel) the first of today's tools is shown;
        after, the participant's choice stays."""
        if first and not self.ready:
            self.value = first[0]  # first: the list shows the new order with its selection
        self.nav.set_order(first, rest)
        self._link_next()

    def lock_fell(self, when: float) -> None:
        """The stage locked (at ``when``) while the page was open: every box
        with text not yet saved keeps it (it is never saved now) and says
        so, in the words a refused save uses too (:func:`lock_fell_text`)."""
        reason = lock_fell_text(self.stage.title, when)
        for panel in self.panels.values():
            for field in [*panel.form.fields.values(), panel.rating.comment_field]:
                if field.dirty:
                    field.debouncer.cancel(field.key)
                    field.mark_failed(reason)

    @traitlets.validate("value")
    def _known_tool(self, proposal: dict[str, Any]) -> str:
        return self.nav._known_tool(proposal)

    @traitlets.observe("value")
    def _value_changed(self, change: dict[str, Any]) -> None:
        self._show(change["new"])

    @traitlets.observe("locked")
    def _locked_changed(self, _change: dict[str, Any]) -> None:
        self._apply()

    def panel(self, tool_id: str) -> ToolPanel:
        """The panel of one of this stage's tools, built (and announced to
        the :meth:`on_panel` callbacks) if it was not yet."""
        if tool_id in self.panels:
            return self.panels[tool_id]
        if tool_id not in self.nav.tools:
            raise KeyError(f"unknown tool {tool_id!r} in this stage (expected one of {', '.join(self.nav.tools)})")
        panel = ToolPanel(self.kit, self.nav.tools[tool_id], delay=self._delay, call_later=self._call_later)
        panel.layout.display = "none"
        traitlets.dlink((self, "disabled"), (panel, "disabled"))
        traitlets.link((self, "about_open"), (panel.card, "expanded"))
        panel.on_next(lambda: self.next_tool(tool_id))
        self.saved.watch(*panel.form.statuses.values(), panel.rating.status, panel.rating.comment_status)
        self.panels[tool_id] = panel
        self._link_next(panel)
        self.panel_box.children = [*self.panel_box.children, panel]
        for callback in self._panel_callbacks:
            callback(panel)
        return panel

    def _link_next(self, *panels: ToolPanel) -> None:
        """Tell each panel (default: every one built) what comes after it."""
        for panel in panels or tuple(self.panels.values()):
            after = self.nav.next_after(panel.tool.id)
            panel.set_next(self.nav.tools[after] if after else None, None if after else self._next_page())

    def _next_page(self) -> tuple[str, str]:
        stages = list(self.kit.stages)
        i = stages.index(self.stage)
        if i + 1 < len(stages):
            nxt = stages[i + 1]
            return stage_page(nxt), f"Stage {nxt.number}, {nxt.title}"
        return PRIORITIES_PAGE, self.kit.pages.priorities_title

    def next_tool(self, tool_id: str | None = None) -> str | None:
        """Show the tool listed after ``tool_id`` (default: the one shown)
        and put the focus at its start; returns its id (``None`` on the
        last tool: nothing changes)."""
        after = self.nav.next_after(tool_id or self.value)
        if after is None:
            return None
        self.value = after
        self.focus_first()
        return after

    def on_panel(self, callback: Callable[[ToolPanel], None]) -> None:
        """Call ``callback(panel)`` for every panel built from now on, and
        for those already built."""
        self._panel_callbacks.append(callback)
        for panel in list(self.panels.values()):
            callback(panel)

    def _show(self, tool_id: str) -> None:
        if not tool_id:
            return
        self.panel(tool_id)
        for tid, panel in self.panels.items():
            panel.layout.display = None if tid == tool_id else "none"

    def _apply(self) -> None:
        self.disabled = self.locked or not self.ready
        self.saved.active = self.ready and not self.problem
        (self.add_class if self.locked else self.remove_class)("xs-locked")
        if self.problem or self.store_error:
            self.say(self.problem or self.store_error)
        elif self.locked:
            self.say(LOCKED.format(stage=self.stage.title))
        elif not self.ready:
            self.say(SIGN_IN_FIRST)
        else:
            self.say("")

    def set_done(self, tool_id: str, done: bool) -> None:
        self.nav.set_done(tool_id, done)

    def focus_first(self) -> widgets.Widget | None:
        """The first answer box of the tool shown, or (read-only) its
        button in the tool list (the picker on a phone, where the buttons
        are hidden: a hidden control takes no focus, so both are asked)."""
        panel = self.panels.get(self.value)
        if panel is not None and not self.disabled and panel.form.boxes:
            return focus(next(iter(panel.form.boxes.values())))
        focus(self.nav.picker)
        return focus(self.nav.buttons.get(self.value))

    def flush(self) -> None:
        """Emit every pending autosave of every opened tool now."""
        for panel in self.panels.values():
            panel.flush()
