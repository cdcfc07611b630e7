"""Shape ops. Views (view, reshape when possible, transpose, permute, expand,
squeeze, unsqueeze, split...) share memory and the version counter with their base."""
import builtins

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _shape_args, _wrap
from ._core import defop, needs_grad, record
from ._dispatch import apply, apply_to, view_of
from ._reduce import dim_index, dims_of


# ------------------------------------------------------------------ rules
def _reshape_vjp(ctx, g):
    return (g.reshape(ctx._meta[0][0]),)


def _transpose_vjp(ctx, g):
    d0, d1 = ctx._params
    return (g.transpose(d0, d1),)


def _permute_vjp(ctx, g):
    perm, = ctx._params
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return (g.permute(inv),)


def _t_vjp(ctx, g):
    return (g.t(),)


def _identity_vjp(ctx, g):
    return (g,)


# the rules above on NumPy arrays (used when backward builds no graph; see _core.py)
def _transpose_avjp(ctx, g):
    d0, d1 = ctx._params
    return (np.swapaxes(g, d0, d1) if d0 != d1 else g,)


def _permute_avjp(ctx, g):
    return (np.transpose(g, np.argsort(ctx._params[0])),)


def _t_avjp(ctx, g):
    return (g.T,)


def _repeat_vjp(ctx, g):
    reps, = ctx._params
    shape = ctx._meta[0][0]
    lead = len(reps) - len(shape)
    full = (1,) * lead + tuple(shape)
    inter = []
    for r, s in zip(reps, full):
        inter += [r, s]
    gg = g.reshape(inter).sum(tuple(range(0, 2 * len(reps), 2)))
    return (gg.reshape(shape),)


# these run the forward op itself on the gradient: apply_to records it on a tensor, or runs its kernel
# on an array (array rules)
def _flip_vjp(ctx, g):
    return (apply_to(FLIP, g, ctx._params),)


def _roll_vjp(ctx, g):
    shifts, dims = ctx._params
    neg = tuple(-s for s in shifts) if isinstance(shifts, tuple) else -shifts
    return (apply_to(ROLL, g, (neg, dims)),)


def _tril_vjp(ctx, g):
    return (apply_to(TRIL, g, ctx._params),)


def _triu_vjp(ctx, g):
    return (apply_to(TRIU, g, ctx._params),)


def _diagonal_vjp(ctx, g):
    off, d1, d2 = ctx._params
    shape, npd = ctx._meta[0]
    return (_DIAG_BACK_apply(g, shape, npd, off, d1, d2),)


def _diag_back_k(g, shape, npd, off, d1, d2):
    z = np.zeros(shape, dtype=npd)
    v = np.diagonal(z, off, d1, d2)
    v.setflags(write=True)
    v[...] = g
    return z


def _diag_back_vjp(ctx, gg):
    shape, npd, off, d1, d2 = ctx._params
    return (gg.diagonal(off, d1, d2),)


_DIAG_BACK = None


def _DIAG_BACK_apply(g, shape, npd, off, d1, d2):
    return apply_to(_DIAG_BACK, g, (shape, npd, off, d1, d2))


# ---------------------------------------------------------------- table
VIEW = defop("view", np.reshape, _reshape_vjp, node="ViewBackward0", avjp=True)
UNSAFE_VIEW = defop("reshape_copy", np.reshape, _reshape_vjp, node="UnsafeViewBackward0", avjp=True)
SQUEEZE = defop("squeeze", np.reshape, _reshape_vjp, node="SqueezeBackward0", avjp=True)
SQUEEZE_DIM = defop("squeeze_dim", np.reshape, _reshape_vjp, node="SqueezeBackward1", avjp=True)
SQUEEZE_DIMS = defop("squeeze_dims", np.reshape, _reshape_vjp, node="SqueezeBackward2", avjp=True)
UNSQUEEZE = defop("unsqueeze", np.reshape, _reshape_vjp, node="UnsqueezeBackward0", avjp=True)
TRANSPOSE = defop("transpose", np.swapaxes, _transpose_vjp, avjp=_transpose_avjp)
PERMUTE = defop("permute", np.transpose, _permute_vjp, avjp=_permute_avjp)
T = defop("t", np.transpose, _t_vjp, node="TBackward0", avjp=_t_avjp)
EXPAND = defop("expand", np.broadcast_to, _identity_vjp, avjp=True)
REPEAT = defop("repeat", np.tile, _repeat_vjp, avjp=True)
FLIP = defop("flip", np.flip, _flip_vjp, avjp=True)
ROLL = defop("roll", np.roll, _roll_vjp, avjp=True)
CLONE = defop("clone", np.array, _identity_vjp, avjp=True)
TO_COPY = defop("to_copy", None, _identity_vjp, node="ToCopyBackward0", avjp=True)
TRIL = defop("tril", np.tril, _tril_vjp, avjp=True)
TRIU = defop("triu", np.triu, _triu_vjp, avjp=True)
DIAGONAL = defop("diagonal", np.diagonal, _diagonal_vjp, avjp=True)
_DIAG_BACK = defop("diagonal_backward", _diag_back_k, _diag_back_vjp)


