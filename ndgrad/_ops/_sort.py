"""Order statistics: sort, argsort, topk, kthvalue, median, unique.

Values are picked from the input at indices found by NumPy; the backward of
every one of them scatters the gradient back to those indices (the rule max(dim)
uses), so double backward works.
"""
import numpy as np

from .._tensor import _wrap
from ._core import defop, needs_grad, record
from ._reduce import _MinMax, _minmax_dim_avjp, _minmax_dim_vjp, dim_index

SORT = defop("sort", None, _minmax_dim_vjp, node="SortBackward0", save=(1,), nout=2, avjp=_minmax_dim_avjp)
TOPK = defop("topk", None, _minmax_dim_vjp, node="TopkBackward0", save=(1,), nout=2, avjp=_minmax_dim_avjp)
KTHVALUE = defop("kthvalue", None, _minmax_dim_vjp, node="KthvalueBackward0", save=(1,), nout=2, avjp=_minmax_dim_avjp)
MEDIAN_DIM = defop("median_dim", None, _minmax_dim_vjp, node="MedianBackward1", save=(1,), nout=2, avjp=_minmax_dim_avjp)


def _median_all_vjp(ctx, g):
    x, idx = ctx.saved
    from ._index import gather_backward
    flat = gather_backward(g.reshape(1), 0, idx.reshape(1), (x.numel(),))
    return (flat.reshape(ctx._meta[0][0]),)


MEDIAN = defop("median", None, _median_all_vjp, node="MedianBackward0", save=(0, 1))


def _order(a, d, descending):
    """Stable argsort along ``d``; NaN counts as the largest value, as in PyTorch."""
    if not descending:
        return np.argsort(a, axis=d, kind="stable")
    if a.dtype.kind == "f":
        return np.argsort(np.where(np.isnan(a), -np.inf, -a), axis=d, kind="stable")
    if a.dtype.kind == "b":
        return np.argsort(~a, axis=d, kind="stable")
    return np.argsort(-a.astype(np.int64), axis=d, kind="stable")


def _pick(name, op, input, idx, d, keepdim):
    v = _wrap(np.take_along_axis(input._data, idx, d) if input._data.ndim else input._data.copy())
    i = _wrap(idx.astype(np.int64))
    if not keepdim and input._data.ndim:
        v, i = _wrap(np.squeeze(v._data, d)), _wrap(np.squeeze(i._data, d))
    if needs_grad(input):
        record(op, (v, None), (input, i), (d, keepdim))
    return _MinMax(v, i, name)


def sort(input, dim=-1, descending=False, stable=False):
    """Values sorted along ``dim`` and their indices (torch.return_types.sort)."""
    a = input._data
    d = dim_index(dim, a.ndim) if a.ndim else 0
    idx = _order(a, d, descending) if a.ndim else np.zeros((), np.int64)
    return _pick("sort", SORT, input, idx, d, True)


def argsort(input, dim=-1, descending=False, stable=False):
    return sort(input, dim, descending, stable)[1]


def msort(input):
    return sort(input, 0)[0]


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The k largest (or smallest) values along ``dim`` and their indices."""
    a = input._data
    d = dim_index(dim, a.ndim) if a.ndim else 0
    n = a.shape[d] if a.ndim else 1
    if k < 0 or k > n:
        raise RuntimeError("selected index k out of range")
    idx = _order(a, d, largest) if a.ndim else np.zeros((), np.int64)
    if a.ndim:
        idx = np.take(idx, np.arange(k), axis=d)
    return _pick("topk", TOPK, input, idx, d, True)


def kthvalue(input, k, dim=-1, keepdim=False):
    """The k-th smallest value along ``dim`` (1-based) and its index."""
    a = input._data
    d = dim_index(dim, a.ndim) if a.ndim else 0
    n = a.shape[d] if a.ndim else 1
    if not 1 <= k <= n:
        raise IndexError(f"kthvalue(): selected number k out of range for dimension {d}")
    idx = _order(a, d, False)
    idx = np.take(idx, [k - 1], axis=d) if a.ndim else np.zeros((), np.int64)
    return _pick("kthvalue", KTHVALUE, input, idx, d, keepdim)


def median(input, dim=None, keepdim=False):
    """The lower median of all elements, or (values, indices) along ``dim``."""
    a = input._data
    if dim is None:
        if a.size == 0:
            return _wrap(np.array(np.nan, dtype=a.dtype))
        flat = a.reshape(-1)
        i = _order(flat, 0, False)[(flat.size - 1) // 2]
        t = _wrap(np.array(flat[i]))
        if needs_grad(input):
            record(MEDIAN, t, (input, _wrap(np.array(i, dtype=np.int64))))
        return t
    d = dim_index(dim, a.ndim) if a.ndim else 0
    n = a.shape[d] if a.ndim else 1
    idx = _order(a, d, False)
    idx = np.take(idx, [(n - 1) // 2], axis=d) if a.ndim else np.zeros((), np.int64)
    return _pick("median", MEDIAN_DIM, input, idx, d, keepdim)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """Distinct values (sorted), optionally the inverse indices and the counts."""
    a = input._data
    if dim is not None:
        res = np.unique(a, return_inverse=return_inverse, return_counts=return_counts,
                        axis=dim_index(dim, a.ndim))
    else:
        res = np.unique(a, return_inverse=return_inverse, return_counts=return_counts)
    if not (return_inverse or return_counts):
        return _wrap(res)
    out = [_wrap(res[0])]
    k = 1
    if return_inverse:
        out.append(_wrap(res[k].reshape(a.shape if dim is None else -1).astype(np.int64)))
        k += 1
    if return_counts:
        out.append(_wrap(res[k].astype(np.int64)))
    return tuple(out)


METHODS = {"sort": sort, "argsort": argsort, "msort": msort, "topk": topk, "kthvalue": kthvalue,
           "median": median, "unique": unique}
