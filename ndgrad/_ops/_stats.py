"""Statistics and scans: var, std, var_mean/std_mean, norm, dist, logsumexp, cumsum, cumprod."""
import builtins

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ._core import defop, needs_grad, record
from ._dispatch import apply, either, where_for
from ._reduce import _count, _int_acc, _long_name, dim_index, dims_of, unreduce
from ._unary import _quiet


# ------------------------------------------------------------------ rules
# var and std: also the array rules (x, out, g NumPy arrays)
def _var_vjp(ctx, g):
    x, = ctx.saved
    dims, keepdim, correction = ctx._params
    shape = ctx._meta[0][0]
    n = _count(shape, dims)
    return (unreduce(g, shape, dims, keepdim) * (x - _mean_kept(x, dims)) * _inv(builtins.max(n - correction, 0), 2.0),)


def _std_vjp(ctx, g):
    x, out = ctx.saved
    dims, keepdim, correction = ctx._params
    shape = ctx._meta[0][0]
    n = _count(shape, dims)
    gu = unreduce(where_for(g)(out == 0, 0.0, g / out), shape, dims, keepdim)  # PyTorch: 0 where std == 0
    return (gu * (x - _mean_kept(x, dims)) * _inv(builtins.max(n - correction, 0)),)


def _mean_kept(x, dims):
    if dims is None:
        return x.mean()
    return x.mean(dim=list(dims), keepdim=True) if type(x) is Tensor else x.mean(axis=dims, keepdims=True)


def _inv(n, c=1.0):
    """c / n as PyTorch computes it in double: inf for n == 0 (so 0-dof grads are nan, not an error)."""
    return c / n if n else float("inf")


def _norm_vjp(ctx, g):
    x, out = ctx.saved
    p, dims, keepdim = ctx._params
    shape = ctx._meta[0][0]
    gu = unreduce(g, shape, dims, keepdim)
    ou = unreduce(out, shape, dims, keepdim)
    from ._index import where
    if p == 2:
        return (gu * where(ou == 0, 0.0, x / ou),)
    if p == 1:
        return (gu * x.sign(),)
    if p == float("inf") or p == float("-inf"):
        mask = x.abs() == ou
        cnt = mask.sum(dim=list(dims), keepdim=True) if dims is not None else mask.sum()
        return (gu * x.sign() * mask / cnt,)
    if p == 0:
        return (gu * 0,)
    ax = x.abs()
    return (gu * x.sign() * where(ou == 0, 0.0, ax ** (p - 1) / ou ** (p - 1)),)


# these three are also the array rules (x, out, g NumPy arrays)
def _logsumexp_vjp(ctx, g):
    x, out = ctx.saved
    dims, keepdim = ctx._params
    shape = ctx._meta[0][0]
    e = x - unreduce(out, shape, dims, keepdim)
    return (unreduce(g, shape, dims, keepdim) * either(e, Tensor.exp, np.exp),)


def _rev_cumsum(v, dim):
    """Sums from each position to the end along ``dim``."""
    if type(v) is Tensor:
        return v.flip(dim).cumsum(dim).flip(dim)
    return np.flip(np.cumsum(np.flip(v, dim), dim), dim)


def _cumsum_vjp(ctx, g):
    dim, = ctx._params
    if g.ndim == 0:
        return (g,)
    return (_rev_cumsum(g, dim),)


def _cumprod_vjp(ctx, g):
    x, out = ctx.saved
    dim, = ctx._params
    if g.ndim == 0:
        return (g,)
    # sum_{j>=i} g_j * out_j / x_i  (inputs without zeros)
    return (_rev_cumsum(g * out, dim) / x,)


# ---------------------------------------------------------------- kernels
def _var_k(x, dims, keepdim, correction):
    n = _count(x.shape, dims)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.var(x, axis=dims, keepdims=keepdim, ddof=0) * (n / builtins.max(n - correction, 0)) \
            if n - correction > 0 else np.full(np.var(x, axis=dims, keepdims=keepdim).shape, np.nan, x.dtype)


