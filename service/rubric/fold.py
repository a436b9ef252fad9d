"""Case folding that keeps offsets, and cue patterns with a fast "could this match at all?" probe.

Python's `re` is several times slower with IGNORECASE on large alternations; lowering the text once per
sentence with a length-preserving table (ASCII only, so `str.lower` quirks like 'İ' never shift offsets)
lets every pattern run without the flag while spans still index the original answer.

Most sentences match none of a cue's alternatives, and proving that is where the time goes: `re` tries
a `\\b`-led alternative at every position of the text (a jump into the matcher each time), and it gets no
first-character skip for a pattern that starts with `\\b`. A `Cue` keeps the exact pattern for spans and
adds a probe built from the same parse tree, in which `\\b` before a word character becomes "one
character that is not an ASCII word character" searched on `" " + text`. That pattern starts with a
character class, so `re` skips straight to the spaces and punctuation, and it tries the word cues only
there. On ASCII text the probe answers exactly; on other text it may say yes where the cue says no
(a non-ASCII letter counts as a boundary), so a yes is confirmed with the exact pattern.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


def fold(text: str) -> str:
    # On ASCII text `str.lower` is the same mapping. Elsewhere a translate table looks up every character
    # in Python; lowering only the runs of capitals leaves the rest untouched and costs a call per run.
    if text.isascii():
        return text.lower()
    return _CAPITALS.sub(_lower_run, text)


_CAPITALS = re.compile("[A-Z]+")


def _lower_run(m: re.Match[str]) -> str:
    return m.group().lower()


def _lower_pattern(pattern: str) -> str:
    out: list[str] = []
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)  # \S, \W, \D, \B keep their meaning
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        else:
            out.append(ch.lower() if ch.isascii() else ch)
    return "".join(out)


class Cue:
    """A compiled cue: `search`/`finditer`/`findall`/`match` behave exactly as `re`; `test` is `bool(search)`."""

    __slots__ = ("_exact", "_other", "_word_led", "pattern", "rx")

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx = rx  # as written: the reference the tests hold `_exact` and the probes to
        self.pattern = rx.pattern
        self._exact = rx
        self._word_led: re.Pattern[str] | None = None
        self._other: re.Pattern[str] | None = None
        _enlist(self)

    def _prepare(self) -> None:
        probes = _build_probes(self.rx)
        self._exact = _regrouped(self.rx) or self.rx
        if probes:
            self._other = probes[1]  # before `_word_led`, which is what switches the probe on
            self._word_led = probes[0]

    @property
    def exact(self) -> re.Pattern[str]:
        """The compiled pattern that gives matches and spans (same results as `rx`, often faster)."""
        return self._exact

    @property
    def probed(self) -> bool:
        return self._word_led is not None

    def _maybe(self, text: str, pad: str | None = None) -> bool:
        """False only when the cue certainly does not match `text` (`pad`: `" " + text`, if at hand)."""
        if self._word_led is None:
            return True
        if self._word_led.search(" " + text if pad is None else pad) is not None:
            return True
        return self._other is not None and self._other.search(text) is not None

    def _start(self, text: str) -> int:
        """Where the first match could begin (no match begins earlier); -1 when none can.

        A probe match at `pad[i]` is the character before a candidate at `text[i]`."""
        if self._word_led is None:
            return 0
        found = self._word_led.search(" " + text)
        first = found.start() if found is not None else -1
        if self._other is not None:
            other = self._other.search(text)
            if other is not None and (first < 0 or other.start() < first):
                first = other.start()
        return first

    def test(self, text: str, pad: str | None = None) -> bool:
        """`bool(self.search(text))`, without building the match when the probe can answer."""
        if self._word_led is None:
            return self.rx.search(text) is not None
        if not self._maybe(text, pad):
            return False
        return text.isascii() or self._exact.search(text) is not None

    # The exact pattern starts where the probe first could match: the text before holds no match.
    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        if pos == 0 and endpos >= len(text):
            pos = self._start(text)
            if pos < 0:
                return None
        return self._exact.search(text, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        if pos == 0 and endpos >= len(text):
            pos = self._start(text)
            if pos < 0:
                return iter(())
        return self._exact.finditer(text, pos, endpos)

    def findall(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        if pos == 0 and endpos >= len(text):
            pos = self._start(text)
            if pos < 0:
                return []
        return self._exact.findall(text, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self._exact.match(text, pos, endpos)

    def sub(self, repl: str, text: str) -> str:
        return self._exact.sub(repl, text)

    def __repr__(self) -> str:
        return f"Cue({self.pattern!r}, probed={self.probed})"


class CueScan:
    """Many cues asked of every sentence, answered together with one scan.

    One probe holds every word-led alternative of every cue, each ending in a marker naming its cue,
    inside a lookahead so that every place a word starts is tried. At such a place only the first
    alternative that matches is reported; any other cue that could start with the same letter is then
    asked there directly (`match` at that place, which is cheap). A cue no alternative reached is absent.
    Cues this cannot take (no probe, or alternatives that need no word start) are asked one by one.
    Until `prepare()` has run, every cue is asked one by one.
    """

    __slots__ = ("_built", "_given")

    def __init__(self, *cues: Cue) -> None:
        self._given = cues
        self._built: _Scan | None = None
        _enlist(self)

    def _prepare(self) -> None:
        built = _Scan.build(self._given)
        if built is not None:
            self._built = built

    @property
    def cues(self) -> tuple[Cue, ...]:
        """The cues `run` answers for (all of them until the scan is built, then those it takes)."""
        return self._given if self._built is None else self._built.cues

    def run(self, text: str, pad: str) -> tuple[tuple[Cue, ...], list[int]]:
        """For each cue answered: where it could first match `text` (no match of it begins earlier), or
        -1 where it cannot match at all. `pad` is `" " + text`."""
        built = self._built
        if built is None:
            return self._given, [-1 if (m := c.search(text)) is None else m.start() for c in self._given]
        return built.cues, built.run(text, pad)


@dataclass(slots=True)
class _Scan:
    cues: tuple[Cue, ...]
    probe: re.Pattern[str]
    index: dict[str, int]
    openings: tuple[frozenset[str] | None, ...]
    others: tuple[tuple[int, re.Pattern[str]], ...]
    # The first two characters of a word -> the cues that might match there, with their probe.
    candidates: dict[str, tuple[tuple[int, re.Pattern[str]], ...]]

    @classmethod
    def build(cls, cues: tuple[Cue, ...]) -> _Scan | None:
        eligible = tuple(c for c in cues if c._word_led is not None and _word_probe(c))
        joined = "|".join(f"(?:{c.pattern})(?P<c{i}>)" for i, c in enumerate(eligible))
        probe = _build_scan(joined) if eligible else None
        if probe is None:
            return None
        others = tuple((j, c._other) for j, c in enumerate(eligible) if c._other is not None)
        return cls(
            cues=eligible,
            probe=probe,
            index={f"c{i}": i for i in range(len(eligible))},
            openings=tuple(_openings(c.rx) for c in eligible),
            others=others,
            candidates={},
        )

    def could_open(self, two: str) -> tuple[tuple[int, re.Pattern[str]], ...]:
        found = self.candidates.get(two)
        if found is None:
            found = tuple(
                (j, cue._word_led)
                for j, cue in enumerate(self.cues)
                if cue._word_led is not None and _may_open(self.openings[j], two)
            )
            if len(self.candidates) < 4096:
                self.candidates[two] = found
        return found

    def run(self, text: str, pad: str) -> list[int]:
        """A probe match at `pad[i]` means a start at `text[i]`."""
        starts = [-1] * len(self.cues)
        index, candidates = self.index, self.candidates
        for m in self.probe.finditer(pad):
            at = m.start()
            winner = index[m.lastgroup]  # type: ignore[index]
            if starts[winner] < 0:
                starts[winner] = at
            two = pad[at + 1 : at + 3]
            for j, probe in candidates.get(two) or self.could_open(two):
                if starts[j] < 0 and probe.match(pad, at) is not None:
                    starts[j] = at
        for j, other in self.others:
            found = other.search(text)
            if found is not None and (starts[j] < 0 or found.start() < starts[j]):
                starts[j] = found.start()
        if not text.isascii():  # the probe may say yes where a non-ASCII letter is no boundary
            starts = [
                at if at >= 0 and cue._exact.search(text, at) is not None else -1
                for at, cue in zip(starts, self.cues, strict=True)
            ]
        return starts


# --- building the probes, once per process ----------------------------------------------------------------
# About a quarter of a second for all the cues: worth it for a batch or a server, not for grading one
# answer from the shell. So they are built by `prepare()`, which the batch paths and the service call, and
# which `analyze` calls by itself once a process has graded a few answers.

_PENDING: list[Cue | CueScan] = []
_PREPARED = threading.Event()
_LOCK = threading.RLock()
_USES = itertools.count()
_PREPARE_AFTER = 8  # answers graded before a process is taken to be grading in bulk


def _enlist(item: Cue | CueScan) -> None:
    with _LOCK:
        if _PREPARED.is_set():
            item._prepare()
        else:
            _PENDING.append(item)


def prepare() -> None:
    """Build every cue's probe and every scan now (idempotent; results never change, only speed)."""
    with _LOCK:
        if _PREPARED.is_set():
            return
        # Cues first: a scan is built from its cues' probes.
        for item in sorted(_PENDING, key=lambda x: isinstance(x, CueScan)):
            item._prepare()
        _PENDING.clear()
        _PREPARED.set()


