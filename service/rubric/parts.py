"""The six verdicts from a read answer: the classifier says what each sentence is and how well it does
its job; exact rules check what can be checked exactly (a number measuring the outcome, the speaker as the
subject of the load-bearing action, the setup's word count). Definitions: prompts/rubric.yaml.
"""

from __future__ import annotations

import re
from itertools import pairwise

from service.rubric import grammar
from service.rubric.models import Evidence, PartGrade
from service.rubric.provenance import sourced
from service.rubric.segment import PREFIX_LABEL, Reading
from service.rubric.text import Sentence, count_words, evidence

SITUATION_MAX_WORDS = 75  # 30 s at 150 words a minute (the seed's bar)
# A sentence counts for a part when the classifier puts at least this on the part's strong label, even
# if another label wins (one sentence often reports the result and its consequence together).
ALSO = 0.25
# A sentence attempts a part when its strong and weak labels together get at least this.
ATTEMPT = 0.4
RESULT_MIN = 0.2
# 8 / 10 / 12 measured on unseen retold answers and in-sample: 10 and 12 tie in-sample.
TRADEOFF_MIN_WORDS = 10
OWN_SHARE = 1.0  # the speaker's load-bearing actions must be at least this many times the others'


def _quotes(
    reading: Reading, sents: list[Sentence], focus: list[tuple[int, int] | None] | None = None
) -> list[Evidence]:
    out: list[Evidence] = []
    for n, s in enumerate(sents[:2]):
        out.append(evidence(reading.answer, s.start, s.end, focus[n] if focus else None))
    return out


def _with(reading: Reading, label: str, minimum: float | None = None) -> list[Sentence]:
    least = ALSO if minimum is None else minimum
    return [s for s in reading.usable if s.label == label or reading.p(s, label) >= least]


def graded(
    reading: Reading, strong: str, weak: str, *, met: str, partial: str, missing: str, least_words: int = 0
) -> PartGrade:
    """Met on a sentence that does the part well, partial on one that at least attempts it.

    `least_words`: below this many words in all and with no number, what reads as the part done well is
    too thin to be it (two sides "in gradeable terms" take words or a figure)."""
    # Another part's label may win a sentence that also does this one (ALSO), but where the sentence is
    # read as this part done poorly, that reading stands: doing it well is exactly what is in question.
    good = [
        s for s in _with(reading, strong) if s.label == strong or reading.p(s, strong) > reading.p(s, weak)
    ]
    thin = sum(g.words for g in good) < least_words and not any(g.quantities for g in good)
    if good and not thin:
        return PartGrade(verdict="met", evidence=_quotes(reading, good), note=met)
    poor = [
        s for s in reading.usable if reading.p(s, strong) + reading.p(s, weak) >= ATTEMPT or s.label == weak
    ]
    if poor or good:
        return PartGrade(verdict="partial", evidence=_quotes(reading, poor or good), note=partial)
    return PartGrade(verdict="missing", note=missing)


def situation(reading: Reading) -> tuple[PartGrade, int]:
    """The setup wherever it stands: it may follow the trade-off, or come after an outcome told first
    (measured on retold stories: limiting it to the first two thirds cost a reordered telling its setup)."""
    usable = reading.usable
    sents = [s for s in usable if s.part == "situation"]
    if not sents and usable:
        # Read as another part, the setup is still the likeliest one near the start: folded into the
        # first move ("I led X, 50k docs daily; I ..."), or after a trade-off told first ("Tech lead
        # for X, ten weeks out" read as a deed).
        near = max(usable[:SETUP_NEAR], key=lambda s: reading.p(s, "situation"))
        if reading.p(near, "situation") >= FOLDED_SETUP:
            sents = [near]
    if not sents:
        return PartGrade(verdict="missing", note="No setup: the answer starts without context."), 0
    words = sum(_words_without_label(s) for s in sents) + sum(s.words for s in _context_before(reading))
    text = " ".join(s.text for s in sents)
    # A terse setup runs on past a semicolon ("Tech lead, tutoring app; launch to 200 districts"): the
    # rest of its sentence is the setup's too when its specifics are counted, whatever it was read as.
    rest = _run_on(reading, sents)
    scale = any(q.kind != "date" for s in sents + rest for q in s.quantities)
    role = (
        grammar.counts(text)[0] > 0
        or any(grammar.subject(s.text) == "i" for s in sents)
        or _ROLE_TITLE.search(text) is not None
    )
    stakes = len(sents) >= 2 or words + sum(s.words for s in rest) >= 18
    specifics = [name for name, ok in (("scale", scale), ("stakes", stakes), ("role", role)) if ok]
    ev = _quotes(reading, sents)
    if words > SITUATION_MAX_WORDS:
        note = f"Setup runs {words} words (over ~75, about 30 s spoken)."
        return PartGrade(verdict="partial", evidence=ev, note=note), words
    if len(specifics) >= 2:
        return PartGrade(verdict="met", evidence=ev, note=f"Short setup with {', '.join(specifics)}."), words
    have = ", ".join(specifics) or "none"
    return PartGrade(verdict="partial", evidence=ev, note=f"Setup lacks specifics (has: {have})."), words


