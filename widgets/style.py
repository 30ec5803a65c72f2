"""Shared look of the participant workbook: one small CSS block and the
helpers every component uses to escape text and attach CSS hooks.

    >>> page = widgets.VBox([style_block(), ...])      # once per page
    >>> hook(widgets.Textarea(), "xs-answer", "xs-q-epp-1")

Every class is scoped with ``xs-`` and listed in ``docs/ui-hooks.md``. The
CSS only does layout and typography; the widgets work (and stay readable)
without it. Widths are relative (``100%``, ``rem``, ``max-width``) so a page
stays usable at 200% zoom and on a phone.
"""

from __future__ import annotations

import html
from typing import TypeVar

import ipywidgets as widgets

W = TypeVar("W", bound=widgets.DOMWidget)

#: ``description`` labels as wide as their text (never cut off).
LABEL_STYLE = {"description_width": "initial"}

CSS = """
.xs-page { max-width: 64rem; margin: 0 auto; padding: 0.5rem 0.75rem 3rem; box-sizing: border-box;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1f2933; line-height: 1.5; gap: 1rem; font-size: 15px;
  --jp-widgets-font-size: 15px; --jp-widgets-inline-height: 34px; }
.xs-page .widget-html-content, .xs-page .widget-label, .xs-page button, .xs-page input,
.xs-page select, .xs-page textarea { font-family: inherit; font-size: 15px; }
.xs-page .widget-html-content { line-height: 1.55; width: 100%; }
.xs-page .widget-vbox > * { flex-shrink: 0; }
.xs-page .xs-signin-fields, .xs-page .xs-action-fields { overflow: visible; height: auto; }
.xs-page h1 { font-size: 1.9rem; line-height: 1.2; margin: 0.25rem 0 0.5rem; font-weight: 700; }
.xs-page h2 { font-size: 1.4rem; line-height: 1.25; margin: 0 0 0.5rem; font-weight: 700; }
.xs-page h3 { font-size: 1.05rem; margin: 1rem 0 0.35rem; font-weight: 650; }
.xs-page p { margin: 0.35rem 0; }
.xs-page a { color: #1d4ed8; }
.xs-page a:focus-visible, .xs-page button:focus-visible, .xs-page textarea:focus-visible,
.xs-page input:focus-visible, .xs-page select:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.xs-eyebrow { text-transform: uppercase; letter-spacing: 0.06em; font-size: 0.8rem; color: #52606d; font-weight: 600; }
.xs-lead { font-size: 1.15rem; font-weight: 600; color: #243b53; }
.xs-muted { color: #52606d; }
.xs-card { background: #ffffff; border: 1px solid #d9e2ec; border-radius: 14px; padding: 1rem 1.25rem;
  box-shadow: 0 1px 3px rgba(16, 42, 67, 0.06); box-sizing: border-box; gap: 0.5rem; }
.xs-stage-links ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0.4rem; padding: 0; margin: 0.25rem 0; }
.xs-stage-links a, .xs-stage-links span { display: inline-block; padding: 0.25rem 0.75rem; border-radius: 999px;
  border: 1px solid #bcccdc; text-decoration: none; font-size: 0.95rem; }
.xs-stage-links [aria-current] { background: #243b53; color: #ffffff; border-color: #243b53; }
.xs-notice { border-radius: 10px; padding: 0.6rem 0.9rem; background: #f0f4f8; }
.xs-notice:empty { display: none; }
.xs-locked .xs-notice { background: #fff4e5; border: 1px solid #f0b354; }
.xs-wrap, .xs-page .xs-save-status, .xs-page .xs-message { white-space: normal !important; height: auto !important;
  overflow: visible !important; line-height: 1.4 !important; }
.xs-message { font-weight: 600; }
.xs-message-error { color: #b42318; }
.xs-message-ok { color: #1b7f3b; }
.xs-stacked { flex-direction: column !important; align-items: stretch !important; height: auto !important; }
.xs-stacked > .widget-label { width: auto !important; max-width: 100% !important; white-space: normal !important;
  text-align: left !important; height: auto !important; overflow: visible !important; line-height: 1.4 !important;
  font-weight: 600; margin: 0 0 0.3rem 0 !important; }
.xs-stacked textarea { width: 100%; min-height: 5.5em; font: inherit; border-radius: 8px; padding: 0.5rem 0.75rem; box-sizing: border-box; }
.xs-stacked input, .xs-stacked select { font: inherit; border-radius: 8px; }
.xs-page .xs-stacked { margin-left: 0; margin-right: 0; min-width: 0; }
.xs-stacked > textarea, .xs-stacked > input, .xs-stacked > select { width: 100%; max-width: 100%; box-sizing: border-box; margin: 0;
  flex: 0 0 auto !important; }
.xs-stacked > input, .xs-stacked > select { height: 2.4rem !important; }
.xs-stacked input[type="text"], .xs-stacked input[type="date"] { min-height: 2.2rem; padding: 0 0.6rem; }
.xs-page .widget-dropdown > select { min-height: 2.2rem; }
.xs-question { gap: 0.15rem; margin-bottom: 0.75rem; }
.xs-save-status { font-size: 0.85rem; color: #52606d; min-height: 1.2rem; }
.xs-status-saved { color: #1b7f3b; }
.xs-status-editing { color: #52606d; font-style: italic; }
.xs-status-error { color: #b42318; font-weight: 600; }
.xs-signin .xs-signin-fields { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 0.6rem 1rem; }
.xs-signed-in { font-weight: 600; }
.xs-page .xs-signin-submit, .xs-page .xs-action-add { margin-top: 0.6rem; }
.xs-save-status:empty { min-height: 0; }
.xs-body { gap: 1.25rem; align-items: flex-start; }
.xs-tool-nav { flex: 1 1 15rem; max-width: 100%; gap: 0.3rem; }
.xs-tool-nav .widget-button, .xs-tool-nav button { width: 100%; height: auto !important; min-height: 2.4rem; text-align: left;
  white-space: normal; line-height: 1.3; padding: 0.45rem 0.75rem; border-radius: 10px; }
.xs-tool-nav .xs-tool-selected { background: #243b53 !important; color: #ffffff !important; }
.xs-tool-nav .xs-tool-done:not(.xs-tool-selected) { background: #e3f9e5; color: #05400a; }
.xs-tool-panels { flex: 3 1 26rem; max-width: 100%; min-width: 0; }
.xs-tool-panel { gap: 1rem; }
.xs-tool-card .xs-definition { font-size: 1.05rem; }
.xs-example { border-left: 4px solid #9fb3c8; padding: 0.25rem 0 0.25rem 0.9rem; margin: 0.6rem 0; }
.xs-glossary dl, .xs-glossary dt, .xs-glossary dd { display: block; float: none; width: auto; }
.xs-glossary dt { font-weight: 650; }
.xs-glossary dd { margin: 0 0 0.5rem 0; }
.xs-rating .widget-toggle-button, .xs-rating button { width: auto; min-width: 6.5rem; height: auto; min-height: 2.4rem;
  white-space: normal; border-radius: 999px; margin: 0.15rem; }
.xs-rating button.mod-active { background: #243b53; color: #ffffff; box-shadow: none; }
.xs-rating .widget-toggle-buttons, .xs-rating .btn-group { flex-wrap: wrap; }
.xs-rating .widget-toggle-buttons { display: flex; }
.xs-action-list { padding-left: 1.1rem; margin: 0.25rem 0; }
.xs-action-list li { margin: 0.2rem 0; }
.xs-action-fields { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: 0.6rem 1rem; }
.xs-dots-row { align-items: center; gap: 0.5rem; border-bottom: 1px solid #eef2f6; padding: 0.2rem 0; }
.xs-dot-count { width: 100%; align-items: center; }
.xs-dot-count > .widget-label { flex: 1 1 auto; text-align: left !important; white-space: normal !important; height: auto !important;
  overflow: visible !important; line-height: 1.35 !important; max-width: none !important; }
.xs-dot-count > input { flex: 0 0 5.5rem !important; width: 5.5rem !important; font: inherit; border-radius: 8px; min-height: 2.2rem; padding: 0 0.5rem; }
.xs-dots-remaining { font-size: 1.1rem; font-weight: 650; }
.xs-dots-glyphs { letter-spacing: 0.15em; color: #1d4ed8; }
"""


