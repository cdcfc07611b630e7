"""The backward engine: iterative, in reverse creation order.

One pass discovers the nodes reachable from the roots; they then run newest
first (a node is created after its inputs' nodes, so every node runs after all
that feed it: PyTorch's order, without a ready queue). Leaves accumulate as
soon as their last gradient arrives. Gradients are reduced to each input's
shape and dtype in exactly one place (``_fit``/``_fit_array``), summed per
node input, and dropped as soon as the node that consumed them has run.
Without ``create_graph`` they travel as NumPy arrays (array mode, see
``_ops/_core.py``).
"""
import sys
from operator import attrgetter
from sys import getrefcount

import numpy as np

from . import grad_mode
from .graph import AccumulateGrad, Node, _anomaly
from ._source import tracking as _track, where as _where
from .._parallel import THRESHOLD as _BIG, Big as _Big
from .. import _tensor as _T  # partially initialised here (circular); _T._wrap is read at call time

_state = grad_mode._state
RUNS = 0  # backward passes started (explain() tells 'not run yet' from 'did not reach')


_seq_key = attrgetter("_seq")


def _fit_array(d, meta):
    """``_fit`` for array-mode gradients (NumPy arrays or scalars)."""
    shape, npdt = meta
    if d.shape != shape:
        if not shape and d.ndim == 1:  # a vector's gradient to a scalar (a bias, a polynomial coefficient)
            d = np.add.reduce(d, axis=0)
            return d if d.dtype == npdt else np.asarray(d, dtype=npdt)
        lead = d.ndim - len(shape)
        if lead:
            d = np.add.reduce(d, axis=tuple(range(lead)))
        axes = tuple(i for i, s in enumerate(shape) if s == 1 and d.shape[i] != 1)
        if axes:
            d = np.add.reduce(d, axis=axes, keepdims=True)
    if d.dtype != npdt:
        d = np.asarray(d, dtype=npdt)
    return d


def _as_tensor(d):
    if d is None:
        return None
    return _T._wrap(d if type(d) is np.ndarray else np.asarray(d))


def _as_tensors(ds):
    return [_as_tensor(d) for d in ds]


def _as_arrays(ts):
    return [None if t is None else t._data for t in ts]


def _fit(g, meta):
    """Sums ``g`` down to the input's shape (broadcasting) and casts to its dtype."""
    shape, npdt = meta
    d = g._data
    if d.shape != shape:
        if not _state.enabled and g._grad_fn is None:
            # not recording (no create_graph): reduce in NumPy, no op dispatch
            # (no reshape: the result owns its memory, so AccumulateGrad can adopt it without a copy)
            lead = d.ndim - len(shape)
            if lead:
                d = np.add.reduce(d, axis=tuple(range(lead)), out=...)
            axes = tuple(i for i, s in enumerate(shape) if s == 1 and d.shape[i] != 1)
            if axes:
                d = np.add.reduce(d, axis=axes, keepdims=True, out=...)
            g = _T._wrap(d)
        else:
            from .._ops._reduce import sum_to_size
            g = sum_to_size(g, shape)
    if g._data.dtype != npdt:
        from .._dtype import from_numpy_dtype
        g = g.to(from_numpy_dtype(npdt))
    return g


def _add_into(old, g):
    """``old += g`` in place when the engine owns ``old`` alone (no other tensor, view or
    saved value refers to it or its memory): no temporary for gradients that meet.
    Refcounts: the buffer list, the caller's local, the argument, getrefcount's."""
    d = old._data
    if (sys.getrefcount(old) > 4 or sys.getrefcount(d) > 3 or d.base is not None
            or old._grad_fn is not None or not d.flags.writeable):
        return False
    gd = g._data
    if gd.shape != d.shape or gd.dtype != d.dtype:
        return False
    np.add(d, gd, out=d)
    return True


def _layout_ok(d, p):
    """PyTorch's gradient layout contract: ``.grad`` has its parameter's memory order (C, else Fortran),
    so an optimizer's elementwise updates of the two run over memory in step (a transposed grad made
    them up to 15x slower)."""
    return d.flags.c_contiguous if p.flags.c_contiguous else (not p.flags.f_contiguous or d.flags.f_contiguous)


def _grad_copy(d, p):
    return np.array(d, copy=True, order="F" if p.flags.f_contiguous and not p.flags.c_contiguous else "C")


def _steal_ok(g):
    # the engine's own references: the caller's local, the argument, getrefcount's
    arr = g._data
    return (sys.getrefcount(g) <= 4 and sys.getrefcount(arr) <= 3 and arr.base is None
            and arr.flags.writeable and g._grad_fn is None)


