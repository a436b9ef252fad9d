"""Does the answer tell a story of the kind the question asked for?

A good story about something else (asked about mentoring, told a migration) must not pass: the parts
are all there, but none of them answers the question. An answer-level classifier over the WordLlama
vector of the answer's own sentences (set-aside lines left out) says which archetype's story it reads
as; trained on the training corpus (`service.rubric.training`, weights `topic.npz`). Archetypes overlap
(a kill decision is often a contested one), so the answer is off the topic only when the asked
archetype is far less likely than the one the story reads as: a ratio picked on answers outside the
training corpus (bench/topic.py), where no on-topic answer fell under it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from service.rubric import classifier
from service.rubric.embed import embed
from service.rubric.segment import Reading

OFF_TOPIC_RATIO = 0.2  # P(asked) / P(best) below this: the story is about something else
MIN_WORDS = 25  # under this there is too little story to judge its subject


@dataclass(frozen=True)
class Topic:
    asked: str
    reads_as: str
    ratio: float  # P(asked) / P(reads_as), 1.0 when the answer reads as the asked archetype

    @property
    def off(self) -> bool:
        return self.ratio < OFF_TOPIC_RATIO


def text_of(reading: Reading) -> str:
    return " ".join(s.text for s in reading.usable)


def topic(reading: Reading, archetype: str) -> Topic | None:
    """None when the archetype is unknown to the classifier or the answer is too short to tell."""
    model = classifier.shipped("topic")
    if archetype not in model.labels or sum(s.words for s in reading.usable) < MIN_WORDS:
        return None
    p = model.proba(embed([text_of(reading)]))[0]
    best = int(np.argmax(p))
    asked = float(p[model.labels.index(archetype)])
    return Topic(asked=archetype, reads_as=model.labels[best], ratio=asked / float(p[best]))
