"""Elementwise ops: the table (kernel, node, saves, VJP, JVP) and the public functions."""
import math
import operator

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ._core import _fw, _state, defop, mark_no_grad, needs_grad, record
from ._dispatch import _F4, _F8, _to_out, binary, either, operands, out_array, pyscalar, result_dtype, where_for
from ._unary import _quiet, abs, log, neg, reciprocal, trunc  # noqa: F401  (neg/abs: operators)
from ._lane import lane

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
    # pow(tensor, scalar); also the array rule (x a NumPy array: the kernel's fast integer powers)
    x, e = ctx.saved
    if e == 0:
        return (g * 0,)
    if e == 2:
        return (g * (x * 2),)
    return (g * (e * either(x, _pow, _pow_kernel, e - 1)),)


# pow with a tensor exponent or a scalar base: also the array rules (x, e, out, g NumPy arrays)
def _pow_tt_vjp(ctx, g):
    x, e, out = ctx.saved
    n = ctx._needs
    gx = ge = None
    if n[0]:
        if type(e) is not Tensor and e.dtype.kind == "b":
            _check_bool_sub(_wrap(e), 1)  # e - 1 on a bool exponent: PyTorch's error, as on tensors
        gx = g * (e * either(x, pow, np.power, e - 1))
    if n[1]:
        ge = where_for(g)((x == 0) & (e >= 0), 0.0, g * out * either(x, log, np.log))
    return gx, ge


def _rpow_vjp(ctx, g):
    # pow(scalar, tensor): d/de base**e = base**e * log(base)
    base, out = ctx.saved
    if base == 0:
        return (where_for(g)(out == 0, 0.0, g * out * math.log(base) if base > 0 else g * math.nan),)
    return (g * out * math.log(base),)


def _atan2_vjp(ctx, g):
    a, b = ctx.saved
    n = ctx._needs
    denom = a * a + b * b
    return (g * b / denom if n[0] else None, -g * a / denom if n[1] else None)


def _extremum_vjp(ctx, g, wins):
    # maximum/minimum: the gradient goes to the winner, half to each side on ties (also the array rule)
    a, b = ctx.saved
    n = ctx._needs
    where = where_for(g)
    half = g / 2
    ga = where(wins(a, b), g, where(a == b, half, 0.0)) if n[0] else None
    gb = where(wins(b, a), g, where(a == b, half, 0.0)) if n[1] else None
    return ga, gb


def _maximum_vjp(ctx, g):
    return _extremum_vjp(ctx, g, operator.gt)


def _minimum_vjp(ctx, g):
    return _extremum_vjp(ctx, g, operator.lt)


def _remainder_vjp(ctx, g):
    a, b = ctx.saved
    n = ctx._needs
    # floor(a / b) is piecewise constant: no graph through it
    return (g if n[0] else None, -g * div(a.detach(), b.detach(), rounding_mode="floor") if n[1] else None)


def _fmod_vjp(ctx, g):
    a, b = ctx.saved
    n = ctx._needs
    return (g if n[0] else None, -g * trunc(a / b) if n[1] else None)


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


def _scalar_div(a, b):
    # NumPy scalars warn on x/0 where the quiet kernel does not: only a nonzero divisor takes this path
    return a / b if b else DIV.kernel(np.asarray(a), b)


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


