"""The op table. Importing this package declares every primitive and attaches
the functions to ``Tensor`` as methods (with in-place ``name_`` variants)."""
from .._tensor import Tensor
from . import _dispatch, _unary, _pointwise, _compare, _reduce, _stats, _sort, _shape, _shape_inplace, _join, _index, _linalg, _linalg_ops, _inplace, _ternary, _lazy, _extra
from ._core import OPS, defop

_MODULES = (_unary, _pointwise, _compare, _reduce, _stats, _sort, _shape, _shape_inplace, _join, _index, _linalg, _linalg_ops, _ternary, _lazy, _extra)


def _public(mod):
    """Functions a module defines (not imports) and does not mark private."""
    return {k: v for k, v in vars(mod).items()
            if not k.startswith("_") and callable(v) and getattr(v, "__module__", None) == mod.__name__
            and not isinstance(v, type)}


# helpers other modules share, not part of PyTorch's namespace
_INTERNAL = {"inv", "solve", "multi_dot", "dim_index", "dims_of", "gather_backward", "getitem", "getitem_np", "setitem", "to_dtype", "unreduce",
             "zeros_embed_diag", "view", "contiguous", "vector_norm"}
__all__ = []
for _m in _MODULES:
    for _k, _v in _public(_m).items():
        globals()[_k] = _v
        if _k not in _INTERNAL:
            __all__.append(_k)


def _to(self, *args, **kwargs):
    """``to(dtype)``, ``to(device)``, ``to(other)``, ``to(device, dtype)``; copies only if needed."""
    from .._dtype import dtype as _dtype_cls, to_dtype
    from .._tensor import check_device, device as _device
    dtype = kwargs.get("dtype")
    copy = kwargs.get("copy", False)
    check_device(kwargs.get("device"))
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, (_dtype_cls, type)) or (isinstance(a, str) and a.startswith("torch.")):
            dtype = a
        elif isinstance(a, (str, _device, int)):
            check_device(a)
        elif a is None:
            pass
        else:
            dtype = a
    if dtype is None:
        return self.clone() if copy else self
    return _shape.to_dtype(self, to_dtype(dtype), copy)


def _caster(dt):
    def f(self, memory_format=None):
        return _shape.to_dtype(self, dt)
    return f


def _type(self, dtype=None, non_blocking=False):
    from .. import _dtype as D
    if dtype is None:
        return "torch." + self.dtype._legacy
    if isinstance(dtype, str):
        name = dtype.split(".")[-1]
        for d in D.ALL:
            if d._legacy == name:
                return _shape.to_dtype(self, d)
        return _shape.to_dtype(self, D.to_dtype(dtype))
    if isinstance(dtype, type) and hasattr(dtype, "_ndgrad_dtype"):
        return _shape.to_dtype(self, dtype._ndgrad_dtype)
    return _shape.to_dtype(self, D.to_dtype(dtype))


def _new_factory(fill):
    def f(self, *size, dtype=None, device=None, requires_grad=False):
        import numpy as np
        from .._tensor import _shape_args
        from .._creation import _finish
        d = self._data.dtype if dtype is None else __import__("ndgrad")._dtype.to_dtype(dtype).np
        return _finish(fill(_shape_args(size), d), requires_grad)
    return f


def _new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    from .._creation import tensor
    return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)


def _new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
    import numpy as np
    from .._creation import _finish
    from .. import _dtype as D
    d = self._data.dtype if dtype is None else D.to_dtype(dtype).np
    return _finish(np.full(tuple(size), fill_value, dtype=d), requires_grad)


def _zero_(self):
    from ._inplace import check_inplace
    check_inplace(self)
    if _core._state.enabled and self._requires_grad:
        return _inplace.make_inplace(lambda s: _dispatch.unary(_unary.ZERO, s), "zero")(self)
    self._data[...] = 0
    self._bump()
    return self


def _fill_(self, value):
    from ._inplace import check_inplace, make_inplace
    check_inplace(self)
    if _core._state.enabled and (self._requires_grad or (isinstance(value, Tensor) and value._requires_grad)):
        return make_inplace(lambda s, v: s * 0 + v, "fill")(self, value)
    self._data[...] = value._data if isinstance(value, Tensor) else value
    self._bump()
    return self


