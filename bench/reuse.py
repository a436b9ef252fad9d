"""Reuse across archetypes (issue 12.6): same project retold caught, different projects not flagged.

.venv/bin/python bench/reuse.py            # dev, dev2 and held-out: caught / false flags

dev.jsonl chose the detector's weights and line; dev2.jsonl (40 pairs, written blind later) was never
tuned on, so it is a second out-of-sample figure beside the frozen held-out pairs.
.venv/bin/python bench/reuse.py --features # dev pairs with their three measures and score
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from service.rubric import project_fingerprint
from service.rubric.fingerprint import same_project
from service.rubric.meaning import features, meaning, score

ROOT = Path(__file__).resolve().parents[1] / "evals" / "reuse"


def pairs(name: str) -> list[dict]:
    return [json.loads(line) for line in (ROOT / name).read_text().splitlines() if line.strip()]


def measure(name: str) -> tuple[int, int, int, int, list[str]]:
    caught = flagged = pos = neg = 0
    wrong = []
    for p in pairs(name):
        hit = same_project(project_fingerprint(p["a"]["text"]), project_fingerprint(p["b"]["text"]))
        if p["reuse"]:
            pos += 1
            caught += hit
        else:
            neg += 1
            flagged += hit
        if hit != p["reuse"]:
            wrong.append(p["id"])
    return caught, pos, flagged, neg, wrong


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--features", action="store_true")
    args = ap.parse_args()
    if args.features:
        for p in pairs("dev.jsonl"):
            a, b = meaning(p["a"]["text"]), meaning(p["b"]["text"])
            w, c, r = features(a, b)
            print(
                f"{p['id']} {p['reuse']!s:5} whole={w:.2f} content={c:.2f} rare={r} score={score(a, b):+.2f}"
            )
        return
    for name in ("dev.jsonl", "dev2.jsonl", "holdout.jsonl"):
        caught, pos, flagged, neg, wrong = measure(name)
        print(
            f"{name}: reuse caught {caught}/{pos}, false flags {flagged}/{neg}; wrong: {' '.join(wrong) or '-'}"
        )


if __name__ == "__main__":
    main()
