"""Elementwise ops: the table (kernel, node, saves, VJP, JVP) and the public functions."""
import math

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ._core import _fw, _state, defop, needs_grad, record
from ._dispatch import binary, compare, unary, operands, out_array, pyscalar, result_dtype

# ----------------------------------------------------------------- helpers


def _zeros(ctx, i):
    shape, npd = ctx._meta[i]
    return _wrap(np.zeros(shape, dtype=npd))


def _sel(needs, *gs):
    return tuple(g if n else None for g, n in zip(gs, needs))


# ------------------------------------------------------------ rules (VJP)
# Each rule: (ctx, grad) -> tuple of input grads (None where not needed).
# Shapes may be broadcast: the engine reduces to each input's shape.

def _add_vjp(ctx, g):
    alpha, = ctx._params or (1,)
    n = ctx._needs
    return (g if n[0] else None, (g if alpha == 1 else g * alpha) if n[1] else None)


def _sub_vjp(ctx, g):
    alpha, = ctx._params or (1,)
    n = ctx._needs
    return (g if n[0] else None, (-g if alpha == 1 else g * -alpha) if n[1] else None)


def _rsub_vjp(ctx, g):
    # rsub(a, b, alpha) = b - alpha * a
    alpha, = ctx._params or (1,)
    n = ctx._needs
    return ((-g if alpha == 1 else g * -alpha) if n[0] else None, g if n[1] else None)


def _mul_vjp(ctx, g):
    a, b = ctx.saved
    n = ctx._needs
    return (g * b if n[0] else None, g * a if n[1] else None)


def _div_vjp(ctx, g):
    a, b = ctx.saved
    n = ctx._needs
    return (g / b if n[0] else None, -g * a / (b * b) if n[1] else None)


def _div_mode_vjp(ctx, g):
    return tuple(_zeros(ctx, i) if n else None for i, n in enumerate(ctx._needs))


def _pow_vjp(ctx, g):
    # pow(tensor, scalar)
    x, e = ctx.saved
    if e == 0:
        return (g * 0,)
    if e == 2:
        return (g * (x * 2),)
    return (g * (e * pow(x, e - 1)),)


def _pow_tt_vjp(ctx, g):
    x, e, out = ctx.saved
    n = ctx._needs
    gx = ge = None
    if n[0]:
        gx = g * (e * pow(x, e - 1))
    if n[1]:
        from ._index import where
        gx_mask = (x == 0) & (e >= 0)
        ge = where(gx_mask, 0.0, g * out * log(x))
    return gx, ge


def _rpow_vjp(ctx, g):
    # pow(scalar, tensor): d/de base**e = base**e * log(base)
    base, out = ctx.saved
    if base == 0:
        from ._index import where
        return (where(out == 0, 0.0, g * out * math.log(base) if base > 0 else g * math.nan),)
    return (g * out * math.log(base),)


def _atan2_vjp(ctx, g):
    a, b = ctx.saved
    n = ctx._needs
    denom = a * a + b * b
    return (g * b / denom if n[0] else None, -g * a / denom if n[1] else None)


def _maximum_vjp(ctx, g):
    a, b = ctx.saved
    n = ctx._needs
    from ._index import where
    half = g / 2
    ga = where(a > b, g, where(a == b, half, 0.0)) if n[0] else None
    gb = where(b > a, g, where(a == b, half, 0.0)) if n[1] else None
    return ga, gb


def _minimum_vjp(ctx, g):
    a, b = ctx.saved
    n = ctx._needs
    from ._index import where
    half = g / 2
    ga = where(a < b, g, where(a == b, half, 0.0)) if n[0] else None
    gb = where(b < a, g, where(a == b, half, 0.0)) if n[1] else None
    return ga, gb


def _remainder_vjp(ctx, g):
    a, b = ctx.saved
    n = ctx._needs
    # floor(a / b) is piecewise constant: no graph through it
    return (g if n[0] else None, -g * div(a.detach(), b.detach(), rounding_mode="floor") if n[1] else None)


