"""Indexing: ``__getitem__`` (basic indexing gives views), ``__setitem__``
(CopySlices), gather/scatter, index_select, masked_fill, where."""
import builtins

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ._core import _state, defop, needs_grad, record
from ._dispatch import apply, apply_to, as_tensor_arg, broadcast_message, out_array, result_dtype, view_of
from ._reduce import dim_index


# ---------------------------------------------------------------- kernels
def _index_back_k(g, shape, npd, idx, advanced):
    z = np.zeros(shape, dtype=npd)
    if advanced:
        np.add.at(z, idx, g)
    else:
        z[idx] = g
    return z


def _index_vjp(ctx, g):
    idx, advanced = ctx._params
    shape, npd = ctx._meta[0]
    return (apply_to(INDEX_BACKWARD, g, (shape, npd, idx, advanced)),)


def _index_back_vjp(ctx, gg):
    shape, npd, idx, advanced = ctx._params
    return (getitem_np(gg, idx, advanced),)


def _zero_region_k(g, idx):
    r = np.array(g, copy=True)
    r[idx] = 0
    return r


def _zero_region_vjp(ctx, gg):
    idx, = ctx._params
    return (apply(ZERO_REGION, (gg,), (gg._data,), (idx,)),)


def _copy_slices_vjp(ctx, g):
    idx, advanced = ctx._params
    n = ctx._needs
    gs = apply(ZERO_REGION, (g,), (g._data,), (idx,)) if n[0] else None
    gv = getitem_np(g, idx, advanced) if n[1] else None
    return gs, gv


def _gather_k(x, dim, index):
    return np.take_along_axis(x, index, dim)


def _scatter_add_k(z, dim, index, src):
    z = np.array(z, copy=True)
    idx = list(np.indices(index.shape, sparse=True))
    idx[dim] = index
    src = src[tuple(builtins.slice(0, s) for s in index.shape)]
    np.add.at(z, tuple(idx), src)
    return z


def _gather_back_k(g, dim, index, shape):
    return _scatter_add_k(np.zeros(shape, dtype=g.dtype), dim, index, g)


def _gather_vjp(ctx, g):
    dim, = ctx._params
    index, = ctx.saved
    return (gather_backward(g, dim, index, ctx._meta[0][0]),)


def _gather_back_vjp(ctx, gg):
    dim, index, shape = ctx._params
    return (gather(gg, dim, _wrap(index)),)


def _scatter_k(x, dim, index, src, reduce=None):
    r = np.array(x, copy=True)
    idx = list(np.indices(index.shape, sparse=True))
    idx[dim] = index
    if np.ndim(src):
        src = src[tuple(builtins.slice(0, s) for s in index.shape)]
    r[tuple(idx)] = src
    return r


def _scatter_vjp(ctx, g):
    dim, index = ctx._params[:2]
    n = ctx._needs
    gx = apply(SCATTER, (g,), (g._data,), (dim, index, 0)) if n[0] else None
    gs = gather(g, dim, _wrap(index)) if len(n) > 1 and n[1] else None
    return (gx, gs) if len(n) > 1 else (gx,)


def _scatter_add_vjp(ctx, g):
    dim, index = ctx._params
    n = ctx._needs
    return (g if n[0] else None, gather(g, dim, _wrap(index)) if n[1] else None)


def _index_select_k(x, dim, index):
    return np.take(x, index, axis=dim)


def _index_select_vjp(ctx, g):
    dim, index = ctx._params
    shape = ctx._meta[0][0]
    idx = [builtins.slice(None)] * len(shape)
    idx[dim] = index
    return (apply_to(INDEX_BACKWARD, g, (shape, g.dtype if type(g) is not Tensor else g._data.dtype, tuple(idx),
                                          True)),)


def _masked_fill_k(x, mask, value):
    return np.where(mask, value, x)


