"""``workshop people SLUG``: who signed in, with each one's resume code, on
the facilitator's own terminal (anonymous mode does not hide names here)."""

from __future__ import annotations

from toolkit import cli
from toolkit.store import AnswerStore
from toolkit.store.identity import format_resume_code


def test_people_lists_names_sectors_tables_and_codes(tmp_path, capsys):
    db = str(tmp_path / "w.sqlite")
    store = AnswerStore(db)
    ws = store.create_workshop("Riverside")
    ana = store.add_participant(ws.slug, name="Ana Ruiz", organization="Food Bank", sector="nonprofit", table="Table 1")
    anon = store.add_participant(ws.slug, organization="Port Authority", sector="government", table="Table 2")
    store.update_settings(ws.slug, anonymous=True)
    codes = [format_resume_code(store.resume_code(p.id)) for p in (ana, anon)]
    store.close()

    assert cli.main(["people", ws.slug, "--db", db]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert err == ""
    assert lines[0].split() == ["name", "organization", "sector", "table", "resume", "code"]
    assert lines[1].split() == ["Ana", "Ruiz", "Food", "Bank", "Non-profit", "Table", "1", codes[0]]
    assert lines[2].split() == ["(no", "name)", "Port", "Authority", "Government", "Table", "2", codes[1]]
    assert lines[3].startswith("2 participants.")

    assert cli.main(["people", ws.slug, "--find", "port", "--db", db]) == 0
    out, _ = capsys.readouterr()
    assert codes[1] in out and codes[0] not in out and "1 of 2 participants" in out


def test_people_of_an_empty_or_unknown_workshop(tmp_path, capsys):
    db = str(tmp_path / "w.sqlite")
    AnswerStore(db).create_workshop("Quiet")
    assert cli.main(["people", "quiet", "--db", db]) == 0
    assert capsys.readouterr().out == "Nobody has signed in to quiet yet.\n"
    assert cli.main(["people", "nope", "--db", db]) == 2  # failed: no such workshop
    assert "unknown workshop 'nope'" in capsys.readouterr().err