def _copy_(self, src, non_blocking=False):
    """Copies ``src`` (broadcast, cast) into this tensor, in place."""
    from ._inplace import make_inplace
    from .._tensor import _wrap
    import numpy as np
    if not isinstance(src, Tensor):
        src = _wrap(np.asarray(src))

    def f(s, v):
        r = v.to(s.dtype) if v._data.dtype != s._data.dtype else v
        if r._data.shape != s._data.shape:
            r = r.expand(s._data.shape)
        return r if r is not v or r._grad_fn is not None else r
    return make_inplace(f, "copy")(self, src)


def _uniform_(self, a=0.0, b=1.0, *, generator=None):
    from .._creation import _rng
    return _fill_random(self, lambda s: _rng(generator).uniform(a, b, s))


def _normal_(self, mean=0.0, std=1.0, *, generator=None):
    from .._creation import _rng
    return _fill_random(self, lambda s: mean + std * _rng(generator).standard_normal(s))


def _bernoulli_(self, p=0.5, *, generator=None):
    from .._creation import _rng
    return _fill_random(self, lambda s: (_rng(generator).random(s) < p))


def _random_(self, low=0, high=None, *, generator=None):
    from .._creation import _rng
    if high is None:
        low, high = 0, low
    return _fill_random(self, lambda s: _rng(generator).integers(low, high, s))


def _exponential_(self, lambd=1.0, *, generator=None):
    from .._creation import _rng
    return _fill_random(self, lambda s: _rng(generator).exponential(1.0 / lambd, s))


def _fill_random(self, sample):
    from ._inplace import check_inplace
    check_inplace(self)
    self._data[...] = sample(self._data.shape)
    self._bump()
    return self


def _attach():
    from ._inplace import make_inplace, _fast_arith
    import numpy as np
    for mod in _MODULES:
        for name, fn in mod.METHODS.items():
            if fn is not None:
                setattr(Tensor, name, fn)
        for name in getattr(mod, "INPLACE", ()):
            setattr(Tensor, name + "_", make_inplace(mod.METHODS[name], name))
        for name, fn in getattr(mod, "PROPERTIES", {}).items():
            setattr(Tensor, name, property(fn))
    for name, uf, alpha in (("add", np.add, True), ("sub", np.subtract, True), ("mul", np.multiply, False),
                            ("div", np.true_divide, False)):
        setattr(Tensor, name + "_", _fast_arith(uf, name, alpha))
    Tensor.subtract_ = Tensor.sub_
    Tensor.multiply_ = Tensor.mul_
    Tensor.divide_ = Tensor.div_
    Tensor.true_divide_ = Tensor.div_
    for op, name in (("__iadd__", "add_"), ("__isub__", "sub_"), ("__imul__", "mul_"),
                     ("__itruediv__", "div_"), ("__ifloordiv__", "floor_divide_"), ("__imod__", "remainder_"),
                     ("__ipow__", "pow_"), ("__iand__", "bitwise_and_"), ("__ior__", "bitwise_or_"),
                     ("__ixor__", "bitwise_xor_")):
        setattr(Tensor, op, getattr(Tensor, name))
    from .. import _dtype as D
    Tensor.to = _to
    Tensor.type = _type
    for name, dt in (("float", D.float32), ("double", D.float64), ("half", D.float16), ("long", D.int64),
                     ("int", D.int32), ("short", D.int16), ("char", D.int8), ("byte", D.uint8),
                     ("bool", D.bool_)):
        setattr(Tensor, name, _caster(dt))
    Tensor.zero_ = _zero_
    Tensor.fill_ = _fill_
    Tensor.copy_ = _copy_
    Tensor.uniform_ = _uniform_
    Tensor.normal_ = _normal_
    Tensor.bernoulli_ = _bernoulli_
    Tensor.random_ = _random_
    Tensor.exponential_ = _exponential_
    Tensor.new_zeros = _new_factory(np.zeros)
    Tensor.new_ones = _new_factory(np.ones)
    Tensor.new_empty = _new_factory(np.empty)
    Tensor.new_full = _new_full
    Tensor.new_tensor = _new_tensor


from . import _core  # noqa: E402

_attach()
