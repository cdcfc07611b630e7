"""Reductions: sum, mean, prod, max/min, amax/amin, arg*, var/std, norm, logsumexp, cumsum."""
import builtins

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ._core import _fw, _state, defop, mark_no_grad, needs_grad, record
from ._dispatch import apply, either, out_array, where_for
from ._unary import _quiet


def dims_of(dim, ndim):
    """Normalised tuple of dims (sorted, non-negative), or None for all."""
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return None
        ds = [dim_index(d, ndim) for d in dim]
        for d in ds:
            if ds.count(d) > 1:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        return tuple(sorted(ds))
    return (dim_index(dim, ndim),)


def dim_index(d, ndim):
    d = int(d)
    n = builtins.max(ndim, 1)
    if d < -n or d >= n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")
    return d + n if d < 0 else d


def unreduce(g, shape, dims, keepdim):
    """Broadcasts a reduced gradient back to ``shape`` (differentiably; a NumPy array in array rules)."""
    if g.ndim == 0:  # a full reduction: a 0-d gradient expands as it is (one op, not reshape + expand)
        return _expand(g, shape) if shape != () else g
    if dims is None:
        dims = tuple(range(len(shape)))
    if not keepdim and dims:
        kshape = list(shape)
        for d in dims:
            kshape[d] = 1
        g = g.reshape(kshape)
    return _expand(g, shape) if tuple(g.shape) != tuple(shape) else g


def _expand(g, shape):
    return g.expand(shape) if type(g) is Tensor else broadcast_array(g, shape)


def broadcast_array(g, shape):
    """``np.broadcast_to`` (a read-only view); a 0-d ``g`` (a full reduction's gradient) in ~0.2 us
    instead of ~1.8 (broadcast_to is Python code around nditer)."""
    if g.ndim == 0 and shape:
        v = np.ndarray(shape, g.dtype, g, 0, (0,) * len(shape))
        v.flags.writeable = False
        return v
    return np.broadcast_to(g, shape)


def _count(shape, dims):
    if dims is None:
        return int(np.prod(shape, dtype=np.int64))
    n = 1
    for d in dims:
        n *= shape[d]
    return n


# ------------------------------------------------------------------ rules
def _sum_vjp(ctx, g):
    shape = ctx._meta[0][0]
    dims, keepdim = ctx._params[:2]
    return (unreduce(g, shape, dims, keepdim),)


def _mean_vjp(ctx, g):
    shape = ctx._meta[0][0]
    dims, keepdim = ctx._params[:2]
    return (unreduce(g / _count(shape, dims), shape, dims, keepdim),)


def _prod_vjp(ctx, g):
    x, out = ctx.saved
    dims, keepdim = ctx._params[:2]
    shape = ctx._meta[0][0]
    gu = unreduce(g, shape, dims, keepdim)
    ou = unreduce(out, shape, dims, keepdim)
    xd = x._data
    if not (xd == 0).any():
        return (gu * ou / x,)
    # product of the other elements, for zero entries (not differentiable twice)
    others = _prod_others(xd, dims)
    from ._index import where
    safe = where(x == 0, 1.0, x)
    return (gu * where(x == 0, _wrap(others), ou / safe),)


def _prod_others(x, dims):
    axes = tuple(range(x.ndim)) if dims is None else dims
    flat_axes = axes
    moved = np.moveaxis(x, flat_axes, tuple(range(x.ndim - len(flat_axes), x.ndim)))
    lead = moved.shape[:x.ndim - len(flat_axes)]
    m = moved.reshape(lead + (-1,))
    left = np.cumprod(np.concatenate([np.ones(lead + (1,), x.dtype), m[..., :-1]], -1), -1)
    right = np.flip(np.cumprod(np.concatenate([np.ones(lead + (1,), x.dtype), np.flip(m, -1)[..., :-1]], -1), -1), -1)
    res = (left * right).reshape(moved.shape)
    return np.moveaxis(res, tuple(range(x.ndim - len(flat_axes), x.ndim)), flat_axes)


def _minmax_all_vjp(ctx, g):
    x, out = ctx.saved
    mask = (x == out)
    return (where_for(g)(mask, g / mask.sum(), 0.0),)  # PyTorch: zeros, g / count where the extremum is