def prepared() -> bool:
    return _PREPARED.is_set()


def note_use() -> None:
    """Called per graded answer: the first few run on the patterns alone, then the probes are built."""
    if not _PREPARED.is_set() and next(_USES) >= _PREPARE_AFTER:
        prepare()


def ci(pattern: str, flags: int = 0) -> Cue:
    """Compile a case-insensitive cue to run on `fold(text)`."""
    return Cue(ci_plain(pattern, flags))


def ci_plain(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """The same, without a probe: for patterns that only ever see a few characters."""
    return re.compile(_lower_pattern(pattern), flags & ~re.IGNORECASE)


# --- the probe -------------------------------------------------------------------------------------------
# Built on `re`'s own parser and compiler (stable since 3.11, private in name). Anything unexpected, and
# the cue simply runs without a probe: slower, never wrong. tests/test_cues.py checks probe and cue agree.

try:
    _parser: Any = importlib.import_module("re._parser")
    _compiler: Any = importlib.import_module("re._compiler")
    _c: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - Python < 3.11 is not supported anyway
    _parser = _compiler = _c = None

_WORD_ASCII = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
_MAX_STEPS = 5000
_FACTOR_FROM = 6  # alternatives in a nested alternation worth grouping
_COMMON_FIRST = "tasowicbphfmdrelngyuvkjqz"
_MAX_HEADS = 400


@functools.lru_cache(maxsize=256)
def _parsed(pattern: str, flags: int) -> Any:
    """A cue's parse tree, read (never changed) by every builder below: parse each pattern once."""
    return _parser.parse(pattern, flags)


class _GiveUp(Exception):
    pass


def _build_probes(rx: re.Pattern[str]) -> tuple[re.Pattern[str], re.Pattern[str] | None] | None:
    if _parser is None or rx.flags & (re.IGNORECASE | re.ASCII | re.LOCALE | re.VERBOSE):
        return None
    try:
        tree = _parsed(rx.pattern, rx.flags)
        state = tree.state
        budget = [_MAX_STEPS]
        lead = _leading_lookbehind(state, list(tree.data), rx.flags)
        if lead is not None:
            # `(?<![\\w.])X`: "one character outside the class, then X", on the padded text.
            before, after = lead
            _check_no_lookbehind(after)
            trie = _trie(state, _alternatives(after, budget, optional=True), budget)
            trie = _factored(state, trie, [_MAX_STEPS * 20])
            led: re.Pattern[str] = _compiler.compile(_parser.SubPattern(state, [before, *trie]), rx.flags)
            return led, None
        _check_no_lookbehind(tree.data)
        word_led, other = _word_led(tree, budget)
        if not word_led:
            return None
        factor_budget = [_MAX_STEPS * 20]
        led_trie = _factored(state, _trie(state, word_led, budget), factor_budget)
        probe = _compiler.compile(_parser.SubPattern(state, [_non_word(), *led_trie]), rx.flags)
        rest = (
            _compiler.compile(
                _parser.SubPattern(state, _factored(state, _trie(state, other, budget), factor_budget)),
                rx.flags,
            )
            if other
            else None
        )
        return probe, rest
    except (_GiveUp, RecursionError, ValueError, TypeError, AttributeError, re.error):
        return None


def _leading_lookbehind(state: Any, items: list[Any], flags: int) -> tuple[Any, list[Any]] | None:
    """A pattern that opens with a one-character negative lookbehind: the class of characters that may
    precede a match (every non-ASCII character included, so the probe over-approximates there), and the rest."""
    if not items or items[0][0] is not _c.ASSERT_NOT or items[0][1][0] != -1:
        return None
    look = items[0][1][1]
    if len(look.data) != 1 or look.data[0][0] not in (_c.IN, _c.LITERAL):
        return None
    excluded = _compiler.compile(_parser.SubPattern(state, list(look.data)), flags)
    if excluded.match(" "):
        return None  # the pad itself would be excluded: the start of the text could not be probed
    barred = [(_c.LITERAL, code) for code in range(128) if excluded.match(chr(code))]
    return (_c.IN, [(_c.NEGATE, None), *barred]), items[1:]


def _regrouped(rx: re.Pattern[str]) -> re.Pattern[str] | None:
    """The same pattern, matches and spans, with its alternatives grouped by first character.

    Only for a top-level alternation that mixes `\\b`-led and other alternatives (`re` factors a `\\b`
    common to all of them out by itself). Alternatives that begin with different characters can never
    match at the same place, so grouping them changes no match; within a group the order is kept. A
    `\\b` before a word character becomes "not preceded by a word character", checked just after it, so
    each group starts with a literal and `re` skips the groups that cannot start at a position.
    """
    if _parser is None or rx.flags & (re.IGNORECASE | re.ASCII | re.LOCALE | re.VERBOSE) or rx.groups:
        return None
    try:
        tree = _parsed(rx.pattern, rx.flags)
        data = list(tree.data)
        if not data or data[0][0] is not _c.BRANCH:
            return None
        state = tree.state
        alts = [list(alt.data) + data[1:] for alt in data[0][1][1]]
        regrouped: re.Pattern[str] = _compiler.compile(
            _parser.SubPattern(state, _trie(state, alts, [_MAX_STEPS], exact=True)), rx.flags
        )
        return regrouped
    except (_GiveUp, RecursionError, ValueError, TypeError, AttributeError, re.error):
        return None


def _word_probe(cue: Cue) -> bool:
    """Whether the cue's probe is the word-led kind (not one led by a lookbehind's class)."""
    if cue.rx.groups:
        return False
    try:
        return _leading_lookbehind(None, list(_parsed(cue.pattern, cue.rx.flags).data), 0) is None
    except (re.error, ValueError, TypeError, AttributeError):
        return False


def _build_scan(pattern: str) -> re.Pattern[str] | None:
    try:
        tree = _parser.parse(pattern, 0)
        _check_no_lookbehind(tree.data)
        state = tree.state
        budget = [_MAX_STEPS * 4]
        word_led, _ = _word_led(tree, budget)  # the rest each cue's own `other` probe answers
        trie = _factored(state, _trie(state, word_led, budget), [_MAX_STEPS * 80])
        ahead = (_c.ASSERT, (1, _parser.SubPattern(state, trie)))
        scan: re.Pattern[str] = _compiler.compile(_parser.SubPattern(state, [_non_word(), ahead]), 0)
        return scan
    except (_GiveUp, RecursionError, ValueError, TypeError, AttributeError, re.error):
        return None


def _openings(rx: re.Pattern[str]) -> frozenset[str] | None:
    """How a word-led match can open: two-character strings, or one character when the second is not a
    plain character (`I\\s+...` opens with "i"). None when not even the first is known."""
    try:
        budget = [_MAX_STEPS]
        out: set[str] = set()
        word_led, _ = _word_led(_parsed(rx.pattern, rx.flags), budget)  # the rest is not in the scan
        for option in word_led:
            heads = _heads(option, budget)
            if heads is None:
                return None
            for ch, tail in heads:
                seconds = _heads(tail, budget) if tail else None
                if seconds is None:
                    out.add(chr(ch))
                else:
                    out.update(chr(ch) + chr(second) for second, _ in seconds)
        return frozenset(out)
    except (_GiveUp, RecursionError, ValueError, TypeError, AttributeError, re.error):
        return None


def _may_open(openings: frozenset[str] | None, two: str) -> bool:
    return openings is None or two in openings or two[:1] in openings or not two.isascii()


def _word_led(tree: Any, budget: list[int]) -> tuple[list[list[Any]], list[list[Any]]]:
    """The pattern's alternatives split in two: those led by `\\b` (with the `\\b` taken off, their own
    leading alternations split too) and the others. _GiveUp when a `\\b`-led one may not start a word."""
    led: list[list[Any]] = []
    other: list[list[Any]] = []
    for alt in _alternatives(list(tree.data), budget):
        if alt and alt[0][0] is _c.AT and alt[0][1] is _c.AT_BOUNDARY:
            if not _starts_with_word(alt[1:], budget):
                raise _GiveUp
            led.extend(_alternatives(alt[1:], budget))
        else:
            other.append(alt)
    return led, other


def _non_word() -> tuple[Any, Any]:
    """One character that is not an ASCII word character: what a probe consumes for a `\\b`."""
    return (_c.IN, [(_c.NEGATE, None)] + [(_c.LITERAL, ord(ch)) for ch in _WORD_ASCII])


def _one_of(state: Any, alts: list[list[Any]], *, keep_order: bool = False) -> list[Any]:
    if len(alts) == 1:
        return list(alts[0])
    if any(not a for a in alts) and not keep_order:
        alts = [a for a in alts if a] + [[]]  # an empty alternative matches anywhere: try it last
    return [(_c.BRANCH, (None, [_parser.SubPattern(state, a) for a in alts]))]


def _check_no_lookbehind(items: Any) -> None:
    """The probe searches `" " + text`: anything that can look before the match start would see the pad."""
    for op, av in items:
        if op in (_c.ASSERT, _c.ASSERT_NOT) and av[0] < 0:
            raise _GiveUp
        if op is _c.AT and av not in (_c.AT_BOUNDARY, _c.AT_NON_BOUNDARY, _c.AT_END, _c.AT_END_STRING):
            raise _GiveUp
        if op is _c.GROUPREF or op is _c.GROUPREF_EXISTS:
            raise _GiveUp
        for sub in _children(op, av):
            _check_no_lookbehind(sub.data)


def _children(op: Any, av: Any) -> list[Any]:
    if op is _c.SUBPATTERN:
        return [av[3]]
    if op is _c.BRANCH:
        return list(av[1])
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        return [av[2]]
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return [av[1]]
    if op is _c.ATOMIC_GROUP:
        return [av]
    return []


def _alternatives(items: list[Any], budget: list[int], *, optional: bool = False) -> list[list[Any]]:
    """The pattern as a list of sequences, splitting its top-level alternation.

    Only existence matters to a probe, so priority between alternatives is irrelevant: "some alternative
    matches here" is what the original answers too.
    """
    _spend(budget)
    if not items:
        return [[]]
    op, av = items[0]
    rest = items[1:]
    if op is _c.SUBPATTERN and av[0] is None and not av[1] and not av[2]:
        return _alternatives(list(av[3].data) + rest, budget, optional=optional)
    if op is _c.BRANCH:
        out: list[list[Any]] = []
        for alt in av[1]:
            out.extend(_alternatives(list(alt.data) + rest, budget, optional=optional))
        return out
    if optional and op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] == 0 and av[1] == 1:
        # `x?y`: "xy" or "y", so that `y` can be grouped by its own first letters
        with_it = _alternatives(list(av[2].data) + rest, budget, optional=optional)
        return with_it + _alternatives(rest, budget, optional=optional)
    return [items]


