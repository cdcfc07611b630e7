"""Three-operand pointwise ops: ``addcmul``, ``addcdiv``, ``lerp`` (the optimizers' workhorses).

Kernels follow PyTorch's CPU arithmetic order (``self + value * t1 * t2``,
``self + value * t1 / t2``, lerp's two-sided formula), so optimizer steps match
step for step.
"""
import numpy as np

from .._tensor import Tensor
from ._core import _fw, _state, defop
from ._dispatch import apply, pyscalar, result_dtype


def _arrays(npd, *xs):
    return tuple(x._data if x._data.dtype == npd else x._data.astype(npd) for x in xs)


# ------------------------------------------------------------------ rules
def _addcmul_vjp(ctx, g):
    t1, t2 = ctx.saved
    value, = ctx._params
    n = ctx._needs
    gv = g if value == 1 else g * value
    return (g if n[0] else None, gv * t2 if n[1] else None, gv * t1 if n[2] else None)


def _addcdiv_vjp(ctx, g):
    t1, t2 = ctx.saved
    value, = ctx._params
    n = ctx._needs
    gv = g if value == 1 else g * value
    return (g if n[0] else None, gv / t2 if n[1] else None, -gv * t1 / (t2 * t2) if n[2] else None)


def _lerp_scalar_vjp(ctx, g):
    w, = ctx._params
    n = ctx._needs
    return (g * (1 - w) if n[0] else None, g * w if n[1] else None)


def _lerp_tensor_vjp(ctx, g):
    x, end, w = ctx.saved
    n = ctx._needs
    return (g * (1 - w) if n[0] else None, g * w if n[1] else None, g * (end - x) if n[2] else None)


def _lerp_kernel(x, end, w):
    if isinstance(w, np.ndarray):
        return np.where(w < 0.5, x + w * (end - x), end - (end - x) * (1 - w))
    return x + w * (end - x) if w < 0.5 else end - (end - x) * (1 - w)


ADDCMUL = defop("addcmul", lambda x, a, b, v: x + v * a * b, _addcmul_vjp, node="AddcmulBackward0",
                save=((1, 2), (2, 1)))
ADDCDIV = defop("addcdiv", lambda x, a, b, v: x + v * a / b, _addcdiv_vjp, node="AddcdivBackward0",
                save=((1, 2), 2))
LERP_S = defop("lerp_scalar", _lerp_kernel, _lerp_scalar_vjp, node="LerpBackward0")
LERP_T = defop("lerp_tensor", _lerp_kernel, _lerp_tensor_vjp, node="LerpBackward1", save=(0, 1, 2))


def _addc(op, input, tensor1, tensor2, value):
    if not isinstance(input, Tensor) or not isinstance(tensor1, Tensor) or not isinstance(tensor2, Tensor):
        i, bad = next((i, x) for i, x in enumerate((input, tensor1, tensor2)) if not isinstance(x, Tensor))
        name = ("input", "tensor1", "tensor2")[i]
        raise TypeError(f"{op.name}(): argument '{name}' (position {i + 1}) must be Tensor, "
                        f"not {type(bad).__name__}")
    npd = result_dtype(input, tensor1, tensor2).np
    if op is ADDCDIV and npd.kind in "iub":
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future release "
                           "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
                           "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))."
                           "to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
                           "float inputs. The future addcdiv behavior is just the latter implementation: "
                           "(input + value * tensor1 / tensor2), for all dtypes.")
    value = pyscalar(value.item() if isinstance(value, Tensor) else value)
    return apply(op, (input, tensor1, tensor2), _arrays(np.dtype(npd), input, tensor1, tensor2), (value,))


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 * tensor2``.

    >>> ndgrad.addcmul(ndgrad.zeros(2), ndgrad.tensor([1., 2.]), ndgrad.tensor([3., 4.]), value=0.5)
    tensor([1.5000, 4.0000])
    """
    r = _addc(ADDCMUL, input, tensor1, tensor2, value)
    return r if out is None else out.copy_(r)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 / tensor2``.

    >>> ndgrad.addcdiv(ndgrad.ones(2), ndgrad.tensor([1., 2.]), ndgrad.tensor([4., 4.]))
    tensor([1.2500, 1.5000])
    """
    r = _addc(ADDCDIV, input, tensor1, tensor2, value)
    return r if out is None else out.copy_(r)


