"""Gradient clipping (as ``torch.nn.utils.clip_grad_norm_`` / ``clip_grad_value_``)."""
import math
import warnings

import numpy as np

from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import no_grad

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_"]


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scales gradients in place so their joint norm is at most ``max_norm``; returns the total norm.

    >>> import ndgrad as torch
    >>> p = torch.nn.Parameter(torch.ones(4))
    >>> p.grad = torch.full((4,), 3.0)
    >>> torch.nn.utils.clip_grad_norm_([p], 1.0)
    tensor(6.)
    """
    grads = _grads(parameters)
    max_norm = float(max_norm)
    norm_type = float(norm_type)
    if len(grads) == 0:
        return _wrap(np.asarray(0.0, dtype=np.float32))
    dt = grads[0]._data.dtype
    if norm_type == math.inf:
        norms = [np.max(np.abs(g._data)) if g._data.size else 0.0 for g in grads]
        total = np.asarray(max(norms), dtype=dt)
    else:
        norms = [np.linalg.norm(g._data.ravel(), ord=norm_type) if g._data.size else 0.0 for g in grads]
        total = np.asarray(np.linalg.norm(np.asarray(norms, dtype=np.float64), ord=norm_type), dtype=dt)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    clip_coef = max_norm / (float(total) + 1e-6)
    clamped = min(clip_coef, 1.0)
    with no_grad():
        for g in grads:
            g._data *= np.asarray(clamped, dtype=g._data.dtype)
            g._bump()
    return _wrap(total)


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamps every gradient element to [-clip_value, clip_value] in place.

    >>> import ndgrad as torch
    >>> p = torch.nn.Parameter(torch.ones(2))
    >>> p.grad = torch.tensor([-3.0, 0.5])
    >>> torch.nn.utils.clip_grad_value_([p], 1.0)
    >>> p.grad
    tensor([-1.0000,  0.5000])
    """
    clip_value = float(clip_value)
    with no_grad():
        for g in _grads(parameters):
            np.clip(g._data, -clip_value, clip_value, out=g._data)
            g._bump()
