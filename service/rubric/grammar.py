"""What can be read off a sentence exactly: who is its subject, and its mood.

These are grammar, not meaning: the speaker's "I" against "we / the team / someone else", a
subjectless bullet ("- Proposed a shadow eval", written by the speaker), and the conditional mood of a
look back ("I'd have ...", "should have ..."). The sentence classifier reads them as features; the
action verdict uses the subject directly.
"""

from __future__ import annotations

import re
from typing import Literal

Subject = Literal["i", "we", "other", "none"]

_LEAD = re.compile(
    r"^(?:\s|[-*•·–—>#]|\d+[.)]|\([A-Za-z]\)|[A-Za-z][\w -]{0,20}:(?=\s)|"
    r"(?:so|um+|uh+|er+|erm|well|yeah|yes|okay|ok|like|basically|honestly|anyway|and|but|then|also|"
    r"actually|right|look|now|first|second|finally|you know|i mean)\b[,.]?)+",
    re.IGNORECASE,
)
_I = re.compile(r"\bI\b|\bI['’](?:d|ve|ll|m)\b")
_WE = re.compile(
    r"\b(?:we|us|our|ours|ourselves|they|the team|my team|leadership|management|my (?:manager|boss|lead|director|vp)|"
    r"the (?:manager|lead|director|vp|pm|company|org|group|committee|board))\b",
    re.IGNORECASE,
)
_I_SUBJECT = re.compile(
    r"(?:^|[,;:]\s*|\b(?:and|then|so|but|when|after|before|until|because)\s+)I\b(?!['’]d\b)"
)
# Whoever acts besides the speaker: a group, or someone by their role (`_WE_SUBJECT` reads the same).
_GROUPS = "leadership|management"
_ROLES = "manager|boss|lead|director|vp|pm|ceo|cto"
# "I" after a fronted adverbial ("Over the holiday I rebuilt the sampler", "After a quarter I paused it"):
# the opener is a preposition or a time adverb, a closed class, then a phrase of one to six words, then
# the first "I" of the sentence. A pronoun, a group that acts ("leadership", "the team") or a "that" /
# "whether" in the phrase makes it a clause of someone else's ("During the review she said I ...");
# with no phrase, the opener is a conjunction and its "I" a subordinate clause's ("Since I joined, we
# ..."). (Reading "we" after an opener the same way measured no better: leave-one-writer-out level .812
# -> .809.)
_OTHERS = (
    r"we|they|he|she|it|someone|somebody|nobody|no one|everyone|everybody|anyone|that|whether|if|who|"
    rf"which|team|{_GROUPS}|{_ROLES}"
)
_FRONTED = re.compile(
    r"^(?i:on|in|at|over|during|after|before|within|by|for|from|across|around|through|throughout|under|"
    r"with|without|since|last|next|early|late|later|once|eventually|finally|soon|afterwards|meanwhile)\b"
    rf"(?:\s+(?!(?i:{_OTHERS})\b)(?!I\b)[^\s,;:.!?]+){{1,6}}?\s+I\b(?!['’]d\b)"
)
_WE_SUBJECT = re.compile(
    r"(?:^|[,;:]\s*|\b(?:and|then|so|but|when|after|before|until|because)\s+)"
    rf"(?P<who>we|they|the team|my team|{_GROUPS}|(?:my|our|the) (?:{_ROLES}))\b",
    re.IGNORECASE,
)
# A line that opens on a past-tense verb has the speaker as its subject ("Proposed ...", "Ran ...").
_IRREGULAR = frozenset(
    [
        "ran",
        "wrote",
        "built",
        "took",
        "made",
        "led",
        "drove",
        "set",
        "brought",
        "sent",
        "got",
        "gave",
        "told",
        "met",
        "held",
        "kept",
        "found",
        "chose",
        "put",
        "cut",
        "went",
        "spoke",
        "began",
        "shut",
        "sat",
        "stood",
        "won",
        "hid",
        "rewrote",
        "rebuilt",
        "undertook",
        "withdrew",
        "overrode",
        "split",
        "paid",
        "sold",
        "fought",
        "taught",
        "sought",
        "caught",
        "thought",
        "bought",
        "left",
        "lost",
        "read",
    ]
)
_AUXILIARY = frozenset(["have", "had", "did", "got"])  # "- Have decided to stop it", "- Got the VP in"
_CONDITIONAL = re.compile(
    r"\b(?:would|should|could)(?:\s+(?:have|'ve))?\b|\bI['’]d\b|\bwe['’]d\b|\bif\s+I\b|\bnext time\b|"
    r"\bin hindsight\b|\blooking back\b|\bagain\b",
    re.IGNORECASE,
)


