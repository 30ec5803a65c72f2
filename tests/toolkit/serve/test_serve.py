"""``workshop serve`` decisions (toolkit/serve.py, toolkit/cli_serve.py)
without a server: what is served, the Voila configuration, the links. The
running server is checked in tests/browser/."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
from pathlib import Path

import nbformat
import pytest

from toolkit import cli, content, paths, serve
from toolkit.content import Stage
from toolkit.errors import NotFound, ToolkitError


def _nb(folder, *names):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    return folder


STAGE_PAGES = ("stage-1-diagnosis.ipynb", "stage-2-design.ipynb", "stage-3-implementation.ipynb", "stage-4-assessment.ipynb")


def test_the_pages_come_from_the_content_never_the_console(kit):
    pages = serve.site_pages(kit)
    assert [p.name for p in pages] == [*STAGE_PAGES, "priorities.ipynb", "dashboard.ipynb", "presenter.ipynb"]
    assert [p.label for p in pages] == ["1. Diagnosis", "2. Design", "3. Implementation", "4. Assessment", "Priorities", "Dashboard", "Presenter view"]
    assert [p.dashboard for p in pages] == [False] * 5 + [True, True]
    assert [p.name for p in serve.site_pages(kit, dashboard_only=True)] == ["dashboard.ipynb", "presenter.ipynb"]
    design = pages[1].notebook()
    nbformat.validate(nbformat.from_dict(design))
    intro, code = design["cells"]
    assert "".join(intro["source"]) == (
        "**Intersector workshop · Stage 2 of 4: Design.** Sign in below, then work through this stage's tools with your "
        "table, in any order. Every answer saves itself about a second after you stop typing; the line under each box "
        "says *Saved* and the time."
    )
    assert "".join(code["source"]) == 'from widgets.session import Session\nSession().stage_workbook("design")'
    assert "After the 4 stages" in "".join(pages[4].notebook()["cells"][0]["source"])
    assert "".join(pages[4].notebook()["cells"][1]["source"]) == "from widgets.session import Session\nSession().priorities()"
    assert [c["cell_type"] for c in pages[5].notebook()["cells"]] == ["code"]


def test_a_fifth_stage_gets_its_own_page_beside_priorities(kit):
    """Stage pages are stage-N-<id>: a fifth stage, even one called
    'priorities', cannot take the priorities page's name."""
    fifth = Stage(id="priorities", number=5, title="Priorities again", question="Q?", summary="S.", tool_ids=())
    more = dataclasses.replace(kit, stages=(*kit.stages, fifth))
    names = [p.name for p in serve.site_pages(more)]
    assert names == [*STAGE_PAGES, "stage-5-priorities.ipynb", "priorities.ipynb", "dashboard.ipynb", "presenter.ipynb"]
    assert len(set(names)) == len(names)
    pages = serve.site_pages(more)
    assert serve.parse_page_pools(["5=3", "priorities.ipynb=1"], pages) == (
        serve.PagePool("stage-5-priorities.ipynb", 3), serve.PagePool("priorities.ipynb", 1),
    )
    with pytest.raises(ToolkitError, match="'priorities' names more than one page; use a file name"):
        serve.parse_page_pools(["priorities=2"], pages)


def test_write_pages_writes_only_pages(tmp_path, kit):
    folder = serve.write_pages(serve.site_pages(kit), tmp_path / "served")
    assert sorted(p.name for p in folder.iterdir()) == sorted([*STAGE_PAGES, "priorities.ipynb", "dashboard.ipynb", "presenter.ipynb"])
    assert nbformat.read(folder / "stage-1-diagnosis.ipynb", as_version=4).cells[1].source.endswith('stage_workbook("diagnosis")')
    for bad in ("00_facilitator.ipynb", "../workshop.sqlite", "stage-1-x.py", "notes.ipynb"):
        with pytest.raises(ToolkitError, match="refusing to write"):
            serve.write_pages([serve.Page(name=bad, label="x", code="1")], tmp_path / "other")
    assert not (tmp_path / "other").exists() or list((tmp_path / "other").iterdir()) == []


