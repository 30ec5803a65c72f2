"""An edited content file served with ``workshop serve --content FILE``:
the pages are built from it (a renamed stage is a page of its new name and
title) and every kernel reads it (the extra question is on the page and
its answer is saved under its id)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser

WAIT_MS = 90_000
TOOL = "engage-potential-partners"
ANSWER = "The Westside library has a free room on Tuesdays"


def test_the_served_pages_are_the_edited_content(serve_factory, page, sign_in, edited_content):
    (stage_id, stage_title), (qid, qtext) = edited_content.stage, edited_content.question
    server = serve_factory("--pool", "0", content=edited_content.path)
    first = f"stage-1-{stage_id}.ipynb"

    # The pages and the links come from the content.
    listing = json.loads(server.facilitator_get("/voila/api/contents").body)
    assert sorted(item["name"] for item in listing["content"]) == sorted(
        [first, "stage-2-design.ipynb", "stage-3-implementation.ipynb", "stage-4-assessment.ipynb", "priorities.ipynb", "dashboard.ipynb", "presenter.ipynb"]
    )
    assert server.facilitator_get("/voila/render/stage-1-diagnosis.ipynb").status == 404
    assert f"1. {stage_title}" in server.log_text() and f"/voila/render/{first}" in server.log_text()

    server.join(page.context)
    page.goto(server.url(server.render(stage_id)))
    header = page.locator(".xs-stage-header")
    header.wait_for(timeout=WAIT_MS)
    assert f"<h1>{stage_title}</h1>" in header.inner_html() and "Stage 1 of 4" in header.text_content()  # shown upper case by CSS
    assert page.get_by_text(f"Stage 1 of 4: {stage_title}.").count() == 1  # the page's intro, from the content
    assert "Diagnosis" not in page.locator(".xs-stage-links").inner_text()

    # The kernel has the edited content: the extra question is there, and saves.
    extra = page.locator(f".xs-q-{qid} textarea")
    extra.wait_for(timeout=WAIT_MS)
    assert qtext in page.locator(f".xs-question-{qid}").inner_text()
    sign_in(page, "Edda Edited", "Westside Library", "Non-profit", "Table 3")
    extra.fill(ANSWER)
    page.locator(f".xs-question-{qid} .xs-save-status", has_text="Saved").wait_for(timeout=WAIT_MS)
    rows = server.store.answer_rows(server.slug, current=True)
    assert rows[(rows["question_id"] == qid) & (rows["tool_id"] == TOOL)]["value"].tolist() == [ANSWER]
    assert page.dialogs == []  # type: ignore[attr-defined]
