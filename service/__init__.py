"""stardrive: a mock interviewer for the behavioral rounds of Staff-level AI engineering loops."""

import os

# The rubric's matrices are small (one answer's sentences by 256 dimensions), so a BLAS thread pool
# only adds threads that spin between calls: with the pool, `bench/load.py` measured twice the CPU per
# request for no gain in latency. Parallelism comes from processes (`serve --workers`, batch grading).
# Set before numpy loads, which happens first under this package; an explicit setting still wins.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

__version__ = "0.1.0"
