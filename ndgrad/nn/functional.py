"""``ndgrad.nn.functional``: PyTorch's functional API (activations, losses, linear, dropout,
normalisation, embedding; spatial ops come from ``_functional_spatial``).

>>> import ndgrad as torch
>>> import ndgrad.nn.functional as F
>>> F.relu(torch.tensor([-1.0, 2.0]))
tensor([0., 2.])
"""
import math
import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from .._ops import _nn as _K
from .._ops import _nn_norm as _N
from .._ops._linalg import addmm as _addmm_op
from .._ops._unary import sigmoid, tanh  # noqa: F401  (F.sigmoid / F.tanh)
from ._functional_dropout import (alpha_dropout, dropout, dropout1d, dropout2d, dropout3d,  # noqa: F401
                                  feature_alpha_dropout)
from ._functional_loss import (  # noqa: F401
    binary_cross_entropy, binary_cross_entropy_with_logits, cosine_similarity, cross_entropy, huber_loss,
    kl_div, l1_loss, mse_loss, nll_loss, pairwise_distance, smooth_l1_loss)
from ._functional_spatial import (adaptive_avg_pool1d, adaptive_avg_pool2d, avg_pool1d, avg_pool2d,  # noqa: F401
                                  conv1d, conv2d, conv3d, fold, interpolate, max_pool1d, max_pool2d,
                                  max_pool3d, pad, unfold, upsample, _pair)

# ----------------------------------------------------------- activations


def _run(inplace, fn, input, *args):
    """``fn(input, *args)``, or with ``inplace=True`` its in-place form (input overwritten, history rebased)."""
    if inplace:
        from .._ops._inplace import make_inplace
        return make_inplace(fn, getattr(fn, "__name__", "op"))(input, *args)
    return fn(input, *args)


def relu(input, inplace=False):
    """max(0, x) (ReluBackward0); ``inplace=True`` overwrites the input."""
    return input.relu_() if inplace else input.relu()


def relu_(input):
    """In-place relu."""
    return input.relu_()


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x for x > 0, negative_slope * x otherwise (LeakyReluBackward0)."""
    return _run(inplace, _K.activation, input, _K.LEAKY_RELU_ if inplace else _K.LEAKY_RELU, float(negative_slope))


def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, alpha * (exp(x) - 1) otherwise (EluBackward0)."""
    return _run(inplace, _K.activation, input, _K.ELU_ if inplace else _K.ELU, float(alpha), 1.0, 1.0)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale * elu(x, alpha) with SELU's constants (EluBackward0)."""
    return _run(inplace, _K.activation, input, _K.ELU_ if inplace else _K.ELU, _SELU_ALPHA, _SELU_SCALE, 1.0)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)) (CeluBackward0)."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _run(inplace, _K.activation, input, _K.CELU, float(alpha))


def gelu(input, approximate="none"):
    """x * Phi(x), or the tanh approximation with ``approximate='tanh'`` (GeluBackward0)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh.")
    return _K.activation(input, _K.GELU, approximate)


def silu(input, inplace=False):
    """x * sigmoid(x) (SiluBackward0)."""
    return _run(inplace, _K.activation, input, _K.SILU)


def mish(input, inplace=False):
    """x * tanh(softplus(x)) (MishBackward0)."""
    return _run(inplace, _K.activation, input, _K.MISH)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, linear where beta * x > threshold (SoftplusBackward0)."""
    return _K.activation(input, _K.SOFTPLUS, float(beta), float(threshold))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamps to [min_val, max_val] (HardtanhBackward0)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _run(inplace, _K.activation, input, _K.HARDTANH, float(min_val), float(max_val))


