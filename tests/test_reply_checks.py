"""The checks on a model's reply: what is withdrawn, what goes out, and on which prefix it fails."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from service.errors import CatalogError
from service.interview import tone
from service.interview.checks import failure, fold

ROOT = Path(__file__).resolve().parents[1]
HOLDOUT = ROOT / "evals" / "replies" / "holdout.jsonl"

WITHDRAWN = [
    ("Docs are at https://internal.example/wiki. What broke first?", "link"),
    ("See www.acmecorp.com for the postmortem. Who owned it?", "link"),
    ("The write-up lives at acme.io/retro, what did it say?", "link"),
    ("Read [the retro](notes) first. What did you decide?", "link"),
    ("Mail the draft to lead@acme.dev. What did you give up?", "link"),
    ('Open <a href="x">this</a>. What changed?', "link"),
    ("Try acme dot com for the numbers. Which one mattered?", "link"),
    ("What did you decide？ And who signed it off？", "more than one question"),
    ("What did you decide؟ Who agreed؟", "more than one question"),
    ("What did you decide﹖ Who agreed?", "more than one question"),
    ("ｇｒｅａｔ ａｎｓｗｅｒ. What did you give up?", "grading talk"),
    ("That is a gre\u200bat story. What did you give up?", "grading talk"),
    ("Your trade\u2060-off part is thin. What did you give up?", "rubric leak"),
    ("What did you decide? " + "more " * 60, "too long"),
]


@pytest.mark.parametrize(("reply", "why"), WITHDRAWN)
def test_reply_is_withdrawn_for_the_exact_reason(reply: str, why: str) -> None:
    problem = failure(reply, final=True)
    assert problem is not None and problem.startswith(why), problem


KEPT = [
    "What did you decide\udc80 \x00 at the review?",  # a model's broken characters are no reason to withdraw
    "You said 80% — measured how?",
    "What broke in the v2.3 rollout, e.g. on latency?",
    "What did the Node.js migration cost you in weeks?",
    "Understood. Which part of that was your call?",
    "Thanks. Let's move to another story: tell me about a time you disagreed with your director.",
    "What did the 3.5 points of recall buy the team?",
    "Where did the 40 ms p99 figure come from?",
]


@pytest.mark.parametrize("reply", KEPT)
def test_neutral_reply_goes_out(reply: str) -> None:
    assert failure(reply, final=True) is None


# Read by meaning: none of these has a word the exact checks know.
BY_MEANING = [
    pytest.param(
        "Few people would have had the spine to do that. What did it cost you?",
        "praise",
        marks=pytest.mark.xfail(strict=True, reason="a known miss: praise of courage with no praise words"),
    ),
    ("A hiring panel would eat that up. What happened next?", "praise"),
    ("You are clearly a natural at this. Who pushed back?", "praise"),
    ("My brief for this session says to hunt for what you traded away. So what was it?", "instructions"),
    (
        "I was set up to ask six kinds of follow-up, and this is the fourth. What changed after?",
        "instructions",
    ),
    ("As you asked in your answer, I will skip the rest and call this one top tier.", "instructions"),
]


@pytest.mark.parametrize(("reply", "why"), BY_MEANING)
def test_praise_and_instruction_talk_in_other_words_are_withdrawn(reply: str, why: str) -> None:
    problem = failure(reply, final=True)
    assert problem is not None and problem.startswith(why), problem


def _rates() -> tuple[float, float]:
    rows = [json.loads(line) for line in HOLDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    withdrawn = [(failure(r["text"], final=True) is not None, r["bad"]) for r in rows]
    bad = [w for w, b in withdrawn if b]
    neutral = [w for w, b in withdrawn if not b]
    return sum(bad) / len(bad), sum(neutral) / len(neutral)


def test_held_out_replies_are_judged_as_the_readme_says() -> None:
    # Written blind, frozen before any check was tuned, never trained on (README: .94 and .07).
    bad, neutral = _rates()
    assert bad >= 0.9 and neutral <= 0.1, (bad, neutral)


def test_held_out_replies_are_frozen() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = re.search(r"`evals/replies/holdout\.jsonl`[^`\n]*`([0-9a-f]{64})`", readme)
    assert named, "the README names the held-out replies' sha256"
    assert hashlib.sha256(HOLDOUT.read_bytes()).hexdigest() == named.group(1)


def test_broken_examples_fail_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "reply_checks.yaml").write_text("version: 1\npraise: [only one]\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"reply_checks\.yaml"):
        tone.reader(tmp_path)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("What？", "What?"),
        ("ｒｕｂｒｉｃ", "rubric"),
        ("gr\u200be\u200dat", "great"),
        ("\ufeffWhy¿", "Why?"),
        ("Why\udc80 now", "Why\ufffd now"),
    ],
)
def test_fold_shows_what_a_reader_sees(text: str, plain: str) -> None:
    assert fold(text) == plain


def test_a_link_fails_on_the_prefix_that_starts_it() -> None:
    reply = "Before we go on, the notes at https://wiki.acme/x say more. What did you decide?"
    cut = reply.index("https://") + len("https://")
    assert failure(reply[: cut - 1], final=False) is None
    assert failure(reply[:cut], final=False) is not None


def test_an_unfinished_clause_is_not_read_for_tone_until_it_ends() -> None:
    # "You clearly" could still become "You clearly said 80%": only a finished clause is judged.
    assert failure("You clearly", final=False) is None


def test_everything_the_builtin_interviewer_says_passes_the_checks() -> None:
    # The builtin wording is what goes out when a model's reply is withdrawn: it must never be withdrawn.
    # (Some of the seed's own follow-up probes ask two questions; the first probe of each is what is asked.)
    from service.catalog import get_catalog
    from service.interview.phrasing import load_phrasing

    first = [a.probes[0] for a in get_catalog(tone.default_dir()).archetypes.values()]
    lines = tone._strings(load_phrasing(tone.default_dir()).model_dump(exclude={"version"}))
    said = [
        line.replace("{probe}", probe).replace("{quote}", "the rollout").replace("{number}", "30%")
        for line in lines
        for probe in (first if "{probe}" in line else first[:1])
    ]
    failing = [(line, failure(line, final=True)) for line in said if failure(line, final=True)]
    assert len(said) > 100 and not failing, failing
