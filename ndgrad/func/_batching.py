"""Batching rules for ``vmap``: each runs the original op once on physical tensors.

Families: elementwise (align levels, pad logical ranks, NumPy broadcasts),
dim-taking ops (shift dims past the batch dims), shape ops, matmul (batches
natively), basic indexing, class losses and convolutions (merge batch dims);
anything else loops over the batch with a performance warning.
"""
import warnings

import numpy as np

from .._tensor import Tensor
from .._ops._linalg import matmul
from ._vmap import _RANDOM, BatchedTensor, _levels, level_size

EW = frozenset((
    "add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide", "floor_divide", "remainder",
    "fmod", "pow", "float_power", "square", "atan2", "arctan2", "maximum", "minimum", "fmax", "fmin", "neg",
    "negative", "abs", "absolute", "sign", "floor", "ceil", "trunc", "fix", "frac", "round", "exp", "exp2", "expm1",
    "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "asin", "acos", "atan",
    "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "sigmoid", "relu", "clamp", "clip", "clamp_min",
    "clamp_max", "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
    "bitwise_not", "isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal", "signbit", "isclose", "where",
    "masked_fill", "lerp", "addcmul", "addcdiv", "clone", "detach", "contiguous", "to", "float", "double", "half",
    "long", "int", "bool", "type", "type_as", "zeros_like", "ones_like", "full_like", "empty_like", "tril", "triu",
    "gelu", "silu", "elu", "leaky_relu", "softplus", "hardtanh", "relu6", "selu", "celu", "mish", "softsign",
    "tanhshrink", "logsigmoid", "hardsigmoid", "hardswish", "one_hot", "embedding", "layer_norm",
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__",
    "__pow__", "__rpow__", "__neg__", "__abs__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__",
    "__and__", "__or__", "__xor__", "__invert__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__",
    ))
# leading-dims-agnostic only in their first argument (others must be unbatched)
FIRST_ONLY = frozenset(("tril", "triu", "one_hot", "embedding", "layer_norm"))

ALL, FLAT, IMPLICIT, SIZE1, REQ = "all", "flat", "implicit", "size1", "req"
# name: ((position, keyword, default), ...) for the dim arguments; extra = logical rank added by the op
DIMS = {
    "sum": ((1, "dim", ALL),), "mean": ((1, "dim", ALL),), "nansum": ((1, "dim", ALL),),
    "nanmean": ((1, "dim", ALL),), "amax": ((1, "dim", ALL),), "amin": ((1, "dim", ALL),),
    "std": ((1, "dim", ALL),), "var": ((1, "dim", ALL),), "logsumexp": ((1, "dim", REQ),),
    "norm": ((2, "dim", ALL),), "count_nonzero": ((1, "dim", ALL),),
    "prod": ((1, "dim", FLAT),), "argmax": ((1, "dim", FLAT),), "argmin": ((1, "dim", FLAT),),
    "max": ((1, "dim", FLAT),), "min": ((1, "dim", FLAT),), "all": ((1, "dim", FLAT),), "any": ((1, "dim", FLAT),),
    "softmax": ((1, "dim", IMPLICIT),), "log_softmax": ((1, "dim", IMPLICIT),), "softmin": ((1, "dim", IMPLICIT),),
    "cumsum": ((1, "dim", REQ),), "cumprod": ((1, "dim", REQ),), "flip": ((1, "dims", REQ),),
    "roll": ((2, "dims", REQ),), "squeeze": ((1, "dim", SIZE1),), "select": ((1, "dim", REQ),),
    "narrow": ((1, "dim", REQ),), "index_select": ((1, "dim", REQ),), "split": ((2, "dim", 0),),
    "chunk": ((2, "dim", 0),), "unbind": ((1, "dim", 0),), "transpose": ((1, "dim0", REQ), (2, "dim1", REQ)),
    "swapaxes": ((1, "axis0", REQ), (2, "axis1", REQ)), "swapdims": ((1, "dim0", REQ), (2, "dim1", REQ)),
    "movedim": ((1, "source", REQ), (2, "destination", REQ)), "moveaxis": ((1, "source", REQ), (2, "destination", REQ)),
    "diagonal": ((2, "dim1", 0), (3, "dim2", 1)), "flatten": ((1, "start_dim", 0), (2, "end_dim", -1)),
    "unflatten": ((1, "dim", REQ),), "normalize": ((2, "dim", 1),), "gather": ((1, "dim", REQ),),
    "take_along_dim": ((2, "dim", FLAT),), "cosine_similarity": ((2, "dim", 1),),
}
EXTRA = {"unsqueeze": 1}
CAT = {"cat": 0, "concat": 0, "concatenate": 0, "stack": 1}
LOSS = frozenset(("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
                  "binary_cross_entropy_with_logits", "kl_div"))
