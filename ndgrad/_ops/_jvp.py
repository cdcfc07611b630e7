"""Forward-mode AD inside the op table: computing an op's output tangents.

Loaded on first use (entering a dual level), so ordinary ops never pay for it;
``_core.record``/``needs_grad`` divert here only while ``_core._fw.on``.

A tangent lives on a tensor as ``t._fwd = (level, tangent)``. An op's JVP is
found in this order:

1. ``op.jvp`` declared in ``defop(..., jvp=rule)``: ``rule(ctx, *tangents)``
   returns the output tangent (a tuple for several outputs); ``ctx.inputs``,
   ``ctx.outs`` (a tuple), ``ctx._params``; ``None`` tangents are zeros.
2. Elementwise ops (``ELEMENTWISE``): the Jacobian is diagonal, so the JVP of
   input ``i`` is the op's own VJP rule applied to that input's tangent.
3. Any other op (views, reductions, indexing, linear algebra ...): the
   "double VJP": ``J v = d/du <vjp(u), v>``, differentiating the VJP rule,
   which is linear in ``u`` and written in ndgrad ops.

All three are written in ndgrad ops, so tangents are themselves differentiable
(reverse-over-forward) and VJP rules run on dual tensors propagate tangents
(forward-over-reverse: Hessian-vector products).
"""
import numpy as np

from .._tensor import Tensor, _wrap
from ..autograd.graph import SavedVar
from ._core import OPS, _fw, _state, record

Tensor._fwd = None  # class default: no tangent

ELEMENTWISE = frozenset((
    "add", "sub", "rsub", "rsub_tensor", "mul", "div", "div_rounding", "pow", "pow_tensor", "pow_scalar",
    "atan2", "maximum", "minimum", "remainder", "fmod", "neg", "abs", "sign", "floor", "ceil", "trunc",
    "round", "frac", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal",
    "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "relu", "clamp",
    "clamp_tensor", "where", "addcmul", "addcdiv", "lerp_scalar", "lerp_tensor", "clone", "to_copy",
    "hardsigmoid", "hardswish", "mish", "hardshrink", "softshrink"))

NOT_IMPLEMENTED = ("Trying to use forward AD with {} that does not support it because it has not been "
                   "implemented yet.")


def tangent(x):
    """The tangent of ``x`` at the active level, or None."""
    f = x._fwd
    if f is not None and f[0] == _fw.level:
        return f[1]
    return None


def has_tangent(xs):
    for x in xs:
        if isinstance(x, Tensor):
            f = x._fwd
            if f is not None and f[0] == _fw.level:
                return True
        elif type(x) in (tuple, list) and has_tangent(x):
            return True
    return False


class Ctx:
    """What a JVP rule sees: the op, its inputs, outputs and params."""

    __slots__ = ("op", "inputs", "outs", "_params")

    def __init__(self, op, inputs, outs, params):
        self.op, self.inputs, self.outs, self._params = op, inputs, outs, params

    def node(self, needs):
        """A backward node of the op over these inputs (no edges), to call its VJP rule."""
        op = self.op
        cls = op.node_cls
        if cls is None:
            raise RuntimeError(NOT_IMPLEMENTED.format(op.name))
        node = cls.__new__(cls)
        inputs = self.inputs
        node.next_functions = ((None, 0),) * len(inputs)
        node._meta = [(x._data.shape, x._data.dtype) if isinstance(x, Tensor) else None for x in inputs]
        node._needs = needs
        node._params = self._params
        node._seq = 0
        if op.nout != 1:
            node._nout = len(self.outs)
        saved = []
        for item, cond in op.save:
            if cond is not None and not needs[cond]:
                saved.append(None)
                continue
            v = self.outs[0] if item == "out" else inputs[item]
            saved.append(SavedVar(v) if isinstance(v, Tensor) else v)
        node._saved = saved
        node._sver = None
        return node


def fw_record(op, outs, inputs, params):
    """``record`` while a dual level is active: the node (if grad is needed) and the output tangents."""
    lvl = _fw.level
    tans = tuple(tangent(x) if isinstance(x, Tensor) else None for x in inputs)
    real = _state.enabled and any(isinstance(x, Tensor) and x._requires_grad for x in inputs)
    _fw.on = False
    try:
        node = record(op, outs, inputs, params) if real else None
        if any(t is not None for t in tans):
            outt = outs if type(outs) is tuple else (outs,)
            res = jvp_of(op, outt, inputs, params, tans)
            for o, r in zip(outt, res):
                if o is not None and r is not None and o._data.dtype.kind == "f":
                    o._fwd = (lvl, r)
            if node is not None and node._saved and res[0] is not None:
                for sv in node._saved:
                    if type(sv) is SavedVar and sv.is_output:
                        sv.fwd = (lvl, res[0])
    finally:
        _fw.on = True
    return node


def jvp_of(op, outs, inputs, params, tans):
    """Output tangents (a tuple, one per output) of ``op`` for input tangents ``tans``."""
    rule = op.jvp
    if rule is None:
        rule = elementwise_jvp if op.name in ELEMENTWISE else double_vjp
    r = rule(Ctx(op, inputs, outs, params), *tans)
    r = r if type(r) is tuple else (r,)
    return tuple(_fit(t, o) for t, o in zip(r, outs))


def _fit(t, o):
    if o is None or o._data.dtype.kind != "f":
        return None
    if t is None:
        return _wrap(np.zeros_like(o._data))
    if t._data.dtype != o._data.dtype:
        t = t.to(o.dtype)
    if t._data.shape != o._data.shape:
        t = t.expand(o._data.shape)
    return t


def elementwise_jvp(ctx, *tans):
    """Diagonal Jacobians: the VJP rule applied to each input's tangent, summed."""
    n = len(tans)
    node = ctx.node(tuple(t is not None for t in tans))
    total = None
    for i, t in enumerate(tans):
        if t is None:
            continue
        node._needs = tuple(j == i for j in range(n))
        g = node._rule(node, t)[i]
        if g is not None:
            total = g if total is None else total + g
    return total


def double_vjp(ctx, *tans):
    """``J v = d/du <vjp(u), v>`` for any op with a VJP rule."""
    from ..autograd import grad
    from ..autograd.grad_mode import enable_grad
    node = ctx.node(tuple(t is not None for t in tans))
    outs = ctx.outs
    us = [None if o is None or o._data.dtype.kind != "f" else _wrap(np.zeros_like(o._data)).requires_grad_()
          for o in outs]
    with enable_grad():
        gs = node._rule(node, us[0] if len(us) == 1 and ctx.op.nout == 1 else tuple(us))
        gs = gs if type(gs) is tuple else (gs,)
        s = None
        for g, t in zip(gs, tans):
            if g is None or t is None:
                continue
            term = (g * t).sum()
            s = term if s is None else s + term
        live = [u for u in us if u is not None]
        if s is None or not s._requires_grad:
            return tuple(None for _ in outs)
        rs = iter(grad(s, live, create_graph=True, allow_unused=True))
    return tuple(next(rs) if u is not None else None for u in us)


def _bilinear(f):
    def rule(ctx, ta, tb):
        a, b = ctx.inputs[0], ctx.inputs[1]
        r = f(ta, b) if ta is not None else None
        if tb is not None:
            r2 = f(a, tb)
            r = r2 if r is None else r + r2
        return r
    return rule


def _install():
    from . import _linalg
    for name in ("mm", "bmm", "matmul", "mv", "dot"):
        op = OPS.get(name)
        if op is not None and op.jvp is None and hasattr(_linalg, name):
            op.jvp = _bilinear(getattr(_linalg, name))


_install()
