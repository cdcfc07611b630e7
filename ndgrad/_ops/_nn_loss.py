"""Loss primitives of ``ndgrad.nn.functional`` (MSE, smooth L1, Huber, NLL, binary cross entropy):
kernels, VJP rules (each also on arrays) and the table entries."""
import numpy as np

from .._tensor import Tensor, _wrap
from ._core import defop, needs_grad, record
from ._dispatch import out_array, result_dtype
from ._nn import _const, _sigmoid_np
from ._unary import _quiet


# ---------------------------------------------------------------- losses
def _reduce_np(loss, reduction):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return np.asarray(np.sum(loss), dtype=loss.dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.mean(loss), dtype=loss.dtype)


def _scale(ctx, g, reduction=None):
    """The incoming gradient spread over elements: divided by n for 'mean'."""
    if (ctx._params[0] if reduction is None else reduction) == "mean":
        n = int(np.prod(np.broadcast_shapes(ctx._meta[0][0], ctx._meta[1][0])))
        return g / n
    return g


def _pair(ctx, gx):
    n = ctx._needs
    return (gx if n[0] else None, -gx if n[1] else None)


def _mse_kernel(x, t, reduction):
    d = x - t
    return _reduce_np(d * d, reduction)


def _mse_vjp(ctx, g):
    x, t = ctx.saved
    return _pair(ctx, _scale(ctx, g) * ((x - t) * 2))


def _smooth_l1_kernel(x, t, reduction, beta):
    d = np.abs(x - t)
    if beta == 0:
        return _reduce_np(d, reduction)
    return _reduce_np(np.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta).astype(d.dtype), reduction)


def _smooth_l1_vjp(ctx, g):
    x, t = ctx.saved
    beta = ctx._params[1]
    from ._index import where
    d = x - t
    inner = _wrap(np.abs(d._data) < beta)
    f = where(inner, d / beta, d.sign()) if beta else d.sign()
    return _pair(ctx, _scale(ctx, g) * f)


def _huber_kernel(x, t, reduction, delta):
    d = np.abs(x - t)
    return _reduce_np(np.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta)).astype(d.dtype), reduction)


def _huber_vjp(ctx, g):
    x, t = ctx.saved
    delta = ctx._params[1]
    from ._index import where
    d = x - t
    f = where(_wrap(np.abs(d._data) < delta), d, d.sign() * delta)
    return _pair(ctx, _scale(ctx, g) * f)


MSE_LOSS = defop("mse_loss", _mse_kernel, _mse_vjp, node="MseLossBackward0", save=(0, 1), avjp=True)
SMOOTH_L1_LOSS = defop("smooth_l1_loss", _smooth_l1_kernel, _smooth_l1_vjp, node="SmoothL1LossBackward0",
                       save=(0, 1))
HUBER_LOSS = defop("huber_loss", _huber_kernel, _huber_vjp, save=(0, 1))


def check_broadcast(a, b):
    """PyTorch's error for shapes that do not broadcast."""
    n = max(len(a), len(b))
    for k in range(1, n + 1):
        da = a[-k] if k <= len(a) else 1
        db = b[-k] if k <= len(b) else 1
        if da != db and da != 1 and db != 1:
            raise RuntimeError(f"The size of tensor a ({da}) must match the size of tensor b ({db}) at non-singleton "
                               f"dimension {n - k}")


def pointwise_loss(op, x, t, reduction, *params):
    """A loss of input and target (broadcast together), reduced by ``reduction``."""
    check_broadcast(x._data.shape, t._data.shape)
    rt = result_dtype(x, t).np
    xa = x._data.astype(rt, copy=False)
    ta = t._data.astype(rt, copy=False)
    out = _wrap(out_array(op.kernel(xa, ta, reduction, *params), rt))
    if needs_grad(x, t):
        record(op, out, (x, t), (reduction,) + params)
    return out


# nll_loss: input (N, C, *) or (C,), target (N, *) or (); the class dim is 1 (0 for 1-D input).
# ``clean``: nll_loss's bounds check found every target a class index other than ignore_index, so no
# target is ignored and no mask needs computing (the usual case).
def _nll_parts(shape, t, w, ignore_index, clean):
    """(class dim, targets with ignored ones set to 0, per-target weights or None: all 1, none ignored)."""
    cdim = 1 if len(shape) >= 2 else 0
    if clean:
        return cdim, t, (w[t] if w is not None else None)
    valid = t != ignore_index
    if np.logical_and.reduce(valid, axis=None):
        return cdim, t, (w[t] if w is not None else None)
    tc = np.where(valid, t, 0)
    ww = (w[tc] if w is not None else np.ones(tc.shape)) * valid
    return cdim, tc, ww


def _pick(x, tc, cdim):
    """x's entries at the target classes (along the class dim)."""
    if x.ndim == 2:  # (N, C): plain fancy indexing is several times faster than take_along_axis
        return x[np.arange(x.shape[0]), tc]
    return np.take_along_axis(x, np.expand_dims(tc, cdim), cdim).squeeze(cdim)


def _nll_kernel(x, t, w, ignore_index, reduction, clean):
    cdim, tc, ww = _nll_parts(x.shape, t, w, ignore_index, clean)
    picked = _pick(x, tc, cdim) if x.ndim else x
    # ww None: every weight is 1 (-(1 * p) is -p exactly, and the weights sum to the count)
    loss = -picked if ww is None else -(ww.astype(x.dtype) * picked)
    if reduction == "none":
        return loss.astype(x.dtype)
    s = np.add.reduce(loss, axis=None)
    if reduction == "sum":
        return np.asarray(s, dtype=x.dtype)
    total = x.dtype.type(loss.size) if ww is None else np.add.reduce(ww.astype(x.dtype), axis=None)
    return np.asarray(_quiet_div(s, total), dtype=x.dtype)


