"""Regenerate the README's screenshots: each stage workbook, the priorities
page and the dashboard, as Voila serves them on the demo workshop, in
Debian's Chromium.

    .venv/bin/python scripts/screenshots.py          # writes docs/*.png

Uses a throw-away store and a free port; touches nothing but docs/. The
demo and the server run with their defaults (ratings revealed, the
dashboard refreshing every 5 s), so the pictures show what a facilitator
sees after ``bash scripts/start.sh``; the browser joins the room with the
join link and opens the dashboard with its own link, as a facilitator does.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from toolkit.exports.pdf import CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
#: A demo participant, so the pages show answers already given: each page
#: continues as them with their resume code (typing a name makes a new person).
WHO = "Amira Haddad"
PAGES = {
    "workbook-diagnosis": "stage-1-diagnosis.ipynb",
    "workbook-design": "stage-2-design.ipynb",
    "workbook-implementation": "stage-3-implementation.ipynb",
    "workbook-assessment": "stage-4-assessment.ipynb",
    "priorities": "priorities.ipynb",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5)  # noqa: S310 - loopback only
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer at {url}")


def resume_code(workshop: Path, db: Path) -> str:
    """:data:`WHO`'s resume code, from ``workshop people``."""
    people = subprocess.run([str(workshop), "people", "demo", "--db", str(db)], check=True, capture_output=True, text=True).stdout
    return next(line.split()[-1] for line in people.splitlines() if line.startswith(WHO + " "))


def sign_in(page, code: str) -> None:
    page.wait_for_selector(".xs-signin-resume input", timeout=180_000)
    page.fill(".xs-signin-resume input", code)
    page.click(".xs-signin-resume-submit")


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="workshop-shots-"))
    db = tmp / "demo.sqlite"
    workshop = ROOT / ".venv" / "bin" / "workshop"
    subprocess.run([str(workshop), "demo", "--db", str(db), "--create-folder"], check=True, stdout=subprocess.DEVNULL)
    codes = subprocess.run([str(workshop), "code", "demo", "--db", str(db)], check=True, capture_output=True, text=True).stdout
    join = re.search(r"Join link: (/join/\S+)", codes).group(1)
    dashboard = re.search(r"Dashboard link: (/dashboard/\S+)", codes).group(1)
    code = resume_code(workshop, db)
    port = free_port()
    server = subprocess.Popen([str(workshop), "serve", "--db", str(db), "--workshop", "demo", "--port", str(port), "--pool", "0"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/join")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=list(CHROMIUM_ARGS))
            for name, notebook in PAGES.items():
                # A browser of its own that follows the join link to the page, then signs in.
                page = browser.new_page(viewport={"width": 1280, "height": 1700})
                page.goto(f"{base}{join}?next=/voila/render/{notebook}", timeout=180_000)
                sign_in(page, code)
                page.wait_for_selector(".xs-answer textarea, .xs-dots", timeout=120_000)
                time.sleep(1.5)  # let the restored answers paint
                page.screenshot(path=str(DOCS / f"{name}.png"))
                page.close()
                print(f"docs/{name}.png")
            page = browser.new_page(viewport={"width": 1400, "height": 2200})
            page.goto(base + dashboard, timeout=180_000)  # the projector's own link
            page.wait_for_selector(".xs-heatmap", timeout=180_000)
            time.sleep(3)
            page.screenshot(path=str(DOCS / "dashboard.png"))
            print("docs/dashboard.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
