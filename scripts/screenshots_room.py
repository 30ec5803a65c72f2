"""Regenerate the screenshots of running the room (issue #14): each section
of the presenter view at 1920 x 1080, and a participant page with a
discussion timer and a lock with notice counting down, on the demo
workshop with today's plan, served by ``workshop serve`` in Debian's
Chromium.

    .venv/bin/python scripts/screenshots_room.py     # writes docs/presenter-*.png, docs/room-timer-lock.png

Uses a throw-away store and a free port; joins the room with the link the
server prints, as a participant and as the projector do; touches nothing
but docs/.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from toolkit.exports.pdf import CHROMIUM_ARGS
from toolkit.store.values import SCREENS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import free_port  # noqa: E402 - the README's screenshots script, beside this one

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
WORKSHOP = ROOT / ".venv" / "bin" / "workshop"


def run(*args: str) -> str:
    return subprocess.run([str(WORKSHOP), *args], check=True, capture_output=True, text=True).stdout


def sign_up(page) -> None:
    """A newcomer signs in on the page: name, organization, sector, table."""
    page.wait_for_selector(".xs-signin-org input", timeout=180_000)
    page.fill(".xs-signin-name input", "Jordan Ellery")
    page.fill(".xs-signin-org input", "Quillmouth Town Council")
    page.select_option(".xs-signin-sector select", label="Government")
    page.fill(".xs-signin-table input", "Table 1")
    page.click(".xs-signin-submit")


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="workshop-room-shots-"))
    db = str(tmp / "demo.sqlite")
    slug = run("demo", "--db", db).splitlines()[0].strip()
    run("reveal", slug, "--db", db)
    run("plan", slug, "--template", "half-day", "--db", db)
    port = free_port()
    log = tmp / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen([str(WORKSHOP), "serve", "--db", db, "--workshop", slug, "--port", str(port), "--pool", "0"],
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not re.search(r"type the join code:\s+([A-Z0-9]+)", log.read_text(errors="replace")):
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"workshop serve did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.5)
        text = log.read_text(errors="replace")
        code = re.search(r"type the join code:\s+([A-Z0-9]+)", text).group(1)
        dashboard = re.search(r"(http://\S+/dashboard/\S+)", text).group(1).replace("localhost", "127.0.0.1")
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=list(CHROMIUM_ARGS))
            wall = browser.new_context(viewport={"width": 1920, "height": 1080})
            page = wall.new_page()
            page.goto(dashboard, timeout=180_000)  # the projector's cookie
            page.goto(f"{base}/voila/render/presenter.ipynb", timeout=180_000)
            page.wait_for_selector(".xs-presenter-screen .xs-dash-card", timeout=180_000)
            for section in SCREENS:
                run("present", slug, section, "--db", db)
                page.wait_for_function("s => document.querySelector('.xs-presenter-slider .widget-readout') && true", arg=section)
                time.sleep(6)  # a refresh or two
                page.screenshot(path=str(DOCS / f"presenter-{section}.png"))
                print(f"docs/presenter-{section}.png")
            run("present", slug, "auto", "--db", db)
            wall.close()

            room = browser.new_context(viewport={"width": 1280, "height": 900})
            page = room.new_page()
            page.goto(f"{base}/join/{code}", timeout=180_000)
            page.goto(f"{base}/voila/render/stage-2-design.ipynb", timeout=180_000)
            sign_up(page)
            page.wait_for_selector(".xs-signed-in", timeout=120_000)
            run("timer", slug, "10m", "--db", db)
            run("lock", slug, "design", "--in", "2m", "--db", db)
            page.wait_for_selector(".xs-lock-countdown .xs-lock-left", timeout=60_000)
            # Sign-in moved the focus (and the page) to the first answer box:
            # back up to the stage links, with the countdowns under them.
            page.evaluate("() => document.querySelector('.xs-stage-links').scrollIntoView({block: 'start'})")
            time.sleep(2)
            page.screenshot(path=str(DOCS / "room-timer-lock.png"))
            print("docs/room-timer-lock.png")
            room.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
