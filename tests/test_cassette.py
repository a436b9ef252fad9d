from __future__ import annotations

from pathlib import Path

import pytest

from service.errors import ModelError
from service.evals.cassette import CassetteModel, cassette_key
from service.llm import Message, Request
from service.llm.builtin import ScriptedModel


def ask(boundary: str = "3f9c2a1b") -> Request:
    # The template may wrap a line inside the end marker: the boundary must be normalised there too.
    text = f"<<ANSWER-{boundary}>>\nI proposed it.\n<<END-ANSWER-{boundary}>>\nBetween <<END-ANSWER-\n{boundary}>>."
    return Request(
        messages=[Message("system", "grade"), Message("user", text)], max_tokens=100, temperature=0
    )


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (ask("aaaa1111"), ask("bbbb2222"), True),  # the random boundary does not change the key
        (ask(), Request(messages=[Message("system", "grade"), Message("user", "other")]), False),
        (ask(), Request(messages=ask().messages, max_tokens=101, temperature=0), False),
    ],
)
def test_key(a: Request, b: Request, same: bool) -> None:
    assert (cassette_key("m", a, {}) == cassette_key("m", b, {})) is same
    assert cassette_key("m", a, {}) != cassette_key("other-model", a, {})


@pytest.mark.parametrize(
    ("epoch_a", "epoch_b", "same"), [(0, 0, True), (1, 1, True), (0, 1, False), (1, 2, False)]
)
def test_each_epoch_is_its_own_recording(epoch_a: int, epoch_b: int, same: bool) -> None:
    assert (cassette_key("m", ask(), {}, epoch_a) == cassette_key("m", ask(), {}, epoch_b)) is same


async def test_an_epoch_replays_only_its_own_recordings(tmp_path: Path) -> None:
    first = CassetteModel("m", tmp_path, "record", ScriptedModel([{"parts": {"a": 1}}]), epoch=0)
    await first.structured(ask(), {})
    again = CassetteModel("m", tmp_path, "record", ScriptedModel([{"parts": {"a": 2}}]), epoch=1)
    await again.structured(ask(), {})
    assert await CassetteModel("m", tmp_path, "replay", epoch=0).structured(ask(), {}) == {"parts": {"a": 1}}
    assert await CassetteModel("m", tmp_path, "replay", epoch=1).structured(ask(), {}) == {"parts": {"a": 2}}
    missing = CassetteModel("m", tmp_path, "replay", epoch=2)
    with pytest.raises(ModelError, match="no cassette"):
        await missing.structured(ask(), {})
    assert len(missing.missing) == 1


async def test_record_then_replay(tmp_path: Path) -> None:
    recorder = CassetteModel("m", tmp_path, "record", ScriptedModel([{"parts": {}}, ModelError("boom")]))
    assert await recorder.structured(ask(), {}) == {"parts": {}}
    other = Request(messages=[Message("user", "second")])
    with pytest.raises(ModelError, match="boom"):
        await recorder.structured(other, {})
    assert len(list(tmp_path.glob("*.json"))) == 2

    player = CassetteModel("m", tmp_path, "replay")
    assert await player.structured(ask("ffff0000"), {}) == {"parts": {}}
    with pytest.raises(ModelError, match="boom"):
        await player.structured(other, {})
    assert player.missing == []


async def test_missing_cassette_is_reported(tmp_path: Path) -> None:
    player = CassetteModel("m", tmp_path, "replay")
    with pytest.raises(ModelError, match="no cassette"):
        await player.structured(ask(), {})
    assert len(player.missing) == 1
