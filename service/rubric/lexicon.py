"""Cue patterns, compiled once. Each names what a human grader listens for in spoken answers."""

from __future__ import annotations

import re

from service.rubric.fold import ci

IC = re.IGNORECASE

# Explicit part labels: "(S)" after a segment (the seed's style), "Situation:" / "Trade-off —" / "S:" before one.
SUFFIX_LABEL = re.compile(r"^\(\s*([STARDE])\s*\)$")
PREFIX_LABEL = re.compile(
    r"^(?:[*_#>\-\s•–·]*)(?:\d[.)]\s*)?(?:\(?(?P<letter>[STARDE])\)?\s*[:—–-]|(?P<name>situation|setup|context|"
    r"trade[- ]?offs?|the trade[- ]?off|tension|actions?|what i did|results?|outcome|impact|drivers?(?: of impact)?|"
    r"second[- ]order|structural change|reflection|looking back|what i'?d do differently|lessons?)"
    r"(?:\*\*|__)?\s*(?:[:—–]|-\s))\s*",
    IC,
)
LABEL_NAMES = {
    "situation": "situation", "setup": "situation", "context": "situation",
    "trade": "tradeoff", "the trade": "tradeoff", "tension": "tradeoff",
    "action": "action", "what i did": "action",
    "result": "result", "outcome": "result", "impact": "result",
    "driver": "driver", "second": "driver", "structural": "driver",
    "reflection": "reflection", "looking back": "reflection", "what i": "reflection", "lesson": "reflection",
}  # fmt: skip
LETTER_PARTS = {
    "S": "situation",
    "T": "tradeoff",
    "A": "action",
    "R": "result",
    "D": "driver",
    "E": "reflection",
}

INJECTION = ci(
    r"ignore (?:all |any |the )?(?:previous|prior|above|earlier|preceding) (?:instructions|prompts?|rules)"
    r"|disregard (?:the |all |any )?(?:rubric|instructions|previous)"
    r"|\b(?:note|instructions?|message|reminder) (?:to|for) (?:the )?(?:grader|evaluator|assessor|scorer|ai|model|"
    r"llm|assistant|interviewer|system)"
    r"|\b(?:grader|evaluator|assessor|scorer|ai|model|llm|assistant)\s*[:,]\s*(?:please\s+)?(?:score|rate|mark|grade|"
    r"give|treat|ignore|output|return|set|label|assign)"
    r"|\b(?:system|assistant|developer)\s*:"
    r"|<\s*/?\s*(?:system|instructions?|admin)\s*>"
    r"|\b(?:score|rate|grade|mark|label|classify)\s+(?:this|the|my|every|each|all)\s+(?:answer|story|response|candidate|"
    r"part|parts)\b"
    r"|\b(?:this|the)\s+(?:candidate|answer|story|response)\s+(?:is|was|should be|must be|has been)\s+(?:already\s+)?"
    r"(?:verified|rated|graded|scored|marked|considered|treated|certified|pre-approved)"
    r"|\b(?:every|all|each)\s+(?:six\s+)?parts?\s+(?:is\s+|are\s+|as\s+|should be\s+)?met\b"
    r"|\b(?:situation|trade-?off|action|result|driver|reflection|level)\s*[:=]\s*(?:met|staff|strong)\b(?!\s+[a-z])"
    r"|\bmark(?:ed)?\s+(?:it|this|them|everything)?\s*(?:as\s+)?(?:met|staff)\b"
    r"|\b(?:level|rating|score|verdict)\s+(?:is|should be|must be|=)\s+(?:staff|strong|10)\b"
    r"|\bcounts? as (?:a |an )?(?:met|staff|strong|clear|full)\b|\[\s*rubric\b|\brubric v?\d"
    r"|\[\s*(?:interviewer|grader|grading|evaluator|system|admin|scoring|scorer|hiring committee|assessor|reviewer)"
    r"(?:['’]s)?\s*(?:note|update|message|override|instruction)?\s*:"
    r"|\b(?:meets|clears|passes|exceeds) the (?:staff|senior|l\d) (?:bar|level)\b|\b(?:all|every) six parts\b"
    r"|\b(?:scoring|grading) (?:update|override|note)\b|\bfor the (?:scoring|grading|ranking) (?:model|system|bot)\b"
    r"|<!--|\bas an? (?:ai|llm|language model) (?:grader|evaluator|judge)\b"
    r"|\b(?:return|output|respond with) (?:level|json|\{)",
)

