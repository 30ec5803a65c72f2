"""The planning guide of a workshop (HTML and Markdown) and the toolkit
handout for partners (HTML); :mod:`toolkit.exports.pdf` prints either to PDF.

    >>> guide = guide_data(store, "demo")
    >>> html_text = render_html(guide)
    >>> md_text = render_markdown(guide)
    >>> handout = render_handout_html(store.kit)

The planning guide: title, date and source credit; an overview with the
readiness heatmap (tools x sectors, mean rating coloured by band), the top
priorities and the tools partners see differently; then per stage and tool
the definition, every current answer under its question grouped by table
and sector, the readiness summary with bands and divergence flags, and the
notes that came with ratings; then the dot-vote priorities, the action
register and the participants (counts per sector only in an anonymous
workshop, where no name appears anywhere). Ratings are always shown: the
guide is for the facilitator, whatever the dashboard reveals.

The HTML is self-contained (inline CSS; no script, font or image is
fetched) and prints well: a page break before each stage, tool headers kept
with what follows, backgrounds kept so the bands print in colour. Every
piece of text, participant's or content's, is escaped (``html.escape``); in
Markdown it is escaped too, so raw HTML in an answer never reaches a
renderer.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from toolkit.frames import ALL_SECTORS, DISCUSS_AT, DIVERGENCE_GAP, STRENGTH_AT, band

if TYPE_CHECKING:
    import pandas as pd

    from toolkit.content import Tool, Toolkit
    from toolkit.store import AnswerStore
    from toolkit.store.values import Participant, Workshop

BANDS = ("strength", "discuss", "concern")
BAND_TEXT = {
    "strength": f"strength (mean {STRENGTH_AT:g} or more)",
    "discuss": f"to discuss (mean {DISCUSS_AT:g} to under {STRENGTH_AT:g})",
    "concern": f"concern (mean under {DISCUSS_AT:g})",
}


def esc(value: Any) -> str:
    """Text as HTML: escaped, line breaks kept."""
    return html.escape("" if value is None else str(value)).replace("\n", "<br>")


# --------------------------------------------------------------------------
# What the guide shows, gathered once for HTML and Markdown


@dataclass(frozen=True)
class Entry:
    """One answer or note as the guide prints it; ``who`` is empty in an
    anonymous workshop."""

    text: str
    who: str = ""


@dataclass(frozen=True)
class Group:
    """Answers from one table and sector."""

    table: str
    sector: str
    entries: tuple[Entry, ...]


@dataclass
class Guide:
    """Everything the planning guide prints, read from the store once
    (:func:`guide_data`)."""

    kit: Toolkit
    workshop: Workshop
    frames: dict[str, pd.DataFrame]
    participants: list[Participant]
    today: dt.date
    sector_ids: list[str] = field(default_factory=list)
    answers: dict[tuple[str, str], list[Group]] = field(default_factory=dict)
    comments: dict[str, list[Group]] = field(default_factory=dict)
    ratings: dict[str, dict[str, tuple[float, int, int]]] = field(default_factory=dict)
    divergence: dict[str, dict[str, Any]] = field(default_factory=dict)
    dots: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    @property
    def anonymous(self) -> bool:
        return self.workshop.settings.anonymous

    def sector_name(self, sector_id: str) -> str:
        if sector_id == ALL_SECTORS:
            return "All sectors"
        return self.kit.sector(sector_id).name if self.kit.has_sector(sector_id) else sector_id

    def owner(self, owner: str) -> str:
        """An action's owner; in an anonymous workshop a participant's name
        is replaced by "a participant"."""
        if self.anonymous and owner.casefold() in {p.name.casefold() for p in self.participants if p.name}:
            return "A participant"
        return owner

    @property
    def answer_count(self) -> int:
        cur = self.frames["current_answers"]
        return int((cur["kind"] == "text").sum())


def guide_data(store: AnswerStore, slug: str, *, today: dt.date | None = None) -> Guide:
    """Read one workshop for the planning guide."""
    from toolkit.frames import all_frames

    ws = store.workshop(slug)
    kit = store.kit
    people = store.participants(slug)
    frames = all_frames(store, slug)
    guide = Guide(kit=kit, workshop=ws, frames=frames, participants=people, today=today or dt.date.today())
    order = {s.id: i for i, s in enumerate(kit.sectors)}
    present = {p.sector for p in people} | set(frames["ratings"]["sector"].astype(str)) - {ALL_SECTORS}
    guide.sector_ids = sorted(present, key=lambda s: (order.get(s, len(order)), s))
    by_id = {p.id: p for p in people}

    def who(pid: int) -> str:
        if guide.anonymous:
            return ""
        p = by_id.get(pid)
        if p is None:
            return ""
        return f"{p.name}, {p.organization}" if p.name else p.organization

    def groups(rows: list[dict[str, Any]]) -> list[Group]:
        out: dict[tuple[str, str], list[Entry]] = {}
        for r in rows:
            out.setdefault((r["table"], r["sector"]), []).append(Entry(str(r["value"]), who(int(r["participant_id"]))))
        keys = sorted(out, key=lambda k: (natural_key(k[0]), order.get(k[1], len(order)), k[1]))
        return [Group(table=t, sector=s, entries=tuple(out[(t, s)])) for t, s in keys]

    # Plain lists: pandas' row iteration costs more than the grouping itself.
    cur = frames["current_answers"].sort_values(["participant_id", "answer_id"])
    text: dict[tuple[str, str], list[dict[str, Any]]] = {}
    notes: dict[str, list[dict[str, Any]]] = {}
    for r in _records(cur, ["tool_id", "question_id", "kind", "table", "sector", "value", "participant_id"]):
        if r["kind"] == "text":
            text.setdefault((r["tool_id"], r["question_id"]), []).append(r)
        elif r["kind"] == "comment":
            notes.setdefault(r["tool_id"], []).append(r)
    guide.answers = {key: groups(rows) for key, rows in text.items()}
    guide.comments = {key: groups(rows) for key, rows in notes.items()}
    for r in _records(frames["ratings"]):
        guide.ratings.setdefault(str(r["tool_id"]), {})[str(r["sector"])] = (
            float("nan") if r["mean"] is None else float(r["mean"]), int(r["count"]), int(r["not_sure"])
        )
    for r in _records(frames["divergence"]):
        guide.divergence[str(r["tool_id"])] = r
    for r in _records(frames["priorities"]):
        guide.dots[str(r["tool_id"])] = (int(r["dots"]), int(r["voters"]), int(r["rank"]))
    return guide


def _records(df: pd.DataFrame, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (NA becomes ``None``)."""
    columns = list(df.columns) if columns is None else columns
    lists = [[None if _isna(v) else v for v in df[c].tolist()] for c in columns]
    return [dict(zip(columns, values)) for values in zip(*lists)]


