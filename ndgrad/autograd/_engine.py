"""The backward engine: iterative dependency counting from the roots.

One pass discovers the graph and counts, per node, the edges that lead into
it; a node runs once all of them have delivered (a heap orders ready nodes by
creation, newest first, like PyTorch). Gradients are reduced to each input's
shape and dtype in exactly one place (``_fit``), summed per node input, and
dropped as soon as the node that consumed them has run.
"""
import heapq
import sys

import numpy as np

from . import grad_mode
from .graph import AccumulateGrad, Node

_state = grad_mode._state


def _fit(g, meta):
    """Sums ``g`` down to the input's shape (broadcasting) and casts to its dtype."""
    shape, npdt = meta
    if g._data.shape != shape:
        from .._ops._reduce import sum_to_size
        g = sum_to_size(g, shape)
    if g._data.dtype != npdt:
        from .._dtype import from_numpy_dtype
        g = g.to(from_numpy_dtype(npdt))
    return g


def _steal_ok(g):
    # the engine's own references: the caller's local, the argument, getrefcount's
    arr = g._data
    return (sys.getrefcount(g) <= 4 and sys.getrefcount(arr) <= 3 and arr.base is None
            and arr.flags.writeable and g._grad_fn is None)


def accumulate_grad(var, g):
    """Adds ``g`` into ``var.grad`` as PyTorch's AccumulateGrad does."""
    if var._grad_fn is not None:
        raise RuntimeError("leaf variable has been moved into the graph interior")
    if g is None:
        return
    cur = var._grad
    if cur is None:
        if _state.enabled:
            var._grad = g
        else:
            if _steal_ok(g):
                var._grad = g
            else:
                from .._tensor import _wrap
                var._grad = _wrap(np.array(g._data, copy=True))
    elif _state.enabled:
        var._grad = cur + g
    else:
        d = cur._data
        if cur._grad_fn is not None or not d.flags.writeable:
            var._grad = cur.detach() + g
        else:
            np.add(d, g._data, out=d, casting="unsafe")
            if cur._vc is not None:
                cur._vc.v += 1
    hooks = var._post_acc_hooks
    if hooks:
        for h in tuple(hooks.values()):
            h(var)


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
    # discover the graph
    parents = {} if targets is not None else None
    seen = set()
    stack = []
    for node, _, _ in roots:
        if node not in seen:
            seen.add(node)
            stack.append(node)
    order = []
    while stack:
        n = stack.pop()
        order.append(n)
        for c, _ in n.next_functions:
            if c is not None:
                if parents is not None:
                    parents.setdefault(c, []).append(n)
                if c not in seen:
                    seen.add(c)
                    stack.append(c)

    captured = None
    needed = None
    if targets is not None:
        captured = [None] * len(targets)
        tmap = {}
        for i, (n, nr) in enumerate(targets):
            tmap.setdefault(n, []).append((nr, i))
        # a node is needed if a target is reachable from it
        needed = set()
        work = [n for n in tmap if n in seen]
        while work:
            n = work.pop()
            if n in needed:
                continue
            needed.add(n)
            work.extend(parents.get(n, ()))
        # target nodes themselves run only if another target lies below them
        run_target = set()
        for n in tmap:
            if n in needed and any(c in needed for c, _ in n.next_functions if c is not None):
                run_target.add(n)

    deps = {}
    for n in order:
        if needed is not None and n not in needed:
            continue
        for c, _ in n.next_functions:
            if c is not None and (needed is None or c in needed):
                deps[c] = deps.get(c, 0) + 1

    buffers = {}
    for node, nr, g in roots:
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._nout
        buf[nr] = g if buf[nr] is None else buf[nr] + g

    heap = []
    pushed = set()
    for node, _, _ in roots:
        if node not in pushed and deps.get(node, 0) == 0 and (needed is None or node in needed):
            pushed.add(node)
            heapq.heappush(heap, (-node._seq, id(node), node))

    prev = _state.enabled
    _state.enabled = create_graph
    heappop, heappush = heapq.heappop, heapq.heappush
    try:
        while heap:
            node = heappop(heap)[2]
            grads = buffers.pop(node, None)
            if grads is None:
                grads = [None] * node._nout
            if node._tensor_pre_hooks or node._retain_hooks or node._pre_hooks:
                grads = _call_pre_hooks(node, grads,
                                        targets is None or node not in tmap or node in run_target)
            if targets is not None and node in tmap:
                for nr, i in tmap[node]:
                    captured[i] = grads[nr]
                if node not in run_target:
                    continue
            nexts = node.next_functions
            live = grads[0] is not None if len(grads) == 1 else any(g is not None for g in grads)
            if type(node) is AccumulateGrad:
                if live:
                    node._apply(grads)
                    if node._hooks:
                        _post_hooks(node, (), grads)
                continue
            if live:
                outs = node._apply(grads)
                if len(outs) != len(nexts):
                    raise RuntimeError(
                        f"function {node.name()} returned an incorrect number of gradients "
                        f"(expected {len(nexts)}, got {len(outs)})")
                if node._hooks:
                    outs = _post_hooks(node, outs, grads)
                if not keep_graph:
                    node._release()
            else:
                outs = None
            grads = None
            meta = node._meta
            i = 0
            for c, cnr in nexts:
                if c is not None and (needed is None or c in needed):
                    if outs is not None:
                        g = outs[i]
                        if g is not None:
                            shape, npdt = meta[i]
                            d = g._data
                            if d.shape != shape or d.dtype != npdt:
                                g = _fit(g, meta[i])
                            buf = buffers.get(c)
                            if buf is None:
                                buf = buffers[c] = [None] * c._nout
                            old = buf[cnr]
                            buf[cnr] = g if old is None else old + g
                            g = None
                    dc = deps[c] - 1
                    deps[c] = dc
                    if dc == 0:
                        heappush(heap, (-c._seq, id(c), c))
                i += 1
            outs = None
    finally:
        _state.enabled = prev
    return captured


def _post_hooks(node, outs, grads):
    hooks = node._hooks
    if not hooks:
        return outs
    for h in tuple(hooks.values()):
        r = h(outs, tuple(grads))
        if r is not None:
            outs = tuple(r)
    return outs
