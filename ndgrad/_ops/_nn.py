"""Primitives of ``ndgrad.nn.functional`` whose PyTorch grad_fn is a single node: activations,
softmax, losses, normalisation, embedding. Loaded with ``ndgrad.nn`` (not at ``import ndgrad``).

Every VJP rule is written in ndgrad ops, so double backward works. Piecewise factors that do
not depend on the input (masks, slopes) are NumPy constants.
"""
import math

import numpy as np

from .._tensor import Tensor, _wrap
from ._core import defop, needs_grad, record
from ._dispatch import apply, apply_to, masked, out_array, result_dtype, unary, where_for
from ._reduce import dim_index
from ._unary import _quiet, _sigmoid_kernel as _sigmoid_np, exp, sigmoid, tanh

# ------------------------------------------------------------------- erf
_SQRT_PI = math.sqrt(math.pi)


def _erf_series(x):
    # erf(x) = 2/sqrt(pi) exp(-x^2) sum_n (2x^2)^n x / (1*3*...*(2n+1)): positive terms, no cancellation
    x2 = x * x
    term = x.copy()
    total = x.copy()
    for n in range(1, 90):
        term = term * (2 * x2) / (2 * n + 1)
        total += term
    return 2.0 / _SQRT_PI * np.exp(-x2) * total


def _erfc_cf(x):
    # erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), x >= 3
    f = x.copy()
    for k in range(60, 0, -1):
        f = x + (k / 2.0) / f
    return np.exp(-x * x) / (_SQRT_PI * f)


def erf_np(x):
    """Vectorised erf, float64-accurate (SciPy's when installed, else series/continued fraction)."""
    try:
        from scipy.special import erf
        return erf(x)
    except ImportError:  # pragma: no cover - exercised by the fallback test
        return _erf_fallback(x)


def _erf_fallback(x):
    x = np.asarray(x)
    xd = x.astype(np.float64)
    a = np.abs(xd)
    out = np.empty_like(xd)
    small = a < 3.0
    out[small] = _erf_series(a[small])
    big = ~small & np.isfinite(a)
    out[big] = 1.0 - _erfc_cf(a[big])
    out[np.isinf(a)] = 1.0
    out[np.isnan(a)] = np.nan
    return (np.sign(xd) * out).astype(x.dtype if x.dtype.kind == "f" else np.float64)


def _erf_vjp(ctx, g):
    x, = ctx.saved
    return (g * exp(-(x * x)) * (2.0 / _SQRT_PI),)


def _erf_avjp(ctx, g):  # _erf_vjp on arrays
    x, = ctx.saved
    return (g * np.exp(-(x * x)) * (2.0 / _SQRT_PI),)


ERF = defop("erf", erf_np, _erf_vjp, save=(0,), avjp=_erf_avjp)


def erf(x):
    from ._dispatch import unary
    return unary(ERF, x, floating=True)


# ------------------------------------------------------------ activations
def _const(arr, like):
    """``arr`` in ``like``'s dtype: a tensor beside a tensor, an array beside an array (array rules)."""
    if type(like) is Tensor:
        return _wrap(np.asarray(arr, dtype=like._data.dtype))
    return np.asarray(arr, dtype=like.dtype)


def _leaky_kernel(x, slope):
    return np.where(x > 0, x, x * slope).astype(x.dtype, copy=False)


def _leaky_vjp(ctx, g):
    x, = ctx.saved
    return (g * _const(np.where(x._data > 0, 1.0, ctx._params[0]), g),)


def _leaky_out_vjp(ctx, g):
    out, = ctx.saved
    return (g * _const(np.where(out._data > 0, 1.0, ctx._params[0]), g),)


def _elu_kernel(x, alpha, scale, input_scale):
    with np.errstate(over="ignore"):
        neg = np.expm1(np.minimum(x, 0) * input_scale) * (alpha * scale)
    return np.where(x > 0, x * scale, neg).astype(x.dtype, copy=False)


def _elu_vjp(ctx, g):
    out, = ctx.saved
    alpha, scale, input_scale = ctx._params
    from ._index import where
    pos = _wrap(out._data > 0)
    return (where(pos, g * scale, g * ((out + alpha * scale) * input_scale)),)


def _celu_kernel(x, alpha):
    return _elu_kernel(x, alpha, 1.0, 1.0 / alpha)


