"""Our reading of WordLlama's files gives the package's own embeddings."""

from __future__ import annotations

import numpy as np

from service.rubric.embed import DIM, embed, package_dir

TEXTS = [
    "I proposed a shadow evaluation and took it to the VP.",
    "Waiting meant missing the renewal; shipping meant a weaker model.",
    "um",
    "Ünïcode — naïve café, 42% fewer pages",
]


def test_matches_the_package() -> None:
    from wordllama import WordLlama

    reference = WordLlama.load(cache_dir=package_dir(), disable_download=True, dim=DIM)
    expected = reference.embed(TEXTS, norm=True)
    assert np.allclose(embed(TEXTS), expected, atol=1e-5)


def test_shapes_and_norms() -> None:
    assert embed([]).shape == (0, DIM)
    vectors = embed(TEXTS)
    assert vectors.shape == (len(TEXTS), DIM)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embed([""]).tolist() == [[0.0] * DIM]
