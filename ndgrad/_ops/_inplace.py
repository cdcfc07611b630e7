"""In-place ops (``add_``, ``mul_``, ``x[i] = v`` ...) with PyTorch's semantics.

Checks run before any data changes. Outside recording, the result is written
straight into the tensor's memory. While recording, the op runs out of place
on an alias carrying the old history (with a copy of the old values, which
the rule may need), the result is written back, the version bumps, and the
tensor adopts the new node; a view's base is rebased through CopySlices.
"""
import numpy as np

from .._tensor import Tensor, _wrap
from ._core import _state, defop, record

LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_LEAF_INPLACE = "a view of a leaf Variable that requires grad is being used in an in-place operation."



def _as_strided_vjp(ctx, g):
    from ._index import _index_vjp
    return _index_vjp(ctx, g)


# the node a view gets after an in-place op rebased its base (PyTorch: AsStridedBackward0)
AS_STRIDED = defop("as_strided_view", None, _as_strided_vjp, node="AsStridedBackward0")


def check_inplace(t):
    if _state.enabled:
        if t._requires_grad and t._grad_fn is None:
            raise _leaf_error(LEAF_INPLACE, "this tensor is a leaf that requires grad")
        b = t._base
        if b is not None and t._grad_fn is not None and stale(t, t._grad_fn):
            regen_view(t)  # the in-place op must build on the view's current history
        if b is not None and b._requires_grad and b._grad_fn is None:
            raise _leaf_error(VIEW_LEAF_INPLACE, "this tensor is a view (slice, transpose, view...) of a leaf "
                              "that requires grad, so changing it would change the leaf")
    if not t._data.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                           "single memory location. Please clone() the tensor before performing the operation.")


def _leaf_error(msg, what):
    from ..autograd._source import note
    return note(RuntimeError(msg),
                f"{what}; autograd needs the leaf's values as they were, and the leaf's .grad is what you "
                "read after backward().",
                "fix: to update parameters write the change inside `with torch.no_grad():` (e.g. "
                "`with torch.no_grad(): w -= lr * w.grad`); to compute something new, use the out-of-place "
                "form (y = x + 1) or modify a copy (y = x.clone(); y.add_(1)).")


def _dtype_name(npd):
    from .._dtype import from_numpy_dtype
    from ._reduce import _long_name
    return _long_name(from_numpy_dtype(npd))


def _write(self, r):
    d = self._data
    rd = r._data
    if rd.shape != d.shape:
        try:
            shape = np.broadcast_shapes(rd.shape, d.shape)
        except ValueError:
            shape = rd.shape
        if shape != d.shape:
            raise RuntimeError(f"output with shape [{', '.join(map(str, d.shape))}] doesn't match the broadcast "
                               f"shape [{', '.join(map(str, shape))}]")
    if rd.dtype != d.dtype:
        order = "buifc"
        if order.index(rd.dtype.kind) > order.index(d.dtype.kind) and not (
                rd.dtype.kind in "iu" and d.dtype.kind in "iu"):
            raise RuntimeError(f"result type {_dtype_name(rd.dtype)} can't be cast to the desired output type "
                               f"{_dtype_name(d.dtype)}")
    np.copyto(d, rd, casting="unsafe")


def _alias(self):
    """A stand-in for ``self`` before the op: old history, a copy of the old values."""
    a = _wrap(np.array(self._data, copy=True))
    a._grad_fn = self._grad_fn
    a._requires_grad = self._requires_grad
    if self._grad_fn is not None:
        a._output_nr = self._output_nr
    elif self._requires_grad:
        a._acc = self._acc
    return a


def _recording(self, args, kwargs):
    if not _state.enabled:
        return False
    if self._requires_grad:
        return True
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    for a in kwargs.values():
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    return False