def _isna(value: Any) -> bool:
    try:
        return bool(value is None or value != value or str(value) == "<NA>")
    except (TypeError, ValueError):
        return False


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort "Table 2" before "Table 10"."""
    return tuple(int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", str(text)))


def human_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _mean(value: float) -> str:
    return "" if value != value else f"{value:.1f}"  # NaN when only "not sure"


# --------------------------------------------------------------------------
# CSS shared by the guide and the handout

_CSS = """
:root { --ink: #1d2330; --muted: #5b6475; --rule: #d5dae3; --accent: #1f3a5f; --accent-soft: #e8eef6;
  --strength: #b9e0c3; --strength-ink: #14462a; --discuss: #fbe4a6; --discuss-ink: #5a4300;
  --concern: #f5c0ba; --concern-ink: #6e1a12; --none: #f1f3f6; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Liberation Sans", Arial, Helvetica, "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.45;
  color: var(--ink); margin: 0 auto; max-width: 58rem; padding: 2rem 2.2rem; background: #fff; }
h1, h2, h3, h4, h5 { font-family: "Liberation Serif", Georgia, "DejaVu Serif", serif; color: var(--accent); line-height: 1.2; margin: 0; }
h1 { font-size: 25pt; font-weight: 700; margin: .15rem 0 .5rem; }
h2 { font-size: 19pt; margin: .1rem 0 .4rem; }
h3 { font-size: 13.5pt; margin: 0 0 .3rem; }
h4 { font-family: "Liberation Sans", Arial, sans-serif; font-size: 8.5pt; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: .9rem 0 .35rem; }
h5 { font-family: "Liberation Sans", Arial, sans-serif; font-size: 10pt; color: var(--ink); margin: .7rem 0 .3rem; }
p { margin: 0 0 .5rem; }
a { color: var(--accent); }
small, .muted { color: var(--muted); }
.kicker { font-size: 8.5pt; text-transform: uppercase; letter-spacing: .12em; color: var(--muted); margin: 0; font-weight: 700; }
.cover { border-bottom: 3px solid var(--accent); padding-bottom: .8rem; margin-bottom: 1.1rem; }
.meta { font-size: 10.5pt; color: var(--muted); margin-bottom: .6rem; }
.credit { font-size: 8.5pt; color: var(--muted); background: var(--accent-soft); border-left: 3px solid var(--accent); padding: .45rem .7rem; margin: .4rem 0 0; }
.contents { font-size: 9pt; color: var(--muted); margin: .2rem 0 0; }
.contents a { text-decoration: none; }
section.block { margin-top: 1.2rem; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { text-align: left; vertical-align: top; padding: .28rem .45rem; border-bottom: 1px solid var(--rule); }
th { font-weight: 700; color: var(--muted); font-size: 8pt; text-transform: uppercase; letter-spacing: .04em; border-bottom: 1.5px solid var(--accent); }
tr { break-inside: avoid; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.b-strength { background: var(--strength); color: var(--strength-ink); }
.b-discuss { background: var(--discuss); color: var(--discuss-ink); }
.b-concern { background: var(--concern); color: var(--concern-ink); }
.b-none { background: var(--none); color: var(--muted); }
.heatmap { table-layout: fixed; font-size: 8.5pt; }
.heatmap th { text-transform: none; letter-spacing: 0; font-size: 7.5pt; line-height: 1.15; vertical-align: bottom; padding: .2rem .15rem; }
.heatmap th.tool, .heatmap td.tool { width: 40%; }
.heatmap th.narrow { width: 6%; }
.heatmap td { padding: .12rem .3rem; }
.heatmap td.cell { text-align: center; font-weight: 700; font-variant-numeric: tabular-nums; border: 2px solid #fff; padding: .12rem .15rem; }
.heatmap td.cell small { font-weight: 400; color: inherit; opacity: .75; font-size: 7pt; margin-left: .15rem; }
.heatmap th.sector { text-align: center; }
.heatmap td.all { box-shadow: inset 3px 0 0 #fff; }
.heatmap tr.stage-row td { background: none; font-size: 7.5pt; text-transform: uppercase; letter-spacing: .08em; color: var(--accent); font-weight: 700; padding-top: .35rem; border-bottom: 1px solid var(--rule); }
.heatmap td.tool { font-size: 8pt; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.heatmap td.flag { text-align: center; color: #8a3b00; font-weight: 700; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem 1rem; font-size: 8.5pt; color: var(--muted); margin: .45rem 0 0; padding: 0; list-style: none; }
.legend .swatch { display: inline-block; width: .9rem; height: .9rem; vertical-align: -.15rem; margin-right: .3rem; border-radius: 2px; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 1.2rem; margin-top: 1rem; }
.two h4 { margin-top: 0; }
ol.top { margin: 0; padding-left: 1.2rem; font-size: 9.5pt; }
ol.top li { margin-bottom: .2rem; }
ul.flags { margin: 0; padding-left: 0; list-style: none; font-size: 9.5pt; }
ul.flags li { margin-bottom: .3rem; padding-left: 1.1rem; text-indent: -1.1rem; }
.flag-mark { color: #8a3b00; font-weight: 700; }
.stage { break-before: page; }
.stage-head { border-bottom: 3px solid var(--accent); padding-bottom: .6rem; margin-bottom: .9rem; break-after: avoid; }
.stage-q { font-family: "Liberation Serif", Georgia, serif; font-size: 12.5pt; font-style: italic; color: var(--ink); margin: .2rem 0 .4rem; }
.stage-summary { color: var(--muted); margin: 0; }
.tool { margin: 0 0 1.4rem; padding-top: .2rem; }
.tool + .tool { border-top: 1px solid var(--rule); padding-top: 1rem; }
.tool-head { break-inside: avoid; break-after: avoid; }
.tool-head h3 .num { display: inline-block; min-width: 1.6rem; height: 1.6rem; line-height: 1.6rem; text-align: center; border-radius: 50%;
  background: var(--accent); color: #fff; font-family: "Liberation Sans", Arial, sans-serif; font-size: 9pt; margin-right: .4rem; vertical-align: .1rem; }
.def { margin: 0 0 .35rem; }
.badge { display: inline-block; font-family: "Liberation Sans", Arial, sans-serif; font-size: 7.5pt; text-transform: uppercase; letter-spacing: .06em;
  border: 1px solid #a0561b; color: #a0561b; border-radius: 3px; padding: 0 .3rem; margin-left: .35rem; vertical-align: .15rem; }
.note { font-size: 8.5pt; color: #7a4a1d; }
.readiness { break-inside: avoid; background: #fafbfc; border: 1px solid var(--rule); border-radius: 4px; padding: .5rem .6rem; margin: .5rem 0 .3rem; }
.readiness h4 { margin-top: 0; }
.readiness table.ratings td { text-align: center; font-weight: 700; border: 2px solid #fafbfc; }
.readiness table.ratings td small { display: block; font-weight: 400; font-size: 7pt; opacity: .8; }
.readiness table.ratings th { text-align: center; border-bottom: 0; }
.readiness p { margin: .35rem 0 0; font-size: 9pt; }
.divergent { color: #8a3b00; font-weight: 700; }
.q { margin: 0 0 .5rem; }
.q h5 { break-after: avoid; }
.group { margin: 0 0 .35rem .2rem; break-inside: avoid-page; }
.group-label { font-size: 8pt; font-weight: 700; color: var(--accent); margin: .15rem 0 .1rem; text-transform: uppercase; letter-spacing: .04em; }
.group ul { margin: 0; padding: 0; list-style: none; }
.group li { border-left: 2px solid var(--rule); padding: .05rem 0 .05rem .55rem; margin: 0 0 .25rem; }
.who { color: var(--muted); font-size: 8.5pt; white-space: nowrap; }
.empty { color: var(--muted); font-style: italic; font-size: 9pt; }
.bar { display: inline-block; height: .55rem; background: var(--accent); border-radius: 1px; vertical-align: .05rem; }
.status { font-size: 8pt; text-transform: uppercase; letter-spacing: .04em; font-weight: 700; white-space: nowrap; }
.status-done { color: #1d6b3a; } .status-open { color: var(--accent); } .status-in-progress { color: #8a5a00; } .status-dropped { color: var(--muted); text-decoration: line-through; }
.end { break-before: page; }
.end section.block:first-child { margin-top: 0; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  a { color: inherit; text-decoration: none; }
}
"""


def css_string(text: str) -> str:
    """A CSS string literal that nothing in ``text`` can break out of."""
    return '"' + "".join(c if c.isalnum() or c in " ,.:()" else f"\\{ord(c):06x} " for c in text) + '"'


def _page_css(footer: str) -> str:
    return (
        "@page { size: A4; margin: 15mm 14mm 17mm 14mm;\n"
        f"  @bottom-left {{ content: {css_string(footer)}; font: 7.5pt 'Liberation Sans', Arial, sans-serif; color: #5b6475; }}\n"
        "  @bottom-right { content: 'Page ' counter(page) ' of ' counter(pages); font: 7.5pt 'Liberation Sans', Arial, sans-serif; color: #5b6475; }\n"
        "}\n"
    )


def _document(title: str, footer: str, body: str, extra_css: str = "") -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        # Nothing may be fetched: no script, no remote font, image or style.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>{esc(title)}</title>\n<style>\n{_page_css(footer)}{_CSS}{extra_css}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _credit_html(kit: Toolkit) -> str:
    s = kit.source
    return (
        f"<p class=\"credit\">Built on <cite>{esc(s.title)}</cite>, {esc(s.publisher)} "
        f"(<a href=\"{esc(s.url)}\">{esc(s.url)}</a>). {esc(s.credit)}</p>"
    )


# --------------------------------------------------------------------------
# Planning guide: HTML


def render_html(guide: Guide) -> str:
    """The planning guide as one self-contained HTML page."""
    kit, ws = guide.kit, guide.workshop
    out: list[str] = []
    add = out.append
    n_people = len(guide.participants)
    n_sectors = len({p.sector for p in guide.participants})
    add("<header class=\"cover\">")
    add("<p class=\"kicker\">Planning guide</p>")
    add(f"<h1>{esc(ws.title)}</h1>")
    created = dt.datetime.fromtimestamp(ws.created, dt.timezone.utc).date()
    add(
        f"<p class=\"meta\">Prepared {esc(human_date(guide.today))} &middot; workshop started {esc(human_date(created))} &middot; "
        f"round {ws.settings.round} &middot; {n_people} participant{'s' * (n_people != 1)} from {n_sectors} sector{'s' * (n_sectors != 1)} &middot; "
        f"{guide.answer_count} answer{'s' * (guide.answer_count != 1)}</p>"
    )
    add(_credit_html(kit))
    links = " &middot; ".join(
        [f"<a href=\"#stage-{esc(s.id)}\">{s.number}. {esc(s.title)}</a>" for s in kit.stages]
        + ["<a href=\"#priorities\">Priorities</a>", "<a href=\"#actions\">Action register</a>", "<a href=\"#participants\">Participants</a>"]
    )
    add(f"<p class=\"contents\">Contents: {links}</p>")
    add("</header>")

    add("<section class=\"block\" id=\"overview\">")
    add("<h2>Readiness at a glance</h2>")
    add(f"<p class=\"muted\">Mean rating per tool and sector on the scale 1-{len(kit.scale.points)} "
        f"(&ldquo;{esc(kit.scale.question)}&rdquo;); small numbers are how many rated. &ldquo;Not sure&rdquo; is not averaged. "
        f"&#9873; marks a tool where two sectors&rsquo; means differ by {DIVERGENCE_GAP:g} points or more.</p>")
    add(_heatmap_html(guide))
    add("<div class=\"two\">")
    add("<div><h4>Top priorities (dot vote)</h4>" + _top_priorities_html(guide) + "</div>")
    add("<div><h4>Partners see this differently</h4>" + _flags_html(guide) + "</div>")
    add("</div></section>")

    for stage in kit.stages:
        add(f"<section class=\"stage\" id=\"stage-{esc(stage.id)}\">")
        add("<header class=\"stage-head\">")
        add(f"<p class=\"kicker\">Stage {stage.number} of {len(kit.stages)}</p>")
        add(f"<h2>{esc(stage.title)}</h2>")
        add(f"<p class=\"stage-q\">{esc(stage.question)}</p>")
        add(f"<p class=\"stage-summary\">{esc(stage.summary)}</p>")
        add("</header>")
        for tool in kit.tools_in(stage.id):
            add(_tool_html(guide, tool))
        add("</section>")

    add("<div class=\"end\">")
    add(_priorities_html(guide))
    add(_actions_html(guide))
    add(_participants_html(guide))
    add("</div>")
    return _document(f"Planning guide: {ws.title}", f"{ws.title} \u00b7 Planning guide", "\n".join(out))


def _band_class(mean: float | None) -> str:
    b = band(mean)
    return f"b-{b}" if b else "b-none"


def _heatmap_html(guide: Guide) -> str:
    sectors = guide.sector_ids
    rows = [
        "<table class=\"heatmap\"><thead><tr><th class=\"tool\">Tool</th>"
        + "".join(f"<th class=\"sector\">{esc(guide.sector_name(s))}</th>" for s in sectors)
        + "<th class=\"sector\">All</th><th class=\"sector narrow\" title=\"partners see this differently\">Differ</th></tr></thead><tbody>"
    ]
    cols = len(sectors) + 3
    for stage in guide.kit.stages:
        rows.append(f"<tr class=\"stage-row\"><td colspan=\"{cols}\">{stage.number}. {esc(stage.title)}</td></tr>")
        for tool in guide.kit.tools_in(stage.id):
            by = guide.ratings.get(tool.id, {})
            cells = []
            for s in [*sectors, ALL_SECTORS]:
                extra = " all" if s == ALL_SECTORS else ""
                if s in by and by[s][1] > 0:
                    mean, count, _ = by[s]
                    cells.append(f"<td class=\"cell {_band_class(mean)}{extra}\">{_mean(mean)}<small>{count}</small></td>")
                else:
                    cells.append(f"<td class=\"cell b-none{extra}\">&ndash;</td>")
            div = guide.divergence.get(tool.id)
            flag = "<td class=\"flag\">&#9873;</td>" if div and div["flagged"] else "<td class=\"flag\"></td>"
            prov = "<span class=\"muted\">*</span>" if tool.provisional else ""
            rows.append(f"<tr><td class=\"tool\" title=\"{esc(tool.name)}\">{tool.number}. {esc(tool.name)}{prov}</td>{''.join(cells)}{flag}</tr>")
    rows.append("</tbody></table>")
    legend = (
        "<ul class=\"legend\">"
        + "".join(f"<li><span class=\"swatch b-{b}\"></span>{esc(BAND_TEXT[b])}</li>" for b in BANDS)
        + "<li><span class=\"swatch b-none\"></span>no ratings</li>"
        + f"<li><span class=\"flag-mark\">&#9873;</span> sector means {DIVERGENCE_GAP:g}+ points apart</li>"
        + ("<li>* provisional tool</li>" if any(t.provisional for t in guide.kit.tools) else "")
        + "</ul>"
    )
    return "\n".join(rows) + legend


def _top_priorities_html(guide: Guide, n: int = 5) -> str:
    top = [(t, guide.dots[t.id]) for t in guide.kit.tools if guide.dots.get(t.id, (0, 0, 0))[0] > 0]
    top.sort(key=lambda item: (item[1][2], item[0].number))
    if not top:
        return "<p class=\"empty\">No dots placed yet.</p>"
    items = "".join(
        f"<li>{esc(t.name)} <span class=\"muted\">&middot; {d} dot{'s' * (d != 1)} from {v} participant{'s' * (v != 1)}</span></li>"
        for t, (d, v, _r) in top[:n]
    )
    return f"<ol class=\"top\">{items}</ol>"


def _flags_html(guide: Guide) -> str:
    items = []
    for tool in guide.kit.tools:
        div = guide.divergence.get(tool.id)
        if div and div["flagged"]:
            items.append(f"<li><span class=\"flag-mark\">&#9873;</span> {esc(tool.name)}: {_divergence_text_html(guide, div)}</li>")
    if not items:
        return f"<p class=\"empty\">No tool where two sectors' means differ by {DIVERGENCE_GAP:g} points or more.</p>"
    return f"<ul class=\"flags\">{''.join(items)}</ul>"


def _divergence_text_html(guide: Guide, div: dict[str, Any]) -> str:
    return (
        f"{esc(guide.sector_name(div['low_sector']))} {div['low_mean']:.1f} (low) vs "
        f"{esc(guide.sector_name(div['high_sector']))} {div['high_mean']:.1f} (high), gap {div['gap']:.1f}"
    )


def _tool_html(guide: Guide, tool: Tool) -> str:
    out: list[str] = []
    add = out.append
    add(f"<article class=\"tool\" id=\"tool-{tool.number}\">")
    add("<header class=\"tool-head\">")
    badge = "<span class=\"badge\">provisional</span>" if tool.provisional else ""
    add(f"<h3><span class=\"num\">{tool.number}</span>{esc(tool.name)}{badge}</h3>")
    add(f"<p class=\"def\">{esc(tool.definition)}</p>")
    add("</header>")  # tool.note is for facilitators only: partners see the badge

    add("<div class=\"readiness\">")
    add(f"<h4>Readiness &middot; {esc(guide.kit.scale.question)}</h4>")
    by = guide.ratings.get(tool.id, {})
    if by:
        keys = [s for s in guide.sector_ids if s in by] + [ALL_SECTORS]
        head = "".join(f"<th>{esc(guide.sector_name(s))}</th>" for s in keys)
        cells = []
        for s in keys:
            mean, count, unsure = by.get(s, (float("nan"), 0, 0))
            label = band(mean) or "no rating"
            sub = f"{count} rated" + (f", {unsure} not sure" if unsure else "")
            cells.append(f"<td class=\"{_band_class(mean)}\">{_mean(mean) or '&ndash;'}<small>{esc(label)} &middot; {esc(sub)}</small></td>")
        add(f"<table class=\"ratings\"><thead><tr>{head}</tr></thead><tbody><tr>{''.join(cells)}</tr></tbody></table>")
    else:
        add("<p class=\"empty\">No ratings yet.</p>")
    div = guide.divergence.get(tool.id)
    if div and div["flagged"]:
        add(f"<p class=\"divergent\">&#9873; Partners see this differently: {_divergence_text_html(guide, div)}.</p>")
    dots, voters, rank = guide.dots.get(tool.id, (0, 0, 0))
    if dots:
        add(f"<p>Dot vote: {dots} dot{'s' * (dots != 1)} from {voters} participant{'s' * (voters != 1)} &middot; priority rank {rank} of {len(guide.kit.tools)}.</p>")
    else:
        add("<p class=\"muted\">Dot vote: no dots.</p>")
    add("</div>")

    add("<h4>Guiding questions and answers</h4>")
    for i, q in enumerate(tool.questions, 1):
        add("<div class=\"q\">")
        add(f"<h5>{i}. {esc(q.text)}</h5>")
        groups = guide.answers.get((tool.id, q.id), [])
        add(_groups_html(guide, groups) if groups else "<p class=\"empty\">No answers yet.</p>")
        add("</div>")
    notes = guide.comments.get(tool.id)
    if notes:
        add("<h4>What is missing &middot; notes with ratings</h4>")
        add(_groups_html(guide, notes))
    add("</article>")
    return "\n".join(out)


def _groups_html(guide: Guide, groups: Iterable[Group]) -> str:
    out = []
    for g in groups:
        items = "".join(
            f"<li>{esc(e.text)}" + (f" <span class=\"who\">&mdash; {esc(e.who)}</span>" if e.who else "") + "</li>" for e in g.entries
        )
        out.append(f"<div class=\"group\"><p class=\"group-label\">{esc(g.table)} &middot; {esc(guide.sector_name(g.sector))}</p><ul>{items}</ul></div>")
    return "\n".join(out)


def _priorities_html(guide: Guide) -> str:
    pri = guide.frames["priorities"]
    out = ["<section class=\"block\" id=\"priorities\"><h2>Priorities</h2>"]
    voted = pri[pri["dots"] > 0]
    budget = guide.workshop.settings.dots
    out.append(f"<p class=\"muted\">Each participant had {budget} dot{'s' * (budget != 1)} to place on the tools the collaboration should work on first.</p>")
    if voted.empty:
        out.append("<p class=\"empty\">No dots placed yet.</p></section>")
        return "\n".join(out)
    top = int(voted["dots"].max())
    out.append("<table><thead><tr><th class=\"num\">Rank</th><th>Tool</th><th>Stage</th><th class=\"num\">Dots</th><th class=\"num\">Voters</th><th style=\"width:28%\"></th></tr></thead><tbody>")
    for r in voted.itertuples(index=False):
        width = 100 * int(r.dots) / top
        out.append(
            f"<tr><td class=\"num\">{int(r.rank)}</td><td>{int(r.tool_number)}. {esc(r.tool)}</td><td>{esc(r.stage)}</td>"
            f"<td class=\"num\">{int(r.dots)}</td><td class=\"num\">{int(r.voters)}</td>"
            f"<td><span class=\"bar\" style=\"width:{width:.0f}%\"></span></td></tr>"
        )
    out.append("</tbody></table>")
    none = pri[pri["dots"] == 0]
    if not none.empty:
        names = ", ".join(esc(t) for t in none.sort_values("tool_number")["tool"])
        out.append(f"<p class=\"muted\">No dots: {names}.</p>")
    out.append("</section>")
    return "\n".join(out)


def _actions_html(guide: Guide) -> str:
    acts = guide.frames["actions"]
    out = ["<section class=\"block\" id=\"actions\"><h2>Action register</h2>"]
    if acts.empty:
        out.append("<p class=\"empty\">No actions recorded yet.</p></section>")
        return "\n".join(out)
    out.append("<table><thead><tr><th>Tool</th><th>Action</th><th>Owner</th><th>Sector</th><th>Due</th><th>Status</th></tr></thead><tbody>")
    for r in acts.itertuples(index=False):
        sector = guide.sector_name(r.owner_sector) if r.owner_sector else ""
        status = str(r.status)
        out.append(
            f"<tr><td>{int(r.tool_number)}. {esc(r.tool)}</td><td>{esc(r.what)}</td><td>{esc(guide.owner(str(r.owner)))}</td>"
            f"<td>{esc(sector)}</td><td style=\"white-space:nowrap\">{esc(r.due)}</td>"
            f"<td><span class=\"status status-{esc(status.replace(' ', '-'))}\">{esc(status)}</span></td></tr>"
        )
    out.append("</tbody></table></section>")
    return "\n".join(out)


def sector_counts(guide: Guide) -> list[tuple[str, int]]:
    """(sector name, participants) in content order, then the total."""
    counts: dict[str, int] = {}
    for p in guide.participants:
        counts[p.sector] = counts.get(p.sector, 0) + 1
    rows = [(guide.sector_name(s), counts[s]) for s in guide.sector_ids if s in counts]
    return rows + [("Total", len(guide.participants))]


def _participants_html(guide: Guide) -> str:
    out = ["<section class=\"block\" id=\"participants\"><h2>Participants</h2>"]
    if not guide.participants:
        out.append("<p class=\"empty\">Nobody has signed in yet.</p></section>")
        return "\n".join(out)
    if guide.anonymous:
        out.append("<p class=\"muted\">This workshop is anonymous: participants are counted per sector, and no names are shown.</p>")
        out.append("<table style=\"width:50%\"><thead><tr><th>Sector</th><th class=\"num\">Participants</th></tr></thead><tbody>")
        for name, n in sector_counts(guide):
            out.append(f"<tr><td>{esc(name)}</td><td class=\"num\">{n}</td></tr>")
        out.append("</tbody></table></section>")
        return "\n".join(out)
    out.append("<table><thead><tr><th>Name</th><th>Organization</th><th>Sector</th><th>Table</th></tr></thead><tbody>")
    people = sorted(guide.participants, key=lambda p: (natural_key(p.table), guide.sector_ids.index(p.sector) if p.sector in guide.sector_ids else 99, (p.name or "").casefold()))
    for p in people:
        out.append(
            f"<tr><td>{esc(p.name) if p.name else '<span class=muted>(no name given)</span>'}</td><td>{esc(p.organization)}</td>"
            f"<td>{esc(guide.sector_name(p.sector))}</td><td>{esc(p.table)}</td></tr>"
        )
    out.append("</tbody></table>")
    counts = ", ".join(f"{esc(n)} {c}" for n, c in sector_counts(guide)[:-1])
    out.append(f"<p class=\"muted\">{len(guide.participants)} participants: {counts}.</p></section>")
    return "\n".join(out)


# --------------------------------------------------------------------------
# Planning guide: Markdown

_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])")


def md_escape(value: Any) -> str:
    """Text for Markdown: HTML escaped (so ``<script>`` stays text), the
    characters that would format escaped with a backslash, and lines that
    would start a heading, quote or list defused."""
    text = html.escape("" if value is None else str(value), quote=False)
    text = _MD_INLINE.sub(r"\\\1", text)
    return "\n".join(_MD_LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", line) for line in text.split("\n"))


def _md_cell(value: Any) -> str:
    return md_escape(value).replace("\n", "<br>")


def _md_block(value: Any, indent: str) -> str:
    """A multi-line text inside a list item."""
    lines = md_escape(value).split("\n")
    return lines[0] + "".join(f"\n{indent}{line}" if line.strip() else "\n" for line in lines[1:])


def render_markdown(guide: Guide) -> str:
    """The planning guide as Markdown (same content as the HTML, bands as
    words instead of colours)."""
    kit, ws = guide.kit, guide.workshop
    out: list[str] = []
    add = out.append
    n_people = len(guide.participants)
    created = dt.datetime.fromtimestamp(ws.created, dt.timezone.utc).date()
    add(f"# Planning guide: {md_escape(ws.title)}\n")
    add(
        f"Prepared {human_date(guide.today)} · workshop started {human_date(created)} · round {ws.settings.round} · "
        f"{n_people} participants from {len({p.sector for p in guide.participants})} sectors · {guide.answer_count} answers\n"
    )
    s = kit.source
    add(f"> Built on *{md_escape(s.title)}*, {md_escape(s.publisher)} (<{s.url}>). {md_escape(s.credit)}\n")

    add("## Readiness at a glance\n")
    add(f"Mean rating per tool and sector on the scale 1-{len(kit.scale.points)} (\"{md_escape(kit.scale.question)}\"), "
        "with how many rated in brackets and the band: strength (4 or more), discuss (3 to under 4), concern (under 3). "
        f"⚑ marks sector means {DIVERGENCE_GAP:g} points or more apart.\n")
    sectors = [*guide.sector_ids, ALL_SECTORS]
    add("| Tool | " + " | ".join(_md_cell(guide.sector_name(x) if x != ALL_SECTORS else "All") for x in sectors) + " | Differ |")
    add("|---|" + "---|" * len(sectors) + "---|")
    for tool in kit.tools:
        by = guide.ratings.get(tool.id, {})
        cells = []
        for x in sectors:
            if x in by and by[x][1] > 0:
                cells.append(f"{_mean(by[x][0])} ({by[x][1]}) {band(by[x][0])}")
            else:
                cells.append("–")
        div = guide.divergence.get(tool.id)
        flag = "⚑" if div and div["flagged"] else ""
        add(f"| {tool.number}. {_md_cell(tool.name)} | " + " | ".join(cells) + f" | {flag} |")
    add("")

    for stage in kit.stages:
        add(f"## Stage {stage.number}: {md_escape(stage.title)}\n")
        add(f"*{md_escape(stage.question)}*\n")
        add(f"{md_escape(stage.summary)}\n")
        for tool in kit.tools_in(stage.id):
            prov = " (provisional)" if tool.provisional else ""
            add(f"### {tool.number}. {md_escape(tool.name)}{prov}\n")
            add(f"{md_escape(tool.definition)}\n")
            add(f"**Readiness** ({md_escape(kit.scale.question)})\n")
            by = guide.ratings.get(tool.id, {})
            if by:
                for x in [x for x in guide.sector_ids if x in by] + [ALL_SECTORS]:
                    mean, count, unsure = by[x]
                    extra = f", {unsure} not sure" if unsure else ""
                    add(f"- {md_escape(guide.sector_name(x))}: {_mean(mean) or '–'} ({band(mean) or 'no rating'}; {count} rated{extra})")
                add("")
            else:
                add("No ratings yet.\n")
            div = guide.divergence.get(tool.id)
            if div and div["flagged"]:
                add(
                    f"⚑ **Partners see this differently:** {md_escape(guide.sector_name(div['low_sector']))} {div['low_mean']:.1f} (low) vs "
                    f"{md_escape(guide.sector_name(div['high_sector']))} {div['high_mean']:.1f} (high), gap {div['gap']:.1f}.\n"
                )
            dots, voters, rank = guide.dots.get(tool.id, (0, 0, 0))
            add(f"Dot vote: {dots} dots from {voters} participants, priority rank {rank} of {len(kit.tools)}.\n" if dots else "Dot vote: no dots.\n")
            for i, q in enumerate(tool.questions, 1):
                add(f"#### {i}. {md_escape(q.text)}\n")
                groups = guide.answers.get((tool.id, q.id), [])
                add(_md_groups(guide, groups) if groups else "*No answers yet.*\n")
            if guide.comments.get(tool.id):
                add("#### What is missing (notes with ratings)\n")
                add(_md_groups(guide, guide.comments[tool.id]))

    add("## Priorities\n")
    pri = guide.frames["priorities"]
    voted = pri[pri["dots"] > 0]
    if voted.empty:
        add("No dots placed yet.\n")
    else:
        add("| Rank | Tool | Stage | Dots | Voters |\n|---:|---|---|---:|---:|")
        for r in voted.itertuples(index=False):
            add(f"| {int(r.rank)} | {int(r.tool_number)}. {_md_cell(r.tool)} | {_md_cell(r.stage)} | {int(r.dots)} | {int(r.voters)} |")
        add("")
    add("## Action register\n")
    acts = guide.frames["actions"]
    if acts.empty:
        add("No actions recorded yet.\n")
    else:
        add("| Tool | Action | Owner | Sector | Due | Status |\n|---|---|---|---|---|---|")
        for r in acts.itertuples(index=False):
            sector = guide.sector_name(r.owner_sector) if r.owner_sector else ""
            add(f"| {int(r.tool_number)}. {_md_cell(r.tool)} | {_md_cell(r.what)} | {_md_cell(guide.owner(str(r.owner)))} | {_md_cell(sector)} | {_md_cell(r.due)} | {_md_cell(r.status)} |")
        add("")
    add("## Participants\n")
    if guide.anonymous:
        add("This workshop is anonymous: participants are counted per sector, and no names are shown.\n")
        add("| Sector | Participants |\n|---|---:|")
        for name, n in sector_counts(guide):
            add(f"| {_md_cell(name)} | {n} |")
        add("")
    elif guide.participants:
        add("| Name | Organization | Sector | Table |\n|---|---|---|---|")
        for p in sorted(guide.participants, key=lambda p: (natural_key(p.table), (p.name or "").casefold())):
            add(f"| {_md_cell(p.name or '(no name given)')} | {_md_cell(p.organization)} | {_md_cell(guide.sector_name(p.sector))} | {_md_cell(p.table)} |")
        add("")
    else:
        add("Nobody has signed in yet.\n")
    return "\n".join(out)


def _md_groups(guide: Guide, groups: Iterable[Group]) -> str:
    out = []
    for g in groups:
        out.append(f"**{md_escape(g.table)} · {md_escape(guide.sector_name(g.sector))}**\n")
        for e in g.entries:
            who = f" — *{md_escape(e.who)}*" if e.who else ""
            out.append(f"- {_md_block(e.text, '  ')}{who}")
        out.append("")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------
# Handout

_HANDOUT_CSS = """
.intro { font-size: 10.5pt; }
.stages-overview td:first-child { white-space: nowrap; font-weight: 700; color: var(--accent); }
.q { break-inside: avoid; margin: 0 0 .7rem; }
.q h5 { margin-bottom: .1rem; }
.qid { font-weight: 400; color: var(--muted); font-size: 7.5pt; margin-left: .3rem; }
.rule { height: 7.5mm; border-bottom: .6pt solid #9aa5b4; }
.rate { break-inside: avoid; border: 1px solid var(--rule); border-radius: 4px; padding: .45rem .6rem; margin: .6rem 0; font-size: 9pt; background: #fafbfc; }
.rate .box { display: inline-block; width: .8rem; height: .8rem; border: 1px solid var(--ink); vertical-align: -.12rem; margin: 0 .2rem 0 .7rem; }
.why, .example { margin: .3rem 0 .5rem; }
.example { background: var(--accent-soft); padding: .45rem .6rem; border-radius: 4px; font-size: 9pt; }
.resources { font-size: 9pt; margin: .2rem 0 .6rem; padding-left: 1.1rem; }
dl.glossary dt { font-weight: 700; color: var(--accent); margin-top: .45rem; break-after: avoid; }
dl.glossary dd { margin: 0 0 .2rem 0; }
.glossary-section { break-before: page; }
.terms { font-size: 8.5pt; color: var(--muted); }
"""


def render_handout_html(kit: Toolkit, *, today: dt.date | None = None, rule_lines: int = 4) -> str:
    """The toolkit as a handout to send partners before a workshop: the
    source credit, the four stages, every tool with its definition, why it
    matters, guiding questions each followed by ruled space for notes, a
    readiness box, the example and resources, and the glossary."""
    today = today or dt.date.today()
    out: list[str] = []
    add = out.append
    add("<header class=\"cover\">")
    add("<p class=\"kicker\">Workshop handout</p>")
    add(f"<h1>{esc(kit.source.title)}</h1>")
    add(f"<p class=\"meta\">{len(kit.stages)} stages &middot; {len(kit.tools)} tools &middot; prepared {esc(human_date(today))}</p>")
    add(_credit_html(kit))
    add("</header>")
    add("<section class=\"block intro\">")
    add("<p>Please read this before the workshop. For each tool, jot down your own answers to the guiding questions in the space "
        "below them, and tick how well you think the collaboration does it today. At the workshop you will compare notes with "
        "partners from other sectors; where you see things differently is where the most useful conversation starts.</p>")
    scale = " &middot; ".join(f"<b>{p.value}</b> {esc(p.label)}" for p in kit.scale.points)
    add(f"<p><b>Readiness scale</b> ({esc(kit.scale.question)}): {scale} &middot; or {esc(kit.scale.not_sure)}.</p>")
    add("<table class=\"stages-overview\"><thead><tr><th>Stage</th><th>Guiding question</th><th>Tools</th></tr></thead><tbody>")
    for stage in kit.stages:
        tools = ", ".join(f"{t.number}. {esc(t.name)}" for t in kit.tools_in(stage.id))
        add(f"<tr><td>{stage.number}. {esc(stage.title)}</td><td>{esc(stage.question)}</td><td>{tools}</td></tr>")
    add("</tbody></table>")
    provisional = [t for t in kit.tools if t.provisional]
    if provisional:
        names = ", ".join(f"{t.number}. {esc(t.name)}" for t in provisional)
        add(f"<p class=\"note\">Tools marked <span class=\"badge\">provisional</span> are still being worked out: {names}.</p>")
    add("</section>")

    boxes = "".join(f"<span class=\"box\"></span>{p.value} {esc(p.label)}" for p in kit.scale.points) + f"<span class=\"box\"></span>{esc(kit.scale.not_sure)}"
    for stage in kit.stages:
        add(f"<section class=\"stage\" id=\"stage-{esc(stage.id)}\">")
        add(f"<header class=\"stage-head\"><p class=\"kicker\">Stage {stage.number} of {len(kit.stages)}</p><h2>{esc(stage.title)}</h2>"
            f"<p class=\"stage-q\">{esc(stage.question)}</p><p class=\"stage-summary\">{esc(stage.summary)}</p></header>")
        for tool in kit.tools_in(stage.id):
            add(f"<article class=\"tool\" id=\"tool-{tool.number}\"><header class=\"tool-head\">")
            badge = "<span class=\"badge\">provisional</span>" if tool.provisional else ""
            add(f"<h3><span class=\"num\">{tool.number}</span>{esc(tool.name)}{badge}</h3>")
            add(f"<p class=\"def\">{esc(tool.definition)}</p>")
            add("</header>")  # tool.note is for facilitators only
            add(f"<h4>Why it matters</h4><p class=\"why\">{esc(tool.why)}</p>")
            add("<h4>Guiding questions</h4>")
            for i, q in enumerate(tool.questions, 1):
                add(f"<div class=\"q\"><h5>{i}. {esc(q.text)}<span class=\"qid\">{esc(q.id)}</span></h5>" + "<div class=\"rule\"></div>" * rule_lines + "</div>")
            add(f"<div class=\"rate\"><b>{esc(kit.scale.question)}</b><br>{boxes}</div>")
            if tool.example:
                place = f" ({esc(tool.example.place)})" if tool.example.place else ""
                ex = tool.example
                after = "".join(f"<br><i>{esc(line)}</i>" for line in (ex.shows, ex.credit) if line)
                add(f"<h4>{esc(ex.heading)}</h4><div class=\"example\"><b>{esc(ex.title)}</b>{place}. {esc(ex.summary)}{after}</div>")
            if tool.resources:
                items = "".join(
                    f"<li>{esc(r.name)}, {esc(r.publisher)}" + (f" &lt;{esc(r.url)}&gt;" if r.url else "") + "</li>" for r in tool.resources
                )
                add(f"<h4>Resources</h4><ul class=\"resources\">{items}</ul>")
            if tool.terms:
                terms = ", ".join(esc(kit.term(t).term) for t in tool.terms)
                add(f"<p class=\"terms\">Glossary: {terms}</p>")
            add("</article>")
        add("</section>")

    add("<section class=\"glossary-section\" id=\"glossary\"><h2>Glossary</h2><dl class=\"glossary\">")
    for term in sorted(kit.glossary, key=lambda t: t.term.casefold()):
        add(f"<dt>{esc(term.term)}</dt><dd>{esc(term.definition)}</dd>")
    add("</dl></section>")
    return _document(f"Workshop handout: {kit.source.title}", f"{kit.source.publisher} \u00b7 workshop handout", "\n".join(out), _HANDOUT_CSS)


__all__ = [
    "Guide",
    "guide_data",
    "render_html",
    "render_markdown",
    "render_handout_html",
    "md_escape",
    "esc",
]