def _amax_vjp(ctx, g):
    x, out = ctx.saved
    dims, keepdim = ctx._params
    shape = ctx._meta[0][0]
    mask = x == unreduce(out, shape, dims, keepdim)
    cnt = mask.sum(dim=dims if dims is not None else None, keepdim=True) if dims is not None else mask.sum()
    return (unreduce(g, shape, dims, keepdim) * mask / cnt,)  # PyTorch's too: an inf gradient gives nan off the extremum


def _amax_avjp(ctx, g):  # _amax_vjp on arrays
    x, out = ctx.saved
    dims, keepdim = ctx._params
    shape = ctx._meta[0][0]
    mask = x == unreduce(out, shape, dims, keepdim)
    cnt = (mask.sum(axis=dims, keepdims=True) if dims is not None else mask.sum()).astype(g.dtype)
    return (unreduce(g, shape, dims, keepdim) * mask / cnt,)


def _minmax_dim_avjp(ctx, g):  # _minmax_dim_vjp on arrays
    gv = g[0]
    idx, = ctx.saved
    dim, keepdim = ctx._params
    shape, npd = ctx._meta[0]
    if gv is None or len(shape) == 0:
        return (gv,)
    if not keepdim:
        gv, idx = np.expand_dims(gv, dim), np.expand_dims(idx, dim)
    z = np.zeros(shape, dtype=npd)
    np.put_along_axis(z, idx, gv, dim)
    return (z,)


def _minmax_dim_vjp(ctx, g):
    gv = g[0]
    idx, = ctx.saved
    dim, keepdim = ctx._params
    shape = ctx._meta[0][0]
    if gv is None:
        return (None,)
    if len(shape) == 0:
        return (gv,)
    if not keepdim:
        gv = gv.unsqueeze(dim)
        idx = idx.unsqueeze(dim)
    from ._index import gather_backward
    return (gather_backward(gv, dim, idx, shape),)


def _sum_to_vjp(ctx, g):
    return (_expand(g, ctx._meta[0][0]),)


# ---------------------------------------------------------------- kernels
def _sum_k(x, dims, keepdim, npd=None):
    # the ufunc itself (np.sum's own computation): its warnings then come from ndgrad's frame, which the
    # filter in ndgrad/__init__.py silences (PyTorch's sums overflow to inf quietly)
    return np.add.reduce(x, axis=dims, keepdims=keepdim, dtype=npd)


def _mean_k(x, dims, keepdim):
    if x.size == 0:  # an empty mean is nan (an empty result stays empty), quietly: NumPy warns
        return np.full_like(np.add.reduce(x, axis=dims, keepdims=keepdim), np.nan)
    # np.mean's own steps (numpy/_core/_methods.py: the sum, float16 in float32, divided by the count),
    # the same bits without its Python wrapper (~1.4 us of a small mean; tests/ops/test_kernels.py)
    half = x.dtype == np.float16
    s = np.add.reduce(x, axis=dims, keepdims=keepdim, dtype=np.float32 if half else None)
    n = np.intp(x.size // s.size)  # (an intp, as NumPy's count: the division then runs in double)
    if type(s) is np.ndarray:
        s = np.true_divide(s, n, out=s, casting="unsafe")
        return s.astype(np.float16) if half else s
    return (np.float16 if half else s.dtype.type)(s / n)


def _prod_k(x, dims, keepdim, npd=None):
    return np.prod(x, axis=dims, keepdims=keepdim, dtype=npd)


def _amax_k(x, dims, keepdim):
    return np.max(x, axis=dims, keepdims=keepdim)


def _amin_k(x, dims, keepdim):
    return np.min(x, axis=dims, keepdims=keepdim)


def _max_all_k(x):
    return np.maximum.reduce(x, axis=None)  # np.max without its Python wrapper


def _min_all_k(x):
    return np.minimum.reduce(x, axis=None)


def _dim_select_k(argf):
    """Kernel of max/min over one dim: (values, int64 indices); NaN wins, as in PyTorch."""
    def k(x, dim, keepdim):
        if x.ndim == 0:
            return x.copy(), np.zeros((), np.int64)
        idx = _nan_aware_arg(x, dim, argf)
        v = np.take_along_axis(x, np.expand_dims(idx, dim), dim)
        if not keepdim:
            v = v.squeeze(dim)
        else:
            idx = np.expand_dims(idx, dim)
        return v, idx.astype(np.int64)
    return k


_maxdim_k = _dim_select_k(np.argmax)
_mindim_k = _dim_select_k(np.argmin)


def _nan_aware_arg(x, dim, f):
    if x.dtype.kind == "f":
        nan = np.isnan(x)
        if nan.any():
            return np.argmax(nan, axis=dim)
    return f(x, axis=dim)


def _sum_to_k(x, shape):
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and x.shape[i + lead] != 1)
    r = np.sum(x, axis=axes, keepdims=True) if axes else x
    return r.reshape(shape)


