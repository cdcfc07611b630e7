"""Per-op cost of source tracking (ndgrad/autograd/_source.py), tracking on vs off.

    python -m bench.source_tracking [--rounds 60]      (from the repository root)

Each statement is timed in short batches, alternating on/off, and the minimum per op over all
batches is kept (the least disturbed figure on a busy machine). Rows: recorded ops on a 10-element
float32 tensor (overhead-dominated: the worst case for a relative figure) and a 100-op chain with its
backward (the cost of an op as autograd uses it). Not a pytest file: run it by hand.
"""
import argparse
import gc
import os
import sys
import timeit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import ndgrad  # noqa: E402
from ndgrad.autograd import _source  # noqa: E402


def chain(x):
    y = x
    for _ in range(100):
        y = y * 1.0001
    y.sum().backward()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=60)
    args = ap.parse_args()
    x = ndgrad.ones(10, requires_grad=True)
    y = ndgrad.ones(10)
    env = {"x": x, "y": y, "chain": chain}
    rows = [("x * y", "x*y", 500, 1), ("x.sin()", "x.sin()", 500, 1), ("x[1:3]", "x[1:3]", 500, 1),
            ("x + 1", "x+1", 500, 1), ("x.sum()", "x.sum()", 500, 1),
            ("chain: fwd+bwd per op", "chain(x)", 5, 101)]
    gc.disable()
    print(f"{'op':24s} {'on (us)':>9s} {'off (us)':>9s} {'cost (ns)':>9s} {'cost':>7s}")
    for label, stmt, n, per in rows:
        best = {True: float("inf"), False: float("inf")}
        for _ in range(args.rounds):
            for on in (True, False):
                _source.tracking.on = on
                t = timeit.timeit(stmt, globals=env, number=n) / (n * per)
                best[on] = min(best[on], t)
        _source.tracking.on = True
        c = best[True] - best[False]
        print(f"{label:24s} {best[True] * 1e6:9.3f} {best[False] * 1e6:9.3f} {c * 1e9:9.0f} "
              f"{c / best[False] * 100:+6.1f}%")


if __name__ == "__main__":
    main()