# --- trade-off ---------------------------------------------------------------------------------------
TRADEOFF_WORD = ci(r"\btrade[- ]?offs?\b|\btradeoffs?\b")
TWO_SIDED = ci(
    r"\b(?:vs\.?|versus)\s|-(?:vs|versus)-|\b(?:the )?(?:real |main |core )?tension (?:for me |here |i faced |i saw )?was\b"
    r"|\beither\b.{3,160}?\bor\b"
    r"|\b(?:could|can|would|should)\b[^.;]{3,120}?,?\s+or\s+(?:we\s+|I\s+)?(?:could\s+)?\w+"
    r"|\bwhether to\b[^.;]{3,120}?\bor\b"
    r"|\bat the (?:cost|expense|price) of\b"
    r"|\bin exchange for\b|\bin return for\b"
    r"|\b(?:sacrific\w+|giv(?:e|ing) up|gave up|traded?|trading)\b[^.;]{2,100}?\b(?:for|to get|to buy|against|in favou?r of)\b"
    r"|\b(?:between(?!\s+(?:the\s+)?(?:product|engineering|ml|teams?|leadership|management|sales|legal|marketing|"
    r"finance|design|research|infra|platform|ops|us|them|me|her|him|two teams|the teams|pm|pms)\b)|weigh|weighs|weighed|"
    r"weighing|balance|balanced|balancing)\b[^.;]{3,120}?\b(?:and|against|with|versus)\b"
    r"|\b(?:the )?(?:choice|decision|question|dilemma|call|options?) (?:was|were|i faced|we faced|on the table was)\b"
    r"[^.;]{3,160}?\bor\b"
    r"|\bwhat (?:it|that|this) (?:cost|would cost)\b|\bcosted (?:it|that|this|both)\b|\bthe cost (?:was|of (?:that|this))\b"
    r"|\b(?:my|our|the|a|an)\s+[\w-]+(?:\s+[\w-]+)?\s+against\s+(?:a|an|the|our|my|their|his|her)\b"
    r"|\b(?:choice|choose|chose|decision|tension|pull)\s+(?:was\s+)?between\b"
    r"|\b(?:on (?:the )?one (?:hand|side)|on the other (?:hand|side))\b"
    r"|\b(?:option (?:a|one)|first option|two options|two paths|two choices)\b"
    r"|\bcost of (?:being|doing|waiting|shipping|slowing|not)\b"
    r"|\b(?:pitted|against)\b[^.;]{0,60}?\b(?:cost|risk|velocity|quality|speed|stability|morale|value|revenue|trust)\b"
    r"|\b(?:cost|risk|velocity|quality|speed|stability|morale|value|revenue|trust)\b[^.;]{0,60}?\bagainst\b",
)
GENERIC_TRADEOFF = ci(
    r"\b(?:tough|hard|difficult|tricky|big|real|classic|usual|typical|balancing) (?:call|decision|choice|one|trade[- ]?off|"
    r"balance|act)\b"
    r"|\b(?:fast|speed|quick|quickly|velocity|time)\s+(?:vs\.?|versus|or|against|and)\s+(?:right|quality|good|correct|"
    r"perfect|getting it right|doing it right)\b"
    r"|\b(?:right|quality|good|perfect)\s+(?:vs\.?|versus|or|against|and)\s+(?:fast|speed|quick|velocity|time)\b"
    r"|\bshort[- ]term\s+(?:vs\.?|versus|or|against|and)\s+long[- ]term\b"
    r"|\bthe (?:usual|classic|typical|normal|standard) (?:trade[- ]?off|tension|dilemma)\b"
    r"|\bthere (?:was|were|are|is) (?:always )?(?:a |some )?(?:trade[- ]?offs?|tension)\b(?!\s*(?:between|:|—|-|was))"
    r"|\bpros and cons\b|\bhad to balance (?:things|everything|priorities)\b"
    r"|\bcompromis\w*|\bdebate\b|\b(?:tough|hard|difficult) conversations?\b|\bpressure to\b|\bmiddle ground\b"
    r"|\bin the middle\b|\btorn\b|\bdilemma\b|\bmore than perfection\b|\binstead of polishing\b"
    r"|\b[a-z]+-(?:vs|versus)-[a-z]+ (?:thing|situation|call|problem|question)\b"
    r"|\b(?:classic|usual|typical|standard|old|age-old|textbook)\s+(?:[\w-]+\s+){0,3}?(?:thing|situation|call|problem|"
    r"trade-?off|tension|dilemma|question|story|one)\b"
    r"|\b(?:quick|short-term|fast|band-?aid) fix (?:vs\.?|versus|or|against|and) (?:a )?(?:proper|real|long-term|"
    r"structural|right|permanent) (?:fix|solution)\b|\blike (?:every|any|all) (?:incident|project|launch|time|other)\w*\b",
)