def _std_k(x, dims, keepdim, correction):
    return np.sqrt(_var_k(x, dims, keepdim, correction))


def _norm_k(x, p, dims, keepdim):
    a = np.abs(x)
    if p == 2:
        if dims is None and not keepdim:
            return np.sqrt(np.dot(x.ravel(), x.ravel())) if x.size else np.zeros((), x.dtype)
        return np.sqrt(np.sum(a * a, axis=dims, keepdims=keepdim))
    if p == 1:
        return np.sum(a, axis=dims, keepdims=keepdim)
    if p == float("inf"):
        return np.max(a, axis=dims, keepdims=keepdim) if a.size else np.zeros((), x.dtype)
    if p == float("-inf"):
        return np.min(a, axis=dims, keepdims=keepdim)
    if p == 0:
        return np.sum(a != 0, axis=dims, keepdims=keepdim).astype(x.dtype)
    return np.sum(a ** p, axis=dims, keepdims=keepdim) ** (1.0 / p)


def _lse_k(x, dims, keepdim):
    m = np.max(x, axis=dims, keepdims=True) if x.size else np.zeros((1,) * x.ndim, x.dtype)
    m = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        r = np.log(np.sum(np.exp(x - m), axis=dims, keepdims=True)) + m
    if not keepdim:
        r = r.squeeze(dims) if dims is not None else r.reshape(())
    return r


def _cumsum_k(x, dim, npd=None):
    return np.cumsum(x, axis=dim, dtype=npd) if x.ndim else x.astype(npd or x.dtype, copy=True)


def _cumprod_k(x, dim, npd=None):
    return np.cumprod(x, axis=dim, dtype=npd) if x.ndim else x.astype(npd or x.dtype, copy=True)


# ------------------------------------------------------------------ table
VAR = defop("var", _quiet(_var_k), _var_vjp, save=(0,), avjp=True)
STD = defop("std", _quiet(_std_k), _std_vjp, save=(0, "out"), avjp=True)
NORM = defop("norm", _norm_k, _norm_vjp, node="LinalgVectorNormBackward0", save=(0, "out"))
LOGSUMEXP = defop("logsumexp", _lse_k, _logsumexp_vjp, save=(0, "out"), avjp=True)
CUMSUM = defop("cumsum", _quiet(_cumsum_k), _cumsum_vjp, avjp=True)
CUMPROD = defop("cumprod", _quiet(_cumprod_k), _cumprod_vjp, save=(0, "out"), avjp=True)


# ------------------------------------------------------- public functions
def _correction(unbiased, correction):
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance (Bessel-corrected by default)."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    c = _correction(unbiased, correction)
    dims = dims_of(dim, input._data.ndim) if input._data.ndim else None
    return apply(VAR, (input,), (input._data,), (dims, keepdim, c))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    c = _correction(unbiased, correction)
    dims = dims_of(dim, input._data.ndim) if input._data.ndim else None
    return apply(STD, (input,), (input._data,), (dims, keepdim, c))


def _moments_vjp(ctx, grads):
    """(var or std, mean) -> input gradient; one node for both outputs (VarMeanBackward0/StdMeanBackward0)."""
    gs, gm = grads
    x, out = ctx.saved
    dims, keepdim, correction, is_std = ctx._params
    shape = ctx._meta[0][0]
    n = _count(shape, dims)
    r = None
    if gs is not None:
        mu = x.mean(dim=list(dims), keepdim=True) if dims is not None else x.mean()
        if is_std:
            from ._index import where
            gs = where(out == 0, 0.0, gs / out)
            r = unreduce(gs, shape, dims, keepdim) * (x - mu) * _inv(builtins.max(n - correction, 0))
        else:
            r = unreduce(gs, shape, dims, keepdim) * (x - mu) * _inv(builtins.max(n - correction, 0), 2.0)
    if gm is not None:
        rm = unreduce(gm, shape, dims, keepdim) / n
        r = rm if r is None else r + rm
    return (r,)