def _heads(
    items: list[Any], budget: list[int], *, boundary: bool = False
) -> list[tuple[int, list[Any]]] | None:
    """(first character, the rest) for every way `items` can begin, in the order `re` tries them; None
    when a way does not begin with a plain character. `boundary`: take a leading `\\b` too, as a check
    just after the character (exact, for `_regrouped`)."""
    _spend(budget)
    if not items:
        return None
    op, av = items[0]
    rest = items[1:]
    if op is _c.LITERAL:
        return [(av, rest)]
    if boundary and op is _c.AT and av is _c.AT_BOUNDARY:
        heads = _heads(rest, budget, boundary=True)
        if heads is None or not all(ch < 128 and _is_word(ch) for ch, _ in heads):
            return None
        # "the character before is not a word character", which is `\\b` before a word character
        look = [(_c.IN, [(_c.CATEGORY, _c.CATEGORY_WORD)])]
        return [
            (ch, [(_c.ASSERT_NOT, (-1, _parser.SubPattern(None, [*look, (_c.LITERAL, ch)]))), *tail])
            for ch, tail in heads
        ]
    if op is _c.SUBPATTERN and av[0] is None and not av[1] and not av[2]:
        return _heads(list(av[3].data) + rest, budget, boundary=boundary)
    if op is _c.BRANCH or (op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] == 0 and av[1] == 1):
        if op is _c.BRANCH:
            options = [list(a.data) + rest for a in av[1]]
        else:  # `x?` tries x first; the lazy `x??` tries without it first
            options = [list(av[2].data) + rest, rest]
            if op is _c.MIN_REPEAT:
                options.reverse()
        out: list[tuple[int, list[Any]]] = []
        for option in options:
            heads = _heads(option, budget, boundary=boundary)
            if heads is None:
                return None
            out.extend(heads)
        return out if len(out) <= _MAX_HEADS else None
    if op is _c.IN or (op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1 and len(av[2].data) == 1):
        # `[a-z]+-vs-`: one head per letter, so even this alternative is tried only where it can start
        cls = av if op is _c.IN else av[2].data[0][1] if av[2].data[0][0] is _c.IN else None
        chars = _small_class(cls) if cls is not None else None
        if chars is None:
            return None
        if op is _c.IN:
            tail = rest
        else:
            lo, hi, body = av
            more = hi - 1 if hi != _c.MAXREPEAT else hi
            tail = [(op, (lo - 1, more, body)), *rest] if more else rest
        return [(ch, tail) for ch in chars]
    return None