def _trace_vjp(ctx, g):  # also the array rule
    shape, npd = ctx._meta[0]
    eye = np.eye(*shape, dtype=npd)
    return (g * (_wrap(eye) if type(g) is Tensor else eye),)


def _trace_k(x):
    return np.trace(x, dtype=np.int64 if x.dtype.kind in "iub" else None)


TRACE = defop("trace", _trace_k, _trace_vjp, avjp=True)


# ------------------------------------------------------ public functions
def _infer_shape(shape, numel):
    shape = list(shape)
    neg = shape.count(-1)
    if neg > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if neg:
        if known == 0 and numel == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape [{', '.join(map(str, shape))}] "
                               "because the unspecified dimension size -1 can be any value and is ambiguous")
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
    return tuple(shape)


def view(input, *shape):
    """A view with another shape (memory must allow it; see ``reshape``)."""
    if len(shape) == 1 and (isinstance(shape[0], D.dtype) or shape[0] in (float, int, bool)):
        raise RuntimeError("view(dtype) is not supported by ndgrad")
    d = input._data
    shape = _infer_shape(_shape_args(shape), d.size)
    try:
        arr = d.view()
        arr.shape = shape
    except AttributeError:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                           "dimension spans across two contiguous subspaces). Use .reshape(...) instead.") from None
    return view_of(input, arr, VIEW, ())


def reshape(input, *shape):
    """Same data with another shape: a view when memory allows, else a copy."""
    d = input._data
    shape = _infer_shape(_shape_args(shape), d.size)
    try:
        arr = d.view()
        arr.shape = shape
    except AttributeError:
        return apply(UNSAFE_VIEW, (input,), (np.ascontiguousarray(d),), (shape,))
    return view_of(input, arr, VIEW, ())


