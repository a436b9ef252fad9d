"""Deterministic STAR-DRIVE analysis: sentence reading (a shipped classifier), verdicts, level. No I/O."""

from service.rubric.analyze import analyze, project_fingerprint, tells_a_story
from service.rubric.models import Evidence, Grade, PartGrade, Signals, TrapResult, level_from_verdicts
from service.rubric.segment import prepare

__all__ = [
    "Evidence",
    "Grade",
    "PartGrade",
    "Signals",
    "TrapResult",
    "analyze",
    "level_from_verdicts",
    "prepare",
    "project_fingerprint",
    "tells_a_story",
]
