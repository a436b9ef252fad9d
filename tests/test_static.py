"""The page's own files under /static/: served by the app (no CDN: the product works offline), the vendored
chart library unchanged from its npm package (the sums in its SOURCE.md), every script the page loads ours."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from service.api.app import WEB, create_app
from service.config import Settings

UPLOT = WEB / "static" / "vendor" / "uplot"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 's.db'}"))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as c,
    ):
        yield c


def test_vendored_files_match_their_recorded_sums() -> None:
    sums = dict(
        (name, digest)
        for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", (UPLOT / "SOURCE.md").read_text(), re.M)
    )
    assert set(sums) == {"uPlot.iife.min.js", "uPlot.min.css"}
    for name, digest in sums.items():
        assert hashlib.sha256((UPLOT / name).read_bytes()).hexdigest() == digest, name
    assert "MIT" in (UPLOT / "LICENSE").read_text()


def test_the_page_loads_only_its_own_files() -> None:
    page = (WEB / "index.html").read_text()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith(("/static/", "data:")) for s in sources), sources
    for s in sources:
        if s.startswith("/static/"):
            assert (WEB / s.removeprefix("/")).is_file(), s


@pytest.mark.parametrize(
    ("path", "media"),
    [
        ("/static/drill.js", "javascript"),
        ("/static/bank.js", "javascript"),
        ("/static/progress.js", "javascript"),
        ("/static/views.css", "text/css"),
        ("/static/vendor/uplot/uPlot.iife.min.js", "javascript"),
        ("/static/vendor/uplot/uPlot.min.css", "text/css"),
    ],
)
async def test_static_files_are_served_with_their_type_and_headers(
    client: httpx.AsyncClient, path: str, media: str
) -> None:
    res = await client.get(path)
    assert res.status_code == 200
    assert media in res.headers["content-type"]
    assert res.headers["x-content-type-options"] == "nosniff"
    assert "'self'" in res.headers["content-security-policy"]


async def test_an_unknown_static_file_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/static/nope.js")).status_code == 404
    assert (await client.get("/static/../app.py")).status_code == 404
