"""Run the benchmark suite of issue 5: ndgrad against PyTorch eager and a NumPy floor.

    python -m bench                    # everything, prints the table, saves JSON
    python bench/run.py --only polyfit,chain --repeat 5
    python -m bench --quick --no-torch # tiny sizes, ndgrad and floor only

Each (workload, variant, round) runs in a fresh interpreter (bench/_worker.py)
started from here, so the measurements share a process tree but not import
state, thread pools or memory; the variants alternate, in an order reversed
every other round, so slow drifts of the machine hit all of them alike.
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # `python bench/run.py`
    sys.path.insert(0, str(ROOT))

from bench import _report  # noqa: E402
from bench._worker import MARK  # noqa: E402
from bench.workloads import WORKLOADS  # noqa: E402

RESULTS = ROOT / "bench" / "results"
NAMES = [w.name for w in WORKLOADS] + ["import"]


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    p.add_argument("--only", metavar="NAME[,NAME]",
                   help="run only these workloads: " + ", ".join(NAMES))
    p.add_argument("--repeat", type=int, default=None, metavar="N",
                   help="alternating rounds per variant, each in a fresh interpreter "
                        "(default 5; 1 with --quick)")
    p.add_argument("--samples", type=int, default=None, metavar="K",
                   help="timed samples per round after a warm-up call (default 3; 1 with --quick)")
    p.add_argument("--min-time", type=float, default=0.05, metavar="S",
                   help="a sample batches calls until it lasts S seconds (default 0.05)")
    p.add_argument("--quick", action="store_true",
                   help="tiny sizes, one round: checks that everything runs, times mean nothing")
    p.add_argument("--json", metavar="PATH",
                   help="where to save results (default bench/results/<timestamp>.json; a full "
                        "default run, no --only/--quick, also updates bench/results/latest.json)")
    p.add_argument("--no-torch", action="store_true", help="skip the PyTorch variants")
    p.add_argument("--compare", metavar="OLD.json",
                   help="also print how ndgrad's medians moved since a saved run")
    p.add_argument("--profile", nargs="?", const="ndgrad", choices=["ndgrad", "torch", "floor"],
                   help="instead of timing, run each selected workload once on ndgrad (or the "
                        "variant named) under cProfile: print the top functions, keep the .prof "
                        "in bench/results/profiles/")
    p.add_argument("--top", type=int, default=25, metavar="N",
                   help="with --profile, how many functions to print (default 25)")
    p.add_argument("--timeout", type=float, default=1200, metavar="S",
                   help="give up on one worker after S seconds (default 1200)")
    args = p.parse_args(argv)
    args.names = NAMES if not args.only else [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in args.names if n not in NAMES]
    if unknown:
        p.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(NAMES)}")
    if args.repeat is None:
        args.repeat = 1 if args.quick else 5  # 3 rounds let one noisy round move a median ratio by 0.1
    if args.samples is None:
        args.samples = 1 if args.quick else 3
    if args.quick:
        args.min_time = 0.0
    if args.repeat < 1 or args.samples < 1:
        p.error("--repeat and --samples must be at least 1")
    return args


# Every library runs from compiled bytecode, as an installed package does (pip compiles
# .pyc at install; torch and NumPy here have theirs). Where PYTHONDONTWRITEBYTECODE is
# set (this sandbox), a source checkout of ndgrad would be recompiled in every fresh
# interpreter (about 3x its import time), so bytecode goes to a cache outside the tree.
PYCACHE = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                       "ndgrad-bench", "pycache")


def call_worker(spec, timeout):
    """Run one measurement in a fresh interpreter; always returns a result dict."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if env.pop("PYTHONDONTWRITEBYTECODE", None) and "PYTHONPYCACHEPREFIX" not in env:
        env["PYTHONPYCACHEPREFIX"] = PYCACHE
    cmd = [sys.executable, "-m", "bench._worker", json.dumps(spec)]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"variant": spec["variant"], "status": "error",
                "reason": f"worker timed out after {timeout:.0f} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
    return {"variant": spec["variant"], "status": "error",
            "reason": f"worker exited {proc.returncode}: {tail}", "stderr": proc.stderr[-4000:]}


def rounds(variants, repeat):
    """Alternate the variants; reverse the order every other round."""
    for r in range(repeat):
        yield r, (variants if r % 2 == 0 else variants[::-1])


