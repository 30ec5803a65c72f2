"""The content model (issue #2): the packaged toolkit is the published one,
and every way a facilitator can break the file is reported with the file,
the exact place inside it and what was expected."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable

import pytest
import yaml

from toolkit import content
from toolkit.errors import ContentError, UnknownTool

STAGES = [
    ("diagnosis", "Diagnosis"),
    ("design", "Design"),
    ("implementation", "Implementation"),
    ("assessment", "Assessment"),
]

# Published order and names (shared/reference/toolkit-facts.md).
TOOLS = [
    "Engage Potential Partners",
    "Share a Vision of Success",
    "Assess the History of Addressing the Issue",
    "Account for Resources",
    "Establish Transparency of Viewpoints",
    "Build a Common Fact Base",
    "Agree on Measures of Success",
    "Commit to Information Sharing",
    "Share Discretion",
    "Establish a Governance Structure",
    "Identify a Manager",
    "Communicate the Interdependency of Each Sector",
    "Manage Expectations of Process and Results",
    "Set Achievable Short-Term Goals",
    "Define the Intent of the Evaluation",
    "Evaluate Progress and Learn",
    "Tell the Story",
]
STAGE_OF_NUMBER = {n: "diagnosis" for n in range(1, 5)} | {n: "design" for n in range(5, 12)} | {
    n: "implementation" for n in range(12, 15)
} | {n: "assessment" for n in range(15, 18)}


# --------------------------------------------------------------------------
# The packaged content


def test_four_stages_in_order(kit):
    assert [(s.id, s.title) for s in kit.stages] == STAGES
    assert [s.number for s in kit.stages] == [1, 2, 3, 4]
    for s in kit.stages:
        assert s.question.strip() and s.summary.strip()


def test_seventeen_tools_in_published_order_with_exact_names(kit):
    assert [t.name for t in kit.tools] == TOOLS
    assert [t.number for t in kit.tools] == list(range(1, 18))
    assert [t.name for t in kit] == TOOLS  # iterating yields tools in order
    assert len(kit) == 17


def test_stage_placement_1_4_5_11_12_14_15_17(kit):
    assert {t.number: t.stage_id for t in kit.tools} == STAGE_OF_NUMBER
    assert [[t.number for t in kit.tools_in(s.id)] for s in kit.stages] == [
        [1, 2, 3, 4],
        [5, 6, 7, 8, 9, 10, 11],
        [12, 13, 14],
        [15, 16, 17],
    ]
    # The stages' own tool lists agree with the tools' stage ids.
    for s in kit.stages:
        assert all(kit.tool(tid).stage_id == s.id for tid in s.tool_ids)


def test_every_tool_has_four_to_six_questions_with_unique_ids(kit):
    ids = []
    for tool in kit.tools:
        assert 4 <= len(tool.questions) <= 6, tool
        for q in tool.questions:
            assert q.tool_id == tool.id
            assert q.text.strip().endswith("?"), q
            ids.append(q.id)
    assert len(ids) == len(set(ids))
    assert all(kit.question(qid).id == qid for qid in ids)


def test_every_tool_has_its_texts(kit):
    for tool in kit.tools:
        assert tool.definition.strip() and tool.why.strip(), tool
        assert tool.id == tool.id.lower() and " " not in tool.id


def test_tools_14_and_16_are_provisional_with_a_note(kit):
    provisional = {t.number: t for t in kit.tools if t.provisional}
    assert sorted(provisional) == [14, 16]
    for tool in provisional.values():
        assert tool.note and tool.note.strip()
    assert all(t.note is None for t in kit.tools if not t.provisional)


def test_sectors_include_the_five(kit):
    ids = [s.id for s in kit.sectors]
    assert {"government", "business", "nonprofit", "community", "other"} <= set(ids)
    assert len(ids) == len(set(ids))
    assert all(s.name.strip() and s.description.strip() for s in kit.sectors)
    assert kit.sector("nonprofit").id == "nonprofit"
    assert kit.has_sector("business") and not kit.has_sector("aliens")


def test_glossary_has_at_least_twelve_terms_and_tools_use_them(kit):
    assert len(kit.glossary) >= 12
    term_ids = {t.id for t in kit.glossary}
    assert len(term_ids) == len(kit.glossary)
    used = {term for tool in kit.tools for term in tool.terms}
    assert used and used <= term_ids
    first = kit.glossary[0]
    assert kit.term(first.id) == first and first.definition.strip()


def test_scale_runs_1_to_5_with_labels_and_not_sure(kit):
    scale = kit.scale
    assert scale.values == (1, 2, 3, 4, 5)
    labels = [p.label for p in scale.points]
    assert all(label.strip() for label in labels) and len(set(labels)) == 5
    assert [scale.label(v) for v in range(1, 6)] == labels
    assert scale.not_sure.strip() and scale.label(None) == scale.not_sure
    with pytest.raises(UnknownTool, match="no point 6"):
        scale.label(6)


def test_the_scale_says_which_ratings_are_low_and_its_span(kit):
    scale = kit.scale
    assert scale.low_at == 2 and scale.low_values == (1, 2)
    assert [v for v in (1, 2, 3, 4, 5, "not-sure", None, True) if scale.is_low(v)] == [1, 2]
    assert scale.low_prompt == "What is missing? What would help us do this better?"
    assert scale.span == "1 (Not at all) to 5 (Fully)"


def test_the_pages_wording_comes_from_the_content(kit):
    design = kit.stage("design")
    assert kit.pages.label_for(design, 4) == "Stage 2 of 4"
    assert kit.pages.intro_for(design, 4).startswith("**Intersector workshop · Stage 2 of 4: Design.** Sign in below")
    assert kit.pages.priorities_title == "Priorities"
    assert "After the 4 stages" in kit.pages.priorities_intro_for(4)


def test_without_the_new_keys_a_file_keeps_working(tmp_path):
    """Content files written before scale.low_at and pages existed load with
    the lower half of the scale as low and the kit's own wording."""
    def mutate(raw):
        for key in ("low_at", "low_prompt"):
            raw["scale"].pop(key)
        raw.pop("pages")
        raw["scale"]["points"] = raw["scale"]["points"][:3]

    kit = content.parse_file(_broken(tmp_path, mutate))
    assert kit.scale.low_values == (1,)  # 3 points: the lower half is 1
    assert kit.pages == content.PageText()
    assert kit.pages.label_for(kit.stage(1), 4) == "Stage 1 of 4"


