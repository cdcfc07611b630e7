"""Tensor factories and random numbers (``tensor``, ``zeros``, ``arange``, ``randn`` ...)."""
import math
import numbers
import warnings

import numpy as np

from . import _dtype as D
from ._tensor import Tensor, _as_array, _shape_args, _wrap, check_device


def _finish(arr, requires_grad):
    t = _wrap(arr)
    if requires_grad:
        if arr.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    return t


def _dt(dtype, default=None):
    if dtype is None:
        return default or D.get_default_dtype()
    return D.to_dtype(dtype)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (number, nested list, array).

    >>> ndgrad.tensor([[1, 2], [3, 4]])
    tensor([[1, 2],
            [3, 4]])
    """
    check_device(device)
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
                      "or sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
    arr = _as_array(data, D.to_dtype(dtype) if dtype is not None else None)
    arr = np.array(arr, copy=True)
    return _finish(arr, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a NumPy array or tensor when it can."""
    check_device(device)
    if isinstance(data, Tensor):
        if dtype is None or data.dtype is D.to_dtype(dtype):
            return data
        return data.to(dtype)
    return _wrap(_as_array(data, D.to_dtype(dtype) if dtype is not None else None))


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing memory with a NumPy array."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy_dtype(ndarray.dtype)
    return _wrap(ndarray)


def _sized(fill, size, dtype, requires_grad, device, out=None):
    check_device(device)
    shape = _shape_args(size) if size else ()
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"[{', '.join(map(str, shape))}]")
    arr = fill(shape, _dt(dtype).np)
    t = _finish(arr, requires_grad)
    if out is not None:
        from ._ops._dispatch import _to_out
        return _to_out(t, out)
    return t


