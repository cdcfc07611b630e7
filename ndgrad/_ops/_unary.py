"""Elementwise functions of one tensor (exp, log, trig, sigmoid, relu, clamp, rounding ...):
kernels, VJP rules and the table entries, then the public functions."""
import math

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ._core import defop
from ._dispatch import _to_out, either, masked, out_array, pyscalar, result_dtype, unary, where_for
from ._lane import unary_lane


# ------------------------------------------------------------ rules (VJP)
def _neg_vjp(ctx, g):
    return (-g,)


def _zero_vjp(ctx, g):
    return (g * 0,)


# rules that call a function run it through either(): ndgrad's on tensors, NumPy's in array rules
def _abs_vjp(ctx, g):
    x, = ctx.saved
    return (g * either(x, sign, np.sign),)


def _exp_vjp(ctx, g):
    out, = ctx.saved
    return (g * out,)


def _exp2_vjp(ctx, g):
    out, = ctx.saved
    return (g * out * math.log(2.0),)


def _expm1_vjp(ctx, g):
    out, = ctx.saved
    return (g * (out + 1),)


def _log_vjp(ctx, g):
    x, = ctx.saved
    return (g / x,)


def _log2_vjp(ctx, g):
    x, = ctx.saved
    return (g / (x * math.log(2.0)),)


def _log10_vjp(ctx, g):
    x, = ctx.saved
    return (g / (x * math.log(10.0)),)


def _log1p_vjp(ctx, g):
    x, = ctx.saved
    return (g / (x + 1),)


def _sqrt_vjp(ctx, g):
    out, = ctx.saved
    return (g / (out * 2),)


def _rsqrt_vjp(ctx, g):
    out, = ctx.saved
    return (g * (out * out * out) * -0.5,)


def _reciprocal_vjp(ctx, g):
    out, = ctx.saved
    return (-g * out * out,)


def _sin_vjp(ctx, g):
    x, = ctx.saved
    return (g * either(x, cos, np.cos),)


def _cos_vjp(ctx, g):
    x, = ctx.saved
    return (-g * either(x, sin, np.sin),)


def _tan_vjp(ctx, g):
    out, = ctx.saved
    return (g * (out * out + 1),)


def _asin_vjp(ctx, g):
    x, = ctx.saved
    return (g * rsqrt(1 - x * x),)


def _acos_vjp(ctx, g):
    x, = ctx.saved
    return (-g * rsqrt(1 - x * x),)


def _atan_vjp(ctx, g):
    x, = ctx.saved
    return (g / (x * x + 1),)


def _sinh_vjp(ctx, g):
    x, = ctx.saved
    return (g * either(x, cosh, np.cosh),)


def _cosh_vjp(ctx, g):
    x, = ctx.saved
    return (g * either(x, sinh, np.sinh),)


def _tanh_vjp(ctx, g):
    out, = ctx.saved
    return (g * (1 - out * out),)


def _sigmoid_vjp(ctx, g):
    out, = ctx.saved
    return (g * out * (1 - out),)


def _relu_vjp(ctx, g):
    # where, not g * mask: an inf/nan gradient gives 0 where the input was cut off (PyTorch's threshold_backward)
    out, = ctx.saved
    return (where_for(g)(out > 0, g, 0.0),)


def _relu_avjp(ctx, g):  # _relu_vjp on arrays
    out, = ctx.saved
    return (masked(out > 0, g),)


def _clamp_vjp(ctx, g):
    x, = ctx.saved
    lo, hi = ctx._params
    m = None
    if lo is not None:
        m = x >= lo
    if hi is not None:
        m = (x <= hi) if m is None else m & (x <= hi)
    return (where_for(g)(m, g, 0.0) if m is not None else g,)


def _clamp_t_vjp(ctx, g):  # also the array rule
    x, lo, hi = ctx.saved
    n = ctx._needs
    where = where_for(g)
    inside = None
    glo = ghi = None
    if lo is not None:
        inside = x >= lo
        if n[1]:
            glo = where(x < lo, g, 0.0)
    if hi is not None:
        inside = (x <= hi) if inside is None else inside & (x <= hi)
        if n[2]:
            ghi = where(x > hi, g, 0.0)
    gx = (where(inside, g, 0.0) if inside is not None else g) if n[0] else None
    return gx, glo, ghi


# ----------------------------------------------------------------- kernels
def _quiet_state():
    """NumPy's error-state context variable and its 'ignore divide/invalid/over' value.

    ``np.errstate`` costs ~2 us a call (more than a scalar kernel); setting the
    context variable directly costs ~0.2 us. Falls back to ``np.errstate`` if
    NumPy's internals differ."""
    try:
        from numpy._core import _ufunc_config
        cv = _ufunc_config._extobj_contextvar
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            quiet = cv.get()
        return cv, quiet
    except (ImportError, AttributeError):
        return None, None


_ERR_CV, _ERR_QUIET = _quiet_state()


