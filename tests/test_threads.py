"""One BLAS thread per process unless the operator says otherwise (service/__init__.py): OpenBLAS's pool
spun between the rubric's small matrix products and doubled the server's CPU per request."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = "import service, numpy, os; print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['OMP_NUM_THREADS'])"


@pytest.mark.parametrize(
    ("given", "want"),
    [
        (None, "1 1"),  # unset: one thread
        ("3", "3 1"),  # an explicit setting wins
    ],
)
def test_blas_threads(given: str | None, want: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == want.split()


def test_the_pool_really_has_one_thread() -> None:
    """numpy read the setting: it was made before numpy loaded, not after."""
    probe = (
        "import service, numpy, ctypes\n"
        "maps = open('/proc/self/maps').read().split()\n"
        "so = next((p for p in maps if 'openblas' in p and '.so' in p), None)\n"
        "d = ctypes.CDLL(so) if so else None\n"
        "names = ('scipy_openblas_get_num_threads64_', 'openblas_get_num_threads64_', 'openblas_get_num_threads')\n"
        "print(next((getattr(d, n)() for n in names if d is not None and hasattr(d, n)), None))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    if out.stdout.strip() == "None":
        pytest.skip("numpy here is not built against a loadable OpenBLAS")
    assert out.stdout.strip() == "1"
