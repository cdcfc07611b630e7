"""Dropout of ``ndgrad.nn.functional``: PyTorch's ``_dropout_impl`` (plain, feature, alpha, feature-alpha),
with its checks, warnings and graphs (MulBackward0; AddBackward0 for the alpha kinds; SqueezeBackward1
around unbatched dropout1d/dropout3d)."""
import math
import warnings

import numpy as np

from .._creation import _rng
from .._tensor import _wrap

_SELU_ALPHA = 1.7580993408473766  # alpha * scale of SELU: alpha dropout keeps SELU's mean and variance


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _times(input, noise, inplace):
    noise = _wrap(noise)
    return input.mul_(noise) if inplace else input * noise


def _dropout_impl(input, p, train, inplace, feature=False, alpha=False):
    """ATen's ``_dropout_impl``: keep each element (or each channel: ``feature``) with probability 1 - p."""
    _check_p(p)
    x = input._data
    if p == 0 or not train or x.size == 0:
        return input
    if p == 1:
        return _times(input, np.zeros((), x.dtype), inplace)
    if feature:
        if x.ndim < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        shape = x.shape[:2] + (1,) * (x.ndim - 2)  # one draw per (sample, channel)
    else:
        shape = x.shape
    noise = (_rng(None).random(shape) >= p).astype(x.dtype)  # bernoulli(1 - p)
    if not alpha:
        np.true_divide(noise, 1 - p, out=noise)  # (in the input's dtype, as noise.div_(1 - p))
        return _times(input, noise, inplace)
    a = 1.0 / math.sqrt((_SELU_ALPHA * _SELU_ALPHA * p + 1) * (1 - p))
    b = noise + (-1)
    b *= _SELU_ALPHA * a
    b += _SELU_ALPHA * a * p
    noise *= a
    return _times(input, noise, inplace).add_(_wrap(b))


def dropout(input, p=0.5, training=True, inplace=False):
    """Zeroes elements with probability ``p`` and scales the rest by 1/(1-p) (in training).

    >>> torch.nn.functional.dropout(torch.ones(4), 0.5, training=False)
    tensor([1., 1., 1., 1.])
    """
    return _dropout_impl(input, p, training, inplace)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for SELU networks: dropped elements take SELU's negative saturation value, and an affine
    map keeps the mean and variance (AddBackward0)."""
    return _dropout_impl(input, p, training, inplace, alpha=True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """``alpha_dropout`` of whole channels (dim 1)."""
    return _dropout_impl(input, p, training, inplace, feature=True, alpha=True)


def _unbatched(input, p, training, inplace):
    """Feature dropout of a sample without its batch dim: a batch of one, squeezed back (as PyTorch)."""
    x = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    r = _dropout_impl(x, p, training, inplace, feature=True)
    return r.squeeze_(0) if inplace else r.squeeze(0)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, L) or (C, L) input with probability ``p`` (training only)."""
    _check_p(p)
    nd = input.dim()
    if nd not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. Note that dropout1d exists to "
            "provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an "
            "optional batch dimension (i.e. 2D or 3D inputs).")
    if nd == 3:
        return _dropout_impl(input, p, training, inplace, feature=True)
    return _unbatched(input, p, training, inplace)


def _deprecated_dims(name, nd, spatial, ok):
    if nd not in ok:
        warnings.warn(
            f"{name}: Received a {nd}-D input to {name}, which is deprecated and will result in an error in a "
            f"future release. To retain the behavior and silence this warning, please use dropout instead. "
            f"Note that {name} exists to provide channel-wise dropout on inputs with {spatial} spatial "
            f"dimensions, a channel dimension, and an optional batch dimension (i.e. {ok[0]}D or {ok[1]}D "
            "inputs).", stacklevel=3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, H, W) input with probability ``p`` (training only); a 3-D input is
    taken as (N, C, L), with PyTorch's warning."""
    _check_p(p)
    nd = input.dim()
    _deprecated_dims("dropout2d", nd, 2, (3, 4))
    if nd == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
            "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
            "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d "
            "instead.", stacklevel=2)
    return _dropout_impl(input, p, training, inplace, feature=True)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability ``p`` (training only)."""
    _check_p(p)
    nd = input.dim()
    _deprecated_dims("dropout3d", nd, 3, (4, 5))
    if nd == 5:
        return _dropout_impl(input, p, training, inplace, feature=True)
    return _unbatched(input, p, training, inplace)
