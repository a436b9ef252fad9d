"""Issue 10, item 2: one user's flood of reads against another user's answers, on a real server.

    .venv/bin/python bench/read_flood.py [--readers 16] [--seconds 20] [--database-url URL] [--no-read-limit]

`stardrive serve` in tokens mode (builtin model) on a loopback port. Alice has an unfinished interview;
`--readers` parallel loops of hers GET its debrief (json, md, html in turn) and the interview itself as
fast as the server answers. Meanwhile Bob runs interviews and answers one question every 0.25 s. Bob's
answer latency is measured alone first (baseline), then during the flood. Prints one JSON line and a
summary; the target is Bob's p99 under 500 ms during the flood. `--no-read-limit` turns the per-user read
rate off, to see what the cached, off-the-loop debrief does on its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
from tests.servers import free_port, running  # noqa: E402

STARDRIVE = str(ROOT / ".venv" / "bin" / "stardrive")
THIN = "We had a project that wasn't working out, so we ended up cancelling it. The team moved on."
ANSWERS = [
    THIN,
    "I made the kill call myself after our eval showed a 4% regression; I weighed two more months of tuning "
    "against shipping the simpler ranker, and the kill template I wrote is what the org still uses.",
]


def add_user(env: dict[str, str], name: str) -> dict[str, str]:
    out = subprocess.run(
        [STARDRIVE, "users", "add", name], env=env, capture_output=True, text=True, check=True
    )
    return {"Authorization": f"Bearer {out.stdout.strip().splitlines()[-1]}"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(latencies: list[float]) -> dict[str, float | int]:
    ms = [v * 1000 for v in latencies]
    return {
        "answers": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p99_ms": round(percentile(ms, 0.99), 1),
        "max_ms": round(max(ms), 1),
    }


async def bob(client: httpx.AsyncClient, headers: dict[str, str], seconds: float) -> list[float]:
    """Bob's answers for `seconds`, one every 0.25 s; the latency of each."""
    latencies: list[float] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        res = await client.post("/api/interviews", json={"count": 2}, headers=headers)
        iid = res.json()["id"]
        for i in range(6):
            if time.monotonic() >= end:
                break
            started = time.monotonic()
            res = await client.post(
                f"/api/interviews/{iid}/answers",
                json={"text": ANSWERS[i % 2]},
                headers={**headers, "Accept": "application/json"},
            )
            latencies.append(time.monotonic() - started)
            if res.status_code != 200 or res.json().get("move") == "wrap_up":
                break
            await asyncio.sleep(0.25)
    return latencies


async def alice(
    client: httpx.AsyncClient, headers: dict[str, str], iid: str, stop: asyncio.Event, seen: Counter[int]
) -> None:
    paths = [f"/api/interviews/{iid}/debrief?format={f}" for f in ("json", "md", "html")]
    paths.append(f"/api/interviews/{iid}")
    i = 0
    while not stop.is_set():
        res = await client.get(paths[i % len(paths)], headers=headers)
        seen[res.status_code] += 1
        i += 1
        if res.status_code == 429:  # a well-behaved client would wait; a flood only pauses briefly
            await asyncio.sleep(0.05)


async def measure(
    base: str, alice_h: dict[str, str], bob_h: dict[str, str], readers: int, seconds: float
) -> dict:
    limits = httpx.Limits(max_connections=readers + 8)
    async with httpx.AsyncClient(base_url=base, timeout=60, trust_env=False, limits=limits) as client:
        res = await client.post(
            "/api/interviews", json={"archetypes": ["killed_own_project", "mentoring"]}, headers=alice_h
        )
        iid = res.json()["id"]
        for text in ANSWERS:
            await client.post(
                f"/api/interviews/{iid}/answers",
                json={"text": text},
                headers={**alice_h, "Accept": "application/json"},
            )
        baseline = await bob(client, bob_h, seconds / 2)
        stop, seen = asyncio.Event(), Counter[int]()
        flood = [asyncio.create_task(alice(client, alice_h, iid, stop, seen)) for _ in range(readers)]
        await asyncio.sleep(1.0)  # let the flood build up
        during = await bob(client, bob_h, seconds)
        stop.set()
        await asyncio.gather(*flood)
    return {
        "readers": readers,
        "baseline": summary(baseline),
        "during_flood": summary(during),
        "alice_reads": {str(k): v for k, v in sorted(seen.items())},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--database-url")
    parser.add_argument("--no-read-limit", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stardrive-flood-") as tmp:
        env = {
            **os.environ,
            "STARDRIVE_DATABASE_URL": args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'flood.db'}",
            "STARDRIVE_MODEL": "builtin",
            "STARDRIVE_AUTH": "tokens",
            "STARDRIVE_RATE_LIMIT_PER_MINUTE": "100000",  # Bob's writes are not what is measured
        }
        if args.no_read_limit:
            env["STARDRIVE_READ_RATE_LIMIT_PER_MINUTE"] = "0"
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        cmd = [STARDRIVE, "serve", "--host", "127.0.0.1", "--port", str(port)]
        with running(cmd, f"{base}/healthz", Path(tmp) / "server.log", timeout=60, env=env, cwd=Path(tmp)):
            alice_h, bob_h = add_user(env, "alice"), add_user(env, "bob")
            result = asyncio.run(measure(base, alice_h, bob_h, args.readers, args.seconds))
    result["read_limit"] = not args.no_read_limit
    print(json.dumps(result))
    base_s, flood_s = result["baseline"], result["during_flood"]
    print(
        f"Bob's answers: alone p50 {base_s['p50_ms']} / p99 {base_s['p99_ms']} ms; during {args.readers} readers' "
        f"flood p50 {flood_s['p50_ms']} / p99 {flood_s['p99_ms']} ms (target p99 < 500 ms); "
        f"Alice's reads by status {result['alice_reads']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
