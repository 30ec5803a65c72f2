"""What a tool is, before partners answer its questions.

    >>> card = ToolCard(kit, kit.tool(3))

Number, name and stage; the definition and why it matters; the case
example (if the content has one); further resources as links (only the
content's http(s) URLs); and the glossary terms the tool uses, with their
definitions. All text is escaped: the content file is ours, but a
facilitator may edit it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from widgets.style import esc, hook, safe_link

if TYPE_CHECKING:
    from toolkit.content import Tool, Toolkit


class ToolCard(widgets.VBox):
    """``value`` is the tool id. Children: ``header``, ``about``,
    ``example``, ``resources``, ``glossary`` (HTML widgets; the last three
    are empty when the tool has none). CSS: ``xs-tool-card``."""

    value = traitlets.Unicode(help="tool id")

    def __init__(self, kit: Toolkit, tool: Tool, **kwargs: Any):
        super().__init__(**kwargs)
        self.tool = tool
        self.value = tool.id
        stage = kit.stage(tool.stage_id)
        # tool.note (why a tool is provisional) is for facilitators only.
        self.header = widgets.HTML(
            f'<div class="xs-eyebrow">Tool {tool.number} · Stage {stage.number}: {esc(stage.title)}</div>'
            f"<h2>{esc(tool.name)}</h2>"
        )
        self.about = widgets.HTML(
            f'<p class="xs-definition">{esc(tool.definition)}</p>'
            f'<h3>Why it matters</h3><p>{esc(tool.why)}</p>'
        )
        self.example = widgets.HTML(_example_html(tool))
        self.resources = widgets.HTML(_resources_html(tool))
        self.glossary = widgets.HTML(_glossary_html(kit, tool))
        for w in (self.header, self.about, self.example, self.resources, self.glossary):
            w.layout.width = "100%"
            if not w.value:
                w.layout.display = "none"
        self.children = [self.header, self.about, self.example, self.resources, self.glossary]
        hook(self, "xs-tool-card", "xs-card")


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