def test_a_translated_wording_is_used(tmp_path):
    def mutate(raw):
        raw["pages"] = {"stage_label": "Etapa {number} de {count} {{beta}}", "priorities_title": "Prioridades"}
        raw["scale"].update(low_at=3, low_prompt="¿Qué falta?")

    kit = content.parse_file(_broken(tmp_path, mutate))
    assert kit.pages.label_for(kit.stage(3), 4) == "Etapa 3 de 4 {beta}"  # {{ }} are literal braces
    assert kit.pages.priorities_title == "Prioridades" and "Prioridades" in kit.pages.priorities_intro_for(4)
    assert kit.scale.low_values == (1, 2, 3) and kit.scale.low_prompt == "¿Qué falta?"


def test_a_stage_title_goes_into_the_page_intro_as_text(tmp_path):
    kit = content.parse_file(_broken(tmp_path, lambda raw: raw["stages"][0].update(title="Map <b>&</b> Meet")))
    assert "Stage 1 of 4: Map &lt;b&gt;&amp;&lt;/b&gt; Meet.**" in kit.pages.intro_for(kit.stage(1), 4)
    assert kit.pages.label_for(kit.stage(1), 4) == "Stage 1 of 4"  # a widget escapes labels itself


def test_source_credits_the_intersector_project(kit):
    assert kit.source.publisher == "The Intersector Project"
    assert kit.source.url == "https://intersector.com/toolkit/"
    assert "Intersector Toolkit" in kit.source.title


