"""Many kernels using one store at the same moment lose nothing.

Each writer is a separate Python process (as each participant's kernel is)
with its own ``AnswerStore`` made from the URL. Two barriers, driven over
stdin, make the processes act together:

1. "open": all open the still empty store at once, so they race to create
   the tables (the first kernels of a workshop do);
2. "write <slug>": once the test has created the workshop, all sign the
   same person in at once (one participant must result), then sign
   themselves in and save 200 answers each, together.

The whole burst runs once per backend; starting 8 interpreters is most of
its cost, so the three checks share it.

Then the writes that read before they write (a dot budget, a free slug),
by threads with connections of their own, started together while the
table they write is held, so that each must see what the others wrote.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

import pytest
import sqlalchemy as sa

from toolkit.errors import InvalidAnswer
from toolkit.store import AnswerStore, schema

WRITERS = 8
ANSWERS_EACH = 200

WORKER = r"""
import json, sys, time
from toolkit.store import AnswerStore, schema

url, n, me = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
print("ready", flush=True)
sys.stdin.readline()                      # barrier 1: open the empty store together
store = AnswerStore(url)
questions = [q for tool in store.kit.tools for q in tool.questions]
print(json.dumps({"workshops": len(store.workshops())}), flush=True)
slug = sys.stdin.readline().split()[1]    # barrier 2: "write <slug>"
started = time.perf_counter()
# One browser (one device token) in 8 tabs signs in at once; then each
# writer is someone else, with the same details as the others but no secret.
same = store.add_participant(slug, name="Same Person", organization="Org", sector="business", table="T0", device="one-browser-" + "x" * 32)
person = store.add_participant(slug, name="Writer", organization="Org", sector="business", table="T1")
for i in range(n):
    q = questions[i % len(questions)]
    store.save_answer(slug, person.id, q.tool_id, q.id, f"writer {me} answer {i}")
print(json.dumps({"same": same.id, "participant": person.id, "seconds": time.perf_counter() - started}), flush=True)
"""


def _line(proc: subprocess.Popen, what: str) -> str:
    line = proc.stdout.readline()
    if not line:
        _, err = proc.communicate(timeout=30)
        pytest.fail(f"a writer stopped before {what}:\n{err}")
    return line.strip()


def _release(procs: list[subprocess.Popen], message: str) -> None:
    for proc in procs:
        stdin: IO[str] = proc.stdin  # type: ignore[assignment]
        stdin.write(message + "\n")
        stdin.flush()


@pytest.mark.slow
def test_8_processes_open_sign_in_and_save_200_answers_each_at_once(store_url):
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, store_url, str(ANSWERS_EACH), str(me)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for me in range(WRITERS)
    ]
    try:
        assert [_line(p, "ready") for p in procs] == ["ready"] * WRITERS

        # 1. All open the empty store at once: none fails, one set of tables.
        _release(procs, "open")
        assert [json.loads(_line(p, "opening the store")) for p in procs] == [{"workshops": 0}] * WRITERS
        engine = sa.create_engine(store_url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT value FROM meta WHERE key = 'schema_version'")).scalars().all() == [str(schema.SCHEMA_VERSION)]
        engine.dispose()

        # 2. All sign in and write at once.
        store = AnswerStore(store_url)
        ws = store.create_workshop("Busy Workshop")
        _release(procs, f"write {ws.slug}")
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            assert "Traceback" not in err and "Error" not in err, err
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    # One device signed in by 8 kernels at once is one participant; 8
    # people typing the same details without a secret are 8 participants,
    # each with their own resume code.
    assert len({r["same"] for r in results}) == 1
    people = [r["participant"] for r in results]
    assert len(set(people)) == WRITERS
    assert len(store.participants(ws.slug)) == WRITERS + 1
    codes = [p.resume_code for p in store.people(ws.slug)]
    assert len(set(codes)) == WRITERS + 1 and all(len(c) == 8 for c in codes)

    # Exactly 1,600 answers, each writer's 200 in its own order.
    assert store.count_answers(ws.slug) == WRITERS * ANSWERS_EACH == 1600
    rows = store.answer_rows(ws.slug)
    assert len(rows) == 1600 and rows.id.is_unique
    assert rows.groupby("participant_id").size().to_dict() == {p: ANSWERS_EACH for p in sorted(people)}
    n_questions = sum(len(t.questions) for t in store.kit.tools)
    for me, person in enumerate(people):
        mine = rows[rows.participant_id == person]
        assert list(mine.value) == [f"writer {me} answer {i}" for i in range(ANSWERS_EACH)]
        current = store.current_for(ws.slug, person)
        assert len(current) == min(ANSWERS_EACH, n_questions)
        assert f"writer {me} answer {ANSWERS_EACH - 1}" in current.values()
    # The writes really overlapped: some writer's rows are not one block
    # (any one writer may, on a busy machine, run alone from start to end).
    spans = [int(ids.max() - ids.min() + 1) for ids in (rows[rows.participant_id == p].id for p in people)]
    assert max(spans) > ANSWERS_EACH, spans
    store.close()
    slowest = max(r["seconds"] for r in results)
    print(f"\n{store.backend}: {WRITERS} writers x {ANSWERS_EACH} answers, slowest writer {slowest:.1f} s")


# --------------------------------------------------------------------------
# Read-then-write races: each writer's check sees what the others wrote.


class _HeldWrites:
    """Writes to ``table`` held back by another connection while writers
    start, then let go at once, so every writer has begun before any
    commits.

    PostgreSQL: ``LOCK TABLE ... IN EXCLUSIVE MODE`` lets the writers read
    but stops their inserts; :meth:`release` waits until ``writers`` of them
    are blocked on a lock (``pg_stat_activity``). A writer that checks a
    budget without holding anything would read the same state as the
    others, and all would pass. SQLite: a held ``BEGIN IMMEDIATE``; writers
    wait in their own ``BEGIN IMMEDIATE`` and then run one at a time."""

    def __init__(self, url: str, table: str, writers: int):
        from toolkit.store import schema

        self.url, self.writers = url, writers
        self.postgres = url.startswith("postgresql")
        self.engine = schema.make_engine(url)
        self.conn = self.engine.connect()
        self.trans = self.conn.begin()
        if self.postgres:
            self.conn.execute(sa.text(f"LOCK TABLE {table} IN EXCLUSIVE MODE"))

    def release(self) -> None:
        if self.postgres:
            watch = sa.create_engine(self.url)
            query = sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
            deadline = time.monotonic() + 60
            with watch.connect() as conn:
                while conn.execute(query).scalar_one() < self.writers:
                    assert time.monotonic() < deadline, "the writers never blocked on the held lock"
                    time.sleep(0.05)
            watch.dispose()
        else:
            time.sleep(0.5)  # the writers are waiting in BEGIN IMMEDIATE
        self.trans.rollback()
        self.conn.close()
        self.engine.dispose()


def _all_at_once(url: str, table: str, calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` in threads together while ``table``'s writes are held;
    each call's result, or the exception it raised."""
    held = _HeldWrites(url, table, len(calls))
    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        held.release()
        return [f.exception(timeout=120) or f.result() for f in futures]


