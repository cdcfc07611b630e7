"""Fused LSTM and GRU cells (PyTorch's ``_thnn_fused_*_cell`` nodes): one node per time step.

The rules share one formula written for both NumPy arrays and tensors: plain backward runs it on
arrays (it is also the op's array rule), ``create_graph=True`` runs it in ndgrad ops (so higher
derivatives work).
"""
import numpy as np

from .._tensor import Tensor, _wrap
from ._core import _state, defop, needs_grad, record
from ._dispatch import out_array


def _np_sig(x):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def _np_ops():
    return _np_sig, np.tanh, lambda xs: np.concatenate(xs, -1)


def _t_ops():
    from ._unary import sigmoid, tanh
    from ._join import cat
    return sigmoid, tanh, lambda xs: cat(xs, -1)


def _lstm_fwd(gates, c_prev, sig, tanh):
    hs = gates.shape[-1] // 4
    i, f = sig(gates[..., :hs]), sig(gates[..., hs:2 * hs])
    g, o = tanh(gates[..., 2 * hs:3 * hs]), sig(gates[..., 3 * hs:])
    c = f * c_prev + i * g
    return i, f, g, o, c


def _lstm_kernel(gates, c_prev):
    i, f, g, o, c = _lstm_fwd(gates, c_prev, _np_sig, np.tanh)
    return o * np.tanh(c), c


def _lstm_vjp(ctx, grads):
    gates, c_prev = ctx.saved
    gh, gc = grads
    arrays = type(gates) is not Tensor  # the array rule
    fast = arrays or not _state.enabled
    sig, tanh, cat = _np_ops() if fast else _t_ops()
    if fast and not arrays:
        gates, c_prev = gates._data, c_prev._data
        gh = None if gh is None else gh._data
        gc = None if gc is None else gc._data
    i, f, g, o, c = _lstm_fwd(gates, c_prev, sig, tanh)
    tc = tanh(c)
    zero = 0 * c
    gh = zero if gh is None else gh
    gc = (zero if gc is None else gc) + gh * o * (1 - tc * tc)
    dg = cat([gc * g * i * (1 - i), gc * c_prev * f * (1 - f), gc * i * (1 - g * g), gh * tc * o * (1 - o)])
    dc = gc * f
    if fast:
        dg, dc = out_array(dg, gates.dtype), out_array(dc, gates.dtype)
        if not arrays:
            dg, dc = _wrap(dg), _wrap(dc)
    n = ctx._needs
    return (dg if n[0] else None, dc if n[1] else None)


def _gru_fwd(xi, hh, h, sig, tanh):
    hs = h.shape[-1]
    r = sig(xi[..., :hs] + hh[..., :hs])
    z = sig(xi[..., hs:2 * hs] + hh[..., hs:2 * hs])
    hn = hh[..., 2 * hs:]
    n = tanh(xi[..., 2 * hs:] + r * hn)
    return r, z, hn, n


def _gru_kernel(xi, hh, h):
    r, z, hn, n = _gru_fwd(xi, hh, h, _np_sig, np.tanh)
    return (1 - z) * n + z * h


def _gru_vjp(ctx, g):
    xi, hh, h = ctx.saved
    arrays = type(xi) is not Tensor  # the array rule
    fast = arrays or not _state.enabled
    sig, tanh, cat = _np_ops() if fast else _t_ops()
    if fast and not arrays:
        xi, hh, h, g = xi._data, hh._data, h._data, g._data
    r, z, hn, n = _gru_fwd(xi, hh, h, sig, tanh)
    dn = g * (1 - z) * (1 - n * n)
    dr = dn * hn * r * (1 - r)
    dz = g * (h - n) * z * (1 - z)
    dxi = cat([dr, dz, dn])
    dhh = cat([dr, dz, dn * r])
    dh = g * z
    if fast:
        dxi, dhh, dh = (out_array(a, xi.dtype) if arrays else _wrap(out_array(a, xi.dtype)) for a in (dxi, dhh, dh))
    n_ = ctx._needs
    return (dxi if n_[0] else None, dhh if n_[1] else None, dh if n_[2] else None)


LSTM_CELL = defop("lstm_cell", _lstm_kernel, _lstm_vjp, node="ThnnFusedLstmCellBackward0", save=(0, 1), nout=2,
                  avjp=True)
GRU_CELL = defop("gru_cell", _gru_kernel, _gru_vjp, node="ThnnFusedGruCellBackward0", save=(0, 1, 2), avjp=True)


def lstm_cell(gates, c_prev):
    """(h, c) of one LSTM step from the pre-activation gates (i, f, g, o) and the previous cell state."""
    h, c = _lstm_kernel(gates._data, c_prev._data)
    outs = (_wrap(out_array(h, gates._data.dtype)), _wrap(out_array(c, gates._data.dtype)))
    if needs_grad(gates, c_prev):
        record(LSTM_CELL, outs, (gates, c_prev))
    return outs


def gru_cell(xi, hh, h):
    """The next hidden state of one GRU step from x W_ih^T + b_ih, h W_hh^T + b_hh and h."""
    out = _wrap(out_array(_gru_kernel(xi._data, hh._data, h._data), xi._data.dtype))
    if needs_grad(xi, hh, h):
        record(GRU_CELL, out, (xi, hh, h))
    return out
