"""Sentences and spans: the unit every detector works on, always as offsets into the answer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from service.rubric.models import Evidence
from service.rubric.numbers import Quantity

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_WORD_ASCII = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*")  # WORD on ASCII text, without Unicode lookups
# A boundary: end punctuation (and closing quotes) then space, or a line break. Abbreviations are
# re-joined afterwards rather than guessed at here, which keeps the regex cheap.
_BOUNDARY = re.compile(
    r"(?<=[.!?…])[\"'”’)\]]*\s+|\s*\n\s*|(?<=;)\s+|\s*(?=\(\s*[STARDE]\s*\))|(?<=\(S\)|\(T\)|\(A\)|\(R\)|\(D\)|\(E\))\s*"
    # A bracketed aside ("[note: …]", "<!-- … -->") is a sentence of its own, so it can be set aside whole.
    r"|(?<=\])\s+(?=[A-Z])|\s+(?=\[[A-Za-z])|(?<=-->)\s*|\s*(?=<!--)"
)
# The same boundaries for text with no brackets, labels or comments (most answers). It opens with one
# class (the end punctuation, ";" or a space), so `re` skips straight to those characters; the lookbehind
# then tells which it was. The named groups are the gaps the full pattern would match; a line gap is the
# whole match.
_PLAIN_BOUNDARY = re.compile(
    r"[.!?…;\s](?:(?<=[.!?…])(?P<end>[\"'”’)\]]*\s+)|(?<=;)(?P<semi>\s+)|(?<=[^\S\n])[^\S\n]*\n\s*|(?<=\n)\s*)"
)
_BRACKETS = frozenset("()[]<>")
_ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|vs|etc|approx|Dr|Mr|Ms|Mrs|Inc|Jr|Sr|U\.S|cf|ca)\.)$")
# Spoken answers come without punctuation; split a long run at spoken joints instead.
_SPOKEN_JOINT = re.compile(
    r",?\s+(?=(?:and then|and so|so then|but then|um,? so|so basically|anyway)\b)|,\s+(?=so\b)"
)
_LONG_SENTENCE_WORDS = 45


@dataclass
class Sentence:
    start: int
    end: int
    text: str
    index: int = 0  # its place among the answer's sentences
    part: str = "other"  # the STAR-DRIVE part it does (or "injection", "label", "other")
    label: str = "other"  # the classifier's finer label: the part done well or poorly
    signal: str = "none"  # what it shows for the archetype's trap, if anything
    quantities: list[Quantity] = field(default_factory=list)
    n_words: int = -1  # counted once, when first needed (or while splitting)

    @property
    def words(self) -> int:
        if self.n_words < 0:
            self.n_words = count_words(self.text)
        return self.n_words


def _gaps(answer: str) -> list[tuple[int, int, bool]]:
    """(start, end, holds a line break) of every gap between sentences."""
    if _BRACKETS.isdisjoint(answer):
        gaps = [m.span(m.lastgroup) if m.lastgroup else m.span() for m in _PLAIN_BOUNDARY.finditer(answer)]
        return [(a, b, "\n" in answer[a:b]) for a, b in gaps]
    return [(m.start(), m.end(), "\n" in m.group()) for m in _BOUNDARY.finditer(answer)]


def _split_long(answer: str, start: int, end: int) -> tuple[list[tuple[int, int]], int]:
    """The chunk's pieces, and its word count when it stays whole (-1 when split)."""
    # A word takes at least two characters with its separator: callers skip chunks too short to be long.
    chunk = answer[start:end]
    words = count_words(chunk)
    if words <= _LONG_SENTENCE_WORDS:
        return [(start, end)], words
    out: list[tuple[int, int]] = []
    cursor = 0
    for m in _SPOKEN_JOINT.finditer(chunk):
        if m.start() > cursor:
            out.append((start + cursor, start + m.start()))
        cursor = m.end()
    out.append((start + cursor, end))
    return [(a, b) for a, b in out if b > a], -1


def split_sentences(answer: str) -> list[Sentence]:
    spans: list[tuple[int, int]] = []
    cursor = 0
    pending_start: int | None = None
    for piece_end, gap_end, line_break in _gaps(answer):
        if piece_end <= cursor:
            cursor = gap_end
            continue
        begin = cursor if pending_start is None else pending_start
        # An abbreviation ends its piece with a dot, and "approx." is the longest: look at the tail only.
        tail = max(cursor, piece_end - 8)
        if not line_break and answer[piece_end - 1] == "." and _ABBREV.search(answer, tail, piece_end):
            pending_start = begin
        else:
            spans.append((begin, piece_end))
            pending_start = None
        cursor = gap_end
    begin = cursor if pending_start is None else pending_start
    if begin < len(answer):
        spans.append((begin, len(answer)))
    sentences: list[Sentence] = []
    for a, b in spans:
        pieces, words = _split_long(answer, a, b) if b - a > 2 * _LONG_SENTENCE_WORDS else ([(a, b)], -1)
        for s, e in pieces:
            if answer[s].isspace() or answer[e - 1].isspace():
                s, e = _strip(answer, s, e)  # spaces hold no words: the count still holds
            if e > s and WORD.search(answer, s, e):
                text = answer[s:e]
                sentences.append(Sentence(s, e, text, n_words=words))
    return sentences


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def count_words(text: str) -> int:
    return len((_WORD_ASCII if text.isascii() else WORD).findall(text))


def seconds_for(words: int, words_per_minute: int) -> int:
    return round(words * 60 / words_per_minute)


MAX_QUOTE = 280


def evidence(answer: str, start: int, end: int, focus: tuple[int, int] | None = None) -> Evidence:
    """An exact quote of `answer[start:end]`; a long sentence is cut to a window around `focus`."""
    start, end = _strip(answer, start, end)
    if end - start > MAX_QUOTE:
        f0, f1 = focus if focus else (start, start)
        lo = max(start, min(f0, f1) - MAX_QUOTE // 3)
        hi = min(end, lo + MAX_QUOTE)
        # Cut at word edges so the quote reads as text, not as a fragment of a word.
        while lo > start and not answer[lo - 1].isspace():
            lo -= 1
        while hi < end and not answer[hi].isspace():
            hi += 1
        start, end = _strip(answer, lo, hi)
    return Evidence(quote=answer[start:end], start=start, end=end)