def _celu_vjp(ctx, g):
    out, = ctx.saved
    alpha, = ctx._params
    from ._index import where
    return (where(_wrap(out._data > 0), g, g * ((out + alpha) / alpha)),)


_S2 = 1.0 / math.sqrt(2.0)
_S2PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _gelu_kernel(x, approximate):
    if approximate == "tanh":
        inner = _S2PI * (x + 0.044715 * x * x * x)
        return (0.5 * x * (1.0 + np.tanh(inner))).astype(x.dtype, copy=False)
    return (0.5 * x * (1.0 + erf_np(x * _S2))).astype(x.dtype, copy=False)


def _gelu_vjp(ctx, g):
    x, = ctx.saved
    if ctx._params[0] == "tanh":
        x2 = x * x
        t = tanh((x + x2 * x * 0.044715) * _S2PI)
        d = (1 + t) * 0.5 + x * 0.5 * (1 - t * t) * ((1 + x2 * (3 * 0.044715)) * _S2PI)
        return (g * d,)
    cdf = (erf(x * _S2) + 1) * 0.5
    pdf = exp(x * x * -0.5) * _INV_SQRT_2PI
    return (g * (cdf + x * pdf),)


def _silu_kernel(x):
    with np.errstate(over="ignore"):
        return (x / (1.0 + np.exp(-x))).astype(x.dtype, copy=False)


def _silu_vjp(ctx, g):
    x, = ctx.saved
    s = sigmoid(x)
    return (g * (s * (1 + x * (1 - s))),)


def _softplus_kernel(x, beta, threshold):
    bx = x * beta
    with np.errstate(over="ignore"):
        soft = np.log1p(np.exp(np.minimum(bx, threshold))) / beta
    return np.where(bx > threshold, x, soft).astype(x.dtype, copy=False)


def _softplus_vjp(ctx, g):
    x, = ctx.saved
    beta, threshold = ctx._params
    from ._index import where
    return (where(_wrap(x._data * beta > threshold), g, g * sigmoid(x * beta)),)


def _hardtanh_kernel(x, lo, hi):
    return np.clip(x, lo, hi)


def _hardtanh_vjp(ctx, g):
    x, = ctx.saved
    lo, hi = ctx._params
    return (where_for(g)(_wrap((x._data > lo) & (x._data < hi)), g, 0.0),)


def _logsigmoid_kernel(x):
    with np.errstate(over="ignore"):
        return (np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))).astype(x.dtype, copy=False)


def _logsigmoid_vjp(ctx, g):
    x, = ctx.saved
    return (g * sigmoid(-x),)


# PyTorch's fused activations (its own nodes and backward formulas, not the composite's product rule)
def _hardsigmoid_kernel(x):
    return np.clip(x + 3, 0, 6) / 6


_ONE_SIXTH = float(np.float32(1) / np.float32(6))  # PyTorch's kernel uses 1.0f / 6.0f, for doubles too


def _hardsigmoid_vjp(ctx, g):  # also the array rule
    x, = ctx.saved
    return (where_for(g)((x > -3) & (x < 3), g * _ONE_SIXTH, 0.0),)


def _hardswish_kernel(x):
    return x * np.clip(x + 3, 0, 6) / 6


def _hardswish_vjp(ctx, g):  # also the array rule: 0 up to -3, g (x / 3 + 0.5) below 3, g from 3 on
    x, = ctx.saved
    where = where_for(g)
    return (where(x <= -3, 0.0, where(x < 3, g * (x / 3 + 0.5), g)),)


def _mish_kernel(x):
    return x * np.tanh(np.log1p(np.exp(x)))


def _mish_vjp(ctx, g):
    x, = ctx.saved
    t = x.exp().log1p().tanh()
    return (g * (t + x * sigmoid(x) * (1 - t * t)),)


def _mish_avjp(ctx, g):  # _mish_vjp on arrays
    x, = ctx.saved
    t = np.tanh(np.log1p(np.exp(x)))
    return (g * (t + x * _sigmoid_np(x) * (1 - t * t)),)


def _hardshrink_kernel(x, lambd):
    return np.where((x >= -lambd) & (x <= lambd), 0, x)


def _softshrink_kernel(x, lambd):
    return np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0))


def _shrink_vjp(ctx, g):  # hardshrink and softshrink alike; also the array rule
    x, = ctx.saved
    lambd, = ctx._params
    return (where_for(g)((x >= -lambd) & (x <= lambd), 0.0, g),)


