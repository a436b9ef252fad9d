"""Agreement metrics, each a small pure function with its own unit tests."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence


def accuracy(expected: Sequence[Hashable], actual: Sequence[Hashable]) -> float:
    _same_length(expected, actual)
    if not expected:
        return 0.0
    return sum(e == a for e, a in zip(expected, actual, strict=True)) / len(expected)


def cohen_kappa(expected: Sequence[Hashable], actual: Sequence[Hashable]) -> float:
    """Cohen's kappa: agreement corrected for the agreement two raters reach by chance.

    1.0 when both raters always agree; 0.0 at chance. When both raters use one same label throughout,
    chance agreement is 1 and kappa is undefined: we return 1.0 if they agree (they do, perfectly).
    """
    _same_length(expected, actual)
    n = len(expected)
    if n == 0:
        return 0.0
    observed = sum(e == a for e, a in zip(expected, actual, strict=True)) / n
    ce, ca = Counter(expected), Counter(actual)
    chance = sum(ce[k] * ca.get(k, 0) for k in ce) / (n * n)
    if chance == 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - chance) / (1 - chance)


def confusion(
    expected: Sequence[Hashable], actual: Sequence[Hashable], labels: Sequence[Hashable]
) -> list[list[int]]:
    """rows = expected label, columns = actual label, in the order of `labels`."""
    _same_length(expected, actual)
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for e, a in zip(expected, actual, strict=True):
        matrix[index[e]][index[a]] += 1
    return matrix


def within_one(expected: Sequence[int], actual: Sequence[int]) -> float:
    _same_length(expected, actual)
    if not expected:
        return 0.0
    return sum(abs(e - a) <= 1 for e, a in zip(expected, actual, strict=True)) / len(expected)


def precision_recall(expected: Sequence[set[str]], actual: Sequence[set[str]]) -> tuple[float, float]:
    """Micro-averaged over items: each (item, label) pair is one decision."""
    _same_length(expected, actual)
    tp = sum(len(e & a) for e, a in zip(expected, actual, strict=True))
    predicted = sum(len(a) for a in actual)
    relevant = sum(len(e) for e in expected)
    precision = tp / predicted if predicted else 1.0
    recall = tp / relevant if relevant else 1.0
    return precision, recall


def binary_precision_recall(expected: Sequence[bool], actual: Sequence[bool]) -> tuple[float, float]:
    _same_length(expected, actual)
    tp = sum(e and a for e, a in zip(expected, actual, strict=True))
    fp = sum(a and not e for e, a in zip(expected, actual, strict=True))
    fn = sum(e and not a for e, a in zip(expected, actual, strict=True))
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def _same_length(a: Sequence[object], b: Sequence[object]) -> None:
    if len(a) != len(b):
        raise ValueError(f"length mismatch: {len(a)} expected labels, {len(b)} actual")
