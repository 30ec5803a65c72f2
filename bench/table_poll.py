"""Benchmark: the store's read load from open pages polling for their
tablemates' answers (issue #15), against the poll a page made before
tables worked together (its participant's own rows), in the same run.

    .venv/bin/python bench/table_poll.py                   # 40 pages, 30 s each way, SQLite
    .venv/bin/python bench/table_poll.py --pages 40 --seconds 60 --db postgresql://...

Each *page* is a process of its own, as each page is a kernel of its own:
it opens the store as a page does (``busy_seconds=PAGE_BUSY_SECONDS``) and
every ``--every`` seconds (the Session's ``DEFAULT_SYNC_SECONDS``, first
at a random moment) makes the poll :meth:`widgets.session.Session.sync`
makes: with tables, one :meth:`AnswerStore.table_changes` (the table's
new answer and table answer rows) and one ``actions_version``; before,
``changes_for`` (the participant's own new rows) and ``actions_version``.
Meanwhile one writer process saves answers and table answers at
``--saves`` per second, as a room typing does. The workshop has
``--pages`` participants at tables of five and ``--history`` earlier
answers. Printed: the store statements per second the polls made, and
the latency of the poll's main statement (p50, p95, max) each way, with
the ratio of the table poll's p95 to the old poll's.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.store import AnswerStore  # noqa: E402
from toolkit.store.schema import PAGE_BUSY_SECONDS  # noqa: E402

TABLE_SIZE = 5


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] if ordered else float("nan")


def build(url: str, pages: int, history: int) -> tuple[str, list[tuple[int, str]]]:
    """A workshop with ``pages`` participants at tables of five and
    ``history`` answers already given; returns its slug and (participant id, table)."""
    store = AnswerStore(url)
    try:
        ws = store.create_workshop("Table poll bench")
        people = [
            store.add_participant(ws.slug, name=f"P{i}", organization=f"Org {i}", sector=("government", "business", "nonprofit", "community", "other")[i % 5], table=f"Table {i // TABLE_SIZE + 1}")
            for i in range(pages)
        ]
        tools = store.kit.tools
        rng = random.Random(7)
        rows = []
        for n in range(history):
            p = people[n % len(people)]
            tool = tools[rng.randrange(len(tools))]
            q = tool.questions[rng.randrange(len(tool.questions))]
            rows.append(("answers", {"workshop_id": ws.id, "participant_id": p.id, "round": 1, "tool_id": tool.id, "question_id": q.id, "kind": "text", "value": f"answer {n}", "created": time.time() - history + n}))
        store.bulk_insert(rows)
        return ws.slug, [(p.id, p.table) for p in people]
    finally:
        store.close()


def page(url: str, slug: str, who: int, table: str, mode: str, every: float, seconds: float, start: float, out) -> None:
    store = AnswerStore(url, busy_seconds=PAGE_BUSY_SECONDS)
    latencies: list[float] = []
    statements = 0
    seen = seen_table = 0
    rng = random.Random(who)
    # As a page does, start from what it showed when it opened: the
    # newest ids read then (untimed), so each timed poll reads what is new.
    if mode == "table":
        first = store.table_current(slug, table)
        seen = max((r.id for r in first.answers), default=0)
        seen_table = max((r.id for r in first.table_answers), default=0)
    else:
        seen = max((r.id for r in store.changes_for(slug, who, round=1)), default=0)
    time.sleep(max(0.0, start - time.time()) + rng.uniform(0, every))
    deadline = start + seconds
    while time.time() < deadline:
        t0 = time.perf_counter()
        if mode == "table":
            changes = store.table_changes(slug, table, round=1, after_id=seen, after_table_id=seen_table)
            seen = max([seen, *(r.id for r in changes.answers)])
            seen_table = max([seen_table, *(r.id for r in changes.table_answers)])
        else:
            rows = store.changes_for(slug, who, after_id=seen, round=1)
            seen = max([seen, *(r.id for r in rows)])
        latencies.append(time.perf_counter() - t0)
        store.actions_version(slug)
        statements += 2
        time.sleep(max(0.0, every - (time.perf_counter() - t0)))
    store.close()
    out.put((latencies, statements))


def writer(url: str, slug: str, people: list[tuple[int, str]], saves: float, seconds: float, start: float) -> None:
    store = AnswerStore(url, busy_seconds=PAGE_BUSY_SECONDS)
    tool = store.kit.tool(1)
    rng = random.Random(1)
    time.sleep(max(0.0, start - time.time()))
    n = 0
    while time.time() < start + seconds:
        who, table = people[rng.randrange(len(people))]
        q = tool.questions[n % len(tool.questions)]
        if n % 4 == 3:
            store.save_table_answer(slug, table, tool.id, q.id, f"table text {n}", participant_id=who)
        else:
            store.save_answer(slug, who, tool.id, q.id, f"typed {n}")
        n += 1
        time.sleep(1 / saves)
    store.close()


def run(url: str, slug: str, people: list[tuple[int, str]], mode: str, args: argparse.Namespace) -> tuple[list[float], int]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    start = time.time() + 10 + args.pages * 0.6  # every process started and its store opened (a busy machine spawns slowly)
    procs = [ctx.Process(target=page, args=(url, slug, who, table, mode, args.every, args.seconds, start, out)) for who, table in people]
    procs.append(ctx.Process(target=writer, args=(url, slug, people, args.saves, args.seconds, start)))
    for p in procs:
        p.start()
    results = [out.get(timeout=args.seconds + 120) for _ in people]
    for p in procs:
        p.join(timeout=60)
    latencies = [x for lat, _ in results for x in lat]
    return latencies, sum(n for _, n in results)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pages", type=int, default=40, help="open pages polling (default: %(default)s)")
    p.add_argument("--seconds", type=float, default=30.0, help="how long each way is measured (default: %(default)s)")
    p.add_argument("--every", type=float, default=2.5, help="seconds between a page's polls (default: the Session's, %(default)s)")
    p.add_argument("--saves", type=float, default=10.0, help="saves per second meanwhile (default: %(default)s)")
    p.add_argument("--history", type=int, default=20_000, help="answers already in the workshop (default: %(default)s)")
    p.add_argument("--db", help="a store URL (default: a fresh SQLite file)")
    args = p.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp(prefix='table-poll-')) / 'bench.sqlite'}"
    slug, people = build(url, args.pages, args.history)
    print(f"{args.pages} pages at {(args.pages + TABLE_SIZE - 1) // TABLE_SIZE} tables, a poll every {args.every:g} s, "
          f"{args.saves:g} saves/s, {args.history} answers before, {args.seconds:g} s each way, {url.split(':')[0]}")
    figures = {}
    for mode, label in (("own", "before #15: own rows (changes_for)"), ("table", "tables: table_changes")):
        latencies, statements = run(url, slug, people, mode, args)
        ms = [x * 1000 for x in latencies]
        figures[mode] = pct(ms, 95)
        print(f"  {label:<38} {statements / args.seconds:6.1f} statements/s  {len(ms) / args.seconds:5.1f} polls/s  "
              f"p50 {pct(ms, 50):6.2f} ms  p95 {pct(ms, 95):6.2f} ms  max {max(ms):7.2f} ms")
    print(f"  table poll p95 / own-rows poll p95: {figures['table'] / figures['own']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