def _fmod_vjp(ctx, g):
    a, b = ctx.saved
    n = ctx._needs
    return (g if n[0] else None, -g * trunc(a / b) if n[1] else None)


def _neg_vjp(ctx, g):
    return (-g,)


def _zero_vjp(ctx, g):
    return (g * 0,)


def _abs_vjp(ctx, g):
    x, = ctx.saved
    return (g * sign(x),)


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
    return (g * cos(x),)


def _cos_vjp(ctx, g):
    x, = ctx.saved
    return (-g * sin(x),)


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
    return (g * cosh(x),)


def _cosh_vjp(ctx, g):
    x, = ctx.saved
    return (g * sinh(x),)


def _tanh_vjp(ctx, g):
    out, = ctx.saved
    return (g * (1 - out * out),)


def _sigmoid_vjp(ctx, g):
    out, = ctx.saved
    return (g * out * (1 - out),)


def _relu_vjp(ctx, g):
    out, = ctx.saved
    return (g * (out > 0),)


def _clamp_vjp(ctx, g):
    x, = ctx.saved
    lo, hi = ctx._params
    m = None
    if lo is not None:
        m = x >= lo
    if hi is not None:
        m = (x <= hi) if m is None else m & (x <= hi)
    return (g * m if m is not None else g,)


def _clamp_t_vjp(ctx, g):
    x, lo, hi = ctx.saved
    n = ctx._needs
    from ._index import where
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
    gx = (g * inside if inside is not None else g) if n[0] else None
    return gx, glo, ghi


# ----------------------------------------------------------------- kernels

def _pow_kernel(x, e):
    if e == 2:
        return np.square(x)
    if e == 3:
        return x * x * x
    if e == 1:
        return x.copy()
    if e == 0.5 and x.dtype.kind == "f":
        return np.sqrt(x)
    if e == -1 and x.dtype.kind == "f":
        return np.reciprocal(x)
    if e == 4:
        s = np.square(x)
        return s * s
    return np.power(x, e)


def _rpow_kernel(e, base):
    return np.power(base, e)


def _rsub_kernel(a, b, alpha=1):
    return b - a if alpha == 1 else b - alpha * a


def _add_kernel(a, b, alpha=1):
    return a + b if alpha == 1 else a + alpha * b


def _sub_kernel(a, b, alpha=1):
    return a - b if alpha == 1 else a - alpha * b


def _div_trunc(a, b):
    r = np.trunc(np.true_divide(a, b)) if np.result_type(a, b).kind == "f" else _int_trunc_div(a, b)
    return r


def _int_trunc_div(a, b):
    q = np.floor_divide(a, b)
    r = np.remainder(a, b)
    return np.where((r != 0) & ((np.asarray(a) < 0) != (np.asarray(b) < 0)), q + 1, q)


def _div_floor(a, b):
    if np.result_type(a, b).kind == "f":
        return np.floor(np.true_divide(a, b))
    return np.floor_divide(a, b)


def _sigmoid_kernel(x):
    # stable for large |x|; float32 stays float32
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def _relu_kernel(x):
    return np.maximum(x, 0) if x.dtype.kind != "b" else x.copy()


def _rsqrt_kernel(x):
    with np.errstate(divide="ignore"):
        return 1.0 / np.sqrt(x)


def _clamp_kernel(x, lo, hi):
    if lo is not None and hi is not None:
        return np.minimum(np.maximum(x, lo), hi)
    if lo is not None:
        return np.maximum(x, lo)
    return np.minimum(x, hi)


def _clamp_t_kernel(x, lo, hi):
    return _clamp_kernel(x, lo, hi)


def _round_kernel(x, decimals=0):
    return np.round(x, decimals) if x.dtype.kind == "f" else x.copy()


def _intsafe(f):
    def k(x):
        return f(x) if x.dtype.kind == "f" else x.copy()
    return k


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
    return k