def test_the_packaged_notebooks_are_the_pages_of_the_packaged_content(kit):
    """notebooks/ holds what `workshop pages` writes for data/toolkit.yaml
    (regenerate with: .venv/bin/workshop pages --output notebooks), and the
    console, which is never a page."""
    folder = paths.kit_folder("notebooks")
    pages = serve.site_pages(kit)
    for page in pages:
        assert (folder / page.name).read_text(encoding="utf-8") == page.to_json(), f"{page.name} differs; run: workshop pages --output notebooks"
    assert sorted(p.name for p in folder.glob("*.ipynb")) == sorted(["00_facilitator.ipynb", *(p.name for p in pages)])


def test_plan_uses_the_newest_workshop_and_passes_the_store_to_kernels(sqlite_store):
    sqlite_store.create_workshop("Older")
    newest = sqlite_store.create_workshop("Riverside Partners")
    plan = serve.plan_serve(sqlite_store.url)
    assert plan.slug == newest.slug
    assert plan.env == {
        "WORKSHOP_DB": sqlite_store.url, "WORKSHOP_SLUG": newest.slug, "WORKSHOP_CONTENT": str(content.DEFAULT_FILE),
        # the presenter view shows the join link and code
        "WORKSHOP_JOIN_URL": plan.join_link, "WORKSHOP_JOIN_CODE": plan.join_code,
    }
    assert serve.plan_serve(sqlite_store.url, workshop="older").env["WORKSHOP_SLUG"] == "older"
    with pytest.raises(NotFound, match="nope"):
        serve.plan_serve(sqlite_store.url, workshop="nope")


def test_plan_refuses_an_empty_store_and_bad_options(tmp_path, sqlite_store):
    with pytest.raises(ToolkitError, match="no workshop yet"):
        serve.plan_serve(str(tmp_path / "empty.sqlite"))
    sqlite_store.create_workshop("W")
    with pytest.raises(ToolkitError, match="--port"):
        serve.plan_serve(sqlite_store.url, port=70000)
    with pytest.raises(ToolkitError, match="--pool"):
        serve.plan_serve(sqlite_store.url, pool=-1)


def _plan(**kw):
    from toolkit.serve.pages import dashboard_page, priorities_page, stage_pages

    kit = content.load(content.DEFAULT_FILE)
    base = dict(url="sqlite:////x/w.sqlite", slug="w", title="W", host="127.0.0.1", port=8866, pool=4, cull_minutes=30,
                dashboard_only=False, pages=(stage_pages(kit)[0], priorities_page(kit), dashboard_page()))
    return serve.ServePlan(**{**base, **kw})


def test_voila_config_preheats_culls_and_locks_down_files():
    from toolkit.serve.handlers import RoomAuthorizer, RoomIdentityProvider

    cfg = serve.voila_config(_plan())
    assert cfg["Voila"] == {"ip": "127.0.0.1", "port": 8866, "port_retries": 0, "open_browser": False, "base_url": "/",
                            "identity_provider_class": RoomIdentityProvider, "authorizer_class": RoomAuthorizer}
    vc = cfg["VoilaConfiguration"]
    assert vc["preheat_kernel"] is True and vc["default_pool_size"] == 4
    assert vc["show_tracebacks"] is False
    assert vc["allow_template_override"] == vc["allow_theme_override"] == "NO"
    assert vc["http_header_envs"] == ["Cookie"]  # the kernel reads its browser's device cookie (contract #12)
    assert cfg["VoilaExecutor"]["cell_error_instruction"] == serve.kernel_errors.PAGE_MESSAGE
    assert vc["extension_allowlist"] == ["@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8"]
    assert cfg["VoilaKernelManager"] == {
        "kernel_pools_config": {
            "default": {"pool_size": 4},
            "stage-1-diagnosis.ipynb": {"pool_size": 4},
            "priorities.ipynb": {"pool_size": 4},
            "dashboard.ipynb": {"pool_size": 1},
        },
        "fill_delay": serve.DEFAULT_REFILL_SECONDS,
    }
    assert 10 <= serve.DEFAULT_REFILL_SECONDS <= 30  # after the room has arrived, not while it does
    assert cfg["MappingKernelManager"] == {"cull_idle_timeout": 1800, "cull_interval": 60, "cull_connected": False}
    assert cfg["VoilaExecutor"]["iopub_timeout"] >= 30  # a busy laptop must not drop a widget's output
    none = serve.voila_config(_plan(pool=0))
    assert none["VoilaConfiguration"]["preheat_kernel"] is False
    assert none["VoilaKernelManager"]["kernel_pools_config"]["dashboard.ipynb"] == {"pool_size": 0}


