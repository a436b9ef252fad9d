"""A multinomial logistic regression: trained by `service.rubric.training`, shipped as an .npz file.

Plain numpy both ways, so grading needs no machine-learning library and training is deterministic
(full-batch gradient descent from zeros to the regularised loss's one minimum: the same corpus gives
the same weights to float noise, whatever the order BLAS sums in).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

WEIGHTS = Path(__file__).with_name("weights")


@dataclass(frozen=True)
class Softmax:
    labels: tuple[str, ...]
    weights: NDArray[np.float32]  # features x labels
    bias: NDArray[np.float32]
    mean: NDArray[np.float32]
    scale: NDArray[np.float32]

    def proba(self, x: NDArray[np.float32]) -> NDArray[np.float32]:
        z = ((x - self.mean) / self.scale) @ self.weights + self.bias
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        out: NDArray[np.float32] = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
        return out

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            labels=np.asarray(self.labels),
            weights=self.weights,
            bias=self.bias,
            mean=self.mean,
            scale=self.scale,
        )

    @classmethod
    def load(cls, path: Path) -> Softmax:
        with np.load(path, allow_pickle=False) as z:
            return cls(
                labels=tuple(str(v) for v in z["labels"]),
                weights=z["weights"].astype(np.float32),
                bias=z["bias"].astype(np.float32),
                mean=z["mean"].astype(np.float32),
                scale=z["scale"].astype(np.float32),
            )


def fit(
    x: NDArray[np.float32],
    y: list[str],
    labels: tuple[str, ...],
    *,
    l2: float = 0.1,
    steps: int = 600,
    rate: float = 0.05,
    balance: float = 0.75,
) -> Softmax:
    """Adam on the weighted mean cross-entropy plus `l2` times the squared weights.

    The step shrinks to nothing along a half cosine, so the fit settles at the loss's minimum (strictly
    convex in the weights; the biases are free only up to a common shift, which changes no
    probability): at a constant step the trap-kind weights were still swinging by half their size
    after 600 steps, and which way they ended depended on BLAS's summation order.

    Each example weighs 1 / (its label's count) ** `balance`: rare labels (an injection, a generic
    trade-off) are not drowned by the common ones, without being weighted up as far as full balance.
    """
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-3
    xs = ((x - mean) / scale).astype(np.float64)
    index = {label: i for i, label in enumerate(labels)}
    target = np.zeros((len(y), len(labels)))
    target[np.arange(len(y)), [index[v] for v in y]] = 1.0
    count = {label: y.count(label) for label in set(y)}
    sw = np.asarray([1.0 / count[v] ** balance for v in y])
    sw = sw / sw.sum()
    w = np.zeros((x.shape[1], len(labels)))
    b = np.zeros(len(labels))
    m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    for t in range(1, steps + 1):
        step = rate * 0.5 * (1 + math.cos(math.pi * t / steps))
        z = xs @ w + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - target) * sw[:, None]
        gw = xs.T @ g + 2 * l2 * w
        gb = g.sum(axis=0)
        for param, grad, m, v in ((w, gw, m_w, v_w), (b, gb, m_b, v_b)):
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad * grad
            param -= step * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return Softmax(
        labels=labels,
        weights=w.astype(np.float32),
        bias=b.astype(np.float32),
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
    )


@cache  # every shipped model stays loaded: a bounded cache that dropped one reloaded it per answer
def shipped(name: str) -> Softmax:
    return Softmax.load(WEIGHTS / f"{name}.npz")
