"""Sentence meaning as vectors: WordLlama's 256-dim embeddings (the mean of the sentence's token
vectors, from LLM token embeddings), read straight from the files the `wordllama` wheel ships.

Nothing is fetched at run time, and the `wordllama` package itself is never imported: its loader pulls in
`requests` and looks for the tokenizer in the wrong folder. The same arithmetic takes ~20 lines here
(tests/test_embed.py holds it to the package's own `embed`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
from collections import OrderedDict
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
# One answer's sentences are a small batch: the tokenizer's thread pool costs more than it saves (~25%
# measured), and a process that has started it cannot fork safely (stardrive grade --jsonl forks).
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def package_dir() -> Path:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the wordllama package is not installed (pip install wordllama)")
    return Path(next(iter(spec.submodule_search_locations)))


_DTYPES = {"F16": np.float16, "F32": np.float32}


def _table(path: Path, name: str) -> NDArray[np.floating]:
    """One tensor of a safetensors file, memory-mapped: a sentence touches a few rows of 32,000, so
    paging in only those beats reading and converting all 16 MB at start-up (~0.1 s of ~0.2 s)."""
    with path.open("rb") as f:
        size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(size))
    entry = header[name]
    begin, _ = entry["data_offsets"]
    return np.memmap(
        path, dtype=_DTYPES[entry["dtype"]], mode="r", offset=8 + size + begin, shape=tuple(entry["shape"])
    )


@lru_cache(maxsize=1)
def _model() -> tuple[Tokenizer, NDArray[np.floating]]:
    with _lock:
        from tokenizers import Tokenizer

        folder = package_dir()
        tokenizer = Tokenizer.from_file(str(folder / _TOKENIZER))
        tokenizer.no_padding()
        tokenizer.no_truncation()
        return tokenizer, _table(folder / _WEIGHTS, "embedding.weight")


def embed(texts: list[str]) -> NDArray[np.float32]:
    """Unit vectors, one row per text (an empty list gives a 0 x DIM array)."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    if not texts:
        return out
    tokenizer, table = _model()
    ids = [enc.ids for enc in tokenizer.encode_batch(texts, add_special_tokens=False)]
    lengths = np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(ids))
    if lengths.sum():
        # One gather and one segmented sum for the whole batch instead of a mean per text.
        flat = np.clip(np.fromiter((t for x in ids for t in x), dtype=np.int64), 0, table.shape[0] - 1)
        present = lengths > 0
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])[present]
        out[present] = (
            np.add.reduceat(table[flat].astype(np.float32), starts, axis=0) / lengths[present, None]
        )
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    unit: NDArray[np.float32] = (out / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    return unit


class _Rows:
    """The unit vectors of texts already embedded, the most recently used `size` of them (read-only rows).

    A text's row does not depend on the others embedded with it (one gather and one segmented sum per
    text; tests/test_embed.py holds a batch's rows to those of each text alone, bit for bit), so a
    cached row is the row a fresh batch would give. The planner reads all of an archetype's answers again
    after each one, and the reply checks each finished clause again as the reply grows: each sentence is
    embedded once."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._rows: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, texts: list[str]) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        found: dict[str, NDArray[np.float32]] = {}
        with self._lock:
            for t in texts:
                row = self._rows.get(t)
                if row is not None:
                    self._rows.move_to_end(t)
                    found[t] = row
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            fresh = embed(missing)
            with self._lock:
                for t, row in zip(missing, fresh, strict=True):
                    row = row.copy()  # its own memory: an evicted row frees it, not a view of a batch
                    row.flags.writeable = False
                    found[t] = self._rows[t] = row
                while len(self._rows) > self.size:
                    self._rows.popitem(last=False)
        return np.stack([found[t] for t in texts])  # a new array: the caller may change it freely

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()


# ~1 KB a row: 8192 sentences and words are ~9 MB.
_ROWS = _Rows(8192)


def embed_cached(texts: list[str]) -> NDArray[np.float32]:
    """`embed(texts)`, the same values bit for bit, each text embedded at most once while it is among the
    8192 most recently used."""
    return _ROWS.get(texts)


def warm() -> None:
    """Load the weights now (~0.2 s) rather than on the first answer."""
    _model()
