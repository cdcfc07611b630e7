"""Losses of ``ndgrad.nn.functional`` (PyTorch's reductions, checks and warnings)."""
import warnings

import numpy as np

from .._ops import _nn as _K
from .._ops import _nn_loss as _L
from .._tensor import _wrap


def log_softmax(input, dim):
    """log(softmax(x)) along ``dim``, computed stably (LogSoftmaxBackward0)."""
    return _K.softmax_op(input, dim, True)


# ------------------------------------------------------------------ losses
def _reduction(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
                      "instead.", UserWarning, stacklevel=3)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _size_warning(input, target):
    if target.size() != input.size():
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size "
                      f"({input.size()}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", UserWarning, stacklevel=3)


def _apply_reduction(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error (MseLossBackward0)."""
    _size_warning(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if weight is not None:
        return _apply_reduction((input - target) ** 2 * weight, reduction)
    return _L.pointwise_loss(_L.MSE_LOSS, input, target, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error (|input - target| then the reduction)."""
    _size_warning(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    loss = (input - target).abs()
    return _apply_reduction(loss * weight if weight is not None else loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - beta / 2 (SmoothL1LossBackward0)."""
    _size_warning(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _L.pointwise_loss(_L.SMOOTH_L1_LOSS, input, target, reduction, float(beta))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, else delta * (|d| - delta / 2) (HuberLossBackward0)."""
    _size_warning(input, target)
    reduction = _reduction(None, None, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None:
        return _apply_reduction(_L.pointwise_loss(_L.HUBER_LOSS, input, target, "none", float(delta)) * weight,
                                reduction)
    return _L.pointwise_loss(_L.HUBER_LOSS, input, target, reduction, float(delta))


def _check_target(input, target):
    """nll_loss's checks, in PyTorch's order."""
    xs, ts = input._data.shape, target._data.shape
    if len(xs) < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {len(xs)})")
    if len(xs) != 1 and len(ts) >= 1 and xs[0] != ts[0]:
        raise ValueError(f"Expected input batch_size ({xs[0]}) to match target batch_size ({ts[0]}).")
    if len(xs) <= 2 and len(ts) > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if len(xs) > 2:
        expected = [xs[0]] + list(xs[2:])
        if list(ts) != expected:
            raise RuntimeError(f"Expected target size {expected}, got {list(ts)}")
    if target._data.dtype not in (np.int64, np.uint8):
        raise RuntimeError("expected target dtype to be Long or Byte, but got "
                           f"{target.dtype._legacy.replace('Tensor', '')}")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log likelihood of class indices (NllLossBackward0)."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_target(input, target)
    return _nll(input, target, weight, ignore_index, reduction)


def _nll(input, target, weight, ignore_index, reduction):
    """nll_loss after the target checks (cross_entropy has made them)."""
    xs = input._data.shape
    c = xs[1] if len(xs) >= 2 else xs[0]
    if weight is not None and (weight.dim() != 1 or weight.numel() != c):
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no classes but got "
                           f"weight tensor of shape: [{', '.join(map(str, weight.shape))}]")
    t = target._data
    clean = True  # every target a class index, none of them ignore_index: the kernels need no mask
    if t.size:
        # two reductions decide the usual case; the mask only when a target lies outside [0, c)
        lo, hi = np.minimum.reduce(t, axis=None), np.maximum.reduce(t, axis=None)
        if lo < 0 or hi >= c:
            bad = (t != ignore_index) & ((t < 0) | (t >= c))
            if bad.any():
                raise IndexError(f"Target {int(t[bad].ravel()[0])} is out of bounds.")
            clean = False
        else:
            clean = not lo <= ignore_index <= hi
    return _L.nll_loss_op(input, target, weight, ignore_index, reduction, clean)


def _class_view(weight, ndim):
    return weight.reshape([-1 if i == 1 else 1 for i in range(ndim)]) if ndim >= 2 else weight


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """log_softmax + nll_loss for class indices; soft labels when ``target`` is floating."""
    reduction = _reduction(size_average, reduce, reduction)
    xs = input._data.shape
    cdim = 1 if len(xs) >= 2 else 0
    c = xs[cdim]
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    probs = target._data.shape == xs  # soft labels: class probabilities
    if probs:
        if not target.is_floating_point():
            raise RuntimeError("Expected floating point type for target with class probabilities, got "
                               f"{target.dtype._legacy.replace('Tensor', '')}")
    else:
        _check_target(input, target)
    logp = log_softmax(input, cdim)
    if probs:
        tgt = target * (1 - label_smoothing) + label_smoothing / c if label_smoothing > 0 else target
        prod = logp * tgt
        if weight is not None:
            prod = prod * _class_view(weight, input.dim())
        if reduction == "mean":
            return -prod.sum() / (input.numel() / c)
        if reduction == "sum":
            return -prod.sum()
        return -prod.sum(cdim)
    nll = _nll(logp, target, weight, ignore_index, reduction)
    if label_smoothing <= 0:
        return nll
    ignore = target == ignore_index
    smooth = -(logp * _class_view(weight, input.dim())).sum(cdim) if weight is not None else -logp.sum(cdim)
    smooth = smooth.masked_fill(ignore, 0.0)
    if reduction == "mean":
        if weight is not None:
            kept = target._data[~ignore._data]
            ret = smooth.sum() / weight._data[kept].sum()
        else:
            ret = smooth.sum() / (~ignore).sum()
    elif reduction == "sum":
        ret = smooth.sum()
    else:
        ret = smooth
    return (1 - label_smoothing) * nll + ret * (label_smoothing / c)


def _expand_weight(weight, target):
    if weight is None:
        return None
    return np.broadcast_to(weight._data, np.broadcast_shapes(weight._data.shape, target._data.shape))


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-(t log x + (1 - t) log(1 - x)), logs clamped at -100 (BinaryCrossEntropyBackward0)."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.size() != input.size():
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    x = input._data
    if ((x < 0) | (x > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    return _bce(input, target, _expand_weight(weight, target), reduction)


def _bce(input, target, w, reduction):
    from .._ops._core import needs_grad, record
    from .._ops._dispatch import out_array
    rt = input._data.dtype
    ta = target._data.astype(rt, copy=False)
    out = _wrap(out_array(_L.BCE.kernel(input._data, ta, w, reduction), rt))
    if needs_grad(input, target):
        record(_L.BCE, out, (input, target), (w, reduction))
    return out


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Sigmoid + binary cross entropy in one stable op (BinaryCrossEntropyWithLogitsBackward0)."""
    from .._ops._core import needs_grad, record
    from .._ops._dispatch import out_array
    reduction = _reduction(size_average, reduce, reduction)
    if target.size() != input.size():
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    rt = input._data.dtype
    ta = target._data.astype(rt, copy=False)
    w = None if weight is None else weight._data.astype(rt, copy=False)
    pw = None if pos_weight is None else pos_weight._data.astype(rt, copy=False)
    out = _wrap(out_array(_L.BCE_LOGITS.kernel(input._data, ta, w, pw, reduction), rt))
    if needs_grad(input, target):
        record(_L.BCE_LOGITS, out, (input, target), (w, pw, reduction))
    return out


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL divergence with ``input`` given as log-probabilities."""
    if size_average is not None or reduce is not None:
        reduction = _reduction(size_average, reduce, "mean")
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      UserWarning, stacklevel=2)
    if reduction not in ("none", "mean", "sum", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        if target.requires_grad:
            from .._ops._index import where
            xlogy = target * where(target > 0, target, 1.0).log()
        else:
            t = target._data
            with np.errstate(divide="ignore", invalid="ignore"):
                xlogy = _wrap(np.where(t == 0, 0.0, t * np.log(t)).astype(t.dtype))
        loss = xlogy - target * input
    if reduction == "batchmean":
        return loss.sum() / input.size(0) if input.dim() != 0 else loss.sum()
    return _apply_reduction(loss, reduction)


def _clamped_norm(x, dim, eps):
    """||x|| along dim (keepdim) with the value clamped at ``eps`` but the gradient of the plain norm."""
    n = x.norm(2, dim, True)
    nd = n.detach()
    return n + (nd.clamp_min(eps) - nd)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between x1 and x2 along ``dim``."""
    return ((x1 / _clamped_norm(x1, dim, eps)) * (x2 / _clamped_norm(x2, dim, eps))).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """p-norm of x1 - x2 + eps along the last dim."""
    return (x1 - x2 + eps).norm(p, -1, keepdim)
