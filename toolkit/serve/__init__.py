"""Serve a workshop to the room with Voila: a page per stage of the
content (``stage-1-diagnosis.ipynb`` ...), the priorities page and the
read-only dashboard, nothing else.

    >>> from toolkit import serve
    >>> plan = serve.plan_serve(db="/srv/riverside.sqlite", host="0.0.0.0", pool=4)
    >>> print(serve.describe(plan))        # the join link and code, the dashboard's link
    >>> serve.run(plan)                    # until Ctrl-C

Who gets in (:mod:`toolkit.serve.room`, :mod:`toolkit.serve.handlers`):

- **Strangers get the join page and nothing else**: no page, no kernel,
  no listing. The join link (``/join/<code>``) or the code typed on the
  join page sets the room's grant cookie and the browser's device cookie;
  every page and reload in that browser is then open. The projected
  dashboard has its own link and key; ``--public-dashboard`` opens it to
  anyone (names hidden).
- **One workshop**: kernels get ``$WORKSHOP_SLUG``, and the sign-in and the
  dashboard offer no other.
- **Each kernel is its page's**: only the browser a kernel was handed to
  may connect to it, read it or shut it down (the page's ``beforeunload``
  beacon does, at once); the kernels API is closed to visitors.
- **Bounded** (:mod:`toolkit.serve.kernel_limits`): at most so many kernels
  (from the machine's memory, ``--max-kernels``), per page too; a page that
  never connects gives its kernel back within minutes; ``?template=`` and
  ``?theme=`` are ignored.
- **Only its own names**: a request whose ``Host`` is not an address the
  server printed (or ``--allow-host``) is refused (DNS rebinding).
- **Nothing from elsewhere, nothing leaked**: the pages use the kit's
  template (:data:`PAGE_TEMPLATE`, no CDN stylesheet); a failing kernel
  shows a sentence, not a traceback (:mod:`toolkit.serve.kernel_errors`).

What the room can reach, and what it cannot:

- **Only the pages.** They are written from the content into a fresh
  folder (:mod:`toolkit.serve.pages`; a temporary directory, removed on
  exit) and Voila serves that folder, so the facilitator console
  (``00_facilitator.ipynb``), the store file and the content files are not
  under Voila's root at all. Voila's tree page is not served: ``/`` goes
  to the first page the browser may open, or to the join page.
- **No files.** Voila's file handler (``/voila/files/...``) only serves
  images at the top of the served folder (which holds none), and refuses
  notebooks, Python, databases, YAML, JSON, spreadsheets, dot-files and any
  path with ``..`` in it.
- **No code from the page.** A page may send only the kernel messages that
  widgets need (:data:`ALLOWED_MESSAGE_TYPES`: comms, ``kernel_info_request``,
  ``shutdown_request``); Jupyter Server drops anything else, ``execute_request``
  included, before it reaches the kernel. Voila 0.5 sets this list itself;
  :class:`WorkshopVoila` sets it again and refuses to start if it would allow
  ``execute_request``, so a change in Voila's defaults cannot open it.

Every kernel gets the store's URL in ``$WORKSHOP_DB``, the workshop in
``$WORKSHOP_SLUG`` and the content file the pages were built from in
``$WORKSHOP_CONTENT``. A pool of preheated kernels per page keeps the first
visitors from waiting, and kernels left idle by closed pages are culled.

When the whole room opens a link at once (issue #7):

- **Pools sized per page** (``--pool-for diagnosis=20``): the page everyone
  opens first needs far more warm kernels than the later stages.
- **Refills wait for the rush to pass.** Voila refills a pool one second
  after each kernel is taken, and keeps the pending refill in the pool, so
  the next visitor waits for it. Here a page's pool is refilled only once
  nobody has opened it for :data:`DEFAULT_REFILL_SECONDS`; a visitor who
  finds the pool empty gets a kernel started for them at once; pool kernels
  start a few at a time (:mod:`toolkit.serve.kernel_pool`).
- **Kernels talk over Unix sockets** (``ipc``), not TCP ports, so a hundred
  kernels cannot clash over ports. The sockets live in Voila's connection
  folder inside this server's run folder, beside (never inside) the served
  folder, and go with it.

Each server works in its own run folder ``<tmp>/workshop-serve-*/``: a
``pid`` file, ``pages/`` (the served notebooks) and Voila's ``voila_*/``
(connection files and sockets). A server killed with SIGKILL cannot remove
it; the next ``workshop serve`` removes run folders whose process is gone
(:mod:`toolkit.serve.run_folder`).

- :mod:`~toolkit.serve.pages`: the pages, built from the content
- :mod:`~toolkit.serve.plan`: what to serve, checked first, and the links
- :mod:`~toolkit.serve.app`: the Voila application and its configuration
- :mod:`~toolkit.serve.room`: the join code, the dashboard key, the cookies
- :mod:`~toolkit.serve.handlers`: identity provider, authorizer, join page, guarded handlers
- :mod:`~toolkit.serve.kernel_limits`: kernel caps, owners, unconnected kernels culled
- :mod:`~toolkit.serve.kernel_pool`: pools that refill when quiet, batched starts
- :mod:`~toolkit.serve.kernel_errors`: a sentence on the page instead of a traceback
- :mod:`~toolkit.serve.run_folder`: each server's own folder, cleaned after a kill
- :mod:`~toolkit.serve.bytecode`: the kit compiled once, so kernels import bytecode
- :mod:`~toolkit.serve.kernel_fork`: kernels forked from one warm process
- :mod:`~toolkit.serve.request_info`: a preheated kernel learns its visitor's request
- :mod:`~toolkit.serve.page_templates`: Voila's page templates compiled once per server
"""