SUM = defop("sum", _sum_k, _sum_vjp, node="SumBackward0", avjp=True)
SUM_DIM = defop("sum_dim", _sum_k, _sum_vjp, node="SumBackward1", avjp=True)
# through NumPy's Python wrappers (np.mean, np.prod): its overflow warnings would escape the filter in
# ndgrad/__init__.py, which covers warnings raised from ndgrad's own frames
MEAN = defop("mean", _quiet(_mean_k), _mean_vjp, node="MeanBackward0", avjp=True)
MEAN_DIM = defop("mean_dim", _quiet(_mean_k), _mean_vjp, node="MeanBackward1", avjp=True)
PROD = defop("prod", _quiet(_prod_k), _prod_vjp, node="ProdBackward0", save=(0, "out"))
PROD_DIM = defop("prod_dim", _prod_k, _prod_vjp, node="ProdBackward1", save=(0, "out"))
MAX_ALL = defop("max", _max_all_k, _minmax_all_vjp, node="MaxBackward1", save=(0, "out"), avjp=True)
MIN_ALL = defop("min", _min_all_k, _minmax_all_vjp, node="MinBackward1", save=(0, "out"), avjp=True)
# inputs (x, indices): the indices output is recorded as input 1 so the node can save it
MAX_DIM = defop("max_dim", _maxdim_k, _minmax_dim_vjp, node="MaxBackward0", save=(1,), nout=2, avjp=_minmax_dim_avjp)
MIN_DIM = defop("min_dim", _mindim_k, _minmax_dim_vjp, node="MinBackward0", save=(1,), nout=2, avjp=_minmax_dim_avjp)
AMAX = defop("amax", _amax_k, _amax_vjp, save=(0, "out"), avjp=_amax_avjp)
AMIN = defop("amin", _amin_k, _amax_vjp, save=(0, "out"), avjp=_amax_avjp)
SUM_TO = defop("sum_to_size", _sum_to_k, _sum_to_vjp, node="SumBackward1", avjp=True)


# ------------------------------------------------------- public functions
def _int_acc(x, dtype):
    if dtype is not None:
        return D.to_dtype(dtype).np
    return np.dtype(np.int64) if x._data.dtype.kind in "iub" else None


def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None):
    """Sum of all elements, or over ``dim`` (int or tuple)."""
    if axis is not None:
        dim = axis
    d = input._data
    if dim is None and dtype is None and d.dtype.kind == "f":  # loss.sum(): no dims or dtype to work out
        npd = dims = None
    else:
        npd = _int_acc(input, dtype)
        dims = dims_of(dim, d.ndim)
    if dims is None and not (isinstance(dim, (list, tuple)) and keepdim):
        if dim is not None and d.ndim == 0:
            dims = None
        x = d if npd is None else d.astype(npd)
        # np.add.reduce is what np.sum runs, without its Python-level dispatch (~1.5 us)
        t = _wrap(out_array(np.add.reduce(x, axis=None, keepdims=keepdim), npd or d.dtype))
        if (input._requires_grad and _state.enabled) or (_fw.on and needs_grad(input)):
            record(SUM if dim is None else SUM_DIM, t, (input,), (None, keepdim))
        elif input._requires_grad:
            mark_no_grad(t, input)
        return t
    if d.ndim == 0:
        dims = None
    x = d if npd is None else d.astype(npd)
    return apply(SUM_DIM, (input,), (x,), (dims, keepdim))


def _nansum_vjp(ctx, g):  # also the array rule
    x, = ctx.saved
    dims, keepdim = ctx._params
    gu = unreduce(g, ctx._meta[0][0], dims, keepdim)
    return (where_for(g)(either(x, Tensor.isnan, np.isnan), 0.0, gu),)


