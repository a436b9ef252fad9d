"""Sentence meaning as vectors: WordLlama's 256-dim embeddings (the mean of the sentence's token
vectors, from LLM token embeddings), read straight from the files the `wordllama` wheel ships.

Nothing is fetched at run time, and the `wordllama` package itself is never imported: its loader pulls in
`requests` and looks for the tokenizer in the wrong folder. The same arithmetic takes ~20 lines here
(tests/test_embed.py holds it to the package's own `embed`).
"""

from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from tokenizers import Tokenizer

DIM = 256
_WEIGHTS = f"weights/l2_supercat_{DIM}.safetensors"
_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
_lock = threading.Lock()


def package_dir() -> Path:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the wordllama package is not installed (pip install wordllama)")
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=1)
def _model() -> tuple[Tokenizer, NDArray[np.float32]]:
    with _lock:
        from safetensors import safe_open
        from tokenizers import Tokenizer

        folder = package_dir()
        tokenizer = Tokenizer.from_file(str(folder / _TOKENIZER))
        tokenizer.no_padding()
        tokenizer.no_truncation()
        with safe_open(str(folder / _WEIGHTS), framework="np") as f:
            table = np.asarray(f.get_tensor("embedding.weight"), dtype=np.float32)
        return tokenizer, table


def embed(texts: list[str]) -> NDArray[np.float32]:
    """Unit vectors, one row per text (an empty list gives a 0 x DIM array)."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    if not texts:
        return out
    tokenizer, table = _model()
    for i, enc in enumerate(tokenizer.encode_batch(texts, add_special_tokens=False)):
        if enc.ids:
            ids = np.clip(np.asarray(enc.ids), 0, table.shape[0] - 1)
            out[i] = table[ids].mean(axis=0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    unit: NDArray[np.float32] = (out / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    return unit


def warm() -> None:
    """Load the weights now (~0.2 s) rather than on the first answer."""
    _model()