# the activation rules above on NumPy arrays (used when backward builds no graph; see _core.py)
def _leaky_avjp(ctx, g):  # x saved (LeakyReluBackward0), or the result (LeakyReluBackward1): same sign
    v, = ctx.saved
    return (g * np.where(v > 0, 1.0, ctx._params[0]).astype(g.dtype),)


def _elu_avjp(ctx, g):
    out, = ctx.saved
    alpha, scale, input_scale = ctx._params
    return (np.where(out > 0, g * scale, g * ((out + alpha * scale) * input_scale)),)


def _celu_avjp(ctx, g):
    out, = ctx.saved
    alpha, = ctx._params
    return (np.where(out > 0, g, g * ((out + alpha) / alpha)),)


def _gelu_avjp(ctx, g):
    x, = ctx.saved
    if ctx._params[0] == "tanh":
        x2 = x * x
        t = np.tanh((x + x2 * x * 0.044715) * _S2PI)
        return (g * ((1 + t) * 0.5 + x * 0.5 * (1 - t * t) * ((1 + x2 * (3 * 0.044715)) * _S2PI)),)
    cdf = (erf_np(x * _S2) + 1) * 0.5
    return (g * (cdf + x * (np.exp(x * x * -0.5) * _INV_SQRT_2PI)),)


def _silu_avjp(ctx, g):
    x, = ctx.saved
    s = _sigmoid_np(x)
    return (g * (s * (1 + x * (1 - s))),)


def _softplus_avjp(ctx, g):
    x, = ctx.saved
    beta, threshold = ctx._params
    return (np.where(x * beta > threshold, g, g * _sigmoid_np(x * beta)),)


def _hardtanh_avjp(ctx, g):
    x, = ctx.saved
    lo, hi = ctx._params
    return (masked((x > lo) & (x < hi), g),)


def _logsigmoid_avjp(ctx, g):
    x, = ctx.saved
    return (g * _sigmoid_np(-x),)



LEAKY_RELU = defop("leaky_relu", _leaky_kernel, _leaky_vjp, node="LeakyReluBackward0", save=(0,),
                   avjp=_leaky_avjp)
ELU = defop("elu", _elu_kernel, _elu_vjp, save=("out",), avjp=_elu_avjp)
# the in-place forms save the result (PyTorch's *Backward1 nodes)
LEAKY_RELU_ = defop("leaky_relu_", _leaky_kernel, _leaky_out_vjp, node="LeakyReluBackward1", save=("out",),
                    avjp=_leaky_avjp)
ELU_ = defop("elu_", _elu_kernel, _elu_vjp, node="EluBackward1", save=("out",), avjp=_elu_avjp)
CELU = defop("celu", _celu_kernel, _celu_vjp, save=("out",), avjp=_celu_avjp)
GELU = defop("gelu", _gelu_kernel, _gelu_vjp, save=(0,), avjp=_gelu_avjp)
SILU = defop("silu", _silu_kernel, _silu_vjp, save=(0,), avjp=_silu_avjp)
SOFTPLUS = defop("softplus", _softplus_kernel, _softplus_vjp, save=(0,), avjp=_softplus_avjp)
HARDTANH = defop("hardtanh", _hardtanh_kernel, _hardtanh_vjp, save=(0,), avjp=_hardtanh_avjp)
LOGSIGMOID = defop("log_sigmoid", _logsigmoid_kernel, _logsigmoid_vjp, node="LogSigmoidBackward0", save=(0,),
                   avjp=_logsigmoid_avjp)


HARDSIGMOID = defop("hardsigmoid", _hardsigmoid_kernel, _hardsigmoid_vjp, save=(0,), avjp=True)
HARDSWISH = defop("hardswish", _quiet(_hardswish_kernel), _hardswish_vjp, save=(0,), avjp=True)
MISH = defop("mish", _quiet(_mish_kernel), _mish_vjp, save=(0,), avjp=_mish_avjp)
HARDSHRINK = defop("hardshrink", _hardshrink_kernel, _shrink_vjp, save=(0,), avjp=True)
SOFTSHRINK = defop("softshrink", _softshrink_kernel, _shrink_vjp, save=(0,), avjp=True)


def activation(x, op, *params):
    """Runs an elementwise activation op on a floating tensor."""
    return unary(op, x, params)


