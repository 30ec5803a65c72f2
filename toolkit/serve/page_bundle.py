"""The served pages' own front end: built once at setup, found at serve.

Voila's front end is a JupyterLab application of about 90 files, 1.2 MB
compressed for a first visit; on one venue Wi-Fi forty first visits are a
minute of the link. A workshop page needs far less: a kernel connection,
ipywidgets' views and their stylesheet, and the icons the kit uses.
``front_end/page.js`` is that (its header says what it does), bundled with
esbuild into two files in ``static/page/`` (``page.js``, ``page.css``) beside
the icon font cut to :data:`toolkit.serve.icons.ICONS`.

    python -m toolkit.serve.page_bundle        # scripts/setup.sh runs this
    >>> page_assets("/")                        # the page template's two URLs
    PageAssets(script='/xs/static/page/page.js?v=3f0c…', stylesheet='/xs/static/page/page.css?v=…')

Building needs Node.js and the npm registry (``npm ci`` of
``front_end/package-lock.json``), at setup only: nothing is fetched when
serving. Where the bundle has not been built (a ``pip install`` without
the setup script), :func:`page_assets` is ``None`` and the page template
uses Voila's own front end, as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.serve import icons
from toolkit.serve.static import CompressedFiles

#: The front end's source, package.json and lock file.
SOURCE = Path(__file__).parent / "front_end"
#: Where the build writes; served under ``/xs/static/page/``.
OUT = Path(__file__).parent / "static" / "page"
#: The bundle's entry point and the two files it makes.
ENTRY = "page.js"
SCRIPT = "page.js"
STYLESHEET = "page.css"
#: The bundled packages' licences, written beside the bundle.
NOTICES = "THIRD-PARTY-LICENSES.txt"
#: ``voila`` here serves Voila's own front end even when the kit's is built.
FRONT_END_ENV = "WORKSHOP_FRONT_END"
#: Font Awesome's solid font in the npm package, cut to the kit's icons.
FONT_SOURCE = Path("node_modules/@fortawesome/fontawesome-free/webfonts/fa-solid-900.woff2")
#: esbuild's arguments: one minified script and its stylesheet; fonts are
#: left out of the bundle (icons.css names the cut font by URL).
ESBUILD_ARGS = (
    ENTRY, "--bundle", "--minify", "--format=iife", "--target=es2020", "--legal-comments=none",
    "--loader:.woff=empty", "--loader:.woff2=empty", "--loader:.ttf=empty", "--loader:.eot=empty",
    "--loader:.svg=dataurl", "--external:icons-*.woff2", "--alias:sanitize-html=./text_only.js", "--log-level=warning",
    "--banner:js=/*! The bundled packages and their licences: THIRD-PARTY-LICENSES.txt, beside this file. */",
    "--banner:css=/*! The bundled packages and their licences: THIRD-PARTY-LICENSES.txt, beside this file. */",
)


@dataclass(frozen=True)
class PageAssets:
    """The URLs of the built front end, each pinned to its content."""

    script: str
    stylesheet: str


class BuildError(RuntimeError):
    """The front end could not be built; the message is one line."""


def font_name(source: bytes) -> str:
    """The cut font's file name, from the whole font and the kept set of
    icons: a content hash in the name gives it a year's cache lifetime
    (:data:`toolkit.serve.static.HASHED_NAME`)."""
    return f"icons-{hashlib.sha256(source + icons.token().encode()).hexdigest()[:16]}.woff2"


def icon_stylesheet(font: str) -> str:
    """Font Awesome's rules for the kit's icons only: the face, the ``fa``
    and ``fa-fw`` classes ipywidgets writes, and one rule per icon of
    :data:`toolkit.serve.icons.ICONS` (characters as its stylesheet has them)."""
    rules = [
        "/* Made by toolkit/serve/page_bundle.py from toolkit/serve/icons.py: do not edit. */",
        '@font-face { font-family: "Font Awesome 5 Free"; font-style: normal; font-weight: 900; '
        f'font-display: block; src: url("{font}") format("woff2"); }}',
        '.fa { display: inline-block; font-family: "Font Awesome 5 Free"; font-weight: 900; font-style: normal; '
        "font-variant: normal; line-height: 1; text-rendering: auto; -webkit-font-smoothing: antialiased; }",
        ".fa-fw { text-align: center; width: 1.25em; }",
    ]
    rules += [f'.fa-{name}:before {{ content: "\\{code:x}"; }}' for name, code in sorted(icons.ICONS.items())]
    return "\n".join(rules) + "\n"


def _run(cmd: list[str], cwd: Path) -> None:
    try:
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BuildError(f"cannot run {cmd[0]}: {exc.strerror}") from None
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()
        raise BuildError(f"{' '.join(cmd[:2])} failed: {last[-1] if last else 'exit ' + str(done.returncode)}")


def build(source: Path = SOURCE, out: Path = OUT) -> Path:
    """Install the front end's packages as its lock file pins them (once
    per lock file), write the icon stylesheet and font, and bundle."""
    lock = source / "package-lock.json"
    stamp = source / "node_modules" / f".installed-{hashlib.sha256(lock.read_bytes()).hexdigest()[:12]}"
    if not stamp.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise BuildError("npm is not installed: the pages' front end needs Node.js to build")
        _run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], source)
        stamp.touch()
    out.mkdir(parents=True, exist_ok=True)
    whole = (source / FONT_SOURCE).read_bytes()
    small = icons.subset(whole)
    if small is None:
        raise BuildError(f"{FONT_SOURCE} is not {icons.ICON_FONT}")
    for old in out.glob("icons-*.woff2"):
        old.unlink()
    font = font_name(whole)
    (out / font).write_bytes(small)
    (source / "icons.css").write_text(icon_stylesheet(font), encoding="utf-8")
    meta = source / "meta.json"
    _run([str(source / "node_modules" / ".bin" / "esbuild"), *ESBUILD_ARGS, f"--outdir={out}", f"--metafile={meta}"], source)
    (out / NOTICES).write_text(third_party_notices(source, json.loads(meta.read_text(encoding="utf-8"))), encoding="utf-8")
    return out


def _package_of(path: str) -> str | None:
    """The npm package a bundled file comes from (``node_modules/@a/b/x.js`` is ``@a/b``)."""
    parts = path.split("node_modules/")[-1].split("/") if "node_modules/" in path else []
    if not parts:
        return None
    return "/".join(parts[:2]) if parts[0].startswith("@") else parts[0]


def third_party_notices(source: Path, meta: dict[str, Any]) -> str:
    """The licence of every npm package in the bundle (esbuild's metafile
    says which), with its licence file: served beside the bundle, since the
    minified files carry no comments."""
    names = sorted({name for path in meta.get("inputs", {}) if (name := _package_of(path))} | {_package_of(str(FONT_SOURCE))})
    parts = ["The pages' front end (page.js, page.css, and the icon font cut from Font Awesome's) bundles these packages, with their licences.\n"]
    for name in names:
        folder = source / "node_modules" / name
        info = json.loads((folder / "package.json").read_text(encoding="utf-8"))
        texts = [f.read_text(encoding="utf-8", errors="replace").strip() for f in sorted(folder.iterdir()) if f.is_file() and f.name.upper().startswith(("LICENSE", "LICENCE", "COPYING"))]
        parts.append(f"\n== {name} {info.get('version', '')} ({info.get('license', 'see its licence')})\n\n" + ("\n\n".join(texts) or "(no licence file in the package)") + "\n")
    return "".join(parts)


#: Digests of the built files, read again only when a file changes.
_known = CompressedFiles(None)


def _version(path: Path) -> str | None:
    """A short digest of ``path``'s content, or ``None`` when it is missing."""
    try:
        return _known.digest(str(path))[:16]
    except OSError:
        return None


