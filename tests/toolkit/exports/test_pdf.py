"""PDFs printed by Debian's headless Chromium: the demo planning guide opens,
has a section per stage over several pages, an anonymous guide shows no
names, the handout prints, and a missing Chromium says how to install it.

Read back with poppler-utils (``pdfinfo``, ``pdftotext``), which
``scripts/setup.sh --test`` installs."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest

from toolkit import cli
from toolkit.exports import pdf
from toolkit.exports.workshop import export_handout, export_workshop
from toolkit.store.demo import create_demo

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def poppler():
    missing = [t for t in ("pdfinfo", "pdftotext") if shutil.which(t) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found; install poppler-utils (bash scripts/setup.sh --test)", pytrace=False)


def pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)$", info, flags=re.M).group(1))


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def page_texts(path) -> list[str]:
    return pdf_text(path).split("\f")


def squeezed(text: str) -> str:
    """Text without whitespace: letter-spaced kickers ("STAGE 1 OF 4") come
    out of pdftotext as "S TA G E 1 O F 4"."""
    return re.sub(r"\s+", "", text)


def test_demo_planning_guide_pdf(poppler, sqlite_store, kit, tmp_path):
    ws = create_demo(sqlite_store)
    path = export_workshop(sqlite_store, ws.slug, "pdf", tmp_path / "guide.pdf", today=dt.date(2026, 5, 4))
    assert path.read_bytes()[:5] == b"%PDF-"
    pages = pdf_pages(path)
    assert pages >= 4
    texts = page_texts(path)
    first = texts[0]
    assert "PLANNING GUIDE" in first and ws.title in first and "Prepared 4 May 2026" in first
    assert "Readiness at a glance" in first and f"Page 1 of {pages}" in first
    # One section per stage, each starting a page, in order.
    starts = []
    for stage in kit.stages:
        page = next(i for i, t in enumerate(texts) if f"STAGE{stage.number}OF4" in squeezed(t))
        assert re.search(rf"^\s*{stage.title}\s*$", texts[page], flags=re.M)
        assert squeezed(texts[page]).startswith(f"STAGE{stage.number}OF4{stage.title}")
        starts.append(page)
    assert starts == sorted(starts) and len(set(starts)) == 4
    whole = re.sub(r"\s+", " ", "".join(texts))
    for tool in kit.tools:
        assert tool.name in whole
    for section in ("Priorities", "Action register", "Participants"):
        assert section in whole
    assert "Amira Haddad" in whole  # names shown when the workshop is not anonymous


def test_anonymous_pdf_has_no_names(poppler, sqlite_store, tmp_path):
    ws = create_demo(sqlite_store)
    sqlite_store.update_settings(ws.slug, anonymous=True)
    names = [p.name for p in sqlite_store.participants(ws.slug) if p.name]
    text = re.sub(r"\s+", " ", pdf_text(export_workshop(sqlite_store, ws.slug, "pdf", tmp_path / "anon.pdf")))
    assert len(names) >= 8
    for name in names:
        assert name not in text
    assert "participants are counted per sector" in text
    assert "Total 12" in text


def test_handout_pdf(poppler, kit, tmp_path, capsys):
    out = tmp_path / "handout.pdf"
    assert cli.main(["handout", "--format", "pdf", "--output", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    pages = pdf_pages(out)
    assert pages >= 17
    texts = page_texts(out)
    stage_pages = [next(i for i, t in enumerate(texts) if squeezed(t).startswith(f"STAGE{s.number}OF4{s.title}")) for s in kit.stages]
    assert stage_pages == sorted(stage_pages) and len(set(stage_pages)) == 4
    whole = re.sub(r"\s+", " ", "".join(texts))
    for tool in kit.tools:
        assert tool.name in whole
    glossary = next(i for i, t in enumerate(texts) if t.lstrip().startswith("Glossary\n"))
    assert glossary > stage_pages[-1]
    assert all(term.term in re.sub(r"\s+", " ", "".join(texts[glossary:])) for term in kit.glossary)
    assert squeezed(whole).count("PROVISIONAL") >= sum(t.provisional for t in kit.tools)


def test_missing_chromium_says_how_to_install_it(sqlite_store, tmp_path, monkeypatch):
    ws = sqlite_store.create_workshop("No browser here")
    monkeypatch.delenv(pdf.CHROMIUM_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(pdf.PdfError) as err:
        export_workshop(sqlite_store, ws.slug, "pdf", tmp_path / "out" / "g.pdf")
    assert str(err.value) == "making a PDF needs Chromium, which was not found on PATH; install it: apt-get install chromium"
    assert list((tmp_path / "out").iterdir()) == []  # no half-written file
    monkeypatch.setenv(pdf.CHROMIUM_ENV, "/nowhere/chromium")
    with pytest.raises(pdf.PdfError, match=r"\$WORKSHOP_CHROMIUM names '/nowhere/chromium', which is not an executable"):
        pdf.find_chromium()


def test_chromium_command_is_isolated(tmp_path):
    cmd = pdf.chromium_command("/usr/bin/chromium", tmp_path / "in.html", tmp_path / "out.pdf", tmp_path / "profile")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-pdf-header-footer"):
        assert flag in cmd
    assert f"--user-data-dir={tmp_path / 'profile'}" in cmd and f"--print-to-pdf={tmp_path / 'out.pdf'}" in cmd
    assert cmd[-1] == (tmp_path / "in.html").as_uri()


def test_chromium_failure_is_reported(tmp_path, monkeypatch):
    fake = tmp_path / "fake-chromium"
    fake.write_text("#!/bin/sh\necho 'something broke' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(fake))
    with pytest.raises(pdf.PdfError) as err:
        pdf.html_to_pdf("<p>x</p>", tmp_path / "x.pdf")
    assert str(err.value) == "Chromium could not print the PDF (exit code 3):\nsomething broke"
    assert not (tmp_path / "x.pdf").exists()


def test_handout_html_needs_no_chromium(kit, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(pdf.CHROMIUM_ENV, raising=False)
    path = export_handout(kit, "html", tmp_path)
    assert path.name == "intersector-toolkit-handout.html" and path.stat().st_size > 50_000