def _masked_fill_vjp(ctx, g):
    mask, = ctx._params
    n = ctx._needs
    if type(g) is Tensor:
        w, mask = where, _wrap(mask)
    else:  # the array rule
        w = np.where
    gx = w(mask, 0.0, g) if n[0] else None
    gv = w(mask, g, 0.0).sum() if len(n) > 1 and n[1] else None
    return (gx, gv) if len(n) > 1 else (gx,)


def _where_vjp(ctx, g):
    cond, = ctx._params
    n = ctx._needs
    if type(g) is Tensor:
        w, cond = where, _wrap(cond)
    else:  # the array rule
        w = np.where
    return (w(cond, g, 0.0) if n[0] else None, w(cond, 0.0, g) if n[1] else None)


def _masked_select_vjp(ctx, g):
    mask, = ctx._params
    shape, npd = ctx._meta[0]
    full = np.broadcast_to(mask, np.broadcast_shapes(mask.shape, shape))
    return (apply(INDEX_BACKWARD, (g,), (g._data,), (full.shape, npd, (full,), True)),)


def _diag_embed_k(v, k):
    return np.diag(v, k)


def _diag_embed_vjp(ctx, g):
    k, = ctx._params
    return (g.diagonal(k),)


SELECT = defop("select", None, _index_vjp, node="SelectBackward0", avjp=True)
SLICE = defop("slice", None, _index_vjp, node="SliceBackward0", avjp=True)
UNSQ_IDX = defop("unsqueeze_index", None, _index_vjp, node="UnsqueezeBackward0", avjp=True)
ALIAS = defop("alias", None, _index_vjp, node="AliasBackward0", avjp=True)
INDEX = defop("index", None, _index_vjp, node="IndexBackward0", avjp=True)
INDEX_BACKWARD = defop("index_backward", _index_back_k, _index_back_vjp, node="IndexPutBackward0")
ZERO_REGION = defop("zero_region", _zero_region_k, _zero_region_vjp, node="IndexPutBackward0")
COPY_SLICES = defop("copy_slices", None, _copy_slices_vjp, node="CopySlices")
COPY_SLICES.node_cls.name = lambda self: "torch::autograd::CopySlices"
# x[mask] = v / x[int_tensor] = v on a tensor itself is index_put_ in PyTorch
INDEX_PUT = defop("index_put", None, _copy_slices_vjp, node="IndexPutBackward0")
GATHER = defop("gather", _gather_k, _gather_vjp, save=(2,), avjp=True)
GATHER_BACKWARD = defop("gather_backward", _gather_back_k, _gather_back_vjp, node="ScatterAddBackward0")
SCATTER = defop("scatter", _scatter_k, _scatter_vjp)
SCATTER_ADD = defop("scatter_add", _scatter_add_k, _scatter_add_vjp)
INDEX_SELECT = defop("index_select", _index_select_k, _index_select_vjp, avjp=True)
MASKED_FILL = defop("masked_fill", _masked_fill_k, _masked_fill_vjp, avjp=True)
MASKED_FILL_T = defop("masked_fill_tensor", _masked_fill_k, _masked_fill_vjp, node="MaskedFillBackward1", avjp=True)
WHERE = defop("where", np.where, _where_vjp, avjp=True)
MASKED_SELECT = defop("masked_select", None, _masked_select_vjp)
DIAG_EMBED = defop("diag_embed", _diag_embed_k, _diag_embed_vjp)


def _index_add_vjp(ctx, g):
    d, idx, alpha = ctx._params
    n = ctx._needs
    gs = None
    if n[1]:
        gs = index_select(g, d, _wrap(idx)) if ctx._meta[1][0] != () else g.reshape(-1)[_wrap(idx)].reshape(())
        if alpha != 1:
            gs = gs * alpha
    return (g if n[0] else None, gs)