def lerp(input, end, weight, *, out=None):
    """``input + weight * (end - input)`` (weight a number or a tensor).

    >>> ndgrad.lerp(ndgrad.zeros(2), ndgrad.tensor([10., 20.]), 0.25)
    tensor([2.5000, 5.0000])
    """
    if isinstance(weight, Tensor):
        npd = np.dtype(result_dtype(input, end, weight).np)
        r = apply(LERP_T, (input, end, weight), _arrays(npd, input, end, weight))
    else:
        w = pyscalar(weight)
        npd = np.dtype(result_dtype(input, end).np)
        r = apply(LERP_S, (input, end), _arrays(npd, input, end), (w,))
    return r if out is None else out.copy_(r)


# ------------------------------------------------------------ in place
# Outside recording (an optimizer step), write straight into self with the
# kernels' arithmetic order; otherwise PyTorch's generic in-place semantics.
def _plain(self, *others):
    if _fw.on or not self._data.flags.writeable:
        return False
    if _state.enabled and (self._requires_grad or any(o._requires_grad for o in others if isinstance(o, Tensor))):
        return False
    d = self._data
    for o in others:
        if not isinstance(o, Tensor) or o._data.dtype != d.dtype or \
                (o._data.shape != d.shape and np.broadcast_shapes(o._data.shape, d.shape) != d.shape):
            return False
    return True


def addc_into(d, ufunc, value, a, b, tmp):
    """``d += value * a (ufunc) b`` in the kernels' order (PyTorch's addcmul/addcdiv), through the scratch
    array ``tmp`` of ``d``'s shape and dtype."""
    if value != 1:
        np.multiply(value, a, out=tmp, dtype=d.dtype)
    else:
        np.copyto(tmp, a)
    ufunc(tmp, b, out=tmp)
    np.add(d, tmp, out=d)


def lerp_into(d, end, w, tmp):
    """``d += w * (end - d)`` in PyTorch's lerp order (from ``end`` for weights of 0.5 and up), through the
    scratch array ``tmp`` of ``d``'s shape and dtype."""
    np.subtract(end, d, out=tmp)
    if w < 0.5:
        tmp *= w
        np.add(d, tmp, out=d)
    else:
        tmp *= 1 - w
        np.subtract(end, tmp, out=d)


def _fast_addc(ufunc, slow):
    def method(self, tensor1, tensor2, *, value=1):
        if not _plain(self, tensor1, tensor2):
            return slow(self, tensor1, tensor2, value=value)
        value = pyscalar(value.item() if isinstance(value, Tensor) else value)
        d = self._data
        # the scratch has self's shape: tensor1 and tensor2 may each broadcast to it (and a 0-d one
        # would otherwise come back a NumPy scalar, which out= rejects)
        addc_into(d, ufunc, value, tensor1._data, tensor2._data, np.empty_like(d))
        self._bump()
        return self
    return method


def _lerp_(self, end, weight):
    if isinstance(weight, Tensor) or not _plain(self, end):
        return _lerp_slow(self, end, weight)
    d = self._data
    lerp_into(d, end._data, pyscalar(weight), np.empty_like(d))
    self._bump()
    return self


def _slow(fn, name):
    from ._inplace import make_inplace
    return make_inplace(fn, name)


_lerp_slow = _slow(lerp, "lerp")
METHODS = {"addcmul": addcmul, "addcdiv": addcdiv, "lerp": lerp,
           "addcmul_": _fast_addc(np.multiply, _slow(addcmul, "addcmul")),
           "addcdiv_": _fast_addc(np.true_divide, _slow(addcdiv, "addcdiv")), "lerp_": _lerp_}