# -------------------------------------------------------------- softmax
def _softmax_raw(x, dim):
    # ufunc reductions, not np.max/np.sum: those add a Python wrapper each (a third of a small call)
    e = np.exp(x - np.maximum.reduce(x, axis=dim, keepdims=True)) if x.size else np.exp(x)
    return e / np.add.reduce(e, axis=dim, keepdims=True)


def _log_softmax_raw(x, dim):
    s = x - np.maximum.reduce(x, axis=dim, keepdims=True) if x.size else x
    return s - np.log(np.add.reduce(np.exp(s), axis=dim, keepdims=True))


# inf - inf and log(0) are the answers here, as in PyTorch: no NumPy warnings
_softmax_kernel = _quiet(_softmax_raw)
_log_softmax_kernel = _quiet(_log_softmax_raw)


def _softmax_vjp(ctx, g):
    out, = ctx.saved
    dim, = ctx._params
    return (out * (g - (g * out).sum(dim, keepdim=True)),)


def _log_softmax_vjp(ctx, g):
    out, = ctx.saved
    dim, = ctx._params
    return (g - out.exp() * g.sum(dim, keepdim=True),)


def _softmax_avjp(ctx, g):  # _softmax_vjp on arrays
    out, = ctx.saved
    dim, = ctx._params
    return (out * (g - (g * out).sum(dim, keepdims=True)),)


def _log_softmax_avjp(ctx, g):  # _log_softmax_vjp on arrays
    out, = ctx.saved
    dim, = ctx._params
    return (g - np.exp(out) * np.add.reduce(g, axis=dim, keepdims=True),)


SOFTMAX = defop("softmax", _softmax_kernel, _softmax_vjp, save=("out",), avjp=_softmax_avjp)
LOG_SOFTMAX = defop("log_softmax", _log_softmax_kernel, _log_softmax_vjp, save=("out",), avjp=_log_softmax_avjp)


def softmax_op(x, dim, log=False):
    d = dim_index(dim, x._data.ndim) if x._data.ndim else 0
    xd = x._data
    if xd.ndim == 0:
        arr = np.zeros((), xd.dtype) if log else np.ones((), xd.dtype)
    else:
        arr = (_log_softmax_kernel if log else _softmax_kernel)(xd, d)
    t = _wrap(out_array(arr, xd.dtype))
    if needs_grad(x):
        record(LOG_SOFTMAX if log else SOFTMAX, t, (x,), (d,))
    return t


# -------------------------------------------------------------- embedding
def _embedding_scale(idx, num, padding_idx, by_freq):
    """Per-index factor of the weight gradient: 0 at padding_idx, 1/count with scale_grad_by_freq."""
    f = np.ones(idx.shape)
    if by_freq:
        f = f / np.bincount(idx.ravel(), minlength=num)[idx]
    if padding_idx is not None:
        f = f * (idx != padding_idx)
    return f


def _embedding_vjp(ctx, g):
    idx, padding_idx, by_freq = ctx._params
    shape = ctx._meta[0][0]
    return (apply_to(EMBEDDING_BACKWARD, g, (idx, shape, padding_idx, by_freq)),)


def _embedding_backward_kernel(g, idx, shape, padding_idx, by_freq):
    out = np.zeros(shape, dtype=g.dtype)
    f = _embedding_scale(idx, shape[0], padding_idx, by_freq).astype(g.dtype)
    np.add.at(out, idx.ravel(), g.reshape(-1, shape[1]) * f.reshape(-1, 1))
    return out


def _embedding_backward_vjp(ctx, gg):
    idx, shape, padding_idx, by_freq = ctx._params
    f = _embedding_scale(idx, shape[0], padding_idx, by_freq)
    rows = gg.index_select(0, _wrap(idx.reshape(-1))).reshape(idx.shape + (shape[1],))
    return (rows * _const(f[..., None], gg),)


EMBEDDING = defop("embedding", None, _embedding_vjp, avjp=True)
EMBEDDING_BACKWARD = defop("embedding_backward", _embedding_backward_kernel, _embedding_backward_vjp,
                           node="EmbeddingBackwardBackward0")


def embedding_op(idx, weight, padding_idx, scale_grad_by_freq):
    out = _wrap(weight._data[idx])
    if needs_grad(weight):
        record(EMBEDDING, out, (weight,), (idx, padding_idx, scale_grad_by_freq))
    return out
