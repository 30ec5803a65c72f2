"""Fewer bytes for a room on venue Wi-Fi: Voila's static files sent
compressed from copies made once, cached by browsers for a year when their
URL names their content, and the page itself compressed as it streams.

    >>> handlers = compressed_handlers(voila.init_handlers(), voila)   # WorkshopVoila does this
    >>> precompress([Path(".../voila/templates/base/static")], cache_dir())  # python -m toolkit.serve.static

A page of the workbook running Voila's front end asks for about 90
static files, 5 MB as Voila serves them (no ``Content-Encoding``, most of
them without a cache lifetime); running the kit's own
(:mod:`toolkit.serve.page_bundle`), six. Both are served here:

- **Compressed once.** Every compressible static file a page can fetch
  (Voila's scripts, styles and fonts, the widget managers' extensions in
  :data:`~toolkit.serve.app.PAGE_EXTENSIONS`, the kit's own
  ``/xs/static/``) is compressed with brotli
  (quality 11) and gzip (level 9) into :func:`cache_dir`, named by the
  SHA-256 of its content, by a separate, low-priority process that
  ``workshop serve`` starts (:func:`start_precompression`): a few seconds
  of one core the first time, nothing on later starts. A request picks
  the copy its ``Accept-Encoding`` allows (brotli first); until a copy
  exists the file goes out as it is. Nothing is compressed per visitor.
- **Cached for a year** (:data:`IMMUTABLE`) when the URL pins the content:
  a ``v=`` argument (Tornado's and JupyterLab's version hashes), a content
  hash in the file name (``remoteEntry.c8c9eed2cdefdeac.js``), or Voila's
  own ``/voila/static/`` under the versioned prefix that
  :func:`page_config` writes into every page (``/voila/static/_/<token>/``,
  the token a hash of those folders' contents), so a page after the first
  asks for none of them again.
- **The icon font cut down.** Font Awesome's solid font (78 KB, the
  largest file not compressible) is sent as a copy holding only the
  icons a page can show (:mod:`toolkit.serve.icons`, 2.4 KB), at the
  same URL and with the same year's lifetime; the same background
  process makes it once, named by the whole font's SHA-256 and the kept
  set's token (``<sha256>.icons-<token>.woff2``), and notes every other
  woff2 font as sent whole (an empty ``<sha256>.icons-<token>.whole``).
  Until the copy exists the whole font goes out. Its ETag is the copy's
  own digest, so no cache takes one for the other.
- **The page** (``/voila/render/...``, made per visitor while its kernel
  runs) is gzipped as it streams (:class:`PageCompression`), about a
  millisecond of CPU for a 30 KB page. Only Voila's pages: a page that
  reflects what a request sent beside a secret would let a network
  observer guess the secret from the compressed sizes (BREACH).
- **Kernel messages** go over a deflate-compressed websocket
  (``websocket_compression_options``): a workbook page's widget states
  are 180 KB of JSON, 20 KB compressed.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Cache-Control of a response whose URL pins its content.
IMMUTABLE = "public, max-age=31536000, immutable"
#: File types worth compressing (the rest, fonts in woff/woff2 and images,
#: are compressed already).
COMPRESSIBLE = frozenset({".js", ".mjs", ".css", ".json", ".map", ".svg", ".html", ".txt", ".ttf", ".eot", ".otf", ".xml", ".ico", ".wasm"})
#: Smaller files are sent as they are: the headers would outweigh the saving.
MIN_SIZE = 512
#: Encodings in the order a request's ``Accept-Encoding`` is tried.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
#: A content hash in a file name (webpack's ``[contenthash]``, 16+ hex digits).
HASHED_NAME = re.compile(r"(?:^|[.\-_])[0-9a-f]{16,}(?:[.\-_]|$)")
#: The versioned prefix of Voila's static files (``/voila/static/_/<token>/``).
VERSION_PREFIX = "_/"
#: Websocket compression for the kernel channels (permessage-deflate;
#: Tornado's defaults otherwise).
WEBSOCKET_COMPRESSION: dict[str, int] = {"compression_level": 6, "mem_level": 8}
#: The application setting holding the page's :class:`CompressedFiles`
#: (for :class:`SettingsCompressedStatic`).
FILES_SETTING = "xs_compressed_files"
#: Fonts that may be cut down to the icons a page shows (toolkit.serve.icons).
FONT_SUFFIX = ".woff2"
#: Cache folder's environment override (tests, read-only homes).
CACHE_ENV = "WORKSHOP_STATIC_CACHE"


def cache_dir() -> Path:
    """Where compressed copies live: ``$WORKSHOP_STATIC_CACHE``, else the
    user's cache folder (``~/.cache/intersector-workshop/compressed``)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("intersector-workshop")) / "compressed"