def accumulate_grad(var, g):
    """Adds ``g`` into ``var.grad`` as PyTorch's AccumulateGrad does."""
    if var._grad_fn is not None:
        from ._source import describe, note
        raise note(RuntimeError("leaf variable has been moved into the graph interior"),
                   f"this tensor was a leaf when the graph was recorded, but an in-place op then gave it a "
                   f"grad_fn: {describe(var._grad_fn)}.",
                   "fix: modify leaves in place only inside `with torch.no_grad():` (or write x = x * 2, "
                   "which makes a new tensor and leaves the leaf alone).")
    if g is None:
        return
    cur = var._grad
    if cur is None:
        if _state.enabled:
            var._grad = g
        else:
            d = g._data
            if _steal_ok(g) and _layout_ok(d, var._data):
                var._grad = g
            else:
                var._grad = _T._wrap(_grad_copy(d, var._data))
    elif _state.enabled:
        var._grad = cur + g
    elif cur._grad_fn is not None or not cur._data.flags.writeable:
        var._grad = cur.detach() + g
    else:
        _add_in_place(cur, g._data)
    hooks = var._post_acc_hooks
    if hooks:
        for h in tuple(hooks.values()):
            h(var)


def _add_in_place(cur, d):
    """``cur += d`` into an existing ``.grad`` (no graph built); a 0-d one through NumPy scalars, a fifth of
    a ufunc call on 0-d arrays, same bits."""
    cd = cur._data
    if cd.ndim:
        np.add(cd, d, out=cd, casting="unsafe")
    else:
        cd[()] = cd[()] + d
    if cur._vc is not None:
        cur._vc.v += 1


def _run_big(rule, node, g):
    """An array rule on a big gradient: its elementwise arithmetic on several cores (ndgrad/_parallel.py)."""
    gb = g.view(_Big)
    _state.arrays = 2
    try:
        outs = rule(node, gb)
    finally:
        _state.arrays = True
    if type(outs) is not tuple:
        outs = (outs,)
    # the gradient passed through (add, expand...) is the engine's own array again; other views as plain arrays
    return tuple(g if o is gb else np.asarray(o) if type(o) is _Big else o for o in outs)


def _accumulate_array(var, d, owned):
    """``accumulate_grad`` for an array-mode gradient (no graph is being built); ``owned``: only the
    engine refers to ``d``, so ``.grad`` may adopt it without a copy."""
    cur = var._grad
    if var._grad_fn is None and (cur is None or (cur._grad_fn is None and cur._data.flags.writeable)):
        if cur is not None:
            _add_in_place(cur, d)
        elif type(d) is not np.ndarray:  # a NumPy scalar (0-d gradients travel as those): a fresh 0-d array
            var._grad = _T._wrap(np.asarray(d))
        else:
            var._grad = _T._wrap(d if owned and _layout_ok(d, var._data) else _grad_copy(d, var._data))
        hooks = var._post_acc_hooks
        if hooks:
            for h in tuple(hooks.values()):
                h(var)
        return
    accumulate_grad(var, _as_tensor(d))


def _call_pre_hooks(node, grads, run=True):
    tph = node._tensor_pre_hooks
    if tph:
        for nr, hooks in tph.items():
            for h in tuple(hooks.values()):
                if grads[nr] is None:
                    continue
                r = h(grads[nr])
                if r is not None:
                    grads[nr] = r
    rh = node._retain_hooks
    if rh:
        for nr, h in tuple(rh.items()):
            if grads[nr] is not None:
                h(grads[nr])
    ph = node._pre_hooks
    if ph and run:
        for h in tuple(ph.values()):
            r = h(tuple(grads))
            if r is not None:
                grads[:] = list(r)
    return grads