SPATIAL = {"conv1d": 2, "conv2d": 3, "conv3d": 4, "max_pool1d": 2, "max_pool2d": 3, "max_pool3d": 4,
           "avg_pool1d": 2, "avg_pool2d": 3, "adaptive_avg_pool1d": 2, "adaptive_avg_pool2d": 3}
_warned = set()


# ----------------------------------------------------------------- helpers
def _is_b(x):
    return type(x) is BatchedTensor


def _union(xs):
    lv = set()
    for x in xs:
        if _is_b(x):
            lv.update(x._lv)
    return tuple(sorted(lv))


def _align(x, lvls, nd, full=False):
    """Physical tensor of ``x`` with dims for all ``lvls`` (size 1 where absent, or the batch size if ``full``)
    and its logical rank padded to ``nd``."""
    if _is_b(x):
        p, have = x._p, x._lv
        if have == lvls and p._data.ndim - len(have) == nd:
            return p  # batched at exactly these levels, logical rank already nd: nothing to insert or expand
        logical = tuple(x.shape)
    else:
        p, have, logical = x, (), tuple(x.shape)
    shape, src = [], 0
    for lv in lvls:
        if lv in have:
            shape.append(p.shape[src])
            src += 1
        else:
            shape.append(1)
    shape += [1] * (nd - len(logical)) + list(logical)
    if tuple(shape) != tuple(p.shape):
        p = p.reshape(shape)
    if full:
        sizes = tuple(level_size(lv) for lv in lvls)
        if tuple(p.shape[:len(lvls)]) != sizes:
            p = p.expand(*sizes, *p.shape[len(lvls):])
    return p


def _wrap(r, lvls):
    if isinstance(r, Tensor):
        return BatchedTensor(r, lvls) if lvls else r
    if isinstance(r, tuple):
        vals = [_wrap(v, lvls) for v in r]
        return tuple(vals) if type(r) is tuple else type(r)(*vals)
    if isinstance(r, list):
        return [_wrap(v, lvls) for v in r]
    return r


def _orig(name, orig):
    return orig if orig is not None else getattr(Tensor, name)


def _tensors(args, kwargs):
    out = []
    for a in list(args) + list(kwargs.values()):
        if isinstance(a, (Tensor, BatchedTensor)):
            out.append(a)
        elif type(a) in (list, tuple):
            out += [x for x in a if isinstance(x, (Tensor, BatchedTensor))]
    return out


# ------------------------------------------------------------------- rules
def _ew(name, orig, args, kwargs, full=False):
    ts = _tensors(args, kwargs)
    lvls = _union(ts)
    nd = max(t.dim() for t in ts)

    def conv(a):
        return _align(a, lvls, nd, full) if isinstance(a, (Tensor, BatchedTensor)) else a
    return _wrap(_orig(name, orig)(*[conv(a) for a in args], **{k: conv(v) for k, v in kwargs.items()}), lvls)


def _first_only(name, orig, args, kwargs):
    x = args[0]
    if any(_is_b(t) for t in _tensors(args[1:], kwargs)):
        return fallback(name, orig, args, kwargs)
    return _wrap(_orig(name, orig)(x._p, *args[1:], **kwargs), x._lv)


def _shift(d, nd, nb):
    if isinstance(d, (tuple, list)):
        return tuple(_shift(v, nd, nb) for v in d)
    if not -nd <= d < max(nd, 1):
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(nd, 1)}, {max(nd, 1) - 1}], "
                         f"but got {d})")
    return d % max(nd, 1) + nb


