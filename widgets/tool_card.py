"""What a tool is, before partners answer its questions.

    >>> card = ToolCard(kit, kit.tool(3))

Number, name and stage, always shown; under a collapsed "About this tool"
(``expanded``; a button, ``aria-expanded``): the definition and why it
matters, the case example (if the content has one), further resources as
links (only the content's http(s) URLs), and the glossary terms the tool
uses, with their definitions. Collapsed, the tool's guiding questions come
straight after its name (issue #19: the work comes first). All text is
escaped: the content file is ours, but a facilitator may edit it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from widgets.style import EXPANDER, esc, hook, safe_link, shared_style

if TYPE_CHECKING:
    from toolkit.content import Tool, Toolkit


class ToolCard(widgets.VBox):
    """``value`` is the tool id; setting it shows that tool (``tool`` is
    the tool shown); ``expanded``: "About this tool" is open. Children:
    ``header`` (HTML), ``toggle`` (the "About this tool" Button,
    ``xs-about-toggle``, with ``xs-expanded`` while open), ``details`` (the
    VBox it opens, ``xs-about``, displayed only while open) holding
    ``about``, ``example``, ``resources``, ``glossary`` (HTML widgets; the
    last three are hidden when the tool has none). CSS: ``xs-tool-card``.

    A card has no ``disabled``: it has no input, and its links stay usable
    on a locked page."""

    value = traitlets.Unicode(help="tool id")
    expanded = traitlets.Bool(False, help='"About this tool" is open')

    def __init__(self, kit: Toolkit, tool: Tool, **kwargs: Any):
        # Children first, super().__init__ last: the observers (also of
        # traits given as kwargs) always find the sections built.
        self.kit = kit
        self.tool = tool
        self.header = widgets.HTML(layout=widgets.Layout(width="100%"), style=shared_style(widgets.HTML))
        self.about = widgets.HTML(layout=widgets.Layout(width="100%"), style=shared_style(widgets.HTML))
        self.example = widgets.HTML(layout=widgets.Layout(width="100%"), style=shared_style(widgets.HTML))
        self.resources = widgets.HTML(layout=widgets.Layout(width="100%"), style=shared_style(widgets.HTML))
        self.glossary = widgets.HTML(layout=widgets.Layout(width="100%"), style=shared_style(widgets.HTML))
        self.toggle = hook(
            widgets.Button(description="About this tool", tooltip="The definition, why it matters, an example, resources and the words we use",
                           layout=widgets.Layout(width="auto", align_self="flex-start"), style=shared_style(widgets.Button)),
            "xs-about-toggle", EXPANDER,
        )
        self.toggle.on_click(lambda _b: setattr(self, "expanded", not self.expanded))
        self.details = hook(
            widgets.VBox([self.about, self.example, self.resources, self.glossary], layout=widgets.Layout(width="100%", display="none")),
            "xs-about",
        )
        self.value = tool.id
        super().__init__([self.header, self.toggle, self.details], **kwargs)
        hook(self, "xs-tool-card", "xs-card")

    @traitlets.observe("expanded")
    def _open_changed(self, change: dict[str, Any]) -> None:
        self.details.layout.display = None if change["new"] else "none"
        (self.toggle.add_class if change["new"] else self.toggle.remove_class)("xs-expanded")

    @traitlets.validate("value")
    def _known_tool(self, proposal: dict[str, Any]) -> str:
        if proposal["value"] != self.tool.id and not self.kit.has_tool(proposal["value"]):
            raise traitlets.TraitError(f"unknown tool {proposal['value']!r} (expected a tool id such as {self.kit.tools[0].id!r})")
        return proposal["value"]

    @traitlets.observe("value")
    def _show(self, change: dict[str, Any]) -> None:
        kit = self.kit
        if change["new"] != self.tool.id:
            self.tool = kit.tool(change["new"])
        tool = self.tool
        stage = kit.stage(tool.stage_id)
        # tool.note (why a tool is provisional) is for facilitators only.
        self.header.value = (
            f'<div class="xs-eyebrow">Tool {tool.number} · Stage {stage.number}: {esc(stage.title)}</div>'
            f"<h2>{esc(tool.name)}</h2>"
        )
        self.about.value = (
            f'<p class="xs-definition">{esc(tool.definition)}</p>'
            f'<h3>Why it matters</h3><p>{esc(tool.why)}</p>'
        )
        self.example.value = _example_html(tool)
        self.resources.value = _resources_html(tool)
        self.glossary.value = _glossary_html(kit, tool)
        for w in (self.header, self.about, self.example, self.resources, self.glossary):
            w.layout.display = None if w.value else "none"


def _example_html(tool: Tool) -> str:
    ex = tool.example
    if ex is None:
        return ""
    place = f' <span class="xs-muted">({esc(ex.place)})</span>' if ex.place else ""
    shows = f"<p><em>{esc(ex.shows)}</em></p>" if ex.shows else ""
    credit = f'<p class="xs-muted">{esc(ex.credit)}</p>' if ex.credit else ""
    return (
        f'<div class="xs-example"><h3>{esc(ex.heading)}</h3>'
        f"<p><strong>{esc(ex.title)}</strong>{place}</p><p>{esc(ex.summary)}</p>{shows}{credit}</div>"
    )


def _resources_html(tool: Tool) -> str:
    if not tool.resources:
        return ""
    items = "".join(f"<li>{safe_link(r.url, r.name)} <span class=\"xs-muted\">· {esc(r.publisher)}</span></li>" for r in tool.resources)
    return f'<div class="xs-resources"><h3>Further resources</h3><ul>{items}</ul></div>'


def _glossary_html(kit: Toolkit, tool: Tool) -> str:
    if not tool.terms:
        return ""
    items = "".join(f"<dt>{esc(t.term)}</dt><dd>{esc(t.definition)}</dd>" for t in (kit.term(tid) for tid in tool.terms))
    return f'<div class="xs-glossary"><h3>Words we use here</h3><dl>{items}</dl></div>'
