"""The widgets' one style module: the stylesheets of the pages and the
helpers every component uses to escape text and attach CSS hooks.

    >>> page = widgets.VBox([style_block(), ...])      # once per page
    >>> dash = widgets.VBox([style_block("dashboard"), ...])
    >>> hook(widgets.Textarea(), "xs-answer", "xs-q-epp-1")

The CSS lives in files, ``widgets/css/workbook.css`` (the participant
pages), ``dashboard.css``, ``presenter.css`` (after the dashboard's, for
the projector) and ``console.css``, each loaded once after the
kit's one palette (:mod:`toolkit.palette`), which the planning guide uses
too. Every class is scoped with ``xs-`` and listed in ``docs/ui-hooks.md``.
The CSS only does layout and typography; the widgets work (and stay
readable) without it. Widths are relative (``100%``, ``rem``,
``max-width``) so a page stays usable at 200% zoom and on a phone.
"""

from __future__ import annotations

import functools
import html
import re
from importlib import resources
from typing import TypeVar

import ipywidgets as widgets

W = TypeVar("W", bound=widgets.DOMWidget)

#: ``description`` labels as wide as their text (never cut off).
LABEL_STYLE = {"description_width": "initial"}

#: The pages' stylesheets: ``widgets/css/<name>.css``.
SHEETS = ("workbook", "dashboard", "console", "presenter")


@functools.cache
def stylesheet(name: str = "workbook") -> str:
    """The kit's palette (:mod:`toolkit.palette`) and the CSS file
    ``widgets/css/<name>.css``, read once per kernel."""
    from toolkit import palette

    if name not in SHEETS:
        raise ValueError(f"stylesheet: expected one of {', '.join(SHEETS)}, got {name!r}")
    text = resources.files("widgets").joinpath("css", f"{name}.css").read_text(encoding="utf-8")
    return palette.css() + re.sub(r"/\*.*?\*/\n?", "", text, flags=re.S)


def esc(text: object) -> str:
    """``text`` made safe to put inside HTML (quotes included)."""
    return html.escape("" if text is None else str(text), quote=True)


def hook(widget: W, *classes: str) -> W:
    """Add stable CSS classes to ``widget`` (ipywidgets puts them on the
    widget's outer DOM element) and return it."""
    for name in classes:
        widget.add_class(name)
    return widget


def style_block(sheet: str = "workbook") -> widgets.HTML:
    """The page's CSS (:func:`stylesheet`) as an (invisible) HTML widget;
    put it first on a page."""
    return hook(widgets.HTML(f"<style>{stylesheet(sheet)}</style>"), "xs-style")


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