@pytest.mark.parametrize("key", [9, "9", " 9 ", "09", "share-discretion"])
def test_tool_lookup_by_number_and_id(kit, key):
    tool = kit.tool(key)
    assert (tool.number, tool.id, tool.name) == (9, "share-discretion", "Share Discretion")


def test_stage_lookup_by_number_and_id(kit):
    assert kit.stage(2) is kit.stage("design") is kit.stage("2")
    assert kit.tools_in(3) == kit.tools_in("implementation")


@pytest.mark.parametrize(
    "call, needle",
    [
        (lambda k: k.tool("no-such-tool"), "no-such-tool"),
        (lambda k: k.tool(0), "'0'"),
        (lambda k: k.tool(18), "'18'"),
        (lambda k: k.stage("planning"), "planning"),
        (lambda k: k.stage(5), "expected 1 to 4"),
        (lambda k: k.question("zz-1"), "zz-1"),
        (lambda k: k.sector("aliens"), "aliens"),
        (lambda k: k.term("nope"), "nope"),
    ],
)
def test_unknown_ids_raise_unknown_tool_naming_the_id(kit, call, needle):
    with pytest.raises(UnknownTool) as info:
        call(kit)
    assert needle in str(info.value)
    assert isinstance(info.value, KeyError)  # callers may catch KeyError


def test_values_are_frozen(kit):
    tool = kit.tool(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tool.name = "Renamed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        tool.questions[0].text = "Changed?"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        kit.stages[0].title = "Changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        kit.tools = ()  # type: ignore[misc]
    assert isinstance(kit.tools, tuple) and isinstance(tool.questions, tuple)
    assert isinstance(kit.stages[0].tool_ids, tuple) and isinstance(tool.terms, tuple)
    assert isinstance(kit._index, MappingProxyType)
    with pytest.raises(TypeError):
        kit._index["tool"]["x"] = tool  # type: ignore[index]


def test_reprs_are_readable(kit):
    assert repr(kit.tool(14)) == "<Tool 14 'set-achievable-short-term-goals' stage='implementation' questions=6 provisional>"
    assert repr(kit.stage(2)) == "<Stage 2 'design' tools=7>"
    assert repr(kit).startswith("<Toolkit 4 stages, 17 tools, 5 sectors from ")


def test_to_dict_round_trips_through_the_validator(kit):
    again = content.parse_text(yaml.safe_dump(kit.to_dict(), sort_keys=False, allow_unicode=True), "<round trip>")
    assert again.tools == kit.tools
    assert again.stages == kit.stages
    assert again.glossary == kit.glossary and again.scale == kit.scale and again.sectors == kit.sectors
    assert again.pages == kit.pages
    assert kit.tool(9).to_dict()["questions"][0]["tool_id"] == "share-discretion"


def test_load_is_cached_per_file_and_honours_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(content.CONTENT_ENV, raising=False)
    assert content.load() is content.load()
    edited = tmp_path / "edited.yaml"
    raw = _raw()
    raw["tools"][0]["name"] = "Find the Partners"
    edited.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(content.CONTENT_ENV, str(edited))
    assert content.load().tool(1).name == "Find the Partners"
    assert content.load(content.DEFAULT_FILE).tool(1).name == "Engage Potential Partners"


def test_a_missing_file_names_the_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ContentError) as info:
        content.load(missing)
    assert str(missing) in str(info.value) and "cannot read" in str(info.value)


# --------------------------------------------------------------------------
# Broken files: one test each, the message names the file and the place


def _raw() -> dict[str, Any]:
    return yaml.safe_load(content.DEFAULT_FILE.read_text(encoding="utf-8"))