def make_inplace(fn, name):
    """``fn`` (out of place, self first) -> the in-place method ``name_``."""
    def method(self, *args, **kwargs):
        check_inplace(self)
        if not _recording(self, args, kwargs):
            prev = _state.enabled
            _state.enabled = False
            try:
                r = fn(self, *args, **kwargs)
            finally:
                _state.enabled = prev
            _write(self, r)
            self._bump()
            return self
        r = fn(_alias(self), *args, **kwargs)
        _write(self, r)
        self._bump()
        adopt(self, r)
        return self
    method.__name__ = name + "_"
    method.__doc__ = f"In-place version of :meth:`{name}`."
    return method


def adopt(self, r):
    """Makes ``self`` (just overwritten with ``r``'s values) carry ``r``'s history."""
    node = r._grad_fn
    if node is None:
        return
    old, old_nr = self._grad_fn, self._output_nr
    self._grad_fn = node
    self._requires_grad = True
    self._output_nr = r._output_nr
    if self._retains_grad:
        move_retain_grad(self, old, old_nr)
    saved = node._saved
    if saved:
        from ..autograd.graph import SavedVar
        for s in saved:
            if type(s) is SavedVar and s.is_output:
                if self._vc is None:
                    self._bump()
                s.data = self._data
                s.vc = self._vc
                s.version = self._vc.v
    if self._base is not None:
        rebase_view(self)


def move_retain_grad(t, old_fn, old_nr=0):
    """retain_grad follows the tensor to its new grad_fn after an in-place op (as in PyTorch)."""
    if old_fn is not None and old_fn._retain_hooks:
        old_fn._retain_hooks.pop(old_nr, None)
    t._retains_grad = False
    t.retain_grad()


def _fast_arith(ufunc, name, alpha_ok=False):
    """add_/sub_/mul_/div_ outside recording: the ufunc writes straight into self."""
    from ._dispatch import operands
    from ._pointwise import _check_bool_sub

    from ._core import _SCALAR_OPS
    sop = _SCALAR_OPS.get(ufunc)

    def method(self, other, *, alpha=1, **kw):
        d = self._data
        if not _state.enabled and alpha == 1 and not kw and d.dtype.kind == "f" and d.flags.writeable:
            # the optimizer-step case (no_grad, float tensor, a number or a same-shaped same-dtype tensor):
            # every check below passes, so go straight to the kernel
            t = type(other)
            xb = other if t is float or t is int else (
                other._data if t is Tensor and other._data.dtype is d.dtype and other._data.shape == d.shape
                else None)
            if xb is not None:
                if d.ndim or sop is None:
                    ufunc(d, xb, out=d)
                else:  # 0-d: NumPy scalars' operator, a quarter of a ufunc call with out= (same bits)
                    d[()] = sop(d[()], xb if type(xb) is not np.ndarray else xb[()])
                self._bump()
                return self
        if kw.get("rounding_mode") is not None or _recording(self, (other,), {}):
            return slow(self, other, alpha=alpha, **kw) if alpha_ok else slow(self, other, **kw)
        check_inplace(self)
        if name == "sub":
            _check_bool_sub(self, other)
        if alpha != 1:
            other = other * alpha
        d = self._data
        xa, xb, npd = operands(self, other, floating=(name == "div"))
        if npd != d.dtype:
            order = "buifc"
            if order.index(npd.kind) > order.index(d.dtype.kind) and not (npd.kind in "iu" and d.dtype.kind in "iu"):
                raise RuntimeError(f"result type {_dtype_name(npd)} can't be cast to the desired output type "
                                   f"{_dtype_name(d.dtype)}")
        shp = np.shape(xb)
        if shp != d.shape and np.broadcast_shapes(shp, d.shape) != d.shape:
            raise RuntimeError(f"output with shape [{', '.join(map(str, d.shape))}] doesn't match the broadcast "
                               f"shape [{', '.join(map(str, np.broadcast_shapes(shp, d.shape)))}]")
        if npd == d.dtype:
            ufunc(d, xb, out=d)
        else:
            np.copyto(d, ufunc(xa, xb), casting="unsafe")
        self._bump()
        return self
    from ._pointwise import add, div, mul, sub
    slow = make_inplace({"add": add, "sub": sub, "mul": mul, "div": div}[name], name)
    method.__name__ = name + "_"
    return method


