"""Load on the HTTP service: N concurrent simulated candidates, each running one interview to wrap-up.

Each candidate creates an interview with two archetypes, then answers (Accept: application/json) with
canned answers of varied quality -- weak, medium, strong with numbers -- until the interviewer's move
is `wrap_up`, at most --max-answers times. No request starts after --duration seconds.
With --sustain, each candidate starts a new interview after finishing one, until --duration.

Without --url, a `stardrive serve` is started on a free loopback port over a temporary SQLite file
and stopped at the end. Only loopback URLs are accepted.

    .venv/bin/python bench/service_load.py [--concurrency 50] [--duration 60] [--sustain] [--json]
    .venv/bin/python bench/service_load.py --url http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from service.catalog import ARCHETYPE_IDS  # noqa: E402

ARCHETYPES = list(ARCHETYPE_IDS)

WEAK = "We had a project that wasn't working out and we ended up cancelling it. The team moved on."
MEDIUM = (
    "Our team was split on whether to keep investing in the new retrieval pipeline. I looked at the "
    "results we had so far, talked with the product lead and the two engineers doing the work, and "
    "recommended that we pause it and fold the useful parts into the existing system. It was a hard "
    "conversation, but people understood the reasoning and we shipped the smaller version instead."
)
STRONG = (
    "I had championed a six-month bet to replace our gradient-boosted ranker with a transformer. The "
    "trade-off was sunk cost against the opportunity cost of shipping known-good incremental wins. "
    "Two months in, my own offline evals showed it matched the primary metric but lost 4% on long-tail "
    "recall. I took the data to the team meeting, called the kill myself, and proposed pivoting to "
    "per-slot improvements; I also sent my skip-level a written postmortem on what I had missed. We "
    "landed three per-slot wins the next quarter, about 2.5x the transformer's projected impact, and "
    "eval cost dropped 40%. Our research-bet template now requires an upfront slice analysis, which has "
    "since stopped two other bets early. What I'd do differently: insist on that analysis in the design "
    "doc, so we'd have caught the gap in two weeks instead of two months."
)
ANSWERS = [WEAK, MEDIUM, STRONG]
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


@dataclass
class Stats:
    started: int = 0
    completed: int = 0
    answers: int = 0
    answer_latencies_ms: list[float] = field(default_factory=list)
    create_latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    moves: Counter[str] = field(default_factory=Counter)


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stardrive_executable() -> str:
    local = Path(sys.executable).parent / "stardrive"
    if local.exists():
        return str(local)
    found = shutil.which("stardrive")
    if found is None:
        raise SystemExit("service_load: no `stardrive` executable next to this Python or on PATH")
    return found


@contextmanager
def local_server(workers: int = 1) -> Iterator[str]:
    """`stardrive serve` on a free loopback port over a temporary SQLite file; yields its base URL."""
    with tempfile.TemporaryDirectory(prefix="stardrive-load-") as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "STARDRIVE_DATABASE_URL": f"sqlite+aiosqlite:///{Path(tmp) / 'load.db'}",
            "STARDRIVE_MODEL": "builtin",
        }
        log_path = Path(tmp) / "server.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [
                    stardrive_executable(),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                ],
                env=env,
                cwd=tmp,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_healthy(base, proc, log_path)
                yield base
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def wait_healthy(base: str, proc: subprocess.Popen[bytes], log_path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(trust_env=False) as client:
        while True:
            if proc.poll() is not None:
                raise SystemExit(
                    f"service_load: server exited with {proc.returncode}:\n{log_path.read_text()}"
                )
            try:
                if client.get(f"{base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"service_load: server not healthy after {timeout:.0f} s")
            time.sleep(0.1)


async def candidate(
    client: httpx.AsyncClient,
    number: int,
    deadline: float,
    max_answers: int,
    sustain: bool,
    stats: Stats,
    think: float = 0.0,
) -> None:
    round_ = 0
    while time.monotonic() < deadline:
        await one_interview(client, number + round_, deadline, max_answers, stats, think)
        round_ += 1
        if not sustain:
            return


async def one_interview(
    client: httpx.AsyncClient,
    number: int,
    deadline: float,
    max_answers: int,
    stats: Stats,
    think: float = 0.0,
) -> None:
    first = number % len(ARCHETYPES)
    second = (first + 1 + number // len(ARCHETYPES)) % len(ARCHETYPES)
    if second == first:
        second = (first + 1) % len(ARCHETYPES)
    body = {"archetypes": [ARCHETYPES[first], ARCHETYPES[second]]}
    stats.started += 1
    start = time.perf_counter()
    try:
        res = await client.post("/api/interviews", json=body)
    except httpx.HTTPError as exc:
        stats.errors[f"create {type(exc).__name__}"] += 1
        return
    stats.create_latencies_ms.append((time.perf_counter() - start) * 1000)
    if res.status_code != 201:
        stats.errors[f"create HTTP {res.status_code}"] += 1
        return
    interview_id = res.json()["id"]
    for i in range(max_answers):
        if time.monotonic() >= deadline:
            return
        text = ANSWERS[(number + i) % len(ANSWERS)]
        if think:
            # A person reads the question and types: spread it so candidates do not answer in lockstep.
            await asyncio.sleep(think * random.uniform(0.5, 1.5))
        start = time.perf_counter()
        try:
            res = await client.post(
                f"/api/interviews/{interview_id}/answers",
                json={"text": text},
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError as exc:
            stats.errors[f"answer {type(exc).__name__}"] += 1
            return
        stats.answer_latencies_ms.append((time.perf_counter() - start) * 1000)
        if not res.is_success:
            stats.errors[f"answer HTTP {res.status_code}"] += 1
            return
        stats.answers += 1
        move = str(res.json().get("move"))
        stats.moves[move] += 1
        if move == "wrap_up":
            stats.completed += 1
            return


def percentiles(values: list[float]) -> dict[str, float | None]:
    if len(values) < 2:
        only = values[0] if values else None
        return {"p50": only, "p95": only, "p99": only, "max": only}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "max": max(values)}


async def run(
    url: str,
    concurrency: int,
    duration: float,
    max_answers: int,
    sustain: bool,
    timeout: float,
    think: float = 0.0,
) -> Stats:
    stats = Stats()
    limits = httpx.Limits(max_connections=concurrency + 16, max_keepalive_connections=concurrency + 16)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout, trust_env=False) as client:
        res = await client.get("/healthz")
        res.raise_for_status()
        deadline = time.monotonic() + duration
        await asyncio.gather(
            *(candidate(client, n, deadline, max_answers, sustain, stats, think) for n in range(concurrency))
        )
    return stats


def report(stats: Stats, elapsed: float, args: argparse.Namespace, url: str, database: str) -> dict[str, Any]:
    return {
        "url": url,
        "database": database,
        "concurrency": args.concurrency,
        "sustain": args.sustain,
        "elapsed_s": round(elapsed, 3),
        "interviews_started": stats.started,
        "interviews_completed": stats.completed,
        "answers": stats.answers,
        "answers_per_s": round(stats.answers / elapsed, 1) if elapsed > 0 else 0.0,
        "answer_latency_ms": {
            k: None if v is None else round(v, 1) for k, v in percentiles(stats.answer_latencies_ms).items()
        },
        "create_latency_ms": {
            k: None if v is None else round(v, 1) for k, v in percentiles(stats.create_latencies_ms).items()
        },
        "errors": sum(stats.errors.values()),
        "error_kinds": dict(stats.errors),
        "moves": dict(stats.moves),
    }


def print_table(result: dict[str, Any]) -> None:
    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    lat = result["answer_latency_ms"]
    created = result["create_latency_ms"]
    rows = [
        ("server", f"{result['url']} ({result['database']})"),
        ("concurrency", f"{result['concurrency']}{' (sustained)' if result['sustain'] else ''}"),
        ("elapsed", f"{result['elapsed_s']:.2f} s"),
        (
            "interviews completed",
            f"{result['interviews_completed']} / {result['interviews_started']} started",
        ),
        ("answers", str(result["answers"])),
        ("answers per second", f"{result['answers_per_s']:.1f}"),
        (
            "answer p50 / p95 / p99",
            f"{ms(lat['p50'])} / {ms(lat['p95'])} / {ms(lat['p99'])} ms (max {ms(lat['max'])})",
        ),
        ("create p50 / p99", f"{ms(created['p50'])} / {ms(created['p99'])} ms"),
        ("errors", str(result["errors"]) + (f"  {result['error_kinds']}" if result["errors"] else "")),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="base URL of a running server (loopback only); default: start one")
    parser.add_argument(
        "--concurrency", "-n", type=int, default=50, help="concurrent interviews (default 50)"
    )
    parser.add_argument(
        "--duration", type=float, default=60.0, help="no request starts after this many seconds"
    )
    parser.add_argument(
        "--max-answers", type=int, default=10, help="answers per interview at most (default 10)"
    )
    parser.add_argument(
        "--sustain", action="store_true", help="start a new interview after each one, until --duration"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="per-request timeout in seconds")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a candidate spends before each answer (default 0)",
    )
    parser.add_argument("--workers", type=int, default=1, help="server worker processes when starting one")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if args.concurrency < 1 or args.max_answers < 1 or args.duration <= 0:
        parser.error("--concurrency and --max-answers must be >= 1 and --duration > 0")

    def go(url: str, database: str) -> dict[str, Any]:
        start = time.perf_counter()
        stats = asyncio.run(
            run(
                url, args.concurrency, args.duration, args.max_answers, args.sustain, args.timeout, args.think
            )
        )
        return report(stats, time.perf_counter() - start, args, url, database)

    if args.url:
        url = args.url.rstrip("/")
        if not is_loopback(url):
            parser.error(f"--url must point at a loopback address, not {url}")
        result = go(url, "as configured on that server")
    else:
        with local_server(args.workers) as url:
            result = go(url, "SQLite, temporary file")

    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
