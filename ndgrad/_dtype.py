"""dtypes and PyTorch's type promotion.

A ``dtype`` wraps a NumPy dtype; ``result_type`` reproduces PyTorch's rules:
dimensioned tensors outrank zero-dim tensors, which outrank Python numbers,
except that a higher *category* (bool < integer < floating) from a lower
priority group still lifts the result (``int_tensor * 1.5`` is float32).
"""
import numpy as np

__all__ = ["dtype", "get_default_dtype", "set_default_dtype"]


class dtype:
    """A tensor element type (``torch.float32`` ...)."""

    __slots__ = ("name", "np", "is_floating_point", "is_complex", "is_signed",
                 "itemsize", "_cat", "_legacy", "__weakref__")

    def __init__(self, name, np_dtype, cat, legacy):
        self.name = name
        self.np = np.dtype(np_dtype)
        self._cat = cat  # 0 bool, 1 integer, 2 floating
        self.is_floating_point = cat == 2
        self.is_complex = False
        self.is_signed = name not in ("uint8", "bool")
        self.itemsize = self.np.itemsize
        self._legacy = legacy

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_real(self):
        return self

    def to_complex(self):
        raise NotImplementedError("complex dtypes are not supported by ndgrad")

    @property
    def is_signed_(self):
        return self.is_signed


bool_ = dtype("bool", np.bool_, 0, "BoolTensor")
uint8 = dtype("uint8", np.uint8, 1, "ByteTensor")
int8 = dtype("int8", np.int8, 1, "CharTensor")
int16 = dtype("int16", np.int16, 1, "ShortTensor")
int32 = dtype("int32", np.int32, 1, "IntTensor")
int64 = dtype("int64", np.int64, 1, "LongTensor")
float16 = dtype("float16", np.float16, 2, "HalfTensor")
float32 = dtype("float32", np.float32, 2, "FloatTensor")
float64 = dtype("float64", np.float64, 2, "DoubleTensor")

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_NAMES = {d.name: d for d in ALL}
# PyTorch's aliases
ALIASES = {"bool": bool_, "uint8": uint8, "int8": int8, "int16": int16, "short": int16,
           "int32": int32, "int": int32, "int64": int64, "long": int64,
           "float16": float16, "half": float16, "float32": float32, "float": float32,
           "float64": float64, "double": float64}

_FROM_NP = {d.np: d for d in ALL}
_FROM_NP_NUM = {d.np.num: d for d in ALL}
# platform aliases of int64 / longlong
for _t in (np.int_, np.intc, np.longlong, np.uint8, np.bool_):
    _FROM_NP.setdefault(np.dtype(_t), _FROM_NP.get(np.dtype(_t)))
    _FROM_NP_NUM.setdefault(np.dtype(_t).num, _FROM_NP.get(np.dtype(_t)))


def _by_name(name):
    return _NAMES[name]


def from_numpy_dtype(npd):
    """Our dtype for a NumPy dtype; TypeError for those PyTorch lacks."""
    d = _FROM_NP_NUM.get(npd.num)
    if d is None or d.np != npd:
        d = _FROM_NP.get(np.dtype(npd))
        if d is None:
            raise TypeError(
                f"can't convert np.ndarray of type numpy.{np.dtype(npd).name}. The only supported types "
                "are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
                "uint64, uint32, uint16, uint8, and bool.")
    return d


class _Defaults:
    __slots__ = ("float",)


_defaults = _Defaults()
_defaults.float = float32


def get_default_dtype():
    """The default floating point dtype (``torch.float32`` unless changed)."""
    return _defaults.float


def set_default_dtype(d):
    """Sets the default floating point dtype, as ``torch.set_default_dtype``."""
    d = to_dtype(d)
    if d not in (float32, float64, float16):
        raise TypeError("only floating-point types are supported as the default type")
    _defaults.float = d


def to_dtype(d):
    """Accepts our dtype, a NumPy dtype, a Python type or a name."""
    if type(d) is dtype:
        return d
    if d is float:
        return float64
    if d is int:
        return int64
    if d is bool:
        return bool_
    if isinstance(d, str):
        if d.startswith("torch."):
            d = d[6:]
        if d in ALIASES:
            return ALIASES[d]
        raise TypeError(f"invalid dtype {d!r}")
    try:
        return from_numpy_dtype(np.dtype(d))
    except TypeError:
        raise TypeError(f"dtype must be a torch.dtype (got {type(d).__name__})") from None


def promote_types(a, b):
    """``torch.promote_types``: the smallest dtype both fit in."""
    if a is b:
        return a
    return _PROMOTE[(a, b)]


def _build_promote():
    table = {}
    order_int = [uint8, int8, int16, int32, int64]
    for a in ALL:
        for b in ALL:
            if a is b:
                r = a
            elif a is bool_:
                r = b
            elif b is bool_:
                r = a
            elif a._cat == 2 or b._cat == 2:
                if a._cat == 2 and b._cat == 2:
                    r = a if a.itemsize >= b.itemsize else b
                else:
                    r = a if a._cat == 2 else b
            else:
                if {a, b} == {uint8, int8}:
                    r = int16
                elif uint8 in (a, b):
                    r = a if b is uint8 else b
                else:
                    r = a if order_int.index(a) > order_int.index(b) else b
            table[(a, b)] = r
    return table


_PROMOTE = _build_promote()


def _combine(higher, lower):
    # c10's combine_categories
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher._cat == 2:
        return higher
    if higher is bool_ or lower._cat == 2:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(v):
    """The dtype a Python number takes as a wrapped scalar."""
    t = type(v)
    if t is bool or t is np.bool_:
        return bool_
    if t is int:
        return int64
    if t is float:
        return _defaults.float
    if isinstance(v, np.generic):
        # NumPy scalars behave as Python numbers of their kind (wrapped numbers)
        k = v.dtype.kind
        return bool_ if k == "b" else int64 if k in "iu" else _defaults.float
    raise TypeError(f"unsupported scalar type {t.__name__}")


def result_type_of(dims, zeros, scalars):
    """PyTorch's result type from the dtypes of dimensioned tensors, zero-dim
    tensors and Python scalars (each an iterable of dtypes)."""
    d = z = s = None
    for t in dims:
        d = t if d is None else promote_types(d, t)
    for t in zeros:
        z = t if z is None else promote_types(z, t)
    for t in scalars:
        s = t if s is None else promote_types(s, t)
    return _combine(d, _combine(z, s))