def _nansum_k(x, dims, keepdim):
    return np.nansum(x, axis=dims, keepdims=keepdim) if x.dtype.kind == "f" else np.sum(x, axis=dims, keepdims=keepdim)


NANSUM = defop("nansum", _quiet(_nansum_k), _nansum_vjp, save=(0,), avjp=True)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum treating NaN as zero (NansumBackward0)."""
    npd = _int_acc(input, dtype)
    x = input._data if npd is None else input._data.astype(npd)
    dims = dims_of(dim, x.ndim) if x.ndim else None
    return apply(NANSUM, (input,), (x,), (dims, keepdim))


def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None):
    if axis is not None:
        dim = axis
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex "
            f"dtype. Got: {_long_name(input.dtype)}")
    dims = dims_of(dim, input._data.ndim)
    if input._data.ndim == 0:
        dims = None
    return apply(MEAN if dim is None else MEAN_DIM, (input,), (input._data,), (dims, keepdim))  # (quiet kernels)


def nanmean(input, dim=None, keepdim=False):
    notnan = ~input.isnan()
    from ._index import where
    return sum(where(notnan, input, 0.0), dim, keepdim) / notnan.sum(dim, keepdim)


def _long_name(dt):
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool", "float32": "Float", "float64": "Double", "float16": "Half"}[dt.name]


def prod(input, dim=None, keepdim=False, *, dtype=None):
    npd = _int_acc(input, dtype)
    x = input._data if npd is None else input._data.astype(npd)
    if dim is None:
        return apply(PROD, (input,), (x,), (None, False))
    dims = dims_of(dim, x.ndim) if x.ndim else None
    return apply(PROD_DIM, (input,), (x,), (dims, keepdim))


class _MinMax(tuple):
    """(values, indices) named tuple as torch.return_types.max."""

    _name = "max"

    def __new__(cls, values, indices, name="max"):
        t = tuple.__new__(cls, (values, indices))
        t._name = name
        return t

    def __init__(self, *a, **k):
        pass

    @property
    def values(self):
        return self[0]

    @property
    def indices(self):
        return self[1]

    def __repr__(self):
        return f"torch.return_types.{self._name}(\nvalues={self[0]!r},\nindices={self[1]!r})"


def _minmax(input, dim, keepdim, other, all_op, dim_op, binop, name):
    if isinstance(dim, Tensor) or other is not None:
        from . import _pointwise  # (it imports this module)
        return getattr(_pointwise, binop)(input, dim if other is None else other)
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        return apply(all_op, (input,), (input._data,))
    d = dim_index(dim, input._data.ndim)
    if input._data.ndim and input._data.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    v, i = dim_op.kernel(input._data, d, keepdim)
    v, i = _wrap(out_array(v)), _wrap(out_array(i))
    if needs_grad(input):
        record(dim_op, (v, None), (input, i), (d, keepdim))
    return _MinMax(v, i, name)


def max(input, dim=None, keepdim=False, *, other=None):
    """Max of all elements; with ``dim``: (values, indices); with a tensor: elementwise maximum."""
    return _minmax(input, dim, keepdim, other, MAX_ALL, MAX_DIM, "maximum", "max")


def min(input, dim=None, keepdim=False, *, other=None):
    return _minmax(input, dim, keepdim, other, MIN_ALL, MIN_DIM, "minimum", "min")


def _check_nonempty(name, x, dim, msg, exc=RuntimeError):
    """PyTorch's errors for max-like reductions over nothing."""
    if x.size:
        return
    if dim is None or (isinstance(dim, (tuple, list)) and not dim):
        raise exc(msg)
    for d in (dim if isinstance(dim, (tuple, list)) else (dim,)):
        d = dim_index(d, x.ndim)
        if x.ndim and x.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def amax(input, dim=(), keepdim=False):
    _check_nonempty("amax", input._data, dim, _EMPTY.format("amax"))
    dims = dims_of(dim, input._data.ndim) if input._data.ndim else None
    return apply(AMAX, (input,), (input._data,), (dims, keepdim))


def amin(input, dim=(), keepdim=False):
    _check_nonempty("amin", input._data, dim, _EMPTY.format("amin"))
    dims = dims_of(dim, input._data.ndim) if input._data.ndim else None
    return apply(AMIN, (input,), (input._data,), (dims, keepdim))


