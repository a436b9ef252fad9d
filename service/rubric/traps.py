"""Each archetype's downlevel trap (the seed's table), as a yes/no with the sentence that shows it."""

from __future__ import annotations

import re
from collections.abc import Callable

from service.rubric.detectors import Context
from service.rubric.fold import Cue, ci
from service.rubric.models import Evidence, TrapResult

IC = re.IGNORECASE

_UPDATE_CONDITIONS = ci(
    r"\b(?:I(?:['’]d| would)(?: have)? (?:change|update|revisit|reverse|reconsider|switch|flip|back down|concede|"
    r"drop|walk back)|(?:change|update|revisit|reverse|reconsider) (?:my|our|the) (?:view|mind|position|call|"
    r"decision)|conditions? (?:under which|for)|if (?:the )?(?:data|numbers?|metrics?|results?|evals?|benchmarks?|"
    r"experiment|a/b test|latency|load test|pilot)\b.{0,80}\b(?:showed|shown|came back|had|dropped|regressed|"
    r"exceeded|missed)|kill (?:criteria|switch)|exit criteria|tripwires?|revisit (?:it|the decision)|"
    r"agreed to revisit|would have been wrong|I was wrong|proved me wrong|if I(?:['’]m| was| am) wrong|"
    r"what would change my mind|change my mind|falsif\w+|checkpoint|rollback (?:plan|criteria|trigger))",
)
_OWN_KILL = ci(
    r"\bI\s+(?:(?:\w+ly|then|also|finally|personally|myself)\s+)?(?:made|called|killed|cancell?ed|stopped|"
    r"shut|pulled the plug|recommended (?:killing|stopping|cancell?ing|we (?:stop|kill|cancel))|proposed "
    r"(?:killing|stopping|cancell?ing|we (?:stop|kill|cancel))|decided to (?:kill|stop|cancel|shut|end|wind|sunset|"
    r"shelve|deprioriti[sz]e)|wound|sunset|shelved|ended|deprioriti[sz]ed|scrapped|canned|pulled)\b"
    r"|\bmy (?:own )?(?:call|decision|kill call)\b|\b(?:kill|stop) (?:call|decision) (?:was )?(?:mine|myself)\b"
    r"|\bcalled (?:the kill|it) myself\b|\bI\s+(?:wrote|sent|brought|took)\b[^.]{0,60}\b(?:kill|cancel|stop|"
    r"sunset|shut)",
)
_ESCALATION = ci(
    r"\bescalat\w+|\braised (?:it|this|the|my|a)\b[^.]{0,60}\b(?:with|to)\b|\btook (?:it|this|them|that|the [\w-]+(?: [\w-]+)?) to\b|"
    r"\bflagged (?:it |this )?(?:to|with|for)\b|\bwent (?:to|over)\b[^.]{0,30}\b(?:head|skip|director|vp|"
    r"leadership|legal|policy|trust|safety|council|board|cto|ceo|manager)|\bblocked the (?:launch|release|rollout)\b|"
    r"\b(?:filed|opened|wrote) (?:a |an )?(?:formal |written )?(?:launch[- ])?(?:blocker|objection|dissent|memo|"
    r"risk (?:review|assessment)|safety review)|\bcalled (?:a|an) (?:review|meeting|go/no-go)\b|"
    r"\b(?:brought|pulled) in\b[^.]{0,40}\b(?:legal|policy|trust|safety|director|vp|leadership|privacy|council)\b|"
    r"\bno-?go\b|\bpaused the (?:launch|rollout|release)\b|\bstopped the (?:launch|rollout|release)\b|"
    r"\b(?:sign-?off|approval) from\b",
)
_STRUCTURAL_FIX = ci(
    r"\b(?:so (?:that )?(?:it|this|the same|that class|that failure|no \w+) (?:can(?:no|')t|could(?:n't| not)|"
    r"won'?t|never)|made (?:\w+ )?(?:impossible|structurally)|class of (?:failure|bug|incident|error|regression)s?|"
    r"failure class|root cause|(?:added|built|introduced|wrote|created|set up|shipped|put in)\b[^.]{0,60}\b(?:gate|"
    r"check|test|alert|monitor|validation|canary|guardrail|schema|contract|assertion|eval|ci|linter|runbook|"
    r"circuit breaker|rollback|freshness|drift detector|dashboard|slo)s?|release[- ]gate|pre-?merge|blocking check|"
    r"now (?:blocks|fails|rejects|catches|runs|requires)|every (?:release|deploy|model|pipeline|run)\b[^.]{0,40}"
    r"\b(?:checks?|validat|runs|gated)|(?:process|policy|rule) change)\b",
)
_TRADE_RATIO = ci(
    r"\bfor every\b|\bin exchange for\b|\bin return for\b|\b(?:traded|trade|giving up|gave up|give up|accept(?:ed|ing)?)"
    r"\b[^.]{0,80}\b(?:for|to get|in exchange)\b[^.]{0,60}\d|\d[^.]{0,40}\b(?:for|in exchange for|against)\b[^.]{0,30}"
    r"\d|\bratio\b|\bwillingness[- ]to[- ]trade\b|\bper (?:dollar|query|request|user|point)\b|\bbreak-?even\b|"
    r"\bworth (?:\w+ )?(?:\$|\d)",
)
_SLOWNESS_COST = ci(
    r"\bcost (?:us|the team|them|a|two|three|\d)|\b(?:we )?(?:lost|missed|slipped|delayed|gave up|sacrificed|"
    r"forwent|deferred)\b|\bdelay\w*|\bat the (?:cost|expense|price) of\b|\bthe price (?:was|of)\b|\bdownside\b|"
    r"\bslower\b|\bshipped (?:a |the )?(?:narrow|smaller|partial|limited|first|v1|mvp|scoped)|\bnarrow (?:win|launch|"
    r"version|slice)|\bfast (?:path|version) (?:also|would have)|\bwe (?:still )?shipped\b|\bship(?:ped)? (?:fast|now|"
    r"early)\b|\bopportunity cost\b|\bnot free\b|\bwasn'?t free\b",
)
_THEIR_GROWTH = re.compile(
    r"\b(?:they|he|she|the engineer|my mentee|the mentee|the junior|(?!(?:We|I|Our|The|Then|So|And|But|It|This|That|My)\b)[A-Z][a-z]+)\s+(?:\w+ly\s+)?(?:figured|found|"
    r"worked|came up|proposed|presented|led|owned|ran|wrote|designed|built|shipped|debugged|solved|discovered|drove|"
    r"decided|made|now (?:owns|leads|runs|mentors)|got promoted|was promoted|went on|started|took|learned|"
    r"grew|handled|picked|chose|identified)\b|\b(?:their|his|her) (?:own|growth|confidence|judg(?:e)?ment|"
    r"promotion|design|solution|idea|call|decision|first)\b|\bI (?:asked|let|held back|didn'?t (?:give|tell|"
    r"solve|fix)|resisted|stepped back|coached|paired|pointed|nudged|made (?:them|him|her)|had (?:them|him|her)|"
    r"encouraged|gave (?:them|him|her) (?:the|ownership|space|room))\b|\bon (?:their|his|her) own\b|"
    r"\bindependently\b|\bpromot\w+",
    re.UNICODE,
)
_ACTION_TAKEN = ci(
    r"\bI\s+(?:(?:\w+ly|then|also|finally|formally|publicly)\s+)?(?:raised|wrote|proposed|refused|pushed|escalated|"
    r"brought|flagged|argued|objected|blocked|redesigned|prototyped|built|asked|requested|filed|presented|"
    r"declined|recommended|convinced|insisted|called|took|went|drafted|organi[sz]ed|ran|changed|added|reframed|"
    r"vetoed|stopped|paused|documented|spoke up|said no|showed|quantified|measured)\b",
)
_INACTION = ci(
    r"\b(?:didn'?t|did not|never) (?:say|speak|raise|push|object|do) |\bkept (?:quiet|it to myself|my head down)|"
    r"\bwent along\b|\bstayed (?:quiet|silent)|\bfelt (?:uncomfortable|uneasy|bad|conflicted)",
)