@pytest.mark.skipif(os.name != "posix", reason="Unix sockets")
def test_kernels_use_unix_sockets_in_the_run_folder_when_the_path_fits(tmp_path):
    short = Path("/tmp/workshop-serve-abcdefgh")
    cfg = serve.voila_config(_plan(), short)
    assert cfg["KernelManager"] == {"transport": "ipc"}
    assert cfg["Voila"]["connection_dir_root"] == str(short)  # beside pages/, never inside it
    assert serve.voila_config(_plan())["KernelManager"] == {"transport": "ipc"}  # Voila's own folder in /tmp
    too_long = Path("/tmp") / ("x" * 40)  # a socket path must fit in 103 bytes
    assert serve.voila_config(_plan(), too_long)["KernelManager"] == {"transport": "tcp"}
    base = serve.run_folder_base()
    assert serve.kernel_transport(base / "workshop-serve-abcdefgh") == "ipc"


def test_pool_for_sizes_single_pages(sqlite_store):
    sqlite_store.create_workshop("W")
    plan = serve.plan_serve(sqlite_store.url, pool=2, pool_for=["diagnosis=20", "priorities=0", "dashboard.ipynb=3", "stage-3-implementation=1"])
    assert plan.page_pools == (
        serve.PagePool("stage-1-diagnosis.ipynb", 20),
        serve.PagePool("stage-3-implementation.ipynb", 1),
        serve.PagePool("priorities.ipynb", 0),
        serve.PagePool("dashboard.ipynb", 3),
    )
    pools = serve.voila_config(plan)["VoilaKernelManager"]["kernel_pools_config"]
    assert pools == {
        "default": {"pool_size": 2},
        "stage-1-diagnosis.ipynb": {"pool_size": 20},
        "stage-2-design.ipynb": {"pool_size": 2},
        "stage-3-implementation.ipynb": {"pool_size": 1},
        "stage-4-assessment.ipynb": {"pool_size": 2},
        "priorities.ipynb": {"pool_size": 0},
        "dashboard.ipynb": {"pool_size": 3},
        "presenter.ipynb": {"pool_size": 0},
    }
    assert plan.warm_kernels == sum(v["pool_size"] for k, v in pools.items() if k != "default") == 28
    text = serve.describe(plan)
    assert ("Kernels kept warm: 20 on 1. Diagnosis, 1 on 3. Implementation, 0 on Priorities, 2 on each other participant page, "
            "3 on the dashboard (28 in all); a page's pool is refilled once nobody has opened it for 20 s.") in text
    # Preheating stays on when only one page asks for it.
    only = serve.plan_serve(sqlite_store.url, pool=0, pool_for=["stage-1-diagnosis.ipynb=8"])
    cfg = serve.voila_config(only)
    assert cfg["VoilaConfiguration"]["preheat_kernel"] is True
    assert cfg["VoilaKernelManager"]["kernel_pools_config"]["stage-1-diagnosis.ipynb"] == {"pool_size": 8}
    assert cfg["VoilaKernelManager"]["kernel_pools_config"]["stage-2-design.ipynb"] == {"pool_size": 0}
    assert "Kernels kept warm: 8 on 1. Diagnosis, 0 on each other participant page, 0 on the dashboard (8 in all)" in serve.describe(only)
    assert "every participant page" not in serve.describe(serve.plan_serve(sqlite_store.url, pool=2))
    assert "2 on each participant page, 1 on the dashboard (11 in all)" in serve.describe(serve.plan_serve(sqlite_store.url, pool=2))
    assert "No preheated kernels" in serve.describe(serve.plan_serve(sqlite_store.url, pool=0))


PAGES = "pages: diagnosis (1), design (2), implementation (3), assessment (4), priorities, dashboard, presenter (or a page's file name)"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("stage9=4", "--pool-for 'stage9=4': no served page is called 'stage9'; " + PAGES),
        ("5=4", "--pool-for '5=4': no served page is called '5'; " + PAGES),
        ("01_diagnosis.ipynb=4", "no served page is called '01_diagnosis.ipynb'; " + PAGES),
        ("00_facilitator.ipynb=4", "no served page is called '00_facilitator.ipynb'; " + PAGES),
        ("diagnosis", "--pool-for 'diagnosis': expected PAGE=N, e.g. diagnosis=20; " + PAGES),
        ("=4", "expected PAGE=N, e.g. diagnosis=20; " + PAGES),
        ("diagnosis=many", "--pool-for 'diagnosis=many': N must be a whole number of kernels, 0 or more, got 'many'"),
        ("diagnosis=-1", "N must be a whole number of kernels, 0 or more, got '-1'"),
        ("diagnosis=²", "N must be a whole number of kernels, 0 or more, got '²'"),
    ],
)
def test_pool_for_refuses_unknown_pages_and_bad_sizes(sqlite_store, spec, message):
    sqlite_store.create_workshop("W")
    with pytest.raises(ToolkitError) as err:
        serve.plan_serve(sqlite_store.url, pool_for=[spec])
    assert message in str(err.value)