def run_workload(wl, args, have_torch, log):
    variants = ["ndgrad"] + (["torch", "torch1"] if have_torch else []) + \
               (["floor"] if wl.floor else [])
    runs = {v: [] for v in variants}
    for r, order in rounds(variants, args.repeat):
        for v in order:
            if runs[v] and runs[v][0].get("status") != "ok":
                continue  # n/a or broken: once is enough
            spec = {"mode": "workload", "workload": wl.name, "variant": v, "quick": args.quick,
                    "samples": args.samples, "min_time": args.min_time, "tracemalloc": True}
            t0 = time.perf_counter()
            res = call_worker(spec, args.timeout)
            runs[v].append(res)
            log(f"  {wl.name:<12} round {r + 1}/{args.repeat} {v:<7} {res['status']:<5} "
                f"({time.perf_counter() - t0:.1f} s wall)")
    return _report.summarize_workload(wl, runs), runs


def run_import(args, have_torch, log):
    variants = ["ndgrad"] + (["torch"] if have_torch else [])
    n = max(5, 2 * args.repeat) if not args.quick else 1
    runs = {v: [] for v in variants}
    for v in variants:  # untimed: compiles bytecode that is missing or stale
        call_worker({"mode": "import", "variant": v}, args.timeout)
    for r, order in rounds(variants, n):
        for v in order:
            if not runs[v] or runs[v][0].get("status") == "ok":
                runs[v].append(call_worker({"mode": "import", "variant": v}, args.timeout))
    log(f"  import       {n} fresh interpreters per library (after one untimed warm-up each)")
    return _report.summarize_import(runs), runs


def profile(args, log):
    """One cProfile'd call per workload (after a warm-up call)."""
    import pstats
    folder = RESULTS / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".gitignore").write_text("*\n")
    for wl in WORKLOADS:
        if wl.name not in args.names or (args.profile == "floor" and not wl.floor):
            continue
        path = folder / f"{wl.name}-{args.profile}{'-quick' if args.quick else ''}.prof"
        res = call_worker({"mode": "workload", "workload": wl.name, "variant": args.profile,
                           "quick": args.quick, "samples": 1, "min_time": 0.0,
                           "profile": str(path)}, args.timeout)
        calls = f" ({res['profile_calls']} calls)" if "profile_calls" in res else ""
        print(f"\n=== {wl.title}: {args.profile} {res['status']}{calls}", res.get("reason", ""))
        if res["status"] == "ok":
            pstats.Stats(str(path)).strip_dirs().sort_stats("tottime").print_stats(args.top)
            log(f"profile saved: {path} (python -m pstats {path})")
    return 0


def save(summary, args):
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = Path(args.json) if args.json else RESULTS / f"{summary['timestamp']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(summary, indent=1, sort_keys=False) + "\n"
    path.write_text(text)
    written = [path]
    if not args.json and not args.quick and not args.only:
        (RESULTS / "latest.json").write_text(text)
        written.append(RESULTS / "latest.json")
    return written


def main(argv=None):
    args = parse_args(argv)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    if args.profile:
        return profile(args, log)
    have_torch = not args.no_torch and importlib.util.find_spec("torch") is not None
    summary = {"timestamp": time.strftime("%Y%m%d-%H%M%S"),
               "machine": _report.machine(ROOT),
               "args": {k: getattr(args, k) for k in
                        ("names", "repeat", "samples", "min_time", "quick", "no_torch")},
               "torch_measured": have_torch, "workloads": {}, "raw": {}}
    log(_report.describe_machine(summary["machine"]))
    if not have_torch:
        log("PyTorch variants skipped (" + ("--no-torch" if args.no_torch else
                                            "torch not installed") + ")")
    for wl in WORKLOADS:
        if wl.name in args.names:
            summary["workloads"][wl.name], summary["raw"][wl.name] = \
                run_workload(wl, args, have_torch, log)
    if "import" in args.names:
        summary["import"], summary["raw"]["import"] = run_import(args, have_torch, log)
    summary["machine"]["loadavg_end"] = _report._loadavg()
    for v in summary["workloads"].values():  # torch's thread count, as measured
        t = v["variants"].get("torch", {}).get("threads")
        if t:
            summary["machine"]["torch_default_threads"] = t
    text, notes = _report.table(summary)
    print()
    print(_report.describe_machine(summary["machine"]) +
          (f"; torch default threads: {summary['machine']['torch_default_threads']}"
           if "torch_default_threads" in summary["machine"] else ""))
    if args.quick:
        print("--quick: tiny sizes, one round; the times below mean nothing.")
    print()
    print(text)
    if notes:
        print("\nNotes:")
        for n in notes:
            print("  " + n)
    print()
    print(_report.legend(summary))
    if args.compare:
        print()
        print("\n".join(_report.compare(json.loads(Path(args.compare).read_text()), summary)))
    for path in save(summary, args):
        print(f"Saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
