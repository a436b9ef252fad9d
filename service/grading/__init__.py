"""The evidence-verified LLM grader: prompt -> structured output -> quote verification -> merge.

`grade_answer` is the one entry point; `PROMPT_VERSION` keys eval cassettes; `GRADER_SCHEMA` is the
JSON schema handed to the model (built from `GraderOutput`).
"""

from service.grading.grader import GradeOutcome, grade_answer
from service.grading.prompt import PROMPT_VERSION
from service.grading.schema import GRADER_SCHEMA, GraderOutput

__all__ = ["GRADER_SCHEMA", "PROMPT_VERSION", "GradeOutcome", "GraderOutput", "grade_answer"]