def _view_index(base, view):
    """Index (tuple of int arrays) of ``view``'s elements inside ``base``'s array."""
    b = base._data
    v = view._data
    it = b.itemsize
    b_ptr = b.__array_interface__["data"][0]
    v_ptr = v.__array_interface__["data"][0]
    if b.flags.c_contiguous:
        flat = np.arange(b.size, dtype=np.int64)
        off = (v_ptr - b_ptr) // it
        strides = tuple(s // it * 8 for s in v.strides)
        idx = np.lib.stride_tricks.as_strided(flat[off:], shape=v.shape, strides=strides) if v.size else \
            np.zeros(v.shape, np.int64)
        return np.unravel_index(np.array(idx), b.shape)
    # general layout: match byte addresses
    grids = np.indices(b.shape).reshape(b.ndim, -1)
    addr = (grids * np.array(b.strides)[:, None]).sum(0)
    vg = np.indices(v.shape).reshape(v.ndim, -1)
    vaddr = (vg * np.array(v.strides)[:, None]).sum(0) + (v_ptr - b_ptr)
    order = np.argsort(addr)
    pos = order[np.searchsorted(addr[order], vaddr)]
    return tuple(g[pos].reshape(v.shape) for g in grids)


def rebase_view(view):
    """After an in-place op recorded on ``view``: the base takes a CopySlices node whose
    value input is the view's new history, and the view becomes a view of that base."""
    from ._index import COPY_SLICES, INDEX
    base = view._base
    idx = _view_index(base, view)
    old = _wrap(base._data)
    old._grad_fn = base._grad_fn
    old._requires_grad = base._requires_grad
    old._output_nr = base._output_nr
    if base._grad_fn is None and base._requires_grad:
        old._acc = base._acc
    value = _wrap(view._data)
    value._grad_fn = view._grad_fn
    value._requires_grad = True
    value._output_nr = view._output_nr
    record(COPY_SLICES, base, (old, value), (idx, True))
    base._output_nr = 0
    if base._retains_grad:
        move_retain_grad(base, old._grad_fn, old._output_nr)
    record(AS_STRIDED, view, (base,), (idx, True))
    view._output_nr = 0


# ---------------------------------------------------------------- views made stale by an in-place op
def stale(t, fn):
    """True when ``t`` (a view with grad_fn ``fn``) was made before an in-place op recorded on its base:
    PyTorch then regenerates the view's grad_fn (AsStridedBackward0) the next time it is used."""
    b = t._base
    if b is None:
        return False
    bf = b._grad_fn
    return bf is not None and bf._seq > fn._seq


def regen_view(view):
    """The view's new grad_fn: AsStridedBackward0 of the base's current history."""
    base = view._base
    idx = _view_index(base, view)
    record(AS_STRIDED, view, (base,), (idx, True))
    view._output_nr = 0
    return view._grad_fn


from . import _core  # noqa: E402

_core._stale = stale
_core._regen_view = regen_view


# ``y[...] = v`` / ``y[:] = v`` on a non-view: PyTorch skips the trivial index and runs fill_/copy_ on y itself
def _whole_vjp(ctx, g):
    from ._index import _copy_slices_vjp
    return _copy_slices_vjp(ctx, g)


FILL_WHOLE = defop("fill_whole", None, _whole_vjp, node="FillBackward3")
COPY_WHOLE = defop("copy_whole", None, _whole_vjp, node="CopyBackwards")


def trivial_index(nidx, shape):
    """True when a basic index selects all of ``shape`` (PyTorch skips such slices: no view is taken)."""
    import builtins
    items = list(nidx)
    if builtins.any(i is None for i in items) or items.count(Ellipsis) > 1:
        return False
    if Ellipsis in items:
        k = items.index(Ellipsis)
        dims = list(range(k)) + list(range(len(shape) - (len(items) - k - 1), len(shape)))
        items = items[:k] + items[k + 1:]
    else:
        dims = list(range(len(items)))
    if len(items) > len(shape):
        return False
    for i, d in zip(items, dims):
        if not isinstance(i, builtins.slice) or i.indices(shape[d]) != (0, shape[d], 1):
            return False
    return True
