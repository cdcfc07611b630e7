"""Spatial primitives of ``ndgrad.nn.functional``: convolution (im2col + matmul), unfold/fold,
max pooling, padding, and the separable linear maps behind average pooling, adaptive average
pooling, interpolation and reflect/replicate padding. Loaded with ``ndgrad.nn``.

Linear maps come in adjoint pairs (im2col/col2im, A/A^T), so each rule is the other op and any
order of derivative works. Loops run over kernel offsets or spatial dims, never over pixels.
"""
import itertools
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._tensor import Tensor, _wrap
from ._core import defop, needs_grad, record
from ._dispatch import apply, apply_to, out_array


def _pad_np(x, pads, value=0.0):
    """Pads the trailing len(pads) dims of ``x`` by (before, after) pairs (negative crops)."""
    nd = len(pads)
    crop = [slice(None)] * x.ndim
    widths = [(0, 0)] * x.ndim
    for i, (lo, hi) in enumerate(pads):
        ax = x.ndim - nd + i
        crop[ax] = slice(max(-lo, 0), x.shape[ax] - max(-hi, 0))
        widths[ax] = (max(lo, 0), max(hi, 0))
    x = x[tuple(crop)]
    if any(w != (0, 0) for w in widths):
        x = np.pad(x, widths, constant_values=value)
    return x


