"""Grade one answer: read its sentences, judge the six parts and the trap, derive level and pushbacks.

Candidate text is data. Sentences that address whoever grades are set aside before any part is judged
and only raise `signals.injection_suspected`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from service.catalog import Catalog, get_catalog
from service.rubric import parts as pt
from service.rubric.fingerprint import fingerprint, same_project
from service.rubric.frames import frame
from service.rubric.grammar import counts
from service.rubric.models import Grade, Held, PartGrade, Signals, held_for, level_from_verdicts
from service.rubric.segment import Reading, read
from service.rubric.text import seconds_for
from service.rubric.topic import long_enough, topic
from service.rubric.traps import check_trap

_WE = re.compile(r"\b(?:we|we['’](?:d|re|ve|ll))\b", re.IGNORECASE)


def analyze(
    answer: str,
    archetype: str | None = None,
    question: str | None = None,
    *,
    earlier: Iterable[frozenset[str]] = (),
    catalog: Catalog | None = None,
    whole: bool = True,
) -> Grade:
    """`earlier`: fingerprints of answers already given for *other* archetypes (interview or story bank).
    `whole=False` for a follow-up read alone: a fragment of a story is neither off the topic nor a view."""
    return grade_reading(read(answer), archetype, earlier=earlier, catalog=catalog, whole=whole)


def grade_reading(
    reading: Reading,
    archetype: str | None = None,
    *,
    earlier: Iterable[frozenset[str]] = (),
    catalog: Catalog | None = None,
    whole: bool = True,
) -> Grade:
    catalog = catalog or get_catalog()
    trap_code = catalog.archetype(archetype).trap.code if archetype else None
    wpm = catalog.rubric.speaking_words_per_minute
    situation, situation_words = pt.situation(reading)
    parts: dict[str, PartGrade] = {
        "situation": situation,
        "tradeoff": pt.judged(reading, "tradeoff"),
        "action": pt.action(reading),
        "result": pt.result(reading),
        "driver": pt.judged(reading, "driver"),
        "reflection": pt.judged(reading, "reflection"),
    }
    trap, trap_shown = check_trap(archetype, trap_code, reading)
    framed = _framed(reading, parts["action"], parts["result"]) if whole and long_enough(reading) else None
    no_example = framed == "scenario"
    outside_work = framed == "elsewhere"
    about = topic(reading, archetype) if whole and archetype and not framed else None
    off_topic = about.reads_as if about is not None and about.off else None
    held = held_for(off_topic=bool(off_topic), outside_work=outside_work, no_example=no_example)
    if held:
        why = why_held(catalog, archetype, held, off_topic)
        parts = {name: _held(p, why) for name, p in parts.items()}

    codes: set[str] = set()
    for part, code in (
        ("tradeoff", "ask_tradeoff"),
        ("action", "ask_first_person"),
        ("result", "ask_number"),
    ):
        if parts[part].verdict != "met":
            codes.add(code)
    if parts["result"].verdict == "met" and pt.number_source(reading) is None:
        codes.add("ask_number_source")
    for part, code in (("driver", "ask_driver"), ("reflection", "ask_reflection")):
        if parts[part].verdict != "met":
            codes.add(code)
    if situation_words > pt.SITUATION_MAX_WORDS:
        codes.add("trim_situation")
    if trap and trap.hit:
        codes.add(trap.code)
    if held:  # the story itself is the gap: ask for another that answers the question
        codes.add("ask_different_story")
    earlier = list(earlier)
    if earlier:  # a fingerprint costs a fifth of the analysis: only when there is something to compare
        mine = fingerprint(" ".join(s.text for s in reading.usable))
        if any(same_project(mine, other) for other in earlier):
            codes.add("ask_different_story")
    # A trap read only from what is missing, in a story whose deeds are the team's (action partial, not
    # missing: an empty answer or an opinion is asked the trap's question first): whose part it was comes
    # before whether the call was sound.
    team = parts["action"].verdict == "partial"
    absent = trap.code if trap and trap.hit and trap_shown is None and team else None
    pushbacks = ordered(codes, catalog, speaker_before=absent)

    answer = reading.answer
    words = sum(s.words for s in reading.sentences)
    signals = Signals(
        words=words,
        speaking_seconds=seconds_for(words, wpm),
        situation_seconds=seconds_for(situation_words, wpm),
        i_count=counts(answer)[0],
        we_count=len(_WE.findall(answer)),
        numbers=_numbers(reading),
        injection_suspected=any(s.part == "injection" for s in reading.sentences),
        off_topic=off_topic,
        no_example=no_example,
        outside_work=outside_work,
    )
    verdicts = tuple(p.verdict for p in parts.values())
    return Grade(
        archetype=archetype,
        parts=parts,
        level=level_from_verdicts(verdicts),
        trap=trap,
        pushbacks=pushbacks,
        signals=signals,
        grader="builtin",
    )


def ordered(codes: Iterable[str], catalog: Catalog, *, speaker_before: str | None = None) -> list[str]:
    """Pushback codes most important first (prompts/rubric.yaml), with `ask_first_person` moved just
    ahead of the trap code `speaker_before` when it came after it."""
    out = sorted(codes, key=catalog.rubric.pushback_order.__getitem__)
    if speaker_before in out and "ask_first_person" in out[out.index(speaker_before) :]:
        out.remove("ask_first_person")
        out.insert(out.index(speaker_before), "ask_first_person")
    return out


def _framed(reading: Reading, action: PartGrade, result: PartGrade) -> str | None:
    """`scenario` when no event is told (a setup, a trade-off or a look back around no deed of the
    speaker's and no outcome is a view, not a story), or as frames.py reads it (an imagined case or a
    process, which may tell a deed or two); `elsewhere` when it is set outside work (frames.py); None for
    a story of one's work."""
    if action.verdict == "missing" and result.verdict == "missing" and not reading.told:
        return "scenario"
    return frame(reading)