INDEX_ADD = defop("index_add", None, _index_add_vjp)
SCATTER_VALUE = defop("scatter_value", _scatter_k, _scatter_vjp, node="ScatterBackward1")
# index_fill is masked_fill along a dim; PyTorch names its nodes IndexFillBackward0 (scalar) / 1 (tensor value)
INDEX_FILL = defop("index_fill", None, _masked_fill_vjp, node="IndexFillBackward0", avjp=True)
INDEX_FILL_T = defop("index_fill_tensor", None, _masked_fill_vjp, node="IndexFillBackward1", avjp=True)


# C++ type names PyTorch prints in some messages
_C_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "float32": "float", "float64": "double", "float16": "c10::Half"}


# ------------------------------------------------------------ __getitem__
def _norm_index(x, idx):
    """Index for NumPy plus (advanced?, node op for a basic view)."""
    if type(idx) is not tuple:
        idx = (idx,)
    out = []
    advanced = False
    for i in idx:
        if isinstance(i, Tensor):
            d = i._data
            if d.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if d.ndim == 0 and d.dtype.kind in "iu":
                out.append(int(d))
                continue
            advanced = True
            out.append(d)
        elif isinstance(i, (list, np.ndarray)):
            a = np.asarray(i)
            if a.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            advanced = True
            out.append(a)
        elif i is True or i is False:
            advanced = True
            out.append(i)
        elif isinstance(i, (builtins.slice, type(None), type(Ellipsis))):
            if isinstance(i, builtins.slice):
                i = builtins.slice(_int_or_none(i.start), _int_or_none(i.stop), _int_or_none(i.step))
                if i.step is not None and i.step <= 0:
                    raise ValueError("step must be greater than zero")
            out.append(i)
        else:
            try:
                out.append(i.__index__())
            except AttributeError:
                raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                                 "Variables are valid indices (got " + type(i).__name__ + ")") from None
    return tuple(out), advanced


def _int_or_none(v):
    if v is None:
        return None
    return v.__index__()


def _basic_op(idx, ndim):
    """The PyTorch node of the last step of a basic index (select/slice/unsqueeze/alias)."""
    last = None
    for i in idx:
        if i is None:
            last = UNSQ_IDX
        elif isinstance(i, int):
            last = SELECT
        elif isinstance(i, builtins.slice):
            last = SLICE
    return last or ALIAS


def _check_bounds(shape, idx):
    dim = 0
    n_real = builtins.sum(1 for i in idx if i is not None and i is not Ellipsis)
    for i in idx:
        if i is Ellipsis:
            dim += len(shape) - n_real
            continue
        if i is None:
            continue
        if dim >= len(shape):
            raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
        if isinstance(i, int):
            size = shape[dim]
            if i < -size or i >= size:
                raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {size}")
        dim += 1


def getitem(x, idx):
    """``x[idx]``: basic indices give a view; tensors/lists/masks copy (IndexBackward0)."""
    if type(idx) is int:  # x[i] in a loop: a select view, what the general path below makes of it
        d = x._data
        if d.ndim and -d.shape[0] <= idx < d.shape[0]:
            arr = d[idx] if d.ndim > 1 else d[idx, ...]  # (a 0-d view, not a NumPy scalar)
            return view_of(x, arr, SELECT, ((idx,), False))
    nidx, advanced = _norm_index(x, idx)
    d = x._data
    if not advanced:
        _check_bounds(d.shape, nidx)
        arr = d[nidx]
        if type(arr) is not np.ndarray:
            arr = d[nidx + (Ellipsis,)] if Ellipsis not in nidx else np.asarray(arr)
        return view_of(x, arr, _basic_op(nidx, d.ndim), (nidx, False))
    try:
        arr = d[nidx]
    except IndexError as e:
        raise IndexError(str(e).replace("axis", "dimension")) from None
    t = _wrap(out_array(arr))
    if needs_grad(x):
        record(INDEX, t, (x,), (nidx, True))
    return t


def getitem_np(g, idx, advanced):
    """Indexes a tensor with an already-normalised index (used by rules)."""
    d = g._data
    arr = d[idx]
    t = _wrap(out_array(arr))
    if needs_grad(g):
        record(INDEX if advanced else _basic_op(idx, d.ndim), t, (g,), (idx, advanced))
    return t