def _dims(name, orig, args, kwargs):
    x = args[0]
    others = _tensors(args[1:], kwargs)
    lvls = _union([x] + others)
    if any(_is_b(t) for t in others):
        if name not in ("gather", "take_along_dim", "index_select"):
            return fallback(name, orig, args, kwargs)
    if x.dim() == 0:   # PyTorch's 0-d dim conventions: loop rather than emulate
        return fallback(name, orig, args, kwargs)
    nb, nd = len(lvls), x.dim() + EXTRA.get(name, 0)
    args, kwargs = list(args), dict(kwargs)
    flat_minmax = False
    p = _align(x, lvls, x.dim(), full=bool(others and name != "index_select"))
    for pos, kw, default in DIMS.get(name, ((1, "dim", REQ),)):
        if kw in kwargs:
            where, val = ("k", kw), kwargs[kw]
        elif len(args) > pos:
            where, val = ("a", pos), args[pos]
        else:
            where, val = ("k", kw), None if not isinstance(default, int) else default
        if val is None:
            if default == ALL:
                val = tuple(range(nd)) if nd else None
            elif default == FLAT:
                if name in ("max", "min") and len(args) > 1 and isinstance(args[1], (Tensor, BatchedTensor)):
                    return _ew(name, orig, args, kwargs)
                p = p.reshape(*p.shape[:nb], -1)
                nd, val = 1, 0
                flat_minmax = name in ("max", "min")
            elif default == IMPLICIT:
                val = 0 if x.dim() in (0, 1, 3) else 1
            elif default == SIZE1:
                val = tuple(i for i, s in enumerate(x.shape) if s == 1)
            elif default == REQ:
                return fallback(name, orig, args, kwargs)
        if val is not None:
            val = _shift(val, nd, nb)
        if where[0] == "k":
            kwargs[where[1]] = val
        else:
            args[where[1]] = val
    args[0] = p
    for i in range(1, len(args)):
        if isinstance(args[i], (Tensor, BatchedTensor)):
            args[i] = args[i]._p if name == "index_select" and _is_b(args[i]) else \
                _align(args[i], lvls, args[i].dim(), full=True) if name != "index_select" else args[i]
    if name == "index_select" and _is_b(args[-1]):
        return fallback(name, orig, args, kwargs)
    r = _orig(name, orig)(*args, **kwargs)
    return _wrap(r[0] if flat_minmax else r, lvls)


def _cat(name, orig, args, kwargs):
    seq = list(args[0])
    if any(tuple(t.shape) == (0,) for t in seq):   # legacy empty operands
        return fallback(name, orig, args, kwargs)
    lvls = _union(seq)
    d = kwargs.pop("dim", args[1] if len(args) > 1 else 0)
    nd = max(t.dim() for t in seq) + CAT[name]
    phys = [_align(t, lvls, t.dim(), full=True) for t in seq]
    return _wrap(_orig(name, orig)(phys, _shift(d, nd, len(lvls)), **kwargs), lvls)


def _sizes(args):
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def _shape_op(name, orig, args, kwargs):
    x = args[0]
    lv, nb = x._lv, len(x._lv)
    p = x._p
    bs = tuple(p.shape[:nb])
    if name in ("reshape", "view"):
        return BatchedTensor(p.reshape(*bs, *_sizes(args[1:] or (kwargs.get("shape"),))), lv)
    if name in ("view_as", "reshape_as", "expand_as"):
        other = args[1]
        return _shape_op("reshape" if name != "expand_as" else "expand", None, (x, tuple(other.shape)), {})
    if name in ("expand", "broadcast_to"):
        sizes = _sizes(args[1:] or (kwargs.get("size"),))
        return BatchedTensor(_align(x, lv, len(sizes)).expand(*bs, *sizes), lv)
    if name == "repeat":
        sizes = _sizes(args[1:])
        return BatchedTensor(_align(x, lv, len(sizes)).repeat(*((1,) * nb + sizes)), lv)
    if name == "permute":
        dims = _sizes(args[1:] or (kwargs.get("dims"),))
        return BatchedTensor(p.permute(*range(nb), *_shift(dims, x.dim(), nb)), lv)
    if name == "t":
        return x if x.dim() < 2 else BatchedTensor(p.transpose(-2, -1), lv)
    if name == "unsqueeze":
        d = args[1] if len(args) > 1 else kwargs["dim"]
        return BatchedTensor(p.unsqueeze(_shift(d, x.dim() + 1, nb)), lv)
    if name == "ravel":
        return BatchedTensor(p.reshape(*bs, -1), lv)
    raise AssertionError(name)


def _getitem(name, orig, args, kwargs):
    x, idx = args
    idx = idx if isinstance(idx, tuple) else (idx,)
    if any(not (i is None or i is Ellipsis or isinstance(i, (int, slice))) or isinstance(i, bool) for i in idx):
        return fallback(name, orig, args, kwargs)
    return BatchedTensor(x._p[(slice(None),) * len(x._lv) + idx], x._lv)