def execute(roots, keep_graph, create_graph, targets=None):
    """Runs backward.

    roots: list of (node, output_nr, grad). targets: None to accumulate into
    leaves, or a list of (node, output_nr) whose incoming gradients are
    captured and returned (nothing else is run or accumulated).
    """
    global RUNS
    RUNS += 1
    # A node is always created after its inputs' nodes, so running nodes in descending creation order
    # (_seq) runs each after every node that feeds it: no dependency counts, no ready queue. Leaves
    # (AccumulateGrad, reused across graphs, _seq = inf) run as soon as their last gradient arrives,
    # like PyTorch's: only their incoming edges are counted (accs).
    nodes = {}  # reachable interior nodes (an ordered set)
    accs = {}   # reachable leaves -> edges into them still to deliver
    stack = []
    for node, _, _ in roots:
        if type(node) is AccumulateGrad:
            accs.setdefault(node, 0)
        elif node not in nodes:
            nodes[node] = None
            stack.append(node)
    while stack:
        for c, _ in stack.pop().next_functions:
            if c is not None:
                if type(c) is AccumulateGrad:
                    accs[c] = accs.get(c, 0) + 1
                elif c not in nodes:
                    nodes[c] = None
                    stack.append(c)
    captured = needed = tmap = run_target = None
    order = sorted(nodes, key=_seq_key)  # ascending; popped from the end: newest first
    if targets is not None:
        # children before parents (ascending _seq, leaves first), mark the nodes from which a target is
        # reachable, and the target nodes that must still run (another target lies below them); count
        # the edges from needed nodes into target leaves
        captured = [None] * len(targets)
        tmap = {}
        for i, (n, nr) in enumerate(targets):
            tmap.setdefault(n, []).append((nr, i))
        accs = {a: 0 for a in accs if a in tmap}
        needed = set(accs)
        run_target = set()
        for n in order:
            nf = n.next_functions
            for c, _ in nf:
                if c in needed:
                    needed.add(n)
                    if n in tmap:
                        run_target.add(n)
                    break
            else:
                if n not in tmap:
                    continue
                needed.add(n)
            if accs:
                for c, _ in nf:
                    if c in accs:
                        accs[c] += 1
        if len(needed) - len(accs) < len(order):
            order = [n for n in order if n in needed]
    pending = [a for a, k in accs.items() if k == 0]  # leaves that are roots, fed by nothing

    # array mode: no graph is built, so gradients travel as NumPy arrays and rules with an array form
    # run on them (see _ops/_core.py); tensors appear only for hooks, tensor rules and the results
    arr = not create_graph and not (_fw.on if _fw is not None else _fw_on())
    buffers = {}
    for node, nr, g in roots:
        if arr:
            g = g._data
            if not g.ndim:
                g = g[()]  # 0-d gradients travel as NumPy scalars (their operators are 5-10x faster)
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._nout
        buf[nr] = g if buf[nr] is None else buf[nr] + g

    prev = _state.enabled
    prev_arrays = _state.arrays
    prev_caller = _track.caller
    if create_graph and _track.on:
        _track.caller = _where(2)  # where the nodes the rules record were made (see _ops/_core.record)
    _state.enabled = create_graph
    _state.arrays = arr  # while set, ctx.saved hands array rules NumPy arrays (switched off around tensor code)
    # array rules run NumPy directly: silence its floating-point warnings as the ops' kernels do (PyTorch has none)
    quiet = _quiet() if arr else None
    pop = order.pop
    try:
        while True:
            if pending:
                node = pending.pop()
            elif order:
                node = pop()
            else:
                break
            grads = buffers.pop(node, None)
            hooked = node._any_hooks
            nexts = node.next_functions
            if grads is not None and not hooked and tmap is None and type(node) is not AccumulateGrad:
                live = grads[0] is not None if node._nout == 1 else any(g is not None for g in grads)
            else:  # the rarer cases: no gradient arrived, hooks, grad() targets, a leaf
                if grads is None:
                    if not (hooked and (node._tensor_pre_hooks or node._retain_hooks or node._pre_hooks)):
                        # no gradient reached it: nothing to run, but its leaves stop waiting for it
                        if accs:
                            for c, _ in nexts:
                                if c in accs:
                                    k = accs[c] - 1
                                    accs[c] = k
                                    if k == 0:
                                        pending.append(c)
                        continue
                    grads = [None] * node._nout
                if hooked and (node._tensor_pre_hooks or node._retain_hooks or node._pre_hooks):
                    _state.arrays = False
                    grads = _call_pre_hooks(node, _as_tensors(grads) if arr else grads,
                                            tmap is None or node not in tmap or node in run_target)
                    _state.arrays = arr
                    if arr:
                        grads = _as_arrays(grads)
                if tmap is not None and node in tmap:
                    for nr, i in tmap[node]:
                        captured[i] = grads[nr]
                    if node not in run_target:
                        continue
                live = grads[0] is not None if node._nout == 1 else any(g is not None for g in grads)
                if type(node) is AccumulateGrad:
                    if live:
                        if arr:
                            d = grads[0]
                            grads = None
                            _state.arrays = False  # user hooks may run here
                            # owned: referenced only here (d, getrefcount's argument), not a view
                            owned = False
                            if type(d) is np.ndarray and getrefcount(d) <= 2:
                                b = d.base
                                if b is None:
                                    owned = d.flags.writeable
                                elif (type(b) is np.ndarray and b.base is None and getrefcount(b) <= 3
                                      and d.strides == b.strides and d.shape == b.shape and d.dtype == b.dtype
                                      and b.flags.writeable):
                                    # a whole-array view of an array only it refers to (a weight's gradient
                                    # comes back through t(): (g.T @ x).T.T): adopt the array, not a copy
                                    d = b
                                    owned = True
                                b = None
                            _accumulate_array(node.variable, d, owned)
                            if hooked and node._hooks:
                                _post_hooks(node, (), [_as_tensor(d)])
                            _state.arrays = True
                            d = None
                        else:
                            node._apply(grads)
                            if hooked and node._hooks:
                                _post_hooks(node, (), grads)
                    continue
            if live:
                rule = node._arule if arr else None
                if rule is not None and not (hooked and node._hooks) and not _anomaly.enabled:
                    if node._nout == 1:
                        g = grads[0]
                        if type(g) is np.ndarray and g.size >= _BIG:
                            outs = _run_big(rule, node, g)
                        else:
                            outs = rule(node, g)
                        g = None
                    else:
                        outs = rule(node, tuple(grads))
                    if type(outs) is not tuple:
                        outs = (outs,)
                    if len(outs) < len(nexts):
                        outs = outs + (None,) * (len(nexts) - len(outs))
                else:
                    if arr:
                        grads = _as_tensors(grads)
                        _state.arrays = False  # a tensor rule: ctx.saved gives tensors
                    if _anomaly.enabled:
                        from .anomaly_mode import run_node
                        outs = run_node(node, grads)
                    else:
                        outs = node._apply(grads)
                    if len(outs) != len(nexts):
                        raise RuntimeError(
                            f"function {node.name()} returned an incorrect number of gradients "
                            f"(expected {len(nexts)}, got {len(outs)})")
                    if hooked and node._hooks:
                        # hooks see gradients in their inputs' shapes, as PyTorch's do
                        meta = node._meta
                        outs = tuple(g if g is None or meta[i] is None else _fit(g, meta[i])
                                     for i, g in enumerate(outs))
                        outs = _post_hooks(node, outs, grads)
                    if arr:
                        outs = _as_arrays(outs)
                        _state.arrays = True
                if not keep_graph and node._saved is not None:
                    node._saved = None
            else:
                outs = None
            grads = None
            meta = node._meta
            i = -1
            for c, cnr in nexts:
                i += 1
                if c is None or (needed is not None and c not in needed):
                    continue
                if outs is not None:
                    g = outs[i]
                    if g is not None:
                        shape, npdt = meta[i]
                        d = g if arr else g._data
                        if d.shape != shape or d.dtype != npdt:
                            g = _fit_array(g, meta[i]) if arr else _fit(g, meta[i])
                        d = None
                        buf = buffers.get(c)
                        if buf is None:
                            if c._nout == 1:
                                buffers[c] = [g]
                            else:
                                buf = buffers[c] = [None] * c._nout
                                buf[cnr] = g
                        else:
                            old = buf[cnr]
                            if old is None:
                                buf[cnr] = g
                            elif arr:
                                # in place when only this slot refers to old (slot, local, argument)
                                if (type(old) is np.ndarray and getrefcount(old) <= 3 and old.base is None
                                        and old.flags.writeable and old.shape == g.shape and old.dtype == g.dtype):
                                    np.add(old, g, out=old)
                                else:
                                    buf[cnr] = old + g
                            elif create_graph or not _add_into(old, g):
                                buf[cnr] = old + g
                            old = None
                        g = None
                if type(c) is AccumulateGrad:
                    k = accs[c] - 1
                    accs[c] = k
                    if k == 0:
                        pending.append(c)
            outs = buf = None  # no stray references: the ownership checks count them
    finally:
        _state.enabled = prev
        _state.arrays = prev_arrays
        _track.caller = prev_caller
        if quiet is not None:
            quiet[0].reset(quiet[1])
    if arr and captured is not None:
        captured = _as_tensors(captured)
    return captured


_fw = None
_err = None


def _quiet():
    """Sets NumPy's error state to 'ignore divide/invalid/over'; returns (contextvar, token) to reset it."""
    global _err
    if _err is None:
        from .._ops._unary import _ERR_CV, _ERR_QUIET
        _err = (_ERR_CV, _ERR_QUIET)
    cv, q = _err
    if cv is None:
        return None
    return cv, cv.set(q)


def _fw_on():
    """Whether forward-mode AD is active (rules must then run on tensors to carry tangents)."""
    global _fw
    if _fw is None:
        from .._ops._core import _fw
    return _fw.on


def _post_hooks(node, outs, grads):
    hooks = node._hooks
    if not hooks:
        return outs
    for h in tuple(hooks.values()):
        r = h(outs, tuple(grads))
        if r is not None:
            outs = tuple(r)
    return outs