# ------------------------------------------------------------ __setitem__
def setitem(self, idx, value):
    """``self[idx] = value``: in place; on a tensor in the graph, a CopySlices node."""
    from ._inplace import VIEW_LEAF_INPLACE, check_inplace, rebase_view
    nidx, advanced = _norm_index(self, idx)
    if _state.enabled and self._requires_grad and self._grad_fn is None and not advanced and not _whole(nidx):
        raise RuntimeError(VIEW_LEAF_INPLACE)  # PyTorch writes through a select/slice view of the leaf
    check_inplace(self)
    if not advanced:
        _check_bounds(self._data.shape, nidx)
    recording = _state.enabled and (self._requires_grad or (isinstance(value, Tensor) and value._requires_grad))
    v = value._data if isinstance(value, Tensor) else value
    if isinstance(value, Tensor) and v.dtype != self._data.dtype:
        v = v.astype(self._data.dtype)
    if recording:
        old = self.__class__.__new__(Tensor)
        old._data = self._data
        old._grad_fn = self._grad_fn
        old._requires_grad = self._requires_grad
        old._vc = None
        old._output_nr = self._output_nr
        old._acc = self._acc
    try:
        self._data[nidx] = v
    except ValueError as e:
        raise RuntimeError(_shape_msg(e, self, nidx, v)) from None
    self._bump()
    if recording:
        # PyTorch: index_put_ on self only when every other index is a full slice / ellipsis; an int, a
        # partial slice or None first takes a view, and writing through a view gives CopySlices
        put = advanced and self._base is None and builtins.all(
            i is Ellipsis or isinstance(i, np.ndarray) or i is True or i is False or i == builtins.slice(None)
            for i in nidx)
        op = INDEX_PUT if put else COPY_SLICES
        from ._inplace import COPY_WHOLE, FILL_WHOLE, trivial_index
        if not advanced and self._base is None and trivial_index(nidx, self._data.shape):
            op = COPY_WHOLE if isinstance(value, Tensor) else FILL_WHOLE
        record(op, self, (old, value), (nidx, advanced))
        self._output_nr = 0
        if self._retains_grad:
            from ._inplace import move_retain_grad
            move_retain_grad(self, old._grad_fn, old._output_nr)
        if self._base is not None:
            rebase_view(self)


def _whole(nidx):
    """An index that selects the whole tensor (``x[:]``, ``x[...]``)."""
    return all(i is Ellipsis or i is None or (isinstance(i, builtins.slice) and i == builtins.slice(None))
               for i in nidx)


def _shape_msg(e, self, nidx, v):
    target = np.empty(self._data.shape, dtype=bool)[nidx].shape
    src = np.shape(v)
    if not any(isinstance(i, np.ndarray) or i is True or i is False for i in nidx):
        try:  # basic indexing copies into a view: PyTorch reports expand's error
            _wrap(np.empty(src)).expand(target)
        except RuntimeError as err:
            return str(err)
    return (f"shape mismatch: value tensor of shape [{', '.join(map(str, src))}] cannot be broadcast to "
            f"indexing result of shape [{', '.join(map(str, target))}]")


# ------------------------------------------------------ gather & friends
def _index_arr(index, name="index"):
    if not isinstance(index, Tensor):
        index = as_tensor_arg(index)
    d = index._data
    if d.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int32 or int64 for index" if name == "index_select" else
                           f"{name}(): Expected dtype int32/int64 for index")
    return d.astype(np.int64, copy=False)


