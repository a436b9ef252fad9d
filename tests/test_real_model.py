"""A whole interview through litellm against a real (tiny, often wrong) local model. No mocks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from service.api.app import create_app
from service.config import Settings
from service.interview.checks import failure
from tests.real_model import GRADED_ANSWERS, MODEL_NAME
from tests.test_api import WEAK, parse_sse

STAFF = (Path(__file__).parent.parent / "examples" / "killed_own_project_staff.txt").read_text()


@pytest.fixture
async def client(llama_server: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'real.db'}",
        api_base=llama_server,
        allowed_models=[MODEL_NAME],
        model_timeout_seconds=60,
        model_retries=1,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=180) as c:
            yield c


async def test_whole_interview_with_a_real_model(client: httpx.AsyncClient) -> None:
    res = await client.post(
        "/api/interviews", json={"archetypes": ["killed_own_project", "mentoring"], "model": MODEL_NAME}
    )
    assert res.status_code == 201
    iid = res.json()["id"]
    moves = []
    for text in [WEAK, STAFF, WEAK, STAFF, WEAK, STAFF, WEAK]:
        res = await client.post(f"/api/interviews/{iid}/answers", json={"text": text})
        assert res.status_code == 200, res.text
        events = parse_sse(res.text)
        kind, turn = events[-1]
        assert kind == "turn"
        moves.append(turn["move"])
        if turn["degraded"]:
            # The model's words were withdrawn (or it failed): the builtin wording stood in, announced.
            assert any(k == "replace" for k, _ in events)
        else:
            streamed = "".join(d["text"] for k, d in events if k == "token")
            assert streamed.strip() == turn["text"]
            assert failure(turn["text"], final=True) is None
        if turn["move"] == "wrap_up":
            break
    assert moves[-1] == "wrap_up"
    interview = (await client.get(f"/api/interviews/{iid}")).json()
    assert interview["status"] == "finished" and interview["model"] == MODEL_NAME
    roles = [t["role"] for t in interview["turns"]]
    assert roles == ["interviewer", "candidate"] * (len(roles) // 2) + ["interviewer"][: len(roles) % 2]
    debrief = (await client.post(f"/api/interviews/{iid}/finish")).json()
    assert {a["archetype"] for a in debrief["archetypes"]} == {"killed_own_project", "mentoring"}
    # The server sends no usage in streams; the tokens are counted, so the debrief's figures add up.
    usage = debrief["usage"]
    assert usage["calls"] >= len(moves) and usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0


@pytest.mark.parametrize("answer", [WEAK, STAFF], ids=["weak", "staff"])
async def test_grading_with_a_real_model_stays_correct(llama_server: str, answer: str) -> None:
    from service.catalog import get_catalog
    from service.grading import grade_answer
    from service.llm.gateway import LiteLLMModel
    from service.rubric import analyze

    settings = Settings(
        api_base=llama_server, model_timeout_seconds=120, model_retries=1, json_mode="llama_cpp"
    )
    catalog = get_catalog()
    outcome = await grade_answer(
        answer=answer,
        archetype="killed_own_project",
        question=None,
        model=LiteLLMModel(MODEL_NAME, settings),
        catalog=catalog,
        prompts_dir=settings.prompts_dir,
    )
    grade = outcome.grade
    assert set(grade.parts) == {"situation", "tradeoff", "action", "result", "driver", "reflection"}
    for part in grade.parts.values():
        for ev in part.evidence:
            assert answer[ev.start : ev.end] == ev.quote  # made-up quotes never survive
    assert outcome.usage and outcome.usage[0]["calls"] >= 1
    base = analyze(answer, "killed_own_project", catalog=catalog)
    rank = {"missing": 0, "partial": 1, "met": 2}
    if grade.grader == MODEL_NAME:
        for name, part in grade.parts.items():
            assert abs(rank[part.verdict] - rank[base.parts[name].verdict]) <= 1
    else:
        assert grade.grader == "builtin" and outcome.fallback_reason
        assert grade.level == base.level


async def test_grader_replies_follow_the_schema_with_the_servers_grammar(llama_server: str) -> None:
    """`llama_cpp` mode: the schema becomes a grammar, so even a 135M model replies on-schema."""
    from service.catalog import get_catalog
    from service.grading import grade_answer
    from service.llm.gateway import LiteLLMModel

    settings = Settings(
        api_base=llama_server, json_mode="llama_cpp", model_timeout_seconds=300, model_retries=0
    )
    model = LiteLLMModel(MODEL_NAME, settings)
    fallbacks = []
    for archetype, answer in GRADED_ANSWERS:
        outcome = await grade_answer(
            answer=answer,
            archetype=archetype,
            question=None,
            model=model,
            catalog=get_catalog(),
            prompts_dir=settings.prompts_dir,
        )
        fallbacks.append(outcome.fallback_reason)
        for call in outcome.usage:
            assert call["prompt_tokens"] > 0 and call["completion_tokens"] > 0, call
    assert len(fallbacks) >= 5
    failed = [f for f in fallbacks if f is not None]
    assert len(failed) / len(fallbacks) <= 0.2, failed


async def test_a_streamed_reply_from_a_real_server_has_tokens(llama_server: str) -> None:
    from service.llm import Message, Request
    from service.llm.gateway import LiteLLMModel

    model = LiteLLMModel(MODEL_NAME, Settings(api_base=llama_server, model_timeout_seconds=60))
    request = Request(messages=[Message("user", "Ask me one interview question.")], max_tokens=30)
    text = "".join([t async for t in model.stream(request)])
    assert text.strip()
    assert request.usage.prompt_tokens > 0 and request.usage.completion_tokens > 0


async def test_the_real_models_reading_chooses_the_move(llama_server: str, tmp_path: Path) -> None:
    """Issue 13.3 with the real server: the builtin interviewer, SmolLM2 as the grader (its schema as a
    grammar), a budget it can meet: the reply's turn says the model's reading chose the move, and the
    stored turn says the same."""
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'reading.db'}",
        api_base=llama_server,
        grader_model=MODEL_NAME,
        json_mode="llama_cpp",
        reading_budget_seconds=120,
        model_timeout_seconds=120,
        model_retries=0,
        grading_worker=False,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=300) as client:
            res = await client.post("/api/interviews", json={"archetypes": ["killed_own_project"]})
            iid = res.json()["id"]
            res = await client.post(f"/api/interviews/{iid}/answers", json={"text": STAFF})
            kind, turn = parse_sse(res.text)[-1]
            assert kind == "turn" and turn["reading"] is not None
            reading = turn["reading"]
            # Its schema as a grammar, the model's reply always parses; the budget outlasts its ~5 s.
            assert reading == {"by": MODEL_NAME, "fallback": None}
            stored = (await client.get(f"/api/interviews/{iid}")).json()["turns"]
            assert stored[-1]["reading"] == reading
