"""Summaries, the printed table and the machine description for bench/run.py."""
import os
import platform
import statistics
import subprocess
import sys
from importlib import metadata

from bench._worker import MEMORY_METHOD, TRACEMALLOC_METHOD

VARIANTS = ("ndgrad", "torch", "torch1", "floor")
CHECK_RTOL = 2e-3  # float32 results; summation order differs between libraries
IMPORT_LIMIT_S = 0.15
MEM_SLACK_MB = 1.0  # RSS moves by pages and malloc arenas: same code reads +-1 MB


# --------------------------------------------------------------------- machine
def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(dist):
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _numpy_blas():
    try:
        import numpy as np
        deps = np.show_config(mode="dicts")["Build Dependencies"]
        blas = deps.get("blas", {})
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # the description is best effort
        return "?"


def _git(root, *args):
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine(root):
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu": _cpu_model(), "cpu_count": os.cpu_count(), "usable_cpus": usable,
        "platform": platform.platform(), "python": sys.version.split()[0],
        "numpy": _version("numpy"), "numpy_blas": _numpy_blas(),
        "torch": _version("torch"), "ndgrad_commit": _git(root, "rev-parse", "--short", "HEAD"),
        "dirty": bool(_git(root, "status", "--porcelain", "--", "ndgrad")),
        "loadavg_start": _loadavg(),
    }


def _loadavg():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def describe_machine(m):
    torch = f"torch {m['torch']}" if m["torch"] else "torch not installed"
    dirty = " (ndgrad/ modified)" if m["dirty"] else ""
    load = "" if not m.get("loadavg_start") else \
        f"; load average {m['loadavg_start'][0]} at start" + (
            f", {m['loadavg_end'][0]} at end" if m.get("loadavg_end") else "")
    return (f"Machine: {m['cpu']}, {m['usable_cpus']} usable of {m['cpu_count']} CPUs{load}; "
            f"{m['platform']}\nPython {m['python']}, numpy {m['numpy']} ({m['numpy_blas']}), "
            f"{torch}; ndgrad at {m['ndgrad_commit'] or '?'}{dirty}")


# --------------------------------------------------------------------- summary
def _spread(times):
    """Interquartile range over the median: how far to trust a median."""
    if len(times) < 2:
        return None
    q1, med, q3 = statistics.quantiles(times, n=4, method="inclusive")
    return (q3 - q1) / med if med else None


def summarize_variant(runs):
    """Pool the rounds of one variant: median per-call time etc."""
    ok = [r for r in runs if r.get("status") == "ok"]
    if not ok:
        bad = runs[0] if runs else {"status": "n/a", "reason": "not run"}
        return {"status": bad.get("status", "error"), "reason": bad.get("reason", "?")}
    times = [t / r["per"] for r in ok for t in r["times"]]
    out = {"status": "ok", "median_s": statistics.median(times), "min_s": min(times),
           "max_s": max(times), "samples": len(times), "spread": _spread(times),
           "round_medians_s": [statistics.median(r["times"]) / r["per"] for r in ok],
           "peak_mb": statistics.median(r["peak_mb"] for r in ok),
           "result": ok[0]["result"], "version": ok[0].get("version")}
    if "threads" in ok[0]:
        out["threads"] = ok[0]["threads"]
    tm = [r["tracemalloc_mb"] for r in ok if "tracemalloc_mb" in r]
    if tm:
        out["tracemalloc_mb"] = statistics.median(tm)
    return out


def _ratio(a, b):
    if a.get("status") == "ok" and b.get("status") == "ok" and b["median_s"] > 0:
        return a["median_s"] / b["median_s"]
    return None


def _agree(a, b):
    x, y = a.get("result"), b.get("result")
    if x is None or y is None:
        return None
    return abs(x - y) <= CHECK_RTOL * max(abs(x), abs(y), 1e-12)