def test_dot_saves_at_once_never_exceed_the_budget(store_url):
    setup = AnswerStore(store_url)
    ws = setup.create_workshop("Dot vote")
    person = setup.add_participant(ws.slug, name="Ana", organization="Org", sector="business", table="T1")
    tools = [t.id for t in setup.kit.tools[:4]]
    # Four kernels of the same participant (four tabs), each with its own
    # connection, each placing 2 dots on another tool: budget 5, 2 fit.
    stores = [AnswerStore(store_url) for _ in tools]
    outcomes = _all_at_once(store_url, "answers", [lambda s=s, t=t: s.save_dots(ws.slug, person.id, {t: 2}) for s, t in zip(stores, tools)])
    saved = [o for o in outcomes if isinstance(o, list)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(saved) == 2 and len(refused) == 2, outcomes
    assert all(isinstance(e, InvalidAnswer) and str(e) == "dots: 6 dots placed but each participant has 5; take some back first" for e in refused), refused
    current = {tool: int(v) for (kind, tool, _), v in setup.current_for(ws.slug, person.id).items() if kind == "dots"}
    assert sum(current.values()) == 4 and set(current.values()) == {2}
    assert setup.count_answers(ws.slug) == 2
    for s in [setup, *stores]:
        s.close()


def test_workshops_with_one_title_created_at_once_get_their_own_slugs(store_url):
    setup = AnswerStore(store_url)
    stores = [AnswerStore(store_url) for _ in range(4)]
    outcomes = _all_at_once(store_url, "workshops", [lambda s=s: s.create_workshop("Spring Session") for s in stores])
    assert sorted(w.slug for w in outcomes) == ["spring-session", "spring-session-2", "spring-session-3", "spring-session-4"], outcomes
    # A slug asked for by two at once: one gets it, the other is told.
    outcomes = _all_at_once(store_url, "workshops", [lambda s=s: s.create_workshop("Autumn", slug="autumn") for s in stores[:2]])
    made = [o for o in outcomes if not isinstance(o, Exception)]
    assert [w.slug for w in made] == ["autumn"], outcomes
    assert [str(o) for o in outcomes if isinstance(o, Exception)] == ["workshop slug: 'autumn' is already used by another workshop"]
    assert len(setup.workshops()) == 5
    for s in [setup, *stores]:
        s.close()
