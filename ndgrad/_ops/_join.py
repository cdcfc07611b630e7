"""Joining and splitting: cat, stack (and h/v/d/column_stack), split, chunk, tensor_split, unbind.
Pieces of split/chunk/unbind are views sharing memory and the version counter with the input."""
import builtins
import numbers

import numpy as np

from .._tensor import Tensor, _wrap
from ._core import defop, mark_no_grad, needs_grad, record
from ._dispatch import result_dtype
from ._reduce import dim_index
from ._shape import _has_dims


# ------------------------------------------------------------------ rules
def _cat_vjp(ctx, g):
    dim, sizes = ctx._params
    outs = []
    start = 0
    for i, (n, sz) in enumerate(zip(ctx._needs, sizes)):
        if sz is None:  # a legacy empty 1-D input the forward skipped: a zero gradient of its shape
            outs.append(_wrap(np.zeros(ctx._meta[i][0], dtype=ctx._meta[i][1])) if n else None)
            continue
        outs.append(g.narrow(dim, start, sz) if n else None)
        start += sz
    return tuple(outs)


def _stack_vjp(ctx, g):
    dim, = ctx._params
    return tuple(g.select(dim, i) if n else None for i, n in enumerate(ctx._needs))


def _split_vjp(ctx, grads):
    if type(grads) is not tuple:   # a split into one piece: the engine passes the single grad
        grads = (grads,)
    dim, sizes = ctx._params
    shape, npd = ctx._meta[0]
    parts = []
    for gi, sz in zip(grads, sizes):
        if gi is None:
            s = list(shape)
            s[dim] = sz
            gi = _wrap(np.zeros(s, dtype=npd))
        parts.append(gi)
    return (cat(parts, dim),)


def _unbind_vjp(ctx, grads):
    if type(grads) is not tuple:
        grads = (grads,)
    dim, = ctx._params
    shape, npd = ctx._meta[0]
    s = list(shape)
    del s[dim]
    parts = [gi if gi is not None else _wrap(np.zeros(s, dtype=npd)) for gi in grads]
    return (stack(parts, dim),)


# ------------------------------------------------------------------ table
# the rules above on NumPy arrays (used when backward builds no graph; see _core.py)
def _cat_avjp(ctx, g):
    dim, sizes = ctx._params
    outs = []
    start = 0
    lead = (slice(None),) * dim
    for i, (n, sz) in enumerate(zip(ctx._needs, sizes)):
        if sz is None:
            outs.append(np.zeros(ctx._meta[i][0], dtype=ctx._meta[i][1]) if n else None)
            continue
        outs.append(g[lead + (slice(start, start + sz),)] if n else None)
        start += sz
    return tuple(outs)


def _stack_avjp(ctx, g):
    dim, = ctx._params
    lead = (slice(None),) * dim
    return tuple(g[lead + (i,)] if n else None for i, n in enumerate(ctx._needs))


def _missing_parts(grads, shapes, npd):
    if type(grads) is not tuple:  # one piece: the engine passes the single grad
        grads = (grads,)
    return [gi if gi is not None else np.zeros(s, dtype=npd) for gi, s in zip(grads, shapes)]


def _split_avjp(ctx, grads):
    dim, sizes = ctx._params
    shape, npd = ctx._meta[0]
    shapes = [shape[:dim] + (sz,) + shape[dim + 1:] for sz in sizes]
    return (np.concatenate(_missing_parts(grads, shapes, npd), axis=dim),)


def _unbind_avjp(ctx, grads):
    dim, = ctx._params
    shape, npd = ctx._meta[0]
    part = shape[:dim] + shape[dim + 1:]
    return (np.stack(_missing_parts(grads, [part] * shape[dim], npd), axis=dim),)


CAT = defop("cat", None, _cat_vjp, avjp=_cat_avjp)
STACK = defop("stack", None, _stack_vjp, avjp=_stack_avjp)
SPLIT = defop("split", None, _split_vjp, nout=-1, avjp=_split_avjp)
UNBIND = defop("unbind", None, _unbind_vjp, nout=-1, avjp=_unbind_avjp)
SPLIT_WITH_SIZES = defop("split_with_sizes", None, _split_vjp, node="SplitWithSizesBackward0", nout=-1,
                         avjp=_split_avjp)


# ------------------------------------------------------- public functions
def _cat_dtype(tensors):
    return result_dtype(*tensors).np


