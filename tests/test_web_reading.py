"""The page says whose reading chose each interviewer reply (issue 13.3's `reading` on the turn): `stardrive
serve` with the file-backed `scripted` grader, driven by headless Chromium (fixtures and helpers from
tests/test_web.py). Streamed, JSON and reloaded replies; nothing with the builtin grader."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_grading_jobs import write_script
from tests.test_live_reading import ANSWER, ARCHETYPE, FOLLOW_UP, REPLY
from tests.test_web import WEAK, WIDTHS, browser, new_page, pytestmark, send, server, serving, shot, start

__all__ = ["browser", "pytestmark", "server"]  # the fixtures and skips of tests/test_web.py, used here

BUDGET = "0.5"  # seconds; the second answer's reading never comes, so the rubric decides after this
TOO_SLOW = f"The rubric decided: the model's reading took longer than {BUDGET} s"


@pytest.fixture
def graded_server(tmp_path: Path) -> Iterator[str]:
    """`stardrive serve` whose grader reads the first answer, hangs on the second, reads the third."""
    script = write_script(tmp_path / "grader.jsonl", [REPLY, {"hang": True}, REPLY])
    with serving(
        tmp_path, grader_model="scripted", scripted_replies_file=str(script), reading_budget_seconds=BUDGET
    ) as base:
        yield base


def api_turns(page: Any) -> list[dict[str, Any]]:
    iid = page.url.split("interview=")[1]
    turns: list[dict[str, Any]] = page.evaluate(
        f"async () => (await (await fetch('/api/interviews/{iid}')).json()).turns"
    )
    return turns


@pytest.mark.parametrize("size", list(WIDTHS))
def test_each_reply_says_whose_reading_chose_it(graded_server: str, browser: Any, size: str) -> None:
    from playwright.sync_api import expect

    page = new_page(browser, graded_server, size)
    page.on("dialog", lambda d: d.accept())
    start(page, graded_server, ARCHETYPE)
    transcript = page.get_by_test_id("transcript")
    interviewer = transcript.locator(".turn.interviewer")
    readings = transcript.get_by_test_id("turn-reading")
    expect(readings).to_have_count(0)  # the opening question answers nothing

    # Streamed: the reading arrives with the turn, the stream's last event.
    send(page, ANSWER)
    expect(interviewer).to_have_count(2)
    expect(interviewer.nth(1).get_by_test_id("turn-reading")).to_have_text("Read by scripted")
    expect(interviewer.nth(0).get_by_test_id("turn-reading")).to_have_count(0)
    expect(transcript.locator(".turn.candidate .reading")).to_have_count(0)

    # The model is past the budget: the rubric decided, and the line says why.
    send(page, "I am not sure what else to add.")
    expect(interviewer).to_have_count(3)
    expect(interviewer.nth(2).get_by_test_id("turn-reading")).to_have_text(TOO_SLOW)
    shot(page, "reading", size)

    # The same turn as JSON (`Accept: application/json`), not a stream: the same line.
    answers = "**/api/interviews/*/answers"
    page.route(answers, lambda r: r.continue_(headers={**r.request.headers, "accept": "application/json"}))
    with page.expect_response(answers) as reply:
        send(page, FOLLOW_UP)
    assert reply.value.headers["content-type"].startswith("application/json")
    page.unroute(answers)
    expect(interviewer).to_have_count(4)  # the wrap-up, then the debrief
    expect(interviewer.nth(3).get_by_test_id("turn-reading")).to_have_text("Read by scripted")
    expect(page.get_by_test_id("debrief").locator("h2")).to_have_text("Debrief")
    expect(page.locator("#error")).to_be_empty()
    # Text, never markup: the reading line is one plain <small> in its reply.
    assert interviewer.nth(3).locator(".reading *").count() == 0

    # Reloaded from the interview's stored turns: each reply keeps its line, in order.
    shown = ["", "Read by scripted", TOO_SLOW, "Read by scripted"]
    stored = [t["reading"] for t in api_turns(page) if t["role"] == "interviewer"]
    assert stored == [
        None,
        {"by": "scripted", "fallback": None},
        {"by": "builtin", "fallback": f"the model's reading took longer than {BUDGET} s"},
        {"by": "scripted", "fallback": None},
    ]
    page.reload()
    expect(interviewer).to_have_count(4)
    expect(readings).to_have_count(3)
    texts = interviewer.evaluate_all("ts => ts.map(t => t.querySelector('.reading')?.textContent || '')")
    assert texts == shown


def test_no_reading_line_with_the_builtin_grader(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    page = new_page(browser, server)
    start(page, server, "killed_own_project")
    send(page, WEAK)
    transcript = page.get_by_test_id("transcript")
    expect(transcript.locator(".turn.interviewer")).to_have_count(2)
    expect(transcript.get_by_test_id("turn-reading")).to_have_count(0)
    assert [t.get("reading") for t in api_turns(page)] == [None, None, None]
    page.reload()
    expect(transcript.locator(".turn")).to_have_count(3)
    expect(transcript.get_by_test_id("turn-reading")).to_have_count(0)