# Who a sentence speaks to and about. A story is told about the work; a line that speaks to "you",
# talks about the answer itself, or is markup / field syntax is addressed to whoever reads or grades it.
_SECOND_PERSON = re.compile(r"\byou(?:r|rs|rself)?\b(?!\s+(?:know|see|guys)\b)", re.IGNORECASE)
_SELF_REFERENCE = re.compile(
    r"\b(?:this|the above|the following|my|the candidate'?s?)\s+(?:answer|response|transcript|story|reply|submission|"
    r"interview|text|output)\b|\bthe candidate\b|\b(?:above|below) (?:answer|response)\b",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"</?[A-Za-z][\w-]*>|<!--|-->|\b[a-z]+_[a-z_]+\s*[:=]|^\s*[{\[]")


def addressing(text: str) -> tuple[bool, bool, bool]:
    """(speaks to "you", talks about the answer itself, is markup or field syntax)."""
    return (
        _SECOND_PERSON.search(text) is not None,
        _SELF_REFERENCE.search(text) is not None,
        _MARKUP.search(text) is not None,
    )


def body(text: str) -> str:
    """The sentence without bullet marks, heading labels and spoken fillers at its start."""
    m = _LEAD.match(text)
    return text[m.end() :] if m else text


def subject(text: str) -> Subject:
    """Who the sentence's first clause is about doing something."""
    rest = body(text)
    if _FRONTED.match(rest):
        return "i"
    i_at = _I_SUBJECT.search(rest)
    we_at = _WE_SUBJECT.search(rest)
    if i_at and (not we_at or i_at.start() <= we_at.start()):
        return "i"
    first = re.match(r"[A-Za-z]+", rest)
    # A line that opens on a past-tense verb is the speaker's, whoever a clause joined to it later is about
    # ("Stopped it on my own, before my manager raised it"); after a bare comma the other subject is the
    # main clause's, the verb a participle's ("Pressed for time, we skipped the canary").
    joined = we_at is not None and we_at.start() > 0 and rest[we_at.start()] not in ",;:"
    if first and _past_verb(first.group()) and (we_at is None or joined):
        return "i"
    if we_at:
        return "we"
    return "none" if not first else "other"


_SPEAKERS_TEAM = frozenset({"we", "the team", "my team"})


_FIRST_PERSON = re.compile(r"\b(?:I|me|my|mine|myself)\b")
_WITH_ME = re.compile(r"\b(?:and|&)\s+I\b|\bI\s+and\b")


def someone_else(text: str) -> bool:
    """The first clause's subject is neither the speaker nor a team the speaker is in: someone by their
    role ("our VP", "leadership", "they") or by name. A sentence of no clear subject that names the
    speaker ("Stopping it was my call", "Ultimately I pulled the plug") is not someone else's, nor one the
    speaker shares ("My manager and I decided")."""
    who = subject(text)
    if who == "other":
        return _FIRST_PERSON.search(text) is None
    if who != "we" or _WITH_ME.search(text):
        return False
    m = _WE_SUBJECT.search(body(text))
    return m is not None and m.group("who").lower() not in _SPEAKERS_TEAM


def _past_verb(word: str) -> bool:
    w = word.lower()
    if w in _AUXILIARY:
        return True
    return (len(w) > 3 and w.endswith("ed") and w not in {"need", "speed", "feed", "seed", "indeed"}) or (
        w in _IRREGULAR
    )


_I_VERB = re.compile(
    r"\b[Ii]\s+(?:(?:[a-z]+ly|also|then|just|still|only|first|later|even|never|once|soon)\s+)?([A-Za-z]+)"
)
# What frames a sentence as imagined, whatever its tense: "If I ran the launch", "Say I ran a canary".
_IMAGINED = re.compile(
    r"\bif\s+I\b|^(?:so,?\s+)?(?:say|imagine|suppose|picture|let['’]s say)\b", re.IGNORECASE
)


