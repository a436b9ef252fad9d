"""Sentence meaning as vectors: WordLlama's 256-dim embeddings, loaded from the installed wheel.

The weights and the tokenizer ship inside the `wordllama` package; nothing is fetched at run time
(its loader would look for the tokenizer elsewhere and try a download, so it is pointed at the
package's own folder and told not to).
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

DIM = 256


class _Model(Protocol):
    def embed(self, texts: list[str], norm: bool = ..., batch_size: int = ...) -> NDArray[np.float32]: ...


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _model() -> _Model:
    with _lock:
        import wordllama  # a numpy + tokenizers import: kept off the path of code that never grades
        from wordllama import WordLlama

        folder = os.path.dirname(wordllama.__file__)
        model: _Model = WordLlama.load(cache_dir=folder, disable_download=True, dim=DIM)
        return model


def embed(texts: list[str]) -> NDArray[np.float32]:
    """Unit vectors, one row per text (an empty list gives a 0 x DIM array)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.asarray(_model().embed(texts, norm=True, batch_size=256), dtype=np.float32)


def warm() -> None:
    """Load the weights now (0.3 s) rather than on the first answer."""
    _model()