def usable_cache(folder: Path) -> bool:
    """Whether ``folder`` exists (made if missing, private) and only this
    user can write into it: whatever is there is sent to every visitor."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = folder.stat()
    except OSError:
        return False
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    return not st.st_mode & 0o022 and os.access(folder, os.W_OK)


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's content, hex."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def compressible(path: Path, size: int) -> bool:
    return path.suffix.lower() in COMPRESSIBLE and size >= MIN_SIZE


def _files_under(roots: Iterable[Path], keep: Callable[[Path], bool]) -> list[Path]:
    """The regular files under ``roots`` that ``keep`` accepts, in a stable
    order (symlinked folders not followed; a file that cannot be read is
    left out)."""
    found: list[Path] = []
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                path = Path(folder) / name
                try:
                    if path.is_file() and keep(path):
                        found.append(path)
                except OSError:
                    continue
    return found


def static_files(roots: Iterable[Path]) -> list[Path]:
    """The compressible files under ``roots`` (symlinks not followed)."""
    return _files_under(roots, lambda path: compressible(path, path.stat().st_size))


def font_files(roots: Iterable[Path]) -> list[Path]:
    """The woff2 fonts under ``roots``: the icon font among them is cut
    down (:func:`subset_fonts`)."""
    return _files_under(roots, lambda path: path.name.lower().endswith(FONT_SUFFIX))


def subset_name(digest: str, suffix: str) -> str:
    """The cache name of a font's cut-down copy (``suffix`` ``.woff2``) or
    of the note that it is sent whole (``.whole``): the whole font's
    digest and the kept set's token."""
    from toolkit.serve import icons

    return f"{digest}.icons-{icons.token()}{suffix}"


