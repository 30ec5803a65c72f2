"""The rules typed text obeys before it is stored (``toolkit.store.checks``)."""

from __future__ import annotations

import datetime as dt

import pytest

from toolkit.errors import InvalidAnswer
from toolkit.store import checks


def test_clean_text_normalises_line_endings_whitespace_and_unicode():
    assert checks.clean_text("  We meet monthly.\r\n", field="answer") == "We meet monthly."
    assert checks.clean_text("a\r\nb\rc\n", field="answer") == "a\nb\nc"
    assert checks.clean_text("col1\tcol2\n\tindented", field="answer") == "col1\tcol2\n\tindented"
    assert checks.clean_text("Cafe\u0301", field="answer") == "Caf\u00e9"  # NFC
    assert checks.clean_text("", field="answer") == ""


def test_limit_counts_characters_after_cleaning():
    assert len(checks.clean_text("é" * 20_000, field="answer")) == 20_000
    assert checks.clean_text("  " + "x" * 20_000 + "\r\n", field="answer") == "x" * 20_000
    with pytest.raises(InvalidAnswer, match=r"^answer: 20,001 characters is over the limit of 20,000"):
        checks.clean_text("x" * 20_001, field="answer")
    # NFC can shorten text: 20,000 composed characters typed decomposed fit.
    assert len(checks.clean_text("e\u0301" * 20_000, field="answer")) == 20_000


@pytest.mark.parametrize("value, kind", [(None, "NoneType"), (3, "int"), (b"bytes", "bytes"), (["a"], "list")])
def test_clean_text_refuses_non_text(value, kind):
    with pytest.raises(InvalidAnswer, match=rf"^answer: expected text, got {kind}$"):
        checks.clean_text(value, field="answer")


@pytest.mark.parametrize("code", [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x80, 0x85, 0x9F])
def test_every_control_character_is_refused(code):
    with pytest.raises(InvalidAnswer) as info:
        checks.clean_text(f"ok{chr(code)}", field="answer")
    assert f"(U+{code:04X}) at position 3" in str(info.value)
    assert ("NUL" in str(info.value)) == (code == 0)


def test_single_line_and_required_fields():
    with pytest.raises(InvalidAnswer, match="title: must be a single line"):
        checks.clean_text("one\ntwo", field="title", multiline=False)
    assert checks.clean_text("one\n", field="title", multiline=False) == "one"
    with pytest.raises(InvalidAnswer, match="title: must not be empty"):
        checks.clean_text(" \n ", field="title", allow_empty=False)


def test_clean_short():
    assert checks.clean_short("  City Parks ", field="organization") == "City Parks"
    assert checks.clean_short(None, field="name", required=False) == ""
    with pytest.raises(InvalidAnswer, match="organization: must not be empty"):
        checks.clean_short("", field="organization")
    with pytest.raises(InvalidAnswer, match="organization: expected text, got NoneType"):
        checks.clean_short(None, field="organization")
    assert checks.clean_short("x" * 120, field="owner") == "x" * 120
    with pytest.raises(InvalidAnswer, match="owner: 121 characters"):
        checks.clean_short("x" * 121, field="owner")


@pytest.mark.parametrize(
    "value, expected",
    [("2026-12-31", "2026-12-31"), (" 2026-01-05 ", "2026-01-05"), (dt.date(2026, 3, 1), "2026-03-01"), (dt.datetime(2026, 3, 1, 17, 30), "2026-03-01"), (None, None), ("", None)],
)
def test_clean_date(value, expected):
    assert checks.clean_date(value, field="due date") == expected


@pytest.mark.parametrize("value", ["2026-02-30", "31/12/2026", "next week", 20261231, 3.5])
def test_clean_date_refuses(value):
    with pytest.raises(InvalidAnswer, match=r"^due date: expected a date like 2026-12-31, got "):
        checks.clean_date(value, field="due date")


@pytest.mark.parametrize(
    "title, slug",
    [
        ("Riverside Partners 2026", "riverside-partners-2026"),
        ("  Café & Co. -- Spring!  ", "cafe-co-spring"),
        ("東京", "workshop"),
        ("---", "workshop"),
        ("a" * 60, "a" * 48),
        ("word " * 20, ("word-" * 10)[:48].strip("-")),
    ],
)
def test_slugify(title, slug):
    assert checks.slugify(title) == slug
    assert len(checks.slugify(title)) <= 48