def test_pool_for_refuses_a_page_given_twice_or_not_served(sqlite_store):
    sqlite_store.create_workshop("W")
    with pytest.raises(ToolkitError, match="stage-1-diagnosis.ipynb was already given '1=4'"):
        serve.plan_serve(sqlite_store.url, pool_for=["1=4", "Diagnosis=6"])
    with pytest.raises(ToolkitError, match=r"no served page is called 'diagnosis'; pages: dashboard, presenter \(or a page's file name\)"):
        serve.plan_serve(sqlite_store.url, dashboard_only=True, pool_for=["diagnosis=4"])


def test_refill_seconds_and_base_url(sqlite_store):
    sqlite_store.create_workshop("W")
    plan = serve.plan_serve(sqlite_store.url, refill_seconds=5, base_url="services/workshop")
    assert plan.refill_seconds == 5.0 and plan.base_url == "/services/workshop/"
    cfg = serve.voila_config(plan)
    assert cfg["VoilaKernelManager"]["fill_delay"] == 5.0
    assert cfg["Voila"]["base_url"] == "/services/workshop/"
    assert plan.link("dashboard.ipynb") == "http://localhost:8866/services/workshop/voila/render/dashboard.ipynb"
    assert "http://localhost:8866/services/workshop/voila/render/stage-1-diagnosis.ipynb" in serve.describe(plan)
    assert serve.normalise_base_url("/") == serve.normalise_base_url("") == "/"
    assert serve.normalise_base_url("/a/b/") == "/a/b/"
    for bad in ("/a/../b", "/a b/", "/a?x=1", "http://hub/a", "/a//b"):
        with pytest.raises(ToolkitError, match="--base-url"):
            serve.plan_serve(sqlite_store.url, base_url=bad)
    with pytest.raises(ToolkitError, match="--refill-seconds"):
        serve.plan_serve(sqlite_store.url, refill_seconds=-1)


def test_voila_routes_everything_under_the_base_url(tmp_path):
    from traitlets.config import Config

    folder = _nb(tmp_path / "served", "dashboard.ipynb")
    plan = _plan(pool=1, port=free_port(), base_url="/services/workshop/")
    app = _app(plan, folder)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        settings = app.init_settings()
        _drop_pools(app.kernel_manager, loop)
        assert settings["login_url"] == "/services/workshop/join"  # strangers are sent to the join page
        assert str(serve.PAGE_TEMPLATE) == app.template_paths[0]  # the kit's page template first
        handlers = {h[0]: h[1].__name__ for h in app.init_handlers()}
        assert handlers["/services/workshop/voila/render/(.*)"] == "RoomPageHandler"
        assert handlers["/services/workshop/api/kernels/(?P<kernel_id>\\w+-\\w+-\\w+-\\w+-\\w+)/channels"] == "RoomKernelWebsocket"
        assert handlers["/services/workshop/voila/api/shutdown/(.*)"] == "RoomShutdownHandler"
        assert handlers["/services/workshop/"] == "HomeHandler" and handlers["/services/workshop/join"] == "JoinHandler"
        assert handlers["/services/workshop/api/kernels"] == "KernelListHandler"
        assert "TornadoVoilaTreeHandler" not in handlers.values()  # no listing of the pages
        # The preheated kernels' request info is under a path only the kernels know.
        assert handlers["/services/workshop/kq-secret/voila/query/(?P<kernel_id>\\w+-\\w+-\\w+-\\w+-\\w+)"] == "RequestInfoSocketHandler"
        assert [p for p in handlers if not p.startswith("/services/workshop/")] == []
        assert not [p for p in handlers if "/voila/query/" in p and "kq-secret" not in p]
    finally:
        app.clear_instance()
        asyncio.set_event_loop(None)
        loop.close()