def summarize_workload(wl, runs):
    """``runs`` maps variant -> list of worker results."""
    v = {name: summarize_variant(rs) for name, rs in runs.items()}
    nd = v.get("ndgrad", {})
    ratios = {f"ndgrad/{k}": _ratio(nd, v[k]) for k in ("torch", "torch1", "floor") if k in v}
    if wl.target == "floor":
        ratio, against = ratios.get("ndgrad/floor"), "floor"
    elif wl.target == "torch_default":
        ratio, against = ratios.get("ndgrad/torch"), "torch (default threads)"
    else:  # the stricter of the two torch settings
        pair = [(ratios.get(f"ndgrad/{k}"), k) for k in ("torch", "torch1")]
        pair = [p for p in pair if p[0] is not None]
        ratio, against = max(pair) if pair else (None, "torch (faster setting)")
        against = {"torch": "torch (default threads, the faster)",
                   "torch1": "torch (1 thread, the faster)"}.get(against, against)
    passed = None if ratio is None else ratio <= wl.limit
    mem_ok = None
    if nd.get("status") == "ok" and v.get("torch", {}).get("status") == "ok":
        mem_ok = nd["peak_mb"] <= v["torch"]["peak_mb"] + MEM_SLACK_MB
    ref = v.get("torch") if v.get("torch", {}).get("status") == "ok" else v.get("floor", {})
    checks = {k: _agree(v[k], ref) for k in v if v[k] is not ref and v[k].get("status") == "ok"}
    return {"title": wl.title, "unit": wl.unit, "variants": v, "ratios": ratios,
            "target": {"ratio": f"ndgrad/{wl.target.split('_')[0]}", "limit": wl.limit,
                       "against": against, "value": ratio, "pass": passed},
            "memory_pass": mem_ok, "results_agree": checks}


def summarize_import(runs):
    v = {}
    for name, rs in runs.items():
        ok = [r for r in rs if r.get("status") == "ok"]
        if not ok:
            v[name] = {"status": (rs[0] if rs else {}).get("status", "n/a"),
                       "reason": (rs[0] if rs else {}).get("reason", "not run")}
            continue
        v[name] = {"status": "ok", "median_s": statistics.median(r["import_s"] for r in ok),
                   "min_s": min(r["import_s"] for r in ok), "samples": len(ok),
                   "rss_mb": statistics.median(r["rss_mb"] for r in ok)}
    nd = v.get("ndgrad", {})
    value = nd.get("median_s")
    return {"title": "(8) import time (fresh interpreter)", "variants": v,
            "ratios": {"ndgrad/torch": _ratio(nd, v.get("torch", {}))},
            "target": {"limit_s": IMPORT_LIMIT_S, "value": value,
                       "pass": None if value is None else value < IMPORT_LIMIT_S}}


# --------------------------------------------------------------------- table
def _time(s, unit):
    if s.get("status") != "ok":
        return s.get("status", "-") if s else "-"
    x = s["median_s"] * (1e6 if unit == "us" else 1e3)
    return f"{x:.3g}" if x < 100 else f"{x:.0f}"


def _num(x, fmt="{:.2f}"):
    return "-" if x is None else fmt.format(x)


def _mb(x):
    return "-" if x is None else f"{x:.1f}" if x < 10 else f"{x:.0f}"


def _mark(ok):
    return {True: "pass", False: "MISS", None: "-"}[ok]


def _worst_spread(variants):
    spreads = [x["spread"] for x in variants.values() if x.get("spread") is not None]
    return f"{max(spreads):.0%}" if spreads else "-"


