"""Big elementwise kernels split over the machine's cores (``torch.set_num_threads``).

NumPy runs every ufunc loop on one core; PyTorch spreads big elementwise ops
over its intra-op threads. ``call(ufunc, *args)`` does the same for arrays of
at least ``THRESHOLD`` elements: it splits the output into one contiguous
chunk per thread and runs the chunks at once (NumPy releases the GIL inside
its loops). Each element is computed exactly as in the one-core call, so
results are bit-for-bit the same. Small arrays, broadcasting, non-contiguous
operands and reductions take the plain call (below ~1M elements the handoff
to another thread costs more than it saves).
"""
import contextvars
import os
import queue
import threading

import numpy as np

THRESHOLD = 1 << 20


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class _State:
    threads = _cores()
    workers = []  # one (job queue) per helper thread, started on first use


_state = _State()


def set_num_threads(n):
    """Threads for big elementwise kernels (1: NumPy's own single-core loops)."""
    if type(n) is not int:
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    _state.threads = n


def get_num_threads():
    return _state.threads


def _worker(jobs):
    while True:
        ctx, fn, args, kw, box, done = jobs.get()
        try:
            ctx.run(fn, *args, **kw)
        except BaseException as e:  # noqa: BLE001 - handed back to the caller
            box.append(e)
        done.set()


def _helpers(n):
    ws = _state.workers
    while len(ws) < n:
        q = queue.SimpleQueue()
        threading.Thread(target=_worker, args=(q,), daemon=True, name="ndgrad-elementwise").start()
        ws.append(q)
    return ws[:n]


def _after_fork():  # a forked child (multiprocessing with fork) has none of the parent's threads
    _state.workers = []


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def call(ufunc, *args):
    """``ufunc(*args)``, on several cores when the arrays are big (same result)."""
    n = _state.threads
    if n < 2:
        return ufunc(*args)
    shape = None
    for a in args:
        if type(a) is np.ndarray and a.ndim:
            if shape is None:
                shape = a.shape
                size = a.size
            elif a.shape != shape:
                return ufunc(*args)
            if not a.flags.c_contiguous:
                return ufunc(*args)
    if shape is None or size < THRESHOLD:
        return ufunc(*args)
    try:
        helpers = _helpers(n - 1)
    except RuntimeError:  # no new threads (interpreter shutting down): one core
        return ufunc(*args)
    # the result dtype NumPy would choose, from a one-element call (cheap, same promotion rules)
    probe = ufunc(*(a.reshape(-1)[:1] if type(a) is np.ndarray and a.ndim else a for a in args))
    out = np.empty(shape, dtype=probe.dtype)
    flat_out = out.reshape(-1)
    flats = [a.reshape(-1) if type(a) is np.ndarray and a.ndim else a for a in args]
    size = flat_out.size
    bounds = [size * i // n for i in range(n + 1)]
    ctx = contextvars.copy_context()  # NumPy's error state (np.errstate) lives in a context variable
    box = []
    dones = []
    for i, q in enumerate(helpers, start=1):
        lo, hi = bounds[i], bounds[i + 1]
        done = threading.Event()
        q.put((ctx.copy(), ufunc, [f[lo:hi] if type(f) is np.ndarray and f.ndim else f for f in flats],
               {"out": flat_out[lo:hi]}, box, done))
        dones.append(done)
    hi = bounds[1]
    try:
        ufunc(*[f[:hi] if type(f) is np.ndarray and f.ndim else f for f in flats], out=flat_out[:hi])
    finally:
        for d in dones:
            d.wait()
    if box:
        raise box[0]
    return out


def parallel(ufunc):
    """``ufunc`` as a kernel that splits big arrays over the threads."""
    def k(*args):
        return call(ufunc, *args)
    k.__name__ = ufunc.__name__
    return k


class Big(np.ndarray):
    """A view of a big array whose elementwise ufunc calls (operators included) run on several
    cores; results are plain arrays. Backward hands these to array rules (``g * out`` then splits
    like a forward kernel); nothing else ever sees one."""

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kw):
        args = [np.asarray(a) if isinstance(a, Big) else a for a in inputs]
        if out is not None:
            kw["out"] = tuple(np.asarray(o) if isinstance(o, Big) else o for o in out)
        elif method == "__call__" and not kw and ufunc.nout == 1 and ufunc.signature is None:
            return call(ufunc, *args)
        return getattr(ufunc, method)(*args, **kw)