def out_size(n, k, s, p, d, ceil=False):
    eff = d * (k - 1) + 1
    if ceil:
        o = -(-(n + 2 * p - eff) // s) + 1
        if (o - 1) * s >= n + p:
            o -= 1
        return o
    return (n + 2 * p - eff) // s + 1


def windows_np(x, k, s, p, d, fill=0.0, ceil=False):
    """Windows over the trailing len(k) dims: (..., *L, *K) (a strided view where possible)."""
    nd = len(k)
    outs = [out_size(x.shape[x.ndim - nd + i], k[i], s[i], p[i], d[i], ceil) for i in range(nd)]
    pads = []
    for i in range(nd):
        n = x.shape[x.ndim - nd + i]
        need = (outs[i] - 1) * s[i] + d[i] * (k[i] - 1) + 1
        pads.append((p[i], max(need - n - p[i], 0)))
    xp = _pad_np(x, pads, fill) if any(a or b for a, b in pads) else x
    eff = tuple(d[i] * (k[i] - 1) + 1 for i in range(nd))
    axes = tuple(range(x.ndim - nd, x.ndim))
    w = sliding_window_view(xp, eff, axis=axes)
    sl = [slice(None)] * (x.ndim - nd) + [slice(None, outs[i] * s[i], s[i]) for i in range(nd)] + \
         [slice(None, None, d[i]) for i in range(nd)]
    w = w[tuple(sl)]
    return w[tuple([slice(None)] * (x.ndim - nd) + [slice(0, o) for o in outs])], outs


# ------------------------------------------------------------ im2col / col2im
# Two layouts: "ncl" = (N, C*K, L) as F.unfold; "kn" = (C*K, N*L), one matrix for a single GEMM in conv.
def _im2col_kernel(x, k, s, p, d, layout="ncl"):
    w, outs = windows_np(x, k, s, p, d)
    n, c = x.shape[:2]
    nd = len(k)
    kdims = tuple(range(2 + nd, 2 + 2 * nd))
    ldims = tuple(range(2, 2 + nd))
    if layout == "kn":
        return np.ascontiguousarray(w.transpose((1,) + kdims + (0,) + ldims)).reshape(
            c * math.prod(k), n * math.prod(outs))
    return np.ascontiguousarray(w.transpose((0, 1) + kdims + ldims)).reshape(n, c * math.prod(k), math.prod(outs))


def _col2im_kernel(cols, size, k, s, p, d, layout="ncl", n=None):
    nd = len(k)
    outs = [out_size(size[i], k[i], s[i], p[i], d[i]) for i in range(nd)]
    if layout == "kn":
        c = cols.shape[0] // math.prod(k)
        cols = cols.reshape((c,) + tuple(k) + (n,) + tuple(outs))
        cols = np.moveaxis(cols, 1 + nd, 0)
    else:
        n = cols.shape[0]
        c = cols.shape[1] // math.prod(k)
        cols = cols.reshape((n, c) + tuple(k) + tuple(outs))
    padded = np.zeros((n, c) + tuple(size[i] + 2 * p[i] for i in range(nd)), dtype=cols.dtype)
    for off in itertools.product(*[range(kk) for kk in k]):
        sl = tuple(slice(off[i] * d[i], off[i] * d[i] + s[i] * (outs[i] - 1) + 1, s[i]) for i in range(nd))
        padded[(slice(None), slice(None)) + sl] += cols[(slice(None), slice(None)) + off]
    crop = tuple(slice(p[i], p[i] + size[i]) for i in range(nd))
    return np.ascontiguousarray(padded[(slice(None), slice(None)) + crop])


def _im2col_vjp(ctx, g):
    k, s, p, d, layout = ctx._params
    shape = ctx._meta[0][0]
    f = col2im if type(g) is Tensor else _col2im_kernel  # the latter: the array rule
    return (f(g, shape[2:], k, s, p, d, layout, shape[0]),)


def _col2im_vjp(ctx, g):
    size, k, s, p, d, layout, n = ctx._params
    return ((im2col if type(g) is Tensor else _im2col_kernel)(g, k, s, p, d, layout),)


IM2COL = defop("im2col", _im2col_kernel, _im2col_vjp, node="Im2ColBackward0", avjp=True)
COL2IM = defop("col2im", _col2im_kernel, _col2im_vjp, node="Col2ImBackward0", avjp=True)


def im2col(x, k, s, p, d, layout="ncl"):
    """(N, C, *S) -> (N, C*prod(k), L): every window as a column (F.unfold); ``layout="kn"``: (C*K, N*L)."""
    return apply(IM2COL, (x,), (x._data,), (tuple(k), tuple(s), tuple(p), tuple(d), layout))


def col2im(cols, size, k, s, p, d, layout="ncl", n=None):
    """The adjoint of ``im2col``: sums columns back into an (N, C, *size) tensor (F.fold)."""
    return apply(COL2IM, (cols,), (cols._data,), (tuple(size), tuple(k), tuple(s), tuple(p), tuple(d), layout, n))


# ------------------------------------------------------------------ conv
# y[n, o, l] = sum_ck W[o, ck] cols[ck, (n, l)]: one GEMM per group over the whole batch.
def _conv_kernel(x, w, b, s, p, d, groups):
    k = w.shape[2:]
    n, o = x.shape[0], w.shape[0]
    cols = _im2col_kernel(x, k, s, p, d, "kn")
    outs = tuple(out_size(x.shape[2 + i], k[i], s[i], p[i], d[i]) for i in range(len(k)))
    y = np.matmul(w.reshape(groups, o // groups, cols.shape[0] // groups),
                  cols.reshape(groups, cols.shape[0] // groups, cols.shape[1]))
    y = np.moveaxis(y.reshape((o, n) + outs), 1, 0)
    if b is not None:
        y = y + b.reshape((1, o) + (1,) * len(k))
    return np.ascontiguousarray(y)


def _conv_vjp(ctx, g):
    # also the array rule: only methods tensors and NumPy arrays share, and im2col/col2im on either
    x, w = ctx.saved
    s, p, d, groups = ctx._params
    need = ctx._needs
    xshape = ctx._meta[0][0]
    k = tuple(w.shape[2:])
    n, o = g.shape[0], g.shape[1]
    tensors = type(g) is Tensor
    gy = g.swapaxes(0, 1).reshape(groups, o // groups, math.prod(g.shape) // o if o else 0)
    gx = gw = gb = None
    if need[1]:
        cols = im2col(x, k, s, p, d, "kn") if tensors else _im2col_kernel(x, k, s, p, d, "kn")
        gw = (gy @ cols.reshape(groups, cols.shape[0] // groups, cols.shape[1]).swapaxes(-1, -2)).reshape(w.shape)
    if need[0]:
        ck = math.prod(w.shape) // o * groups
        gcols = (w.reshape(groups, o // groups, ck // groups).swapaxes(-1, -2) @ gy).reshape(ck, gy.shape[-1])
        gx = (col2im(gcols, xshape[2:], k, s, p, d, "kn", n) if tensors
              else _col2im_kernel(gcols, xshape[2:], k, s, p, d, "kn", n))
    if len(need) > 2 and need[2]:
        gb = g.sum((0,) + tuple(range(2, g.ndim)))
    return gx, gw, gb


CONV = defop("convolution", None, _conv_vjp, save=((0, 1), 1), avjp=True)


def conv_op(x, w, b, s, p, d, groups):
    arr = _conv_kernel(x._data, w._data, None if b is None else b._data, s, p, d, groups)
    out = _wrap(out_array(arr, x._data.dtype))
    if needs_grad(x, w, b):
        record(CONV, out, (x, w, b), (tuple(s), tuple(p), tuple(d), groups))
    return out


# -------------------------------------------------------------- max pool
def _max_pool_kernel(x, k, s, p, d, ceil):
    nd = len(k)
    xf = x if x.dtype.kind == "f" else x.astype(np.float64)
    w, outs = windows_np(xf, k, s, p, d, fill=-np.inf, ceil=ceil)
    lead = x.shape[:x.ndim - nd]
    flat = w.reshape(lead + tuple(outs) + (-1,))
    a = np.argmax(flat, axis=-1)
    vals = np.take_along_axis(flat, a[..., None], -1)[..., 0].astype(x.dtype)
    # flat index of the winner in the unpadded input
    kpos = np.unravel_index(a, k)
    idx = np.zeros(a.shape, dtype=np.int64)
    for i in range(nd):
        shp = [1] * a.ndim
        shp[a.ndim - nd + i] = outs[i]
        start = (np.arange(outs[i]) * s[i] - p[i]).reshape(shp)
        idx = idx * x.shape[x.ndim - nd + i] + start + kpos[i] * d[i]
    return vals, idx


def _max_pool_vjp(ctx, g):
    idx, nd = ctx._params
    shape = ctx._meta[0][0]
    return (apply_to(MAX_POOL_BACKWARD, g, (idx, nd, tuple(shape))),)


def _max_pool_backward_kernel(g, idx, nd, shape):
    # scatter-add of g at the winners' flat indices, one bincount over (leading, spatial) positions
    lead = shape[:len(shape) - nd]
    size = math.prod(shape[len(shape) - nd:])
    rows = math.prod(lead)
    flat = (idx.reshape(rows, -1) + (np.arange(rows) * size)[:, None]).ravel()
    out = np.bincount(flat, weights=g.reshape(-1), minlength=rows * size)
    return out.astype(g.dtype, copy=False).reshape(shape)


def _max_pool_backward_vjp(ctx, gg):
    idx, nd, shape = ctx._params
    lead = shape[:len(shape) - nd]
    picked = gg.reshape(lead + (-1,)).gather(len(lead), _wrap(idx.reshape(lead + (-1,))))
    return (picked.reshape(idx.shape),)


MAX_POOL_BACKWARD = defop("max_pool_backward", _max_pool_backward_kernel, _max_pool_backward_vjp,
                          node="MaxPool2DWithIndicesBackwardBackward0")
MAX_POOL2D = defop("max_pool2d_with_indices", None, _max_pool_vjp, node="MaxPool2DWithIndicesBackward0",
                   avjp=True)
MAX_POOL3D = defop("max_pool3d_with_indices", None, _max_pool_vjp, node="MaxPool3DWithIndicesBackward0",
                   avjp=True)


def max_pool_op(x, k, s, p, d, ceil):
    vals, idx = _max_pool_kernel(x._data, k, s, p, d, ceil)
    out = _wrap(out_array(vals, x._data.dtype))
    if needs_grad(x):
        record(MAX_POOL2D if len(k) <= 2 else MAX_POOL3D, out, (x,), (idx, len(k)))
    return out, _wrap(idx)


# ------------------------------------------------------------ padding
def _const_pad_vjp(ctx, g):
    pads, value = ctx._params
    return (apply_to(CONST_PAD, g, (tuple((-a, -b) for a, b in pads), 0.0)),)


CONST_PAD = defop("constant_pad_nd", _pad_np, _const_pad_vjp, node="ConstantPadNdBackward0", avjp=True)


def const_pad(x, pads, value):
    """Constant padding of the trailing dims; ``pads`` = ((before, after), ...) from the first padded dim."""
    return apply(CONST_PAD, (x,), (x._data,), (tuple(pads), value))


# ----------------------------------------------- separable linear maps
# out = A_1 (x) A_2 ... along the trailing dims; each A_i is an (out_i, in_i) NumPy matrix.
def _sep_kernel(x, mats, transpose=False):
    nd = len(mats)
    for i, m in enumerate(mats):
        ax = x.ndim - nd + i
        m = (m.T if transpose else m).astype(x.dtype, copy=False)
        x = np.moveaxis(np.tensordot(m, x, axes=([1], [ax])), 0, ax)
    return np.ascontiguousarray(x)


def _sep_kernel_t(x, mats):
    return _sep_kernel(x, mats, True)


def _sep_vjp(ctx, g):
    mats, = ctx._params
    return (apply(_SEP_T, (g,), (g._data,), (mats,)),)


def _sep_t_vjp(ctx, g):
    mats, = ctx._params
    return (apply(_SEP_OPS["SepLinearBackward0"], (g,), (g._data,), (mats,)),)


_SEP_T = defop("sep_linear_t", _sep_kernel_t, _sep_t_vjp, node="SepLinearTransposeBackward0")
_SEP_OPS = {}


def sep_linear(x, mats, node):
    """Applies the (out_i, in_i) matrices along the trailing dims; grad_fn named ``node``."""
    op = _SEP_OPS.get(node)
    if op is None:
        op = _SEP_OPS[node] = defop("sep_linear_" + node, _sep_kernel, _sep_vjp, node=node)
    return apply(op, (x,), (x._data,), (tuple(mats),))


_SEP_OPS["SepLinearBackward0"] = defop("sep_linear", _sep_kernel, _sep_vjp, node="SepLinearBackward0")


def selection_matrix(src, n_in):
    """One-hot rows: out[i] = x[src[i]]."""
    m = np.zeros((len(src), n_in))
    m[np.arange(len(src)), src] = 1.0
    return m


def pad_index(n, lo, hi, mode):
    """Source index of every padded position for 'reflect' / 'replicate' / 'circular'."""
    j = np.arange(-lo, n + hi)
    if mode == "replicate":
        return np.clip(j, 0, n - 1)
    if mode == "circular":
        return j % n
    period = 2 * (n - 1) if n > 1 else 1
    j = np.abs(j) % period
    return np.where(j >= n, period - j, j)


def avg_matrix(n, k, s, p, ceil, count_include_pad, divisor):
    o = out_size(n, k, s, p, 1, ceil)
    m = np.zeros((o, n))
    for i in range(o):
        start = i * s - p
        end = min(start + k, n + p)
        size = end - start
        a, b = max(start, 0), min(end, n)
        m[i, a:b] = 1.0 / (divisor if divisor else (size if count_include_pad else (b - a)))
    return m


def adaptive_matrix(n, o):
    m = np.zeros((o, n))
    for i in range(o):
        a = (i * n) // o
        b = -((-(i + 1) * n) // o)
        m[i, a:b] = 1.0 / (b - a)
    return m


def interp_matrix(n, o, mode, align_corners, scale):
    """Interpolation weights (o, n) for 'nearest', 'nearest-exact' and 'linear' along one dim."""
    dst = np.arange(o, dtype=np.float64)
    if mode in ("nearest", "nearest-exact"):
        sc = (1.0 / scale) if scale else n / o
        d32 = dst.astype(np.float32)
        src = np.floor((d32 + np.float32(0.5)) * np.float32(sc)) if mode == "nearest-exact" else \
            np.floor(d32 * np.float32(sc))
        return selection_matrix(np.minimum(src.astype(np.int64), n - 1), n)
    if align_corners:
        sc = (n - 1) / (o - 1) if o > 1 else 0.0
        src = dst * sc
    else:
        sc = (1.0 / scale) if scale else n / o
        src = np.maximum((dst + 0.5) * sc - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n - 1)
    i1 = np.minimum(i0 + 1, n - 1)
    lam = src - i0
    m = np.zeros((o, n))
    np.add.at(m, (np.arange(o), i0), 1 - lam)
    np.add.at(m, (np.arange(o), i1), lam)
    return m