def view_as(input, other):
    return view(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    d = input._data
    if d.ndim == 0:
        return reshape(input, 1)
    s = dim_index(start_dim, d.ndim)
    e = dim_index(end_dim, d.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = d.shape[:s] + (int(np.prod(d.shape[s:e + 1])),) + d.shape[e + 1:]
    return reshape(input, shape)


def ravel(input):
    return reshape(input, -1)


def unflatten(input, dim, sizes):
    d = input._data
    dim = dim_index(dim, d.ndim)
    sizes = _infer_shape(sizes, d.shape[dim])
    return view(input, d.shape[:dim] + tuple(sizes) + d.shape[dim + 1:])


def squeeze(input, dim=None):
    """Removes size-1 dims (all, or the given ones): a view."""
    d = input._data
    if dim is None:
        shape = tuple(s for s in d.shape if s != 1)
        op = SQUEEZE
    else:
        dims = dims_of(dim, d.ndim) if d.ndim else ()
        dims = dims or ()
        shape = tuple(s for i, s in enumerate(d.shape) if not (i in dims and s == 1))
        op = SQUEEZE_DIMS if isinstance(dim, (tuple, list)) else SQUEEZE_DIM
    arr = d.reshape(shape)
    return view_of(input, arr, op, ())


def unsqueeze(input, dim):
    d = input._data
    dim = dim_index(dim, d.ndim + 1)
    sh = d.shape
    arr = d.reshape(sh[:dim] + (1,) + sh[dim:])  # np.expand_dims's own step (the strides PyTorch gives), minus its wrapper
    return view_of(input, arr, UNSQUEEZE, ())


def transpose(input, dim0, dim1):
    d = input._data
    n = d.ndim
    if n == 0:
        dim_index(dim0, 0), dim_index(dim1, 0)
        return view_of(input, d.view(), TRANSPOSE, (0, 0))
    d0, d1 = dim_index(dim0, n), dim_index(dim1, n)
    return view_of(input, np.swapaxes(d, d0, d1), TRANSPOSE, (d0, d1))


swapaxes = transpose
swapdims = transpose


def permute(input, *dims):
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    d = input._data
    dims = _shape_args(dims) if dims else ()
    if len(dims) != d.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                           f"the length of the desired ordering of dimensions i.e. input.dim() = {d.ndim} "
                           f"is not equal to len(dims) = {len(dims)}")
    n = d.ndim
    perm = dims
    for p in dims:
        if type(p) is not int or not 0 <= p < n:  # (the usual call: nonnegative ints in range, as they are)
            perm = tuple(dim_index(p, n) for p in dims)
            break
    if len(set(perm)) != len(perm):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return view_of(input, d.transpose(perm), PERMUTE, (perm,))


def t(input):
    d = input._data
    if d.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {d.ndim}D")
    return view_of(input, d.T, T, ())


def movedim(input, source, destination):
    d = input._data
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    src = [dim_index(s, d.ndim) for s in src]
    dst = [dim_index(s, d.ndim) for s in dst]
    order = [n for n in range(d.ndim) if n not in src]
    for dd, s in sorted(zip(dst, src)):
        order.insert(dd, s)
    return permute(input, order)


moveaxis = movedim


def _T(input):
    d = input._data
    return permute(input, tuple(range(d.ndim - 1, -1, -1)))  # PyTorch: PermuteBackward0 for any ndim


def _mT(input):
    if input._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return transpose(input, -2, -1)


def expand(input, *sizes):
    """Broadcasts size-1 dims to ``sizes`` (-1 keeps a dim): a view."""
    if not sizes:
        raise TypeError('expand() missing 1 required positional arguments: "size"')
    d = input._data
    sizes = _shape_args(sizes)
    if len(sizes) < d.ndim:
        raise RuntimeError(f"expand(torch.{input.dtype._legacy}{{[{', '.join(map(str, d.shape))}]}}, "
                           f"size=[{', '.join(map(str, sizes))}]): the number of sizes provided "
                           f"({len(sizes)}) must be greater or equal to the number of dimensions in the "
                           f"tensor ({d.ndim})")
    lead = len(sizes) - d.ndim
    shape = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                                   "non-existing dimension 0")
            shape.append(s)
        else:
            cur = d.shape[i - lead]
            if s == -1:
                s = cur
            elif cur != s and cur != 1:
                raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size "
                                   f"({cur}) at non-singleton dimension {i}.  Target sizes: "
                                   f"[{', '.join(map(str, sizes))}].  Tensor sizes: "
                                   f"[{', '.join(map(str, d.shape))}]")
            shape.append(s)
    shape = tuple(shape)
    if shape == d.shape:
        return view_of(input, d.view(), EXPAND, ())
    return view_of(input, np.broadcast_to(d, shape), EXPAND, ())


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, size):
    return expand(input, size)


