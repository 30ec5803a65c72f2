"""Voila's page templates are compiled once per server, not per page."""

from __future__ import annotations

import jinja2
from voila.exporter import VoilaExporter

from toolkit.serve.page_templates import TEMPLATE_CACHE, MemoryBytecodeCache, share_compiled_templates


def test_a_second_page_loads_the_templates_from_bytecode(tmp_path, monkeypatch):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "page.j2").write_text("{% set n = 2 %}<p>{{ title }} {{ n }}</p>")

    class Exporter(VoilaExporter):
        pass

    share_compiled_templates(Exporter)
    share_compiled_templates(Exporter)  # a second call changes nothing
    compiled: list[str] = []
    compile_ = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return compile_(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    for _ in range(3):  # a new exporter per page, as Voila makes them
        env = Exporter(template_paths=[str(folder)]).environment
        assert env.is_async and env.bytecode_cache is TEMPLATE_CACHE
        template = env.get_template("page.j2")
        assert template.render(title="Stage 1") == "<p>Stage 1 2</p>"
    assert compiled == ["page.j2"]  # once, for the first page
    (folder / "page.j2").write_text("<p>{{ title }} edited</p>")
    env = Exporter(template_paths=[str(folder)]).environment
    assert env.get_template("page.j2").render(title="Stage 1") == "<p>Stage 1 edited</p>"  # an edit is compiled again
    assert compiled == ["page.j2", "page.j2"]


def test_environments_of_another_kind_do_not_share_bytecode():
    cache = MemoryBytecodeCache()
    loader = jinja2.DictLoader({"a": "{{ 1 + 1 }}"})
    sync = jinja2.Environment(bytecode_cache=cache, loader=loader)
    async_ = jinja2.Environment(bytecode_cache=cache, loader=loader, enable_async=True)
    assert sync.get_template("a").render() == "2"
    assert len(cache) == 1
    assert async_.get_template("a").render() == "2"  # compiled for async rendering, not the sync code
    assert len(cache) == 2
    cache.clear()
    assert len(cache) == 0