# ------------------------------------------------------------------ table
ADD = defop("add", _add_kernel, _add_vjp)
SUB = defop("sub", _sub_kernel, _sub_vjp)
RSUB = defop("rsub", _rsub_kernel, _rsub_vjp, node="RsubBackward1")
RSUB_T = defop("rsub_tensor", _rsub_kernel, _rsub_vjp, node="RsubBackward0")
MUL = defop("mul", np.multiply, _mul_vjp, save=((0, 1), (1, 0)))
DIV = defop("div", _quiet(np.true_divide), _div_vjp, save=(0, 1))
DIV_MODE = defop("div_rounding", None, _div_mode_vjp, node="DivBackward2")
POW = defop("pow", _quiet(_pow_kernel), _pow_vjp, save=(0, 1))
POW_TT = defop("pow_tensor", _quiet(np.power), _pow_tt_vjp, node="PowBackward1", save=(0, 1, "out"))
RPOW = defop("pow_scalar", _quiet(_rpow_kernel), _rpow_vjp, node="PowBackward2", save=(1, "out"))
ATAN2 = defop("atan2", np.arctan2, _atan2_vjp, save=(0, 1))
MAXIMUM = defop("maximum", np.maximum, _maximum_vjp, save=(0, 1))
MINIMUM = defop("minimum", np.minimum, _minimum_vjp, save=(0, 1))
REMAINDER = defop("remainder", _quiet(np.remainder), _remainder_vjp, save=(0, 1))
FMOD = defop("fmod", _quiet(np.fmod), _fmod_vjp, save=(0, 1))
FLOOR_DIVIDE = defop("floor_divide", _quiet(_div_floor), None)
# PyTorch gives the result a NotImplemented node whose backward raises (floor_divide, remainder(scalar, t))
NOT_IMPL = defop("not_implemented", None, lambda ctx, g: _not_implemented(ctx._params[0]), node="NotImplemented")
REMAINDER_T = defop("remainder_tensor", _quiet(np.remainder), _remainder_vjp, node="RemainderBackward1",
                    save=(0, 1))
FMOD_T = defop("fmod_tensor", _quiet(np.fmod), _fmod_vjp, node="FmodBackward1", save=(0, 1))
ROUND_DEC = defop("round_decimals", _round_kernel, _zero_vjp, node="RoundBackward1")

NEG = defop("neg", np.negative, _neg_vjp)
ABS = defop("abs", np.abs, _abs_vjp, save=(0,))
SIGN = defop("sign", np.sign, _zero_vjp)
FLOOR = defop("floor", _intsafe(np.floor), _zero_vjp)
CEIL = defop("ceil", _intsafe(np.ceil), _zero_vjp)
TRUNC = defop("trunc", _intsafe(np.trunc), _zero_vjp)
ROUND = defop("round", _round_kernel, _zero_vjp)
ZERO = defop("zero", np.zeros_like, _zero_vjp)  # zero_() on a tensor in the graph: ZeroBackward0
FRAC = defop("frac", lambda x: x - np.trunc(x), lambda ctx, g: (g,))
EXP = defop("exp", _quiet(np.exp), _exp_vjp, save=("out",))
EXP2 = defop("exp2", _quiet(np.exp2), _exp2_vjp, save=("out",))
EXPM1 = defop("expm1", _quiet(np.expm1), _expm1_vjp, save=("out",))
LOG = defop("log", _quiet(np.log), _log_vjp, save=(0,))
LOG2 = defop("log2", _quiet(np.log2), _log2_vjp, save=(0,))
LOG10 = defop("log10", _quiet(np.log10), _log10_vjp, save=(0,))
LOG1P = defop("log1p", _quiet(np.log1p), _log1p_vjp, node="Log1PBackward0", save=(0,))
SQRT = defop("sqrt", _quiet(np.sqrt), _sqrt_vjp, save=("out",))
RSQRT = defop("rsqrt", _quiet(_rsqrt_kernel), _rsqrt_vjp, save=("out",))
RECIPROCAL = defop("reciprocal", _quiet(np.reciprocal), _reciprocal_vjp, save=("out",))
SIN = defop("sin", np.sin, _sin_vjp, save=(0,))
COS = defop("cos", np.cos, _cos_vjp, save=(0,))
TAN = defop("tan", np.tan, _tan_vjp, save=("out",))
ASIN = defop("asin", _quiet(np.arcsin), _asin_vjp, save=(0,))
ACOS = defop("acos", _quiet(np.arccos), _acos_vjp, save=(0,))
ATAN = defop("atan", np.arctan, _atan_vjp, save=(0,))
SINH = defop("sinh", _quiet(np.sinh), _sinh_vjp, save=(0,))
COSH = defop("cosh", _quiet(np.cosh), _cosh_vjp, save=(0,))
TANH = defop("tanh", np.tanh, _tanh_vjp, save=("out",))
SIGMOID = defop("sigmoid", _sigmoid_kernel, _sigmoid_vjp, save=("out",))
RELU = defop("relu", _relu_kernel, _relu_vjp, save=("out",))
CLAMP = defop("clamp", _clamp_kernel, _clamp_vjp, node="ClampBackward1", save=(0,))
CLAMP_T = defop("clamp_tensor", _clamp_t_kernel, _clamp_t_vjp, node="ClampBackward0", save=(0, 1, 2))