# A role named by its title, as bullets and terse setups do ("- Tech lead, search ranking").
_ROLE_TITLE = re.compile(
    r"\b(?:lead|owner|engineer|manager|architect|champion|on-?call|primary|commander|scientist|researcher|"
    r"principal|director|head of|dri|pager|mentor|sponsor)\b",
    re.IGNORECASE,
)
FOLDED_SETUP = 0.15
SETUP_NEAR = 2


def _run_on(reading: Reading, setup: list[Sentence]) -> list[Sentence]:
    """The pieces that finish a setup piece's written sentence: those after one ending on a semicolon,
    on the same line (a labelled "(T)" on the next line starts another part, not the rest)."""
    setup_at = {s.index for s in setup}
    run_on: list[Sentence] = []
    for s, after in pairwise(reading.sentences):
        runs_on = s.index in setup_at or (run_on and run_on[-1] is s)
        if (
            runs_on
            and s.text.rstrip().endswith(";")
            and after.index not in setup_at
            and after.part not in ("injection", "label")
            and "\n" not in reading.answer[s.end : after.start]
        ):
            run_on.append(after)
    return run_on


def _context_before(reading: Reading) -> list[Sentence]:
    """Context told before anything happens ("Some background first ...", the project's history): the
    lines of no part in the answer's opening run of setup and context, when that run holds the setup.
    They are setup time all the same, so a rambling opening counts whole against the 30 seconds."""
    run: list[Sentence] = []
    for s in reading.usable:
        if s.part not in ("situation", "other"):
            break
        run.append(s)
    if not any(s.part == "situation" for s in run):
        return []
    return [s for s in run if s.part == "other"]


def _words_without_label(s: Sentence) -> int:
    m = PREFIX_LABEL.match(s.text)
    return count_words(s.text[m.end() :]) if m else s.words


def action(reading: Reading) -> PartGrade:
    deeds = [
        s
        for s in _with(reading, "action")
        if s.label == "action" or s.part not in ("reflection", "situation")
    ]
    mine = [s for s in deeds if grammar.subject(s.text) == "i" and not grammar.hypothetical(s.text)]
    others = [s for s in deeds if grammar.subject(s.text) == "we"]
    minor = [s for s in reading.usable if s.label == "action_minor"]
    if mine and len(mine) >= OWN_SHARE * len(others):
        return PartGrade(
            verdict="met", evidence=_quotes(reading, mine), note="First-person load-bearing actions."
        )
    if deeds or minor:
        note = (
            "Load-bearing actions are mostly 'we' / 'the team'."
            if others
            else "Few first-person actions; the 'I' is for minor things."
        )
        return PartGrade(verdict="partial", evidence=_quotes(reading, others + mine + minor), note=note)
    return PartGrade(verdict="missing", note="No action described.")


def result(reading: Reading) -> PartGrade:
    outcomes = _with(reading, "result", RESULT_MIN)
    measured = [s for s in outcomes if any(q.kind in ("measure", "duration") for q in s.quantities)]
    if measured:
        focus = [
            next((q.start, q.end) for q in s.quantities if q.kind in ("measure", "duration"))
            for s in measured
        ]
        nums = ", ".join(
            q.text for s in measured[:2] for q in s.quantities if q.kind in ("measure", "duration")
        )
        return PartGrade(
            verdict="met", evidence=_quotes(reading, measured, list(focus)), note=f"Outcome measured: {nums}."
        )
    if outcomes:
        return PartGrade(
            verdict="partial", evidence=_quotes(reading, outcomes), note="Outcome without a number."
        )
    return PartGrade(verdict="missing", note="No outcome stated.")


def number_source(reading: Reading) -> Evidence | None:
    """The first sentence that says where a figure came from (`provenance.sourced`)."""
    s = next((s for s in reading.usable if sourced(s.text)), None)
    return evidence(reading.answer, s.start, s.end) if s else None


# The parts judged by how well their best sentence does the job: (strong label, weak label, notes).
_GRADED = {
    "tradeoff": (
        "tradeoff",
        "tradeoff_generic",
        "Trade-off named with both sides.",
        "Trade-off is generic or one-sided; name both sides.",
        "No trade-off named.",
    ),
    "driver": (
        "driver",
        "consequence",
        "A structural change outlived the project.",
        "A downstream consequence, but no lasting structural change.",
        "Nothing beyond the immediate result.",
    ),
    "reflection": (
        "reflection",
        "reflection_generic",
        "Specific thing they'd do differently.",
        "Reflection is generic; say what you'd change and why.",
        "No reflection.",
    ),
}


def judged(reading: Reading, part: str) -> PartGrade:
    """Trade-off, driver or reflection: met, partial or missing by the sentences that do that part."""
    strong, weak, met, partial, missing = _GRADED[part]
    least = TRADEOFF_MIN_WORDS if part == "tradeoff" else 0
    return graded(reading, strong, weak, met=met, partial=partial, missing=missing, least_words=least)
