"""What a project *is*, by meaning: the signal `same_project` reads when both answers carry it.

Three measures, each against a background of generic behavioral answers (the sentence classifiers'
training corpus, prompts/training — never evaluation data):
- `whole`: the answer's WordLlama vector minus the background mean (what every STAR answer shares);
- `content`: the mean of its content words' vectors, weighted by how rare each word is in the background;
- `rare`: its rare words (in at most a few background answers), so two tellings of one project share
  several ("invoice", "grasp", a codename) where two projects of one domain share one or two.
An employer named after "at" ("At Kestrel I ...") is left out: two projects at one company share it.
Names decide against: two answers that each name something ("Quasar", "Halcyon") and share no name are
two projects, however alike the rest (a thin template told twice with the codename swapped).
Weights and threshold were chosen on evals/reuse/dev.jsonl (bench/reuse.py).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from service.rubric.embed import DIM, embed, embed_cached
from service.rubric.stopwords import COMMON

CORPUS = Path(__file__).resolve().parents[2] / "prompts" / "training"
RARE_IDF = 3.0  # a word in at most ~5% of the background answers
# score = W_WHOLE * whole + W_CONTENT * content + W_RARE * log1p(shared rare words) + BIAS; reuse when > 0
W_WHOLE, W_CONTENT, W_RARE, BIAS = 4.0, 8.0, 0.8, -4.51  # dev: 11 of 14 caught at no false flag
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_EMPLOYER = re.compile(r"\b(?:[Aa]t|joined)\s+((?:[A-Z][\w&'’-]*\s?){1,3})")
# A capitalised word inside a sentence (an opening word is capitalised whatever it is), rare in the
# background, and not an all-caps acronym ("GPU", "CEO"): acronyms name the tools and roles any project has.
_NAME = re.compile(r"\b[A-Z][a-z][a-z0-9]*")
_OPENS = frozenset(".!?:;-•*\"'“(\n")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ers", "er", "ies", "ied", "ed", "es", "s", "ly")


@lru_cache(maxsize=16384)  # every answer's words, again on every reading of it
def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=1024)  # an answer's meaning and its content vector both read its terms
def terms(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in _WORD.findall(text.lower()) if len(w) >= 3 and w not in COMMON)


def names(text: str, bg: Background) -> frozenset[str]:
    found = set()
    for m in _NAME.finditer(text):
        before = _last_before(text, m.start())  # text[: m.start()].rstrip(" \t")[-1:], without the copy
        word = m.group().lower()
        if before and before not in _OPENS and word not in COMMON:
            found.add(stem(word))
    return frozenset(t for t in found if bg.idf(t) > RARE_IDF) - employers(text)


def _last_before(text: str, end: int) -> str:
    """The last character before `end` that is not a space or a tab ("" if none)."""
    i = end - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return text[i] if i >= 0 else ""


def employers(text: str) -> frozenset[str]:
    return frozenset(stem(w.lower()) for m in _EMPLOYER.finditer(text) for w in m.group(1).split())


@dataclass(frozen=True)
class Background:
    df: dict[str, int]
    n: int
    whole: NDArray[np.float32]
    content: NDArray[np.float32]

    def idf(self, term: str) -> float:
        return math.log((self.n + 1) / (self.df.get(term, 0) + 1))


def _content(
    text: str, bg_df: dict[str, int], n: int, drop: frozenset[str] = frozenset()
) -> NDArray[np.float32]:
    counts = Counter(t for t in terms(text) if t not in drop)
    if not counts:
        return np.zeros(DIM, dtype=np.float32)
    unique = sorted(counts)
    # Each word's vector once, weighted by how often it occurs and how rare it is in the background.
    weight = np.array(
        [counts[t] * math.log((n + 1) / (bg_df.get(t, 0) + 1)) for t in unique], dtype=np.float32
    )
    out: NDArray[np.float32] = weight @ _word_vectors(tuple(unique))
    norm = float(np.linalg.norm(out))
    return out / norm if norm else out


def _word_vectors(words: tuple[str, ...]) -> NDArray[np.float32]:
    return embed_cached(list(words))


@lru_cache(maxsize=1024)  # an earlier archetype's answer is compared again after every later answer
def _content_of(text: str, drop: frozenset[str]) -> NDArray[np.float32]:
    """`_content` against the background, read-only: the same vector for the same text and drop."""
    bg = background()
    out = _content(text, bg.df, bg.n, drop)
    out.flags.writeable = False
    return out


@lru_cache(maxsize=1)
def background() -> Background:
    texts = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                texts.append(row.get("join", " ").join(s["text"] for s in row["sentences"]))
    df: dict[str, int] = {}
    for text in texts:
        for t in set(terms(text)):
            df[t] = df.get(t, 0) + 1
    n = len(texts)
    whole = embed(texts).mean(axis=0)
    content = np.mean([_content(t, df, n) for t in texts], axis=0)
    return Background(df=df, n=n, whole=whole.astype(np.float32), content=content.astype(np.float32))


@dataclass(frozen=True)
class Meaning:
    whole: NDArray[np.float32]
    text: str
    words: frozenset[str]
    employers: frozenset[str]
    names: frozenset[str]


def meaning(text: str) -> Meaning:
    bg = background()
    whole = embed([text])[0] - bg.whole
    return Meaning(
        whole=whole, text=text, words=frozenset(terms(text)), employers=employers(text), names=names(text, bg)
    )


def _cos(a: NDArray[np.float32], b: NDArray[np.float32]) -> float:
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return float(a @ b) / (na * nb) if na and nb else 0.0


def features(a: Meaning, b: Meaning) -> tuple[float, float, int]:
    """(whole, content, shared rare words), the employers of either answer left out."""
    bg = background()
    drop = a.employers | b.employers
    content = _cos(_content_of(a.text, drop) - bg.content, _content_of(b.text, drop) - bg.content)
    return _cos(a.whole, b.whole), content, _rare(a, b, drop)


def _rare(a: Meaning, b: Meaning, drop: frozenset[str]) -> int:
    bg = background()
    return sum(1 for t in (a.words & b.words) - drop if bg.idf(t) > RARE_IDF)


def score(a: Meaning, b: Meaning) -> float:
    """Above 0: the same project. Two answers that share no rare word, or that each name things and share
    no name, are never one project, however alike their wording."""
    # Those two are known before the vectors are compared: most pairs are decided without them.
    if _rare(a, b, a.employers | b.employers) == 0 or (a.names and b.names and not a.names & b.names):
        return min(-1.0, BIAS)
    whole, content, rare = features(a, b)
    return W_WHOLE * whole + W_CONTENT * content + W_RARE * math.log1p(rare) + BIAS
