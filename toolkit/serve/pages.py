"""The pages ``workshop serve`` publishes, built from the content: one per
stage, the dot vote, the read-only dashboard and its presenter view for
the projector. Each is a notebook made
from one template: an introduction in the content's words (Markdown) and
two lines of code.

    >>> pages = site_pages(kit)
    >>> [p.name for p in pages]
    ['stage-1-diagnosis.ipynb', 'stage-2-design.ipynb', ..., 'priorities.ipynb', 'dashboard.ipynb', 'presenter.ipynb']
    >>> write_pages(pages, folder)

Names cannot collide, whatever the content holds: a stage's page is
``stage-<number>-<id>.ipynb`` (numbers and ids are unique), and no stage
can be called ``priorities.ipynb``, ``dashboard.ipynb`` or ``presenter.ipynb``. The facilitator
console is never a page. The packaged ``notebooks/`` hold the same pages
for the packaged content (``workshop pages --output notebooks``), to open
in JupyterLab.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import ToolkitError

if TYPE_CHECKING:
    from toolkit.content import Stage, Toolkit

PRIORITIES_PAGE = "priorities.ipynb"
DASHBOARD_PAGE = "dashboard.ipynb"
PRESENTER_PAGE = "presenter.ipynb"
#: Every name a page can have; anything else is refused by :func:`write_pages`.
PAGE_NAME = re.compile(r"^(stage-[1-9][0-9]*-[a-z0-9_-]+|priorities|dashboard|presenter)\.ipynb$")
#: What every page's kernel runs: Python 3, as JupyterLab names it.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def stage_page(stage: Stage) -> str:
    """The page of a stage: ``stage-1-diagnosis.ipynb``."""
    name = f"stage-{stage.number}-{stage.id}.ipynb"
    if not PAGE_NAME.match(name):  # the content's ids are checked; this keeps it so
        raise ToolkitError(f"stage {stage.id!r} cannot name a page")
    return name


@dataclass(frozen=True)
class Page:
    """One served notebook: its file ``name``, the ``label`` the links and
    messages show (``1. Diagnosis``), the other ``aliases`` ``--pool-for``
    accepts (``diagnosis``, ``1``), the ``intro`` (Markdown, or ``""``)
    and the ``code`` it runs. ``dashboard``: the read-only page a screen
    shows (it keeps a smaller pool). ``title``: what the browser's tab
    says (``Diagnosis``; :meth:`page_title` adds the workshop)."""

    name: str
    label: str
    aliases: tuple[str, ...] = ()
    intro: str = ""
    code: str = ""
    dashboard: bool = False
    title: str = ""

    def page_title(self, workshop_title: str = "") -> str:
        """The page's title: ``Diagnosis · Quillmouth Food Access
        Partnership``, or the page's own title without a workshop."""
        own = self.title or self.label
        return f"{own} · {workshop_title}" if workshop_title else own

    @property
    def names(self) -> tuple[str, ...]:
        """Every name ``--pool-for`` accepts for this page, lower case."""
        return tuple(dict.fromkeys(n.lower() for n in (self.name, Path(self.name).stem, *self.aliases)))

    def notebook(self, workshop_title: str = "") -> dict[str, object]:
        """The page as a notebook (nbformat 4.5): the intro, then the code;
        its ``title`` metadata (:meth:`page_title`) is the page's title in
        Voila and nbconvert."""
        cells: list[dict[str, object]] = []
        if self.intro:
            cells.append({"cell_type": "markdown", "id": "intro", "metadata": {}, "source": _lines(self.intro)})
        cells.append({"cell_type": "code", "execution_count": None, "id": "page", "metadata": {}, "outputs": [], "source": _lines(self.code)})
        return {
            "cells": cells,
            "metadata": {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}, "title": self.page_title(workshop_title)},
            "nbformat": 4,
            "nbformat_minor": 5,
        }

    def to_json(self, workshop_title: str = "") -> str:
        """The notebook file's text, as JupyterLab writes it."""
        return json.dumps(self.notebook(workshop_title), indent=1, ensure_ascii=False) + "\n"


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def stage_pages(kit: Toolkit) -> tuple[Page, ...]:
    """One page per stage of the content, in order."""
    count = len(kit.stages)
    return tuple(
        Page(
            name=stage_page(stage),
            label=f"{stage.number}. {stage.title}",
            aliases=(stage.id, str(stage.number)),
            intro=kit.pages.intro_for(stage, count),
            code=f'from widgets.session import Session\nSession().stage_workbook("{stage.id}")',
            title=stage.title,
        )
        for stage in kit.stages
    )


def priorities_page(kit: Toolkit) -> Page:
    """The dot vote over every tool."""
    return Page(
        name=PRIORITIES_PAGE,
        label=kit.pages.priorities_title,
        aliases=(kit.pages.priorities_title,),
        intro=kit.pages.priorities_intro_for(len(kit.stages)),
        code="from widgets.session import Session\nSession().priorities()",
        title=kit.pages.priorities_title,
    )


def dashboard_page() -> Page:
    """The read-only dashboard a screen projects."""
    return Page(name=DASHBOARD_PAGE, label="Dashboard", code="from widgets.dashboard import build_dashboard\n\nbuild_dashboard()", dashboard=True)


def presenter_page() -> Page:
    """The dashboard for a projector: one section per screen, the join link,
    code and QR code always on it (:mod:`widgets.presenter`). Read-only,
    opened like the dashboard (its link's key)."""
    return Page(name=PRESENTER_PAGE, label="Presenter view", aliases=("projector",),
                code="from widgets.presenter import build_presenter\n\nbuild_presenter()", dashboard=True)


def site_pages(kit: Toolkit, *, dashboard_only: bool = False) -> tuple[Page, ...]:
    """What ``workshop serve`` publishes for ``kit``: the stage pages, the
    priorities page, then the dashboard and its presenter view; only those
    two with ``dashboard_only``."""
    if dashboard_only:
        return (dashboard_page(), presenter_page())
    return (*stage_pages(kit), priorities_page(kit), dashboard_page(), presenter_page())


def write_pages(pages: Iterable[Page], folder: Path, *, workshop_title: str = "") -> Path:
    """Write each page's notebook into ``folder`` (made if missing) and
    return it; each page's title names ``workshop_title`` when given
    (``Diagnosis · Riverside Partners``). Only page names are written:
    nothing else can land there."""
    from toolkit.paths import private_dir, write_private_text

    folder = private_dir(folder)
    for page in pages:
        if not PAGE_NAME.match(page.name):
            raise ToolkitError(f"refusing to write {page.name!r}: only stage pages, {PRIORITIES_PAGE}, {DASHBOARD_PAGE} and {PRESENTER_PAGE} are served")
        write_private_text(folder / page.name, page.to_json(workshop_title))
    return folder