# "The trade-off was …", "The trade-off I put on the table: …", "- Trade-off: …": what follows names the sides.
TRADEOFF_STATEMENT = ci(r"\btrade[- ]?offs?\b[^.;:]{0,40}?(?:\bwas\b|\bis\b|\bwere\b|:|—|–|\bhere\b)\s*")

# --- action ------------------------------------------------------------------------------------------
_LB_VERBS = (
    r"proposed|propose|pushed|drove|drive|made|make|decided|decide|called|killed|kill|escalated|escalate|wrote|"
    r"built|designed|led|ran|negotiated|convinced|persuaded|brought|presented|took|set|owned|insisted|refused|"
    r"argued|recommended|pitched|flagged|blocked|paused|pulled|rolled|reverted|shipped|launched|cut|asked|sat|"
    r"paired|coached|created|introduced|started|organi[sz]ed|drafted|redesigned|rewrote|replaced|moved|pivoted|"
    r"sent|raised|challenged|requested|demanded|reframed|prototyped|benchmarked|analy[sz]ed|investigated|dug|"
    r"traced|found|discovered|identified|diagnosed|fixed|patched|added|instrumented|implemented|coordinated|"
    r"facilitated|aligned|secured|hired|delegated|structured|scoped|defined|chose|picked|committed|volunteered|"
    r"stepped|went|reached|met|walked|laid|framed|modeled|modelled|quantified|estimated|calculated|priced|"
    r"offered|countered|traded|stopped|halted|shut|wound|changed|mandated|required|established|instituted|"
    r"overrode|vetoed|declined|spun|triaged|paged|declared|authored|documented|codified|championed|stood|"
    r"gathered|convened|ran|held|opened|filed|rebuilt|migrated|deployed|reworked|restructured|pushed|"
    r"restarted|swapped|retrained|rerouted|logged|wrote up|benchmarked|"
    r"spent|gave|showed|let|encouraged|assigned|handed|suggested|recommended|told|explained|reviewed|audited|"
    r"measured|tested|ran|built|killed|prioriti[sz]ed|deprioriti[sz]ed|removed|disabled|rolled|put|framed"
)
I_ACTION = ci(
    rf"\bI\s+(?:(?:had|have|then|also|personally|immediately|quickly|eventually|finally|first|actually|just|"
    rf"directly|explicitly|ultimately|deliberately|\w+ly)\s+){{0,2}}(?:{_LB_VERBS})\b",
)
# Verbs chained after one "I": "I made the kill call, explained the data, and took responsibility".
I_CHAINED = ci(rf"(?:,|\band\b)\s+(?:then\s+|also\s+)?(?:{_LB_VERBS})\b")
# Things an "I" did that carry no weight: the speaker was present, not driving.
MINOR_DEED = ci(
    r"\bI\s+(?:just\s+|only\s+|also\s+)?(?:set up (?:the |a )?(?:meeting|invite|calendar|call)s?|took (?:the )?notes|"
    r"handed (?:[\w-]+\s+){0,4}over|added a comment|left a comment|commented on|mentioned it|mentioned (?:that|this|my)|"
    r"logged a ticket|filed a ticket|brought it up with (?:a couple of |some |my |a few )?(?:teammates|colleagues|friends)|"
    r"agreed\b|helped (?:write|with|on|out)|prepared (?:the |some )?slides|sat in|cc['’]?d|forwarded|"
    r"thought about|went along|supported the decision)"
)
I_MINOR = ci(
    r"\bI\s+(?:(?:had|have|just|also|mostly|mainly|only)\s+)?(?:attended|was|were|helped|supported|watched|joined|"
    r"followed|felt|thought|noticed|saw|heard|agreed|listened|learned|knew|wanted|hoped|tried|participated|"
    r"contributed|observed|sat in|got|received|went along|kept|stayed|waited|assisted|did my part|worked on|"
    r"reviewed|cc)\b",
)
# Capitalised "I" only: lowercase "i" in running text is rarely the pronoun in written answers, but
# spoken transcripts often lowercase it; accept both, but not inside words.
# The letter first, then "not after a word character": `re` then skips straight to each i.
I_WORD = re.compile(r"[Ii](?<![\w'][Ii])(?:['’](?:d|m|ve|ll))?(?![\w'])")
WE_WORD = ci(r"\b(?:we|we['’](?:d|re|ve|ll))\b")
OTHERS_ACTION = ci(
    rf"\b(?:we|the team|my team|our team|the group|leadership|management|my (?:manager|boss|director|vp|skip[- ]level|"
    rf"lead)|the (?:org|company|committee|pm|product team|exec(?:utive)?s?|vp|director|cto|ceo)|they|someone|"
    rf"everyone|it was decided|the decision was made)\s+(?:(?:then|also|eventually|finally|ultimately|collectively|all|"
    rf"had|have|just|quickly|\w+ly)\s+){{0,2}}(?:{_LB_VERBS}|ended up|came up|went ahead|agreed|got|did|compromised|"
    rf"settled|debated|argued|talked)\b",
)
PASSIVE_DECISION = ci(
    r"\b(?:was|were|got|had been|has been)\s+(?:\w+ly\s+)?(?:killed|cancell?ed|shut down|deprioriti[sz]ed|decided|"
    r"canned|scrapped|stopped|shelved|made|chosen|approved|overruled)\b",
)
HYPOTHETICAL = ci(
    r"\b(?:I|we)(?:['’]d| would| should| could| might| will| wish)\b|\bif I\b|\bnext time\b|\bin hindsight\b|"
    r"\blooking back\b|\bin retrospect\b",
)

