"""Does the answer tell a story of the kind the question asked for?

A good story about something else (asked about mentoring, told a migration) must not pass: the parts
are all there, but none of them answers the question. An answer-level classifier over the mean of the
answer's sentence vectors (the ones the sentence classifiers already read; set-aside lines left out)
says which archetype's story it reads as; trained on the training corpus and the fifth round's answers
(`service.rubric.training`, weights `topic.npz`). The mean of sentence vectors costs nothing beyond
the reading, where a vector of the whole text cost ~1-2 ms an answer (some 30% of the analysis) and did
no better on dev. Archetypes overlap (a kill decision is often a contested one), so the answer is off
the topic only when the asked archetype is far less likely than the one it reads as: on the golden
dev set (bench/topic.py) the on-topic answers' lowest ratio was .32 and the off-topic ones .05-.18;
of 72 retold dev stories, .26; of the in-sample eval cases, .19 (a research-vs-shipping story about a
cache, read as a cost negotiation). The line sits below all of them: a strong answer wrongly held back
costs a candidate more than a wrong-topic story let through. Sentences weigh by their words: equal weights let
a follow-up's "hard to say really" pull an incident story towards another archetype.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from service.rubric import classifier
from service.rubric.embed import DIM
from service.rubric.features import WORD_SLOTS
from service.rubric.segment import Reading

OFF_TOPIC_RATIO = 0.15  # P(asked) / P(best) below this: the story is about something else
MIN_WORDS = 25  # under this there is too little story to judge its subject
# The answer's words beside its meaning: "mentee", "outage", "pushback" name the story's kind outright.
# Leave-one-writer-out archetype accuracy on the training answers (360; bench/topic.py --cv): the
# vector alone .71, with the words .81 at any weight from 0.3 to 1.0.
WORDS_WEIGHT = 0.5


@dataclass(frozen=True)
class Topic:
    reads_as: str
    ratio: float  # P(asked) / P(reads_as), 1.0 when the answer reads as the asked archetype

    @property
    def off(self) -> bool:
        return self.ratio < OFF_TOPIC_RATIO


def long_enough(reading: Reading) -> bool:
    """Enough of the answer's own words to judge what it is about (the topic) or whether it tells one."""
    return sum(s.words for s in reading.usable) >= MIN_WORDS


def vector(reading: Reading) -> NDArray[np.float32]:
    """The answer as one unit vector: the mean of its own sentences' vectors, each weighed by its words
    (a short aside, "hard to say really", must not pull a story about something towards something else)."""
    rows = [s.index for s in reading.usable]
    if not rows:
        return np.zeros(DIM, dtype=np.float32)
    weights = np.asarray([max(s.words, 1) for s in reading.usable], dtype=np.float32)
    mean = weights @ reading.vectors[rows]
    norm = float(np.linalg.norm(mean))
    out: NDArray[np.float32] = (mean / norm if norm else mean).astype(np.float32)
    return out


def row(reading: Reading) -> NDArray[np.float32]:
    """What the topic classifier reads: the answer's vector and the set of its words (the same hashed
    stems the sentence rows carry), each of unit length."""
    rows = [s.index for s in reading.usable]
    bag = (
        (reading.words[rows] > 0).any(axis=0).astype(np.float32) if rows else np.zeros(WORD_SLOTS, np.float32)
    )
    norm = float(np.linalg.norm(bag))
    return np.concatenate([vector(reading), WORDS_WEIGHT * (bag / norm if norm else bag)])


def topic(reading: Reading, archetype: str) -> Topic | None:
    """None when the archetype is unknown to the classifier or the answer is too short to tell."""
    model = classifier.shipped("topic")
    if archetype not in model.labels or not long_enough(reading):
        return None
    p = model.proba(row(reading)[None, :])[0]
    best = int(np.argmax(p))
    asked = float(p[model.labels.index(archetype)])
    return Topic(reads_as=model.labels[best], ratio=asked / float(p[best]))
