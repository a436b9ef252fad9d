"""Load: N interviews in progress at once against a real `stardrive serve`, for a bounded time.

Each simulated candidate runs interviews back to back for --duration seconds: create one (two
archetypes), then before every answer pause --think seconds on average -- a person reading the question
and typing -- jittered uniformly between half and one and a half times the mean so candidates do not
answer in lockstep; answer (canned answers of varied quality, `Accept: application/json`, or the SSE
stream with --stream) until the interviewer wraps up, then start the next interview. Candidates arrive
spread over the first 1.5 x think seconds, not all at once. --think 0 answers back to back: saturation. No request starts after --duration; the ones in flight are waited for.

Reported: answers per second, answer latency p50/p95/p99/max (client side, request sent to reply
complete), interview-creation latency, errors by kind, and the server's peak memory (VmHWM from
/proc/PID/status, for the server process and each of its descendants -- the worker processes when
--workers > 1) and its CPU time under load, per request (answers and interview creations). Target: 200 interviews, --think 2, no errors, p99 under 250 ms.

Without --url, the bench starts `stardrive serve` on a free loopback port with the builtin model over a
temporary SQLite file (or --database-url), and stops it at the end. With --url (loopback only) it uses
that server; pass --server-pid for its memory figures.

    .venv/bin/python bench/load.py                       # 200 interviews, think 2 s, 60 s
    .venv/bin/python bench/load.py --think 0 --json      # saturation
    .venv/bin/python bench/load.py --vary                # no answer text repeated across interviews
    .venv/bin/python bench/load.py --workers 2 --database-url postgresql+asyncpg://...
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import random
import re
import resource
import ssl
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from service.catalog import ARCHETYPE_IDS
from tests.servers import ServerFailed, free_port, stardrive_executable, stop
from tests.servers import wait_healthy as wait_until_up

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
_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]  # 70


def vary(text: str, key: int) -> str:
    """`text` told at a place named after `key` ("... at Kabedo."): every sentence differs by key."""
    name = ""
    for _ in range(3):
        key, i = divmod(key, len(_SYLLABLES))
        name += _SYLLABLES[i]
    return re.sub(r"\.(?=\s|$)", f" at {name.capitalize()}.", text)


P99_TARGET_MS = 250.0


# --- the server ----------------------------------------------------------------------------------


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def stardrive() -> str:
    found = stardrive_executable()
    if not found:
        raise SystemExit("load: no `stardrive` executable next to this Python or on PATH")
    return found


@dataclass
class LocalServer:
    url: str
    pid: int
    database: str


@contextmanager
def local_server(workers: int, database_url: str | None) -> Iterator[LocalServer]:
    """`stardrive serve` (builtin model, no accounts) on a free loopback port; stopped at the end."""
    with tempfile.TemporaryDirectory(prefix="stardrive-load-") as tmp:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        db = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'load.db'}"
        env = {
            **os.environ,
            "STARDRIVE_DATABASE_URL": db,
            "STARDRIVE_MODEL": "builtin",
            "STARDRIVE_AUTH": "none",
        }
        log_path = Path(tmp) / "server.log"
        with log_path.open("wb") as log:
            command = [stardrive(), "serve", "--host", "127.0.0.1", "--port", str(port)]
            command += ["--workers", str(workers)]
            proc = subprocess.Popen(command, env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
            try:
                wait_healthy(url, proc, log_path, workers)
                label = "PostgreSQL" if db.startswith("postgresql") else "SQLite, temporary file"
                yield LocalServer(url, proc.pid, label)
            finally:
                stop(proc, timeout=15)


def wait_healthy(
    url: str, proc: subprocess.Popen[bytes], log_path: Path, workers: int, timeout: float = 60
) -> None:
    """Healthy, and with every worker process up (so the first requests do not meet a half-started pool)."""
    deadline = time.monotonic() + timeout
    try:
        wait_until_up(proc, f"{url}/healthz", log_path, timeout=timeout)
    except ServerFailed as exc:
        raise SystemExit(f"load: {exc}") from exc
    while workers > 1 and len(descendants(proc.pid)) < workers:
        if time.monotonic() > deadline:
            raise SystemExit(f"load: {workers} workers not up after {timeout:.0f} s")
        time.sleep(0.1)


# --- the server's memory and CPU, from /proc -----------------------------------------------------


def descendants(pid: int) -> list[int]:
    """The process's children, their children, and so on (by each process's parent id in /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def status_kb(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def process_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def server_usage(pid: int | None) -> dict[str, Any] | None:
    """Peak resident memory (VmHWM) and CPU seconds of the server and of each of its descendants."""
    if pid is None or not Path(f"/proc/{pid}").exists():
        return None
    processes: list[dict[str, Any]] = []
    for p in [pid, *descendants(pid)]:
        hwm = status_kb(p, "VmHWM")
        if hwm is None:
            continue
        processes.append(
            {"pid": p, "name": process_name(p), "vm_hwm_mb": round(hwm / 1024, 1), "cpu_s": cpu_seconds(p)}
        )
    return {
        "processes": processes,
        "vm_hwm_total_mb": round(sum(p["vm_hwm_mb"] for p in processes), 1),
        "vm_hwm_max_mb": max((p["vm_hwm_mb"] for p in processes), default=0.0),
        "cpu_s": round(sum(p["cpu_s"] or 0.0 for p in processes), 2),
    }


# --- the simulated candidates --------------------------------------------------------------------


@dataclass
class Stats:
    started: int = 0
    completed: int = 0
    answers: int = 0
    answer_ms: list[float] = field(default_factory=list)
    create_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    moves: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    peak_in_flight: int = 0


@dataclass(frozen=True)
class Plan:
    deadline: float
    think: float
    max_answers: int
    stream: bool
    vary: bool = False


async def pause(seconds: float, deadline: float) -> bool:
    """Sleep, but not past the deadline; False when the deadline has come."""
    await asyncio.sleep(max(0.0, min(seconds, deadline - time.monotonic())))
    return time.monotonic() < deadline


async def post_answer(client: httpx.AsyncClient, iid: str, text: str, stream: bool) -> tuple[int, str | None]:
    """(status, move of the reply); with `stream`, read the SSE to its `turn` event."""
    url = f"/api/interviews/{iid}/answers"
    if not stream:
        res = await client.post(url, json={"text": text}, headers={"Accept": "application/json"})
        return res.status_code, (res.json().get("move") if res.is_success else None)
    move: str | None = None
    async with client.stream(
        "POST", url, json={"text": text}, headers={"Accept": "text/event-stream"}
    ) as res:
        if not res.is_success:
            await res.aread()
            return res.status_code, None
        event = ""
        async for line in res.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "turn":
                move = json.loads(line[5:]).get("move")
    return (res.status_code, move) if move is not None else (599, None)  # 599: stream ended without a turn


async def candidate(
    number: int, client: httpx.AsyncClient, plan: Plan, stats: Stats, rng: random.Random
) -> None:
    # People arrive over a while, not all in the same millisecond.
    if not await pause(rng.uniform(0.0, 1.5 * plan.think), plan.deadline):
        return
    round_ = 0
    while time.monotonic() < plan.deadline:
        n = number + round_ * 7919
        a = n % len(ARCHETYPES)
        b = (a + 1 + (n // len(ARCHETYPES)) % (len(ARCHETYPES) - 1)) % len(ARCHETYPES)
        stats.started += 1
        began = time.perf_counter()
        try:
            res = await client.post("/api/interviews", json={"archetypes": [ARCHETYPES[a], ARCHETYPES[b]]})
        except httpx.HTTPError as exc:
            stats.errors[f"create {type(exc).__name__}"] += 1
            round_ += 1
            await pause(1.0, plan.deadline)
            continue
        stats.create_ms.append((time.perf_counter() - began) * 1000)
        if res.status_code != 201:
            stats.errors[f"create HTTP {res.status_code}"] += 1
            round_ += 1
            await pause(1.0, plan.deadline)
            continue
        iid = str(res.json()["id"])
        for i in range(plan.max_answers):
            if not await pause(plan.think * rng.uniform(0.5, 1.5), plan.deadline):
                return
            stats.in_flight += 1
            stats.peak_in_flight = max(stats.peak_in_flight, stats.in_flight)
            began = time.perf_counter()
            try:
                text = ANSWERS[(n + i) % len(ANSWERS)]
                text = vary(text, n) if plan.vary else text
                status, move = await post_answer(client, iid, text, plan.stream)
            except httpx.HTTPError as exc:
                stats.errors[f"answer {type(exc).__name__}"] += 1
                break
            finally:
                stats.in_flight -= 1
            if status >= 300:
                stats.errors[f"answer HTTP {status}"] += 1
                break
            stats.answer_ms.append((time.perf_counter() - began) * 1000)
            stats.answers += 1
            stats.moves[str(move)] += 1
            if move == "wrap_up":
                stats.completed += 1
                break
        round_ += 1


async def run(url: str, args: argparse.Namespace) -> tuple[Stats, float]:
    """Every candidate has its own client and keep-alive connection, like a browser tab: one pool of
    hundreds of connections costs the client more CPU per request than the server spends on it."""
    stats = Stats()
    rng = random.Random(args.seed)
    timeout = httpx.Timeout(args.timeout, connect=10)
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    tls = ssl.create_default_context()  # unused on http://, but each client would build its own
    clients = [
        httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout, trust_env=False, verify=tls)
        for _ in range(args.interviews)
    ]
    try:
        (await clients[0].get("/healthz")).raise_for_status()
        plan = Plan(time.monotonic() + args.duration, args.think, args.max_answers, args.stream, args.vary)
        began = time.perf_counter()
        await asyncio.gather(
            *(
                candidate(n, client, plan, stats, random.Random(rng.random()))
                for n, client in enumerate(clients)
            )
        )
        return stats, time.perf_counter() - began
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


# --- the report ------------------------------------------------------------------------------------


def percentiles(values: list[float]) -> dict[str, float | None]:
    if len(values) < 2:
        only = round(values[0], 1) if values else None
        return {"p50": only, "p95": only, "p99": only, "max": only}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {
        k: round(v, 1)
        for k, v in (("p50", cuts[49]), ("p95", cuts[94]), ("p99", cuts[98]), ("max", max(values)))
    }


def report(
    stats: Stats,
    elapsed: float,
    args: argparse.Namespace,
    url: str,
    database: str,
    usage: dict[str, Any] | None,
) -> dict[str, Any]:
    lat = percentiles(stats.answer_ms)
    errors = sum(stats.errors.values())
    client_cpu = resource.getrusage(resource.RUSAGE_SELF)
    p99 = lat["p99"]
    return {
        "url": url,
        "database": database,
        "workers": args.workers if not args.url else None,
        "interviews": args.interviews,
        "think_s": args.think,
        "stream": args.stream,
        "duration_s": args.duration,
        "elapsed_s": round(elapsed, 2),
        "interviews_started": stats.started,
        "interviews_completed": stats.completed,
        "answers": stats.answers,
        "answers_per_s": round(stats.answers / elapsed, 1) if elapsed > 0 else 0.0,
        "answer_latency_ms": lat,
        "create_latency_ms": percentiles(stats.create_ms),
        "peak_answers_in_flight": stats.peak_in_flight,
        "errors": errors,
        "error_kinds": dict(stats.errors),
        "moves": dict(stats.moves),
        "server": usage,
        "client_cpu_s": round(client_cpu.ru_utime + client_cpu.ru_stime, 2),
        "target": {
            "p99_ms": P99_TARGET_MS,
            "met": errors == 0 and p99 is not None and p99 < P99_TARGET_MS,
        },
    }


def print_table(r: dict[str, Any]) -> None:
    def ms(v: float | None) -> str:
        return "-" if v is None else f"{v:.1f}"

    lat, created, server = r["answer_latency_ms"], r["create_latency_ms"], r["server"]
    workers = f", {r['workers']} worker(s)" if r["workers"] else ""
    rows = [
        ("server", f"{r['url']} ({r['database']}{workers})"),
        (
            "interviews at once",
            f"{r['interviews']}, think {r['think_s']:g} s{' (SSE)' if r['stream'] else ''}",
        ),
        ("elapsed", f"{r['elapsed_s']:.1f} s (duration {r['duration_s']:g} s)"),
        ("interviews", f"{r['interviews_completed']} completed / {r['interviews_started']} started"),
        ("answers", f"{r['answers']}  ({r['peak_answers_in_flight']} in flight at most)"),
        ("answers per second", f"{r['answers_per_s']:.1f}"),
        (
            "answer p50 / p95 / p99",
            f"{ms(lat['p50'])} / {ms(lat['p95'])} / {ms(lat['p99'])} ms (max {ms(lat['max'])})",
        ),
        ("create p50 / p99", f"{ms(created['p50'])} / {ms(created['p99'])} ms"),
        ("errors", str(r["errors"]) + (f"  {r['error_kinds']}" if r["errors"] else "")),
    ]
    if server:
        each = ", ".join(f"{p['name']}[{p['pid']}] {p['vm_hwm_mb']:.0f}" for p in server["processes"])
        rows.append(("server peak memory", f"{server['vm_hwm_total_mb']:.0f} MB VmHWM ({each})"))
        per = server.get("cpu_ms_per_request")
        busy = f"{server['cpu_during_load_s']:.1f} s under load, {per} ms per request; " if per else ""
        rows.append(
            ("server CPU", f"{busy}{server['cpu_s']:.1f} s in all (client {r['client_cpu_s']:.1f} s)")
        )
    else:
        rows.append(("server peak memory", "unknown (give --server-pid with --url)"))
    verdict = "met" if r["target"]["met"] else "missed"
    rows.append(("target", f"no errors, p99 < {r['target']['p99_ms']:.0f} ms: {verdict}"))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--interviews", "-n", type=int, default=200, help="interviews in progress at once (200)"
    )
    parser.add_argument(
        "--duration", type=float, default=60.0, help="seconds of load; no request starts after (60)"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=2.0,
        help="mean seconds before each answer: a person reading the question and typing (2.0; 0: saturation)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="server worker processes when the bench starts it (1)"
    )
    parser.add_argument("--url", help="a running server (loopback only) instead of starting one")
    parser.add_argument("--server-pid", type=int, help="with --url: the server's pid, for its memory figures")
    parser.add_argument(
        "--database-url", help="database of the server the bench starts (default: temp SQLite)"
    )
    parser.add_argument("--stream", action="store_true", help="read each reply as SSE instead of JSON")
    parser.add_argument(
        "--vary",
        action="store_true",
        help="each interview's answers end every sentence with a place of its own: no text is sent twice "
        "across interviews, so the server's caches of readings only help within an interview",
    )
    parser.add_argument("--max-answers", type=int, default=12, help="answers per interview at most (12)")
    parser.add_argument("--timeout", type=float, default=30.0, help="per-request timeout in seconds (30)")
    parser.add_argument("--seed", type=int, default=6, help="seed of the pauses (6)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if (
        args.interviews < 1
        or args.max_answers < 1
        or args.duration <= 0
        or args.think < 0
        or args.workers < 1
    ):
        parser.error("--interviews, --max-answers, --workers >= 1; --duration > 0; --think >= 0")

    def measure(url: str, pid: int | None, database: str) -> dict[str, Any]:
        before = server_usage(pid)
        stats, elapsed = asyncio.run(run(url, args))
        usage = server_usage(pid)  # while the server still runs: VmHWM is the peak over its life
        if usage is not None and before is not None:
            busy = usage["cpu_s"] - before["cpu_s"]
            requests = stats.answers + stats.started
            usage["cpu_during_load_s"] = round(busy, 2)
            usage["cpu_ms_per_request"] = round(busy * 1000 / requests, 2) if requests else None
        return report(stats, elapsed, args, url, database, usage)

    if args.url:
        url = args.url.rstrip("/")
        if not is_loopback(url):
            parser.error(f"--url must point at a loopback address, not {url}")
        result = measure(url, args.server_pid, "as configured on that server")
    else:
        with local_server(args.workers, args.database_url) as server:
            result = measure(server.url, server.pid, server.database)

    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