# ------------------------------------------------------- public functions


def _check_out(out):
    if out is not None:
        raise TypeError("ndgrad does not support out= for this function")


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and type promotion."""
    if out is not None:
        return _to_out(add(input, other, alpha=alpha), out)
    if not isinstance(input, Tensor):
        if alpha == 1:
            return binary(ADD, other, input)
        input = _scalar_tensor(input, other)
    return binary(ADD, input, other, (alpha,) if alpha != 1 else ())


def sub(input, other, *, alpha=1, out=None):
    if out is not None:
        return _to_out(sub(input, other, alpha=alpha), out)
    if not isinstance(input, Tensor):
        return rsub(other, input, alpha=alpha)
    _check_bool_sub(input, other)
    return binary(SUB, input, other, (alpha,) if alpha != 1 else ())


subtract = sub


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``."""
    op = RSUB_T if isinstance(other, Tensor) else RSUB
    _check_bool_sub(input, other)
    return binary(op, input, other, (alpha,) if alpha != 1 else ())


def _check_bool_sub(a, b):
    """PyTorch refuses ``-`` as soon as one operand (tensor or Python scalar) is bool."""
    ba, bb = _is_bool(a), _is_bool(b)
    if ba and bb:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if ba or bb:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")


def _is_bool(x):
    return x._data.dtype.kind == "b" if isinstance(x, Tensor) else isinstance(x, (bool, np.bool_))


def _is_int(x):
    return x._data.dtype.kind in "iub" if isinstance(x, Tensor) else isinstance(x, (int, np.integer, np.bool_))


def _check_int_zero(a, b):
    """Integer ``%`` / fmod by zero: PyTorch raises (NumPy would give 0 with a warning)."""
    if _is_int(a) and _is_int(b) and not (_is_bool(a) and _is_bool(b)):
        if np.any(np.asarray(b._data if isinstance(b, Tensor) else b) == 0):
            raise RuntimeError("ZeroDivisionError")


def mul(input, other, *, out=None):
    if out is not None:
        return _to_out(mul(input, other), out)
    if not isinstance(input, Tensor):
        return binary(MUL, other, input)
    return binary(MUL, input, other)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    if out is not None:
        return _to_out(div(input, other, rounding_mode=rounding_mode), out)
    if rounding_mode is None:
        if not isinstance(input, Tensor):
            return mul(reciprocal(other), input)
        return binary(DIV, input, other, floating=True)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                           f"found '{rounding_mode}'")
    xa, xb, npd = operands(input, other)
    if npd.kind in "iu" and np.any(np.asarray(xb) == 0):
        raise RuntimeError("ZeroDivisionError")
    with np.errstate(divide="ignore", invalid="ignore"):
        r = _div_trunc(xa, xb) if rounding_mode == "trunc" else _div_floor(xa, xb)
    t = _wrap(out_array(r, npd))
    from ._core import needs_grad, record
    if needs_grad(input, other):
        record(DIV_MODE, t, (input, other))
    return t