@lru_cache(maxsize=1024)  # every reader of the transcript asks again of the same reply
def tells_a_story(answer: str) -> bool:
    """The answer is long enough to be a story and tells an event: what `signals.no_example` denies."""
    reading = read(answer)
    return long_enough(reading) and _framed(reading, pt.action(reading), pt.result(reading)) != "scenario"


def why_held(catalog: Catalog, asked: str | None, held: Held, reads_as: str | None = None) -> str:
    """Why an off-topic, outside-work or no-example answer's parts are held at partial, in the
    candidate's terms (`reads_as`: the archetype an off-topic story reads as)."""
    if held == "outside_work":
        return "This story is set outside your work: tell one from your engineering work that answers the question."
    if held == "no_example" or reads_as is None or asked is None:
        return "No example told: tell one specific time it happened, what you did and what came of it."
    return (
        f'This story reads as "{catalog.archetype(reads_as).title}", not "{catalog.archetype(asked).title}": '
        "tell one that answers the question asked."
    )


def _held(part: PartGrade, why: str) -> PartGrade:
    """A part done well around no story, or in a story about something else, has not answered the
    question: held at partial, saying why."""
    if part.verdict != "met":
        return part
    return part.model_copy(update={"verdict": "partial", "note": f"{why} ({part.note})"})


_SPACES = re.compile(r"\s+")


def _numbers(reading: Reading) -> list[str]:
    seen: list[str] = []
    for s in reading.usable:
        for q in s.quantities:
            text = _SPACES.sub(" ", q.text)
            if q.kind != "date" and text not in seen:
                seen.append(text)
    return seen


@lru_cache(maxsize=4096)  # the planner asks for the same earlier answers' fingerprints on every turn
def project_fingerprint(answer: str) -> frozenset[str]:
    """The fingerprint `analyze(earlier=...)` compares, computed on the same cleaned text."""
    return fingerprint(" ".join(s.text for s in read(answer).usable))
