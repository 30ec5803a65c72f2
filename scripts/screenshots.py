"""Regenerate the README's screenshots: each stage workbook, the priorities
page and the dashboard, as Voila serves them on the demo workshop, in
Debian's Chromium.

    .venv/bin/python scripts/screenshots.py          # writes docs/*.png
    .venv/bin/python scripts/screenshots.py --narrow # only the 320 px ones
    .venv/bin/python scripts/screenshots.py --tool   # only the first screens of a tool

``--tables`` takes only a table working together (issue #15):
``docs/tables-page.png``, a participant's page with what tablemates wrote
under a question and the table's answer, and ``docs/tables-report.png``,
the dashboard's report-back.

``--narrow`` takes only a stage page and the dashboard at 320 px wide
(``docs/a11y-stage-320.png``, ``docs/a11y-dashboard-320.png``: issue #17,
reflow on a phone). ``--tool`` takes only the first screen a participant
sees after signing in, on a tool, at 1366x768 (``docs/tool-1366.png``),
1920x1080 (``docs/tool-1920.png``) and on a 390x844 phone
(``docs/tool-phone.png``), and the dot vote on that phone
(``docs/priorities-phone.png``): issue #19, the work comes first. Uses a throw-away store and a free port; touches
nothing but docs/. The demo and the server run with their defaults
(ratings revealed, the dashboard refreshing every 5 s), so the pictures
show what a facilitator sees after ``bash scripts/start.sh``; each browser
joins the room with the join link, and the dashboard opens with its own
link, as a facilitator does.
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


def joined_page(browser, base: str, links: tuple[str, str], width: int, height: int, where: str):
    """A page in a fresh browser that followed the join link (``links``:
    the join link, the dashboard's link) on to ``where``."""
    join, dashboard = links
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    if where == dashboard:
        page.goto(base + dashboard, timeout=180_000)
    else:
        page.goto(f"{base}{join}?next={where}", timeout=180_000)
    return page


def narrow(browser, base: str, links: tuple[str, str], code: str) -> None:
    """A stage page (signed in, a tool's rating chosen, the keyboard focus
    on the next choice) and the dashboard, 320 px wide."""
    page = joined_page(browser, base, links, 320, 2200, "/voila/render/stage-1-diagnosis.ipynb")
    sign_in(page, code)
    page.wait_for_selector(".xs-signed-in", timeout=120_000)
    # A phone's tool list is the "Tool" picker.
    picker = ".xs-tool-picker select"
    index = page.eval_on_selector(picker, "s => [...s.options].findIndex(o => o.text.replace(/\s/g, ' ').includes('Account for Resources'))")
    page.select_option(picker, index=index)
    radios = ".xs-tool-account-for-resources .xs-rating input[type=radio]"
    page.wait_for_selector(radios, timeout=120_000)
    page.focus(radios)
    page.keyboard.press("ArrowRight")  # the ring shows where the keyboard is
    time.sleep(1.5)
    page.evaluate("document.querySelector('.xs-tool-account-for-resources .xs-rating-block').scrollIntoView()")
    page.screenshot(path=str(DOCS / "a11y-stage-320.png"))
    page.close()
    print("docs/a11y-stage-320.png")
    page = joined_page(browser, base, links, 320, 2200, links[1])
    page.wait_for_selector(".xs-heatmap-grid", timeout=180_000)
    time.sleep(3)
    page.screenshot(path=str(DOCS / "a11y-dashboard-320.png"))
    page.close()
    print("docs/a11y-dashboard-320.png")


#: The first screens of issue #19: (file, width, height).
FIRST_SCREENS = (("tool-1366", 1366, 768), ("tool-1920", 1920, 1080), ("tool-phone", 390, 844))


def first_screens(browser, base: str, links: tuple[str, str], code: str) -> None:
    """What a participant sees first after signing in on a stage page, the
    page scrolled to its top (the sign-in moves the focus into the first
    box; the picture shows the page as laid out, not as scrolled), and the
    dot vote on a phone with a few dots placed."""
    for name, width, height in FIRST_SCREENS:
        page = joined_page(browser, base, links, width, height, "/voila/render/stage-2-design.ipynb")
        sign_in(page, code)
        page.wait_for_selector(".xs-signed-in", state="visible", timeout=120_000)
        page.wait_for_selector(".xs-tool-panel .xs-answer textarea", state="visible", timeout=120_000)
        time.sleep(2)  # the restored answers and "All your answers … saved" paint
        # Voila scrolls a panel, not the window: every scrolled box back to its top.
        page.evaluate("() => { document.activeElement && document.activeElement.blur(); "
                      "for (const el of document.querySelectorAll('*')) if (el.scrollTop > 0) el.scrollTop = 0; window.scrollTo(0, 0); }")
        time.sleep(0.3)
        page.screenshot(path=str(DOCS / f"{name}.png"))
        page.close()
        print(f"docs/{name}.png")
    page = joined_page(browser, base, links, 390, 844, "/voila/render/priorities.ipynb")
    sign_in(page, code)
    page.wait_for_selector(".xs-dot-add:not([disabled])", timeout=120_000)
    time.sleep(2)
    page.evaluate("document.querySelector('.xs-dots-remaining').scrollIntoView()")
    time.sleep(0.3)
    page.screenshot(path=str(DOCS / "priorities-phone.png"))
    page.close()
    print("docs/priorities-phone.png")


def table_answers(db: Path) -> None:
    """A table answer for :data:`WHO`'s table and the next one, written by a
    tablemate, so the pages and the report-back have something to show."""
    from toolkit.store import AnswerStore

    store = AnswerStore(str(db))
    try:
        people = store.participants("demo")
        me = next(p for p in people if p.name == WHO)
        mate = next(p for p in people if p.table == me.table and p.id != me.id)
        tool = store.kit.tool(1)
        mine = store.current_for("demo", me.id).get(("text", tool.id, tool.questions[0].id), "")
        store.save_table_answer("demo", me.table, tool.id, tool.questions[0].id,
                                (mine + "\n\n" if mine else "") + "Then the port authority: they own the quay we need.", participant_id=mate.id)
        other = next(p for p in people if p.table != me.table)
        store.save_table_answer("demo", other.table, tool.id, tool.questions[0].id,
                                "The food bank's volunteers, then the schools' kitchens.", participant_id=other.id)
    finally:
        store.close()


def tables(browser, base: str, links: tuple[str, str], code: str) -> None:
    """A participant's page with their table's part of the first question,
    and the dashboard's report-back."""
    page = joined_page(browser, base, links, 1280, 1300, "/voila/render/stage-1-diagnosis.ipynb")
    sign_in(page, code)
    page.wait_for_selector(".xs-table-question-epp-1 .xs-tablemate", timeout=180_000)
    time.sleep(2)
    page.evaluate("document.querySelector('.xs-question-epp-1').scrollIntoView()")
    page.screenshot(path=str(DOCS / "tables-page.png"))
    page.close()
    print("docs/tables-page.png")
    page = joined_page(browser, base, links, 1400, 1000, links[1])
    page.wait_for_selector(".xs-report-table", timeout=180_000)
    time.sleep(2)
    page.locator(".xs-dash-report-card").screenshot(path=str(DOCS / "tables-report.png"))
    page.close()
    print("docs/tables-report.png")


def main() -> int:
    only_narrow = "--narrow" in sys.argv[1:]
    only_tool = "--tool" in sys.argv[1:]
    only_tables = "--tables" in sys.argv[1:]
    tmp = Path(tempfile.mkdtemp(prefix="workshop-shots-"))
    db = tmp / "demo.sqlite"
    workshop = ROOT / ".venv" / "bin" / "workshop"
    subprocess.run([str(workshop), "demo", "--db", str(db), "--create-folder"], check=True, stdout=subprocess.DEVNULL)
    codes = subprocess.run([str(workshop), "code", "demo", "--db", str(db)], check=True, capture_output=True, text=True).stdout
    join = re.search(r"Join link: (/join/\S+)", codes).group(1)
    dashboard = re.search(r"Dashboard link: (/dashboard/\S+)", codes).group(1)
    code = resume_code(workshop, db)
    table_answers(db)
    port = free_port()
    server = subprocess.Popen([str(workshop), "serve", "--db", str(db), "--workshop", "demo", "--port", str(port), "--pool", "0"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/join")
        links = (join, dashboard)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=list(CHROMIUM_ARGS))
            if only_tool:
                first_screens(browser, base, links, code)
                browser.close()
                return 0
            if only_tables:
                tables(browser, base, links, code)
                browser.close()
                return 0
            narrow(browser, base, links, code)
            first_screens(browser, base, links, code)
            tables(browser, base, links, code)
            if only_narrow:
                browser.close()
                return 0
            for name, notebook in PAGES.items():
                page = joined_page(browser, base, links, 1280, 1700, f"/voila/render/{notebook}")
                sign_in(page, code)
                page.wait_for_selector(".xs-answer textarea, .xs-dots", timeout=120_000)
                time.sleep(1.5)  # let the restored answers paint
                page.screenshot(path=str(DOCS / f"{name}.png"))
                page.close()
                print(f"docs/{name}.png")
            page = joined_page(browser, base, links, 1400, 2200, links[1])  # the projector's own link
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
