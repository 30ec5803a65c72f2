"""``workshop serve`` decisions (toolkit/serve.py, toolkit/cli_serve.py)
without a server: what is served, the Voila configuration, the links. The
running server is checked in tests/browser/."""

from __future__ import annotations

import socket

import pytest

from toolkit import cli, serve
from toolkit.errors import NotFound, ToolkitError


def _nb(folder, *names):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    return folder


def test_served_notebooks_are_participants_then_dashboard_never_the_console(tmp_path):
    src = _nb(tmp_path / "nb", "00_facilitator.ipynb", "02_design.ipynb", "01_diagnosis.ipynb", "dashboard.ipynb", "scratch.ipynb", "notes.txt")
    assert serve.served_notebooks(src) == ("01_diagnosis.ipynb", "02_design.ipynb", "dashboard.ipynb")
    assert serve.served_notebooks(src, dashboard_only=True) == ("dashboard.ipynb",)


def test_the_packaged_notebooks_never_include_the_console():
    names = serve.served_notebooks()
    assert "00_facilitator.ipynb" not in names and names[-1] == "dashboard.ipynb"
    assert (serve.NOTEBOOKS_DIR / "00_facilitator.ipynb").exists()  # it is there, and still not served


def test_missing_dashboard_is_an_error(tmp_path):
    with pytest.raises(ToolkitError, match="dashboard notebook is missing"):
        serve.served_notebooks(_nb(tmp_path / "nb", "01_diagnosis.ipynb"))


def test_prepare_folder_copies_only_the_chosen_notebooks(tmp_path):
    src = _nb(tmp_path / "nb", "00_facilitator.ipynb", "01_diagnosis.ipynb", "dashboard.ipynb")
    (src / "workshop.sqlite").write_text("secret")
    folder = serve.prepare_folder(serve.served_notebooks(src), src, tmp_path / "served")
    assert sorted(p.name for p in folder.iterdir()) == ["01_diagnosis.ipynb", "dashboard.ipynb"]
    with pytest.raises(ToolkitError, match="refusing to serve '00_facilitator.ipynb'"):
        serve.prepare_folder(["00_facilitator.ipynb"], src, tmp_path / "other")
    with pytest.raises(ToolkitError, match="refusing to serve"):
        serve.prepare_folder(["../workshop.sqlite"], src, tmp_path / "other")


def test_plan_uses_the_newest_workshop_and_passes_the_store_to_kernels(sqlite_store):
    sqlite_store.create_workshop("Older")
    newest = sqlite_store.create_workshop("Riverside Partners")
    plan = serve.plan_serve(sqlite_store.url)
    assert plan.slug == newest.slug
    assert plan.env == {"WORKSHOP_DB": sqlite_store.url, "WORKSHOP_SLUG": newest.slug}
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
    base = dict(url="sqlite:////x/w.sqlite", slug="w", title="W", host="127.0.0.1", port=8866, pool=4, cull_minutes=30,
                dashboard_only=False, notebooks=("01_diagnosis.ipynb", "05_priorities.ipynb", "dashboard.ipynb"))
    return serve.ServePlan(**{**base, **kw})


def test_voila_config_preheats_culls_and_locks_down_files():
    cfg = serve.voila_config(_plan())
    assert cfg["Voila"] == {"ip": "127.0.0.1", "port": 8866, "port_retries": 0, "open_browser": False}
    vc = cfg["VoilaConfiguration"]
    assert vc["preheat_kernel"] is True and vc["default_pool_size"] == 4
    assert vc["show_tracebacks"] is False
    assert cfg["VoilaKernelManager"]["kernel_pools_config"] == {"default": {"pool_size": 4}, "dashboard.ipynb": {"pool_size": 1}}
    assert cfg["MappingKernelManager"] == {"cull_idle_timeout": 1800, "cull_interval": 60, "cull_connected": False}
    assert cfg["VoilaExecutor"]["iopub_timeout"] >= 30  # a busy laptop must not drop a widget's output
    assert serve.voila_config(_plan(pool=0))["VoilaConfiguration"]["preheat_kernel"] is False


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
    local = _plan()
    assert local.link("01_diagnosis.ipynb") == "http://localhost:8866/voila/render/01_diagnosis.ipynb"
    monkeypatch.setattr(serve, "lan_ip", lambda: "192.168.1.23")
    room = _plan(host="0.0.0.0", port=9000)
    text = serve.describe(room)
    assert "http://192.168.1.23:9000/voila/render/01_diagnosis.ipynb" in text
    assert "http://192.168.1.23:9000/voila/render/dashboard.ipynb" in text
    assert "1. Diagnosis" in text and "5. Priorities" in text
    assert "--host 0.0.0.0" in serve.describe(local)  # tells how to open it to the room
    assert "--host 0.0.0.0" not in text
    only = serve.describe(_plan(dashboard_only=True, notebooks=("dashboard.ipynb",)))
    assert "Share these links" not in only and "dashboard.ipynb" in only


def test_lan_ip_is_an_address():
    socket.inet_aton(serve.lan_ip())


def test_workshop_voila_pins_the_kernel_messages_a_page_may_send(tmp_path, monkeypatch):
    from traitlets.config import Config

    folder = _nb(tmp_path / "served", "dashboard.ipynb")
    app = serve.workshop_voila_class()(config=Config(serve.voila_config(_plan(pool=0, port=free_port()))))
    app.initialize([str(folder)])
    try:
        app.init_settings()
        assert tuple(app.kernel_manager.allowed_message_types) == serve.ALLOWED_MESSAGE_TYPES
        assert "execute_request" not in app.kernel_manager.allowed_message_types
        assert app.voila_configuration.file_allowlist == list(serve.FILE_ALLOWLIST)
        monkeypatch.setattr(serve, "ALLOWED_MESSAGE_TYPES", (*serve.ALLOWED_MESSAGE_TYPES, "execute_request"))
        with pytest.raises(ToolkitError, match="accept code from the page"):
            app.init_settings()
    finally:
        app.clear_instance()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cli_serve_help_and_errors(capsys, tmp_path, sqlite_store):
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    out = capsys.readouterr().out
    for option in ("--port", "--host", "--pool", "--db", "--workshop", "--dashboard-only", "--no-browser", "--cull-minutes", "0.0.0.0"):
        assert option in out
    assert cli.main(["serve", "--db", str(tmp_path / "empty.sqlite")]) == 1
    assert "no workshop yet" in capsys.readouterr().err
    sqlite_store.create_workshop("W")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert cli.main(["serve", "--db", sqlite_store.url, "--port", str(port)]) == 1
    assert f"port {port} on 127.0.0.1 is in use" in capsys.readouterr().err
