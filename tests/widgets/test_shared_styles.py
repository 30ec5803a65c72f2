"""Shared style models (widgets.style.shared_style, issue #18): a page's
widgets share one ipywidgets style model per kind and values, nothing in
widgets/ assigns to a style, and closing a page leaves the shared ones open."""

from __future__ import annotations

import ast
from pathlib import Path

import ipywidgets as widgets
import pytest
from ipywidgets.widgets.widget import _instances  # every live model, by id
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_style import Style

from toolkit.store import AnswerStore
from toolkit.store.demo import create_demo
from widgets.console import FacilitatorConsole
from widgets.dashboard import Dashboard
from widgets.presenter import Presenter
from widgets.session import Session
from widgets.style import LABEL_STYLE, shared_style

WIDGETS = Path(__file__).resolve().parents[2] / "widgets"
#: Calls that change a style's traits in place.
MUTATORS = {"set_trait", "set_state", "trait_set", "hold_trait_notifications", "update"}


def style_assignments(source: str) -> list[str]:
    """Where ``source`` changes a style in place: ``<x>.style.<attr> = ...``
    (also ``+=``, annotated, in a tuple), ``setattr(<x>.style, ...)`` and
    ``<x>.style.set_trait(...)`` and the like, as ``line: code``."""

    def is_style(node: ast.AST) -> bool:
        return isinstance(node, ast.Attribute) and node.attr == "style"

    found = []
    for node in ast.walk(ast.parse(source)):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in ("setattr", "delattr") and node.args and is_style(node.args[0]):
                found.append(node)
            elif isinstance(func, ast.Attribute) and func.attr in MUTATORS and is_style(func.value):
                found.append(node)
            continue
        while targets:
            target = targets.pop()
            if isinstance(target, (ast.Tuple, ast.List)):
                targets.extend(target.elts)
            elif isinstance(target, (ast.Attribute, ast.Subscript)) and is_style(target.value):
                found.append(node)
    return [f"{n.lineno}: {ast.unparse(n)}" for n in sorted(found, key=lambda n: n.lineno)]


def test_the_check_finds_assignments_to_a_style():
    bad = """
w.style.button_color = "red"
self.panel.save.style.font_weight += "bold"
a, b.style.description_width = 1, "initial"
setattr(box.style, "description_width", "initial")
label.style.set_trait("font_size", "2rem")
"""
    assert [line.split(":")[0] for line in style_assignments(bad)] == ["2", "3", "4", "5", "6"]
    fine = """
w.button_style = "info"
w.style = shared_style(widgets.Button)
self.style_html.value = "<style></style>"
width = w.style.description_width
"""
    assert style_assignments(fine) == []


def test_nothing_in_widgets_assigns_to_a_style():
    """A style model is shared by every widget of its kind on a page: one
    widget changing it would change them all."""
    files = sorted(WIDGETS.glob("*.py"))
    assert len(files) > 15
    found = {f.name: hits for f in files if (hits := style_assignments(f.read_text(encoding="utf-8")))}
    assert found == {}


def test_one_model_per_kind_and_values():
    button = shared_style(widgets.Button)
    assert shared_style(widgets.Button) is button
    assert isinstance(button, widgets.ButtonStyle)
    assert shared_style(widgets.ToggleButton) is not button  # another kind
    text = shared_style(widgets.Text, **LABEL_STYLE)
    assert shared_style(widgets.Textarea, description_width="initial") is text  # both take a TextStyle
    assert text.description_width == "initial"
    assert shared_style(widgets.Text) is not text  # other values
    assert isinstance(shared_style(widgets.Dropdown), DescriptionStyle)
    # the widget really uses it (no copy is made of an instance)
    assert widgets.Text(style=text).style is text


def test_a_closed_style_is_replaced():
    old = shared_style(widgets.HTML)
    old.close()  # as Widget.close_all() would
    new = shared_style(widgets.HTML)
    assert new is not old and new.comm is not None
    assert shared_style(widgets.HTML) is new


def _built(build):
    """Build a page; return the new models and the style models its widgets use."""
    before = set(_instances)
    page = build()
    made = [w for key, w in _instances.items() if key not in before]
    used = {w.style.model_id: w.style for w in made if "style" in w.trait_names()}
    return page, made, used


def _assert_shared(made, used, per_model=2):
    styled = [w for w in made if "style" in w.trait_names()]
    kinds = {(type(s), tuple(sorted(s.get_state().items()))) for s in used.values()}
    assert len(used) == len(kinds)  # one model per kind and values
    assert len(styled) >= per_model * len(used)  # each shared by many widgets
    # no style model was made that the widgets do not use (a default one)
    assert {w.model_id for w in made if isinstance(w, Style)} <= set(used)


def test_a_stage_page_shares_its_style_models(sqlite_store, workshop, sign_in, kit):
    """The page as a served kernel builds it (notebooks/stage-1-diagnosis):
    its 60-odd widgets with a style use 6 style models, one per kind
    (Label, HTML, Button, a Dropdown's and a labelled Dropdown's, a labelled
    Text's); before they were shared, there were 72."""
    session = None

    def build():
        nonlocal session
        session = Session(sqlite_store, workshop.slug, poll_seconds=0)
        return session.stage_workbook("diagnosis")

    book, made, used = _built(build)
    _assert_shared(made, used, per_model=8)
    assert len(used) == 6
    assert sum(isinstance(w, Style) for w in made) <= 6
    # Signed in, with every tool opened: still one model per kind.
    sign_in(session)
    before = set(_instances)
    for tool_id in kit.stage("diagnosis").tool_ids:
        book.value = tool_id
    more = [w for key, w in _instances.items() if key not in before]
    _assert_shared(made + more, used | {w.style.model_id: w.style for w in more if "style" in w.trait_names()}, per_model=8)


@pytest.mark.parametrize("page", ["priorities", "console", "dashboard", "presenter"])
def test_the_other_pages_share_their_style_models(page, session, sqlite_store, kit):
    ro = None
    if page in ("dashboard", "presenter"):
        slug = create_demo(sqlite_store).slug
        ro = AnswerStore(sqlite_store.url, read_only=True)
    builds = {
        "priorities": session.priorities,
        "console": lambda: FacilitatorConsole(kit),
        "dashboard": lambda: Dashboard(ro, start=False),
        "presenter": lambda: Presenter(ro, slug=slug, start=False, join_url="http://10.0.0.5:8866/join/K7QM4P", join_code="K7QM4P"),
    }
    try:
        built, made, used = _built(builds[page])
        _assert_shared(made, used)
    finally:
        if ro is not None:
            built.close()
            ro.close()


def test_closing_a_page_leaves_the_shared_styles_open(session):
    """ipywidgets' close() closes a widget's own comm only, and a page's
    close() (the kit's teardown, also when the browser closes the page's
    comm) closes the page: the style models that other pages of the kernel
    use stay open, and a page built afterwards gets the same ones."""
    first, _made, used = _built(lambda: session.stage_workbook("diagnosis"))
    second = session.stage_workbook("design")
    first.close()
    session.close()
    assert first.comm is None and second.comm is None
    assert len(used) >= 4 and all(style.comm is not None for style in used.values())
    _again, made, used_again = _built(lambda: session.stage_workbook("diagnosis"))
    assert used_again.keys() == used.keys()
    assert [w for w in made if isinstance(w, Style)] == []
