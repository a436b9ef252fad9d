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


def test_a_row_does_not_depend_on_its_batch() -> None:
    """What lets `embed_cached` remember rows: each text's row, bit for bit, whatever it is embedded with."""
    import json

    from service.rubric.meaning import CORPUS

    texts = [
        s["text"]
        for path in sorted(CORPUS.glob("*.jsonl"))[:2]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
        for s in json.loads(line)["sentences"]
    ][:400]
    texts += sorted({w for t in texts for w in t.lower().split()})[:400]  # single words too (meaning.py)
    whole = embed(texts)
    for size in (1, 7, 60):
        for start in range(0, len(texts), size):
            batch = embed(texts[start : start + size])
            assert batch.tobytes() == whole[start : start + size].tobytes()