def _small_class(av: Any) -> list[int] | None:
    """The characters of a class made of a few plain characters and ranges, or None."""
    chars: list[int] = []
    for op, arg in av:
        if op is _c.LITERAL:
            chars.append(arg)
        elif op is _c.RANGE:
            chars.extend(range(arg[0], arg[1] + 1))
        else:
            return None
    return chars if len(chars) <= 64 else None


def _trie(state: Any, alts: list[list[Any]], budget: list[int], *, exact: bool = False) -> list[Any]:
    """One alternation of `alts`, grouped by first character so `re` rules most of them out in one compare
    each (an alternative that starts with a literal is skipped without entering the matcher).

    `exact`: the same matches and spans as the alternation itself. Alternatives with different first
    characters never match at one place, so only the order within a group matters, and it is kept; a
    leading `\\b` is taken too (see `_heads`), and an alternative that has no first character gives up.
    Otherwise (probes) such an alternative is kept as it is, after the groups."""
    groups: dict[int, list[list[Any]]] = {}
    opaque: list[list[Any]] = []
    for alt in alts:
        heads = _heads(alt, budget, boundary=exact)
        if heads is None:
            if exact:
                raise _GiveUp
            opaque.append(alt)
            continue
        for ch, tail in heads:
            groups.setdefault(ch, []).append(tail)
    # `re` tries the groups in turn: the letters English words most often start with go first.
    order = sorted(groups, key=lambda ch: _COMMON_FIRST.find(chr(ch)) % len(_COMMON_FIRST))
    branches = [[(_c.LITERAL, ch), *_one_of(state, groups[ch], keep_order=exact)] for ch in order]
    return _one_of(state, branches + opaque, keep_order=exact)