class _AMinMax(tuple):
    """torch.return_types.aminmax: (min, max)."""

    def __new__(cls, mn, mx):
        return tuple.__new__(cls, (mn, mx))

    @property
    def min(self):
        return self[0]

    @property
    def max(self):
        return self[1]

    def __repr__(self):
        return f"torch.return_types.aminmax(\nmin={self[0]!r},\nmax={self[1]!r})"


def _aminmax_vjp(ctx, grads):
    x, = ctx.saved
    dims, keepdim = ctx._params
    shape = ctx._meta[0][0]
    r = None
    for g, f in zip(grads, (np.min, np.max)):
        if g is None:
            continue
        ext = _wrap(np.asarray(f(x._data, axis=dims, keepdims=True)))
        mask = x == ext
        cnt = mask.sum(dim=list(dims), keepdim=True) if dims is not None else mask.sum()
        part = unreduce(g, shape, dims, keepdim) * mask / cnt
        r = part if r is None else r + part
    return (r,)


AMINMAX = defop("aminmax", lambda x, dims, keepdim: (np.asarray(np.min(x, axis=dims, keepdims=keepdim)),
                                                     np.asarray(np.max(x, axis=dims, keepdims=keepdim))),
                _aminmax_vjp, save=(0,), nout=2)


def aminmax(input, *, dim=None, keepdim=False):
    """(min, max) from one node (AminmaxBackward0), as torch.return_types.aminmax."""
    x = input._data
    if x.size == 0:
        if dim is None:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                               "identity.")
        d = dim_index(dim, x.ndim)
        if x.ndim and x.shape[d] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
    dims = dims_of(dim, input._data.ndim) if input._data.ndim and dim is not None else None
    mn, mx = apply(AMINMAX, (input,), (input._data,), (dims, keepdim))
    return _AMinMax(mn, mx)


def _arg(f, input, dim, keepdim):
    x = input._data
    _check_nonempty(f.__name__, x, dim, "argmax(): Expected reduction dim to be specified for input.numel() == 0."
                    .replace("argmax", f.__name__), IndexError)
    if dim is None:
        r = _nan_aware_arg(x.ravel(), 0, f) if x.ndim else np.int64(0)
        r = np.asarray(r, dtype=np.int64)
        if keepdim:
            r = r.reshape((1,) * x.ndim)
        return _wrap(r)
    d = dim_index(dim, x.ndim)
    if x.ndim == 0:
        return _wrap(np.zeros((), np.int64))
    r = _nan_aware_arg(x, d, f).astype(np.int64)
    if keepdim:
        r = np.expand_dims(r, d)
    return _wrap(np.asarray(r))


def argmax(input, dim=None, keepdim=False):
    return _arg(np.argmax, input, dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    return _arg(np.argmin, input, dim, keepdim)


def sum_to_size(input, *size):
    from .._tensor import _shape_args
    shape = _shape_args(size)
    if tuple(input._data.shape) == shape:
        return input
    return apply(SUM_TO, (input,), (input._data,), (shape,))


_EMPTY = ("{}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim "
          "with the 'dim' argument.")


def all(input, dim=None, keepdim=False):
    dims = dims_of(dim, input._data.ndim) if input._data.ndim else None
    # PyTorch keeps uint8 for uint8 input, bool otherwise
    return _wrap(np.asarray(np.all(input._data, axis=dims, keepdims=keepdim), dtype=_logical_dtype(input)))


def any(input, dim=None, keepdim=False):
    dims = dims_of(dim, input._data.ndim) if input._data.ndim else None
    return _wrap(np.asarray(np.any(input._data, axis=dims, keepdims=keepdim), dtype=_logical_dtype(input)))


def _logical_dtype(input):
    return np.uint8 if input._data.dtype == np.uint8 else np.bool_


def count_nonzero(input, dim=None):
    dims = dims_of(dim, input._data.ndim) if input._data.ndim else None
    return _wrap(np.asarray(np.count_nonzero(input._data, axis=dims), dtype=np.int64))


METHODS = {
    "sum": sum, "nansum": nansum, "mean": mean, "nanmean": nanmean, "prod": prod, "max": max, "min": min,
    "amax": amax, "amin": amin, "aminmax": aminmax, "argmax": argmax, "argmin": argmin,
    "sum_to_size": sum_to_size, "all": all, "any": any, "count_nonzero": count_nonzero,
}
