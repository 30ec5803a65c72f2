"""Many kernels writing to one store at the same moment lose nothing.

Each writer is a separate Python process (as each participant's kernel is),
opens its own ``AnswerStore`` from the URL, signs in, says "ready", and waits
for "go" on stdin, so all of them start writing together.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sqlalchemy as sa

from toolkit.store import AnswerStore

WRITERS = 8
ANSWERS_EACH = 200

WORKER = r"""
import json, sys, time
from toolkit.store import AnswerStore

url, slug, n, me = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
store = AnswerStore(url)
questions = [q for tool in store.kit.tools for q in tool.questions]
print("ready", flush=True)
sys.stdin.readline()
started = time.perf_counter()
# Everyone signs the same person in at once (one row must result), then
# signs themselves in and saves their answers.
same = store.add_participant(slug, name="Same Person", organization="Org", sector="business", table="T0")
person = store.add_participant(slug, name=f"Writer {me}", organization="Org", sector="business", table=f"T{me + 1}")
for i in range(n):
    q = questions[i % len(questions)]
    store.save_answer(slug, person.id, q.tool_id, q.id, f"writer {me} answer {i}")
print(json.dumps({"same": same.id, "participant": person.id, "seconds": time.perf_counter() - started}), flush=True)
"""


def run_together(script: str, *args: str) -> list[dict]:
    """Start 8 processes of ``script`` (argv: ``*args``, then its number),
    wait until every one is ready, release them at once; return the JSON
    each printed last. Fails with a process's stderr."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, *args, str(me)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for me in range(WRITERS)
    ]
    try:
        for proc in procs:
            line = proc.stdout.readline()
            if line.strip() != "ready":
                _, err = proc.communicate(timeout=30)
                pytest.fail(f"a writer did not start: {err}")
        for proc in procs:  # the barrier: every writer is waiting on stdin
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            assert "Traceback" not in err and "Error" not in err, err
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.mark.slow
def test_8_writers_200_answers_each_lose_nothing(store_url):
    store = AnswerStore(store_url)
    ws = store.create_workshop("Busy Workshop")
    results = run_together(WORKER, store_url, ws.slug, str(ANSWERS_EACH))

    # The same person signed in by 8 kernels at once is one participant.
    assert len({r["same"] for r in results}) == 1
    people = [r["participant"] for r in results]
    assert len(set(people)) == WRITERS
    assert len(store.participants(ws.slug)) == WRITERS + 1

    assert store.count_answers(ws.slug) == WRITERS * ANSWERS_EACH == 1600
    rows = store.answer_rows(ws.slug)
    assert len(rows) == 1600 and rows.id.is_unique
    assert rows.groupby("participant_id").size().to_dict() == {p: ANSWERS_EACH for p in sorted(people)}
    n_questions = sum(len(t.questions) for t in store.kit.tools)
    # Every writer's own order is kept, and the current answer is its last.
    for me, person in enumerate(people):
        mine = rows[rows.participant_id == person]
        assert list(mine.value) == [f"writer {me} answer {i}" for i in range(ANSWERS_EACH)]
        current = store.current_for(ws.slug, person)
        assert len(current) == min(ANSWERS_EACH, n_questions)
        assert f"writer {me} answer {ANSWERS_EACH - 1}" in current.values()
    # The writes really overlapped: one writer's rows are not one block.
    first = rows[rows.participant_id == people[0]].id
    assert first.max() - first.min() + 1 > ANSWERS_EACH
    store.close()
    slowest = max(r["seconds"] for r in results)
    print(f"\n{store.backend}: {WRITERS} writers x {ANSWERS_EACH} answers, slowest writer {slowest:.1f} s")


OPENER = r"""
import json, sys
from toolkit.store import AnswerStore

print("ready", flush=True)
sys.stdin.readline()
store = AnswerStore(sys.argv[1])
print(json.dumps({"workshops": len(store.workshops())}), flush=True)
"""


@pytest.mark.slow
def test_8_kernels_opening_a_new_store_at_once(store_url):
    """The first kernels of a workshop may all find the store empty and
    create the tables together: none may fail, and one set of tables results."""
    results = run_together(OPENER, store_url)
    assert results == [{"workshops": 0}] * WRITERS
    engine = sa.create_engine(store_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT value FROM meta WHERE key = 'schema_version'")).scalars().all() == ["2"]
    engine.dispose()
    store = AnswerStore(store_url)
    assert store.create_workshop("After The Rush").slug == "after-the-rush"
    store.close()
