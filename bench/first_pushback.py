"""Issue 12's targets on the labelled cases: the interviewer's first follow-up aims at a real gap (one the
labels list) in >= 90% of answers, and <= 5% of thin (weak) answers get no follow-up at all.

.venv/bin/python bench/first_pushback.py     # in-sample and held-out, apart

The first follow-up is the planner's (`open_gaps` on the first answer: an implausible figure first, the
number's source placed as the interview asks it), not merely the grade's first code.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from service.evals.cases import load_cases
from service.interview.planner import open_gaps, reading

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    aimed: dict[str, list[bool]] = defaultdict(list)
    silent: dict[str, list[bool]] = defaultdict(list)
    for case in load_cases(ROOT / "evals" / "cases"):
        if case.archetype is None:
            continue
        split = "held-out" if case.held_out else "in-sample"
        codes, _ = open_gaps(reading([case.answer], case.archetype), [case.answer])
        if case.expected.pushbacks:
            aimed[split].append(bool(codes) and codes[0] in case.expected.pushbacks)
        if case.expected.level == "weak":
            silent[split].append(not codes)
    for split in ("in-sample", "held-out"):
        a, s = aimed[split], silent[split]
        print(
            f"{split}: first follow-up at a labelled gap {sum(a)}/{len(a)} = {sum(a) / len(a):.3f}; "
            f"thin answers with no follow-up {sum(s)}/{len(s)}"
        )


if __name__ == "__main__":
    main()