def gather(input, dim, index, *, sparse_grad=False):
    """Picks values along ``dim`` at ``index``: out[i][j][k] = input[index[i][j][k]][j][k] for dim 0."""
    d = dim_index(dim, input._data.ndim)
    idx = _index_arr(index, "gather")
    if idx.ndim != input._data.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for k in range(idx.ndim):
        if k != d and idx.shape[k] > input._data.shape[k]:
            raise RuntimeError(f"Size does not match at dimension {k} expected index "
                               f"[{', '.join(map(str, idx.shape))}] to be no larger than self "
                               f"[{', '.join(map(str, input._data.shape))}] apart from dimension {d}")
    if idx.size and (idx.max() >= input._data.shape[d] or idx.min() < -input._data.shape[d]):
        raise RuntimeError(f"index {int(idx.max())} is out of bounds for dimension {d} with size "
                           f"{input._data.shape[d]}")
    src = input._data[tuple(builtins.slice(0, s) if k != d else builtins.slice(None)
                            for k, s in enumerate(idx.shape))]
    arr = np.take_along_axis(src, idx, d)
    t = _wrap(arr)
    if needs_grad(input):
        record(GATHER, t, (input, None, _wrap(idx)), (d,))
    return t


def take_along_dim(input, indices, dim=None):
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    # PyTorch broadcasts input and indices over every dim but ``dim``
    d = dim_index(dim, input._data.ndim)
    if indices._data.ndim == input._data.ndim:
        a, b = list(input._data.shape), list(indices._data.shape)
        a[d] = b[d] = 1
        _broadcast_check(tuple(a), tuple(b))
        shape = list(np.broadcast_shapes(tuple(a), tuple(b)))
        sa, sb = list(shape), list(shape)
        sa[d], sb[d] = input._data.shape[d], indices._data.shape[d]
        if tuple(sa) != input._data.shape:
            input = input.expand(sa)
        if tuple(sb) != indices._data.shape:
            indices = indices.expand(sb)
    return gather(input, d, indices)


def gather_backward(g, dim, index, shape):
    idx = index._data if isinstance(index, Tensor) else index
    return apply_to(GATHER_BACKWARD, g, (dim, idx, tuple(shape)))


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    if src is None:
        src = value
    d = dim_index(dim, input._data.ndim)
    idx = _index_arr(index, "scatter")
    if isinstance(src, Tensor):
        s = src._data.astype(input._data.dtype, copy=False)
        t = _wrap(_scatter_k(input._data, d, idx, s))
        if needs_grad(input, src):
            record(SCATTER, t, (input, src), (d, idx))
        return t
    t = _wrap(_scatter_k(input._data, d, idx, src))
    if needs_grad(input):
        record(SCATTER_VALUE, t, (input,), (d, idx))
    return t


def scatter_add(input, dim, index, src):
    d = dim_index(dim, input._data.ndim)
    idx = _index_arr(index, "scatter_add")
    t = _wrap(_scatter_add_k(input._data, d, idx, src._data.astype(input._data.dtype, copy=False)))
    if needs_grad(input, src):
        record(SCATTER_ADD, t, (input, src), (d, idx))
    return t


def index_select(input, dim, index):
    d = dim_index(dim, input._data.ndim)
    idx = _index_arr(index, "index_select")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    n = input._data.shape[d] if input._data.ndim else 1
    if idx.size and (idx.max() >= n or idx.min() < -n):
        raise IndexError(f"index out of range in self")
    idx = idx.reshape(-1)
    t = _wrap(np.take(input._data, idx, axis=d) if input._data.ndim else input._data.reshape(1)[idx].reshape(()))
    if needs_grad(input):
        record(INDEX_SELECT, t, (input,), (d, idx))
    return t