divide = div
true_divide = div


def floor_divide(input, other):
    xa, xb, npd = operands(input, other)
    if npd.kind in "iu" and np.any(np.asarray(xb) == 0):
        raise RuntimeError("ZeroDivisionError")
    t = _wrap(out_array(FLOOR_DIVIDE.kernel(xa, xb), npd))
    from ._core import needs_grad, record
    if needs_grad(input, other):
        record(NOT_IMPL, t, (input, other), ("floor_divide",))
    return t


def _not_implemented(name):
    raise RuntimeError(f"derivative for aten::{name} is not implemented")


def remainder(input, other):
    """Python's ``%``: the result takes the divisor's sign (RemainderBackward0 scalar, 1 tensor divisor)."""
    if not isinstance(input, Tensor):
        from ._core import needs_grad, record
        xa, xb, npd = operands(input, other)
        t = _wrap(out_array(REMAINDER.kernel(xa, xb), npd))
        if needs_grad(other):
            record(NOT_IMPL, t, (other,), ("remainder",))
        return t
    _check_int_zero(input, other)
    return binary(REMAINDER_T if isinstance(other, Tensor) else REMAINDER, input, other)


def fmod(input, other):
    _check_int_zero(input, other)
    return binary(FMOD_T if isinstance(other, Tensor) else FMOD, input, other)


def pow(input, exponent, *, out=None):
    """``input ** exponent``; either may be a tensor (PowBackward0/1/2)."""
    if not isinstance(input, Tensor):
        base = pyscalar(input)
        rt = result_dtype(base, exponent)
        e = exponent._data
        if e.dtype != rt.np:
            e = e.astype(rt.np)
        t = _wrap(out_array(RPOW.kernel(e, base), rt.np))
        if needs_grad(exponent):
            record(RPOW, t, (exponent, base))
        return t
    if isinstance(exponent, Tensor):
        r = _int_pow_negative(input, exponent)
        if r is not None:
            return r
        return binary(POW_TT, input, exponent)
    e = pyscalar(exponent)
    d = input._data
    if d.dtype.kind in "iub":
        if type(e) is float:
            d = d.astype(D._defaults.float.np)
        elif type(e) is int and e < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        elif d.dtype.kind == "b":
            d = d.astype(np.int64)
    r = POW.kernel(d, e)
    if type(r) is not np.ndarray:
        r = np.asarray(r, dtype=d.dtype)
    elif r.dtype != d.dtype:
        r = r.astype(d.dtype)
    t = _wrap(r)
    if (input._requires_grad and _state.enabled) or _fw.on:
        record(POW, t, (input, e))
    return t


def _int_pow_negative(a, e):
    """Integer tensor ** integer tensor with negative exponents: PyTorch computes it in integers (1 for base 1,
    +-1 for base -1, else 0); NumPy refuses. None when the ordinary kernel applies."""
    if not (a._data.dtype.kind in "iu" and e._data.dtype.kind in "iu" and np.any(e._data < 0)):
        return None
    npd = result_dtype(a, e).np
    x, y = np.broadcast_arrays(a._data.astype(npd), e._data.astype(npd))
    neg = np.where(x == 1, 1, np.where(x == -1, np.where(y % 2 == 0, 1, -1), 0))
    return _wrap(np.asarray(np.where(y < 0, neg, np.power(x, np.maximum(y, 0))), dtype=npd))


def float_power(input, exponent):
    input = input.double() if isinstance(input, Tensor) else input
    exponent = exponent.double() if isinstance(exponent, Tensor) else exponent
    return pow(input, exponent)


def square(input):
    return pow(input, 2)


