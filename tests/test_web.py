"""The web chat page end to end: the real `stardrive serve` process driven by headless Chromium.

Needs the system Chromium at /usr/bin/chromium and Playwright for Python in .venv;
`bash scripts/browser.sh` (as root, on Debian) installs both. Skipped when either is missing.
Screenshots of each view at desktop and phone width land in build/screens/ (look at them).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.servers import free_port, running

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
SCREENS = ROOT / "build" / "screens"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WEAK = "We had a project that wasn't working out and we ended up cancelling it. The team moved on."
FOLLOW_UP = (
    "The trade-off was shipping in March against a 12% hallucination rate. I made the kill call myself, "
    "and eval cost dropped 40% the next quarter, per the billing dashboard. Next time I'd set kill criteria "
    "before the first sprint."
)
TIMEOUT_MS = 15_000
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "390": {"width": 390, "height": 844}}

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing; run `bash scripts/browser.sh` as root to install it",
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None,
        reason="playwright is not installed in this environment; run `bash scripts/browser.sh`",
    ),
]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """`stardrive serve` on a free loopback port over a fresh SQLite file; yields its base URL."""
    with serving(tmp_path) as base:
        yield base


@contextmanager
def serving(tmp_path: Path, **settings: str) -> Iterator[str]:
    """`stardrive serve` as the `server` fixture runs it, with these extra `STARDRIVE_*` settings."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "STARDRIVE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'web.db'}",
        "STARDRIVE_MODEL": "builtin",
        # This checkout's code, not whatever an installed `stardrive` script would import.
        "PYTHONPATH": str(ROOT),
        **{f"STARDRIVE_{k.upper()}": v for k, v in settings.items()},
    }
    cmd = [
        sys.executable,
        "-c",
        "from service.cli import app; app()",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    # cwd keeps a developer's .env out of the test
    with running(cmd, f"{base}/healthz", tmp_path / "server.log", env=env, cwd=tmp_path):
        yield base


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def new_page(browser: Any, server: str, size: str = "desktop") -> Any:
    context = browser.new_context(viewport=WIDTHS[size], accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def shot(page: Any, name: str, size: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}-{size}.png"), full_page=True)
    # Nothing sticks out sideways at phone width.
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} at {size}: {overflow}px wider than the viewport"


def start(page: Any, server: str, *archetypes: str) -> None:
    page.goto(server + "/")
    for a in archetypes:
        page.locator(f"#archetypes input[value={a}]").check()
    page.get_by_test_id("start-interview").click()
    page.get_by_test_id("transcript").locator(".turn.interviewer").first.wait_for()


def send(page: Any, text: str) -> None:
    page.get_by_test_id("answer-input").fill(text)
    page.get_by_test_id("send-answer").click()
    page.wait_for_function("() => !busy")


@pytest.mark.parametrize("size", list(WIDTHS))
def test_chat_page_interview_to_debrief(server: str, browser: Any, size: str) -> None:
    from playwright.sync_api import expect

    page = new_page(browser, server, size)
    page.goto(server + "/")
    expect(page.get_by_test_id("star-drive-intro")).to_have_attribute("open", "")  # first visit
    assert page.locator("link[rel=icon]").count() == 1
    start(page, server, "killed_own_project", "mentoring")
    transcript = page.get_by_test_id("transcript")
    interviewer = transcript.locator(".turn.interviewer")
    expect(interviewer).to_have_count(1)
    probe = interviewer.first.inner_text()
    expect(page.get_by_test_id("question-progress")).to_have_text("Question 1 of 2 — Killed-my-own-project")
    # The interview's id is in the address.
    assert "?interview=" in page.url

    # Record what Send and the typing indicator do while the reply streams.
    page.evaluate("""() => { window.seen = [];
      new MutationObserver(() => seen.push([document.getElementById('send').disabled,
        !document.getElementById('typing').hidden])).observe(document.getElementById('typing'),
        {attributes: true}); }""")
    page.get_by_test_id("answer-input").fill(WEAK)
    page.get_by_test_id("answer-input").press("Control+Enter")
    expect(transcript.locator(".turn.candidate")).to_have_count(1)
    expect(transcript.locator(".turn.candidate").first).to_contain_text("cancelling it")
    expect(interviewer).to_have_count(2)
    page.wait_for_function("() => !busy")
    assert [True, True] in page.evaluate("seen"), "Send disabled and typing shown while streaming"
    expect(page.get_by_test_id("send-answer")).to_be_enabled()
    expect(page.get_by_test_id("typing-indicator")).to_be_hidden()
    assert interviewer.nth(1).inner_text().strip() not in ("", probe.strip())
    expect(page.get_by_test_id("answer-input")).to_have_value("")
    expect(page.get_by_test_id("send-error")).to_be_empty()
    # The two sides look different.
    colors = transcript.evaluate(
        "t => [...t.querySelectorAll('.turn')].slice(0, 2).map(x => getComputedStyle(x).backgroundColor)"
    )
    assert colors[0] != colors[1]
    shot(page, "chat", size)

    # Finish asks first: dismissing keeps the interview going.
    page.once("dialog", lambda d: d.dismiss())
    page.get_by_test_id("finish-interview").click()
    expect(page.get_by_test_id("answer-input")).to_be_visible()
    expect(page.get_by_test_id("debrief")).to_be_empty()
    page.once("dialog", lambda d: d.accept())
    page.get_by_test_id("finish-interview").click()

    debrief = page.get_by_test_id("debrief")
    expect(debrief.locator("h2")).to_have_text("Debrief")
    assert debrief.locator("iframe").count() == 0
    expect(debrief).to_be_in_viewport()
    sections = debrief.get_by_test_id("debrief-archetype")
    expect(sections).to_have_count(1)
    expect(sections.first.locator("h3")).to_have_text("Killed-my-own-project")
    expect(debrief).not_to_contain_text("killed_own_project")  # titles, never ids
    iid = page.url.split("interview=")[1]
    report = page.evaluate(f"async () => (await fetch('/api/interviews/{iid}/debrief')).json()")
    quotes = [
        e["quote"]
        for a in report["archetypes"]
        for part in a["grade"]["parts"].values()
        for e in part["evidence"]
    ] + [
        e["quote"]
        for a in report["archetypes"]
        for status in ("closed", "open", "not_asked")
        for g in a["gaps"][status]
        for e in g["evidence"]
    ]
    shown = debrief.locator("blockquote.evidence").all_inner_texts()
    assert quotes and sorted(shown) == sorted(quotes)
    expect(page.locator("#error")).to_be_empty()
    shot(page, "debrief", size)

    with page.expect_download() as md:
        debrief.get_by_test_id("download-md").click()
    assert md.value.suggested_filename == f"debrief-{iid}.md"
    assert "Killed-my-own-project" in Path(md.value.path()).read_text()
    with page.expect_download() as js:
        debrief.get_by_test_id("download-json").click()
    assert json.loads(Path(js.value.path()).read_text())["interview_id"] == iid
    debrief.get_by_test_id("copy-debrief").click()
    expect(page.locator("#copy-status")).to_have_text("Copied as Markdown.")
    assert "Killed-my-own-project" in page.evaluate("() => navigator.clipboard.readText()")
    page.evaluate("() => { window.printed = 0; window.print = () => { printed += 1; }; }")
    debrief.get_by_test_id("print-debrief").click()
    assert page.evaluate("printed") == 1


@pytest.mark.parametrize("size", list(WIDTHS))
def test_reload_resumes_and_history_reopens(server: str, browser: Any, size: str) -> None:
    from playwright.sync_api import expect

    page = new_page(browser, server, size)
    start(page, server, "killed_own_project")
    send(page, WEAK)
    page.get_by_test_id("answer-input").fill("a draft not yet sent")
    url = page.url
    page.reload()
    transcript = page.get_by_test_id("transcript")
    expect(transcript.locator(".turn")).to_have_count(3)
    expect(transcript.locator(".turn.candidate")).to_contain_text("cancelling it")
    expect(page.get_by_test_id("answer-input")).to_have_value("a draft not yet sent")
    expect(page.get_by_test_id("question-progress")).to_contain_text("Question 1 of 1")
    assert page.url == url

    # A second, untouched interview; the history lists both, newest first, the first still resumable.
    page.get_by_test_id("nav-new").click()
    start(page, server, "mentoring")
    page.get_by_test_id("show-history").click()
    rows = page.get_by_test_id("history-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Mentoring through ambiguity")
    expect(rows.nth(1)).to_contain_text("Killed-my-own-project: weak → weak")
    expect(rows.nth(1).get_by_test_id("history-open")).to_have_text("Resume")
    shot(page, "history", size)
    rows.nth(1).get_by_test_id("history-open").click()
    assert page.url == url
    expect(transcript.locator(".turn")).to_have_count(3)
    send(page, FOLLOW_UP)
    page.once("dialog", lambda d: d.accept())
    page.get_by_test_id("finish-interview").click()
    expect(page.get_by_test_id("debrief").locator("h2")).to_have_text("Debrief")

    # Back in the history it is finished, and opens on its debrief (also after a reload).
    page.go_back()  # the history view
    expect(rows.nth(1).get_by_test_id("history-open")).to_have_text("Open debrief")
    rows.nth(1).get_by_test_id("history-open").click()
    expect(page.get_by_test_id("debrief").locator("h2")).to_have_text("Debrief")
    expect(page.get_by_test_id("answer-input")).to_be_hidden()
    page.reload()
    expect(page.get_by_test_id("debrief").get_by_test_id("debrief-archetype")).to_have_count(1)
    expect(transcript.locator(".turn.candidate")).to_have_count(2)


def test_an_answer_is_never_lost(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    page = new_page(browser, server)
    start(page, server, "killed_own_project")
    transcript = page.get_by_test_id("transcript")
    box, error = page.get_by_test_id("answer-input"), page.get_by_test_id("send-error")
    answers = "**/api/interviews/*/answers"

    # Refused: the text stays, the error sits next to Send, nothing shows as sent.
    page.route(
        answers,
        lambda r: r.fulfill(
            status=503,
            content_type="application/json",
            body=json.dumps({"error": {"code": "unavailable", "message": "database is down"}}),
        ),
    )
    send(page, WEAK)
    expect(error).to_have_text("database is down")
    expect(box).to_have_value(WEAK)
    expect(transcript.locator(".turn.candidate")).to_have_count(0)
    page.unroute(answers)

    # The counter appears near the limit; over it, nothing is sent.
    expect(page.get_by_test_id("char-counter")).to_be_hidden()
    box.fill("x" * 17_000)
    expect(page.get_by_test_id("char-counter")).to_have_text("17,000 / 20,000 characters")
    box.fill("x" * 20_001)
    page.get_by_test_id("send-answer").click()
    expect(error).to_contain_text("Too long")
    expect(transcript.locator(".turn.candidate")).to_have_count(0)

    # The stream is cut after the server saved the answer: "resend" finishes it with the same key.
    keys: list[str] = []

    def cut(route: Any) -> None:
        keys.append(route.request.headers["idempotency-key"])
        real = route.fetch()
        first_event = re.split(r"\r?\n\r?\n", real.text())[0] + "\r\n\r\n"
        route.fulfill(status=200, headers={"content-type": "text/event-stream"}, body=first_event)

    page.route(answers, cut)
    send(page, WEAK)
    expect(page.get_by_test_id("stream-cut")).to_be_visible()
    expect(transcript.locator(".turn.candidate")).to_have_count(1)
    expect(transcript.locator(".turn.interviewer")).to_have_count(1)
    page.unroute(answers)
    page.on(
        "request",
        lambda r: keys.append(r.headers.get("idempotency-key", "")) if "/answers" in r.url else None,
    )
    page.get_by_test_id("resend-answer").click()
    page.wait_for_function("() => !busy")
    expect(page.get_by_test_id("stream-cut")).to_be_hidden()
    expect(transcript.locator(".turn.candidate")).to_have_count(1)
    expect(transcript.locator(".turn.interviewer")).to_have_count(2)
    assert len(keys) == 2 and keys[0] == keys[1], keys
    iid = page.url.split("interview=")[1]
    turns = page.evaluate(f"async () => (await (await fetch('/api/interviews/{iid}')).json()).turns")
    assert [t["role"] for t in turns] == ["interviewer", "candidate", "interviewer"]