# --- result ------------------------------------------------------------------------------------------
RESULT_CUE = ci(
    r"\b(?:went|go(?:es)?|gone) (?:up|down|from)\b|\b(?:increas|decreas|reduc|sav|improv|dropp|grew|grow|"
    r"cut|cutting|lower|rais|boost|lift|doubl|tripl|halv|shrank|shrunk|climb|fell|fall|jump|declin|recover|"
    r"eliminat|prevent|avoid|caught|catch|land|shipp|launch|deliver|hit|beat|exceed|achiev|gain|won|win|"
    r"freed|free|resolv|mitigat|restor|retain|outperform|match|result|end(?:ed)? up|reach)\w*"
    r"|\b(?:was|were|is|are|went|came|got|took [\w-]+(?: [\w-]+)?|brought [\w-]+(?: [\w-]+)?) (?:up|down|back)\b"
    r"|\bfrom\s+\S+\s+(?:down |up )?to\s+\S*\d|\bback to\b|\bwent away\b|\bwithin\b|\bretir\w+|\bfinished\b|"
    r"\breports?\b|\bcomplain\w*|\bon schedule\b|\bon track\b|\bnormal\b|\bstopped\b|\bfixed\b|\bpatched\b"
    r"|\b(?:outcome|impact|net effect|bottom line|in the end|by the end|afterwards|since then|as a result|"
    r"ended with|came in at|fewer|more than|less than|lift|uplift|savings|reduction|improvement|drop|"
    r"on time|under budget|zero|no more)\b",
)
VAGUE_RESULT = ci(
    r"\b(?:it )?(?:went|worked out|turned out) (?:well|fine|great|ok|okay)\b|\bthe team was (?:happy|proud|pleased)\b"
    r"|\b(?:significant|big|huge|major|real|great|meaningful|noticeable) (?:improvement|impact|win|difference|gains?)\b"
    r"|\beveryone was happy\b|\bwas a success\b|\bsuccessful(?:ly)?\b|\bpaid off\b|\bon time\b"
    r"|\bwent (?:back )?to normal\b|\bon schedule\b|\b(?:was|were) (?:good|great|positive|fine|better|solid)\b"
    r"|\bseemed to (?:like|love|work|help)\b|\bwent away\b|\bcame back\b|\bstopped complaining\b"
    r"|\bgot (?:patched|fixed|resolved|pushed|delayed|shipped)\b|\b(?:people|users|customers) (?:liked|loved)\b"
    r"|\bit worked\b|\b(?:much|far|a lot) (?:more robust|better|faster|cheaper)\b|\bwas relieved\b|\bwere relieved\b",
)
NUMBER_SOURCE = ci(
    r"\bmeasur\w+|\ba/?b[- ]?test\w*|\bab test\w*|\bexperiment\w*|\bhold-?out\b|\bheld-?out\b|\baccording to\b|"
    r"\bdashboards?\b|\b(?:from|in|per) (?:the |our )?(?:logs?|telemetry|metrics?|billing|invoices?|finance|"
    r"incident tracker|pager(?:duty)? data|postmortems?|survey|audit|eval(?:uation)?s?|dashboard|data warehouse|"
    r"warehouse|cost report|cloud bill)\b|\btracked\b|\bbenchmark\w*|\boffline evals?\b|\beval (?:set|suite|harness)\b|"
    r"\bsurvey\w*\b|\bcounted\b|\bbaseline\b|\bcontrol group\b|\bbacktest\w*|\breported by\b|\bannotat\w+|"
    r"\blabell?ed sample\b|\bsampled\b|\bconfidence interval\b|\bstatistically significant\b|\bp-value\b|"
    r"\bcame from\b|\bsourced from\b|\bpulled (?:the|from)\b|\bcompared (?:against|to|with)\b|\bfinance (?:team )?"
    r"(?:confirmed|signed off)\b|\b(?:billing|cost) (?:data|report|dashboard)\b|\bon-?call (?:data|logs|records)\b|"
    r"\bincident (?:count|log|data|records)\b|\bwe (?:logged|instrumented)\b|\bquarterly review\b",
)

