"""Benchmark: exporting a large workshop in every format, and importing its
JSON back, against a baseline taken in the same run (reading every frame
with :func:`toolkit.frames.all_frames`).

    .venv/bin/python bench/export.py                      # 200 participants, 20,000 answers
    .venv/bin/python bench/export.py --participants 50 --answers 5000 --skip pdf
    .venv/bin/python bench/export.py --db postgresql://user@host/db   # an empty database

The workshop is synthetic and built fast through ``store.bulk_insert``
(one transaction): participants spread over the sectors and 10 tables,
every tool rated by every participant, dot votes, notes with low ratings,
text answers to random questions (some answered twice, so the history is
longer than the current answers) and 60 actions. Prints a table: seconds,
the ratio to the baseline and the size of the file written.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.exports.importer import import_file  # noqa: E402
from toolkit.exports.workshop import FORMATS, export_workshop  # noqa: E402
from toolkit.frames import all_frames  # noqa: E402
from toolkit.store import AnswerStore  # noqa: E402

WORDS = (
    "partners council grocers food bank tenants data budget trust map measure share vision meeting monthly "
    "residents corner store bus route school kitchen funding evaluation story governance manager goals"
).split()


def build(store: AnswerStore, participants: int, answers: int, seed: int = 7) -> str:
    """A synthetic workshop with exactly ``answers`` answer rows."""
    rnd = random.Random(seed)
    kit = store.kit
    ws = store.create_workshop("Benchmark workshop")
    now = time.time() - 3 * 3600
    sectors = [s.id for s in kit.sectors]
    people = []
    for i in range(participants):
        name, org, table = f"Person {i:03d}", f"Organization {i % 70:02d}", f"Table {i % 10 + 1}"
        people.append(
            {"workshop_id": ws.id, "name": name, "organization": org, "sector": sectors[i % len(sectors)], "table_name": table,
             "created": now + i}  # bulk_insert gives each a key and a resume code
        )
    store.bulk_insert(("participants", p) for p in people)
    ids = [p.id for p in store.participants(ws.slug)]
    rows: list[dict] = []

    def add(pid: int, tool: str, question: str, kind: str, value: str) -> None:
        rows.append({"workshop_id": ws.id, "participant_id": pid, "round": 1, "tool_id": tool, "question_id": question,
                     "kind": kind, "value": value, "created": now + len(rows) * 0.01})

    for pid in ids:
        for tool in kit.tools:
            score = rnd.choice((1, 2, 3, 3, 4, 4, 5, None))
            add(pid, tool.id, "", "rating", "not-sure" if score is None else str(score))
            if score is not None and score <= 2 and rnd.random() < 0.5:
                add(pid, tool.id, "", "comment", " ".join(rnd.choices(WORDS, k=12)).capitalize() + ".")
        for tool in rnd.sample(kit.tools, 2):
            add(pid, tool.id, "", "dots", "2")
    questions = [(t.id, q.id) for t in kit.tools for q in t.questions]
    while len(rows) < answers:
        tool, question = rnd.choice(questions)
        add(rnd.choice(ids), tool, question, "text", " ".join(rnd.choices(WORDS, k=rnd.randint(8, 60))).capitalize() + ".")
    del rows[answers:]
    store.bulk_insert(("answers", r) for r in rows)
    actions = [
        {"workshop_id": ws.id, "tool_id": kit.tools[i % 17].id, "what": f"Action {i}: " + " ".join(rnd.choices(WORDS, k=8)),
         "owner": f"Organization {i % 70:02d}", "owner_sector": sectors[i % len(sectors)], "due": "2026-09-30",
         "status": ("open", "in progress", "done")[i % 3], "participant_id": ids[i % len(ids)], "created": now, "updated": now}
        for i in range(60)
    ]
    store.bulk_insert(("actions", a) for a in actions)
    return ws.slug


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--answers", type=int, default=20_000)
    parser.add_argument("--skip", nargs="*", default=[], choices=FORMATS, help="formats to leave out (pdf takes the longest)")
    parser.add_argument("--db", help="an empty store URL (default: a SQLite file in a temporary folder)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        out = Path(tmp)
        store = AnswerStore(args.db or f"sqlite:///{out / 'bench.sqlite'}")
        build_s, slug = timed(lambda: build(store, args.participants, args.answers))
        all_frames(store, slug)  # warm up: imports and first-query costs are not the baseline
        base_s, frames = timed(lambda: all_frames(store, slug))
        print(f"Workshop: {args.participants} participants, {store.count_answers(slug):,} answers "
              f"({len(frames['current_answers']):,} current), {len(frames['actions'])} actions; built in {build_s:.1f} s ({store.backend})")
        print(f"Baseline: all_frames() {base_s:.2f} s\n")
        results = []
        for fmt in FORMATS:
            if fmt in args.skip:
                continue
            seconds, path = timed(lambda fmt=fmt: export_workshop(store, slug, fmt, out))
            results.append((f"export {fmt}", seconds, path.stat().st_size))
        if "json" not in args.skip:
            target = AnswerStore(f"sqlite:///{out / 'import.sqlite'}")
            seconds, result = timed(lambda: import_file(target, out / f"{slug}.json"))
            assert result.answers_added == store.count_answers(slug)
            results.append(("import json (empty SQLite store)", seconds, 0))
            seconds, result = timed(lambda: import_file(target, out / f"{slug}.json"))
            assert result.answers_added == 0
            results.append(("import json again (nothing to add)", seconds, 0))
        width = max(len(r[0]) for r in results)
        print(f"{'what':<{width}}  {'seconds':>8}  {'x baseline':>10}  {'size':>10}")
        print(f"{'-' * width}  {'-' * 8}  {'-' * 10}  {'-' * 10}")
        for what, seconds, size in results:
            shown = f"{size / 1e6:.1f} MB" if size else ""
            print(f"{what:<{width}}  {seconds:8.2f}  {seconds / base_s:10.1f}  {shown:>10}")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
