"""The widgets' one style module: the stylesheets of the pages and the
helpers every component uses to escape text and attach CSS hooks.

    >>> page = widgets.VBox([style_block(), ...])      # once per page
    >>> dash = widgets.VBox([style_block("dashboard"), ...])
    >>> hook(widgets.Textarea(), "xs-answer", "xs-q-epp-1")

The CSS lives in files, ``widgets/css/workbook.css`` (the participant
pages), ``dashboard.css``, ``presenter.css`` (after the dashboard's, for
the projector) and ``console.css``, each loaded once after the
kit's one palette (:mod:`toolkit.palette`), which the planning guide uses
too, and ``controls.css`` (focus ring, control edges, boxes that never
scroll sideways: every page). Every class is scoped with ``xs-`` and listed in ``docs/ui-hooks.md``.
The CSS only does layout and typography; the widgets work (and stay
readable) without it. Widths are relative (``100%``, ``rem``,
``max-width``) so a page stays usable at 200% zoom and on a phone.

ipywidgets cannot put ARIA attributes on a widget, so the accessibility
hooks are classes too (:data:`LIVE`, :data:`LIVE_LOCAL`, :data:`CURRENT`,
:data:`RADIOGROUP`, :data:`GROUP`, :data:`GROUP_LABEL`, :data:`SR_ONLY`,
:data:`EXPANDER`, :data:`MAXLENGTH`);
the served pages' template turns them into ARIA
(``toolkit/serve/templates/page/a11y.js``; docs/ui-hooks.md lists them).

Every widget of the kit is given its ipywidgets *style* (a model of its own
in the browser, like the widget) by :func:`shared_style`, one per kind and
values in a kernel, instead of a new one each:

    >>> widgets.Text(description="Owner", style=shared_style(widgets.Text, **LABEL_STYLE))
"""

from __future__ import annotations

import functools
import html
import os
import re
from importlib import resources
from typing import TypeVar

import ipywidgets as widgets

W = TypeVar("W", bound=widgets.DOMWidget)

#: ``description`` labels as wide as their text (never cut off).
LABEL_STYLE = {"description_width": "initial"}

#: A status for the whole page (notice, message line, dots left, the tool
#: shown): a polite live region, assertive while it shows an error.
LIVE = "xs-live"
#: A save status under one box: announced while the focus is in the box's
#: own group (the status's parent widget); errors always.
LIVE_LOCAL = "xs-live-local"
#: A live region that is silent (``aria-live=off``) while it has this class.
QUIET = "xs-quiet"
#: The chosen one of a list of buttons (``aria-current``).
CURRENT = "xs-current"
#: A button that shows and hides a section (``aria-expanded``: true while
#: the button also has :data:`EXPANDED`).
EXPANDER = "xs-expander"
EXPANDED = "xs-expanded"
#: A text box that takes at most N characters: ``xs-maxlength-<N>`` puts
#: ``maxlength=N`` on its native control (see :func:`max_length`).
MAXLENGTH = "xs-maxlength-"
#: Native radios that form one group (``role=radiogroup``, one name) ...
RADIOGROUP = "xs-radiogroup"
#: ... labelled by the heading inside the ``GROUP_LABEL`` widget of the
#: closest ``GROUP`` box around it.
GROUP = "xs-group"
GROUP_LABEL = "xs-group-label"
#: A slider whose handle is named by its description and says its
#: readout (a SelectionSlider's label) as its value.
SLIDER = "xs-slider"
#: Read by screen readers, not shown.
SR_ONLY = "xs-sr-only"

#: The pages' stylesheets: ``widgets/css/<name>.css``.
SHEETS = ("workbook", "dashboard", "console", "presenter")


@functools.cache
def stylesheet(name: str = "workbook") -> str:
    """The kit's palette (:mod:`toolkit.palette`), ``widgets/css/controls.css``
    and the CSS file ``widgets/css/<name>.css``, read once per kernel."""
    from toolkit import palette

    if name not in SHEETS:
        raise ValueError(f"stylesheet: expected one of {', '.join(SHEETS)}, got {name!r}")
    css = resources.files("widgets").joinpath("css")
    text = "".join(css.joinpath(f"{sheet}.css").read_text(encoding="utf-8") for sheet in ("controls", name))
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


def max_length(widget: W, limit: int) -> W:
    """Let ``widget`` (a Text or Textarea) take at most ``limit``
    characters in the browser (``maxlength``, set by the served page's
    a11y.js from the ``xs-maxlength-<limit>`` class): typing and pasting
    stop at the limit. The limit comes from the rule's own place
    (:mod:`toolkit.store.checks`), never a copy."""
    for name in [c for c in widget._dom_classes if c.startswith(MAXLENGTH)]:
        widget.remove_class(name)
    return hook(widget, f"{MAXLENGTH}{int(limit)}")


def style_block(sheet: str = "workbook") -> widgets.HTML:
    """The page's CSS (:func:`stylesheet`) as an (invisible) HTML widget;
    put it first on a page."""
    return hook(widgets.HTML(f"<style>{stylesheet(sheet)}</style>", style=shared_style(widgets.HTML)), "xs-style")


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
    """An empty message line (plain text, wraps), a live region
    (:data:`LIVE`: errors are announced at once, the rest politely)."""
    return hook(widgets.Label("", layout=widgets.Layout(width="100%"), style=shared_style(widgets.Label)), "xs-message", LIVE, *classes)


def focus(widget: W | None) -> W | None:
    """Move the visitor's keyboard focus to ``widget`` (ipywidgets 8 sends
    its view a ``focus`` message; a Text, Textarea, Dropdown or Button
    focuses its native control) and return it; ``None`` does nothing."""
    if widget is not None:
        widget.focus()
    return widget


#: The shared style models: (process, style class, values) -> the model.
#: Kernel-wide on purpose, as ipywidgets' own registry of models is: a style
#: is a comm and a model that every browser view of the page loads, and a
#: page built ~70 identical ones (issue #18). Nothing in the kit assigns to a
#: style after it is made (tests/widgets/test_shared_styles.py checks the
#: code), and nothing closes one when a page closes, so sharing is safe.
_SHARED: dict[tuple[int, type, tuple[tuple[str, object], ...]], widgets.Style] = {}


def shared_style(widget_class: type[widgets.DOMWidget], **values: object) -> widgets.Style:
    """The one style model, in this kernel, of the kind ``widget_class``
    takes (``ButtonStyle`` for a Button, ``TextStyle`` for a Text, ...)
    with ``values``: pass it as ``style=`` when making a widget, so that a
    page's hundreds of widgets share a handful of style models (each is a
    comm opened and a state sent at page load). Never assign to its traits:
    every widget given it would change. A model closed since (a test's
    ``Widget.close_all()``) or made in another process (the kernel fork
    server's, before it forked) is replaced by a new one.

        >>> shared_style(widgets.Button) is shared_style(widgets.Button)
        True
        >>> shared_style(widgets.Text, description_width="initial").description_width
        'initial'
    """
    kind = widget_class.class_traits()["style"].klass
    key = (os.getpid(), kind, tuple(sorted(values.items())))
    style = _SHARED.get(key)
    if style is None or style.comm is None:
        style = _SHARED[key] = kind(**values)
    return style
