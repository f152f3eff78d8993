"""Set-up shared by the single-core benchmarks (not a benchmark: ``make bench`` skips ``_*.py``).

Import it first: it pins numba and BLAS to one thread before they are imported, and makes ``bmdsim``
(``src/``) and ``tests.reference`` importable from a plain checkout.
"""

from __future__ import annotations

import os

for _var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
try:
    import bmdsim  # noqa: F401
except ImportError:  # run from a checkout without PYTHONPATH
    sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # tests.reference (independent reference solvers)


def bench_args(description: str, unit: str, n_baseline: int, argv=None, extra=None) -> argparse.Namespace:
    """--quick, --n, --baseline, --repeat, --strict (plus ``extra(parser)``), with the defaults filled in:
    n = 10,000 ``unit`` (1,000 quick), baseline = ``n_baseline`` (3 quick), repeat = 3 (1 quick)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--quick", action="store_true", help=f"smoke run: 1,000 {unit}, 3 baseline pairs")
    ap.add_argument("--n", type=int, default=None, help=f"number of {unit} (default 10,000; 1,000 with --quick)")
    ap.add_argument("--baseline", type=int, default=None,
                    help=f"baseline pairs (default {n_baseline}; 3 with --quick)")
    ap.add_argument("--repeat", type=int, default=None, help="timed calls, median counts (default 3; 1 with --quick)")
    ap.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    if extra:
        extra(ap)
    args = ap.parse_args(argv)
    args.n = args.n or (1000 if args.quick else 10_000)
    args.repeat = max(1, args.repeat or (1 if args.quick else 3))
    args.baseline = args.baseline if args.baseline is not None else (3 if args.quick else n_baseline)
    return args


def environment() -> str:
    """One line: interpreter, library versions, machine, threads."""
    import numba
    import numpy as np
    import scipy

    return (f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
            f"numba {numba.__version__}; {platform.machine()}, {os.cpu_count()} CPUs visible; "
            f"NUMBA_NUM_THREADS={numba.config.NUMBA_NUM_THREADS}, single process")


def peak_rss_mib() -> float:
    """Peak resident set size of this process (MiB; Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