def _write_aside(target: Path, data: bytes) -> None:
    """``target`` written whole or not at all (aside, then renamed)."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def subset_fonts(files: Iterable[Path], cache: Path) -> int:
    """For each woff2 font of ``files`` not yet seen in ``cache``, its copy
    cut down to the page's icons (:func:`toolkit.serve.icons.subset`) when
    it is the icon font, else an empty note that it goes out whole.
    Returns how many cut-down copies were written."""
    from toolkit.serve import icons

    written = 0
    for data, digest in _contents(files):
        small, whole = cache / subset_name(digest, FONT_SUFFIX), cache / subset_name(digest, ".whole")
        if small.exists() or whole.exists():
            continue
        cut = icons.subset(data)
        _write_aside(whole if cut is None else small, cut or b"")
        written += cut is not None
    return written


def _contents(files: Iterable[Path]) -> Iterable[tuple[bytes, str]]:
    """Each readable file's bytes and their SHA-256 (the cache's names)."""
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        yield data, hashlib.sha256(data).hexdigest()


def precompress(files: Iterable[Path], cache: Path) -> int:
    """Write the brotli and gzip copies of ``files`` missing from
    ``cache`` (``<sha256>.br``, ``<sha256>.gz``), each whole or absent
    (written aside, then renamed). Returns how many copies were written."""
    coders = [(".gz", lambda d: gzip.compress(d, 9, mtime=0))]
    try:
        import brotli
    except ImportError:  # an install without it: gzip copies only
        pass
    else:
        coders.append((".br", lambda d: brotli.compress(d, quality=11)))
    written = 0
    for data, digest in _contents(files):
        for suffix, compress in coders:
            target = cache / f"{digest}{suffix}"
            if target.exists():
                continue
            _write_aside(target, compress(data))
            written += 1
    return written


def start_precompression(roots: Sequence[Path], files: CompressedFiles) -> subprocess.Popen[bytes] | None:
    """Compress what is missing under ``roots`` into ``files.cache`` (and
    cut the icon font down) in a child process at the lowest CPU
    priority, so the server and its kernels go first; ``None`` when
    nothing is missing."""
    if files.cache is None or (all(files.cached(str(p)) for p in static_files(roots)) and all(files.font_seen(str(p)) for p in font_files(roots))):
        return None
    nice = shutil.which("nice")
    cmd = [*([nice, "-n", "19"] if nice else []), sys.executable, "-m", "toolkit.serve.static", str(files.cache), *map(str, roots)]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    threading.Thread(target=proc.wait, name="precompression", daemon=True).start()  # reaped when done
    return proc


def accepted(header: str) -> set[str]:
    """The content codings an ``Accept-Encoding`` header allows (``q=0`` refuses)."""
    allowed = set()
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if name and q > 0:
            allowed.add(name.strip().lower())
    return allowed


@dataclass
class CompressedFiles:
    """The compressed copies in ``cache`` and what is known of the served
    files: their digests (kept while a file's size and mtime stay the
    same) and ``version``, the token of Voila's static folders."""

    cache: Path | None
    version: str = ""
    _digests: dict[str, tuple[int, int, str]] = field(default_factory=dict)

    def digest(self, path: str) -> str:
        st = os.stat(path)
        known = self._digests.get(path)
        if known is not None and known[:2] == (st.st_mtime_ns, st.st_size):
            return known[2]
        digest = file_digest(path)
        self._digests[path] = (st.st_mtime_ns, st.st_size, digest)
        return digest

    def cached(self, path: str) -> bool:
        """Whether every compressed copy of ``path`` is in the cache."""
        try:
            digest = self.digest(path)
        except OSError:
            return True  # gone: nothing to make
        return self.cache is not None and all((self.cache / f"{digest}{suffix}").exists() for _, suffix in ENCODINGS)

    def font_seen(self, path: str) -> bool:
        """Whether the woff2 font ``path`` has its cut-down copy, or the note
        that it is sent whole, in the cache."""
        try:
            digest = self.digest(path)
        except OSError:
            return True
        return self.cache is not None and any((self.cache / subset_name(digest, suffix)).exists() for suffix in (FONT_SUFFIX, ".whole"))

    def substitute(self, path: str) -> str | None:
        """The cut-down copy to send in place of the font ``path`` (the
        icon font, :mod:`toolkit.serve.icons`), or ``None``: the file itself."""
        if self.cache is None or not path.lower().endswith(FONT_SUFFIX):
            return None
        try:
            copy = self.cache / subset_name(self.digest(path), FONT_SUFFIX)
        except OSError:
            return None
        return str(copy) if copy.is_file() else None

    def pick(self, path: str, accept_encoding: str) -> tuple[str | None, str | None]:
        """``(coding, copy's path)`` for a request accepting
        ``accept_encoding``, or ``(None, None)``: send the file itself."""
        if self.cache is None:
            return None, None
        try:
            if not compressible(Path(path), os.stat(path).st_size):
                return None, None
            allowed = accepted(accept_encoding)
            digest = self.digest(path)
        except OSError:
            return None, None
        for coding, suffix in ENCODINGS:
            copy = self.cache / f"{digest}{suffix}"
            if coding in allowed and copy.is_file():
                return coding, str(copy)
        return None, None


