"""Spatial functions of ``ndgrad.nn.functional``: conv, pooling, padding, interpolation, unfold/fold."""
import math
import numbers

from .._ops import _nn_spatial as _S

__all__ = ["conv1d", "conv2d", "conv3d", "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "pad", "interpolate", "upsample", "unfold", "fold"]


def _ntuple(x, n):
    if isinstance(x, numbers.Integral):
        return (int(x),) * n
    x = tuple(int(v) for v in x)
    return x * n if len(x) == 1 else x


def _pair(x):
    return _ntuple(x, 2)


def _shape_str(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


# ------------------------------------------------------------------ conv
def _conv(input, weight, bias, stride, padding, dilation, groups, nd):
    name = f"conv{nd}d"
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
                           f"input of size: {_shape_str(input.shape)}")
    unbatched = input.dim() == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    k = tuple(weight.shape[2:])
    s = _ntuple(stride, nd)
    d = _ntuple(dilation, nd)
    if isinstance(padding, str):
        if padding == "valid":
            p = (0,) * nd
        elif padding == "same":
            if any(v != 1 for v in s):
                raise ValueError("padding='same' is not supported for strided convolutions")
            total = [d[i] * (k[i] - 1) for i in range(nd)]
            p = tuple(t // 2 for t in total)
            extra = [t - 2 * (t // 2) for t in total]
            if any(extra):
                pads = []
                for i in reversed(range(nd)):
                    pads += [0, extra[i]]
                input = pad(input, pads)
        else:
            raise ValueError(f"Invalid padding string '{padding}', should be one of {{'valid', 'same'}}")
    else:
        p = _ntuple(padding, nd)
    _check_types(input, weight, bias)
    c = input.shape[1]
    if c != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {_shape_str(weight.shape)}, expected "
                           f"input{_shape_str(input.shape)} to have {weight.shape[1] * groups} channels, but got "
                           f"{c} channels instead")
    padded = [input.shape[2 + i] + 2 * p[i] for i in range(nd)]
    eff = [d[i] * (k[i] - 1) + 1 for i in range(nd)]
    if any(padded[i] < eff[i] for i in range(nd)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel "
                           f"size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than actual input "
                           "size")
    out = _S.conv_op(input, weight, bias, s, p, d, groups)
    return out.squeeze(0) if unbatched else out


_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
            "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def _check_types(input, weight, bias):
    dt = input._data.dtype
    if bias is not None and bias._data.dtype != dt:
        raise RuntimeError(f"Input type ({_C_NAMES[input.dtype.name]}) and bias type ({_C_NAMES[bias.dtype.name]}) "
                           "should be the same")
    if weight._data.dtype != dt:
        cap = lambda t: t.dtype._legacy.replace("Tensor", "")  # noqa: E731
        raise RuntimeError(f"expected scalar type {cap(input)} but found {cap(weight)}")


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution over (N, C, L) (ConvolutionBackward0)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution over (N, C, H, W) via im2col + matmul (ConvolutionBackward0)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution over (N, C, D, H, W) (ConvolutionBackward0)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding blocks as columns: (N, C, H, W) -> (N, C*kh*kw, L) (Im2ColBackward0)."""
    return _S.im2col(input, _pair(kernel_size), _pair(stride), _pair(padding), _pair(dilation))


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The adjoint of ``unfold``: sums columns into (N, C, H, W) (Col2ImBackward0)."""
    o, k, d, p, s = _pair(output_size), _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    blocks = [_S.out_size(o[i], k[i], s[i], p[i], d[i]) for i in range(2)]
    if input.shape[-1] != blocks[0] * blocks[1]:
        raise RuntimeError(f"Given output_size={o}, kernel_size={k}, dilation={d}, padding={p}, stride={s}, "
                           f"expected size of input's dimension 2 to match the calculated number of sliding "
                           f"blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got "
                           f"input.size(2)={input.shape[-1]}.")
    return _S.col2im(input, o, k, s, p, d)


# ---------------------------------------------------------------- pooling
def _stride(stride, kernel, nd):
    return kernel if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) \
        else _ntuple(stride, nd)


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, nd):
    k = _ntuple(kernel_size, nd)
    s = _stride(stride, k, nd)
    p = _ntuple(padding, nd)
    d = _ntuple(dilation, nd)
    for i in range(nd):
        if p[i] > (d[i] * (k[i] - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p[i]}, "
                               f"kernel_size={k[i]} and dilation={d[i]}")
    out, idx = _S.max_pool_op(input, k, s, p, d, ceil_mode)
    return (out, idx) if return_indices else out


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Maximum over windows (MaxPool2DWithIndicesBackward0)."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Maximum over 3-D windows of (N, C, D, H, W)."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 3)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Maximum over windows of (N, C, L)."""
    k = _ntuple(kernel_size, 1)[0]
    s = _stride(stride, (k,), 1)[0]
    r = _max_pool(input.unsqueeze(-2), (1, k), (1, s), (0, _ntuple(padding, 1)[0]),
                  (1, _ntuple(dilation, 1)[0]), ceil_mode, return_indices, 2)
    if return_indices:
        return r[0].squeeze(-2), r[1].squeeze(-2)
    return r.squeeze(-2)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over windows (AvgPool2DBackward0)."""
    k = _pair(kernel_size)
    s = _stride(stride, k, 2)
    p = _pair(padding)
    for i in range(2):
        if p[i] > k[i] // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p[i]}, "
                               f"kernel_size={k[i]} and dilation=1")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    h, w = input.shape[-2:]
    mats = (_S.avg_matrix(h, k[0], s[0], p[0], ceil_mode, count_include_pad, divisor_override),
            _S.avg_matrix(w, k[1], s[1], p[1], ceil_mode, count_include_pad, 1 if divisor_override else None))
    return _S.sep_linear(input, mats, "AvgPool2DBackward0")


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over windows of (N, C, L)."""
    k = _ntuple(kernel_size, 1)[0]
    s = _stride(stride, (k,), 1)[0]
    return avg_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, _ntuple(padding, 1)[0]), ceil_mode,
                      count_include_pad).squeeze(-2)


def adaptive_avg_pool2d(input, output_size):
    """Averages into a fixed output size (AdaptiveAvgPool2DBackward0; a mean for 1x1)."""
    out = _ntuple(output_size, 2) if not isinstance(output_size, (list, tuple)) else tuple(output_size)
    h, w = input.shape[-2:]
    out = (h if out[0] is None else out[0], w if out[1] is None else out[1])
    if out == (1, 1):
        return input.mean((-1, -2), keepdim=True)
    return _S.sep_linear(input, (_S.adaptive_matrix(h, out[0]), _S.adaptive_matrix(w, out[1])),
                         "AdaptiveAvgPool2DBackward0")


def adaptive_avg_pool1d(input, output_size):
    """Averages (N, C, L) into ``output_size`` bins."""
    o = _ntuple(output_size, 1)[0]
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, o)).squeeze(-2)


# ---------------------------------------------------------------- padding
def pad(input, pad, mode="constant", value=None):
    """Pads trailing dims: ``pad = (left_last, right_last, left_prev, right_prev, ...)``."""
    pad = tuple(int(v) for v in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    nd = len(pad) // 2
    if nd > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.dim()}")
    pairs = [(pad[2 * (nd - 1 - j)], pad[2 * (nd - 1 - j) + 1]) for j in range(nd)]
    if mode == "constant":
        return _S.const_pad(input, pairs, 0.0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if not (input.dim() - 1 <= nd + 1 <= input.dim()) or nd > 3:
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\nSupported combinations "
            "for non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads last dimension)\n  - 3D or 4D "
            "input: padding size = 4 (pads last 2 dimensions)\n  - 4D or 5D input: padding size = 6 (pads last 3 "
            "dimensions)")
    mats = []
    for j, (lo, hi) in enumerate(pairs):
        n = input.shape[input.dim() - nd + j]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({lo}, {hi}) at dimension {input.dim() - nd + j} of input "
                               f"{_shape_str(input.shape)}")
        mats.append(_S.selection_matrix(_S.pad_index(n, lo, hi, mode), n))
    node = {"reflect": "ReflectionPad{}DBackward0", "replicate": "ReplicationPad{}DBackward0",
            "circular": "CircularPad{}DBackward0"}[mode].format(nd)
    return _S.sep_linear(input, mats, node)


# ------------------------------------------------------------ interpolate
_INTERP = {"nearest": ("nearest", "UpsampleNearest{}DBackward0"),
           "nearest-exact": ("nearest-exact", "UpsampleNearestExact{}DBackward0"),
           "linear": ("linear", "UpsampleLinear1DBackward0"), "bilinear": ("linear", "UpsampleBilinear2DBackward0"),
           "trilinear": ("linear", "UpsampleTrilinear3DBackward0")}
_NEEDS = {"linear": 1, "bilinear": 2, "trilinear": 3}


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resizes the spatial dims ('nearest', 'nearest-exact', 'linear', 'bilinear', 'trilinear')."""
    nd = input.dim() - 2
    if mode not in _INTERP:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
                                  f"for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    if mode in ("nearest", "nearest-exact") and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if mode in _NEEDS and _NEEDS[mode] != nd:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {_NEEDS[mode] + 2}D input")
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    ins = tuple(input.shape[2:])
    if size is not None:
        outs = _ntuple(size, nd) if not isinstance(size, (list, tuple)) or len(size) != nd else tuple(size)
        scales = (None,) * nd
    else:
        sf = (float(scale_factor),) * nd if isinstance(scale_factor, numbers.Number) else tuple(scale_factor)
        outs = tuple(int(math.floor(ins[i] * sf[i])) for i in range(nd))
        scales = (None,) * nd if recompute_scale_factor else sf
    kind, node = _INTERP[mode]
    mats = tuple(_S.interp_matrix(ins[i], outs[i], kind, bool(align_corners), scales[i]) for i in range(nd))
    return _S.sep_linear(input, mats, node.format(nd))


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of ``interpolate``."""
    return interpolate(input, size, scale_factor, mode, align_corners)
