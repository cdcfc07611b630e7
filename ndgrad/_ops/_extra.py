"""Everyday functions built from primitives (no rules of their own): meshgrid, repeat_interleave, diff,
cross, kron, cdist, logaddexp, logcumsumexp, cummax/cummin, rot90, trapezoid, diag_embed, unfold,
nan_to_num ... and integer utilities without gradients (bincount, histc, bucketize, searchsorted, isin)."""
import builtins
import math

import numpy as np

from .._tensor import Tensor, _wrap
from ._reduce import _MinMax, dim_index


def _t(x, like=None):
    from ._dispatch import as_tensor_arg
    return as_tensor_arg(x, like)


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-D tensors (views made by expand)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    ts = list(tensors)
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = [t.numel() for t in ts]
    out = []
    for i, t in enumerate(ts):
        view = [1] * len(ts)
        view[i] = -1
        out.append(t.reshape(view).expand(shape))
    if swap:
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeats each element ``repeats`` times (IndexSelectBackward0, as PyTorch)."""
    if repeats is None:  # repeat_interleave(repeats_tensor): indices repeated by their counts
        r = input._data.astype(np.int64)
        return _wrap(np.repeat(np.arange(r.size, dtype=np.int64), r))
    x = input.reshape(-1) if dim is None else input
    d = 0 if dim is None else dim_index(dim, x.ndim)
    n = x.shape[d]
    reps = repeats._data.astype(np.int64) if isinstance(repeats, Tensor) else int(repeats)
    idx = np.repeat(np.arange(n, dtype=np.int64), reps)
    return x.index_select(d, _wrap(idx))


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """n-th forward difference along ``dim``."""
    from ._join import cat
    d = dim_index(dim, input.ndim)
    x = input
    if prepend is not None or append is not None:
        x = cat([p for p in (prepend, x, append) if p is not None], d)
    for _ in range(n):
        m = x.shape[d]
        x = x.narrow(d, 1, m - 1) - x.narrow(d, 0, m - 1)
    return x


def cross(input, other, dim=None):
    """Cross product of 3-vectors along ``dim`` (the first dim of size 3 by default)."""
    if dim is None:
        dim = next(i for i, s in enumerate(np.broadcast_shapes(input.shape, other.shape)) if s == 3)
    d = dim_index(dim, input.ndim)
    a = [input.select(d, i) for i in range(3)]
    b = [other.select(d, i) for i in range(3)]
    from ._join import stack
    return stack([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]], d)


def kron(input, other):
    """Kronecker product."""
    n = builtins.max(input.ndim, other.ndim)
    a = input.reshape((1,) * (n - input.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (n - other.ndim) + tuple(other.shape))
    ai = [s for d in a.shape for s in (d, 1)]
    bi = [s for d in b.shape for s in (1, d)]
    return (a.reshape(ai) * b.reshape(bi)).reshape([x * y for x, y in zip(a.shape, b.shape)])


def cdist(x1, x2, p=2.0, compute_mode=None):
    """Pairwise p-norm distances between the rows of x1 and x2 (batched)."""
    return (x1.unsqueeze(-2) - x2.unsqueeze(-3)).norm(p=p, dim=-1)


def hypot(input, other):
    return (input * input + other * other).sqrt()


def logaddexp(input, other):
    """log(exp(a) + exp(b)), computed stably."""
    from ._pointwise import maximum
    m = maximum(input, other).detach()
    return m + ((input - m).exp() + (other - m).exp()).log()


def logaddexp2(input, other):
    return logaddexp(input * math.log(2.0), other * math.log(2.0)) / math.log(2.0)


def logcumsumexp(input, dim):
    """log of the running sum of exp along ``dim``, computed stably."""
    d = dim_index(dim, input.ndim)
    m = input.detach().amax(d, keepdim=True) if input.numel() else input.detach()
    m = m.masked_fill(~m.isfinite(), 0.0)
    return (input - m).exp().cumsum(d).log() + m


def _cumext(input, dim, better, name):
    from ._index import gather
    d = dim_index(dim, input.ndim)
    a = np.moveaxis(input._data, d, -1)
    idx = np.zeros(a.shape, dtype=np.int64)
    if a.shape[-1]:
        best = a[..., 0].copy()
        for j in range(1, a.shape[-1]):
            take = better(a[..., j], best) | (a[..., j] == best) | np.isnan(a[..., j])
            idx[..., j] = np.where(take, j, idx[..., j - 1])
            best = np.where(take, a[..., j], best)
    idx = _wrap(np.ascontiguousarray(np.moveaxis(idx, -1, d)))
    return _MinMax(gather(input, d, idx), idx, name)


def cummax(input, dim):
    """Running maximum along ``dim`` and where it was found."""
    return _cumext(input, dim, np.greater, "cummax")


def cummin(input, dim):
    return _cumext(input, dim, np.less, "cummin")


def rot90(input, k=1, dims=(0, 1)):
    k %= 4
    d0, d1 = dims
    if k == 1:
        return input.flip(d1).transpose(d0, d1)
    if k == 2:
        return input.flip(d0, d1)
    if k == 3:
        return input.transpose(d0, d1).flip(d1)
    return input.clone()


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Integral of y along ``dim`` by the trapezoidal rule."""
    d = dim_index(dim, y.ndim)
    n = y.shape[d]
    mid = (y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)) / 2
    if x is None:
        return mid.sum(d) * (1.0 if dx is None else dx)
    dxs = diff(x, dim=-1 if x.ndim == 1 else d)
    if x.ndim == 1 and y.ndim > 1:
        shape = [1] * y.ndim
        shape[d] = n - 1
        dxs = dxs.reshape(shape)
    return (mid * dxs).sum(d)


