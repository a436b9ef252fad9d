from __future__ import annotations

import pytest

from service.evals import metrics as m


@pytest.mark.parametrize(
    ("expected", "actual", "kappa"),
    [
        (["a", "b", "a", "b"], ["a", "b", "a", "b"], 1.0),
        (["a", "a", "b", "b"], ["a", "b", "a", "b"], 0.0),
        (["a", "a", "b", "b"], ["b", "b", "a", "a"], -1.0),
        # 20 items, classic worked example: observed 0.7, chance 0.5 -> 0.4
        (["y"] * 10 + ["n"] * 10, ["y"] * 7 + ["n"] * 3 + ["y"] * 3 + ["n"] * 7, 0.4),
        (["a", "a"], ["a", "a"], 1.0),
    ],
)
def test_cohen_kappa(expected: list[str], actual: list[str], kappa: float) -> None:
    assert m.cohen_kappa(expected, actual) == pytest.approx(kappa)


def test_accuracy_confusion_within_one() -> None:
    assert m.accuracy(["a", "b", "c"], ["a", "b", "b"]) == pytest.approx(2 / 3)
    assert m.confusion(["a", "b", "b"], ["a", "a", "b"], ["a", "b"]) == [[1, 0], [1, 1]]
    assert m.within_one([0, 1, 3], [1, 3, 3]) == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("expected", "actual", "precision", "recall"),
    [
        ([{"x", "y"}], [{"x"}], 1.0, 0.5),
        ([{"x"}], [{"x", "z"}], 0.5, 1.0),
        ([set()], [set()], 1.0, 1.0),
        ([{"x"}, {"y"}], [{"y"}, {"x"}], 0.0, 0.0),
    ],
)
def test_precision_recall(
    expected: list[set[str]], actual: list[set[str]], precision: float, recall: float
) -> None:
    assert m.precision_recall(expected, actual) == pytest.approx((precision, recall))


def test_binary_precision_recall_and_length_check() -> None:
    assert m.binary_precision_recall([True, False, True], [True, True, False]) == pytest.approx((0.5, 0.5))
    with pytest.raises(ValueError, match="length mismatch"):
        m.accuracy(["a"], [])