def voila_asked() -> bool:
    """Whether ``WORKSHOP_FRONT_END=voila`` asks for Voila's front end."""
    return os.environ.get(FRONT_END_ENV, "").lower() == "voila"


def page_assets(base_url: str, out: Path = OUT) -> PageAssets | None:
    """The built front end's URLs for a page under ``base_url``, or
    ``None`` when it is not built (or ``WORKSHOP_FRONT_END=voila`` asks for
    Voila's). The ``v=`` digests give them a year's cache lifetime."""
    if voila_asked():
        return None
    script, sheet = _version(out / SCRIPT), _version(out / STYLESHEET)
    if script is None or sheet is None:
        return None
    prefix = f"{base_url.rstrip('/')}/xs/static/{out.name}/"
    return PageAssets(script=f"{prefix}{SCRIPT}?v={script}", stylesheet=f"{prefix}{STYLESHEET}?v={sheet}")


def page_config(page_config: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Part of Voila's ``page_config_hook`` (:func:`toolkit.serve.app.page_config`):
    ``xsPage``, the built front end's script and stylesheet URLs, which the
    page template loads instead of Voila's front end; nothing when it is
    not built."""
    assets = page_assets(str(kwargs.get("base_url") or page_config.get("baseUrl") or "/"))
    if assets is None:
        return page_config
    return {**page_config, "xsPage": {"script": assets.script, "stylesheet": assets.stylesheet}}


def missing_note(out: Path = OUT) -> str | None:
    """The line ``workshop serve`` prints when the front end is not built
    (and Voila's was not asked for), else ``None``."""
    if voila_asked() or page_assets("/", out) is not None:
        return None
    return ("Pages use Voila's own front end (about 1.2 MB for each participant's first page): "
            "build the kit's (0.2 MB) with: python -m toolkit.serve.page_bundle (needs npm)")


def main() -> int:
    """``python -m toolkit.serve.page_bundle``: build, one line either way."""
    try:
        out = build()
    except (BuildError, OSError) as exc:
        sys.stderr.write(f"pages' front end not built: {exc}\n")
        return 1
    sizes = ", ".join(f"{p.name} {p.stat().st_size // 1024} KB" for p in sorted(out.iterdir()) if p.is_file())
    print(f"pages' front end built: {sizes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
