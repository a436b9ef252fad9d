"""Issue 3's load figure: 50 concurrent interviews with the builtin model against a real server.

    .venv/bin/python bench/service_load.py [--think 2] [any option of bench/load.py]

The same harness as `bench/load.py` (issue 6's 200-interview run), with 50 interviews by default;
`--concurrency N` is kept as another name for `--interviews N`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import main


def _args(argv: list[str]) -> list[str]:
    out = ["--interviews" if a == "--concurrency" else a for a in argv]
    if not any(a.startswith("--interviews") for a in out):
        out = ["--interviews", "50", *out]
    return out


if __name__ == "__main__":
    sys.exit(main(_args(sys.argv[1:])))
