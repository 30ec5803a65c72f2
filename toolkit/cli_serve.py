"""``workshop serve``: serve the participant notebooks and the read-only
dashboard to the room with Voila (see :mod:`toolkit.serve`).

    workshop serve                          this machine only, port 8866
    workshop serve --host 0.0.0.0 --pool 4  let laptops in the room connect
    workshop serve --dashboard-only         publish just the dashboard
"""

from __future__ import annotations

import argparse
from collections.abc import Callable


def cmd_serve(args: argparse.Namespace) -> int:
    from toolkit import serve

    plan = serve.plan_serve(
        args.db,
        workshop=args.workshop,
        host=args.host,
        port=args.port,
        pool=args.pool,
        cull_minutes=args.cull_minutes,
        dashboard_only=args.dashboard_only,
    )
    return serve.run(plan)


def register(verb: Callable[..., argparse.ArgumentParser]) -> None:
    """Add ``serve`` to the ``workshop`` parser."""
    from toolkit import serve

    p = verb(
        "serve",
        cmd_serve,
        "serve the participant notebooks and the dashboard with Voila",
        "Serve the participant notebooks (one per stage) and the read-only dashboard with Voila, "
        "and print the links to share. The facilitator console is never served. Runs until Ctrl-C.",
    )
    p.add_argument("--db", metavar="URL", help="store path or SQLAlchemy URL (default: $WORKSHOP_DB, else the SQLite file in ~/.local/share/intersector-workshop)")
    p.add_argument("--workshop", metavar="SLUG", help="the workshop the pages write to (default: the newest in the store)")
    p.add_argument("--host", default=serve.DEFAULT_HOST, help="address to listen on (default: %(default)s, this machine only; use 0.0.0.0 to let the room connect)")
    p.add_argument("--port", type=int, default=serve.DEFAULT_PORT, help="port (default: %(default)s)")
    p.add_argument("--pool", type=int, default=serve.DEFAULT_POOL, metavar="N", help="preheated kernels kept warm per participant page, so the first visitors do not wait; size it for the room, e.g. 8 for 40 people arriving at once; 0 turns preheating off (default: %(default)s)")
    p.add_argument("--cull-minutes", type=int, default=serve.DEFAULT_CULL_MINUTES, metavar="M", help="shut down kernels whose page was closed after M idle minutes (default: %(default)s)")
    p.add_argument("--dashboard-only", action="store_true", help="publish only the read-only dashboard")
    p.add_argument("--no-browser", action="store_true", help="accepted for habit: the server never opens a browser")
