"""Normalisation primitives of ``ndgrad.nn.functional``: layer norm and batch norm (NativeLayerNormBackward0,
NativeBatchNormBackward0). Rules recompute the statistics in ndgrad ops, so double backward works."""
import numpy as np

from .._tensor import Tensor, _wrap
from ._core import _state, defop, needs_grad, record
from ._dispatch import out_array


# ------------------------------------------------------- normalisation
def _moments(x, dims):
    acc = np.float64 if x.dtype == np.float64 else np.float32
    mu = np.mean(x, axis=dims, keepdims=True, dtype=acc)
    var = np.mean(np.square(x - mu), axis=dims, keepdims=True, dtype=acc)
    return mu, var


def _layer_norm_kernel(x, w, b, k, eps):
    dims = tuple(range(x.ndim - k, x.ndim))
    mu, var = _moments(x, dims)
    y = (x - mu) / np.sqrt(var + eps)
    if w is not None:
        y = y * w
    if b is not None:
        y = y + b
    return y.astype(x.dtype, copy=False)


def _norm_backward(x, w, g, dims, eps, wshape, pdims):
    """Gradients of (x - mean)/sqrt(var + eps) * w + b with batch statistics over ``dims``."""
    mu = x.mean(dims, keepdim=True)
    xc = x - mu
    rstd = ((xc * xc).mean(dims, keepdim=True) + eps).rsqrt()
    xhat = xc * rstd
    gh = g if w is None else g * w.reshape(wshape)
    gx = rstd * (gh - gh.mean(dims, keepdim=True) - xhat * (gh * xhat).mean(dims, keepdim=True))
    gw = g * xhat
    return gx, (gw.sum(pdims) if pdims else gw), (g.sum(pdims) if pdims else g)


def _norm_backward_np(x, w, g, dims, eps, wshape, pdims):
    """``_norm_backward`` on arrays (the array rule; also a tensor rule run outside recording)."""
    mu = x.mean(axis=dims, keepdims=True)
    xc = x - mu
    rstd = 1.0 / np.sqrt((xc * xc).mean(axis=dims, keepdims=True) + eps)
    xhat = xc * rstd
    gh = g if w is None else g * w.reshape(wshape)
    gx = rstd * (gh - gh.mean(axis=dims, keepdims=True) - xhat * (gh * xhat).mean(axis=dims, keepdims=True))
    gw = g * xhat
    dt = x.dtype
    return tuple(out_array(a, dt) for a in (gx, gw.sum(axis=pdims) if pdims else gw,
                                            g.sum(axis=pdims) if pdims else g))


def _norm_grads(x, w, g, dims, eps, wshape, pdims):
    if type(g) is not Tensor:  # the array rule
        return _norm_backward_np(x, w, g, dims, eps, wshape, pdims)
    if _state.enabled:
        return _norm_backward(x, w, g, dims, eps, wshape, pdims)
    return tuple(_wrap(a) for a in _norm_backward_np(x._data, None if w is None else w._data, g._data, dims,
                                                      eps, wshape, pdims))


def _layer_norm_vjp(ctx, g):
    x, w = ctx.saved
    k, eps = ctx._params
    dims = tuple(range(x.ndim - k, x.ndim))
    gx, gw, gb = _norm_grads(x, w, g, dims, eps, tuple(x.shape[x.ndim - k:]), tuple(range(x.ndim - k)))
    n = ctx._needs
    return (gx if n[0] else None, gw if n[1] else None, gb if n[2] else None)


LAYER_NORM = defop("native_layer_norm", None, _layer_norm_vjp, node="NativeLayerNormBackward0", save=(0, 1),
                   avjp=True)


def _bn_shape(ndim, c):
    return (1, c) + (1,) * (ndim - 2)


def _batch_norm_vjp(ctx, g):
    x, w = ctx.saved
    training, eps, mean, invstd = ctx._params
    dims = (0,) + tuple(range(2, x.ndim))
    shape = _bn_shape(x.ndim, x.shape[1])
    n = ctx._needs
    if training:
        gx, gw, gb = _norm_grads(x, w, g, dims, eps, shape, dims)
    else:
        m, s = mean.reshape(shape), invstd.reshape(shape)
        if type(g) is Tensor:  # else the array rule
            m, s = _wrap(m), _wrap(s)
        gx = g * s if w is None else g * (w.reshape(shape) * s)
        gw = (g * ((x - m) * s)).sum(dims)
        gb = g.sum(dims)
    return (gx if n[0] else None, gw if n[1] else None, gb if n[2] else None)


BATCH_NORM = defop("native_batch_norm", None, _batch_norm_vjp, node="NativeBatchNormBackward0", save=(0, 1),
                   avjp=True)


def layer_norm_op(x, k, w, b, eps):
    arr = _layer_norm_kernel(x._data, None if w is None else w._data, None if b is None else b._data, k, eps)
    out = _wrap(out_array(arr, x._data.dtype))
    if needs_grad(x, w, b):
        record(LAYER_NORM, out, (x, w, b), (k, eps))
    return out


def batch_norm_op(x, running_mean, running_var, w, b, training, momentum, eps):
    """Batch norm; in training, updates the running statistics in place (PyTorch's unbiased var)."""
    xd = x._data
    dims = (0,) + tuple(range(2, xd.ndim))
    shape = _bn_shape(xd.ndim, xd.shape[1])
    if training:
        mu, var = _moments(xd, dims)
        n = xd.size // xd.shape[1]
        if running_mean is not None:
            rm = running_mean._data
            rm *= (1 - momentum)
            rm += momentum * mu.reshape(-1).astype(rm.dtype)
            running_mean._bump()
        if running_var is not None:
            rv = running_var._data
            rv *= (1 - momentum)
            rv += momentum * (var.reshape(-1) * (n / max(n - 1, 1))).astype(rv.dtype)
            running_var._bump()
        mean, invstd = mu.reshape(-1), 1.0 / np.sqrt(var.reshape(-1) + eps)
    else:
        mean = running_mean._data
        invstd = 1.0 / np.sqrt(running_var._data + eps)
    y = (xd - mean.reshape(shape)) * invstd.reshape(shape)
    if w is not None:
        y = y * w._data.reshape(shape)
    if b is not None:
        y = y + b._data.reshape(shape)
    out = _wrap(out_array(y, xd.dtype))
    if needs_grad(x, w, b):
        record(BATCH_NORM, out, (x, w, b), (training, eps, mean, invstd))
    return out
