"""What a page costs on the wire (issue #18): the page and its static files
come compressed, versioned files carry a year's cache lifetime, and the
bytes are the file's own once decompressed (toolkit/serve/static.py)."""

from __future__ import annotations

import gzip
import re
import time
from urllib.parse import urlsplit

import brotli
import pytest

from toolkit.serve import static

pytestmark = pytest.mark.browser

WAIT_MS = 90_000
#: First start on a fresh machine: the copies are made in the background.
COPIES_S = 300


def _get(visitor, path: str, encoding: str) -> tuple[dict[str, str], bytes]:
    r = visitor.get(path, {"Accept-Encoding": encoding})
    assert r.status == 200, f"{path}: HTTP {r.status}"
    return r.headers, r.body


def _first_visit(server, page) -> list:
    """The successful GETs of a first visit to the Diagnosis page."""
    server.join(page.context)
    responses = []
    page.on("response", lambda r: responses.append(r))
    page.goto(server.url(server.render("diagnosis")))
    page.locator(".xs-signin-name input").wait_for(timeout=WAIT_MS)
    page.wait_for_load_state("networkidle", timeout=WAIT_MS)
    return [r for r in responses if r.url.startswith(server.base_url) and r.request.method == "GET" and r.status == 200]


def _comes_compressed(server, response) -> None:
    """``response``'s file, once its copies are made, comes as brotli and
    as gzip, each the file's own bytes once decompressed."""
    parts = urlsplit(response.url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    visitor = server.visitor()
    deadline = time.monotonic() + COPIES_S
    while (headers := _get(visitor, path, "gzip, deflate, br")[0]).get("content-encoding") != "br":
        assert time.monotonic() < deadline, f"{path} still not compressed after {COPIES_S} s: {headers}"
        time.sleep(2)
    headers, squeezed = _get(visitor, path, "gzip, deflate, br")
    plain_headers, plain = _get(visitor, path, "identity")
    assert "content-encoding" not in plain_headers
    assert brotli.decompress(squeezed) == plain == response.body()
    assert len(squeezed) < len(plain) // 3
    headers, zipped = _get(visitor, path, "gzip")
    assert headers["content-encoding"] == "gzip" and gzip.decompress(zipped) == plain


def test_page_and_static_files_come_compressed_and_versioned_ones_cached(room, page):
    own = _first_visit(room, page)

    # The page, made for this visitor, is gzipped as it streams.
    (html,) = [r for r in own if urlsplit(r.url).path == room.render("diagnosis")]
    assert html.all_headers().get("content-encoding") == "gzip"

    # The kit's front end (toolkit/serve/page_bundle.py): its script, its
    # stylesheet and icon font, and the light theme's colours from Voila;
    # none of Voila's JupyterLab application.
    files = [r for r in own if "/voila/static/" in r.url or "/voila/templates/" in r.url or "/voila/labextensions/" in r.url or "/xs/static/page/" in r.url]
    assert [urlsplit(r.url).path.rsplit("/", 1)[1] for r in files if "/voila/static/" in r.url or "/voila/labextensions/" in r.url] == []
    assert sorted(re.sub(r"icons-[0-9a-f]{16}", "icons-*", urlsplit(r.url).path.rsplit("/", 1)[1]) for r in files) == ["icons-*.woff2", "page.css", "page.js", "theme-light.css"]
    # Every one of them names its content, so a second page fetches none of them.
    assert [r.url for r in files if r.all_headers().get("cache-control") != static.IMMUTABLE] == []
    _comes_compressed(room, max(files, key=lambda r: len(r.body())))


def test_voilas_own_front_end_still_serves_compressed_where_the_kits_is_not_built(serve_factory, page):
    # WORKSHOP_FRONT_END=voila: what a page is where npm could not build the
    # kit's front end (page_bundle.page_assets is None).
    server = serve_factory("--pool", "0", env={"WORKSHOP_FRONT_END": "voila"})
    own = _first_visit(server, page)
    files = [r for r in own if "/voila/static/" in r.url or "/voila/templates/" in r.url or "/voila/labextensions/" in r.url]
    assert len(files) > 20
    assert not [r for r in own if "/xs/static/page/" in r.url]
    assert [r.url for r in files if r.all_headers().get("cache-control") != static.IMMUTABLE] == []
    assert any("/voila/static/_/" in r.url for r in files)  # Voila's own scripts, versioned by serve
    assert any("/voila/labextensions/" in r.url for r in files)
    _comes_compressed(server, max(files, key=lambda r: len(r.body())))


def test_the_icon_font_comes_cut_down_to_the_pages_icons(room, page):
    # A page loads Font Awesome's solid font for the buttons' icons: the
    # kit's front end a copy cut to the icons a page can show at build time,
    # Voila's the whole font, which the server sends cut down.
    import io

    from fontTools.ttLib import TTFont

    from toolkit.serve import icons

    room.join(page.context)
    fonts = []
    page.on("response", lambda r: fonts.append(r) if urlsplit(r.url).path.endswith(".woff2") else None)
    page.goto(room.url(room.render("diagnosis")))
    page.locator(".xs-signin-name input").wait_for(timeout=WAIT_MS)
    page.wait_for_load_state("networkidle", timeout=WAIT_MS)
    solid = [r for r in fonts if TTFont(io.BytesIO(r.body()))["name"].getDebugName(4) == icons.ICON_FONT]
    assert solid, f"no {icons.ICON_FONT} among {[r.url for r in fonts]}"
    path = urlsplit(solid[0].url).path
    visitor = room.visitor()
    deadline = time.monotonic() + COPIES_S
    while len(body := _get(visitor, path, "gzip, deflate, br")[1]) >= 15_000:
        assert time.monotonic() < deadline, f"{path} still the whole font after {COPIES_S} s"
        time.sleep(2)
    headers, body = _get(visitor, path, "gzip, deflate, br")
    assert headers.get("cache-control") == static.IMMUTABLE and "content-encoding" not in headers
    font = TTFont(io.BytesIO(body))
    assert font.flavor == "woff2" and set(font.getBestCmap()) == set(icons.ICONS.values())
