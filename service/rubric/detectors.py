"""One detector per STAR-DRIVE part: a verdict, exact evidence spans and a one-line note.

Each takes the answer and its segmented sentences. Verdict definitions live in prompts/rubric.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from service.rubric import lexicon as lx
from service.rubric.fold import ci
from service.rubric.models import Evidence, PartGrade
from service.rubric.numbers import Quantity
from service.rubric.text import Sentence, count_words, evidence

SITUATION_MAX_WORDS = 75  # 30 s at 150 words a minute (the seed's bar)
_SKIP = ("injection", "label")

_SCALE = ci(
    r"\b(?:million|billion|thousand|hundreds|dozens|traffic|qps|fleet|per (?:day|second|month)|daily)\b"
)
_STAKES = ci(
    r"\b(?:risk\w*|deadline|okr|launch\w*|at stake|stakes|customers?|revenue|outage|regulat\w+|legal|compliance|"
    r"pressure|miss\w*|fail\w*|break\w*|broke|incident|trust|critical|commit\w*|churn|expensive|blocked|blocking|"
    r"urgent|escalat\w+|safety|harm\w*|bias\w*|privacy|regression|loss|losing|behind|slipp\w+|paged|pilot|"
    r"wasn'?t (?:working|delivering)|wrong|complain\w*|budget|cost|season|peak|weeks? out|months? out|due|"
    r"promised?|on the line|renewal|contract|review|in time|before (?:the|our)|teen\w*|children|minors|patients?)\b"
)
# The speaker's own role: "I was the lead", "as the owner", "I championed", "I was paged", "my team".
_ROLE = ci(
    r"\b(?:I\s+(?:was|am|led|lead|own|owned|ran|run|managed|manage|had|championed|pushed|proposed|joined as|"
    r"served as|took over|sponsored|started)|I['’]m|as (?:the|a|an|tech|its)\b|"
    r"my (?:team|role|org|group|project|reports?|mentee)\b)"
)
_ROLE_STRONG = ci(
    r"\b(?:I\s+(?:was|am)\s+(?:the|a|an)\s+(?:\w+\s+){0,3}(?:lead|owner|engineer|manager|champion|architect|dri|"
    r"on-?call|one paged|person)|I\s+own(?:ed)?\b|I\s+lead\b|I['’]m (?:the|a|an)\b|as (?:the|a) (?:\w+\s+){0,2}"
    r"(?:lead|owner|engineer|manager))"
)
_SETUP_IN_ACTION = ci(
    r"\b(?:we|I) (?:had|were|was)\b|\bthere (?:was|were)\b|\b(?:our|my) (?:team|project|model|org)\b", re.I
)


@dataclass
class Context:
    """One segmented answer. Parts are settled before a Context is made, so `usable` is computed once."""

    answer: str
    sentences: list[Sentence]
    usable: list[Sentence] = field(init=False)

    def __post_init__(self) -> None:
        self.usable = [s for s in self.sentences if s.part not in _SKIP]

    def of(self, *parts: str) -> list[Sentence]:
        return [s for s in self.sentences if s.part in parts]

    def quote(self, s: Sentence, focus: tuple[int, int] | None = None) -> Evidence:
        return evidence(self.answer, s.start, s.end, focus)


def _best(met: tuple[list[Evidence], str], partial: tuple[list[Evidence], str], *, missing: str) -> PartGrade:
    """Met when there is evidence for it, else partial when there is evidence for that, else missing."""
    for verdict, (quotes, note) in (("met", met), ("partial", partial)):
        if quotes:
            return PartGrade(verdict=verdict, evidence=quotes[:2], note=note)
    return PartGrade(verdict="missing", note=missing)


def situation(ctx: Context) -> tuple[PartGrade, int]:
    # The setup is the opening block, plus an early sentence that gives the speaker's role even when it
    # runs straight on into the action ("I was the lead on X, 200M minutes a month, and I proposed ...").
    early = [s for s in ctx.usable[:4] if s.part not in ("situation", "reflection") and s.has(_ROLE_STRONG)]
    sents = sorted(ctx.of("situation") + early[:1], key=lambda s: s.start)
    if not sents:
        # No opening block: the first sentence carries the setup folded into the action, if anything does.
        first = [s for s in ctx.usable[:1] if s.part != "reflection"]
        if not first or (not first[0].has(_SETUP_IN_ACTION) and not first[0].has(_ROLE)):
            return PartGrade(verdict="missing", note="No setup: the answer starts without context."), 0
        sents = first
    words = sum(_words_without_label(s) for s in sents)
    text = " ".join(s.low for s in sents)
    has_scale = any(q.kind != "date" for s in sents for q in s.quantities) or _SCALE.test(text)
    specifics = [name for name, rx in (("stakes", _STAKES), ("role", _ROLE)) if rx.test(text)]
    if has_scale:
        specifics.insert(0, "scale")
    ev = [ctx.quote(s) for s in sents[:3]]
    if words > SITUATION_MAX_WORDS:
        return PartGrade(
            verdict="partial", evidence=ev, note=f"Setup runs {words} words (over ~75, about 30 s spoken)."
        ), words
    if len(specifics) >= 2:
        return PartGrade(verdict="met", evidence=ev, note=f"Short setup with {', '.join(specifics)}."), words
    have = ", ".join(specifics) or "none"
    return PartGrade(verdict="partial", evidence=ev, note=f"Setup lacks specifics (has: {have})."), words


def _words_without_label(s: Sentence) -> int:
    m = lx.PREFIX_LABEL.match(s.text)
    return count_words(s.text[m.end() :]) if m else s.words


_SIDE_WORD = re.compile(r"[A-Za-z][\w-]+")
_HYPOTHETICAL_NEAR = re.compile(r"\bif\b|\bwould\b|\bI['’]d\b|\bshould\b|\bnext time\b", re.I)
_LOOKING_BACK = re.compile(
    r"\b(?:would|should|I['’]d|next time|hindsight|looking back|retrospect|again|differently|now)\b"
)


def _side_words(text: str) -> int:
    return len([w for w in _SIDE_WORD.findall(text) if w.lower() not in _STOP])


_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "was",
        "were",
        "is",
        "are",
        "be",
        "been",
        "it",
        "this",
        "that",
        "we",
        "i",
        "our",
        "my",
        "your",
        "their",
        "vs",
        "versus",
        "against",
        "between",
        "either",
        "trade",
        "off",
        "tradeoff",
        "trade-off",
        "could",
        "would",
        "should",
        "can",
        "just",
        "really",
        "very",
        "so",
    ]
)
_GENERIC_SIDES = frozenset(
    [
        "fast",
        "right",
        "speed",
        "quality",
        "good",
        "perfect",
        "quick",
        "slow",
        "cheap",
        "time",
        "money",
        "done",
        "better",
        "faster",
    ]
)


def tradeoff(ctx: Context) -> PartGrade:
    """Met: both sides named in specific terms. A two-sided phrase inside a generic one ("the classic
    fast vs right thing", "quick fix versus proper fix") does not count as naming the sides."""
    specific: list[Evidence] = []
    generic: list[Evidence] = []
    for s in ctx.usable:
        if not s.flags["tradeoff"]:
            continue
        low = s.low
        spans = [m.span() for m in s.hits(lx.GENERIC_TRADEOFF)]

        def outside(start: int, spans: list[tuple[int, int]] = spans) -> bool:
            return not any(a <= start < b for a, b in spans)

        two = next((m for m in s.each(lx.TWO_SIDED) if outside(m.start())), None)
        stated = s.first(lx.TRADEOFF_STATEMENT)
        rest = low[stated.end() :] if stated and outside(stated.start()) else ""
        named = two is not None or _side_words(rest) >= 6
        focus_at = (two or stated or s.first(lx.TRADEOFF_WORD) or _NONE).start()
        quote = ctx.quote(s, (s.start + focus_at, s.start + focus_at))
        if named and _side_words(s.text) >= 5:
            specific.append(quote)
        else:
            generic.append(quote)
    return _best(
        (specific, "Trade-off named with both sides."),
        (generic, "Trade-off is generic or one-sided; name both sides."),
        missing="No trade-off named.",
    )


class _NoMatch:
    def start(self) -> int:
        return 0


_NONE = _NoMatch()
_FILLER = frozenset(
    ["call", "tough", "hard", "decision", "classic", "usual", "typical", "tricky", "there", "had", "balance"]
)


def action(ctx: Context) -> tuple[PartGrade, int, int]:
    """Returns the verdict, the load-bearing "I" count and the "we / the team" action count."""
    mine: list[Evidence] = []
    chained = 0
    minor: list[Evidence] = []
    others: list[Evidence] = []
    for s in ctx.usable:
        if s.part == "reflection" and s.flags["hypothetical"]:
            continue
        lead = s.part == "situation" and s.flags["role"]
        small = [m.span() for m in s.hits(lx.MINOR_DEED)]
        found = [
            m
            for m in s.hits(lx.I_ACTION)
            if not lead
            and not _hypothetical_before(s.text, m.start())
            and not any(a <= m.start() < b or m.start() <= a < m.end() + 30 for a, b in small)
        ]
        for m in found:
            mine.append(ctx.quote(s, (s.start + m.start(), s.start + m.end())))
        if found:
            chained += len(lx.I_CHAINED.findall(s.low, found[0].end()))
        if small and not found:
            minor.append(ctx.quote(s))
        if s.part in ("result", "situation"):
            continue  # "we landed three wins" reports the outcome, "we built X" sets the scene: not the action
        for m in s.hits(lx.OTHERS_ACTION):
            others.append(ctx.quote(s, (s.start + m.start(), s.start + m.end())))
        if s.has(lx.PASSIVE_DECISION):
            others.append(ctx.quote(s))
        if not s.has(lx.I_ACTION) and s.has(lx.I_MINOR):
            minor.append(ctx.quote(s))
    n_mine, n_others = len(mine) + chained, len(others)
    if (n_mine >= 2 and n_mine * 2 >= n_others) or (n_mine >= 1 and n_mine >= n_others):
        return (
            PartGrade(verdict="met", evidence=_dedupe(mine)[:3], note="First-person load-bearing actions."),
            (n_mine),
            n_others,
        )
    if n_mine or n_others or minor:
        note = (
            "Load-bearing actions are mostly 'we' / 'the team'."
            if n_others >= n_mine
            else "Few first-person actions; the 'I' is for minor things."
        )
        return (
            PartGrade(verdict="partial", evidence=(_dedupe(mine) + _dedupe(others) + minor)[:3], note=note),
            (n_mine),
            n_others,
        )
    return PartGrade(verdict="missing", note="No action described."), 0, 0


def _hypothetical_before(text: str, pos: int) -> bool:
    window = text[max(0, pos - 40) : pos + 12]
    return _HYPOTHETICAL_NEAR.search(window) is not None


def _dedupe(items: list[Evidence]) -> list[Evidence]:
    seen: set[tuple[int, int]] = set()
    out: list[Evidence] = []
    for e in items:
        if (e.start, e.end) not in seen:
            seen.add((e.start, e.end))
            out.append(e)
    return out


_METRIC = ci(
    r"\b(?:accuracy|f1|precision|recall|auc|latency|p\d\d|cost|costs|spend|revenue|rate|reports?|incidents?|"
    r"errors?|tickets?|pages|complaints?|churn|retention|conversion|ctr|throughput|wer|bleu|leaks?|holds?|"
    r"false[- ]positives?|false[- ]negatives?|a year|per (?:month|year|week|day|query|request)|saved|savings)\b"
)


_OPTIONS = ci(
    r"\b(?:could|would|might|choose|chose between|choice|either|option|whether|or (?:spend|keep|wait|ship))\b"
)


_CONDITIONAL = ci(r"\bif\b|\bunless\b|\bwould\b|\bi['’]d\b|\bwe['’]d\b")


def result(ctx: Context) -> tuple[PartGrade, list[Quantity]]:
    """Returns the verdict and the quantities that measure the outcome.

    A number counts when it sits after the setup, outside a reflection and outside the sentence that
    states the trade-off (those numbers are stakes and hypotheticals), next to an outcome cue or a metric.
    """
    measured: list[tuple[Sentence, Quantity]] = []
    vague: list[Sentence] = []
    told: list[Sentence] = []
    for n, s in enumerate(ctx.usable):
        if s.part in ("situation", "reflection") or s.has(lx.TRADEOFF_WORD):
            continue
        if s.flags["tradeoff"] and s.has(_OPTIONS):
            continue  # "I could ship now or spend six weeks": the options' costs, not what happened
        if s.flags["hypothetical"] and s.has(_CONDITIONAL):
            continue  # "I'd reverse it if dense-only came within one point": a condition, not an outcome
        told.append(s)
        if n == 0 and s.part != "result":
            continue  # the opening sentence sets the scene, even when it runs into the action
        qs = [q for q in s.quantities if q.kind in ("measure", "duration")]
        outcome = s.part == "result" or s.flags["result_cue"] or s.flags["result"]
        if qs and (outcome or s.has(_METRIC)):
            measured.extend((s, q) for q in qs)
        elif outcome and (s.part == "result" or s.has(lx.VAGUE_RESULT)):
            vague.append(s)
    if measured:
        ev = _dedupe([ctx.quote(s, (q.start, q.end)) for s, q in measured])[:3]
        nums = ", ".join(q.text for _, q in measured[:4])
        return PartGrade(verdict="met", evidence=ev, note=f"Outcome measured: {nums}."), [
            q for _, q in measured
        ]
    if vague:
        return PartGrade(
            verdict="partial", evidence=[ctx.quote(s) for s in vague[:2]], note="Outcome without a number."
        ), []
    # Something happened after the setup ("we cancelled it, the team moved on"): an outcome, unmeasured.
    if len(told) >= 2:  # one lone action ("I pushed the fix.") says nothing of what came of it
        return PartGrade(
            verdict="partial", evidence=[ctx.quote(told[-1])], note="No clear outcome, and no number."
        ), []
    return PartGrade(verdict="missing", note="No outcome stated."), []


def has_number_source(ctx: Context) -> Evidence | None:
    for s in ctx.usable:
        m = s.first(lx.NUMBER_SOURCE)
        # Anywhere but a hypothetical ("I'd have measured it with an A/B test"): a follow-up answer that
        # says where the number came from may be filed after the reflection.
        if m and not (s.part == "reflection" and s.flags["hypothetical"]):
            return ctx.quote(s, (s.start + m.start(), s.start + m.end()))
    return None


def driver(ctx: Context) -> PartGrade:
    structural: list[Evidence] = []
    downstream: list[Evidence] = []
    for s in ctx.usable:
        if s.part in ("situation", "reflection") and not (
            s.part == "reflection" and not s.flags["hypothetical"]
        ):
            continue
        if s.flags["structure"]:
            structural.append(ctx.quote(s))
        elif s.flags["consequence"] and s.part in ("driver", "result", "action", "other"):
            downstream.append(ctx.quote(s))
    return _best(
        (structural, "A structural change outlived the project."),
        (downstream, "A downstream consequence, but no lasting structural change."),
        missing="Nothing beyond the immediate result.",
    )


def reflection(ctx: Context) -> PartGrade:
    specific: list[Evidence] = []
    generic: list[Evidence] = []
    for s in ctx.usable:
        m = s.first(lx.REFLECTION_CUE)
        if not m:
            continue
        rest = s.low[m.end() :]
        only_accountability = s.has(lx.ACCOUNTABILITY) and not _LOOKING_BACK.search(s.text)
        if only_accountability:
            generic.append(ctx.quote(s))
            continue
        concrete = _side_words(rest) >= 4 and (lx.CONCRETE.search(rest) or _side_words(rest) >= 7)
        if s.has(lx.GENERIC_REFLECTION) and not (concrete and _side_words(rest) >= 9):
            generic.append(ctx.quote(s))
        elif concrete:
            specific.append(ctx.quote(s))
        else:
            generic.append(ctx.quote(s))
    return _best(
        (specific, "Specific thing they'd do differently."),
        (generic, "Reflection is generic; say what you'd change and why."),
        missing="No reflection.",
    )