# Names are imported from their module when first asked for (PEP 562):
# a participant's kernel imports toolkit.serve.pages for the page names,
# and must not pay for the server's modules on every page it starts.
_SOURCES: dict[str, str] = {
    "ALLOWED_MESSAGE_TYPES": "toolkit.serve.app",
    "FILE_ALLOWLIST": "toolkit.serve.app",
    "FILE_DENYLIST": "toolkit.serve.app",
    "IOPUB_TIMEOUT_SECONDS": "toolkit.serve.app",
    "PAGE_EXTENSIONS": "toolkit.serve.app",
    "PAGE_TEMPLATE": "toolkit.serve.app",
    "run": "toolkit.serve.app",
    "voila_config": "toolkit.serve.app",
    "voila_hook_problems": "toolkit.serve.app",
    "workshop_voila_class": "toolkit.serve.app",
    "DEFAULT_UNCONNECTED_SECONDS": "toolkit.serve.kernel_limits",
    "KernelLimits": "toolkit.serve.kernel_limits",
    "RoomFull": "toolkit.serve.kernel_limits",
    "default_max_kernels": "toolkit.serve.kernel_limits",
    "RefillWhenQuiet": "toolkit.serve.kernel_pool",
    "pool_start_slots": "toolkit.serve.kernel_pool",
    "with_refill_when_quiet": "toolkit.serve.kernel_pool",
    "DASHBOARD_PAGE": "toolkit.serve.pages",
    "PRESENTER_PAGE": "toolkit.serve.pages",
    "PAGE_NAME": "toolkit.serve.pages",
    "PRIORITIES_PAGE": "toolkit.serve.pages",
    "Page": "toolkit.serve.pages",
    "site_pages": "toolkit.serve.pages",
    "stage_page": "toolkit.serve.pages",
    "write_pages": "toolkit.serve.pages",
    "DEFAULT_BASE_URL": "toolkit.serve.plan",
    "DEFAULT_CULL_MINUTES": "toolkit.serve.plan",
    "DEFAULT_HOST": "toolkit.serve.plan",
    "DEFAULT_POOL": "toolkit.serve.plan",
    "DEFAULT_PORT": "toolkit.serve.plan",
    "DEFAULT_REFILL_SECONDS": "toolkit.serve.plan",
    "PUBLIC_DASHBOARD_ENV": "toolkit.serve.plan",
    "PagePool": "toolkit.serve.plan",
    "ServePlan": "toolkit.serve.plan",
    "describe": "toolkit.serve.plan",
    "lan_ip": "toolkit.serve.plan",
    "normalise_base_url": "toolkit.serve.plan",
    "page_names": "toolkit.serve.plan",
    "parse_page_pools": "toolkit.serve.plan",
    "plan_serve": "toolkit.serve.plan",
    "port_free": "toolkit.serve.plan",
    "FACILITATOR_TOKEN_FILE": "toolkit.serve.run_folder",
    "IPYTHON_FOLDER": "toolkit.serve.run_folder",
    "PAGES_FOLDER": "toolkit.serve.run_folder",
    "PID_FILE": "toolkit.serve.run_folder",
    "RUN_FOLDER_PREFIX": "toolkit.serve.run_folder",
    "kernel_transport": "toolkit.serve.run_folder",
    "make_run_folder": "toolkit.serve.run_folder",
    "remove_stale_run_folders": "toolkit.serve.run_folder",
    "run_folder_base": "toolkit.serve.run_folder",
}


def __getattr__(name: str) -> object:
    import importlib

    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module 'toolkit.serve' has no attribute {name!r}")
    value = getattr(importlib.import_module(source), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_SOURCES})


__all__ = list(_SOURCES)