@pytest.mark.parametrize(
    ("path", "served"),
    [
        ("logo.png", True),
        ("photo.JPG", True),
        ("workshop.sqlite", False),
        ("toolkit.yaml", False),
        ("data/toolkit.yaml", False),
        ("dashboard.ipynb", False),
        ("sub/logo.png", False),
        ("../logo.png", False),
        (".hidden.png", False),
        ("x.png/../workshop.sqlite", False),
    ],
)
def test_file_rules(path, served):
    import re

    allowed = any(re.fullmatch(p, path, re.IGNORECASE) for p in serve.FILE_ALLOWLIST)
    denied = any(re.fullmatch(p, path, re.IGNORECASE) for p in serve.FILE_DENYLIST)
    assert (allowed and not denied) is served


def test_links_for_the_room(monkeypatch):
    local = _plan(join_code="K7QM4P", dashboard_key="d-key")
    assert local.link("stage-1-diagnosis.ipynb") == "http://localhost:8866/voila/render/stage-1-diagnosis.ipynb"
    monkeypatch.setattr(serve.plan, "lan_ip", lambda: "192.168.1.23")
    room = _plan(host="0.0.0.0", port=9000, join_code="K7QM4P", dashboard_key="d-key", limits=serve.KernelLimits(60, 55))
    text = serve.describe(room)
    assert "(one click joins, then every page opens):\n  http://192.168.1.23:9000/join/K7QM4P\n" in text
    assert "Or open http://192.168.1.23:9000/ and type the join code:  K7QM4P\n" in text
    assert "  1. Diagnosis  http://192.168.1.23:9000/voila/render/stage-1-diagnosis.ipynb" in text
    assert "  Priorities    http://192.168.1.23:9000/voila/render/priorities.ipynb" in text
    assert "Project the dashboard (read-only; its own link, keep it for the screen):\n  http://192.168.1.23:9000/dashboard/d-key\n" in text
    assert "voila/render/dashboard.ipynb" not in text  # the dashboard opens through its key
    assert "At most 60 kernels at once (55 on one page)" in text
    assert "--host 0.0.0.0" in serve.describe(local)  # tells how to open it to the room
    assert "--host 0.0.0.0" not in text
    only = serve.describe(_plan(dashboard_only=True, pages=(serve.pages.dashboard_page(),), dashboard_key="d-key"))
    assert "join" not in only and "http://localhost:8866/dashboard/d-key" in only
    public = serve.describe(_plan(dashboard_only=True, pages=(serve.pages.dashboard_page(),), dashboard_key="d-key", public_dashboard=True))
    assert "public (read-only, names hidden)" in public and "http://localhost:8866/voila/render/dashboard.ipynb" in public and "d-key" not in public
    assert room.allowed_hosts == ("localhost", "127.0.0.1", "::1", "192.168.1.23")
    assert _plan(host="10.0.0.5", allow_hosts=("Workshop.Example.org",)).allowed_hosts == ("localhost", "127.0.0.1", "::1", "10.0.0.5", "workshop.example.org")


def test_lan_ip_is_an_address():
    socket.inet_aton(serve.lan_ip())


def test_workshop_voila_pins_the_kernel_messages_a_page_may_send(tmp_path, monkeypatch):
    from traitlets.config import Config

    folder = _nb(tmp_path / "served", "dashboard.ipynb")
    app = _app(_plan(pool=0, port=free_port()), folder)
    try:
        app.init_settings()
        assert tuple(app.kernel_manager.allowed_message_types) == serve.ALLOWED_MESSAGE_TYPES
        assert "execute_request" not in app.kernel_manager.allowed_message_types
        assert app.voila_configuration.file_allowlist == list(serve.FILE_ALLOWLIST)
        monkeypatch.setattr(serve.app, "ALLOWED_MESSAGE_TYPES", (*serve.ALLOWED_MESSAGE_TYPES, "execute_request"))
        with pytest.raises(ToolkitError, match="accept code from the page"):
            app.init_settings()
    finally:
        app.clear_instance()