def _matmul(name, orig, args, kwargs):
    a, b = (args[1], args[0]) if name == "__rmatmul__" else (args[0], args[1])
    lvls = _union([a, b])
    a1, b1 = a.dim() == 1, b.dim() == 1
    pa = _align(a, lvls, a.dim())
    pb = _align(b, lvls, b.dim())
    if a1:
        pa = pa.unsqueeze(-2)
    if b1:
        pb = pb.unsqueeze(-1)
    nd = max(a.dim() + a1, b.dim() + b1)
    # pad the logical dims of the lower-rank operand (a same-shape reshape would only add a node)
    if nd > a.dim() + a1:
        pa = pa.reshape(*pa.shape[:len(lvls)], *([1] * (nd - a.dim() - a1)), *pa.shape[len(lvls):])
    if nd > b.dim() + b1:
        pb = pb.reshape(*pb.shape[:len(lvls)], *([1] * (nd - b.dim() - b1)), *pb.shape[len(lvls):])
    r = matmul(pa, pb)
    if b1:
        r = r.squeeze(-1)
    if a1:
        r = r.squeeze(-1 if b1 else -2)
    return _wrap(r, lvls)


def _linear(name, orig, args, kwargs):
    x, w = args[0], args[1]
    bias = args[2] if len(args) > 2 else kwargs.get("bias")
    wt = w.t() if not _is_b(w) else BatchedTensor(w._p.transpose(-2, -1), w._lv)
    r = _matmul("matmul", None, (x, wt), {})
    return r if bias is None else _ew("add", None, (r, bias), {})


def _masked_fill(name, orig, args, kwargs):
    x, mask, value = (list(args) + [kwargs.get("mask"), kwargs.get("value")])[:3] if len(args) < 3 else args
    if _is_b(value):
        from .._ops._index import where
        return _ew("where", where, (mask, value, x), {})
    return _ew(name, orig, args, kwargs)


def _outer(name, orig, args, kwargs):
    a, b = args
    return _ew("mul", None, (_unsq(a, -1), _unsq(b, 0)), {})


def _unsq(x, d):
    return _shape_op("unsqueeze", None, (x, d), {}) if _is_b(x) else x.unsqueeze(d)


def _loss(name, orig, args, kwargs):
    kwargs = dict(kwargs)
    red = kwargs.pop("reduction", "mean")
    if "size_average" in kwargs or "reduce" in kwargs or red not in ("mean", "sum", "none"):
        return fallback(name, orig, args, kwargs)
    ts = _tensors(args, kwargs)
    lvls = _union(ts)
    nd = max(t.dim() for t in ts)

    def conv(a):
        return _align(a, lvls, nd, True) if isinstance(a, (Tensor, BatchedTensor)) else a
    r = _orig(name, orig)(*[conv(a) for a in args], reduction="none", **{k: conv(v) for k, v in kwargs.items()})
    if red != "none" and nd:
        dims = tuple(range(len(lvls), len(lvls) + nd))
        r = r.mean(dims) if red == "mean" else r.sum(dims)
    return _wrap(r, lvls)


def _class_loss(name, orig, args, kwargs):
    kwargs = dict(kwargs)
    x, t = args[0], args[1] if len(args) > 1 else kwargs.pop("target")
    red = kwargs.pop("reduction", "mean")
    if len(args) > 2 or kwargs.get("weight") is not None or red not in ("mean", "sum", "none") or \
            kwargs.get("label_smoothing", 0.0) or t.dtype.is_floating_point:
        return fallback(name, orig, args, kwargs)
    lvls = _union([x, t])
    px, pt = _align(x, lvls, x.dim(), True), _align(t, lvls, t.dim(), True)
    nb = len(lvls)
    bs = tuple(px.shape[:nb])
    if x.dim() == 1:
        r = _orig(name, orig)(px.reshape(-1, x.shape[0]), pt.reshape(-1), reduction="none", **kwargs)
        return _wrap(r.reshape(bs), lvls)
    if (pt._data == kwargs.get("ignore_index", -100)).any():  # on the array: a check, not an op
        return fallback(name, orig, args, kwargs)
    n = x.shape[0]
    r = _orig(name, orig)(px.reshape(-1, *x.shape[1:]), pt.reshape(-1, *t.shape[1:]), reduction="none", **kwargs)
    r = r.reshape(*bs, n, *r.shape[1:])
    if red != "none":
        dims = tuple(range(nb, r.dim()))
        r = r.mean(dims) if red == "mean" else r.sum(dims)
    return _wrap(r, lvls)


def _spatial(name, orig, args, kwargs):
    x = args[0]
    if not _is_b(x) or any(_is_b(t) for t in _tensors(args[1:], kwargs)) or kwargs.get("return_indices"):
        return fallback(name, orig, args, kwargs)
    k = SPATIAL[name]
    p = x._p
    lead = tuple(p.shape[:p.dim() - k])
    r = _orig(name, orig)(p.reshape(-1, *p.shape[p.dim() - k:]), *args[1:], **kwargs)
    return BatchedTensor(r.reshape(*lead, *r.shape[1:]), x._lv)


