"""Regenerate the README's screenshots: each stage workbook, the priorities
page and the dashboard, as Voila serves them on the demo workshop, in
Debian's Chromium.

    .venv/bin/python scripts/screenshots.py          # writes docs/*.png
    .venv/bin/python scripts/screenshots.py --narrow # only the 320 px ones

``--narrow`` takes only a stage page and the dashboard at 320 px wide
(``docs/a11y-stage-320.png``, ``docs/a11y-dashboard-320.png``: issue #17,
reflow on a phone). Uses a throw-away store and a free port; touches
nothing but docs/.
"""

from __future__ import annotations

import os
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
#: A demo participant, so the pages show answers already given.
WHO = {"name": "Amira Haddad", "org": "Quillmouth Town Council", "sector": "Government", "table": "Table 1"}
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


def sign_in(page) -> None:
    page.wait_for_selector(".xs-signin-org input", timeout=180_000)
    page.fill(".xs-signin-name input", WHO["name"])
    page.fill(".xs-signin-org input", WHO["org"])
    page.select_option(".xs-signin-sector select", label=WHO["sector"])
    page.fill(".xs-signin-table input", WHO["table"])
    page.click(".xs-signin-submit")


def room_links(log: Path, seconds: float = 120) -> tuple[str, str]:
    """The join code and the dashboard's link ``workshop serve`` printed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        code, dash = re.search(r"type the join code:\s+([A-Z0-9]+)", text), re.search(r"(http://\S+/dashboard/\S+)", text)
        if code and dash:
            return code.group(1), dash.group(1)
        time.sleep(0.5)
    raise SystemExit(f"workshop serve printed no join code:\n{log.read_text(errors='replace')}")


def joined_page(browser, base: str, links: tuple[str, str], width: int, height: int):
    """A page in a fresh browser that followed the join link and the
    dashboard's link, as the room does."""
    code, dash = links
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{base}/join/{code}", timeout=180_000)
    page.goto(base + "/" + dash.split("/", 3)[3], timeout=180_000)
    return page


def narrow(browser, base: str, links: tuple[str, str]) -> None:
    """A stage page (signed in, a tool's rating chosen, the keyboard focus
    on the next choice) and the dashboard, 320 px wide."""
    page = joined_page(browser, base, links, 320, 2200)
    page.goto(f"{base}/voila/render/stage-1-diagnosis.ipynb", timeout=180_000)
    sign_in(page)
    page.wait_for_selector(".xs-signed-in", timeout=120_000)
    page.click(".xs-tool-nav-account-for-resources")
    radios = ".xs-tool-account-for-resources .xs-rating input[type=radio]"
    page.wait_for_selector(radios, timeout=120_000)
    page.focus(radios)
    page.keyboard.press("ArrowRight")  # the ring shows where the keyboard is
    time.sleep(1.5)
    page.evaluate("document.querySelector('.xs-tool-account-for-resources .xs-rating-block').scrollIntoView()")
    page.screenshot(path=str(DOCS / "a11y-stage-320.png"))
    page.close()
    print("docs/a11y-stage-320.png")
    page = joined_page(browser, base, links, 320, 2200)
    page.goto(f"{base}/voila/render/dashboard.ipynb", timeout=180_000)
    page.wait_for_selector(".xs-heatmap-grid", timeout=180_000)
    time.sleep(3)
    page.screenshot(path=str(DOCS / "a11y-dashboard-320.png"))
    page.close()
    print("docs/a11y-dashboard-320.png")


def main() -> int:
    only_narrow = "--narrow" in sys.argv[1:]
    tmp = Path(tempfile.mkdtemp(prefix="workshop-shots-"))
    db = tmp / "demo.sqlite"
    workshop = ROOT / ".venv" / "bin" / "workshop"
    subprocess.run([str(workshop), "demo", "--db", str(db)], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([str(workshop), "reveal", "demo", "--db", str(db)], check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    env = {**os.environ, "WORKSHOP_REFRESH": "2"}
    log = tmp / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen([str(workshop), "serve", "--db", str(db), "--port", str(port), "--pool", "0"],
                                  env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/join")
        links = room_links(log)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=list(CHROMIUM_ARGS))
            narrow(browser, base, links)
            if only_narrow:
                browser.close()
                return 0
            for name, notebook in PAGES.items():
                page = joined_page(browser, base, links, 1280, 1700)
                page.goto(f"{base}/voila/render/{notebook}", timeout=180_000)
                sign_in(page)
                page.wait_for_selector(".xs-answer textarea, .xs-dots", timeout=120_000)
                time.sleep(1.5)  # let the restored answers paint
                page.screenshot(path=str(DOCS / f"{name}.png"))
                page.close()
                print(f"docs/{name}.png")
            page = joined_page(browser, base, links, 1400, 2200)
            page.goto(f"{base}/voila/render/dashboard.ipynb", timeout=180_000)
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