def _broken(tmp_path: Path, mutate: Callable[[dict[str, Any]], None]) -> Path:
    raw = _raw()
    mutate(raw)
    path = tmp_path / "toolkit.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _refused(path: Path, place: str, problem: str) -> ContentError:
    with pytest.raises(ContentError) as info:
        content.parse_file(path)
    err = info.value
    assert err.file == str(path)
    assert err.place == place
    assert problem in err.problem
    assert str(err) == f"{path}: {place}: {err.problem}"
    return err


def test_the_unmodified_file_is_valid(tmp_path):
    kit = content.parse_file(_broken(tmp_path, lambda raw: None))
    assert len(kit.tools) == 17


def test_unknown_key(tmp_path):
    path = _broken(tmp_path, lambda raw: raw["tools"][3].update(colour="red"))
    err = _refused(path, "tools[3].colour", "unknown key")
    assert "definition" in err.problem  # it lists what is allowed


def test_missing_field(tmp_path):
    path = _broken(tmp_path, lambda raw: raw["tools"][2].pop("why"))
    _refused(path, "tools[2].why", "missing required key")


def test_wrong_type(tmp_path):
    path = _broken(tmp_path, lambda raw: raw["tools"][4].update(number="five"))
    _refused(path, "tools[4].number", "expected a whole number, got a string ('five')")


def test_wrong_type_for_a_text_field(tmp_path):
    path = _broken(tmp_path, lambda raw: raw["stages"][1].update(title=["Design"]))
    _refused(path, "stages[1].title", "expected a non-empty string, got a list of 1")


def test_duplicate_tool_id(tmp_path):
    def mutate(raw):
        raw["tools"][5]["id"] = raw["tools"][4]["id"]

    err = _refused(_broken(tmp_path, mutate), "tools[5].id", "duplicate tool id 'establish-transparency-of-viewpoints'")
    assert "tools[4].id" in err.problem  # and where it was first used


def test_duplicate_question_id(tmp_path):
    def mutate(raw):
        raw["tools"][6]["questions"][2]["id"] = raw["tools"][6]["questions"][0]["id"]

    err = _refused(_broken(tmp_path, mutate), "tools[6].questions[2].id", "duplicate question id 'ams-1'")
    assert "tools[6].questions[0].id" in err.problem


def test_duplicate_question_id_across_tools(tmp_path):
    def mutate(raw):
        raw["tools"][16]["questions"][4]["id"] = raw["tools"][0]["questions"][1]["id"]

    _refused(_broken(tmp_path, mutate), "tools[16].questions[4].id", "duplicate question id")


def test_tool_in_no_stage(tmp_path):
    def mutate(raw):
        raw["stages"][1]["tools"].remove("share-discretion")

    _refused(_broken(tmp_path, mutate), "tools[8].id", "tool 'share-discretion' is in no stage")


def test_tool_in_two_stages(tmp_path):
    def mutate(raw):
        raw["stages"][2]["tools"].append("engage-potential-partners")

    err = _refused(_broken(tmp_path, mutate), "stages[2].tools[3]", "already in stage 'diagnosis'")
    assert "stages[0].tools[0]" in err.problem


def test_stage_lists_a_tool_that_does_not_exist(tmp_path):
    _refused(_broken(tmp_path, lambda raw: raw["stages"][3]["tools"].append("write-a-memo")), "stages[3].tools[3]", "no tool has the id 'write-a-memo'")


def test_empty_question_list(tmp_path):
    _refused(_broken(tmp_path, lambda raw: raw["tools"][8].update(questions=[])), "tools[8].questions", "the question list is empty")


def test_invalid_yaml(tmp_path):
    path = tmp_path / "toolkit.yaml"
    lines = content.DEFAULT_FILE.read_text(encoding="utf-8").splitlines()
    bad_line = next(i for i, line in enumerate(lines) if line.startswith("stages:")) + 2
    lines.insert(bad_line, "    number: [1, 2")  # an unclosed flow sequence
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ContentError) as info:
        content.parse_file(path)
    err = info.value
    assert err.file == str(path)
    assert err.place.startswith("line ") and ", column " in err.place
    line_no = int(err.place.split()[1].rstrip(","))
    assert bad_line + 1 <= line_no <= bad_line + 2  # at or just after the broken line
    assert err.problem.startswith("not valid YAML")
    assert str(err).startswith(f"{path}: line ")


