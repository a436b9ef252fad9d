"""The page's drill, story bank and progress views end to end: `stardrive serve` driven by headless Chromium
(fixtures and helpers from tests/test_web.py). Screenshots land in build/screens/ (look at them)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.drill_texts import STAFF_INCIDENT, STAFF_KILL
from tests.test_web import FOLLOW_UP, WEAK, WIDTHS, browser, new_page, pytestmark, send, server, shot, start

__all__ = ["browser", "pytestmark", "server"]  # the fixtures and skips of tests/test_web.py, used here

PARTS = ["situation", "tradeoff", "action", "result", "driver", "reflection"]


def fetch(page: Any, path: str, method: str = "GET", body: Any = None) -> Any:
    script = """async ([path, method, body]) => {
      const init = {method, headers: {"Content-Type": "application/json", "Accept": "application/json"}};
      if (body !== null) init.body = JSON.stringify(body);
      const res = await fetch(path, init);
      return res.status === 204 ? null : res.json(); }"""
    return page.evaluate(script, [path, method, body])


def write_outline(page: Any, parts: dict[str, str]) -> None:
    from playwright.sync_api import expect

    for part in PARTS:
        page.get_by_test_id(f"drill-part-{part}").fill(parts[part])
    page.get_by_test_id("drill-part-situation").focus()  # blur the last field: it saves now
    expect(page.get_by_test_id("drill-saved")).to_have_text("Saved.")


@pytest.mark.parametrize("size", list(WIDTHS))
def test_drill_countdown_outlines_and_self_assessment(server: str, browser: Any, size: str) -> None:
    from playwright.sync_api import expect

    page = new_page(browser, server, size)
    page.on("dialog", lambda d: d.accept())
    page.goto(server + "/")
    page.get_by_test_id("show-drill").click()
    page.get_by_test_id("start-drill").click()
    # An empty bank: the drill picks the first three archetypes, and the first story's clock runs.
    tabs = page.get_by_test_id("drill-story")
    expect(tabs).to_have_count(3)
    assert tabs.all_inner_texts() == [
        "1. Contested technical decision",
        "2. Killed-my-own-project",
        "3. Research-vs-shipping",
    ]
    countdown = page.get_by_test_id("drill-countdown")
    expect(countdown).to_have_text(re.compile(r"^[78]:\d\d left for Contested technical decision$"))
    assert "drill=" in page.url
    write_outline(page, STAFF_KILL)
    shot(page, "drill", size)

    # A reload keeps the words and the clock (the server holds when the story began).
    did = page.url.split("drill=")[1]
    started = fetch(page, f"/api/drills/{did}")["outlines"]["contested_decision"]["started_at"]
    page.reload()
    # The first story is complete: the page opens the next one, whose eight minutes start now.
    expect(countdown).to_contain_text("left for Killed-my-own-project")
    tabs.first.click()
    expect(page.get_by_test_id("drill-part-tradeoff")).to_have_value(STAFF_KILL["tradeoff"])
    expect(countdown).to_contain_text("left for Contested technical decision")
    assert fetch(page, f"/api/drills/{did}")["outlines"]["contested_decision"]["started_at"] == started

    tabs.nth(1).click()
    expect(countdown).to_contain_text("Killed-my-own-project")
    write_outline(page, STAFF_INCIDENT)
    # The third story stays empty: a gap. Name another archetype still without material, then finish.
    page.get_by_test_id("drill-gaps").locator("input[value=ethical_pushback]").check()
    page.get_by_test_id("finish-drill").click()

    report = page.get_by_test_id("drill-report")
    rows = report.get_by_test_id("drill-dimension")
    expect(rows).to_have_count(4)
    assert [re.split(r"[\t\n]", r)[0] for r in rows.all_inner_texts()] == [
        "Coverage discovery",
        "Trade-off articulation",
        "Reflection specificity",
        "Structural-change driver",
    ]
    for text in rows.all_inner_texts():
        assert re.search(r"[\t\n](Weak|Passing|Strong|Staff bar)[\t\n].+", text), text
    expect(rows.first).to_contain_text("Research-vs-shipping")  # the empty outline is the finding
    expect(report.get_by_test_id("drill-gap-list")).to_contain_text("Research-vs-shipping")
    outlines = report.get_by_test_id("drill-outline")
    expect(outlines).to_have_count(3)
    expect(outlines.nth(2)).to_contain_text("Nothing written")
    # Save the first outline to the bank: its project is guessed from the text, and can be changed.
    expect(outlines.first.get_by_test_id("save-story-project")).to_have_value("Helix")
    outlines.first.get_by_test_id("save-story").click()
    expect(outlines.first.get_by_test_id("save-story-status")).to_contain_text("Saved to your story bank")
    (story,) = fetch(page, "/api/stories")
    assert story["archetype"] == "contested_decision" and story["project"] == "Helix"
    assert story["text"] == "\n\n".join(STAFF_KILL[p] for p in PARTS)
    expect(page.locator("#drill-error")).to_be_empty()
    shot(page, "drill-report", size)
    # Later: the drill view lists it, and reopens its report.
    page.get_by_test_id("show-drill").click()
    row = page.get_by_test_id("drill-row")
    expect(row).to_have_count(1)
    expect(row.first).to_contain_text("Contested technical decision: ")
    row.first.get_by_test_id("drill-open").click()
    expect(page.get_by_test_id("drill-dimension")).to_have_count(4)
    assert page.url.endswith(f"drill={did}")


@pytest.mark.parametrize("size", list(WIDTHS))
def test_story_bank_matrix_reuse_flags_and_remove(server: str, browser: Any, size: str) -> None:
    from playwright.sync_api import expect

    page = new_page(browser, server, size)
    page.on("dialog", lambda d: d.accept())
    page.goto(server + "/?view=bank")
    rows = page.get_by_test_id("coverage-row")
    expect(rows).to_have_count(8)
    expect(page.locator("tr.covered")).to_have_count(0)

    def add(title: str, archetype: str, project: str, text: str) -> None:
        page.get_by_test_id("story-title").fill(title)
        page.get_by_test_id("story-archetype").select_option(archetype)
        page.get_by_test_id("story-project").fill(project)
        page.get_by_test_id("story-text").fill(text)
        page.get_by_test_id("add-story").click()

    # Bad input keeps every word and says why.
    add("Atlas kill", "killed_own_project", "Atlas", "   ")
    expect(page.get_by_test_id("bank-error")).to_contain_text("text")
    expect(page.get_by_test_id("story-title")).to_have_value("Atlas kill")
    expect(page.get_by_test_id("story-row")).to_have_count(0)

    add("Atlas kill", "killed_own_project", "Atlas", WEAK)
    expect(page.get_by_test_id("story-row")).to_have_count(1)
    expect(page.get_by_test_id("story-title")).to_have_value("")
    add("Atlas mentoring", "mentoring", "Atlas", FOLLOW_UP)
    expect(page.get_by_test_id("story-row")).to_have_count(2)
    expect(page.locator("tr.covered")).to_have_count(2)
    expect(page.locator("tr[data-archetype=mentoring]")).to_contain_text("Atlas mentoring (Atlas)")
    # A third archetype for the same project is flagged as it is typed, before it is saved.
    page.get_by_test_id("story-archetype").select_option("quality_incident")
    page.get_by_test_id("story-project").fill("atlas")
    expect(page.get_by_test_id("reuse-live")).to_contain_text("would cover 3 archetypes")
    page.get_by_test_id("story-project").fill("Quokka")
    expect(page.get_by_test_id("reuse-live")).to_be_empty()
    add("Atlas incident", "quality_incident", "atlas", STAFF_INCIDENT["action"])
    expect(page.get_by_test_id("reuse-flag")).to_contain_text("covers 3 archetypes")
    shot(page, "bank", size)

    page.get_by_test_id("story-row").first.get_by_test_id("remove-story").click()
    expect(page.get_by_test_id("story-row")).to_have_count(2)
    expect(page.get_by_test_id("reuse-flag")).to_have_count(0)
    expect(page.locator("tr[data-archetype=killed_own_project]")).to_contain_text("No story yet")


@pytest.mark.parametrize("size", list(WIDTHS))
def test_progress_chart_since_last_and_save_an_answer(server: str, browser: Any, size: str) -> None:
    from playwright.sync_api import expect

    page = new_page(browser, server, size)
    page.on("dialog", lambda d: d.accept())
    page.goto(server + "/?view=progress")
    expect(page.get_by_test_id("progress-empty")).to_be_visible()
    # A first interview, weak, through the API; a second through the page, with a follow-up.
    first = fetch(page, "/api/interviews", "POST", {"archetypes": ["killed_own_project"]})
    fetch(page, f"/api/interviews/{first['id']}/answers", "POST", {"text": WEAK})
    fetch(page, f"/api/interviews/{first['id']}/finish", "POST")
    start(page, server, "killed_own_project")
    send(page, WEAK)
    send(page, FOLLOW_UP)
    page.get_by_test_id("finish-interview").click()
    debrief = page.get_by_test_id("debrief")
    expect(debrief.get_by_test_id("since-last")).to_contain_text("up from 0 of 1")
    # One click saves the answer as a story.
    section = debrief.get_by_test_id("debrief-archetype").first
    section.get_by_test_id("save-story").click()
    expect(section.get_by_test_id("save-story-status")).to_contain_text("Saved to your story bank")
    (story,) = fetch(page, "/api/stories")
    assert story["archetype"] == "killed_own_project" and FOLLOW_UP in story["text"]

    page.get_by_test_id("show-progress").click()
    for key in ("first", "final"):
        chart = page.get_by_test_id(f"progress-chart-{key}")
        expect(chart.locator("canvas")).to_have_count(1)
        expect(chart.locator(".u-legend")).to_contain_text("Reflection")
    levels = page.get_by_test_id("progress-archetype")
    expect(levels).to_have_count(1)
    expect(levels.first).to_contain_text("#1 weak")
    points = fetch(page, "/api/progress")["archetypes"]["killed_own_project"]
    second = (
        points[1]["level"]
        if points[1]["first"] == points[1]["level"]
        else f"{points[1]['first']} → {points[1]['level']}"
    )
    expect(levels.first).to_contain_text(f"#2 {second}")
    shot(page, "progress", size)


def test_the_countdown_says_when_time_is_up(server: str, browser: Any) -> None:
    """The page's clock is driven by hand (Playwright's clock), so nothing here waits on real time."""
    from playwright.sync_api import expect

    page = new_page(browser, server)
    page.clock.install()
    page.goto(server + "/?view=drill")
    page.get_by_test_id("drill-archetypes").locator("input[value=mentoring]").check()
    page.get_by_test_id("drill-archetypes").locator("input[value=quality_incident]").check()
    page.get_by_test_id("start-drill").click()
    expect(page.get_by_test_id("drill-error")).to_contain_text("exactly three")  # two chosen: nothing starts
    page.get_by_test_id("drill-archetypes").locator("input[value=ethical_pushback]").check()
    page.get_by_test_id("start-drill").click()
    countdown = page.get_by_test_id("drill-countdown")
    expect(countdown).to_contain_text("left for Quality regression incident")
    page.clock.fast_forward("07:00")
    expect(countdown).to_have_text(re.compile(r"^(1:0\d|0:5\d) left for Quality regression incident$"))
    page.clock.fast_forward("02:00")
    expect(countdown).to_have_text(re.compile(r"^Time's up — 1:\d\d over\. Move on to the next story\.$"))
    expect(countdown).to_have_class(re.compile("over"))