def cat(tensors, dim=0, *, out=None):
    """Concatenates tensors along an existing dim."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(x).__name__}")
    # legacy: 1-D empty tensors are skipped
    parts = [x for x in tensors if not (x._data.ndim == 1 and x._data.shape[0] == 0)] or tensors[:1]
    ref = parts[0]._data
    if ref.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = dim_index(dim, ref.ndim)
    for i, x in enumerate(parts):
        if x._data.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and {x._data.ndim}")
        for k in range(ref.ndim):
            if k != d and x._data.shape[k] != ref.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref.shape[k]} but got size {x._data.shape[k]} for tensor number {i} in "
                                   "the list.")
    npd = _cat_dtype(parts)
    arr = np.concatenate([x._data for x in parts], axis=d, dtype=npd)
    t = _wrap(arr)
    if needs_grad(*tensors):
        kept = {id(x) for x in parts}
        record(CAT, t, tuple(tensors), (d, tuple(x._data.shape[d] if id(x) in kept else None for x in tensors)))
    else:
        mark_no_grad(t, *tensors)
    if out is not None:
        from ._dispatch import _to_out
        return _to_out(t, out)
    return t


concat = cat
concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """Stacks same-shaped tensors along a new dim."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0]._data.shape
    for i, x in enumerate(tensors):
        if x._data.shape != ref:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"[{', '.join(map(str, ref))}] at entry 0 and "
                               f"[{', '.join(map(str, x._data.shape))}] at entry {i}")
    d = dim_index(dim, len(ref) + 1)
    npd = _cat_dtype(tensors)
    arr = np.stack([x._data for x in tensors], axis=d)
    if arr.dtype != npd:
        arr = arr.astype(npd)
    t = _wrap(arr)
    if needs_grad(*tensors):
        record(STACK, t, tuple(tensors), (d,))
    else:
        mark_no_grad(t, *tensors)
    return t


def hstack(tensors):
    tensors = [atleast_1d(x) for x in tensors]
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors):
    return cat([atleast_2d(x) for x in tensors], 0)


row_stack = vstack


def dstack(tensors):
    return cat([atleast_3d(x) for x in tensors], 2)


def column_stack(tensors):
    return hstack([x.reshape(-1, 1) if x.ndim <= 1 else x for x in tensors])


def atleast_1d(x):
    return x.reshape(1) if x._data.ndim == 0 else x


def atleast_2d(x):
    return x.reshape(1, -1) if x._data.ndim < 2 else x


def atleast_3d(x):
    n = x._data.ndim
    if n == 0:
        return x.reshape(1, 1, 1)
    if n == 1:
        return x.reshape(1, -1, 1)
    if n == 2:
        return x.unsqueeze(-1)
    return x


def _split_views(input, sizes, d, op=None):
    arr = input._data
    outs = []
    start = 0
    idx = [builtins.slice(None)] * arr.ndim
    for sz in sizes:
        idx[d] = builtins.slice(start, start + sz)
        outs.append(arr[tuple(idx)])
        start += sz
    ts = [_split_view(input, a) for a in outs]
    if needs_grad(input):
        record(op or SPLIT, tuple(ts), (input,), (d, tuple(sizes)))
    return tuple(ts)


def _split_view(input, a):
    t = _wrap(a)
    from ..autograd.graph import _VC
    if input._vc is None:
        input._vc = _VC()
    t._vc = input._vc
    t._base = input._base if input._base is not None else input
    return t


def split(tensor, split_size_or_sections, dim=0):
    """Splits into chunks of a size (or a list of sizes) along ``dim``: views."""
    d = dim_index(dim, tensor._data.ndim)
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, numbers.Integral):
        s = int(split_size_or_sections)
        if s <= 0 and n > 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
        sizes = [s] * (n // s) + ([n % s] if n % s else []) if s > 0 and n else [0]
    else:
        sizes = [int(x) for x in split_size_or_sections]
        if builtins.sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                               f"size at dimension {d}), but got split_sizes=[{', '.join(map(str, sizes))}]")
        return _split_views(tensor, sizes, d, SPLIT_WITH_SIZES)
    return _split_views(tensor, sizes, d)


def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = dim_index(dim, input._data.ndim)
    n = input._data.shape[d]
    size = -(-n // chunks) if n else 0
    if size == 0:  # an empty dim: PyTorch gives `chunks` empty pieces (split_with_sizes)
        return split(input, [0] * chunks, d)
    return split(input, size, d)


def tensor_split(input, indices_or_sections, dim=0):
    d = dim_index(dim, input._data.ndim)
    n = input._data.shape[d]
    if isinstance(indices_or_sections, numbers.Integral):
        k = int(indices_or_sections)
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    else:
        bounds = [0] + [builtins.min(builtins.max(int(i), 0), n) for i in indices_or_sections] + [n]
        sizes = [builtins.max(b - a, 0) for a, b in zip(bounds, bounds[1:])]
    return _split_views(input, sizes, d)


def unbind(input, dim=0):
    """Removes a dim, returning the slices along it: views."""
    _has_dims(input, dim)
    d = dim_index(dim, input._data.ndim)
    arr = input._data
    outs = tuple(_split_view(input, arr[(builtins.slice(None),) * d + (i,)])
                 for i in range(arr.shape[d]))
    if needs_grad(input):
        record(UNBIND, outs, (input,), (d,))
    return outs


METHODS = {
    "split": split, "chunk": chunk, "tensor_split": tensor_split, "unbind": unbind,
}
