"""In-place view ops: ``unsqueeze_``, ``squeeze_``, ``t_``, ``transpose_`` (``swapdims_``, ``swapaxes_``).

The tensor keeps its memory and takes the view's shape and strides; its version bumps; while recording it
gets PyTorch's in-place nodes (UnsqueezeBackward1, SqueezeBackward3/4/5, TBackward1, TransposeBackward1),
whose rules map the gradient back to the old shape.
"""
from ._core import _fw, _state, defop, record
from ._inplace import check_inplace
from ._linalg import SQUEEZE_ as _SQUEEZE_DIM_  # SqueezeBackward4 (also 1-D matmul results')
from ._shape import (_reshape_vjp, _t_avjp, _t_vjp, _transpose_avjp, _transpose_vjp, squeeze, t, transpose,
                     unsqueeze)
from ._reduce import dim_index
from .._tensor import _wrap

UNSQUEEZE_ = defop("unsqueeze_", None, _reshape_vjp, node="UnsqueezeBackward1", avjp=True)
SQUEEZE_ALL_ = defop("squeeze_all_", None, _reshape_vjp, node="SqueezeBackward3", avjp=True)
SQUEEZE_DIMS_ = defop("squeeze_dims_", None, _reshape_vjp, node="SqueezeBackward5", avjp=True)
TRANSPOSE_ = defop("transpose_", None, _transpose_vjp, node="TransposeBackward1", avjp=_transpose_avjp)
T_ = defop("t_", None, _t_vjp, node="TBackward1", avjp=_t_avjp)


def _restride(self, fn, args, op, params=()):
    """``self`` becomes ``fn(self, *args)`` (a view op) in place: same memory, new shape and strides."""
    check_inplace(self)
    grad, fw = _state.enabled, _fw.on
    _state.enabled = _fw.on = False  # the view op's checks and array; its own node and tangent are not wanted
    try:
        arr = fn(self, *args)._data
    finally:
        _state.enabled, _fw.on = grad, fw
    grad = grad and self._requires_grad
    fw = fw and self._fwd is not None
    if not (grad or fw):
        self._data = arr
        self._bump()
        return self
    # self before the op: its history, tangent and shape, which the rules map back from (a leaf that
    # requires grad cannot get here: check_inplace refused it)
    old = _wrap(self._data)
    old._fwd = self._fwd
    old_fn, old_nr = self._grad_fn, self._output_nr
    if grad:
        old._requires_grad, old._grad_fn, old._output_nr = True, old_fn, old_nr
    self._data = arr
    self._bump()
    record(op, self, (old,), params)  # (with a dual level active: self's tangent too)
    if grad:
        self._output_nr = 0
        hooks = old_fn._retain_hooks
        if self._retains_grad and hooks and old_nr in hooks:  # retain_grad stays on the old node (PyTorch)
            hooks[old_nr] = self._retainer(old_fn, pinned=True)
    return self


def _unsqueeze_(self, dim):
    return _restride(self, unsqueeze, (dim,), UNSQUEEZE_)


def _squeeze_(self, dim=None):
    op = SQUEEZE_ALL_ if dim is None else SQUEEZE_DIMS_ if isinstance(dim, (tuple, list)) else _SQUEEZE_DIM_
    return _restride(self, squeeze, (dim,), op)


def _transpose_(self, dim0, dim1):
    check_inplace(self)  # before the dims, as PyTorch
    n = self._data.ndim
    # (transpose checks the dims first; 0-d: both must be 0 or -1)
    dims = (dim_index(dim0, n), dim_index(dim1, n)) if n else (0, 0)
    return _restride(self, transpose, (dim0, dim1), TRANSPOSE_, dims)


def _t_(self):
    return _restride(self, t, (), T_)


METHODS = {"unsqueeze_": _unsqueeze_, "squeeze_": _squeeze_, "transpose_": _transpose_, "swapdims_": _transpose_,
           "swapaxes_": _transpose_, "t_": _t_}
