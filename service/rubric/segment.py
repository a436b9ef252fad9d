"""Read an answer sentence by sentence: which STAR-DRIVE part each sentence is, how well it does that
part's job, and what it signals for the archetype's trap.

A trained classifier (service/rubric/training.py) reads each sentence's meaning and its exact features;
nothing here is a phrase list. Explicit labels still win where the candidate wrote them ("(S)" after a
segment as the seed does, "Situation:" / "T —" before one): the candidate said which part it is, and the
classifier then only judges how well it does it. Sentences that address whoever grades are set aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from service.rubric import classifier, features, grammar
from service.rubric.numbers import find_quantities
from service.rubric.text import Sentence, split_sentences

# A fine label is one part done well or done poorly; `PART_OF` maps it to the part.
PART_OF = {
    "situation": "situation",
    "tradeoff": "tradeoff",
    "tradeoff_generic": "tradeoff",
    "action": "action",
    "action_minor": "action",
    "result": "result",
    "driver": "driver",
    "consequence": "driver",
    "reflection": "reflection",
    "reflection_generic": "reflection",
    "injection": "injection",
    "other": "other",
}
SUFFIX_LABEL = re.compile(r"^\(\s*([STARDE])\s*\)$")
PREFIX_LABEL = re.compile(
    r"^(?:[*_#>\-\s•–·]*)(?:\d[.)]\s*)?(?:\(?(?P<letter>[STARDE])\)?\s*[:—–-]|(?P<name>situation|setup|context|"
    r"trade[- ]?offs?|the trade[- ]?off|tension|actions?|what i did|results?|outcome|impact|drivers?(?: of impact)?|"
    r"second[- ]order|structural change|reflection|looking back|what i'?d do differently|lessons?)"
    r"(?:\*\*|__)?\s*(?:[:—–]|-\s))\s*",
    re.IGNORECASE,
)
_NAMES = (
    ("situation", "situation"), ("setup", "situation"), ("context", "situation"), ("trade", "tradeoff"),
    ("the trade", "tradeoff"), ("tension", "tradeoff"), ("action", "action"), ("what i did", "action"),
    ("result", "result"), ("outcome", "result"), ("impact", "result"), ("driver", "driver"),
    ("second", "driver"), ("structural", "driver"), ("reflection", "reflection"), ("looking back", "reflection"),
    ("what i", "reflection"), ("lesson", "reflection"),
)  # fmt: skip
_LETTERS = {"S": "situation", "T": "tradeoff", "A": "action", "R": "result", "D": "driver", "E": "reflection"}


SUSPECT = 0.1  # the injection probability at which a line is set aside without being flagged


@dataclass
class Reading:
    """One answer, read: its sentences (each with `part`, `label`, `signal`) and the probabilities."""

    answer: str
    sentences: list[Sentence]
    proba: np.ndarray  # sentences x fine labels
    signal_proba: np.ndarray  # sentences x signals (the side of a trap)
    labels: tuple[str, ...]
    signals: tuple[str, ...]
    kind_proba: np.ndarray  # sentences x signal kinds (which step into or out of which trap)
    kinds: tuple[str, ...]
    vectors: np.ndarray  # sentences x DIM: each sentence's unit WordLlama vector (topic.py reads them)
    words: np.ndarray  # sentences x WORD_SLOTS: each sentence's hashed word stems (features.words_row)

    @property
    def usable(self) -> list[Sentence]:
        return [s for s in self.sentences if s.part not in ("injection", "label")]

    def p(self, s: Sentence, label: str) -> float:
        return float(self.proba[s.index, self.labels.index(label)])

    @cached_property
    def told(self) -> int:
        """How many usable sentences tell a deed of the speaker's (`grammar.told_past`): read once, for
        whether an event is told at all (analyze) and what share of the answer tells one (frames)."""
        return sum(grammar.told_past(s.text) for s in self.usable)

    def injected(self) -> list[tuple[int, int]]:
        return [(s.start, s.end) for s in self.sentences if s.part == "injection"]


def _explicit(sentences: list[Sentence]) -> dict[int, str]:
    """Sentence index -> part, for every sentence inside an explicitly labelled segment."""
    suffix = [i for i, s in enumerate(sentences) if SUFFIX_LABEL.match(s.text)]
    out: dict[int, str] = {}
    if suffix and suffix[0] > 0:
        prev = 0
        for i in suffix:
            m = SUFFIX_LABEL.match(sentences[i].text)
            assert m is not None
            out.update({j: _LETTERS[m.group(1).upper()] for j in range(prev, i)})
            out[i] = "label"
            prev = i + 1
        return out
    heads: dict[int, str] = {}
    markers: set[int] = set()  # a bare "(S)" opening its segment: it heads the part and is no part itself
    for i, s in enumerate(sentences):
        m = PREFIX_LABEL.match(s.text)
        bare = SUFFIX_LABEL.match(s.text)
        if bare:
            heads[i] = _LETTERS[bare.group(1).upper()]
            markers.add(i)
        elif m and m.group("letter"):
            heads[i] = _LETTERS[m.group("letter").upper()]
        elif m:
            name = m.group("name").lower()
            heads[i] = next(part for key, part in _NAMES if name.startswith(key))
    if len(set(heads.values())) < 2:
        return {}
    current = None
    for i in range(len(sentences)):
        current = heads.get(i, current)
        if current:
            out[i] = "label" if i in markers else current
    return out


def read(answer: str) -> Reading:
    sentences = split_sentences(answer)
    for i, s in enumerate(sentences):
        s.index = i
        s.quantities = find_quantities(s.text, s.start)
    parts, signals, kinds = (classifier.shipped(n) for n in ("parts", "signals", "kinds"))
    measured = features.measure([s.text for s in sentences], [s.quantities for s in sentences])
    proba = _proba(parts, measured)
    inj = parts.labels.index("injection")
    aside = {s.index for s in sentences if proba[s.index].argmax() == inj}
    # A line that might be speaking to the grader is set aside unflagged: it is never allowed to count.
    # Story sentences almost never reach this (none of ~1,900 in the labeled cases do).
    suspect = {
        s.index
        for s in sentences
        if s.index not in aside and (proba[s.index, inj] >= SUSPECT or grammar.addressing(s.text)[2])
    }
    # A fragment next to an injected line is part of it ("P.S." before a note to the scorer).
    flagged = aside | suspect
    suspect |= {s.index for s in sentences if s.words < 3 and {s.index - 1, s.index + 1} & flagged} - aside
    kept = [s for s in sentences if s.index not in aside | suspect]
    if len(kept) < len(sentences):
        # Read the rest again without them: an injected line must not even change its neighbours' context
        # (the same answer without it must read the same).
        proba[[s.index for s in kept]] = _proba(parts, measured, [s.index for s in kept])
    sig = np.zeros((len(sentences), len(signals.labels)), dtype=np.float32)
    kind = np.zeros((len(sentences), len(kinds.labels)), dtype=np.float32)
    sig[[s.index for s in kept]] = _proba(signals, measured, [s.index for s in kept])
    kind[[s.index for s in kept]] = _proba(kinds, measured, [s.index for s in kept])
    explicit = _explicit(sentences)
    for s in sentences:
        row = proba[s.index]
        if s.index in aside:  # an explicit label cannot make an instruction to the grader a part
            s.part = s.label = "injection"
        elif s.index in suspect or explicit.get(s.index) == "label":
            # Set aside like a heading (a suspect line, or a bare "(S)" marker): no part, and no flag.
            s.part, s.label = "label", "other"
        elif s.index in explicit:
            s.part = explicit[s.index]
            # The candidate named the part; the classifier judges how well it is done (its best label there).
            fine = [j for j, lab in enumerate(parts.labels) if PART_OF[lab] == s.part] or [int(row.argmax())]
            s.label = parts.labels[max(fine, key=lambda j: row[j])]
        else:
            s.label = parts.labels[int(row.argmax())]
            s.part = PART_OF[s.label]
        if s.index not in aside | suspect:
            s.signal = signals.labels[int(sig[s.index].argmax())]
    return Reading(
        answer,
        sentences,
        proba,
        sig,
        parts.labels,
        signals.labels,
        kind,
        kinds.labels,
        measured.vec,
        measured.words,
    )


def _proba(
    model: classifier.Softmax, measured: features.Measured, keep: list[int] | None = None
) -> np.ndarray:
    if not len(measured.vec) or keep == []:
        return np.zeros((0 if keep is None else len(keep), len(model.labels)), dtype=np.float32)
    return model.proba(measured.rows(keep))


def prepare(*, reuse: bool = False) -> None:
    """Load the embedding weights and the classifiers now (~0.3 s), not on the first answer; with `reuse`,
    the reuse check's background too (~0.3 s more, first needed when an interview reaches its second
    archetype: under load every request in flight then waited for it)."""
    from service.rubric.embed import warm

    warm()
    for name in ("parts", "signals", "kinds", "topic"):
        classifier.shipped(name)
    if reuse:
        from service.rubric.meaning import background

        background()
