"""The tool card shows the content, escaped, with only http(s) links."""

from __future__ import annotations

import dataclasses
import html

import pytest
import traitlets

from toolkit.content import Example, Resource
from widgets.style import safe_link
from widgets.tool_card import ToolCard


def test_card_shows_the_tool(kit):
    tool = kit.tool("assess-the-history-of-addressing-the-issue")
    card = ToolCard(kit, tool)
    assert card.value == tool.id
    assert "Tool 3 · Stage 1: Diagnosis" in card.header.value
    assert "<h2>Assess the History of Addressing the Issue</h2>" in card.header.value
    assert html.escape(tool.definition) in card.about.value
    assert "Why it matters" in card.about.value
    assert "Detroit RiverFront Conservancy" in card.example.value
    assert "(Detroit, Michigan)" in card.example.value
    assert '<a href="https://ctb.ku.edu/" target="_blank" rel="noopener noreferrer">Community Tool Box</a>' in card.resources.value
    assert "University of Kansas" in card.resources.value
    for term_id in tool.terms:
        term = kit.term(term_id)
        assert f"<dt>{html.escape(term.term)}</dt><dd>{html.escape(term.definition)}</dd>" in card.glossary.value
    assert "xs-tool-card" in card._dom_classes


def test_a_resource_without_url_is_plain_text_and_a_related_case_says_so(kit):
    tool = kit.tool("engage-potential-partners")
    card = ToolCard(kit, tool)
    assert "The Partnering Toolbook (stakeholder mapping tool)" in card.resources.value
    assert "<a " not in card.resources.value
    assert "<h3>A related case</h3>" in card.example.value and "A case example" not in card.example.value
    assert html.escape(tool.example.shows) in card.example.value
    assert "Source: The Intersector Project case library" in card.example.value


def test_the_provisional_note_is_not_on_the_participants_card(kit):
    for number in (14, 16):
        tool = kit.tool(number)
        card = ToolCard(kit, tool)
        text = "".join(w.value for w in (card.header, card.about, card.example, card.resources, card.glossary))
        assert tool.note and tool.note not in text and html.escape(tool.note) not in text
        assert all(p not in text for p in tool.facilitation.pitfalls)


def test_no_example_is_hidden(kit):
    card = ToolCard(kit, kit.tool("share-a-vision-of-success"))
    assert card.example.value == ""
    assert card.example.layout.display == "none"


def test_everything_is_escaped_and_only_http_links(kit):
    tool = dataclasses.replace(
        kit.tool("share-discretion"),
        name="<script>alert(1)</script>",
        why="a & b",
        example=Example(title="<b>T</b>", place="<i>", summary="x"),
        resources=(
            Resource(name="bad", publisher="p", url="javascript:alert(1)"),
            Resource(name="<em>ok</em>", publisher="p", url='https://example.org/?a="1"'),
        ),
    )
    card = ToolCard(kit, tool)
    shown = card.header.value + card.about.value + card.example.value + card.resources.value
    assert "<script>" not in shown and "&lt;script&gt;" in card.header.value
    assert "a &amp; b" in card.about.value
    assert "&lt;b&gt;T&lt;/b&gt;" in card.example.value
    assert "javascript:" not in card.resources.value
    assert '<a href="https://example.org/?a=&quot;1&quot;" target="_blank" rel="noopener noreferrer">&lt;em&gt;ok&lt;/em&gt;</a>' in card.resources.value


def test_safe_link():
    assert safe_link("http://a.org", "A") == '<a href="http://a.org" target="_blank" rel="noopener noreferrer">A</a>'
    assert safe_link("data:text/html,x", "<A>") == "&lt;A&gt;"
    assert safe_link(None, "A") == "A"


def test_setting_value_shows_another_tool(kit):
    card = ToolCard(kit, kit.tool("share-discretion"))
    other = kit.tool("tell-the-story")
    card.value = other.id
    assert card.tool is other
    assert f"<h2>{other.name}</h2>" in card.header.value
    assert html.escape(other.definition) in card.about.value
    with pytest.raises(traitlets.TraitError, match="unknown tool 'nope'"):
        card.value = "nope"
    assert card.value == other.id
