"""The shipped weights are what the corpus trains: a corpus or feature change without a retrain (which once
left the trap kinds' weights stale, in-sample trap recall .875 where the corpus gives .925) fails here."""

from __future__ import annotations

import numpy as np
import pytest

from service.rubric import classifier, training


@pytest.fixture(scope="module")
def retrained() -> dict[str, classifier.Softmax]:
    return training.train(training.load_corpus())


@pytest.fixture(scope="module")
def drift(retrained: dict[str, classifier.Softmax]) -> dict[str, float]:
    return training.drift(retrained)


@pytest.mark.parametrize("name", training.MODELS)
def test_the_shipped_weights_are_the_corpus_trained_ones(
    name: str, retrained: dict[str, classifier.Softmax], drift: dict[str, float]
) -> None:
    shipped = classifier.Softmax.load(classifier.WEIGHTS / f"{name}.npz")
    assert shipped.labels == retrained[name].labels
    assert drift[name] < training.SAME_WEIGHTS


def test_trap_answers_train_the_sides_and_kinds_only() -> None:
    corpus = training.load_corpus()
    base = training.train(corpus[:60], training.SENTENCE_MODELS)
    more = training.train(corpus[:60], training.SENTENCE_MODELS, trap_answers=corpus[60:90])
    assert np.array_equal(base["parts"].weights, more["parts"].weights)
    assert not np.array_equal(base["kinds"].weights, more["kinds"].weights)
    assert not np.array_equal(base["signals"].weights, more["signals"].weights)


def test_the_fit_ends_where_the_loss_does_not_depend_on_summation_order() -> None:
    """Reversing the rows reorders every sum as another BLAS thread count does; the trap kinds (16 labels,
    some with 12 sentences) once ended 0.05 apart that way, at a constant step that never settled."""
    x, _, _, kinds = training.matrices(training.load_corpus())
    forward = classifier.fit(x, kinds, training.KIND_LABELS)
    backward = classifier.fit(x[::-1].copy(), kinds[::-1], training.KIND_LABELS)
    assert np.abs(forward.weights - backward.weights).max() < training.SAME_WEIGHTS