# --- driver ------------------------------------------------------------------------------------------
STRUCTURE = ci(
    r"\b(?:templates?|process(?:es)?|polic(?:y|ies)|playbooks?|runbooks?|standards?|frameworks?|checklists?|"
    r"rubrics?|guidelines?|gates?|rotations?|rules?|defaults?|patterns?|practices?|rituals?|design[- ]docs?|rfcs?|"
    r"paved road|golden path|librar(?:y|ies)|tooling|ci checks?|linters?|eval suites?|review(?:s| board)?|"
    r"requirements?|contracts?|sign-?off|checkpoints?|kill criteria|criteria|council|forum|program|curriculum|"
    r"onboarding|guardrails?|alerts?|alerting|monitors?|monitoring|canar(?:y|ies)|tests?|validation|checks?|"
    r"dashboards?|slos?|mechanism|section|step|stage|charter|sessions?|meetings?|reviews?|harness|suite|"
    r"contract test|pre-?flight|checker|router|format|workflow|ritual)\b",
)
# That the change outlived the project: adopted, still running, required, the default. A bare "now" or
# "mandatory" in a request ("I asked for a mandatory review") is not enough.
LASTING = ci(
    r"\b(?:became|become|becomes|still (?:runs|use|uses|used|in|there|the|a|our|required|running|blocks)|adopted|"
    r"every (?:team|launch|project|model|release|bet|review|quarter|change|new|rag|pipeline|deploy|retrain|"
    r"feature|proposal|event|schema)|all (?:teams|launches|projects|models|releases)|other teams|"
    r"(?:two|three|four|several|many|\d+) other (?:teams|bets|projects|orgs|launches|forks|groups)|org-?wide|"
    r"across the (?:org|company|group)|company-?wide|since then|ever since|going forward|to this day|"
    r"(?:is|was|became) (?:now )?(?:the |our |a )?(?:standard|default)|default for|institutionali[sz]\w+|"
    r"codified|rolled (?:it )?out (?:to|across)|reused|copied by|outlived|template for|"
    r"(?:is|are|was|became) (?:now )?(?:a )?(?:required|mandatory)|required (?:for|on|in|before)|now (?:requires|runs|"
    r"blocks|fails|rejects|catches|checks|gates|uses|is|a|the|part|standard|required|mandatory)|standing|"
    r"baked into|part of (?:how|our|the)|the way (?:we|our)|how (?:we|our org|the org)|permanent|"
    r"made (?:\w+ )?(?:impossible|mandatory)|can(?:no|')t happen again|never (?:happened|recurred) again|"
    r"class of|any (?:new|future))\b",
)
CONSEQUENCE = ci(
    r"\b(?:freed|free(?:s|ing)? up|which (?:let|meant|allowed|enabled|gave|unblocked|saved|helped|put)|let us|"
    r"allowed us|enabled|unblocked|unlocked|meant (?:that|we|the|our)|downstream|second[- ]order|knock-on|"
    r"beyond (?:the|this)|bigger picture|trust|credibility|roadmap|morale|relationship|goodwill|reputation|"
    r"so (?:the|our) (?:team|org)|(?:it|that|this) also|also (?:gave|kept|meant|brought|made|let|helped|freed|saved|"
    r"took|put|opened|unblocked|enabled)|after that|for other (?:customers|teams)|promot\w+|on the table|"
    r"made [\w' -]{0,40}(?:easier|faster|possible|simpler))\b",
)