def relu6(input, inplace=False):
    """min(max(0, x), 6) (HardtanhBackward0)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6 (HardsigmoidBackward0)."""
    return _run(inplace, _K.activation, input, _K.HARDSIGMOID)


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6 (HardswishBackward0)."""
    return _run(inplace, _K.activation, input, _K.HARDSWISH)


def logsigmoid(input):
    """log(sigmoid(x)), computed stably (LogSigmoidBackward0)."""
    return _K.activation(input, _K.LOGSIGMOID)


def softsign(input):
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """x - tanh(x)."""
    return input - input.tanh()


def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax(input, dim, dtype, log, name):
    if dim is None:
        dim = _softmax_dim(name, input.dim(), 4)
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind != "f":
        raise RuntimeError(f"\"{'log_' if log else ''}softmax_lastdim_kernel_impl\" not implemented for "
                           f"'{input.dtype._legacy.replace('Tensor', '')}'")
    return _K.softmax_op(input, dim, log)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim`` (SoftmaxBackward0)."""
    return _softmax(input, dim, dtype, False, "softmax")


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along ``dim``, computed stably (LogSoftmaxBackward0)."""
    return _softmax(input, dim, dtype, True, "log_softmax")


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along ``dim``."""
    return _softmax(-input, dim, dtype, False, "softmin")