def zeros(*size_args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A tensor of zeros of the given shape."""
    return _sized(np.zeros, size_args if size is None else (size,), dtype, requires_grad, device, out)


def ones(*size_args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A tensor of ones of the given shape."""
    return _sized(np.ones, size_args if size is None else (size,), dtype, requires_grad, device, out)


def empty(*size_args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    return _sized(np.empty, size_args if size is None else (size,), dtype, requires_grad, device, out)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor filled with ``fill_value`` (dtype inferred from it when not given)."""
    if dtype is None:
        if isinstance(fill_value, Tensor):
            fill_value = fill_value.item()
        dtype = D.scalar_dtype(fill_value)
    return _sized(lambda s, d: np.full(s, fill_value, dtype=d), (size,), dtype, requires_grad, device, out)


def _like(fill):
    def f(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
        check_device(device)
        d = _dt(dtype, input.dtype)
        return _finish(fill(input._data.shape, d.np), requires_grad)
    return f


zeros_like = _like(np.zeros)
ones_like = _like(np.ones)
empty_like = _like(np.empty)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    d = _dt(dtype, input.dtype)
    return _finish(np.full(input._data.shape, fill_value, dtype=d.np), requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    check_device(device)
    return _finish(np.eye(n, n if m is None else m, dtype=_dt(dtype).np), requires_grad)


def _num(v):
    if isinstance(v, Tensor):
        return v.item()
    return v


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Values from ``start`` to ``end`` (exclusive) by ``step``; length ceil((end-start)/step)."""
    check_device(device)
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        isf = any(isinstance(v, float) or (isinstance(v, np.floating)) for v in (start, end, step))
        dt = D.get_default_dtype() if isf else D.int64
    else:
        dt = D.to_dtype(dtype)
    n = math.ceil((end - start) / step)
    if (step > 0 and start > end) or (step < 0 and start < end):
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    n = max(n, 0)
    if dt.is_floating_point:
        arr = (start + step * np.arange(n, dtype=np.float64)).astype(dt.np)
    else:
        arr = (start + step * np.arange(n, dtype=np.int64)).astype(dt.np)
    return _finish(arr, requires_grad)


def range_(start, end, step=1, *, dtype=None, device=None, requires_grad=False):
    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior "
                  "is inconsistent with Python's range builtin. Instead, use torch.arange, which produces "
                  "values in [start, end).", UserWarning, stacklevel=2)
    dt = _dt(dtype)
    n = int(math.floor((end - start) / step)) + 1
    return _finish((start + step * np.arange(n, dtype=np.float64)).astype(dt.np), requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    check_device(device)
    start, end = _num(start), _num(end)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = _dt(dtype)
    if steps == 1:
        arr = np.array([start], dtype=np.float64)
    else:
        i = np.arange(steps, dtype=np.float64)
        # PyTorch rounds the step to the result dtype, then evaluates in double
        step = float(dt.np.type((end - start) / (steps - 1))) if dt.is_floating_point else (end - start) / (steps - 1)
        half = steps // 2
        arr = np.where(i < half, start + step * i, end - step * (steps - 1 - i))
    if not dt.is_floating_point:
        arr = np.trunc(arr)
    return _finish(arr.astype(dt.np), requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    dt = _dt(dtype)
    lin = linspace(start, end, steps, dtype=D.float64)._data
    return _finish(np.power(base, lin).astype(dt.np), requires_grad)


# ------------------------------------------------------------------ random
class Generator:
    """A random number generator (NumPy PCG64 underneath; its numbers differ from PyTorch's)."""

    def __init__(self, device="cpu"):
        check_device(device)
        self._seed = 67280421310721
        self._rng_ = None
        self.device = device

    @property
    def _rng(self):
        # built on first use: numpy.random costs ~15 ms to import, too much for `import ndgrad`
        r = self._rng_
        if r is None:
            r = self._rng_ = np.random.Generator(np.random.PCG64(self._seed & 0xFFFFFFFFFFFFFFFF))
        return r

    def manual_seed(self, seed):
        seed = int(seed)
        self._seed = seed
        self._rng_ = None
        return self

    def seed(self):
        s = int(np.random.SeedSequence().entropy) & 0xFFFFFFFFFFFFFFFF
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        import json
        st = json.dumps(self._rng.bit_generator.state)
        return _wrap(np.frombuffer(st.encode(), dtype=np.uint8).copy())

    def set_state(self, state):
        import json
        self._rng.bit_generator.state = json.loads(bytes(state._data).decode())
        return self


default_generator = Generator()


def manual_seed(seed):
    """Seeds the default generator; returns it."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)


def _rng(generator):
    return (generator or default_generator)._rng


def rand(*size_args, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Uniform [0, 1) samples."""
    return _sized(lambda s, d: _rng(generator).random(s).astype(d), size_args if size is None else (size,), dtype, requires_grad, device, out)


def randn(*size_args, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """Standard normal samples."""
    return _sized(lambda s, d: _rng(generator).standard_normal(s).astype(d), size_args if size is None else (size,), dtype, requires_grad,
                  device, out)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False):
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    return _sized(lambda s, d: _rng(generator).integers(low, high, s).astype(d), (tuple(size),),
                  dtype or D.int64, requires_grad, device, out)


def rand_like(input, *, dtype=None, requires_grad=False, **kw):
    d = _dt(dtype, input.dtype)
    return _finish(_rng(None).random(input._data.shape).astype(d.np), requires_grad)


def randn_like(input, *, dtype=None, requires_grad=False, **kw):
    d = _dt(dtype, input.dtype)
    return _finish(_rng(None).standard_normal(input._data.shape).astype(d.np), requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, **kw):
    if high is None:
        low, high = 0, low
    d = _dt(dtype, input.dtype)
    return _wrap(_rng(None).integers(low, high, input._data.shape).astype(d.np))


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _finish(_rng(generator).permutation(n).astype(_dt(dtype, D.int64).np), requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    rng = _rng(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        like = mean if isinstance(mean, Tensor) else std
        return _wrap((m + s * rng.standard_normal(shape)).astype(like._data.dtype))
    return _sized(lambda sh, d: (mean + std * rng.standard_normal(sh)).astype(d), (tuple(size),), dtype,
                  requires_grad, device, out)


def bernoulli(input, p=None, *, generator=None):
    probs = input._data if p is None else np.full(input._data.shape, p)
    return _wrap((_rng(generator).random(input._data.shape) < probs).astype(input._data.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None):
    rng = _rng(generator)
    p = input._data.astype(np.float64)
    rows = p.reshape(-1, p.shape[-1])
    out = []
    for r in rows:
        out.append(rng.choice(len(r), size=num_samples, replace=replacement, p=r / r.sum()))
    res = np.array(out, dtype=np.int64)
    return _wrap(res.reshape(p.shape[:-1] + (num_samples,)))


def poisson(input, generator=None):
    return _wrap(_rng(generator).poisson(input._data).astype(input._data.dtype))


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    return _finish(np.asarray(s, dtype=_dt(dtype).np), requires_grad)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input._data.dtype.kind == "f"


def is_nonzero(input):
    if input._data.size != 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()).item())


def numel(input):
    return input._data.size
