"""One measurement in a fresh interpreter: ``python -m bench._worker SPEC_JSON``.

The harness (``bench/run.py``) starts one worker per (workload, variant,
round), so import state, thread pools and peak memory of ndgrad, torch and the
NumPy floor never mix.  The worker prints one line ``BENCH_RESULT {json}``.

Variants: ``ndgrad``, ``torch`` (default threads), ``torch1`` (after
``torch.set_num_threads(1)``), ``floor`` (bench/floors.py, NumPy only).

Only the standard library is imported at module level, so the ``import``
mode measures the library's import in an interpreter where nothing else
(not even NumPy) has been imported.
"""
import gc
import json
import os
import resource
import sys
import time
import traceback

MARK = "BENCH_RESULT "
# Errors that can mean "ndgrad does not have this API yet" (see is_missing_api).
MISSING = (ImportError, AttributeError, NotImplementedError)

MEMORY_METHOD = (
    "peak RSS growth during the first (untimed) call: the kernel's RSS high-water "
    "mark (VmHWM) is reset via /proc/self/clear_refs after setup, and the figure is "
    "VmHWM after the call minus VmRSS before it; inputs made in setup are excluded")
MEMORY_FALLBACK = ("ru_maxrss after the first call minus RSS before it "
                   "(the high-water mark could not be reset; may read 0)")
TRACEMALLOC_METHOD = ("tracemalloc peak of one extra untimed call: counts NumPy buffers "
                      "and Python objects (ndgrad, floor); torch's allocator is not traced")


def is_missing_api(exc):
    """True when ``exc`` says an API is absent (reported as n/a), False when it
    is a bug inside the library (reported as an error). An AttributeError
    counts as missing only when raised by the workload's own line (e.g.
    ``lib.nn``, ``x.copy_``) or by a module's ``__getattr__``."""
    if isinstance(exc, (ImportError, NotImplementedError)):
        return True
    if not isinstance(exc, AttributeError):
        return False
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = tb.tb_frame.f_code.co_filename if tb is not None else ""
    in_bench = os.path.basename(os.path.dirname(where)) == "bench"
    return in_bench or str(exc).startswith("module ")


def _proc_status():
    out = {}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, val = line.split(":")
                    out[key] = int(val.split()[0]) * 1024
    except OSError:
        pass
    return out


def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _maxrss():
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb * (1 if sys.platform == "darwin" else 1024)


def _rss():
    return _proc_status().get("VmRSS", 0)


def _first_call(run):
    """Run once (warm-up), measuring peak memory growth and the result."""
    gc.collect()
    reset = _reset_peak()
    rss0 = _rss()
    t0 = time.perf_counter()
    out = run()
    elapsed = time.perf_counter() - t0
    peak = _proc_status().get("VmHWM", 0) if reset else _maxrss()
    return out, elapsed, {"peak_mb": max(0, peak - rss0) / 2**20,
                          "memory_method": MEMORY_METHOD if reset else MEMORY_FALLBACK}


def _to_float(value):
    if value is None:
        return None
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "item"):
        value = value.item()
    return float(value)


def _timings(run, samples, min_time):
    """``samples`` timings (seconds per call); calls are batched so one sample
    lasts at least ``min_time`` (like timeit's autorange). GC stays on, as in
    user code, but a collection runs before each sample.

    The batch size comes from a second call, not the first: a first call can
    carry one-time costs (torch.func compiles on it: 1.2 s against 1 ms after),
    and sizing batches by it left such workloads timed on single calls still
    warming up."""
    t0 = time.perf_counter()
    run()
    second = time.perf_counter() - t0
    number = 1 if second >= min_time else min(1000, int(min_time / max(second, 1e-7)) + 1)
    out = []
    for _ in range(samples):
        gc.collect()
        t0 = time.perf_counter()
        for _ in range(number):
            run()
        out.append((time.perf_counter() - t0) / number)
    return out, number


def _load_lib(variant):
    t0 = time.perf_counter()
    if variant == "floor":
        import numpy as lib
    elif variant == "ndgrad":
        import ndgrad as lib
        if getattr(lib, "__file__", None) is None:
            raise ImportError("ndgrad is only a namespace package (no ndgrad/__init__.py yet)")
    else:
        import torch as lib
        if variant == "torch1":
            lib.set_num_threads(1)
    info = {"import_s": time.perf_counter() - t0,
            "version": getattr(lib, "__version__", "?")}
    if variant.startswith("torch"):
        info["threads"] = lib.get_num_threads()
    return lib, info


def measure_workload(spec):
    from bench import floors
    from bench.workloads import BY_NAME

    wl = BY_NAME[spec["workload"]]
    size = wl.quick if spec["quick"] else wl.size
    variant = spec["variant"]
    res = {"variant": variant, "size": repr(size)}
    try:
        lib, info = _load_lib(variant)
    except MISSING as e:
        return dict(res, status="n/a", reason=f"import failed: {type(e).__name__}: {e}")
    res.update(info)
    stage = "setup"
    try:
        t0 = time.perf_counter()
        run = getattr(floors, wl.floor)(size) if variant == "floor" else wl.make(lib, size)
        res["setup_s"] = time.perf_counter() - t0
        stage = "run"
        out, first, mem = _first_call(run)
        res.update(mem, result=_to_float(out), first_s=first)
        times, number = _timings(run, spec["samples"], spec["min_time"])
        res.update(times=times, number=number, per=wl.divisor(size))
        if spec.get("profile"):
            import cProfile
            reps = max(1, min(1000, int(0.5 / max(first, 1e-7))))  # about 0.5 s of calls
            prof = cProfile.Profile()
            prof.runcall(lambda: [run() for _ in range(reps)])
            prof.dump_stats(spec["profile"])
            res.update(profile=spec["profile"], profile_calls=reps)
        if spec.get("tracemalloc") and variant in ("ndgrad", "floor"):
            import tracemalloc
            gc.collect()
            tracemalloc.start()
            run()
            res["tracemalloc_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            res["tracemalloc_method"] = TRACEMALLOC_METHOD
    except Exception as e:
        if is_missing_api(e):
            return dict(res, status="n/a", reason=f"{stage}: {type(e).__name__}: {e}",
                        traceback=traceback.format_exc(limit=-3))
        # a bug in the library under test: report it, don't crash the suite
        return dict(res, status="error", reason=f"{stage}: {type(e).__name__}: {e}",
                    traceback=traceback.format_exc(limit=-3))
    res["status"] = "ok"
    return res


def measure_import(spec):
    """Import time of a library in this fresh interpreter, and RSS it adds."""
    rss0 = _rss()
    try:
        _, info = _load_lib(spec["variant"])
    except MISSING as e:
        return {"variant": spec["variant"], "status": "n/a",
                "reason": f"import failed: {type(e).__name__}: {e}"}
    return dict(info, variant=spec["variant"], status="ok",
                rss_mb=(_rss() - rss0) / 2**20, peak_mb=(_maxrss() - rss0) / 2**20)


def main(argv):
    spec = json.loads(argv[1])
    if spec["mode"] == "import":
        res = measure_import(spec)
    else:
        res = measure_workload(spec)
    sys.stdout.write(MARK + json.dumps(res) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv)
