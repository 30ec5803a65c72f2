"""The kit's page template and its connection banner: the script and
stylesheet are the server's own files (no CDN), and docs/ui-hooks.md's
"Every served page" table names what the script puts on the page. What the
banner does in a browser is tests/browser/test_faults.py."""

from __future__ import annotations

import re
from pathlib import Path

from toolkit import serve
from toolkit.serve.handlers import STATIC

ROOT = Path(__file__).resolve().parents[3]


def test_the_page_loads_the_banner_from_the_server_itself():
    template = (serve.PAGE_TEMPLATE / "index.html.j2").read_text(encoding="utf-8")
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