def atan2(input, other):
    return binary(ATAN2, input, other, floating=True)


arctan2 = atan2


def maximum(input, other):
    return binary(MAXIMUM, input, other)


def minimum(input, other):
    return binary(MINIMUM, input, other)


def fmax(input, other):
    return maximum(input, other)


def fmin(input, other):
    return minimum(input, other)


def _u(op, floating=False):
    def f(input, *, out=None):
        if out is not None:
            return _to_out(f(input), out)
        return unary(op, input, floating=floating)
    f.__name__ = op.name
    f.__doc__ = f"Elementwise ``{op.name}``."
    return f


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


# comparisons and predicates: bool results, no graph
def eq(input, other):
    return compare(np.equal, input, other)


def ne(input, other):
    return compare(np.not_equal, input, other)


def lt(input, other):
    return compare(np.less, input, other)


def le(input, other):
    return compare(np.less_equal, input, other)


def gt(input, other):
    return compare(np.greater, input, other)


def ge(input, other):
    return compare(np.greater_equal, input, other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def logical_and(input, other):
    return compare(np.logical_and, input, other)


def logical_or(input, other):
    return compare(np.logical_or, input, other)


def logical_xor(input, other):
    return compare(np.logical_xor, input, other)


def logical_not(input):
    return _wrap(np.logical_not(input._data))


def _bitwise(kernel, name):
    def f(input, other):
        for x in (input, other):
            if isinstance(x, Tensor) and x._data.dtype.kind == "f":
                raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Float'")
        xa, xb, npd = operands(input, other)
        return _wrap(out_array(kernel(xa, xb), npd))
    return f


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")


def bitwise_not(input):
    if input._data.dtype.kind == "f":
        raise RuntimeError("\"bitwise_not_cpu\" not implemented for 'Float'")
    return _wrap(np.asarray(np.invert(input._data)))


def isnan(input):
    return _wrap(np.asarray(np.isnan(input._data)))


def isinf(input):
    return _wrap(np.asarray(np.isinf(input._data)))


def isposinf(input):
    return _wrap(np.asarray(np.isposinf(input._data)))


def isneginf(input):
    return _wrap(np.asarray(np.isneginf(input._data)))


def isfinite(input):
    return _wrap(np.asarray(np.isfinite(input._data)))


def isreal(input):
    return _wrap(np.ones(input._data.shape, dtype=bool))


def signbit(input):
    return _wrap(np.asarray(np.signbit(input._data)))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    xa, xb, _ = operands(input, other)
    return _wrap(np.asarray(np.isclose(xa, xb, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when every element is close (as ``torch.allclose``)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


def _scalar_tensor(v, like):
    return _wrap(np.asarray(v, dtype=result_dtype(like, v).np))


def _to_out(r, out):
    """Writes a result into ``out=`` (resizing it as PyTorch does)."""
    if out._data.shape != r._data.shape:
        out._data = np.empty(r._data.shape, dtype=out._data.dtype)
    np.copyto(out._data, r._data, casting="unsafe")
    out._bump()
    return out


# --------------------------------------------------------------- operators
def _r(f):
    def rop(self, other):
        return f(other, self)
    return rop


def _rtruediv(self, other):
    # PyTorch: other * self.reciprocal()  (grad_fn MulBackward0)
    return mul(reciprocal(self), other)


def _rsub(self, other):
    return rsub(self, other)


def _rpow(self, other):
    return pow(other, self)


def _rfloordiv(self, other):
    return floor_divide(other, self)


def _rmod(self, other):
    return remainder(other, self)


def _eq_op(self, other):
    if other is None:
        return False
    return eq(self, other) if isinstance(other, (Tensor, int, float, bool, np.generic)) else NotImplemented


def _ne_op(self, other):
    if other is None:
        return True
    return ne(self, other) if isinstance(other, (Tensor, int, float, bool, np.generic)) else NotImplemented


def _logical_or_bitwise(logical, bitwise):
    """``&``/``|``/``^``: logical on bool tensors, bitwise otherwise (as PyTorch)."""
    def op(self, other):
        if self._data.dtype.kind == "b" and (not isinstance(other, Tensor) or other._data.dtype.kind == "b"):
            return logical(self, other)
        return bitwise(self, other)
    return op


_and = _logical_or_bitwise(logical_and, bitwise_and)
_or = _logical_or_bitwise(logical_or, bitwise_or)
_xor = _logical_or_bitwise(logical_xor, bitwise_xor)


def _invert(self):
    if self._data.dtype.kind == "b":
        return logical_not(self)
    return bitwise_not(self)


def _pos(self):
    return self


METHODS = {
    "__add__": add, "__radd__": add, "__sub__": sub, "__rsub__": _rsub,
    "__mul__": mul, "__rmul__": mul, "__truediv__": div, "__rtruediv__": _rtruediv,
    "__floordiv__": floor_divide, "__rfloordiv__": _rfloordiv, "__mod__": remainder, "__rmod__": _rmod,
    "__pow__": pow, "__rpow__": _rpow, "__neg__": neg, "__abs__": abs, "__pos__": _pos,
    "__eq__": _eq_op, "__ne__": _ne_op, "__lt__": lt, "__le__": le, "__gt__": gt, "__ge__": ge,
    "__and__": _and, "__rand__": _and, "__or__": _or, "__ror__": _or, "__xor__": _xor, "__rxor__": _xor,
    "__invert__": _invert, "__matmul__": None, "__rmatmul__": None,
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div, "divide": div,
    "true_divide": div, "floor_divide": floor_divide, "remainder": remainder, "fmod": fmod, "pow": pow,
    "float_power": float_power, "square": square, "atan2": atan2, "arctan2": atan2, "maximum": maximum,
    "minimum": minimum, "fmax": fmax, "fmin": fmin, "neg": neg, "negative": neg, "abs": abs,
    "absolute": abs, "sign": sign, "floor": floor, "ceil": ceil, "trunc": trunc, "fix": trunc, "frac": frac,
    "round": round, "exp": exp, "exp2": exp2, "expm1": expm1, "log": log, "log2": log2, "log10": log10,
    "log1p": log1p, "sqrt": sqrt, "rsqrt": rsqrt, "reciprocal": reciprocal, "sin": sin, "cos": cos,
    "tan": tan, "asin": asin, "acos": acos, "atan": atan, "arcsin": asin, "arccos": acos, "arctan": atan,
    "sinh": sinh, "cosh": cosh, "tanh": tanh, "sigmoid": sigmoid, "relu": relu, "clamp": clamp,
    "clip": clamp, "clamp_min": clamp_min, "clamp_max": clamp_max,
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge, "greater": gt, "greater_equal": ge,
    "less": lt, "less_equal": le, "not_equal": ne, "logical_and": logical_and, "logical_or": logical_or,
    "logical_xor": logical_xor, "logical_not": logical_not, "bitwise_and": bitwise_and,
    "bitwise_or": bitwise_or, "bitwise_xor": bitwise_xor, "bitwise_not": bitwise_not,
    "isnan": isnan, "isinf": isinf, "isposinf": isposinf, "isneginf": isneginf, "isfinite": isfinite,
    "signbit": signbit, "isclose": isclose, "allclose": allclose, "equal": equal, "rsub": rsub,
}
# in-place variants (add_ ...) are generated by ndgrad._ops._inplace
INPLACE = ("add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
           "remainder", "fmod", "pow", "float_power", "square", "atan2", "maximum", "minimum", "neg",
           "negative", "abs", "absolute", "sign", "floor", "ceil", "trunc", "fix", "frac", "round", "exp", "exp2",
           "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan",
           "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "sigmoid", "relu",
           "clamp", "clip", "clamp_min", "clamp_max", "eq", "ne", "lt", "le", "gt", "ge", "logical_and",
           "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
           "bitwise_not")