def broadcast_tensors(*tensors):
    shape = np.broadcast_shapes(*(t._data.shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


def broadcast_shapes(*shapes):
    from .._size import Size
    return Size(np.broadcast_shapes(*shapes))


def repeat(input, *sizes):
    if not sizes:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    sizes = _shape_args(sizes)
    d = input._data
    if len(sizes) < d.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    arr = np.tile(d.reshape((1,) * (len(sizes) - d.ndim) + d.shape), sizes)
    t = _wrap(arr)
    if needs_grad(input):
        record(REPEAT, t, (input,), (sizes,))
    return t


def tile(input, dims):
    dims = tuple(dims)
    if len(dims) < input._data.ndim:
        dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, dims)


def flip(input, *dims):
    dims = _shape_args(dims)
    dd = tuple(dim_index(x, input._data.ndim) for x in dims)
    for x in dd:
        if dd.count(x) > 1:
            raise RuntimeError(f"dim {x} appears multiple times in the list of dims")
    if input._data.ndim == 0:
        dd = ()
    return apply(FLIP, (input,), (input._data,), (dd,))


def fliplr(input):
    return flip(input, 1)


def flipud(input):
    return flip(input, 0)


def _has_dims(input, dim):
    if input._data.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")


def roll(input, shifts, dims=None):
    if dims is not None:
        _has_dims(input, dims if not isinstance(dims, (list, tuple)) else dims[0])
    if isinstance(shifts, (list, tuple)):
        shifts = tuple(shifts)
    if isinstance(dims, (list, tuple)):
        dims = tuple(dims)
    if dims is None:
        r = np.roll(input._data.ravel(), shifts).reshape(input._data.shape)
        t = _wrap(r)
        if needs_grad(input):
            record(ROLL, t, (input,), (shifts, None))
        return t
    t = _wrap(np.roll(input._data, shifts, dims))
    if needs_grad(input):
        record(ROLL, t, (input,), (shifts, dims))
    return t


def narrow(input, dim, start, length):
    d = dim_index(dim, input._data.ndim)
    start = int(start)
    if start < 0:
        start += input._data.shape[d]
    from ._index import getitem
    return getitem(input, (builtins.slice(None),) * d + (builtins.slice(start, start + int(length)),))


def select(input, dim, index):
    d = dim_index(dim, input._data.ndim)
    from ._index import getitem
    return getitem(input, (builtins.slice(None),) * d + (int(index),))


def clone(input, *, memory_format=None):
    """A copy with its own memory (differentiable: CloneBackward0)."""
    return apply(CLONE, (input,), (input._data,))


def contiguous(input, memory_format=None):
    if input._data.flags.c_contiguous:
        return input
    t = _wrap(np.ascontiguousarray(input._data))
    if needs_grad(input):
        record(CLONE, t, (input,))
    return t


def to_dtype(input, dtype, copy=False):
    dt = D.to_dtype(dtype)
    if input._data.dtype == dt.np and not copy:
        return input
    t = _wrap(input._data.astype(dt.np))
    if needs_grad(input) and dt.is_floating_point:
        record(TO_COPY, t, (input,))
    return t


def tril(input, diagonal=0):
    return _tri(TRIL, np.tril, input, diagonal)


def triu(input, diagonal=0):
    return _tri(TRIU, np.triu, input, diagonal)


def _tri(op, k, input, diagonal):
    t = _wrap(k(input._data, diagonal))
    if needs_grad(input):
        record(op, t, (input,), (diagonal,))
    return t


def diagonal(input, offset=0, dim1=0, dim2=1):
    n = input._data.ndim
    d1, d2 = dim_index(dim1, n), dim_index(dim2, n)
    arr = np.diagonal(input._data, offset, d1, d2)
    t = view_of(input, arr, DIAGONAL, (offset, d1, d2))
    return t


def trace(input):
    """Sum of the main diagonal of a matrix (TraceBackward0)."""
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    return apply(TRACE, (input,), (input._data,))


def diag(input, diagonal=0):
    if input._data.ndim == 1:
        n = input._data.shape[0] + builtins.abs(diagonal)
        from ._index import zeros_embed_diag
        return zeros_embed_diag(input, n, diagonal)
    return globals()["diagonal"](input, diagonal).clone()


METHODS = {
    "view": view, "reshape": reshape, "view_as": view_as, "reshape_as": reshape_as, "flatten": flatten,
    "ravel": ravel, "unflatten": unflatten, "squeeze": squeeze, "unsqueeze": unsqueeze, "transpose": transpose,
    "swapaxes": transpose, "swapdims": transpose, "permute": permute, "t": t, "movedim": movedim,
    "moveaxis": movedim, "expand": expand, "expand_as": expand_as, "broadcast_to": broadcast_to,
    "repeat": repeat, "tile": tile, "flip": flip, "fliplr": fliplr, "flipud": flipud, "roll": roll,
    "narrow": narrow, "select": select, "clone": clone, "contiguous": contiguous, "tril": tril, "triu": triu,
    "diagonal": diagonal, "trace": trace, "diag": diag,
}
PROPERTIES = {"T": _T, "mT": _mT, "H": _T, "mH": _mT}
INPLACE = ("tril", "triu")