trapz = trapezoid


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices with ``input``'s last dim on their (offset) diagonal."""
    from .._creation import zeros
    n = input.shape[-1] + abs(offset)
    out = zeros(*input.shape[:-1], n, n, dtype=input.dtype)
    i = np.arange(input.shape[-1])
    rows, cols = (i, i + offset) if offset >= 0 else (i - offset, i)
    out[..., rows, cols] = input
    nd = out.ndim
    d1, d2 = dim_index(dim1, nd), dim_index(dim2, nd)
    if (d1, d2) != (nd - 2, nd - 1):
        out = out.movedim((nd - 2, nd - 1), (d1, d2))
    return out


def unfold(input, dimension, size, step):
    """Windows of ``size`` every ``step`` along ``dimension``, in a new last dim."""
    d = dim_index(dimension, input.ndim)
    n = input.shape[d] if input.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    nwin = (n - size) // step + 1
    pos = np.arange(nwin)[:, None] * step + np.arange(size)
    out = input[(slice(None),) * d + (_wrap(pos),)]
    return out.movedim(d + 1, -1)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN -> ``nan``, +inf/-inf -> ``posinf``/``neginf`` (default: the dtype's extremes)."""
    from ._index import where
    if input._data.dtype.kind != "f":
        return input.clone()
    fi = np.finfo(input._data.dtype)
    hi = float(fi.max) if posinf is None else posinf
    lo = float(fi.min) if neginf is None else neginf
    x = input._data
    return where(_wrap(np.isnan(x)), nan, where(_wrap(np.isposinf(x)), hi, where(_wrap(np.isneginf(x)), lo,
                                                                                  input)))


def sinc(input):
    from ._index import where
    px = input * math.pi
    safe = where(px == 0, 1.0, px)
    return where(px == 0, 1.0, safe.sin() / safe)


def deg2rad(input):
    return input * (math.pi / 180.0)


def rad2deg(input):
    return input * (180.0 / math.pi)


def sgn(input):
    return input.sign()


def heaviside(input, values):
    x = input._data
    v = values._data if isinstance(values, Tensor) else values
    return _wrap(np.asarray(np.heaviside(x, v), dtype=x.dtype))


def take(input, index):
    return input.reshape(-1)[index]


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    r, c = np.tril_indices(row, offset, col)
    return _wrap(np.stack([r, c]).astype(np.int64))


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    r, c = np.triu_indices(row, offset, col)
    return _wrap(np.stack([r, c]).astype(np.int64))


def bincount(input, weights=None, minlength=0):
    w = None if weights is None else weights._data
    r = np.bincount(input._data, w, minlength)
    return _wrap(r if w is not None else r.astype(np.int64))


def histc(input, bins=100, min=0, max=0):
    x = input._data
    lo, hi = (x.min(), x.max()) if min == max else (min, max)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    h, _ = np.histogram(x, bins=bins, range=(lo, hi))
    return _wrap(h.astype(x.dtype))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    r = np.searchsorted(boundaries._data, _t(input)._data, side="right" if right else "left")
    return _wrap(np.asarray(r, dtype=np.int32 if out_int32 else np.int64))


def searchsorted(sorted_sequence, values, *, out_int32=False, right=False, side=None, sorter=None):
    side = side or ("right" if right else "left")
    s, v = sorted_sequence._data, _t(values)._data
    if s.ndim == 1:
        r = np.searchsorted(s, v, side=side)
    else:
        r = np.stack([np.searchsorted(a, b, side=side) for a, b in zip(s.reshape(-1, s.shape[-1]),
                                                                        v.reshape(-1, v.shape[-1]))])
        r = r.reshape(v.shape)
    return _wrap(np.asarray(r, dtype=np.int32 if out_int32 else np.int64))


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    e = _t(elements)._data
    t = _t(test_elements)._data
    return _wrap(np.asarray(np.isin(e, t, assume_unique=assume_unique, invert=invert)))


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    x = input._data.reshape(-1) if dim is None else input._data
    keep = np.ones(x.shape[0], dtype=bool)
    keep[1:] = x[1:] != x[:-1]
    out = [_wrap(x[keep])]
    if return_inverse:
        out.append(_wrap((np.cumsum(keep) - 1).reshape(input._data.shape if dim is None else -1).astype(np.int64)))
    if return_counts:
        starts = np.flatnonzero(keep)
        out.append(_wrap(np.diff(np.append(starts, x.shape[0])).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def _fill_diagonal_(self, fill_value, wrap=False):
    n = builtins.min(self.shape) if not wrap or self.ndim != 2 else self.shape[0]
    i = np.arange(n)
    if self.ndim == 2 and wrap and self.shape[0] > self.shape[1]:
        i = i[(i % (self.shape[1] + 1)) < self.shape[1]]
        rows = i
        cols = i % (self.shape[1] + 1)
        keep = cols < self.shape[1]
        self[(rows[keep], cols[keep])] = fill_value
        return self
    self[(i,) * self.ndim] = fill_value
    return self


def _apply_(self, callable):
    from ._inplace import check_inplace
    check_inplace(self)
    self._data[...] = np.vectorize(callable, otypes=[self._data.dtype])(self._data)
    self._bump()
    return self


def nonzero(input, *, as_tuple=False):
    nz = np.nonzero(input._data) if input._data.ndim else np.nonzero(input._data.reshape(1))
    if as_tuple:
        return tuple(_wrap(a.astype(np.int64)) for a in nz)
    if input._data.ndim == 0:  # a 0-d input has no coordinates: [n, 0]
        return _wrap(np.zeros((nz[0].size, 0), np.int64))
    return _wrap(np.stack(nz, axis=1).astype(np.int64) if nz else np.zeros((0, 0), np.int64))


def argwhere(input):
    return nonzero(input)


METHODS = {"nonzero": nonzero, "argwhere": argwhere,
           "repeat_interleave": repeat_interleave, "diff": diff, "cross": cross, "kron": kron,
           "hypot": hypot, "logaddexp": logaddexp, "logcumsumexp": logcumsumexp, "cummax": cummax,
           "cummin": cummin, "rot90": rot90, "diag_embed": diag_embed, "unfold": unfold,
           "nan_to_num": nan_to_num, "sinc": sinc, "deg2rad": deg2rad, "rad2deg": rad2deg, "sgn": sgn,
           "heaviside": heaviside, "take": take, "bincount": bincount, "histc": histc, "isin": isin,
           "unique_consecutive": unique_consecutive, "fill_diagonal_": _fill_diagonal_, "apply_": _apply_}
INPLACE = ("nan_to_num", "hypot", "deg2rad", "rad2deg", "sgn")