def _find(
    ctx: Context, rx: Cue | re.Pattern[str], *, skip_hypothetical: bool = True, folded: bool = True
) -> Evidence | None:
    for s in ctx.usable:
        if skip_hypothetical and s.part == "reflection" and s.flags["hypothetical"]:
            continue
        m = s.first(rx) if folded and isinstance(rx, Cue) else rx.search(s.low if folded else s.text)
        if m:
            return ctx.quote(s, (s.start + m.start(), s.start + m.end()))
    return None


def _needs(
    rx: Cue | re.Pattern[str], *, folded: bool = True
) -> Callable[[Context], tuple[bool, Evidence | None]]:
    def check(ctx: Context) -> tuple[bool, Evidence | None]:
        found = _find(ctx, rx, folded=folded)
        return found is None, found

    return check


_RAISED = ci(
    r"\b(?:we|the team|a few of us|some of us)\s+(?:then\s+|also\s+)?(?:raised|flagged|escalated|pushed back|wrote|objected|"
    r"refused|proposed|took it)\b|\b(?:concerns?|objections?|it) (?:was|were) (?:raised|flagged|escalated)\b|\bin writing\b"
)


def _ethical(ctx: Context) -> tuple[bool, Evidence | None]:
    acted = _find(ctx, _ACTION_TAKEN) or _find(ctx, _RAISED)
    if acted:
        return False, acted
    return True, _find(ctx, _INACTION)


