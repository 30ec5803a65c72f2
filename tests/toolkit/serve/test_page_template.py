"""The kit's page template: its connection banner, whose script and
stylesheet are the server's own files (no CDN), and docs/ui-hooks.md's
"Every served page" table names what the script puts on the page (what the
banner does in a browser is tests/browser/test_faults.py); a title naming
the page and the workshop, a main landmark and the accessibility helper
inlined (issue #17; tests/browser/test_a11y.py checks the rendered page)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from toolkit import content, serve
from toolkit.serve.app import PAGE_TEMPLATE
from toolkit.serve.handlers import STATIC

ROOT = Path(__file__).resolve().parents[3]


def test_the_page_loads_the_banner_from_the_server_itself():
    template = (PAGE_TEMPLATE / "index.html.j2").read_text(encoding="utf-8")
    assert '<script src="{{ resources.base_url | e }}xs/static/connection.js"' in template
    assert 'href="{{ resources.base_url | e }}xs/static/connection.css"' in template
    assert (STATIC / "connection.js").is_file() and (STATIC / "connection.css").is_file()
    script = (STATIC / "connection.js").read_text(encoding="utf-8")
    assert not re.search(r"https?://", script)  # asks nothing of any other server
    assert 'setAttribute("role", "alert")' in script


def test_the_documented_page_hooks_are_what_the_script_adds():
    doc = (ROOT / "docs" / "ui-hooks.md").read_text(encoding="utf-8")
    section = doc.split("## Every served page", 1)[1].split("\n## ", 1)[0]
    table = re.search(r"((?:^\|.*\|\n)+)", section, flags=re.M).group(1)
    documented = [c for row in table.splitlines()[2:] for c in re.findall(r"`(xs-[^`]+)`", row.split("|")[1])]
    script = (STATIC / "connection.js").read_text(encoding="utf-8")
    assert documented == ["xs-connection-banner", "xs-connection-lost"]
    assert all(f'"{name}"' in script for name in documented)


def test_pages_are_titled_by_page_and_workshop(tmp_path):
    kit = content.load()
    folder = serve.write_pages(serve.site_pages(kit), tmp_path, workshop_title="Quillmouth Food Access Partnership")
    titles = {p.name: json.loads((folder / p.name).read_text(encoding="utf-8"))["metadata"]["title"] for p in serve.site_pages(kit)}
    assert titles["stage-1-diagnosis.ipynb"] == "Diagnosis · Quillmouth Food Access Partnership"
    assert titles["priorities.ipynb"] == f"{kit.pages.priorities_title} · Quillmouth Food Access Partnership"
    assert titles["dashboard.ipynb"] == "Dashboard · Quillmouth Food Access Partnership"
    assert titles["presenter.ipynb"] == "Presenter view · Quillmouth Food Access Partnership"
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
