"""Split an answer into the six STAR-DRIVE parts.

Explicit labels win ("(S)" after a segment as the seed writes them, "Situation:" / "Trade-off —" / "S:"
before one). Otherwise each sentence is placed by its cues; spoken answers ramble and come out of order,
so a sentence with no cue of its own continues the part before it.
"""

from __future__ import annotations

from service.rubric import lexicon as lx
from service.rubric.fold import CueScan, ci
from service.rubric.numbers import find_quantities
from service.rubric.text import Sentence, split_sentences

_SETUP_CUE = ci(
    r"^(?:\W*)(?:context|background|the story|here['’]?s the story|some background|so the context)\b"
)
_ROLE_VERB = ("championed", "led", "owned", "ran", "managed", "had been", "was")


def _flags(s: Sentence) -> dict[str, bool]:
    has = s.has  # most of these the sentence's scan has answered already
    i_action = s.hits(lx.I_ACTION)
    role_only = bool(i_action) and all(any(v in m.group().split() for v in _ROLE_VERB) for m in i_action)
    result_cue = has(lx.RESULT_CUE)
    return {
        "reflection": has(lx.REFLECTION_CUE),
        "tradeoff": has(lx.TRADEOFF_WORD) or has(lx.TWO_SIDED) or has(lx.GENERIC_TRADEOFF),
        "structure": has(lx.STRUCTURE) and has(lx.LASTING),
        "consequence": has(lx.CONSEQUENCE),
        "result": has(lx.VAGUE_RESULT)
        or (result_cue and any(q.kind in ("measure", "duration") for q in s.quantities)),
        "result_cue": result_cue,
        "action": bool(i_action and not role_only) or has(lx.OTHERS_ACTION),
        "role": role_only,
        "hypothetical": has(lx.HYPOTHETICAL),
    }


def _labels(sentences: list[Sentence]) -> list[tuple[int, str, str]]:
    """(sentence index, part, style) for every explicit label."""
    found: list[tuple[int, str, str]] = []
    for i, s in enumerate(sentences):
        m = lx.SUFFIX_LABEL.match(s.text)
        if m:
            found.append((i, lx.LETTER_PARTS[m.group(1).upper()], "suffix"))
            continue
        m = lx.PREFIX_LABEL.match(s.text)
        if m:
            if m.group("letter"):
                found.append((i, lx.LETTER_PARTS[m.group("letter").upper()], "prefix"))
            else:
                name = m.group("name").lower()
                part = next(v for k, v in lx.LABEL_NAMES.items() if name.startswith(k))
                found.append((i, part, "prefix"))
    return found


def _apply_labels(sentences: list[Sentence], labels: list[tuple[int, str, str]]) -> None:
    suffix = [lab for lab in labels if lab[2] == "suffix"]
    if suffix and suffix[0][0] > 0:
        prev = 0
        for idx, part, _ in suffix:
            for s in sentences[prev:idx]:
                if s.part != "injection":
                    s.part = part
            sentences[idx].part = "label"
            prev = idx + 1
        for s in sentences[prev:]:
            if s.part != "injection":
                s.part = "other"
        return
    current = "situation"
    by_index = {idx: part for idx, part, _ in labels}
    for i, s in enumerate(sentences):
        if i in by_index:
            current = by_index[i]
            if lx.SUFFIX_LABEL.match(s.text):
                s.part = "label"
                continue
        if s.part != "injection":
            s.part = current


def _classify(sentences: list[Sentence]) -> None:
    leading = True
    previous = "situation"
    for i, s in enumerate(sentences):
        if s.part == "injection":
            continue
        f = s.flags
        if _SETUP_CUE.match(s.low):
            s.part = previous = "situation"
            leading = True
            continue
        if f["reflection"]:
            part = "reflection"
        elif f["structure"] and not leading:
            part = "driver"
        elif f["tradeoff"]:
            part = "tradeoff"
        elif f["result"] and (not leading or i > 0):
            part = "result"
        elif f["action"]:
            part = "action"
        elif f["consequence"] and not leading and previous in ("result", "driver", "action"):
            part = "driver"
        elif f["result"] and previous != "situation":
            part = "result"
        elif leading:
            part = "situation"
        else:
            part = previous
        if leading and part not in ("situation", "reflection"):
            leading = False
        s.part = part
        previous = part


# Every sentence is asked about these: one scan answers them all (see `CueScan`).
_EVERY_SENTENCE = CueScan(
    lx.INJECTION,
    lx.I_ACTION,
    lx.RESULT_CUE,
    lx.REFLECTION_CUE,
    lx.TRADEOFF_WORD,
    lx.TWO_SIDED,
    lx.GENERIC_TRADEOFF,
    lx.STRUCTURE,
    lx.CONSEQUENCE,
    lx.VAGUE_RESULT,
    lx.OTHERS_ACTION,
    lx.HYPOTHETICAL,
    lx.MINOR_DEED,
    lx.PASSIVE_DECISION,
    lx.I_MINOR,
    lx.NUMBER_SOURCE,
)


def segment(answer: str) -> list[Sentence]:
    sentences = split_sentences(answer)
    for s in sentences:
        s.settle(_EVERY_SENTENCE)
        if s.has(lx.INJECTION):
            s.part = "injection"
        s.quantities = find_quantities(s.text, s.start, s.low)
        s.flags = _flags(s)
    labels = _labels(sentences)
    if len({part for _, part, _ in labels}) >= 2 or any(style == "suffix" for _, _, style in labels):
        _apply_labels(sentences, labels)
    else:
        _classify(sentences)
    return sentences
