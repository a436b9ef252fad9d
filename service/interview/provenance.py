"""Whether the candidate says where a number came from: the interviewer does not ask "where did that number
come from?" of a figure already sourced, and a follow-up that names its source closes the question.

Judged by the sentence's structure, not by stock phrases: a link from the figure to its origin ("came
from", "measured on", "according to") together with the kind of thing a figure is read off (an eval set,
a dashboard, logs, a test, an audit, billing data), or an experimental design on its own (an A/B test, a
holdout, a control group). "It was roughly that" or "trust me" has neither, however it is worded.
"""

from __future__ import annotations

import re

_LINK = re.compile(
    r"\b(?:c[oa]mes?\s+from|(?:is|are|was|were)\s+(?:all\s+)?from|measured|counted|computed|calculated|"
    r"tracked|logged|recorded|according\s+to|based\s+on|sourced|pulled\s+from|read\s+(?:off|from)|"
    r"taken\s+from|reported\s+(?:by|in)|shows?\s+up\s+in)\b",
    re.IGNORECASE,
)
_INSTRUMENT = re.compile(
    r"\b(?:(?:eval(?:uation)?|test|held[- ]out|holdout|golden|benchmark|validation)\s+(?:set|suite|run)s?|"
    r"eval(?:uation)?s?|benchmarks?|dashboards?|logs?|telemetry|analytics|metrics\s+(?:store|pipeline|system)|"
    r"audits?|trackers?|survey(?:s|ed)?|experiments?|tests?|suite|billing|invoices?|ledger|finance\s+report|"
    r"postmortems?|timelines?|pager\s+data|incident\s+(?:log|record)s?|samples?|cohorts?|replays?|"
    r"monitoring|traces?|queries|query\s+logs?|spreadsheet|report(?:ing)?|data(?:set|base)?|labels?|"
    r"annotat\w+|measurements?)\b",
    re.IGNORECASE,
)
# A design that is a source by itself: the figure is a comparison someone set up.
_DESIGN = re.compile(
    r"\b(?:a/?b(?:\s+tests?)?|holdout|held[- ]out|control\s+(?:group|arm)|randomi[sz]ed|canary|"
    r"shadow\s+(?:traffic|mode)|backtest\w*|interleav\w+)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]+")


def sourced(text: str) -> bool:
    """Some sentence of `text` says where a figure came from."""
    for m in _SENTENCE.finditer(text):
        s = m.group()
        if _DESIGN.search(s) or (_LINK.search(s) and _INSTRUMENT.search(s)):
            return True
    return False