# --- reflection --------------------------------------------------------------------------------------
REFLECTION_CUE = ci(
    r"\blooking back\b|\bin hindsight\b|\bin retrospect\b|\bwith hindsight\b|\bhindsight\b"
    r"|\bif I (?:did|ran|had|could|were|was|do) (?:(?:to )?do )?(?:it|this|that) (?:again|over)\b"
    r"|\bif I (?:did|ran|could do|do|had to do) (?:it|this|that|the project|the whole thing) (?:again|over)\b"
    r"|\bnext time\b|\bdo(?:ne)? (?:it |things |anything )?differently\b|\bI['’]?d have\b|\bI would have\b"
    r"|\bI should have\b|\bI could have\b|\bI wish I\b|\bI['’]d (?:now )?(?:do|change|start|push|write|insist|set|"
    r"bring|ask|involve|run|make|put|build|add|negotiate|define|spend|get|escalate|kill|call|be)\b"
    r"|\bI would (?:now )?(?:do|change|start|push|write|insist|set|bring|ask|involve|run|make|put|build|add|"
    r"negotiate|define|spend|get|escalate|kill|call|be)\b"
    r"|\blesson(?:s)? (?:I |I've |we )?(?:learned|took|learnt)\b|\bthe lesson\b|\bI learned\b|\bI learnt\b"
    r"|\bknowing what I know\b|\bmy mistake\b|\bI underestimated\b|\bI missed\b|\btook responsibility\b"
    r"|\bwhat I took away\b|\bmy takeaway\b|\bthe takeaway\b|\bI now (?:always|insist|push|ask|require|start|make)\b",
)
GENERIC_REFLECTION = ci(
    r"\b(?:communicat\w*|over-?communicat\w*) (?:more|better|earlier|sooner|more clearly|proactively)\b"
    r"|\bcommunicat\w* more\b|\bbe (?:a )?(?:better|more careful|more proactive|faster|smarter|more patient)\b"
    r"|\b(?:been|be) (?:more|a bit more|a little more) (?:careful|proactive|vocal|patient|decisive|thoughtful|"
    r"organi[sz]ed|assertive|confident|involved|transparent)\b|\bwork(?:ed)? harder\b|\bmove(?:d)? faster\b"
    r"|\blearn(?:ed|t) a lot\b|\bwouldn'?t change (?:anything|a thing|much)\b|\bnothing,? really\b"
    r"|\btrust(?:ed)? my gut\b|\bplan(?:ned)? better\b|\bstart(?:ed)? earlier\b|\bdone (?:it|things) (?:better|faster)\b"
    r"|\bdo (?:it|things) (?:better|faster)\b|\bmore (?:communication|alignment|planning|collaboration)\b"
    r"|\binvolve(?:d)? (?:people|stakeholders|everyone|others) (?:earlier|sooner|more)\b|\bbe more careful\b"
    r"|\bI['’]?d be better\b|\bspeak(?:ing)? up (?:more|earlier|sooner)\b|\bsome things differently\b"
    r"|\bthings (?:a bit |a little )?differently\b",
)
ACCOUNTABILITY = ci(
    r"\btook responsibility\b|\bmy mistake\b|\bI underestimated\b|\bI missed\b|\bI was wrong\b|\bowned (?:the|my) mistake\b",
)
CONCRETE = ci(
    r"\b(?:instead of|rather than|before|upfront|up front|in the (?:design doc|rfc|kickoff|first week)|as an? |"
    r"written|wrote|doc|rfc|contract|analysis|threshold|metric|criteria|checkpoint|test|eval|gate|review|"
    r"budget|ratio|deadline|sla|slo|slice|baseline|dashboard|alert|canary|rollout|flag|pilot|prototype|"
    r"spike|interview|pairing|1:1|one-on-one|week|month|day|sprint|quarter)\b",
)