def test_workshop_voila_batches_the_pool_starts_from_the_first(tmp_path):
    """Voila fills its pools from the kernel manager's __init__, so the
    batching must be in the class Voila builds, not added afterwards."""
    from traitlets.config import Config

    folder = _nb(tmp_path / "served", "dashboard.ipynb")
    app = _app(_plan(pool=1, port=free_port()), folder)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        app.init_settings()
        km = app.kernel_manager
        assert isinstance(km, serve.RefillWhenQuiet)
        assert km._refills == {} and km._starting is None
        assert [len(p) for p in km._pools.values()] == [1]  # the start-up fill, not run yet
        assert isinstance(km, serve.kernel_limits.RoomKernels) and km.limits == serve.KernelLimits(10, 8)
        _drop_pools(km, loop)
    finally:
        app.clear_instance()
        asyncio.set_event_loop(None)
        loop.close()


def _drop_pools(km, loop):
    """Cancel the start-up fill of a kernel manager that is not serving."""
    for pool in km._pools.values():
        for task in pool:
            task.get_coro().cr_frame.f_locals["aw"].close()  # Voila's wait_before(delay, aw), not started
            task.cancel()
    loop.run_until_complete(asyncio.gather(*(t for p in km._pools.values() for t in p), return_exceptions=True))


def _app(plan, folder):
    """The WorkshopVoila of ``plan`` serving ``folder``, with a room whose
    secrets need no store."""
    from traitlets.config import Config

    from toolkit.serve.room import Room

    app = serve.workshop_voila_class()(config=Config(serve.voila_config(plan)))
    app.room = Room(slug="w", base_url=plan.base_url, read_secrets=lambda: ("K7QM4P", "d-key"), pages={"dashboard.ipynb": "dashboard"})
    app.kernel_limits, app.allowed_hosts, app.query_path = serve.KernelLimits(10, 8), plan.allowed_hosts, f"{plan.base_url}kq-secret/"
    app.initialize([str(folder)])
    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cli_serve_help_and_errors(capsys, tmp_path, sqlite_store):
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    out = capsys.readouterr().out
    for option in ("--port", "--host", "--pool", "--pool-for", "PAGE=N", "--refill-seconds", "--base-url", "--db", "--workshop", "--dashboard-only", "--no-browser", "--cull-minutes", "0.0.0.0"):
        assert option in out
    assert cli.main(["serve", "--db", str(tmp_path / "empty.sqlite")]) == 2
    assert "no workshop yet" in capsys.readouterr().err
    sqlite_store.create_workshop("W")
    assert cli.main(["serve", "--db", sqlite_store.url, "--pool-for", "diagnosis=4", "--pool-for", "stage9=2"]) == 2
    err = capsys.readouterr().err
    assert "--pool-for 'stage9=2': no served page is called 'stage9'" in err and "assessment (4), priorities, dashboard" in err
    assert cli.main(["serve", "--db", sqlite_store.url, "--pool-for", "diagnosis=lots"]) == 2
    assert "got 'lots'" in capsys.readouterr().err
    assert cli.main(["serve", "--db", sqlite_store.url, "--base-url", "/a/../b"]) == 2
    assert "--base-url" in capsys.readouterr().err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert cli.main(["serve", "--db", sqlite_store.url, "--port", str(port)]) == 2
    assert f"port {port} on 127.0.0.1 is in use" in capsys.readouterr().err


def test_the_plan_serves_the_content_and_hands_it_to_every_kernel(sqlite_store, monkeypatch, edited_content):
    """--content (kit=) or $WORKSHOP_CONTENT: the pages are that content's,
    and every kernel gets its absolute path, whatever the kernel's folder."""
    sqlite_store.create_workshop("W")
    stage_id, title = edited_content.stage
    monkeypatch.delenv(content.CONTENT_ENV, raising=False)
    plan = serve.plan_serve(sqlite_store.url, kit=content.load(edited_content.path), pool_for=[f"{stage_id}=3"])
    assert plan.notebooks[0] == f"stage-1-{stage_id}.ipynb" and plan.pages[0].label == f"1. {title}"
    assert plan.page_pools == (serve.PagePool(f"stage-1-{stage_id}.ipynb", 3),)
    assert plan.env[content.CONTENT_ENV] == str(edited_content.path.resolve())
    assert f"1. {title}" in serve.describe(plan)
    monkeypatch.chdir(edited_content.path.parent)
    monkeypatch.setenv(content.CONTENT_ENV, edited_content.path.name)  # relative: made absolute for the kernels
    from_env = serve.plan_serve(sqlite_store.url)
    assert from_env.env[content.CONTENT_ENV] == str(edited_content.path.resolve())
    assert from_env.notebooks == plan.notebooks