def told_past(text: str) -> bool:
    """The speaker tells what they did or were, in the past ("I paged the vendor", "I was paged twice",
    "- Pulled the logs"): something that happened, which an imagined case or a habit never says."""
    rest = body(text)
    if _IMAGINED.search(rest):
        return False
    first = re.match(r"[A-Za-z]+", rest)
    if (
        first
        and first.group().lower() not in _AUXILIARY
        and subject(text) == "i"
        and _past_verb(first.group())
    ):
        return True  # a subjectless bullet opening on its deed
    for m in _I_VERB.finditer(rest):
        verb = m.group(1).lower()
        if verb == "was" or (verb not in ("have", "used") and _past_verb(verb)):
            return True
    return False


def counts(text: str) -> tuple[int, int]:
    """How often the speaker ("I", "me") and others ("we", "the team", "my manager") appear."""
    return len(_I.findall(text)), len(_WE.findall(text))


# The speaker as subject of a modal or a habit: what they would, will or always do is no deed of the
# story ("I would start by asking", "I'll make sure", "I usually keep my head down"). "I'd" is "I had"
# before a past participle ("I'd already shipped") and "I would" otherwise.
_WOULD = re.compile(
    r"\bI\s+(?:would|will|should|could|might|can|must)\b|\bI['’]ll\b|"
    r"\bI\s+(?:always|usually|generally|normally|typically|tend to)\b|\bI['’]d\s+([A-Za-z]+)",
    re.IGNORECASE,
)
_HAD_NEXT = frozenset(["been", "done", "had", "already", "just", "never", "gone", "seen", "made", "built"])


def hypothetical(text: str) -> bool:
    """The sentence's speaker-subject does something in a mood other than the told past or present."""
    rest = body(text)
    m = _WOULD.search(rest)
    first = _I_SUBJECT.search(rest)
    if m is None or (first is not None and first.start() < m.start()):  # a deed told first, then a mood
        return False
    after = m.group(1)
    return after is None or not (after.lower() in _HAD_NEXT or _past_verb(after))


def conditional(text: str) -> bool:
    return _CONDITIONAL.search(text) is not None


# The words that make a clause a condition: what would change one's mind is said as one.
_CONDITION = re.compile(
    r"\b(?:if|unless|should|once|until|provided|whenever|otherwise|as soon as|as long as|the moment)\b|"
    r"\b(?:I|we)\s+(?:would|will)\b|\b(?:I|we)['’](?:d|ll)\b",
    re.IGNORECASE,
)


def states_condition(text: str) -> bool:
    """The sentence sets a condition ("if the gap stayed above 2 points, I'd switch"; "we'd revert
    should latency pass 200 ms")."""
    return _CONDITION.search(text) is not None


# "myself" after these is their object ("I limited myself to questions", "kept it to myself"), not the
# emphatic "I wrote it myself"; so is any "myself" right after the speaker's verb ("I put myself ...").
_REFLEXIVE_OBJECT = re.compile(
    r"(?:made|make|forced|force|reminded|remind|asked|ask|told|tell|let|kept|keep|caught|pushed|push|"
    r"stopped|stop|allowed|allow|limited|limit|restricted|restrict|found|taught|teach|to|for|about|of|"
    r"with|than|like|as)",
    re.IGNORECASE,
)
_MYSELF = re.compile(
    r"\b(?:(by)\s+)?myself\b|\bon my own\b(?!\s+(?!(?:and|but|so|or|over|in|for|to|with|after|before|during|while|within|at|on|by|because|since|that|this|then)\b)[a-z])",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[A-Za-z']+")
# What one held back from doing oneself is the way out, not the trap ("Instead of fixing it myself").
_HELD_BACK = re.compile(
    r"\b(?:not|never|instead of|rather than|without|tempted|urge|wanted to|resist\w*|avoid\w*|refrain\w*)\b|n['’]t\b",
    re.IGNORECASE,
)


def done_alone(text: str) -> bool:
    """The speaker did it themselves ("I rewrote the harness myself", "- Tuned it on my own"): the
    speaker is the subject, the mood is not conditional (`conditional`: would, could, if I ...), nothing
    was held back ("instead of fixing it myself"), and "myself" is emphatic."""
    if subject(text) != "i" or conditional(text) or _HELD_BACK.search(text):
        return False
    for m in _MYSELF.finditer(text):
        if m.group(1) or m.group().lower().startswith("on"):
            return True
        before = _WORDS.findall(text[: m.start()])
        if not before or _REFLEXIVE_OBJECT.fullmatch(before[-1]):
            continue
        if len(before) >= 2 and before[-2] == "I":
            continue  # "I <verb> myself": the verb's object
        return True
    return False