_SHAPE = frozenset(("reshape", "view", "view_as", "reshape_as", "expand_as", "expand", "broadcast_to", "repeat",
                    "permute", "t", "unsqueeze", "ravel"))
_RULES = {"__getitem__": _getitem, "matmul": _matmul, "__matmul__": _matmul, "__rmatmul__": _matmul,
          "mm": _matmul, "bmm": _matmul, "mv": _matmul, "dot": _matmul, "inner": _matmul, "vdot": _matmul, "linear": _linear,
          "outer": _outer, "ger": _outer, "masked_fill": _masked_fill, "cross_entropy": _class_loss, "nll_loss": _class_loss}


def run(name, orig, args, kwargs):
    if name in _RANDOM:
        return random_op(name, orig, args, kwargs)
    if name in _RULES:
        return _RULES[name](name, orig, args, kwargs)
    if name in FIRST_ONLY:
        return _first_only(name, orig, args, kwargs)
    if name in EW:
        return _ew(name, orig, args, kwargs)
    if name in _SHAPE:
        return _shape_op(name, orig, args, kwargs) if _is_b(args[0]) else fallback(name, orig, args, kwargs)
    if name in CAT:
        return _cat(name, orig, args, kwargs)
    if name in DIMS or name in EXTRA:
        if not _is_b(args[0]):
            return fallback(name, orig, args, kwargs)
        return _shape_op(name, orig, args, kwargs) if name == "unsqueeze" else _dims(name, orig, args, kwargs)
    if name in LOSS:
        return _loss(name, orig, args, kwargs)
    if name in SPATIAL:
        return _spatial(name, orig, args, kwargs)
    return fallback(name, orig, args, kwargs)


# ---------------------------------------------------------------- fallback
def fallback(name, orig, args, kwargs):
    """Loops over the batch for an op without a batching rule (warns once per op)."""
    from .._ops._join import stack
    if name not in _warned:
        _warned.add(name)
        warnings.warn(f"There is a performance drop because we have not yet implemented the batching rule for "
                      f"{name}. Please file us an issue on GitHub so that we can prioritize its implementation.",
                      UserWarning, stacklevel=4)
    f = _orig(name, orig)
    lvls = _union(_tensors(args, kwargs))
    sizes = tuple(level_size(lv) for lv in lvls)

    def pick(a, ix):
        if _is_b(a):
            return a._p[tuple(ix[lvls.index(lv)] for lv in a._lv)]
        if type(a) in (list, tuple) and any(_is_b(v) for v in a):
            return type(a)(pick(v, ix) for v in a)
        return a
    results = [f(*[pick(a, ix) for a in args], **{k: pick(v, ix) for k, v in kwargs.items()})
               for ix in np.ndindex(*sizes)]
    return _restack(results, sizes, lvls, stack)


def _restack(results, sizes, lvls, stack):
    first = results[0]
    if isinstance(first, Tensor):
        s = stack(results)
        return BatchedTensor(s.reshape(*sizes, *s.shape[1:]), lvls)
    if isinstance(first, (tuple, list)):
        vals = [_restack([r[i] for r in results], sizes, lvls, stack) for i in range(len(first))]
        return type(first)(vals) if type(first) in (tuple, list) else type(first)(*vals)
    return first


def random_op(name, orig, args, kwargs):
    """Random ops under vmap's ``randomness`` flag ('error', 'different', 'same')."""
    mode = "error" if any(m == "error" for _, _, m in _levels) else _levels[-1][2]
    if mode == "error":
        raise RuntimeError("vmap: called random operation while in randomness error mode. Please either use the "
                           "'same' or 'different' randomness flags on vmap or perform the randomness operation out "
                           "of vmap")
    f = _orig(name, orig)
    ts = _tensors(args, kwargs)
    batched = [t for t in ts if _is_b(t)]
    if mode == "same":
        if not batched:
            return f(*args, **kwargs)
        if name.endswith("_like"):
            return f(*[a._p[(0,) * len(a._lv)] if _is_b(a) else a for a in args], **kwargs)
        if name.startswith("dropout"):
            from .._creation import ones_like
            x = args[0]
            mask = f(ones_like(x._p[(0,) * len(x._lv)]), *args[1:], **kwargs)
            return _ew("mul", None, (x, mask), {})
        return fallback(name, orig, args, kwargs)
    if batched:
        return _ew(name, orig, args, kwargs, full=True)
    lvls = tuple(lv for lv, _, _ in _levels)
    sizes = tuple(n for _, n, _ in _levels)
    from .._ops._join import stack
    return _restack([f(*args, **kwargs) for _ in range(int(np.prod(sizes)))], sizes, lvls, stack)
