"""Merge the model's checked grade with the deterministic analysis into one Contract 2 grade.

Rules (the deterministic grade is `analyze()`'s; "checked" is the model's verdict after `verify.py`):

1. Verdict, per part: the checked verdict clamped to within one step of the deterministic verdict
   (order missing < partial < met). The model can move a part by one step either way, never two:
   model met / rubric missing -> partial; model missing / rubric met -> partial. A part the model
   failed on (`CheckedPart.unsupported`: its quotes were made up, missing, or do not bear the verdict
   out) moves nothing: the rubric's verdict and evidence stand, so a model that cannot quote degrades
   the grade only to the rubric's, never below it.
2. Injection: when the deterministic analysis flags `signals.injection_suspected` (the answer
   addresses the grader), the final verdict is also capped at the deterministic verdict: the model
   can lower a part, never raise it, so text aimed at the grader cannot lift a grade.
   Likewise, when it finds the answer off the question (`signals.off_topic`: a story about something
   else; `signals.no_example`: no event told; `signals.outside_work`: a story from home or a hobby), no
   part is met, whoever reads it (held at partial).
3. Level: `level_from_verdicts` of the six final verdicts.
4. Trap and signals: the deterministic ones, unchanged.
5. Pushbacks, recomputed from the final verdicts with `analyze()`'s rules: tradeoff not met ->
   ask_tradeoff; action not met -> ask_first_person; result not met -> ask_number; result met with
   no number source in the answer -> ask_number_source (the same check `analyze()` makes, so a
   deterministic ask_number_source on a met result is kept); driver not met -> ask_driver;
   reflection not met -> ask_reflection. Kept from the deterministic grade when present:
   trim_situation, the archetype's trap code, ask_different_story. Sorted by
   `catalog.rubric.pushback_order` (`analyze.ordered`), the speaker's part kept ahead of the trap code
   where the deterministic grade put it there.
6. Evidence, per part: the model's verified quotes; when none survived, the deterministic evidence.
   Every quote is `answer[start:end]` either way.
7. Note, per part: the model's reasoning cut to ~200 characters, then in brackets what the checks
   and these rules changed ("downgraded: quote not found", "clamped to partial ...").
8. Grader: the model's name.
"""

from __future__ import annotations

from service.catalog import PART_IDS, Catalog
from service.grading.verify import CheckedPart
from service.rubric.analyze import ordered, why_held
from service.rubric.models import Grade, PartGrade, Verdict, level_from_verdicts

NOTE_CHARS = 200
_RANK: dict[Verdict, int] = {"missing": 0, "partial": 1, "met": 2}
_BY_RANK: tuple[Verdict, ...] = ("missing", "partial", "met")
_NOT_MET_CODE = {
    "tradeoff": "ask_tradeoff",
    "action": "ask_first_person",
    "result": "ask_number",
    "driver": "ask_driver",
    "reflection": "ask_reflection",
}
_KEPT = ("trim_situation", "ask_different_story")


def final_verdict(model: Verdict, rubric: Verdict, *, injection: bool) -> tuple[Verdict, str | None]:
    """Rules 1 and 2: the final verdict, and a remark when the model's verdict was not kept."""
    rank = min(max(_RANK[model], _RANK[rubric] - 1), _RANK[rubric] + 1)
    if injection:
        rank = min(rank, _RANK[rubric])
    verdict = _BY_RANK[rank]
    if verdict == model:
        return verdict, None
    if injection and _RANK[model] > _RANK[rubric]:
        return verdict, f"capped at the rubric's {rubric}: the answer addresses the grader"
    return verdict, f"clamped to {verdict}: within one step of the rubric's {rubric}"


def _note(reasoning: str, remarks: list[str]) -> str:
    text = " ".join(reasoning.split())
    if len(text) > NOTE_CHARS:
        text = text[: NOTE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    if remarks:
        text = f"{text} ({'; '.join(remarks)})".strip()
    return text


def pushbacks(
    verdicts: dict[str, Verdict], base: Grade, *, number_sourced: bool, catalog: Catalog
) -> list[str]:
    """Rule 5."""
    codes = {code for part, code in _NOT_MET_CODE.items() if verdicts[part] != "met"}
    if verdicts["result"] == "met" and not number_sourced:
        codes.add("ask_number_source")
    codes.update(code for code in base.pushbacks if code in _KEPT)
    if base.trap and base.trap.hit and base.trap.code in base.pushbacks:
        codes.add(base.trap.code)
    trap = base.trap.code if base.trap else None
    # The rubric's order stands where it put the speaker's part before the trap (analyze.ordered). The
    # rule reads the rubric's own action verdict, so where the rubric had no ask_first_person and the
    # model's verdict adds one, the catalog's order decides.
    first = base.pushbacks.index("ask_first_person") if "ask_first_person" in base.pushbacks else None
    speaker_before = trap if first is not None and trap in base.pushbacks[first:] else None
    return ordered(codes, catalog, speaker_before=speaker_before)


def _held(base: Grade, catalog: Catalog) -> str | None:
    s = base.signals
    return why_held(catalog, base.archetype, s.held, s.off_topic) if s.held else None


def merge(
    checked: dict[str, CheckedPart],
    base: Grade,
    *,
    grader: str,
    number_sourced: bool,
    catalog: Catalog,
) -> Grade:
    """`number_sourced`: the answer says where its numbers came from (`detectors.has_number_source`)."""
    injection = base.signals.injection_suspected
    held = _held(base, catalog)
    parts: dict[str, PartGrade] = {}
    for part_id in PART_IDS:
        mine, theirs = checked[part_id], base.parts[part_id]
        remark: str | None
        if mine.unsupported:
            verdict, remark = theirs.verdict, f"the rubric's {theirs.verdict} stands"
        else:
            verdict, remark = final_verdict(mine.verdict, theirs.verdict, injection=injection)
        if held and verdict == "met":
            verdict, remark = "partial", f"held at partial: {held}"
        remarks = mine.remarks + ([remark] if remark else [])
        evidence = (theirs.evidence if mine.unsupported else mine.evidence) or theirs.evidence
        if evidence is theirs.evidence and theirs.evidence:
            remarks.append("evidence from the rubric")
        parts[part_id] = PartGrade(verdict=verdict, evidence=evidence, note=_note(mine.reasoning, remarks))
    verdicts = {part_id: p.verdict for part_id, p in parts.items()}
    return Grade(
        archetype=base.archetype,
        parts=parts,
        level=level_from_verdicts(tuple(verdicts.values())),
        trap=base.trap,
        pushbacks=pushbacks(verdicts, base, number_sourced=number_sourced, catalog=catalog),
        signals=base.signals,
        grader=grader,
    )
