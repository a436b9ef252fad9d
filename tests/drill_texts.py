"""Outlines for the drill tests: three projects (one per archetype), and a weak one. Written for these tests
from the seed's shapes; none is an evaluation case."""

from __future__ import annotations

STAFF_KILL = {
    "situation": "I led the eight-person ranking team at a marketplace with 30M weekly users; I had championed "
    "a six-month project to move the Helix ranker from gradient-boosted trees to a transformer.",
    "tradeoff": "The trade-off was sunk cost on my own research bet against the opportunity cost of the same "
    "team shipping per-slot wins; I negotiated it openly with the product director in our quarterly review.",
    "action": "Two months in, my offline runs showed the transformer losing on long-tail recall. I made the kill "
    "call myself in the team meeting, presented the data, and proposed the pivot to per-slot improvements.",
    "result": "We landed three per-slot wins the next quarter, roughly 2.5x the projected impact, measured on "
    "the experiment dashboard.",
    "driver": "Our research-bet template now requires an upfront slice analysis; the template is still used in "
    "every roadmap review and has stopped two other bets early.",
    "reflection": "I'd have insisted on the long-tail slice analysis in the design doc, because we would have "
    "caught the gap in two weeks instead of two months; I now require that section in every research bet.",
}
STAFF_INCIDENT = {
    "situation": "I was the on-call lead for the Quokka retrieval service, 4,000 requests a second for a "
    "support assistant used by 200 enterprise customers.",
    "tradeoff": "The trade-off was detection speed against monitoring noise; I agreed with the SRE lead that "
    "we would accept two extra pages a week to catch regressions within an hour.",
    "action": "I traced a 9% answer-quality drop to a stale embedding index, rolled it back myself, and wrote "
    "the canary eval that compares every new index against the live one before it ships.",
    "result": "Regressions reaching customers fell from five a quarter to one, per the incident tracker.",
    "driver": "The canary gate became a release rule; it still blocks every index push across three teams.",
    "reflection": "I'd have added the canary before the first index migration, because it would have caught "
    "this class of failure before customers did; it is now a checklist item in every migration plan.",
}
STAFF_MENTOR = {
    "situation": "I mentored a new senior engineer, Priya, who owned the Orchid billing pipeline for the first "
    "time, 12 services and a quarter-end deadline.",
    "tradeoff": "The trade-off was giving her the answer against growing her judgement; I negotiated the "
    "timeline with her manager so she had room to get it wrong once.",
    "action": "I asked her to write the migration plan herself, reviewed it with questions rather than fixes, "
    "and let her run the design review while I stayed in the room.",
    "result": "She shipped the migration two weeks early and led the next two herself; her promo packet cited "
    "it.",
    "driver": "The question-first review format became our team's mentoring template and is still used for "
    "every new owner.",
    "reflection": "I'd have set checkpoints earlier, because she lost a week on a dead end I saw coming; I now "
    "start every mentorship with a written checkpoint plan.",
}
WEAK_PARTS = {
    "situation": "We had a project at work.",
    "action": "The team decided to change things.",
    "result": "It went well.",
}