def folder_version(roots: Iterable[Path], files: CompressedFiles) -> str:
    """A token naming the contents of ``roots``: changes when any file does."""
    h = hashlib.sha256()
    for root in roots:
        for folder, dirs, names in os.walk(root):
            dirs.sort()
            for name in sorted(names):
                path = os.path.join(folder, name)
                if os.path.isfile(path):
                    h.update(os.path.relpath(path, root).encode() + b"\0" + files.digest(path).encode() + b"\0")
    return h.hexdigest()[:20]


class CompressedStatic:
    """Mixed in front of a Tornado ``StaticFileHandler`` class: the file
    goes out as its compressed copy when the request accepts one, and
    with :data:`IMMUTABLE` when the URL pins its content. ``xs_files``
    is set on the class :func:`compressed_class` builds."""

    xs_files: CompressedFiles
    _xs_coding: str | None = None
    _xs_pinned: bool = False

    def set_headers(self) -> None:
        source = self.absolute_path
        small = self.xs_files.substitute(source)
        if small is not None:
            # The icon font's cut-down copy: its size, bytes and ETag from here on.
            self.absolute_path = small
            self.__dict__.pop("_stat_result", None)
        ranged = "Range" in self.request.headers
        coding, copy = (None, None) if ranged else self.xs_files.pick(self.absolute_path, self.request.headers.get("Accept-Encoding", ""))
        self._xs_coding = coding
        super().set_headers()  # Content-Type and Last-Modified of the file itself
        self.set_header("Vary", "Accept-Encoding")
        if coding is not None:
            self.set_header("Content-Encoding", coding)
            self.clear_header("Accept-Ranges")
            # From here on Tornado reads the size and the bytes of the copy.
            self.absolute_path = copy
            self.__dict__.pop("_stat_result", None)
        if self._xs_pinned or "v" in self.request.arguments or HASHED_NAME.search(os.path.basename(source)):
            self.set_header("Cache-Control", IMMUTABLE)

    def compute_etag(self) -> str | None:
        try:
            digest = self.xs_files.digest(self.absolute_path)
        except OSError:
            return None
        return f'"{digest[:32]}{"-" + self._xs_coding if self._xs_coding else ""}"'


class VersionedStatic(CompressedStatic):
    """For Voila's ``/voila/static/``: understands the versioned prefix
    ``_/<token>/`` that :func:`page_config` gives every page; the current
    token pins the content, an old one (a page from before an upgrade)
    gets the current file without a lifetime."""

    def parse_url_path(self, url_path: str) -> str:
        if url_path.startswith(VERSION_PREFIX):
            token, _, rest = url_path[len(VERSION_PREFIX):].partition("/")
            self._xs_pinned = bool(self.xs_files.version) and token == self.xs_files.version
            url_path = rest
        return super().parse_url_path(url_path)


class SettingsCompressedStatic(CompressedStatic):
    """:class:`CompressedStatic` for a handler that is not in Voila's list
    (the kit's own ``/xs/static/``, added by the room's identity
    provider): the copies are those :func:`compressed_handlers` put in the
    application's settings; without them the file goes out as it is."""

    @property
    def xs_files(self) -> CompressedFiles:  # type: ignore[override]
        files = self.settings.get(FILES_SETTING)  # type: ignore[attr-defined]
        return files if files is not None else CompressedFiles(None)


def compressed_class(base: type, files: CompressedFiles, *, versioned: bool = False) -> type:
    """``base`` (a StaticFileHandler class) serving compressed copies."""
    mixin = VersionedStatic if versioned else CompressedStatic
    return type(f"Compressed{base.__name__}", (mixin, base), {"xs_files": files})


