"""Forward-mode AD, as ``torch.autograd.forward_ad``.

>>> import ndgrad.autograd.forward_ad as fwAD
>>> x, v = ndgrad.tensor([1.0, 2.0]), ndgrad.tensor([1.0, 0.0])
>>> with fwAD.dual_level():
...     y = (fwAD.make_dual(x, v) ** 2).sum()
...     fwAD.unpack_dual(y).tangent   # d/dt sum((x + t v)^2) = 2 <x, v>
tensor(2.)

Every op of the table propagates tangents (see ``ndgrad._ops._jvp``); when no
dual level is active ops pay one flag check.
"""
from collections import namedtuple

from .._ops import _core

__all__ = ["UnpackedDualTensor", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual", "dual_level"]

_levels = []      # stack of active level ids (at most one: nesting is not supported, as in PyTorch)
_next_id = [0]

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])
UnpackedDualTensor.__doc__ = "Namedtuple returned by :func:`unpack_dual` containing the primal and tangent."


def enter_dual_level():
    """Enters a new forward-grad level; returns its index (0)."""
    from .._ops import _jvp  # noqa: F401  (installs the machinery)
    if _levels:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _levels.append(_next_id[0])
    _next_id[0] += 1
    _core._fw.level = _levels[-1]
    _core._fw.on = True
    return len(_levels) - 1


def exit_dual_level(*, level=None):
    """Exits the current level; tangents of that level are forgotten."""
    if level is None:
        level = len(_levels) - 1
    if level < 0:
        raise RuntimeError("Dual level must be a positive number.")
    if level != len(_levels) - 1:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that was created. "
                           "This is not supported.")
    _levels.pop()
    _core._fw.on = False
    _core._fw.level = -1


def _check_level(level):
    if level is None:
        level = len(_levels) - 1
    return level


def make_dual(tensor, tangent, *, level=None):
    """A view of ``tensor`` carrying ``tangent`` as its forward gradient at the current level."""
    from .._tensor import Tensor
    if _check_level(level) < 0:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, make sure to "
                           "enter_dual_level() first.")
    if not (tensor._data.dtype.kind in "fc"):
        raise ValueError(f"Expected primal to be floating point or complex, but got: {tensor.dtype}")
    if not isinstance(tangent, Tensor) or tangent._data.dtype.kind not in "fc":
        raise ValueError(f"Expected tangent to be floating point or complex, but got: "
                         f"{getattr(tangent, 'dtype', type(tangent).__name__)}")
    if tangent._data.shape != tensor._data.shape:
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the original Tensor, this "
            f"is not supported. Tensor is of size [{', '.join(map(str, tensor.shape))}] while the given forward "
            f"gradient is of size [{', '.join(map(str, tangent.shape))}].")
    dual = _alias(tensor)
    if tangent._data.dtype != tensor._data.dtype:
        tangent = tangent.to(tensor.dtype)
    dual._fwd = (_core._fw.level, tangent)
    return dual


def _alias(t):
    """A view of ``t`` with the same history (no tangent)."""
    on = _core._fw.on
    _core._fw.on = False
    try:
        a = t[...]
    finally:
        _core._fw.on = on
    a._fwd = None
    return a


def unpack_dual(tensor, *, level=None):
    """``(primal, tangent)`` of a dual tensor; tangent is None outside its level or when it has none."""
    from .._ops._jvp import tangent as _tangent
    if not _levels:
        return UnpackedDualTensor(tensor, None)
    t = _tangent(tensor)
    if t is None:
        return UnpackedDualTensor(tensor, None)
    return UnpackedDualTensor(_alias(tensor), t)


class dual_level:
    """Context manager for a forward-AD level: ``with dual_level(): ...``."""

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()


def _function_jvp(fn_cls, ctx, args, outputs):
    """Hook for ``autograd.Function.apply``: sets output tangents from ``fn_cls.jvp(ctx, *tangents)``.

    Call only when ``_core._fw.on``. Inputs without a tangent pass ``None``... as PyTorch passes zeros,
    zeros are passed here too.
    """
    from .._tensor import Tensor, _wrap
    from .._ops._jvp import tangent as _tangent
    import numpy as np
    tans = [(_tangent(a) if isinstance(a, Tensor) else None) for a in args]
    if all(t is None for t in tans):
        return
    tans = [(_wrap(np.zeros_like(a._data)) if t is None and isinstance(a, Tensor) else t)
            for a, t in zip(args, tans)]
    _core._fw.on = False
    try:
        res = fn_cls.jvp(ctx, *tans)
    finally:
        _core._fw.on = True
    outs = outputs if isinstance(outputs, tuple) else (outputs,)
    res = res if isinstance(res, tuple) else (res,)
    for o, r in zip(outs, res):
        if isinstance(o, Tensor) and r is not None:
            o._fwd = (_core._fw.level, r)