# ------------------------------------------------------------------ table
ADD = defop("add", _add_kernel, _add_vjp, avjp=True, par=np.add, sop=operator.add)
SUB = defop("sub", _sub_kernel, _sub_vjp, avjp=True, par=np.subtract, sop=operator.sub)
RSUB = defop("rsub", _rsub_kernel, _rsub_vjp, node="RsubBackward1", avjp=True)
RSUB_T = defop("rsub_tensor", _rsub_kernel, _rsub_vjp, node="RsubBackward0", avjp=True)
MUL = defop("mul", np.multiply, _mul_vjp, save=((0, 1), (1, 0)), avjp=True)
DIV = defop("div", _quiet(np.true_divide), _div_vjp, save=(0, 1), avjp=True, sop=_scalar_div)
DIV_MODE = defop("div_rounding", None, _div_mode_vjp, node="DivBackward2")
POW = defop("pow", _quiet(_pow_kernel), _pow_vjp, save=(0, 1), avjp=True)
POW_TT = defop("pow_tensor", _quiet(np.power), _pow_tt_vjp, node="PowBackward1", save=(0, 1, "out"), avjp=True)
RPOW = defop("pow_scalar", _quiet(_rpow_kernel), _rpow_vjp, node="PowBackward2", save=(1, "out"), avjp=True)
ATAN2 = defop("atan2", np.arctan2, _atan2_vjp, save=(0, 1), avjp=True)
MAXIMUM = defop("maximum", np.maximum, _maximum_vjp, save=(0, 1), avjp=True)
MINIMUM = defop("minimum", np.minimum, _minimum_vjp, save=(0, 1), avjp=True)
REMAINDER = defop("remainder", _quiet(np.remainder), _remainder_vjp, save=(0, 1))
FMOD = defop("fmod", _quiet(np.fmod), _fmod_vjp, save=(0, 1))
FLOOR_DIVIDE = defop("floor_divide", _quiet(_div_floor), None)
# PyTorch gives the result a NotImplemented node whose backward raises (floor_divide, remainder(scalar, t))
NOT_IMPL = defop("not_implemented", None, lambda ctx, g: _not_implemented(ctx._params[0]), node="NotImplemented")
REMAINDER_T = defop("remainder_tensor", _quiet(np.remainder), _remainder_vjp, node="RemainderBackward1",
                    save=(0, 1))
FMOD_T = defop("fmod_tensor", _quiet(np.fmod), _fmod_vjp, node="FmodBackward1", save=(0, 1))

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
    if type(other) is not float or input._data.dtype.kind == "b":  # float tensor - float: nothing to refuse
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
    if not d.ndim and (d.dtype is _F4 or d.dtype is _F8):
        d = d[()]  # a NumPy scalar: x * x * x costs a fifth of the 0-d array's
    r = POW.kernel(d, e)
    if type(r) is not np.ndarray:
        r = np.asarray(r, dtype=d.dtype)
    elif r.dtype != d.dtype:
        r = r.astype(d.dtype)
    t = _wrap(r)
    if (input._requires_grad and _state.enabled) or _fw.on:
        record(POW, t, (input, e))
    elif input._requires_grad:
        mark_no_grad(t, input)
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


def _scalar_tensor(v, like):
    return _wrap(np.asarray(v, dtype=result_dtype(like, v).np))


# --------------------------------------------------------------- operators
def _r(f):
    def rop(self, other):
        return f(other, self)
    return rop


def _rtruediv(self, other):
    # PyTorch: other * self.reciprocal()  (grad_fn MulBackward0)
    return _mul(reciprocal(self), other)


def _rsub(self, other):
    return rsub(self, other)


def _rpow(self, other):
    return pow(other, self)


def _rfloordiv(self, other):
    return floor_divide(other, self)


def _rmod(self, other):
    return remainder(other, self)


def _pos(self):
    return self


# the operators' commonest case in one frame (see _lane)
_add, _mul, _pow = lane(ADD, add), lane(MUL, mul), lane(POW, pow, sop=POW.kernel, numbers_only=True)
METHODS = {
    "__add__": _add, "__radd__": _add, "__sub__": lane(SUB, sub), "__rsub__": _rsub, "__mul__": _mul,
    "__rmul__": _mul, "__truediv__": lane(DIV, div), "__rtruediv__": _rtruediv,
    "__floordiv__": floor_divide, "__rfloordiv__": _rfloordiv,
    "__mod__": remainder, "__rmod__": _rmod, "__pow__": _pow, "__rpow__": _rpow, "__neg__": neg, "__abs__": abs,
    "__pos__": _pos, "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div,
    "divide": div, "true_divide": div, "floor_divide": floor_divide, "remainder": remainder, "fmod": fmod,
    "pow": _pow, "float_power": float_power, "square": square, "atan2": atan2, "arctan2": atan2,
    "maximum": maximum, "minimum": minimum, "fmax": fmax, "fmin": fmin, "rsub": rsub,
}
# in-place variants (add_ ...) are generated by ndgrad._ops._inplace
INPLACE = ("add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
           "remainder", "fmod", "pow", "float_power", "square", "atan2", "maximum", "minimum")