def _quiet(f):
    if _ERR_CV is None:
        def k(*a):
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                return f(*a)
    else:
        cv_set, cv_reset, quiet = _ERR_CV.set, _ERR_CV.reset, _ERR_QUIET

        def k(*a):
            tok = cv_set(quiet)
            try:
                return f(*a)
            finally:
                cv_reset(tok)
    k.__name__ = getattr(f, "__name__", "kernel")
    if isinstance(f, np.ufunc):  # for the op table's multi-core path (ndgrad/_parallel.py)
        k._ufunc = f
        k._quiet = _quiet
    return k


def _sigmoid_raw(x):
    # exp(-x) overflows to inf for x < -88 (float32): 1 / inf = 0, as in PyTorch (quietly, see _quiet)
    return 1.0 / (1.0 + np.exp(-x))


def _bound(f, b, x):
    """``f(b, x)``: np.maximum for a lower bound, np.minimum for an upper one. A float bound is filled into
    an array of ``x``'s shape first: NumPy's loop over two arrays is vectorized, over an array and a scalar
    it is not (relu on 128x256 float32: 4.5 µs against 13). The bound goes first because NumPy's vectorized
    float32/float64 loops then keep ``x`` on a tie, as PyTorch does (relu(-0.0) is -0.0)."""
    if x.ndim and x.dtype.kind == "f" and type(b) is not np.ndarray:
        out = np.zeros(x.shape, x.dtype) if b == 0 and math.copysign(1, b) > 0 else np.full(x.shape, b, x.dtype)
        return f(out, x, out=out)
    return f(b, x)


def _relu_kernel(x):
    return _bound(np.maximum, 0, x) if x.dtype.kind != "b" else x.copy()


def _rsqrt_kernel(x):
    with np.errstate(divide="ignore"):
        return 1.0 / np.sqrt(x)


def _clamp_kernel(x, lo, hi):
    if lo is not None:
        x = _bound(np.maximum, lo, x)
    return x if hi is None else _bound(np.minimum, hi, x)


def _clamp_t_kernel(x, lo, hi):
    return _clamp_kernel(x, lo, hi)


def _round_kernel(x, decimals=0):
    return np.round(x, decimals) if x.dtype.kind == "f" else x.copy()


def _intsafe(f):
    def k(x):
        return f(x) if x.dtype.kind == "f" else x.copy()
    return k


# ------------------------------------------------------------------ table
ROUND_DEC = defop("round_decimals", _round_kernel, _zero_vjp, node="RoundBackward1")
NEG = defop("neg", np.negative, _neg_vjp, avjp=True)
ABS = defop("abs", np.abs, _abs_vjp, save=(0,), avjp=True)
SIGN = defop("sign", np.sign, _zero_vjp, avjp=True)
FLOOR = defop("floor", _intsafe(np.floor), _zero_vjp, avjp=True)
CEIL = defop("ceil", _intsafe(np.ceil), _zero_vjp, avjp=True)
TRUNC = defop("trunc", _intsafe(np.trunc), _zero_vjp, avjp=True)
ROUND = defop("round", _round_kernel, _zero_vjp, avjp=True)
ZERO = defop("zero", np.zeros_like, _zero_vjp)  # zero_() on a tensor in the graph: ZeroBackward0
FRAC = defop("frac", lambda x: x - np.trunc(x), lambda ctx, g: (g,))
EXP = defop("exp", _quiet(np.exp), _exp_vjp, save=("out",), avjp=True)
EXP2 = defop("exp2", _quiet(np.exp2), _exp2_vjp, save=("out",), avjp=True)
EXPM1 = defop("expm1", _quiet(np.expm1), _expm1_vjp, save=("out",), avjp=True)
LOG = defop("log", _quiet(np.log), _log_vjp, save=(0,), avjp=True)
LOG2 = defop("log2", _quiet(np.log2), _log2_vjp, save=(0,), avjp=True)
LOG10 = defop("log10", _quiet(np.log10), _log10_vjp, save=(0,), avjp=True)
LOG1P = defop("log1p", _quiet(np.log1p), _log1p_vjp, node="Log1PBackward0", save=(0,), avjp=True)
SQRT = defop("sqrt", _quiet(np.sqrt), _sqrt_vjp, save=("out",), avjp=True)
RSQRT = defop("rsqrt", _quiet(_rsqrt_kernel), _rsqrt_vjp, save=("out",), avjp=True)
RECIPROCAL = defop("reciprocal", _quiet(np.reciprocal), _reciprocal_vjp, save=("out",), avjp=True)
SIN = defop("sin", np.sin, _sin_vjp, save=(0,), avjp=True)
COS = defop("cos", np.cos, _cos_vjp, save=(0,), avjp=True)
TAN = defop("tan", np.tan, _tan_vjp, save=("out",), avjp=True)
ASIN = defop("asin", _quiet(np.arcsin), _asin_vjp, save=(0,))
ACOS = defop("acos", _quiet(np.arccos), _acos_vjp, save=(0,))
ATAN = defop("atan", np.arctan, _atan_vjp, save=(0,), avjp=True)
SINH = defop("sinh", _quiet(np.sinh), _sinh_vjp, save=(0,), avjp=True)
COSH = defop("cosh", _quiet(np.cosh), _cosh_vjp, save=(0,), avjp=True)
TANH = defop("tanh", np.tanh, _tanh_vjp, save=("out",), avjp=True)
_sigmoid_kernel = _quiet(_sigmoid_raw)
SIGMOID = defop("sigmoid", _sigmoid_kernel, _sigmoid_vjp, save=("out",), avjp=True)
RELU = defop("relu", _relu_kernel, _relu_vjp, save=("out",), avjp=_relu_avjp)
CLAMP = defop("clamp", _clamp_kernel, _clamp_vjp, node="ClampBackward1", save=(0,), avjp=True)
CLAMP_T = defop("clamp_tensor", _clamp_t_kernel, _clamp_t_vjp, node="ClampBackward0", save=(0, 1, 2),
                 avjp=True)