def _factored(state: Any, items: list[Any], budget: list[int]) -> list[Any]:
    """`items` with every long alternation inside it grouped by first letter as well (`I (?:proposed|
    pushed|...)`: two hundred verbs tried one by one otherwise). For probes only: it may change which
    alternative matches, never whether one does."""
    _spend(budget)
    out: list[Any] = []
    for op, av in items:
        if op is _c.BRANCH:
            alts = [_factored(state, list(alt.data), budget) for alt in av[1]]
            if len(alts) >= _FACTOR_FROM:
                out.extend(_trie(state, alts, budget))
            else:
                out.append((op, (av[0], [_parser.SubPattern(state, a) for a in alts])))
        elif op is _c.SUBPATTERN:
            sub = _parser.SubPattern(state, _factored(state, list(av[3].data), budget))
            out.append((op, (av[0], av[1], av[2], sub)))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            body = _parser.SubPattern(state, _factored(state, list(av[2].data), budget))
            out.append((op, (av[0], av[1], body)))
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            out.append((op, (av[0], _parser.SubPattern(state, _factored(state, list(av[1].data), budget)))))
        else:
            out.append((op, av))
    return out


def _spend(budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise _GiveUp


def _starts_with_word(items: list[Any], budget: list[int]) -> bool:
    """Whether every match of `items` begins with an ASCII word character or a non-ASCII character."""
    _spend(budget)
    if not items:
        return False  # an empty match: `\b` would then depend on the character after
    op, av = items[0]
    rest = items[1:]
    if op is _c.LITERAL:
        return _is_word(av)
    if op is _c.IN:
        return _class_is_word(av)
    if op is _c.AT or (op is _c.ASSERT and av[0] > 0) or (op is _c.ASSERT_NOT and av[0] > 0):
        return _starts_with_word(rest, budget)
    if op is _c.SUBPATTERN:
        return _starts_with_word(list(av[3].data) + rest, budget)
    if op is _c.BRANCH:
        return all(_starts_with_word(list(alt.data) + rest, budget) for alt in av[1])
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        body = list(av[2].data)
        if av[0] >= 1:
            return _starts_with_word(body, budget)
        return _starts_with_word(body + rest, budget) and _starts_with_word(rest, budget)
    return False


def _is_word(code: int) -> bool:
    ch = chr(code)
    return ch.isalnum() or ch == "_"  # what `re` calls a word character, for `\b`


def _class_is_word(av: Any) -> bool:
    for op, arg in av:
        if op is _c.LITERAL:
            if not _is_word(arg):
                return False
        elif op is _c.RANGE:
            lo, hi = arg
            if hi > 127 or not all(_is_word(x) for x in range(lo, hi + 1)):
                return False
        elif op is _c.CATEGORY:
            if arg not in (_c.CATEGORY_WORD, _c.CATEGORY_DIGIT):
                return False
        else:
            return False  # NEGATE and the rest
    return True