def test_duplicate_key_in_yaml(tmp_path):
    path = tmp_path / "toolkit.yaml"
    text = content.DEFAULT_FILE.read_text(encoding="utf-8")
    lines = text.splitlines()
    at = lines.index(f"schema_version: {content.SCHEMA_VERSION}")
    lines.insert(at + 1, f"schema_version: {content.SCHEMA_VERSION}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _refused(path, f"line {at + 2}", "the key 'schema_version' appears twice")


def test_wrong_schema_version(tmp_path):
    _refused(_broken(tmp_path, lambda raw: raw.update(schema_version=0)), "schema_version", "(or 1 for a file without facilitator notes), got 0")


def test_term_not_in_glossary(tmp_path):
    def mutate(raw):
        raw["tools"][0]["terms"].append("synergy")

    n = len(_raw()["tools"][0]["terms"])
    _refused(_broken(tmp_path, mutate), f"tools[0].terms[{n}]", "'synergy' (not in glossary)")


def test_provisional_tool_without_a_note(tmp_path):
    _refused(_broken(tmp_path, lambda raw: raw["tools"][13].pop("note")), "tools[13].note", "provisional tool needs")


def test_tools_out_of_published_order(tmp_path):
    def mutate(raw):
        raw["tools"][0]["number"], raw["tools"][1]["number"] = 2, 1

    _refused(_broken(tmp_path, mutate), "tools[0].number", "expected 1")


def test_top_level_not_a_mapping(tmp_path):
    path = tmp_path / "toolkit.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    _refused(path, "top level", "expected a mapping, got a list of 2")


def test_not_utf8(tmp_path):
    path = tmp_path / "toolkit.yaml"
    path.write_bytes(content.DEFAULT_FILE.read_bytes().replace(b"Diagnosis", b"Diagn\xf6sis", 1))
    with pytest.raises(ContentError) as info:
        content.parse_file(path)
    assert info.value.file == str(path) and "not UTF-8" in info.value.problem


@pytest.mark.parametrize(
    ("low_at", "problem"),
    [
        (5, "expected 0 to 4 (ratings at or below it ask what is missing; 0 for none), got 5"),
        (-1, "expected 0 to 4"),
        ("two", "expected a whole number, got a string ('two')"),
    ],
)
def test_low_at_outside_the_scale(tmp_path, low_at, problem):
    _refused(_broken(tmp_path, lambda raw: raw["scale"].update(low_at=low_at)), "scale.low_at", problem)


@pytest.mark.parametrize(
    ("key", "text", "problem"),
    [
        ("stage_label", "Stage {n} of {count}", "unknown placeholder {n} (expected: {number}, {count}, {title}, {question})"),
        ("priorities_title", "Top {count}", "unknown placeholder {count} (expected: none)"),
        ("priorities_intro", "After {number} stages", "unknown placeholder {number} (expected: {count}, {title})"),
        ("stage_intro", "Stage {number.__class__}", "unknown placeholder {number.__class__}"),
        ("stage_intro", "Stage {number!r}", "placeholder {number} has a format; write just {number}"),
        ("stage_intro", "Stage {number:>4}", "placeholder {number} has a format"),
        ("stage_label", "Stage {number", "a brace that starts no placeholder"),
        ("stage_label", "", "expected a non-empty string"),
    ],
)
def test_page_wording_with_a_bad_placeholder(tmp_path, key, text, problem):
    _refused(_broken(tmp_path, lambda raw: raw["pages"].update({key: text})), f"pages.{key}", problem)


def test_page_wording_unknown_key(tmp_path):
    err = _refused(_broken(tmp_path, lambda raw: raw["pages"].update(footer="x")), "pages.footer", "unknown key")
    assert "stage_intro" in err.problem