# ------------------------------------------------------- public functions
def _u(op, floating=False):
    def f(input, *, out=None):
        if out is not None:
            return _to_out(f(input), out)
        return unary(op, input, (), floating)
    f.__name__ = op.name
    f.__qualname__ = op.name
    f.__doc__ = f"Elementwise ``{op.name}``."
    return unary_lane(op, f)  # the float32/float64 case in one frame (see _lane)


neg = _u(NEG)
negative = neg
abs = _u(ABS)
absolute = abs
sign = _u(SIGN)
floor = _u(FLOOR)
ceil = _u(CEIL)
trunc = _u(TRUNC)
fix = trunc
frac = _u(FRAC)
exp = _u(EXP, True)
exp2 = _u(EXP2, True)
expm1 = _u(EXPM1, True)
log = _u(LOG, True)
log2 = _u(LOG2, True)
log10 = _u(LOG10, True)
log1p = _u(LOG1P, True)
sqrt = _u(SQRT, True)
rsqrt = _u(RSQRT, True)
reciprocal = _u(RECIPROCAL, True)
sin = _u(SIN, True)
cos = _u(COS, True)
tan = _u(TAN, True)
asin = _u(ASIN, True)
acos = _u(ACOS, True)
atan = _u(ATAN, True)
arcsin, arccos, arctan = asin, acos, atan
sinh = _u(SINH, True)
cosh = _u(COSH, True)
tanh = _u(TANH, True)
sigmoid = _u(SIGMOID, True)
relu = _u(RELU)


def round(input, *, decimals=0):
    return unary(ROUND_DEC, input, (decimals,)) if decimals else unary(ROUND, input)


def clamp(input, min=None, max=None, *, out=None):
    """Limits values to [min, max]."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        from ._dispatch import as_tensor_arg
        lo = min if min is None else as_tensor_arg(min, input)
        hi = max if max is None else as_tensor_arg(max, input)
        rt = result_dtype(*(x for x in (input, lo, hi) if x is not None)).np
        arrs = [x._data.astype(rt, copy=False) if x is not None else None for x in (input, lo, hi)]
        t = _wrap(out_array(_clamp_kernel(*arrs), rt))
        from ._core import needs_grad, record
        if needs_grad(input, lo, hi):
            record(CLAMP_T, t, (input, lo, hi))
        return t
    lo, hi = pyscalar(min), pyscalar(max)
    d = input._data
    if d.dtype.kind == "u":  # PyTorch casts the bounds to the unsigned dtype (-1 -> 255); NumPy 2 raises
        from ._dispatch import _wrap_unsigned
        lo = lo if lo is None else _wrap_unsigned(lo, d.dtype)
        hi = hi if hi is None else _wrap_unsigned(hi, d.dtype)
    if d.dtype.kind in "iub" and (type(lo) is float or type(hi) is float):
        input = input.to(D._defaults.float)
    return unary(CLAMP, input, (lo, hi))


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


METHODS = {
    "neg": neg, "negative": neg, "abs": abs, "absolute": abs, "sign": sign, "floor": floor, "ceil": ceil,
    "trunc": trunc, "fix": trunc, "frac": frac, "round": round, "exp": exp, "exp2": exp2, "expm1": expm1,
    "log": log, "log2": log2, "log10": log10, "log1p": log1p, "sqrt": sqrt, "rsqrt": rsqrt,
    "reciprocal": reciprocal, "sin": sin, "cos": cos, "tan": tan, "asin": asin, "acos": acos, "atan": atan,
    "arcsin": asin, "arccos": acos, "arctan": atan, "sinh": sinh, "cosh": cosh, "tanh": tanh,
    "sigmoid": sigmoid, "relu": relu, "clamp": clamp, "clip": clamp, "clamp_min": clamp_min,
    "clamp_max": clamp_max,
}
# in-place variants (exp_ ...) are generated by ndgrad._ops._inplace
INPLACE = ("neg", "negative", "abs", "absolute", "sign", "floor", "ceil", "trunc", "fix", "frac", "round",
           "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "sin",
           "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
           "sigmoid", "relu", "clamp", "clip", "clamp_min", "clamp_max")
