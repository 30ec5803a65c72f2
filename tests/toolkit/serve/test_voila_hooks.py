"""The kit overrides private parts of Voila 0.5 (the kernel manager
factory, the pool's refill and start methods, ``init_settings``) and sets
traits by name. ``pyproject.toml`` pins that series; these tests fail with
the list of what moved when an installed Voila no longer has them, and
``workshop serve`` refuses to start in that case."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from toolkit import serve
from toolkit.errors import ToolkitError

ROOT = Path(__file__).resolve().parents[3]


def test_voila_still_has_every_hook_the_kit_overrides_or_sets():
    problems = serve.voila_hook_problems()
    assert problems == [], "Voila's private hooks moved; toolkit/serve/app.py and kernel_pool.py need updating:\n  " + "\n  ".join(problems)


def test_the_installed_voila_is_the_pinned_series():
    import voila

    (line,) = re.findall(r'^\s*"(voila[^"]*)"', (ROOT / "pyproject.toml").read_text(), re.M)
    pin = Requirement(line)
    assert str(pin.specifier) in ("<0.6,>=0.5", ">=0.5,<0.6"), f"voila is pinned as {pin}; the hooks are Voila 0.5's"
    assert pin.specifier.contains(voila.__version__), f"Voila {voila.__version__} is installed, outside the pin {pin}"


def test_a_moved_hook_is_named_and_serve_refuses(monkeypatch):
    import voila.app as voila_app

    real = voila_app.voila_kernel_manager_factory

    def moved_factory(base_class, preheat_kernel, default_pool_size, page_config_hook=None):
        cls = real(base_class, preheat_kernel, default_pool_size, page_config_hook)

        class Moved(cls):  # a later Voila: the refill renamed, the start made sync
            fill_if_needed = None

            def _initialize(self, path, kernel_id=None, **kwargs):
                return {}

        return Moved

    monkeypatch.setattr(voila_app, "voila_kernel_manager_factory", moved_factory)
    problems = serve.voila_hook_problems()
    assert "Voila's pooling kernel manager .fill_if_needed is gone" in problems
    assert "Voila's pooling kernel manager ._initialize no longer takes notebook_path (it takes self, path, kernel_id, kwargs)" in problems
    assert "Voila's pooling kernel manager ._initialize is no longer a coroutine" in problems
    plan = serve.ServePlan(url="sqlite://", slug="w", title="W", host="127.0.0.1", port=_free_port(), pool=0, cull_minutes=30,
                           dashboard_only=True, pages=(serve.pages.dashboard_page(),))
    with pytest.raises(ToolkitError, match=r"refusing to serve: Voila .* the kit is made for Voila 0.5 .*fill_if_needed is gone"):
        serve.run(plan, out=lambda _text: None)


def test_a_renamed_setting_is_named(monkeypatch):
    from voila.configuration import VoilaConfiguration

    monkeypatch.delattr(VoilaConfiguration, "preheat_kernel")
    monkeypatch.setattr(VoilaConfiguration, "_traits", {k: v for k, v in VoilaConfiguration.class_traits().items() if k != "preheat_kernel"}, raising=False)
    assert "VoilaConfiguration.preheat_kernel is no longer a setting (workshop serve sets it)" in serve.voila_hook_problems()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
