"""Smoke test of bench/: every workload runs once at its tiny size, so the suite cannot rot.

No timing is asserted anywhere.  A workload that needs an ndgrad API not
written yet is skipped with the ImportError/AttributeError text as the reason
(the same rule, ``is_missing_api``, that makes the harness print "n/a");
any other exception is a failure.
"""
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import floors  # noqa: E402
from bench._worker import _to_float, is_missing_api  # noqa: E402
from bench.workloads import BY_NAME, WORKLOADS  # noqa: E402

WITH_FLOOR = [w for w in WORKLOADS if w.floor]


def _run_twice(lib, wl):
    """Set up at the tiny size and call ``run`` twice (the harness calls it
    repeatedly, so a workload must be re-runnable); returns both results."""
    run = wl.make(lib, wl.quick)
    return _to_float(run()), _to_float(run())


@pytest.fixture(scope="module")
def ndgrad():
    try:
        import ndgrad
    except ImportError as e:
        pytest.skip(f"ndgrad not importable: {type(e).__name__}: {e}")
    return ndgrad


@pytest.mark.parametrize("wl", WORKLOADS, ids=lambda w: w.name)
def test_workload_runs_on_ndgrad(wl, ndgrad):
    try:
        results = _run_twice(ndgrad, wl)
    except Exception as e:
        if is_missing_api(e):
            pytest.skip(f"ndgrad lacks an API {wl.name} needs: {type(e).__name__}: {e}")
        raise
    assert all(math.isfinite(r) for r in results)


@pytest.mark.parametrize("wl", WORKLOADS, ids=lambda w: w.name)
def test_workload_code_runs_on_torch(wl):
    """The workloads are written against the PyTorch API: real torch must run them."""
    torch = pytest.importorskip("torch", reason="PyTorch (test oracle) not installed")
    assert all(math.isfinite(r) for r in _run_twice(torch, wl))


@pytest.mark.parametrize("wl", WITH_FLOOR, ids=lambda w: w.name)
def test_floor_matches_autograd(wl):
    """The hand-written gradients of the NumPy floor are right (torch as oracle)."""
    floor = _to_float(getattr(floors, wl.floor)(wl.quick)())
    assert math.isfinite(floor)
    torch = pytest.importorskip("torch", reason="PyTorch (test oracle) not installed")
    expected = _to_float(wl.make(torch, wl.quick)())
    assert np.isclose(floor, expected, rtol=1e-4, atol=1e-5)


def test_every_workload_is_named_once():
    assert len(BY_NAME) == len(WORKLOADS)
    assert {w.target for w in WORKLOADS} <= {"torch", "torch_default", "floor"}


@pytest.mark.parametrize("entry", [["-m", "bench"], ["bench/run.py"]], ids=["module", "script"])
def test_command_line_end_to_end(entry, tmp_path):
    """Both entry points run, print the table and save JSON; ndgrad may be n/a."""
    out = tmp_path / "r.json"
    proc = subprocess.run(
        [sys.executable, *entry, "--quick", "--no-torch", "--only", "chain,elementwise,import",
         "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "workload" in proc.stdout and "Machine:" in proc.stdout
    data = json.loads(out.read_text())
    assert set(data["workloads"]) == {"chain", "elementwise"}
    assert data["workloads"]["elementwise"]["variants"]["floor"]["status"] == "ok"
    for name in ("chain", "elementwise"):
        assert data["workloads"][name]["variants"]["ndgrad"]["status"] in ("ok", "n/a")
    assert data["import"]["variants"]["ndgrad"]["status"] in ("ok", "n/a")


def test_profile_mode():
    """--profile runs one variant under cProfile and prints the top functions."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--profile", "floor", "--only", "elementwise",
         "--quick", "--top", "3"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "floor ok" in proc.stdout and "function calls" in proc.stdout


def test_bare_tape_floor_computes_the_workloads(ndgrad):
    # bench/tape_floor.py: the least a Python tape over NumPy costs; it must compute the same numbers
    from bench import tape_floor
    from bench.workloads import _chain_step
    x = ndgrad.tensor(0.3, dtype=ndgrad.float64, requires_grad=True)
    y = x
    for i in range(20):
        y = _chain_step(ndgrad, y, i)
    y.backward()
    assert float(tape_floor.chain(20)) == pytest.approx(x.grad.item(), rel=1e-12)
    assert math.isfinite(float(tape_floor.polyfit(50, 3)))


def test_batch_size_is_not_sized_by_a_slow_first_call():
    # torch.func spends ~1 s on its first call, then ~1 ms: samples must batch the fast calls, not
    # time single calls still warming up (the worker sizes batches by a second call)
    from bench._worker import _timings
    calls = []

    def run():
        calls.append(None)
        if len(calls) == 1:
            import time
            time.sleep(0.05)

    run()  # the worker's untimed first call
    times, number = _timings(run, samples=2, min_time=0.01)
    assert number > 1 and len(times) == 2