# ----------------------------------------------------------------- linear
def _cap(t):
    return t.dtype._legacy.replace("Tensor", "")


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` (AddmmBackward0 for 2-D input, as PyTorch)."""
    if bias is not None and input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_cap(input)} and {_cap(weight)}")
    if input.dim() == 2 and bias is not None:
        return _addmm(bias, input, weight.t())
    if input.dim() == 2:
        return input.mm(weight.t())
    if bias is not None:
        shape = tuple(input.shape[:-1]) + (weight.shape[0],)
        _check_mm(input, weight)
        return _addmm(bias, input.reshape(-1, input.shape[-1]), weight.t()).view(shape)
    return input.matmul(weight.t())


def _check_mm(input, weight):
    if input.shape[-1] != weight.shape[-1]:
        rows = math.prod(input.shape[:-1])
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input.shape[-1]} and "
                           f"{weight.shape[1]}x{weight.shape[0]})")


def _addmm(bias, m1, m2):
    return _addmm_op(bias, m1, m2)


def bilinear(input1, input2, weight, bias=None):
    """``x1^T A x2 + b`` for every output feature."""
    lead = tuple(input1.shape[:-1])
    o, i, j = weight.shape
    a = input1.reshape(-1, i)
    b = input2.reshape(-1, j)
    t = a.mm(weight.permute(1, 0, 2).reshape(i, o * j)).reshape(-1, o, j)
    y = (t * b.unsqueeze(1)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(lead + (o,))


# ------------------------------------------------- normalisation / embedding
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalises over the trailing ``normalized_shape`` dims (NativeLayerNormBackward0)."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    ns = tuple(normalized_shape)
    k = len(ns)
    if tuple(input.shape[input.dim() - k:]) != ns or input.dim() < k:
        raise RuntimeError(f"Given normalized_shape=[{', '.join(map(str, ns))}], expected input with shape "
                           f"[*, {', '.join(map(str, ns))}], but got input of size{list(input.shape)}")
    return _N.layer_norm_op(input, k, weight, bias, eps)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-5):
    """Normalises each channel (dim 1) with batch statistics (training) or running ones."""
    if training:
        size = input.shape
        n = math.prod(size) // size[1] if len(size) > 1 else 1
        if n == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    return _N.batch_norm_op(input, running_mean, running_var, weight, bias, training, momentum, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalises groups of channels over the group and spatial dims."""
    n, c = input.shape[:2]
    x = input.reshape(n, num_groups, -1)
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    y = ((x - mu) / (var + eps).sqrt()).reshape(input.shape)
    shape = (1, c) + (1,) * (input.dim() - 2)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of ``weight`` picked by the integer ``input`` (EmbeddingBackward0)."""
    num = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < num, "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -num, "Padding_idx must be within num_embeddings"
            padding_idx = num + padding_idx
    idx = input._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got torch.{input.dtype._legacy} instead (while checking arguments "
                           "for embedding)")
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError("index out of range in self")
    idx = idx.astype(np.int64, copy=False)
    if max_norm is not None:
        _embedding_renorm(weight, idx, max_norm, norm_type)
    return _K.embedding_op(idx, weight, padding_idx, scale_grad_by_freq)


def _embedding_renorm(weight, idx, max_norm, norm_type):
    rows = np.unique(idx)
    w = weight._data
    norms = np.linalg.norm(w[rows].astype(np.float64), ord=norm_type, axis=1)
    scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    w[rows] = (w[rows] * scale[:, None]).astype(w.dtype)
    weight._bump()


def one_hot(tensor, num_classes=-1):
    """Integer class indices as rows of a one-hot int64 tensor."""
    t = tensor._data
    if t.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if t.size and t.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(t.max()) + 1 if t.size else 0
    elif t.size and t.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(t.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, t[..., None], 1, -1)
    return _wrap(out)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim``."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    r = input / denom
    if out is not None:
        return out.copy_(r)
    return r




# ------------------------------------------------- more activations (composites)
def prelu(input, weight):
    """max(0, x) + weight * min(0, x); ``weight`` has 1 or C (dim 1) entries."""
    from .._ops._index import where
    w = weight
    if weight.numel() > 1 and input.dim() >= 2:
        w = weight.reshape([1, -1] + [1] * (input.dim() - 2))
    return where(input > 0, input, w * input)


def glu(input, dim=-1):
    """a * sigmoid(b) where a, b are the halves of ``input`` along ``dim``."""
    n = input.shape[dim]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim % input.dim()} is size {n}")
    a, b = input.split(n // 2, dim)
    return a * sigmoid(b)


def threshold(input, threshold, value, inplace=False):
    """x where x > threshold, else ``value``."""
    from .._ops._index import where
    return _run(inplace, lambda x: where(x > threshold, x, value), input)


def softshrink(input, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, 0 between (SoftshrinkBackward0)."""
    return _K.activation(input, _K.SOFTSHRINK, float(lambd))


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0 (HardshrinkBackward0)."""
    return _K.activation(input, _K.HARDSHRINK, float(lambd))


def pixel_shuffle(input, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    r = upscale_factor
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    x = input.reshape(lead + [c // (r * r), r, r, h, w])
    n = len(lead)
    x = x.permute(list(range(n)) + [n, n + 3, n + 1, n + 4, n + 2])
    return x.reshape(lead + [c // (r * r), h * r, w * r])


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    r = downscale_factor
    *lead, c, h, w = input.shape
    x = input.reshape(lead + [c, h // r, r, w // r, r])
    n = len(lead)
    x = x.permute(list(range(n)) + [n, n + 2, n + 4, n + 1, n + 3])
    return x.reshape(lead + [c * r * r, h // r, w // r])


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalises each (sample, channel) over its spatial dims."""
    dims = tuple(range(2, input.dim()))
    mu = input.mean(dims, keepdim=True)
    var = ((input - mu) ** 2).mean(dims, keepdim=True)
    y = (input - mu) / (var + eps).sqrt()
    shape = [1, -1] + [1] * (input.dim() - 2)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """softmax(Q K^T * scale + mask) V, as PyTorch's reference implementation."""
    from .._ops._index import where
    L, S = query.shape[-2], key.shape[-2]
    sc = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    w = query.matmul(key.transpose(-2, -1)) * sc
    if is_causal:
        keep = np.tril(np.ones((L, S), dtype=bool))
        w = where(_wrap(keep), w, -math.inf)
    if attn_mask is not None:
        if attn_mask.dtype == D.bool_:
            w = where(attn_mask, w, -math.inf)
        else:
            w = w + attn_mask
    w = softmax(w, -1)
    if dropout_p > 0.0:
        w = dropout(w, dropout_p, True)
    return w.matmul(value)


__all__ = [k for k, v in list(globals().items()) if callable(v) and not k.startswith("_")
           and getattr(v, "__module__", "").startswith("ndgrad.nn") and not isinstance(v, type)]
_unused = (Tensor, _pair)