def _quiet_div_raw(a, b):
    return a / b  # 0/0 (every target ignored) is nan, as in PyTorch: no warning


_quiet_div = _quiet(_quiet_div_raw)


def _nll_vjp(ctx, g):
    t, w, ignore_index, reduction, clean = ctx._params
    shape, dt = ctx._meta[0]
    cdim, tc, ww = _nll_parts(shape, t, w, ignore_index, clean)
    coef = np.zeros(shape, dtype=dt)
    if ww is None:  # every weight 1: one value for every target (-1, or -1/N for the mean)
        vals = -1.0 / tc.size if reduction == "mean" and tc.size else -1.0
    else:
        vals = ww * -1.0
        if reduction == "mean":
            total = np.add.reduce(ww, axis=None)
            # every target ignored (total 0): PyTorch's gradient is 0 there, not 0 * inf
            vals = _quiet_div(vals, total)
            if not total:
                vals = np.where(t != ignore_index, vals, 0.0)
    if len(shape) == 2:
        coef[np.arange(shape[0]), tc] = vals
    else:
        np.put_along_axis(coef, np.expand_dims(tc, cdim), np.expand_dims(np.broadcast_to(vals, tc.shape), cdim), cdim)
    if type(g) is not Tensor:  # the array rule
        return ((np.expand_dims(g, 1) if reduction == "none" and len(shape) >= 2 else g) * coef,)
    if reduction == "none" and len(shape) >= 2:
        g = g.unsqueeze(1)
    return (g * _wrap(coef),)


NLL_LOSS = defop("nll_loss", None, _nll_vjp, node="NllLossBackward0", avjp=True)


def nll_loss_op(x, target, weight, ignore_index, reduction, clean=False):
    t = target._data
    w = None if weight is None else weight._data
    out = _wrap(out_array(_nll_kernel(x._data, t, w, ignore_index, reduction, clean), x._data.dtype))
    if needs_grad(x):
        record(NLL_LOSS, out, (x,), (t, w, ignore_index, reduction, clean))
    return out


_EPS = 1e-12


def _bce_kernel(x, t, w, reduction):
    with np.errstate(divide="ignore"):
        lx = np.maximum(np.log(x), -100)
        l1x = np.maximum(np.log1p(-x), -100)
    loss = -(t * lx + (1 - t) * l1x)
    if w is not None:
        loss = loss * w
    return _reduce_np(loss.astype(x.dtype, copy=False), reduction)


def _weighted(ctx, g, w, reduction):
    """The incoming gradient spread over the elements and times the per-element weight."""
    g = _scale(ctx, g, reduction)
    return g if w is None else g * _const(w, g)


def _bce_vjp(ctx, g):
    x, t = ctx.saved
    w, reduction = ctx._params
    g = _weighted(ctx, g, w, reduction)
    n = ctx._needs
    gx = g * (x - t) / ((1 - x) * x).clamp(min=_EPS) if n[0] else None
    gt = g * ((1 - x).log().clamp(min=-100) - x.log().clamp(min=-100)) if n[1] else None
    return gx, gt


def _bce_logits_kernel(x, t, w, pw, reduction):
    with np.errstate(over="ignore"):
        sp = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)
    if pw is not None:
        loss = (1 - t) * x + (1 + (pw - 1) * t) * sp
    else:
        loss = (1 - t) * x + sp
    if w is not None:
        loss = loss * w
    return _reduce_np(loss.astype(x.dtype, copy=False), reduction)


def _bce_logits_vjp(ctx, g):
    x, t = ctx.saved
    w, pw, reduction = ctx._params
    g = _weighted(ctx, g, w, reduction)
    n = ctx._needs
    gx = gt = None
    if n[0]:
        s = x.sigmoid()
        if pw is None:
            gx = g * (s - t)
        else:
            p = _const(pw, g)
            gx = g * ((t * (p - 1) + 1) * s - p * t)
    if n[1]:
        if pw is None:
            gt = -g * x
        else:
            sp = (-x.abs()).exp().log1p() + (-x).relu()
            gt = g * ((_const(pw, g) - 1) * sp - x)
    return gx, gt


def _bce_avjp(ctx, g):  # _bce_vjp on arrays
    x, t = ctx.saved
    w, reduction = ctx._params
    g = _weighted(ctx, g, w, reduction)
    n = ctx._needs
    gx = g * (x - t) / np.maximum((1 - x) * x, _EPS) if n[0] else None
    gt = g * (np.maximum(np.log(1 - x), -100) - np.maximum(np.log(x), -100)) if n[1] else None
    return gx, gt


def _bce_logits_avjp(ctx, g):  # _bce_logits_vjp on arrays
    x, t = ctx.saved
    w, pw, reduction = ctx._params
    g = _weighted(ctx, g, w, reduction)
    n = ctx._needs
    p = None if pw is None else _const(pw, g)
    gx = gt = None
    if n[0]:
        s = _sigmoid_np(x)
        gx = g * (s - t) if p is None else g * ((t * (p - 1) + 1) * s - p * t)
    if n[1]:
        gt = -g * x if p is None else g * ((p - 1) * (np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)) - x)
    return gx, gt


BCE = defop("binary_cross_entropy", _bce_kernel, _bce_vjp, save=(0, 1), avjp=_bce_avjp)
BCE_LOGITS = defop("binary_cross_entropy_with_logits", _bce_logits_kernel, _bce_logits_vjp, save=(0, 1),
                   avjp=_bce_logits_avjp)
