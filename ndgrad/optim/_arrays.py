"""Optimizer arithmetic straight on NumPy arrays.

An update step is a dozen in-place tensor methods per parameter; on small models their dispatch costs
more than their arithmetic (Adam on a 784-256-256-10 MLP: 16 µs of Python per parameter). Here the same
ufunc calls run on the tensors' arrays, in the same order and dtype, so the bits are those of the tensor
methods (and of PyTorch's single-tensor kernels); one scratch array serves every temporary. Version
counters move as the in-place methods would move them.
"""
import numpy as np

from ..autograd.grad_mode import _state
from .._ops._core import _fw
from .._ops._ternary import addc_into, lerp_into
from ..autograd.graph import _VC


def plain(p, *others):
    """The arrays of ``p`` and ``others`` when an update may run on them directly: grad mode off, no
    forward-mode AD, floating ``p`` writeable in place, every array of ``p``'s dtype and shape.
    None otherwise (the tensor methods then handle the general case)."""
    if _state.enabled or _fw.on:
        return None
    d = p._data
    if d.dtype.kind != "f" or not d.flags.writeable:
        return None
    arrays = [d]
    for t in others:
        a = t._data
        if a.dtype != d.dtype or a.shape != d.shape:
            return None
        arrays.append(a)
    return arrays


_BUMPS = (1, 0, 1, 2)


def adam(arrays, tensors, beta1, beta2, eps, step_size, bias_correction2_sqrt, amsgrad):
    """Adam's moments and parameter update (``Adam._update`` after weight decay) on ``arrays`` =
    (param, grad, exp_avg, exp_avg_sq[, max_exp_avg_sq]) of ``tensors``."""
    d, g, m, v = arrays[:4]
    tmp = np.empty_like(d)  # the one scratch array
    lerp_into(m, g, 1 - beta1, tmp)  # exp_avg.lerp_(grad, 1 - beta1)
    # exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    np.multiply(v, beta2, out=v)
    addc_into(v, np.multiply, 1 - beta2, g, g, tmp)
    # denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps), from max_exp_avg_sq with amsgrad
    if amsgrad:
        mx = arrays[4]
        np.maximum(mx, v, out=mx)
        tensors[4]._bump()
    else:
        mx = v
    den = np.sqrt(mx) if d.ndim else np.sqrt(mx, out=np.empty_like(d))
    np.true_divide(den, bias_correction2_sqrt, out=den)
    np.add(den, eps, out=den)
    # param.addcdiv_(exp_avg, denom, value=-step_size)
    addc_into(d, np.true_divide, -step_size, m, den, tmp)
    for t, n in zip(tensors, _BUMPS):  # the in-place methods' version bumps: param 1, exp_avg 1, exp_avg_sq 2
        if n:
            vc = t._vc
            if vc is None:
                t._vc = _VC(n)
            else:
                vc.v += n
