"""Operators and elementwise functions with their commonest call done in one frame.

Learners' loops are made of operators and elementwise functions on float tensors of one dtype,
and there the general path (``mul`` -> ``binary`` -> ``record``, with ``record``'s loops over
inputs and save plans) spends about 1 µs of Python around a sub-microsecond kernel: a third of the
op. ``lane(op, general)`` makes the method for a binary op (two float32 or float64 tensors of one
dtype, or such a tensor and a Python number), ``unary_lane`` the function for a unary one (a
float32/float64 tensor). Below the parallel threshold, without forward AD, saved-tensor hooks or
anomaly mode, they do what ``binary``/``unary`` and ``record`` do, inline; every other call goes
to ``general`` unchanged. ``tests/ops/test_lane.py`` holds results, nodes, saves, errors and
gradients to the general path's.
"""
from sys import _getframe

import numpy as np

from .._tensor import Tensor, _wrap
from .._parallel import THRESHOLD as _BIG
from ..autograd.graph import SavedVar, _anomaly, _saved_hooks
from ..autograd._source import tracking as _track
from ._core import _NOEDGE, _T1, _T2, _TF, _edge, _fw, _new, _seq, _state, locate
from ._dispatch import _EXACT, _F4, _F8

_FT = (False, True)
_asarray = np.asarray
_NO = object()  # an argument not given


def lane(op, general, *, sop=None, numbers_only=False):
    """``general`` (a method ``f(self, other)``) with its commonest case inline (see the module).

    ``sop``: the kernel for a 0-d ``self`` as a NumPy scalar (default: the op's operator form).
    ``numbers_only``: ``other`` a Python number only, kept as it is (pow's exponent); by default it
    may be a tensor too, and an int becomes a float, as ``binary`` does.
    """
    kernel = op.kernel
    sop = op.sop if sop is None else sop
    cast = not numbers_only
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

    def method(self, other=_NO, *, exponent=_NO):  # (Tensor.pow's exponent may come by keyword)
        if other is _NO:
            return general(self) if exponent is _NO else general(self, exponent=exponent)
        if type(self) is not Tensor or _fw.on or _saved_hooks.stack or _anomaly.enabled:
            return general(self, other)
        xa = self._data
        npd = xa.dtype
        if npd is not _F4 and npd is not _F8:
            return general(self, other)
        to = type(other)
        if to is Tensor and cast:
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
            if cast:
                other = float(other)  # an exactly representable int: the same weak scalar to NumPy
            xb = other
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
        t = _wrap(r)
        ra = self._requires_grad
        if not (ra or rb):
            return t
        if not _state.enabled:
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
        return _finish(node, t)

    return _named(method, general)


def unary_lane(op, general):
    """``general`` (a function ``f(input, *, out=None)`` running ``op`` through ``unary``) with the
    case of a float32/float64 tensor, no ``out``, below the parallel threshold, inline."""
    kernel = op.kernel
    cls = op.node_cls
    scalar = op.par is not None  # unary() runs ufunc kernels on a 0-d input's NumPy scalar
    save = {(): 0, ((0, -1),): 1, ((-1, -1),): 2}.get(op.plan)  # nothing, the input, the output
    if save is None:
        raise ValueError(f"unary_lane: {op.name} saves {op.plan}, not one of the unary forms")

    def method(input, *, out=None):
        if out is not None or type(input) is not Tensor or _fw.on or _saved_hooks.stack or _anomaly.enabled:
            return general(input, out=out)
        d = input._data
        npd = d.dtype
        if npd is not _F4 and npd is not _F8:
            return general(input)
        if d.ndim == 0 and scalar:
            r = _asarray(kernel(d[()]))
        elif d.size < _BIG or not scalar:
            r = kernel(d)
        else:
            return general(input)
        if type(r) is not np.ndarray:
            r = _asarray(r, dtype=npd)
        t = _wrap(r)
        if not input._requires_grad:
            return t
        if not _state.enabled:
            t.__dict__["_why"] = "no_grad"  # for autograd.explain
            return t
        node = _new(cls)
        fn = input._grad_fn
        node.next_functions = ((fn, input._output_nr) if fn is not None and input._base is None
                               else _edge(input),)
        node._needs = _T1
        node._meta = ((d.shape, npd),)
        node._params = ()
        node._seq = next(_seq)
        node._sver = None
        if save == 1:
            vc = input._vc
            if vc is not None and vc.v:
                node._sver = [vc.v]
            node._saved = [input]
        elif save == 2:
            node._saved = [SavedVar(t, True)]
        else:
            node._saved = ()
        return _finish(node, t)

    return _named(method, general)


def _finish(node, t):
    """The end of ``record``: the node's source line and the output's link to it."""
    if _track.on:
        locate(node, _getframe(2))  # from the lane's caller: the user's frame when it used an operator
    t._grad_fn = node
    t._requires_grad = True
    return t


def _named(method, general):
    method.__module__ = general.__module__  # (the public namespace takes functions by their module)
    method.__name__ = general.__name__
    method.__qualname__ = general.__qualname__
    method.__doc__ = general.__doc__
    method.__wrapped__ = general
    return method
