"""``workshop serve``: serve the content's pages (one per stage, the
priorities page) and the read-only dashboard to the room with Voila (see
:mod:`toolkit.serve`); ``workshop pages``: write those pages to a folder.

    workshop serve                          this machine only, port 8866
    workshop serve --host 0.0.0.0 --pool 4  let laptops in the room connect
    workshop serve --dashboard-only         publish just the dashboard
    workshop serve --host 0.0.0.0 --pool-for diagnosis=20
                                            the room opens stage 1 first
    workshop serve --base-url /services/workshop/
                                            behind a hub's proxy
    workshop serve --content edited.yaml    serve an edited content file
    workshop serve --max-kernels 60         cap the kernels (default: from memory)
    workshop serve --dashboard-only --public-dashboard
                                            publish an anonymous dashboard to anyone
    workshop pages --output notebooks       the pages, to open in JupyterLab

It prints the participants' join link and code and the dashboard's own
link once the server answers them, then "Ready" once every preheated
kernel has run its page; ``workshop code SLUG`` prints them again
(``--new`` for a new code). Ctrl-C stops it at any moment, with exit
status 0.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from toolkit.cli.context import add_db_option, content_of


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        return _serve(args)
    except KeyboardInterrupt:  # Ctrl-C is how a facilitator stops serving, at any moment
        sys.stdout.write("Stopped.\n")
        return 0


def _serve(args: argparse.Namespace) -> int:
    from toolkit import serve
    plan = serve.plan_serve(
        args.db,
        kit=content_of(args),
        workshop=args.workshop,
        host=args.host,
        port=args.port,
        pool=args.pool,
        pool_for=args.pool_for,
        refill_seconds=args.refill_seconds,
        cull_minutes=args.cull_minutes,
        dashboard_only=args.dashboard_only,
        base_url=args.base_url,
        max_kernels=args.max_kernels,
        max_kernels_per_page=args.max_kernels_per_page,
        unconnected_seconds=args.unconnected_seconds,
        public_dashboard=args.public_dashboard,
        allow_hosts=args.allow_host,
    )
    return serve.run(plan)


def cmd_pages(args: argparse.Namespace) -> int:
    from toolkit import serve

    pages = serve.site_pages(content_of(args))
    folder = serve.write_pages(pages, args.output)
    for page in pages:
        sys.stdout.write(f"{folder / page.name}\n")
    return 0


def register(verb: Callable[..., argparse.ArgumentParser]) -> None:
    """Add ``serve`` to the ``workshop`` parser."""
    from toolkit import serve
    p = verb(
        "serve",
        cmd_serve,
        "serve the participant pages and the dashboard with Voila",
        "Serve a page per stage of the content, the priorities page and the read-only dashboard with Voila, "
        "and print the links to share. The pages are built from the content (--content) and every kernel "
        "reads that same file. The facilitator console is never served. Runs until Ctrl-C.",
    )
    add_db_option(p)
    p.add_argument("--workshop", metavar="SLUG", help="the workshop the pages write to (default: the one served last from this store, else the newest)")
    p.add_argument("--host", default=serve.DEFAULT_HOST, help="address to listen on (default: %(default)s, this machine only; use 0.0.0.0 to let the room connect)")
    p.add_argument("--port", type=int, default=serve.DEFAULT_PORT, help="port (default: %(default)s)")
    p.add_argument("--pool", type=int, default=serve.DEFAULT_POOL, metavar="N", help="preheated kernels kept warm per participant page, so the first visitors do not wait; the dashboard keeps one; 0 turns preheating off (default: %(default)s)")
    p.add_argument("--pool-for", action="append", default=[], metavar="PAGE=N", help="keep N kernels warm for one page instead, e.g. diagnosis=20 for the page a room of 20 opens first; PAGE is a stage id (diagnosis), its number (1), priorities, dashboard or a page's file name (stage-1-diagnosis.ipynb); repeat for more pages")
    p.add_argument("--refill-seconds", type=float, default=serve.DEFAULT_REFILL_SECONDS, metavar="S", help="refill a page's pool once nobody has opened it for S seconds, so refills do not slow the room while it arrives; visitors past the pool get a kernel started at once (default: %(default)g)")
    p.add_argument("--cull-minutes", type=int, default=serve.DEFAULT_CULL_MINUTES, metavar="M", help="shut down kernels whose page was closed after M idle minutes (default: %(default)s)")
    p.add_argument("--max-kernels", type=int, metavar="N", help="most kernels the server holds at once, warm ones included; visitors past it are told the room is full (default: what half this machine's memory holds, %(default_kernels)s here)" % {"default_kernels": serve.default_max_kernels()})
    p.add_argument("--max-kernels-per-page", type=int, metavar="N", help="most kernels one page holds (default: --max-kernels less one for each other page)")
    p.add_argument("--unconnected-seconds", type=float, default=serve.DEFAULT_UNCONNECTED_SECONDS, metavar="S", help="shut down a page's kernel if the page has not connected to it within S seconds (default: %(default)g)")
    p.add_argument("--dashboard-only", action="store_true", help="publish only the read-only dashboard")
    p.add_argument("--public-dashboard", action="store_true", help="let anyone open the dashboard without its key, with names hidden whatever the workshop's setting (for publishing)")
    p.add_argument("--allow-host", action="append", default=[], metavar="NAME", help="also answer to this host name, e.g. the name a proxy forwards (the printed addresses, localhost and 127.0.0.1 always work); repeat for more")
    p.add_argument("--base-url", default=serve.DEFAULT_BASE_URL, metavar="PATH", help="serve every page under PATH, e.g. /services/workshop/ behind a JupyterHub proxy that forwards that path here (default: %(default)s)")
    p.add_argument("--no-browser", action="store_true", help="accepted for habit: the server never opens a browser")

    p = verb(
        "pages",
        cmd_pages,
        "write the pages workshop serve would serve, to open in JupyterLab",
        "Write the notebooks workshop serve builds from the content (a page per stage, the priorities page and "
        "the dashboard) into a folder, and print their paths. The packaged notebooks/ folder is this, for the "
        "packaged content.",
    )
    p.add_argument("--output", "-o", metavar="DIR", required=True, help="the folder to write them into (made if missing)")