def page_compression(prefixes: Sequence[str]) -> type:
    """An output transform gzipping ``text/html`` responses to requests
    under ``prefixes`` (Voila's pages) for clients that accept gzip."""
    from tornado.web import GZipContentEncoding

    class PageCompression(GZipContentEncoding):
        def __init__(self, request: Any) -> None:
            super().__init__(request)
            self._prefixed = request.path.startswith(tuple(prefixes))
            self._gzipping = self._gzipping and self._prefixed

        def _compressible_type(self, ctype: str) -> bool:
            return ctype == "text/html"

        def transform_first_chunk(self, status_code: int, headers: Any, chunk: bytes, finishing: bool) -> tuple[int, Any, bytes]:
            if not self._prefixed:
                return status_code, headers, chunk  # not a page: no Vary either
            return super().transform_first_chunk(status_code, headers, chunk, finishing)

    return PageCompression


def page_config(page_config: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Part of Voila's ``page_config_hook`` (:func:`toolkit.serve.app.page_config`):
    Voila's scripts are loaded from the versioned prefix (``fullStaticUrl``;
    webpack loads its chunks from there too), once
    :func:`compressed_handlers` has made the token."""
    version = (kwargs.get("settings") or {}).get("xs_static_version")
    if version and "fullStaticUrl" in page_config:
        page_config = {**page_config, "fullStaticUrl": f"{page_config['fullStaticUrl'].rstrip('/')}/{VERSION_PREFIX}{version}"}
    return page_config


def compressed_handlers(handlers: list[Any], voila: Any, *, cache: Path | None = None, extensions: Sequence[str] = (), extra_roots: Sequence[Path] = ()) -> list[Any]:
    """Voila's handler list with its three static file handlers serving
    compressed copies (``/voila/static/``, ``/voila/templates/``,
    ``/voila/labextensions/``), the page transform and the websocket
    compression added to ``voila.app``, and the missing copies made in
    the background (:func:`start_precompression`) from the folders a page
    reads: Voila's static paths, its lab template's, and those of the
    lab ``extensions``, and ``extra_roots`` (the kit's own static folder,
    served by :class:`SettingsCompressedStatic`); the rest are served as
    before."""
    from jupyter_server.base.handlers import FileFindHandler
    from voila.paths import collect_static_paths
    from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler

    cache = cache if cache is not None else cache_dir()
    usable = usable_cache(cache)
    files = CompressedFiles(cache if usable else None)
    voila_static = [Path(p) for p in voila.static_paths]
    template = voila.voila_configuration.template
    template_static = [Path(p) for p in collect_static_paths(["voila", "nbconvert"], template)]
    ext_folders = [Path(root) / name for root in voila.labextensions_path for name in extensions if (Path(root) / name).is_dir()]
    roots = list(dict.fromkeys(p for p in (*voila_static, *template_static, *ext_folders, *extra_roots) if p.is_dir()))
    files.version = folder_version(voila_static, files)
    app = getattr(voila, "app", None)  # made by Voila.start just before its handlers
    if app is not None:
        app.settings["xs_static_version"] = files.version
        app.settings[FILES_SETTING] = files
        app.settings["websocket_compression_options"] = dict(WEBSOCKET_COMPRESSION)
        base = voila.server_url or voila.base_url
        app.add_transform(page_compression([f"{base}voila/render/"]))
    if usable:
        voila.xs_precompression = start_precompression(roots, files)
    swapped = {
        MultiStaticFileHandler: compressed_class(MultiStaticFileHandler, files, versioned=True),
        TemplateStaticFileHandler: compressed_class(TemplateStaticFileHandler, files),
        FileFindHandler: compressed_class(FileFindHandler, files),
    }
    out = []
    for spec in handlers:
        pattern, cls, *rest = spec
        out.append((pattern, swapped.get(cls, cls), *rest))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m toolkit.serve.static CACHE ROOT...``: compress what is
    missing and cut the icon font down (what :func:`start_precompression`
    runs)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2:
        sys.stderr.write("usage: python -m toolkit.serve.static CACHE ROOT [ROOT ...]\n")
        return 2
    cache = Path(args[0])
    if not usable_cache(cache):
        sys.stderr.write(f"{cache}: not a private, writable folder\n")
        return 1
    roots = [Path(a) for a in args[1:]]
    precompress(static_files(roots), cache)
    subset_fonts(font_files(roots), cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
