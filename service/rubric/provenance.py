"""Whether the candidate says where a number came from: the grade asks "where did that number come from?"
(`ask_number_source`) only of a figure nobody sourced, and a follow-up that names its source closes it.

Judged by the sentence's structure, not by stock phrases: the figure attributed to the kind of thing a
figure is read off (an eval set, a dashboard, logs, a tracker, an audit, a bill, a report) by a link
("came from", "measured on", "according to"), a preposition ("per the tracker", "on the quality
dashboard", "by support's count", "(finance cost report)"), or the instrument speaking ("the audit
found"); or an experimental design on its own (an A/B test, a holdout, a control group). A figure set as
a condition ("if recall falls 2 points in the canary, I revert") is a plan, not a reported figure. "It was
roughly that" or "trust me" has none of these, however it is worded.

Chosen on the training corpus's sentences (prompts/, labelled `source`), then measured on the labelled
cases, whose answers it never saw (`bench/sources.py`): of the training sentences with a figure it finds
.92 of the sourced ones at precision .78 (the link-only rule before it found .29); on cases whose result
is met it asks exactly when the labels do in .91 in-sample and .91 held-out, where the sentence
classifier's `source` reading, which decided before, managed .70 and .68.
"""

from __future__ import annotations

import re

_LINK = re.compile(
    r"\b(?:c[oa]mes?\s+from|(?:is|are|was|were|['’]s)\s+(?:all\s+)?(?:from|off)|measured|counted|computed|calculated|"
    r"tracked|logged|recorded|according\s+to|based\s+on|sourced|pulled\s+from|read\s+(?:off|from)|"
    r"taken\s+from|reported\s+(?:by|in)|shows?\s+up\s+in)\b",
    re.IGNORECASE,
)
_THING = (
    r"(?:(?:eval(?:uation)?|test|held[- ]out|holdout|golden|benchmark|validation)\s+(?:set|suite|run)s?|"
    r"eval(?:uation)?s?|benchmarks?|dashboards?|logs?|telemetry|analytics|metrics|"
    r"audits?|trackers?|tracking|survey(?:s|ed)?|experiments?|tests?|suite|billing|bills?|invoices?|ledger|"
    r"postmortems?|timelines?|samples?|cohorts?|replays?|consoles?|"
    r"monitoring|traces?|query\s+logs?|spreadsheets?|sheets?|reports?|reporting|data(?:set|base)?|labels?|"
    r"annotat\w+|measurements?|counts?|numbers|figures|records?|statements?)"
)
_INSTRUMENT = re.compile(rf"\b{_THING}\b", re.IGNORECASE)
# A figure attributed to where it was read: "per the tracker", "on the quality dashboard", "by support's
# count", "from the finance report", "in their own audit sample".
_ATTRIBUTED = re.compile(
    rf"\b(?:per|by|on|in|from|off|via|using|through)\s+(?:[\w'’/-]+\s+){{0,4}}?{_THING}\b", re.IGNORECASE
)
# The instrument as the speaker of the figure: "the audit found", "finance's close showed".
# "(finance cost report)", "going by the search funnel", "per the account team", "measured in the system".
_ASIDE = re.compile(
    rf"\([^)]*\b{_THING}\b|\bgoing\s+by\b|\bper\s+(?:the|our|their|his|her|[A-Z]\w+)\b|"
    r"\bmeasured\s+(?:on|in|by|against|with|over)\b",
)
_SAYS = re.compile(
    rf"\b{_THING}\s+(?:[\w'’-]+\s+){{0,3}}?(?:showed|shows|found|finds|put|puts|said|says|had|came\s+in)\b",
    re.IGNORECASE,
)
_DESIGN = re.compile(
    r"\b(?:a/?b(?:\s+tests?)?|holdout|held[- ]out|control\s+(?:group|arm)|randomi[sz]ed|canary|"
    r"shadow\s+(?:traffic|mode)|backtest\w*|interleav\w+)\b",
    re.IGNORECASE,
)
# A figure set as a condition to act on ("if recall falls 2 points in the canary, I revert") or a plan is
# not a figure reported from anywhere.
_CONDITION = re.compile(r"\b(?:if|unless|would|I['’]d|we['’]d|until)\b", re.IGNORECASE)
# Sentences end at a stop before a space or a line break (so "0.8" and "p95." stay whole).
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n")
_LABELLED = re.compile(r"\bsource[sd]?\s*:", re.IGNORECASE)  # "(Source: the finance report.)"
# A figure, or a word for one ("that number"), in the sentence.
_FIGURE = re.compile(r"\d|\b(?:numbers?|figures?|percent|half|double|twice|a\s+third)\b", re.IGNORECASE)


def sourced(text: str) -> bool:
    """Some sentence of `text` says where a figure came from."""
    for s in _SENTENCE.split(text):
        if _CONDITION.search(s):
            continue
        # A preposition or an aside names a source only beside a figure: "my job on annotation
        # tooling" names a job, "errors fell 40% on the annotation audit" a source.
        figure = _FIGURE.search(s) is not None
        if (
            _DESIGN.search(s)
            or _LABELLED.search(s)
            or (_LINK.search(s) and _INSTRUMENT.search(s))
            or (figure and (_ATTRIBUTED.search(s) or _SAYS.search(s) or _ASIDE.search(s)))
        ):
            return True
    return False