def table(summary):
    head = ["workload", "unit", "ndgrad", "torch", "torch 1t", "nd/torch", "nd/t1",
            "floor", "nd/floor", "target", "mark", "MB nd", "MB torch", "mem", "same", "spread"]
    rows, notes = [], []
    for name, s in summary["workloads"].items():
        v, r, t = s["variants"], s["ratios"], s["target"]
        get = lambda k: v.get(k, {})  # noqa: E731
        same = [ok for ok in s["results_agree"].values() if ok is not None]
        rows.append([
            name, s["unit"] + ("/op" if name == "chain" else ""),
            _time(get("ndgrad"), s["unit"]), _time(get("torch"), s["unit"]),
            _time(get("torch1"), s["unit"]), _num(r.get("ndgrad/torch")),
            _num(r.get("ndgrad/torch1")), _time(get("floor"), s["unit"]) if "floor" in v else "",
            _num(r.get("ndgrad/floor")) if "floor" in v else "",
            f"{t['ratio']}<={t['limit']}", _mark(t["pass"]),
            _mb(get("ndgrad").get("peak_mb")), _mb(get("torch").get("peak_mb")),
            {True: "ok", False: "MISS", None: "-"}[s["memory_pass"]],
            "-" if not same else ("yes" if all(same) else "NO"), _worst_spread(v)])
        for k, x in v.items():
            if x.get("status") != "ok":
                notes.append(f"{name} [{k}] {x['status']}: {x.get('reason', '')}")
        for k, ok in s["results_agree"].items():
            if ok is False:
                notes.append(f"{name} [{k}] result {v[k]['result']!r} differs from the "
                             f"reference's (rtol {CHECK_RTOL})")
    imp = summary.get("import")
    if imp:
        v, t = imp["variants"], imp["target"]
        sec = lambda k: (f"{v[k]['median_s'] * 1e3:.0f}" if v.get(k, {}).get("status") == "ok"  # noqa: E731
                         else v.get(k, {}).get("status", "-"))
        rows.append(["import", "ms", sec("ndgrad"), sec("torch"), "", _num(imp["ratios"]["ndgrad/torch"]),
                     "", "", "", f"<{t['limit_s'] * 1e3:.0f} ms", _mark(t["pass"]),
                     _mb(v.get("ndgrad", {}).get("rss_mb")), _mb(v.get("torch", {}).get("rss_mb")),
                     "", "", ""])
        for k, x in v.items():
            if x.get("status") != "ok":
                notes.append(f"import [{k}] {x['status']}: {x.get('reason', '')}")
    widths = [max(len(str(row[i])) for row in [head] + rows) for i in range(len(head))]
    fmt = lambda row: "  ".join(str(c).rjust(w) if i else str(c).ljust(w)  # noqa: E731
                                for i, (c, w) in enumerate(zip(row, widths)))
    lines = [fmt(head), "  ".join("-" * w for w in widths)] + [fmt(row) for row in rows]
    return "\n".join(lines), notes


def legend(summary):
    a = summary["args"]
    return "\n".join([
        f"Times: median over {a['repeat']} alternating rounds x {a['samples']} samples, each "
        "round a fresh interpreter per variant (ndgrad, torch default threads, torch after "
        "set_num_threads(1), NumPy floor), order reversed every other round; ms per run, "
        "chain in us per forward op (its backward included).",
        "Targets (issue 5): (1)-(3) ndgrad <= 0.7 x the faster torch setting; (6),(7) <= 1.0 x "
        "torch default threads; (4),(5) <= 1.1 x the hand-written NumPy floor; import < 150 ms; "
        f"peak memory <= torch's ('mem', with {MEM_SLACK_MB:.0f} MB slack for RSS granularity).",
        f"Memory (MB nd / MB torch): {MEMORY_METHOD}. Import row: RSS added by the import.",
        f"tracemalloc (in the JSON, ndgrad and floor only): {TRACEMALLOC_METHOD}.",
        "'spread': the largest interquartile range / median among the row's variants; "
        "above ~20% the machine was noisy and the row's ratios are rough.",
        f"'same': each variant's result agrees with torch's (the floor's without torch) to rtol "
        f"{CHECK_RTOL}.",
    ])


def compare(old, new):
    """Lines comparing the ndgrad medians (and ratios) of two saved runs."""
    lines = [f"Compared with {old.get('timestamp', '?')} "
             f"(ndgrad at {old.get('machine', {}).get('ndgrad_commit', '?')}):"]
    for name, s in new["workloads"].items():
        o = old.get("workloads", {}).get(name)
        a = (o or {}).get("variants", {}).get("ndgrad", {})
        b = s["variants"].get("ndgrad", {})
        if a.get("status") != "ok" or b.get("status") != "ok":
            lines.append(f"  {name:<12} -")
            continue
        ra, rb = o["target"]["value"], s["target"]["value"]
        target = "" if ra is None or rb is None else \
            f"; {s['target']['ratio']} {ra:.2f} -> {rb:.2f}"
        lines.append(f"  {name:<12} ndgrad {a['median_s'] * 1e3:.4g} -> {b['median_s'] * 1e3:.4g} ms"
                     f" (speed x{a['median_s'] / b['median_s']:.2f}){target}")
    return lines
