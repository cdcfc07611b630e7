"""Comparisons, predicates, logical and bitwise ops: bool (or integer) results, never recorded."""
import numpy as np

from .._tensor import Tensor, _wrap
from ._dispatch import compare, operands, out_array


# comparisons and predicates: bool results, no graph
def _comparison(ufunc, name):
    def f(input, other):
        return compare(ufunc, input, other)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Elementwise ``{name}`` with broadcasting and type promotion (a bool tensor)."
    return f


eq = _comparison(np.equal, "eq")
ne = _comparison(np.not_equal, "ne")
lt = _comparison(np.less, "lt")
le = _comparison(np.less_equal, "le")
gt = _comparison(np.greater, "gt")
ge = _comparison(np.greater_equal, "ge")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
logical_and = _comparison(np.logical_and, "logical_and")
logical_or = _comparison(np.logical_or, "logical_or")
logical_xor = _comparison(np.logical_xor, "logical_xor")


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


def _predicate(ufunc, name):
    def f(input):
        return _wrap(np.asarray(ufunc(input._data)))
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Elementwise ``{name}`` (a bool tensor)."
    return f


isnan = _predicate(np.isnan, "isnan")
isinf = _predicate(np.isinf, "isinf")
isposinf = _predicate(np.isposinf, "isposinf")
isneginf = _predicate(np.isneginf, "isneginf")
isfinite = _predicate(np.isfinite, "isfinite")


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


METHODS = {
    "__eq__": _eq_op, "__ne__": _ne_op, "__lt__": lt, "__le__": le, "__gt__": gt, "__ge__": ge,
    "__and__": _and, "__rand__": _and, "__or__": _or, "__ror__": _or, "__xor__": _xor, "__rxor__": _xor,
    "__invert__": _invert,
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge, "greater": gt, "greater_equal": ge,
    "less": lt, "less_equal": le, "not_equal": ne, "logical_and": logical_and, "logical_or": logical_or,
    "logical_xor": logical_xor, "logical_not": logical_not, "bitwise_and": bitwise_and,
    "bitwise_or": bitwise_or, "bitwise_xor": bitwise_xor, "bitwise_not": bitwise_not,
    "isnan": isnan, "isinf": isinf, "isposinf": isposinf, "isneginf": isneginf, "isfinite": isfinite,
    "signbit": signbit, "isclose": isclose, "allclose": allclose, "equal": equal,
}
INPLACE = ("eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor", "logical_not",
           "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not")
