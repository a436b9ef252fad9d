"""How well the reply checks withdraw what they must and let neutral replies through.

    .venv/bin/python bench/reply_checks.py evals/replies/dev.jsonl [--show]

Prints, per kind of bad reply, the share withdrawn, and the share of neutral replies withdrawn by
mistake. evals/replies/holdout.jsonl was written blind and frozen before any check was tuned: report it
apart from dev, which the checks were tuned on.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from service.interview.checks import failure


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", type=Path)
    ap.add_argument("--show", action="store_true", help="print every wrong call")
    args = ap.parse_args()
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    right: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        problem = failure(row["text"], final=True)
        ok = (problem is not None) == row["bad"]
        right[row["why"]].append(ok)
        if args.show and not ok:
            print(f"{row['id']} {row['why']}: {problem or 'kept'} | {row['text']}")
    bad = [v for why, vs in right.items() if why != "fine" for v in vs]
    fine = right.get("fine", [])
    print(f"{args.file}: {len(rows)} replies")
    for why, vs in sorted(right.items()):
        print(f"  {why:13s} {sum(vs)}/{len(vs)} right")
    print(
        f"  bad withdrawn {sum(bad) / max(1, len(bad)):.3f}; neutral withdrawn {1 - sum(fine) / max(1, len(fine)):.3f}"
    )


if __name__ == "__main__":
    main()
