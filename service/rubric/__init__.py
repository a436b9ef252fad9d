"""Deterministic STAR-DRIVE analysis: segmenting, detectors, verdicts, level. Pure logic, no I/O."""

from service.rubric.analyze import analyze, project_fingerprint
from service.rubric.fold import prepare
from service.rubric.models import Evidence, Grade, PartGrade, Signals, TrapResult, level_from_verdicts

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
]
