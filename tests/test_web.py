"""The web chat page end to end: the real `stardrive serve` process driven by headless Chromium.

Needs the system Chromium at /usr/bin/chromium and Playwright for Python in .venv;
`bash scripts/browser.sh` (as root, on Debian) installs both. Skipped when either is missing.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import free_port, running

CHROMIUM = Path("/usr/bin/chromium")
STARDRIVE = Path(sys.executable).parent / "stardrive"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WEAK = "We had a project that wasn't working out and we ended up cancelling it. The team moved on."
TIMEOUT_MS = 15_000

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
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "STARDRIVE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'web.db'}",
        "STARDRIVE_MODEL": "builtin",
    }
    cmd = [str(STARDRIVE), "serve", "--host", "127.0.0.1", "--port", str(port)]
    # cwd keeps a developer's .env out of the test
    with running(cmd, f"{base}/healthz", tmp_path / "server.log", env=env, cwd=tmp_path):
        yield base


def test_chat_page_interview_to_debrief(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            expect.set_options(timeout=TIMEOUT_MS)
            page.goto(server + "/")

            page.locator("#archetypes input[value=killed_own_project]").check()
            page.get_by_test_id("start-interview").click()

            transcript = page.get_by_test_id("transcript")
            interviewer = transcript.locator(".turn.interviewer")
            expect(interviewer).to_have_count(1)
            expect(interviewer.first).not_to_be_empty()
            probe = interviewer.first.inner_text()

            page.get_by_test_id("answer-input").fill(WEAK)
            page.get_by_test_id("send-answer").click()
            expect(transcript.locator(".turn.candidate")).to_have_count(1)
            expect(transcript.locator(".turn.candidate").first).to_contain_text("cancelling it")
            expect(interviewer).to_have_count(2)
            reply = interviewer.nth(1)
            expect(reply).not_to_be_empty()
            # The stream is over once the button handler clears its busy flag; the reply is then final.
            page.wait_for_function("() => !busy")
            assert reply.inner_text().strip() not in ("", probe.strip())
            expect(page.locator("#error")).to_be_empty()

            page.get_by_test_id("finish-interview").click()
            debrief = page.get_by_test_id("debrief")
            expect(debrief.locator("h2")).to_have_text("Debrief")
            frame = page.frame_locator("[data-testid=debrief] iframe")
            expect(frame.locator("h1")).to_have_text("Interview debrief")
            expect(page.locator("#error")).to_be_empty()
        finally:
            browser.close()
