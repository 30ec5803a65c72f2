"""Static files sent compressed from copies made once, cached a year when
the URL pins their content, and pages gzipped as they stream
(toolkit/serve/static.py), on a real Tornado server over real sockets."""

from __future__ import annotations

import asyncio
import gzip
import http.client
import io
import os
import socket
from pathlib import Path

import brotli
import pytest
from fontTools.ttLib import TTFont

from toolkit.serve import icons, static
from toolkit.serve.handlers import KitStaticHandler


def _tree(root: Path) -> dict[str, bytes]:
    files = {
        "big.js": b"".join(b"function f%d(){return %d;}\n" % (i, i * i) for i in range(4000)),
        "style.css": b".a{color:red}\n" * 400,
        "remoteEntry.c8c9eed2cdefdeac.js": b"var remote = 1;\n" * 200,
        "tiny.js": b"x=1",
        "font.woff2": os.urandom(4000),
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return files


def test_precompress_writes_each_copy_once_named_by_content(tmp_path):
    root, cache = tmp_path / "static", tmp_path / "cache"
    files = _tree(root)
    assert static.usable_cache(cache)
    found = static.static_files([root])
    assert sorted(p.name for p in found) == ["big.js", "remoteEntry.c8c9eed2cdefdeac.js", "style.css"]  # not tiny, not woff2
    assert static.precompress(found, cache) == 6
    digest = static.file_digest(root / "big.js")
    assert brotli.decompress((cache / f"{digest}.br").read_bytes()) == files["big.js"]
    assert gzip.decompress((cache / f"{digest}.gz").read_bytes()) == files["big.js"]
    assert static.precompress(found, cache) == 0  # nothing twice
    assert not [p for p in cache.iterdir() if p.name.startswith(".part-")]


def test_a_cache_others_can_write_to_is_not_used(tmp_path):
    cache = tmp_path / "shared"
    cache.mkdir()
    cache.chmod(0o777)
    assert not static.usable_cache(cache)
    cache.chmod(0o700)
    assert static.usable_cache(cache)


@pytest.mark.parametrize(
    ("header", "coding"),
    [("gzip, deflate, br, zstd", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip"), ("identity", None), ("", None)],
)
def test_a_request_gets_the_copy_it_accepts(tmp_path, header, coding):
    root, cache = tmp_path / "static", tmp_path / "cache"
    _tree(root)
    static.usable_cache(cache)
    static.precompress(static.static_files([root]), cache)
    files = static.CompressedFiles(cache)
    got, copy = files.pick(str(root / "big.js"), header)
    assert got == coding
    assert (copy is None) == (coding is None)
    assert files.pick(str(root / "font.woff2"), header) == (None, None)


def test_the_folder_version_changes_with_any_file(tmp_path):
    root = tmp_path / "static"
    _tree(root)
    files = static.CompressedFiles(None)
    before = static.folder_version([root], files)
    assert static.folder_version([root], files) == before
    (root / "style.css").write_bytes(b".b{color:blue}\n")
    assert static.folder_version([root], files) != before


def test_page_config_moves_voilas_scripts_under_the_version():
    config = {"fullStaticUrl": "/hub/voila/static", "baseUrl": "/hub/"}
    assert static.page_config(dict(config), settings={})["fullStaticUrl"] == "/hub/voila/static"
    moved = static.page_config(dict(config), settings={"xs_static_version": "abc123"})
    assert moved["fullStaticUrl"] == "/hub/voila/static/_/abc123"


class _Served:
    def __init__(self, port: int, root: Path, cache: Path) -> None:
        self.port, self.root, self.cache = port, root, cache

    def get(self, path: str, encoding: str | None = None, **headers: str) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path, headers={**({"Accept-Encoding": encoding} if encoding is not None else {}), **headers})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()


@pytest.fixture
def served(tmp_path):
    """A Tornado app on a free port with Voila's static handler classes
    made compressed, one folder of files and a streamed HTML page."""
    import threading

    import tornado.web
    from tornado.ioloop import IOLoop
    from voila.static_file_handler import MultiStaticFileHandler

    root, cache = tmp_path / "static", tmp_path / "cache"
    files = _tree(root)
    static.usable_cache(cache)
    static.precompress(static.static_files([root]), cache)
    compressed = static.CompressedFiles(cache)
    compressed.version = static.folder_version([root], compressed)

    class Page(tornado.web.RequestHandler):
        async def get(self) -> None:
            self.set_header("Content-Type", "text/html")
            for i in range(50):
                self.write(f"<div>cell {i}: {'answer ' * 40}</div>\n")
                await self.flush()  # streamed, as Voila renders cells

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ready = threading.Event()
    state: dict[str, object] = {}

    def run() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        app = tornado.web.Application([
            (r"/voila/render/page", Page),
            (r"/other", Page),
            (r"/voila/static/(.*)", static.compressed_class(MultiStaticFileHandler, compressed, versioned=True), {"paths": [str(root)]}),
            (r"/xs/static/(.*)", KitStaticHandler, {"path": str(root)}),
        ], **{static.FILES_SETTING: compressed})
        app.add_transform(static.page_compression(["/voila/render/"]))
        state["server"] = app.listen(port, "127.0.0.1")
        state["loop"] = IOLoop.current()
        ready.set()
        IOLoop.current().start()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)
    yield _Served(port, root, cache), files, compressed.version
    loop = state["loop"]
    loop.add_callback(state["server"].stop)
    loop.add_callback(loop.stop)
    thread.join(10)


def test_served_files_come_compressed_and_decompress_to_the_file(served):
    server, files, version = served
    status, headers, body = server.get(f"/voila/static/_/{version}/big.js", "gzip, deflate, br")
    assert status == 200 and headers["content-encoding"] == "br"
    assert brotli.decompress(body) == files["big.js"]
    assert int(headers["content-length"]) == len(body) < len(files["big.js"]) // 3
    assert headers["cache-control"] == static.IMMUTABLE
    assert headers["vary"] == "Accept-Encoding"
    assert headers["content-type"].startswith(("application/javascript", "text/javascript"))
    status, headers, body = server.get(f"/voila/static/_/{version}/big.js", "gzip")
    assert headers["content-encoding"] == "gzip" and gzip.decompress(body) == files["big.js"]
    status, headers, body = server.get(f"/voila/static/_/{version}/big.js")
    assert "content-encoding" not in headers and body == files["big.js"]


def test_the_kits_own_files_come_compressed_from_the_same_copies(served):
    # /xs/static/ (connection.js) is added by the room, not Voila's list.
    server, files, _ = served
    status, headers, body = server.get("/xs/static/big.js", "gzip, deflate, br")
    assert status == 200 and headers["content-encoding"] == "br"
    assert brotli.decompress(body) == files["big.js"]
    status, headers, body = server.get("/xs/static/big.js")
    assert "content-encoding" not in headers and body == files["big.js"]


def test_the_etag_names_the_coding_and_a_304_follows(served):
    server, _, version = served
    _, headers, _ = server.get(f"/voila/static/_/{version}/big.js", "br")
    _, plain, _ = server.get(f"/voila/static/_/{version}/big.js", "identity")
    assert headers["etag"].endswith('-br"') and headers["etag"] != plain["etag"]
    status, _, body = server.get(f"/voila/static/_/{version}/big.js", "br", **{"If-None-Match": headers["etag"]})
    assert status == 304 and body == b""


def test_only_pinned_urls_are_cached_a_year(served):
    server, _, version = served
    assert server.get("/voila/static/remoteEntry.c8c9eed2cdefdeac.js", "br")[1]["cache-control"] == static.IMMUTABLE  # hash in the name
    assert server.get("/voila/static/style.css?v=1234", "br")[1]["cache-control"] == static.IMMUTABLE  # v= argument
    assert "cache-control" not in server.get("/voila/static/style.css", "br")[1]  # nothing pins it
    assert "cache-control" not in server.get("/voila/static/_/0ld/style.css", "br")[1]  # a page from before an upgrade
    assert server.get("/voila/static/_/0ld/style.css", "br")[0] == 200


def test_a_range_request_gets_the_file_itself(served):
    server, files, version = served
    status, headers, body = server.get(f"/voila/static/_/{version}/big.js", "br", Range="bytes=0-99")
    assert status == 206 and "content-encoding" not in headers and body == files["big.js"][:100]


def test_pages_are_gzipped_as_they_stream_and_nothing_else_is(served):
    server, _, _ = served
    status, headers, body = server.get("/voila/render/page", "gzip, deflate, br")
    assert headers["content-encoding"] == "gzip" and headers["vary"] == "Accept-Encoding"
    page = gzip.decompress(body).decode()
    assert page.count("<div>cell") == 50 and len(body) < len(page) // 5
    assert "content-encoding" not in server.get("/voila/render/page", "identity")[1]
    other = server.get("/other", "gzip, deflate, br")[1]
    assert "content-encoding" not in other and "vary" not in other


def test_without_brotli_the_gzip_copies_are_still_made(tmp_path, monkeypatch):
    import sys

    root, cache = tmp_path / "static", tmp_path / "cache"
    files = _tree(root)
    static.usable_cache(cache)
    monkeypatch.setitem(sys.modules, "brotli", None)  # import brotli raises ImportError
    assert static.precompress(static.static_files([root]), cache) == 3
    digest = static.file_digest(root / "style.css")
    assert gzip.decompress((cache / f"{digest}.gz").read_bytes()) == files["style.css"]
    assert static.CompressedFiles(cache).pick(str(root / "style.css"), "gzip, deflate, br")[0] == "gzip"


def test_the_icon_font_goes_out_cut_down_once_its_copy_is_made(served, icon_font):
    server, files, version = served
    root, cache = server.root, server.cache
    (root / icon_font.name).write_bytes(icon_font.read_bytes())
    url = f"/voila/static/{icon_font.name}"  # the hash in the name pins it, as Voila's URL does
    status, headers, whole = server.get(url, "gzip, deflate, br")
    assert status == 200 and whole == icon_font.read_bytes()  # no copy yet: the font itself
    assert "content-encoding" not in headers

    fonts = static.font_files([root])
    assert sorted(p.name for p in fonts) == sorted([icon_font.name, "font.woff2"])
    assert not static.CompressedFiles(cache).font_seen(str(root / icon_font.name))
    assert static.subset_fonts(fonts, cache) == 1
    assert static.subset_fonts(fonts, cache) == 0  # made once
    seen = static.CompressedFiles(cache)
    assert all(seen.font_seen(str(p)) for p in fonts)

    status, cut_headers, cut = server.get(url, "gzip, deflate, br")
    assert status == 200 and cut[:4] == b"wOF2" and len(cut) < 15_000 and int(cut_headers["content-length"]) == len(cut)
    assert "content-encoding" not in cut_headers and cut_headers["content-type"].startswith("font/woff2")
    assert cut_headers["cache-control"] == static.IMMUTABLE
    assert cut_headers["etag"] != headers["etag"]  # a cache holding the whole font does not take this for it
    font = TTFont(io.BytesIO(cut))
    assert set(font.getBestCmap()) == set(icons.ICONS.values())
    assert server.get(url, "gzip", **{"If-None-Match": cut_headers["etag"]})[0] == 304

    # Any other woff2 (here bytes that are no font) goes out as it is.
    assert (cache / static.subset_name(static.file_digest(root / "font.woff2"), ".whole")).is_file()
    assert server.get("/voila/static/font.woff2", "br")[2] == files["font.woff2"]


def test_the_background_job_cuts_the_icon_font_and_compresses(tmp_path, icon_font):
    # What start_precompression runs: python -m toolkit.serve.static CACHE ROOT...
    root, cache = tmp_path / "static", tmp_path / "cache"
    _tree(root)
    (root / icon_font.name).write_bytes(icon_font.read_bytes())
    files = static.CompressedFiles(cache)
    assert static.main([str(cache), str(root)]) == 0
    assert all(files.cached(str(p)) for p in static.static_files([root]))
    small = files.substitute(str(root / icon_font.name))
    assert small is not None and Path(small).name == static.subset_name(static.file_digest(icon_font), ".woff2")
    assert TTFont(small)["name"].getDebugName(4) == icons.ICON_FONT and Path(small).stat().st_size < 15_000
    assert files.substitute(str(root / "font.woff2")) is None and files.substitute(str(root / "big.js")) is None