def esc(text: object) -> str:
    """``text`` made safe to put inside HTML (quotes included)."""
    return html.escape("" if text is None else str(text), quote=True)


def hook(widget: W, *classes: str) -> W:
    """Add stable CSS classes to ``widget`` (ipywidgets puts them on the
    widget's outer DOM element) and return it."""
    for name in classes:
        widget.add_class(name)
    return widget


def style_block() -> widgets.HTML:
    """The page's CSS as an (invisible) HTML widget; put it first on a page."""
    return hook(widgets.HTML(f"<style>{CSS}</style>"), "xs-style")


def safe_link(url: object, text: object) -> str:
    """An ``<a>`` for an http(s) URL, or the escaped text alone for anything
    else (a content file is ours, but nothing else may become a link)."""
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(text)}</a>'
    return esc(text)


def set_message(label: widgets.Label, text: str, kind: str = "info") -> None:
    """Show ``text`` in a message line (a plain-text Label): ``kind`` is
    ``"info"``, ``"ok"`` or ``"error"`` and sets an ``xs-message-*`` class."""
    for k in ("info", "ok", "error"):
        label.remove_class(f"xs-message-{k}")
    label.add_class(f"xs-message-{kind}")
    label.value = text


def message_line(*classes: str) -> widgets.Label:
    """An empty message line (plain text, wraps)."""
    return hook(widgets.Label("", layout=widgets.Layout(width="100%")), "xs-message", *classes)