def _update_conditions(ctx: Context) -> tuple[bool, Evidence | None]:
    found = _find(ctx, _UPDATE_CONDITIONS, skip_hypothetical=False)
    return found is None, found


_SOMEONE_ELSE_KILLED = ci(
    r"\b(?:leadership|management|my (?:manager|boss|director|vp|skip[- ]level|lead)|our (?:manager|director|vp|"
    r"cto|ceo|head of \w+)|the (?:vp|director|cto|ceo|exec(?:utive)?s?|org|company|committee|steering group)|"
    r"(?:vp|director|head) of [\w&]+|they|someone)\b[^.;]{0,60}\b(?:killed|cancell?ed|shut|stopped|pulled|"
    r"canned|scrapped|decided|made the call|said (?:it was time|to stop|we should stop)|called it|ended|wound)"
    r"|\b(?:was|were|got|had been)\s+(?:\w+ly\s+)?(?:killed|cancell?ed|shut down|canned|scrapped|shelved)\b"
)


def _own_call(ctx: Context) -> tuple[bool, Evidence | None]:
    mine = _find(ctx, _OWN_KILL)
    if mine:
        return False, mine
    other = _find(ctx, _SOMEONE_ELSE_KILLED)
    return other is not None, other


# research_vs_shipping: the trap is "right" winning with the cost of slowness never named. When speed
# won (shipped narrow, first, on time), there is no trap.
_RIGHT_WON = ci(
    r"\bdelay(?:ed|ing)?\b|\bpushed (?:it|the \w+|our \w+|back the \w+) back\b|\bpush(?:ed)? back the (?:launch|pilot|release)|"
    r"\bwaited\b|\btook (?:the|more|extra) time\b|\btook (?:a lot )?longer\b|\bdo(?:ing)? (?:it|things) (?:right|properly)\b|"
    r"\bget(?:ting)? it right\b|\bheld (?:it|the launch|the release|off)\b|\bmore time\b|\banother (?:\w+ )?(?:weeks?|months?|"
    r"quarters?)\b|\bspent (?:a lot )?more time\b|\bdecided to do it right\b|\bresearch (?:won|path|approach)\b"
)


def _nuance(ctx: Context) -> tuple[bool, Evidence | None]:
    slow = _find(ctx, _RIGHT_WON)
    if slow is None:
        return False, None  # speed won, or no side did: the trap is about "right" simply winning
    cost = _find(ctx, _SLOWNESS_COST)
    return cost is None, cost or slow


# mentoring: the trap is the mentor solving it and calling it mentorship.
_SOLVED_IT = ci(
    r"\bI\s+(?:just\s+|basically\s+|ended up\s+|finally\s+)?(?:fixed|rewrote|re-wrote|solved|debugged|wrote|built|"
    r"patched|redesigned|did|took over|took it over|coded|implemented)\b[^.;]{0,80}?\b(?:myself|for (?:him|her|them)|"
    r"over the weekend|on my own|it over)\b|\bI took (?:it|the \w+) over\b|\bI just told (?:him|her|them)\b"
)
_OWN_FIX = ci(
    r"\b(?:he|she|they)\s+(?:\w+\s+){0,3}(?:figured|found|fixed|solved|built|debugged|designed|wrote|traced|"
    r"diagnosed)\b[^.;]{0,80}\b(?:himself|herself|themselves|on (?:his|her|their) own|alone)\b"
)


def _their_growth(ctx: Context) -> tuple[bool, Evidence | None]:
    solved = _find(ctx, _SOLVED_IT)
    if solved is None:
        return False, _find(ctx, _THEIR_GROWTH, folded=False)
    return _find(ctx, _OWN_FIX) is None, solved


TRAPS: dict[str, Callable[[Context], tuple[bool, Evidence | None]]] = {
    "contested_decision": _update_conditions,
    "killed_own_project": _own_call,
    "research_vs_shipping": _nuance,
    "safety_escalation": _needs(_ESCALATION),
    "quality_incident": _needs(_STRUCTURAL_FIX),
    "cost_negotiation": _needs(_TRADE_RATIO),
    "mentoring": _their_growth,
    "ethical_pushback": _ethical,
}


def check_trap(
    archetype: str | None, code: str | None, ctx: Context
) -> tuple[TrapResult | None, Evidence | None]:
    if archetype is None or code is None or archetype not in TRAPS:
        return None, None
    hit, ev = TRAPS[archetype](ctx)
    return TrapResult(code=code, hit=hit), ev