def masked_fill(input, mask, value):
    """Sets elements where ``mask`` is True to ``value``."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_C_NAMES.get(m.dtype.name, m.dtype.name)}")
    _broadcast_check(m.shape, input._data.shape)  # the result takes the broadcast shape (PyTorch)
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got tensor "
                               f"with {value._data.ndim} dimension(s).")
        v = value._data.astype(input._data.dtype)
        t = _wrap(np.asarray(np.where(m, v, input._data)))
        if needs_grad(input, value):
            record(MASKED_FILL_T, t, (input, value), (m,))
        return t
    v = np.asarray(value).astype(input._data.dtype) if input._data.dtype.kind != "f" or not isinstance(
        value, float) else value
    arr = np.where(m, v, input._data)
    if arr.dtype != input._data.dtype:
        arr = arr.astype(input._data.dtype)
    t = _wrap(np.asarray(arr))
    if needs_grad(input):
        record(MASKED_FILL, t, (input,), (m,))
    return t


def masked_select(input, mask):
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    shape = np.broadcast_shapes(m.shape, input._data.shape)
    x = np.broadcast_to(input._data, shape)
    arr = x[np.broadcast_to(m, shape)]
    t = _wrap(np.array(arr))
    if needs_grad(input):
        record(MASKED_SELECT, t, (input,), (m,))
    return t


def where(condition, input=None, other=None):
    """Elementwise choice: ``input`` where condition else ``other`` (either may be a number)."""
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    c = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if c.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{_LEGACY[c.dtype.name]}")
    ins = [x for x in (input, other) if isinstance(x, Tensor)]
    if ins:
        rt = result_dtype(input, other)
    else:
        rt = result_dtype(_wrap(np.zeros(0, dtype=D.get_default_dtype().np)), input)
    a = input._data.astype(rt.np, copy=False) if isinstance(input, Tensor) else input
    b = other._data.astype(rt.np, copy=False) if isinstance(other, Tensor) else other
    _broadcast_check(c.shape, np.shape(a), np.shape(b))
    arr = np.where(c, a, b)
    if arr.dtype != rt.np:
        arr = arr.astype(rt.np)
    t = _wrap(np.asarray(arr))
    if needs_grad(input, other):
        record(WHERE, t, (input, other), (c,))
    return t


_LEGACY = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
           "float32": "Float", "float64": "Double", "float16": "Half", "bool": "Bool"}


def _broadcast_check(*shapes):
    """PyTorch's message for operands that do not broadcast (pairwise, left to right)."""
    cur = shapes[0]
    for s in shapes[1:]:
        try:
            cur = np.broadcast_shapes(cur, s)
        except ValueError:
            raise RuntimeError(broadcast_message(cur, s)) from None


def zeros_embed_diag(v, n, k):
    return apply(DIAG_EMBED, (v,), (v._data,), (k,))


def index_add(input, dim, index, source, *, alpha=1):
    d = dim_index(dim, input._data.ndim)
    idx = [builtins.slice(None)] * input._data.ndim
    idx[d] = _index_arr(index)
    arr = np.array(input._data, copy=True)
    s = source._data.astype(arr.dtype, copy=False)
    np.add.at(arr, tuple(idx), s if alpha == 1 else s * alpha)
    t = _wrap(arr)
    if needs_grad(input, source):
        record(INDEX_ADD, t, (input, source), (d, idx[d], alpha))
    return t


def index_fill(input, dim, index, value):
    d = dim_index(dim, input._data.ndim)
    m = np.zeros(input._data.shape, dtype=bool)
    idx = [builtins.slice(None)] * input._data.ndim
    idx[d] = _index_arr(index)
    m[tuple(idx)] = True
    t = masked_fill(input, _wrap(m), value)
    fn = t._grad_fn
    if fn is not None and type(fn) in (MASKED_FILL.node_cls, MASKED_FILL_T.node_cls):
        fn.__class__ = (INDEX_FILL_T if type(fn) is MASKED_FILL_T.node_cls else INDEX_FILL).node_cls
    return t


METHODS = {
    "__getitem__": getitem, "__setitem__": setitem, "gather": gather, "take_along_dim": take_along_dim,
    "scatter": scatter, "scatter_add": scatter_add, "index_select": index_select,
    "masked_fill": masked_fill, "masked_select": masked_select, "where": lambda self, c, o: where(c, self, o),
    "index_add": index_add, "index_fill": index_fill,
}
INPLACE = ("scatter", "scatter_add", "masked_fill", "index_add", "index_fill")
