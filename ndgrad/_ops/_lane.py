"""Operator methods (``a + b``, ``b * x``...) with the commonest call done in one frame.

Learners' loops are made of operators on float tensors of one dtype, and there the general path
(``mul`` -> ``binary`` -> ``record``, with ``record``'s loops over inputs and save plans) spends
about 1 µs of Python around a sub-microsecond kernel: a third of the op. ``lane(op, general)``
makes the method for one table op: two float32 or float64 tensors of one dtype, or such a tensor
and a Python float, below the parallel threshold, no forward AD, no saved-tensor hooks. It does what
``binary`` and ``record`` do for that case, inline, and hands every other call to ``general``
unchanged. ``tests/ops/test_lane.py`` holds its nodes, saves, errors and results to the general
path's.
"""
from sys import _getframe

import numpy as np

from .._tensor import Tensor
from .._parallel import THRESHOLD as _BIG
from ..autograd.graph import _anomaly, _saved_hooks
from ..autograd._source import _internal, tracking as _track
from ._core import _NOEDGE, _T2, _TF, _edge, _fw, _new, _seq, _state, locate

_F4 = np.dtype(np.float32)
_F8 = np.dtype(np.float64)
_FT = (False, True)
_EXACT = 2 ** 53
_asarray = np.asarray


def lane(op, general):
    """``general`` (a method ``f(self, other)``) with its commonest case inline (see the module)."""
    kernel = op.kernel
    sop = op.sop
    cls = op.node_cls
    plan = op.plan
    # binary ops save nothing, or input 0 then input 1, each always (-1) or when input c needs grad
    if plan == ():
        saves = False
        c0 = c1 = -1
    elif len(plan) == 2 and plan[0][0] == 0 and plan[1][0] == 1:
        saves = True
        c0, c1 = plan[0][1], plan[1][1]
    else:
        raise ValueError(f"lane: {op.name} saves {plan}, not one of the binary forms")

    def method(self, other):
        if type(self) is not Tensor or _fw.on or _saved_hooks.stack:
            return general(self, other)
        xa = self._data
        npd = xa.dtype
        if npd is not _F4 and npd is not _F8:
            return general(self, other)
        to = type(other)
        if to is Tensor:
            xb = other._data
            if xb.dtype is not npd:
                return general(self, other)
            if xa.ndim == 0 and xb.ndim == 0 and sop is not None:
                r = _asarray(sop(xa[()], xb[()]))  # NumPy scalars: no ufunc machinery
            elif xa.size < _BIG and xb.size < _BIG:
                try:
                    r = kernel(xa, xb)
                except ValueError:  # shapes that do not broadcast: the general path raises PyTorch's error
                    return general(self, other)
            else:
                return general(self, other)
            rb = other._requires_grad
        elif to is float or (to is int and -_EXACT < other < _EXACT):
            xb = other = float(other)  # an exactly representable int: the same weak scalar to NumPy
            if xa.ndim == 0 and sop is not None:
                r = _asarray(sop(xa[()], xb))
            elif xa.size < _BIG:
                r = kernel(xa, xb)
            else:
                return general(self, other)
            rb = False
        else:
            return general(self, other)
        if type(r) is not np.ndarray or r.dtype is not npd:
            r = _asarray(r, dtype=npd)
        t = _new(Tensor)
        t._data = r
        t._vc = None
        ra = self._requires_grad
        if not (ra or rb):
            t._grad_fn = None
            t._requires_grad = False
            return t
        if not _state.enabled:
            t._grad_fn = None
            t._requires_grad = False
            t.__dict__["_why"] = "no_grad"  # for autograd.explain
            return t
        # record(op, t, (self, other)): the node, its edges, input metadata, saves and source line
        node = _new(cls)
        if ra:
            fn = self._grad_fn
            ea = (fn, self._output_nr) if fn is not None and self._base is None else _edge(self)
            if rb:
                fn = other._grad_fn
                node.next_functions = (ea, (fn, other._output_nr) if fn is not None and other._base is None
                                       else _edge(other))
                node._needs = _T2
            else:
                node.next_functions = (ea, _NOEDGE)
                node._needs = _TF
        else:
            fn = other._grad_fn
            node.next_functions = (_NOEDGE, (fn, other._output_nr) if fn is not None and other._base is None
                                   else _edge(other))
            node._needs = _FT
        node._meta = ((xa.shape, npd), (xb.shape, npd) if to is Tensor else None)
        node._params = ()
        node._seq = next(_seq)
        node._sver = None
        if saves:
            # a saved input is the tensor itself; its version goes to _sver only when nonzero (see record)
            va = self if c0 < 0 or (rb if c0 else ra) else None
            vb = other if c1 < 0 or (rb if c1 else ra) else None
            if va is not None and self._vc is not None and self._vc.v:
                node._sver = [self._vc.v, 0]
            if to is Tensor and vb is not None and other._vc is not None and other._vc.v:
                if node._sver is None:
                    node._sver = [0, 0]
                node._sver[1] = other._vc.v
            node._saved = [va, vb]
        else:
            node._saved = ()
        if _track.on:
            f = _getframe(1)
            co = f.f_code
            if _internal.get(co.co_filename) is False:  # the user's line (the operator's caller)
                node._src = (co, f.f_lasti)
            else:
                locate(node, f)
        t._grad_fn = node
        t._requires_grad = True
        if _anomaly.enabled:
            _anomaly.on_record(node)
        return t

    method.__name__ = general.__name__
    method.__qualname__ = general.__qualname__
    method.__doc__ = general.__doc__
    method.__wrapped__ = general
    return method
