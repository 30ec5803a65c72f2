"""The room's verbs on the command line: new --plan, plan, timer, lock
--in and lock priorities, hide-answer / show-answer / hidden-answers,
group-size, present; what each prints and its one-line refusals."""

from __future__ import annotations

import pytest

from toolkit import cli, content
from toolkit.store import AnswerStore


@pytest.fixture(autouse=True)
def _packaged_content(monkeypatch):
    monkeypatch.delenv(content.CONTENT_ENV, raising=False)


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "room.sqlite")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_new_with_a_plan_and_changing_it(capsys, db):
    code, out, _ = run(capsys, "new", "Harbour Compact", "--plan", "half-day", "--db", db)
    assert code == 0 and out.splitlines()[0] == "harbour-compact"
    assert "today's plan from the template 'diagnosis-and-design'" in out and " 2 Share a Vision of Success  (Diagnosis, 25 min)" in out
    code, out, _ = run(capsys, "plan", "harbour-compact", "--tools", "3,1:15", "--db", db)
    assert code == 0 and out.splitlines()[1:] == [
        "   1.  3 Assess the History of Addressing the Issue  (Diagnosis, 30 min)",
        "   2.  1 Engage Potential Partners  (Diagnosis, 15 min)",
    ]
    assert "(by hand), 45 minutes" in out
    code, out, _ = run(capsys, "plan", "harbour-compact", "--clear", "--db", db)
    assert "no plan; every tool is in scope" in out
    code, _, err = run(capsys, "plan", "harbour-compact", "--tools", "1:x", "--db", db)
    assert code == 2 and err.strip() == "workshop plan: --tools: '1:x': minutes after ':' must be a whole number, such as 4:30"
    code, _, err = run(capsys, "new", "Other", "--plan", "brunch", "--db", db)
    assert code == 2 and err.startswith("workshop new: plan: unknown agenda template 'brunch' (known: first-meeting (First meeting), ")
    assert [w.slug for w in AnswerStore(db).workshops()] == ["harbour-compact"]  # nothing made on a bad plan


def test_timer_locks_and_the_vote(capsys, db):
    run(capsys, "new", "Harbour Compact", "--db", db)
    code, out, _ = run(capsys, "timer", "harbour-compact", "10m", "--db", db)
    assert code == 0 and out.startswith("Timer: 10:00 on every page, ends at ")
    assert "timer 10:00 left" in out or "timer 9:59 left" in out
    code, out, _ = run(capsys, "timer", "harbour-compact", "stop", "--db", db)
    assert "timer" not in out.split("plan:", 1)[1]
    code, _, err = run(capsys, "timer", "harbour-compact", "soon", "--db", db)
    assert code == 2 and err.strip() == "workshop timer: timer: expected a time such as 10m, 90s, 1h or 1m30s, got 'soon'"
    code, out, _ = run(capsys, "lock", "harbour-compact", "design", "--in", "2m", "--db", db)
    assert out.startswith("Design locks in 2:00; every page counts down.") and "Design open (locks in " in out
    code, out, _ = run(capsys, "lock", "harbour-compact", "priorities", "--db", db)
    assert code == 0 and "dot vote closed" in out
    code, out, _ = run(capsys, "open", "harbour-compact", "vote", "--db", db)
    assert "dot vote open" in out
    code, out, _ = run(capsys, "lock", "harbour-compact", "dots", "--in", "90s", "--db", db)
    assert out.startswith("The dot vote closes in 1:30") and "dot vote open (closes in " in out
    code, _, err = run(capsys, "lock", "harbour-compact", "dessert", "--db", db)
    assert code == 2 and "unknown stage 'dessert'" in err


def test_hiding_an_answer_group_size_and_the_presenter(capsys, db):
    run(capsys, "new", "Harbour Compact", "--db", db)
    store = AnswerStore(db)
    p = store.add_participant("harbour-compact", organization="Port", sector="business", table="T1")
    a = store.save_answer("harbour-compact", p.id, "engage-potential-partners", "epp-1", "Wrong box, sorry")
    code, out, _ = run(capsys, "hide-answer", "harbour-compact", str(a.id), "--db", db)
    assert code == 0 and out.startswith(f"Answer {a.id} is hidden from the dashboard") and "1 hidden answer" in out
    code, out, _ = run(capsys, "hidden-answers", "harbour-compact", "--db", db)
    assert f"{a.id:>8}    1  Wrong box, sorry" in out
    code, out, _ = run(capsys, "show-answer", "harbour-compact", str(a.id), "--db", db)
    assert out.startswith(f"Answer {a.id} is shown again.")
    code, _, err = run(capsys, "show-answer", "harbour-compact", str(a.id), "--db", db)
    assert code == 2 and err.strip() == f"workshop show-answer: answer {a.id} is not hidden in 'harbour-compact' (hidden: none)"
    code, out, _ = run(capsys, "group-size", "harbour-compact", "4", "--db", db)
    assert "a sector's mean needs 4 raters" in out
    code, _, err = run(capsys, "group-size", "harbour-compact", "0", "--db", db)
    assert code == 2 and "settings.min_group: expected a group size of 1 to 50, got 0" in err
    code, out, _ = run(capsys, "present", "harbour-compact", "feed", "--db", db)
    assert out.strip() == "Presenter view: feed" and AnswerStore(db).workshop("harbour-compact").settings.screen == "feed"
    code, out, _ = run(capsys, "present", "harbour-compact", "auto", "--db", db)
    assert AnswerStore(db).workshop("harbour-compact").settings.screen == ""
