"""The kit's page template (issue #17): a title naming the page and the
workshop, a main landmark, and the accessibility helper inlined. The
browser tests (tests/browser/test_a11y.py) check the rendered page."""

from __future__ import annotations

import json
import re

from toolkit import content, serve
from toolkit.serve.app import PAGE_TEMPLATE


def test_pages_are_titled_by_page_and_workshop(tmp_path):
    kit = content.load()
    folder = serve.write_pages(serve.site_pages(kit), tmp_path, workshop_title="Quillmouth Food Access Partnership")
    titles = {p.name: json.loads((folder / p.name).read_text(encoding="utf-8"))["metadata"]["title"] for p in serve.site_pages(kit)}
    assert titles["stage-1-diagnosis.ipynb"] == "Diagnosis · Quillmouth Food Access Partnership"
    assert titles["priorities.ipynb"] == f"{kit.pages.priorities_title} · Quillmouth Food Access Partnership"
    assert titles["dashboard.ipynb"] == "Dashboard · Quillmouth Food Access Partnership"
    # Without a workshop (workshop pages --output notebooks): the page alone.
    assert json.loads(serve.site_pages(kit)[0].to_json())["metadata"]["title"] == "Diagnosis"


def test_the_template_has_a_main_landmark_and_inlines_the_helper():
    template = (PAGE_TEMPLATE / "index.html.j2").read_text(encoding="utf-8")
    assert "{%- extends 'voila/templates/lab/index.html.j2' -%}" in template
    assert re.search(r'<div id="rendered_cells"[^>]*>\s*(\{#.*?#\}\s*)?<main class="xs-main">', template, flags=re.S)
    assert template.index("</main>") < template.index('{% include "a11y.js" %}') < template.index("voila_setup_labextensions(")
    # a11y.js is included as a template: Jinja's delimiters would break it.
    script = (PAGE_TEMPLATE / "a11y.js").read_text(encoding="utf-8")
    assert not re.search(r"\{\{|\{%|\{#", script)
    for hook in ("xs-live", "xs-live-local", "xs-current", "xs-radiogroup", "xs-group-label"):
        assert hook in script
