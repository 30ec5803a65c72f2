"""HTML to PDF with headless Chromium: the planning guide and the handout
are printed by the browser from the same HTML a facilitator can open, not by
a second layout engine.

    >>> html_to_pdf("<h1>Hello</h1>", "hello.pdf")
    PosixPath('hello.pdf')

Chromium is Debian's ``chromium`` (``apt-get install chromium``), found on
``PATH`` or named by ``$WORKSHOP_CHROMIUM``. Each run gets a fresh,
throw-away profile and no network extras (no sync, no component updates,
no background requests); the HTML it prints fetches nothing either.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from toolkit.errors import ToolkitError

#: Names an override for the browser executable.
CHROMIUM_ENV = "WORKSHOP_CHROMIUM"
_NAMES = ("chromium", "chromium-browser")
#: Seconds a print may take; a 300-page guide takes well under a minute.
DEFAULT_TIMEOUT = 300.0


class PdfError(ToolkitError):
    """Chromium is missing or could not print the page."""


def find_chromium() -> str:
    """The Chromium executable, or :class:`PdfError` saying how to install it."""
    override = os.environ.get(CHROMIUM_ENV)
    if override:
        found = shutil.which(override)
        if found:
            return found
        raise PdfError(f"${CHROMIUM_ENV} names {override!r}, which is not an executable; unset it or point it at chromium")
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError("making a PDF needs Chromium, which was not found on PATH; install it: apt-get install chromium")


#: How the kit starts Debian's Chromium anywhere (PDF export, browser tests,
#: screenshots, benchmarks): as root, with no GPU, and without the background
#: connections a machine with no internet refuses.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_command(browser: str, html_file: Path, pdf_file: Path, profile: Path) -> list[str]:
    """The command line that prints ``html_file`` to ``pdf_file``."""
    return [
        browser,
        "--headless",
        *CHROMIUM_ARGS,
        "--disable-extensions",
        "--mute-audio",
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf_file}",
        html_file.resolve().as_uri(),
    ]


def html_to_pdf(html: str, path: str | os.PathLike[str], *, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Print an HTML document (the text, not a file name) to ``path``.

    Page size, margins and page numbers come from the document's ``@page``
    CSS. Raises :class:`PdfError` when Chromium is missing, fails or times
    out; the message carries the end of Chromium's own output."""
    browser = find_chromium()
    out = Path(path)
    work = Path(tempfile.mkdtemp(prefix="workshop-pdf-"))
    try:
        page = work / "page.html"
        page.write_text(html, encoding="utf-8")
        printed = work / "page.pdf"
        cmd = chromium_command(browser, page, printed, work / "profile")
        env = {**os.environ, "HOME": str(work)}  # keeps Chromium's crash and cache files out of the user's home
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"Chromium did not finish printing the PDF within {timeout:.0f} seconds") from None
        except OSError as exc:
            raise PdfError(f"could not start Chromium ({browser}): {exc.strerror}") from None
        ok = printed.exists() and printed.stat().st_size > 0 and printed.read_bytes()[:5] == b"%PDF-"
        if run.returncode != 0 or not ok:
            tail = "\n".join((run.stderr or run.stdout or "").strip().splitlines()[-6:])
            raise PdfError(f"Chromium could not print the PDF (exit code {run.returncode})" + (f":\n{tail}" if tail else ""))
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(printed), str(out))
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)
