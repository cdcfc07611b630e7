"""Helpers shared by the viz tools: which library made a tensor, tensor -> NumPy,
short value strings, the caller's variable names, and walking a backward graph.

Everything here goes through the public autograd API only (grad_fn,
next_functions, AccumulateGrad.variable), so it works on any library that
mirrors PyTorch's.
"""
import sys

import numpy as np


def is_tensor(obj):
    """True for tensors of ndgrad (or of a library with the same API). Checks the
    class hierarchy only, so it never runs user properties."""
    return any(c.__name__ == "Tensor" for c in type(obj).__mro__[:-1])


def _default_library():
    import ndgrad  # lazily: ndgrad.viz is loaded on demand
    return ndgrad


def library(like=None):
    """The module whose tensors/functions to use: the one that made `like`, else ndgrad."""
    if like is not None and is_tensor(like):
        return sys.modules[type(like).__module__.split(".")[0]]
    return _default_library()


def to_numpy(t):
    """A NumPy copy of a tensor (grad or not), of an array or of a number; None stays None."""
    if t is None:
        return None
    if is_tensor(t):
        t = t.detach()
        if hasattr(t, "cpu"):
            t = t.cpu()
        return np.array(t.numpy(), copy=True)
    return np.asarray(t)


def shape_str(t):
    """`(2, 3)` / `()` for a tensor or array."""
    return str(tuple(int(s) for s in t.shape))


def _num(v, precision=4):
    v = float(v)
    if v != v or v in (float("inf"), float("-inf")):
        return str(v)
    if v != 0 and not 1e-4 <= abs(v) < 1e6:
        return np.format_float_scientific(v, precision=precision - 1, trim="-")
    return np.format_float_positional(v, precision=precision, trim=".")


def fmt_value(a, max_elems=6, precision=4):
    """A one-line string for a gradient or value: `2.`, `[1., 2.5, 3.]`, or a summary."""
    if a is None:
        return "None"
    a = to_numpy(a)
    if a.dtype.kind not in "fc":
        a = a.astype(np.float64) if a.dtype.kind in "iub" else a
    if a.ndim == 0:
        return _num(a, precision)
    fmt = {"float_kind": lambda v: _num(v, precision)}
    if a.size > max_elems:
        body = np.array2string(a.ravel()[:max_elems // 2], separator=", ", formatter=fmt)[1:-1]
        return f"[{body}, ...] {shape_str(a)}"
    s = np.array2string(a, separator=", ", max_line_width=10**6, formatter=fmt)
    return " ".join(s.split())


def named_tensors(frame, extra=None):
    """[(name, tensor)] from the frame's variables, plus `extra` ({name: tensor}) first."""
    out = list((extra or {}).items())
    if frame is not None:
        scopes = (frame.f_locals,) if frame.f_locals is frame.f_globals else (frame.f_locals, frame.f_globals)
        for scope in scopes:
            for k, v in list(scope.items()):
                if not k.startswith("_") and is_tensor(v):
                    out.append((k, v))
    return out


def node_label_maps(named):
    """From [(name, tensor)]: ({id(node): name} for tensors' grad_fn, {id(tensor): name}),
    plus the list of objects to keep alive while the ids are used."""
    by_node, by_tensor, keep = {}, {}, []
    for name, t in named:
        by_tensor.setdefault(id(t), name)
        fn = t.grad_fn
        if fn is not None:
            keep.append(fn)
            by_node.setdefault(id(fn), name)
    return by_node, by_tensor, keep


def walk(roots):
    """Nodes reachable from `roots` through next_functions, depth-first preorder,
    each once (iterative: deep graphs need no recursion)."""
    seen, order, stack = set(), [], [r for r in reversed(roots) if r is not None]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        order.append(n)
        for nxt, _ in reversed(tuple(n.next_functions)):
            if nxt is not None and id(nxt) not in seen:
                stack.append(nxt)
    return order


def node_title(node):
    """PyTorch's class name of a node: `MulBackward0`, `AccumulateGrad`, `P3Backward`."""
    return type(node).__name__


def leaf_variable(node):
    """The leaf tensor behind an AccumulateGrad node, else None."""
    return getattr(node, "variable", None) if node_title(node) == "AccumulateGrad" else None