def _moments_k(x, dims, keepdim, correction, is_std):
    with np.errstate(invalid="ignore", divide="ignore"):
        s = _std_k(x, dims, keepdim, correction) if is_std else _var_k(x, dims, keepdim, correction)
        return s, np.asarray(np.mean(x, axis=dims, keepdims=keepdim))


VAR_MEAN = defop("var_mean", _quiet(_moments_k), _moments_vjp, node="VarMeanBackward0", save=(0, "out"), nout=2)
STD_MEAN = defop("std_mean", _quiet(_moments_k), _moments_vjp, node="StdMeanBackward0", save=(0, "out"), nout=2)


def _moments(op, input, dim, unbiased, keepdim, correction, is_std):
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    c = _correction(unbiased, correction)
    dims = dims_of(dim, input._data.ndim) if input._data.ndim else None
    return apply(op, (input,), (input._data,), (dims, keepdim, c, is_std))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(variance, mean) from one node, as PyTorch (VarMeanBackward0)."""
    return _moments(VAR_MEAN, input, dim, unbiased, keepdim, correction, False)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _moments(STD_MEAN, input, dim, unbiased, keepdim, correction, True)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """Vector norm over all elements or ``dim`` (``p``: number, 'fro', inf)."""
    if dtype is not None:
        input = input.to(dtype)
    if p == "fro" or p is None:
        p = 2
    if p == "nuc":
        raise RuntimeError("nuclear norm is not supported by ndgrad")
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {_long_name(input.dtype)}")
    p = float(p)
    if input._data.size == 0 and p == float("inf"):
        raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation "
                           "does not have an identity")
    dims = dims_of(dim, input._data.ndim) if input._data.ndim else None
    return apply(NORM, (input,), (input._data,), (p, dims, keepdim))


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    return norm(x, ord, dim, keepdim, dtype)


def _dist_vjp(ctx, g):
    a, b, out = ctx.saved
    p, = ctx._params
    from ._index import where
    diff = a - b
    if p == 2:
        gd = g * where(out == 0, 0.0, diff / out)
    elif p == 1:
        gd = g * diff.sign()
    elif p == float("inf") or p == float("-inf"):
        mask = diff.abs() == out
        gd = g * diff.sign() * mask / mask.sum()
    elif p == 0:
        gd = diff * 0
    else:
        gd = g * diff.sign() * where(out == 0, 0.0, diff.abs() ** (p - 1) / out ** (p - 1))
    n = ctx._needs
    return (gd if n[0] else None, -gd if n[1] else None)


DIST = defop("dist", None, _dist_vjp, save=(0, 1, "out"))


def dist(input, other, p=2):
    """p-norm of ``input - other`` (DistBackward0)."""
    with _no_record():
        r = norm(input - other, p)
    t = _wrap(r._data)
    if needs_grad(input, other):
        record(DIST, t, (input, other), (float(p),))
    return t


def _no_record():
    from ..autograd.grad_mode import no_grad
    return no_grad()


def logsumexp(input, dim, keepdim=False):
    if input._data.dtype.kind not in "f":
        input = input.to(D.get_default_dtype())
    dims = dims_of(dim, input._data.ndim) if input._data.ndim else None
    return apply(LOGSUMEXP, (input,), (input._data,), (dims, keepdim))


def cumsum(input, dim, *, dtype=None):
    npd = _int_acc(input, dtype)
    d = dim_index(dim, input._data.ndim)
    return apply(CUMSUM, (input,), (input._data,), (d,) if npd is None else (d, npd))


def cumprod(input, dim, *, dtype=None):
    npd = _int_acc(input, dtype)
    d = dim_index(dim, input._data.ndim)
    return apply(CUMPROD, (input,), (input._data,), (d,) if npd is None else (d, npd))


METHODS = {
    "var": var, "std": std, "norm": norm, "dist": dist, "logsumexp": logsumexp, "cumsum": cumsum,
    "cumprod": cumprod,
}
INPLACE = ("cumsum", "cumprod")
