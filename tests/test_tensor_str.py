"""Tensor printing: byte-identical to PyTorch's repr.

The exact-string tests need no torch (expected strings copied from PyTorch
2.13).  The oracle tests compare with ``repr`` of real torch tensors and skip
with a reason when PyTorch is absent.  Tensors are stand-ins carrying only the
attributes ``tensor_repr`` may read, so these tests do not depend on
``ndgrad._tensor``.
"""
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ndgrad import _dtype
from ndgrad._tensor_str import (PRINT_OPTS, get_printoptions, printoptions, set_printoptions,
                                tensor_repr)

NAN, INF = math.nan, math.inf


def _torch():
    return pytest.importorskip("torch", reason="PyTorch (test oracle) not installed")


class Fake:
    """What tensor_repr reads from a Tensor, nothing more."""
    __slots__ = ("_data", "dtype", "requires_grad", "grad_fn", "is_leaf")

    def __init__(self, data, dtype=None, requires_grad=False, grad_fn=None):
        self._data = np.asarray(data)
        self.dtype = dtype or _dtype.from_numpy_dtype(self._data.dtype)
        self.requires_grad = requires_grad or grad_fn is not None
        self.grad_fn = None if grad_fn is None else type(grad_fn, (), {})()
        self.is_leaf = grad_fn is None


def fake_from_torch(tt):
    grad_fn = None if tt.grad_fn is None else type(tt.grad_fn).__name__
    f = Fake(tt.detach().numpy(), _dtype.to_dtype(str(tt.dtype)), tt.requires_grad, grad_fn)
    assert f.requires_grad == tt.requires_grad
    return f


@pytest.fixture(autouse=True)
def _restore_defaults():
    """Every test leaves print options and the default dtype as it found them."""
    yield
    set_printoptions(profile="default")
    _dtype.set_default_dtype(_dtype.float32)
    try:
        import torch
    except ImportError:
        return
    torch.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)


# ---------------------------------------------------------------- no torch needed
EXACT = [
    (Fake(np.array([0., 2., 4., 6.], np.float32), grad_fn="MulBackward0"),
     "tensor([0., 2., 4., 6.], grad_fn=<MulBackward0>)"),
    (Fake(np.array(2.18525, np.float32), requires_grad=True), "tensor(2.1853, requires_grad=True)"),
    (Fake(np.array([6.0, 36.9453])), "tensor([ 6.0000, 36.9453], dtype=torch.float64)"),
    (Fake(np.array([1e-8, 1e5], np.float32)), "tensor([1.0000e-08, 1.0000e+05])"),
    (Fake(np.array([1e-8, 1e5, NAN, 0.], np.float32)),
     "tensor([1.0000e-08, 1.0000e+05,        nan, 0.0000e+00])"),
    (Fake(np.array([0., NAN, -INF, -0.], np.float32)), "tensor([0., nan, -inf, -0.])"),
    (Fake(np.array([1.5, NAN, -0.], np.float32)), "tensor([1.5000,    nan, -0.0000])"),
    (Fake(np.zeros((0, 3), np.float32)), "tensor([], size=(0, 3))"),
    (Fake(np.zeros(0, np.int64)), "tensor([], dtype=torch.int64)"),
    (Fake(np.zeros(0, np.bool_)), "tensor([], dtype=torch.bool)"),
    (Fake(np.zeros(0, np.float32)), "tensor([])"),
    (Fake(np.zeros((2, 0), np.float16)), "tensor([], size=(2, 0), dtype=torch.float16)"),
    (Fake(np.array([1., 2.], np.float16)), "tensor([1., 2.], dtype=torch.float16)"),
    (Fake(np.array(0.1, np.float16)), "tensor(0.1000, dtype=torch.float16)"),
    (Fake(np.array([True, False])), "tensor([ True, False])"),
    (Fake(np.array([-1, 10, 200], np.int64)), "tensor([ -1,  10, 200])"),
    (Fake(np.array([1, 2], np.uint8)), "tensor([1, 2], dtype=torch.uint8)"),
    (Fake(np.arange(6, dtype=np.int32).reshape(2, 3)),
     "tensor([[0, 1, 2],\n        [3, 4, 5]], dtype=torch.int32)"),
    (Fake(np.arange(2000, dtype=np.int64)), "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"),
    (Fake(np.arange(30, dtype=np.float32) * 1.5),
     "tensor([ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,\n"
     "        12.0000, 13.5000, 15.0000, 16.5000, 18.0000, 19.5000, 21.0000, 22.5000,\n"
     "        24.0000, 25.5000, 27.0000, 28.5000, 30.0000, 31.5000, 33.0000, 34.5000,\n"
     "        36.0000, 37.5000, 39.0000, 40.5000, 42.0000, 43.5000])"),
    (Fake(np.arange(8, dtype=np.float32).reshape(2, 2, 2)),
     "tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])"),
    (Fake(np.arange(200, 2000, dtype=np.float32).reshape(2, 900)[:, ::-1].T),
     "tensor([[1099., 1999.],\n        [1098., 1998.],\n        [1097., 1997.],\n        ...,\n"
     "        [ 202., 1102.],\n        [ 201., 1101.],\n        [ 200., 1100.]])"),
    (Fake(np.arange(2000, dtype=np.float32).reshape(2, 1000)[:, ::-1].T),
     "tensor([[9.9900e+02, 1.9990e+03],\n        [9.9800e+02, 1.9980e+03],\n"
     "        [9.9700e+02, 1.9970e+03],\n        ...,\n        [2.0000e+00, 1.0020e+03],\n"
     "        [1.0000e+00, 1.0010e+03],\n        [0.0000e+00, 1.0000e+03]])"),
]


@pytest.mark.parametrize("t, expected", EXACT, ids=range(len(EXACT)))
def test_exact(t, expected):
    assert tensor_repr(t) == expected


def test_default_dtype_float64_exact():
    _dtype.set_default_dtype(_dtype.float64)
    assert tensor_repr(Fake(np.array([1.5, 2.]))) == "tensor([1.5000, 2.0000])"
    assert tensor_repr(Fake(np.array([1.5, 2.], np.float32))) == \
        "tensor([1.5000, 2.0000], dtype=torch.float32)"
    assert tensor_repr(Fake(np.zeros(0, np.float32))) == "tensor([], dtype=torch.float32)"
    assert tensor_repr(Fake(np.zeros(0))) == "tensor([])"


def test_printoptions_exact():
    set_printoptions(precision=2)
    assert tensor_repr(Fake(np.array([1.12345], np.float32))) == "tensor([1.12])"
    set_printoptions(threshold=5)
    assert tensor_repr(Fake(np.arange(10))) == "tensor([0, 1, 2,  ..., 7, 8, 9])"
    set_printoptions(profile="default")
    assert tensor_repr(Fake(np.array([1.12345], np.float32))) == "tensor([1.1235])"
    set_printoptions(edgeitems=0)
    assert tensor_repr(Fake(np.ones(5, np.float32))) == "tensor([1., 1., 1., 1., 1.], size=(5,))"
    assert tensor_repr(Fake(np.ones(5000, np.float32))) == "tensor([...], size=(5000,))"
    assert tensor_repr(Fake(np.ones((3000, 3), np.float32))) == "tensor([...], size=(3000, 3))"
    assert tensor_repr(Fake(np.array(2., np.float32))) == "tensor(2., size=())"
    set_printoptions(profile="default", sci_mode=True)
    assert tensor_repr(Fake(np.array([1., 2.], np.float32))) == "tensor([1.0000e+00, 2.0000e+00])"
    assert tensor_repr(Fake(np.zeros(2, np.float32))) == "tensor([0., 0.])"  # no values: no sci


def test_option_functions():
    assert get_printoptions() == {"precision": 4, "threshold": 1000, "edgeitems": 3,
                                  "linewidth": 80, "sci_mode": None}
    assert repr(PRINT_OPTS) == ("__PrinterOptions(precision=4, threshold=1000, edgeitems=3, "
                                "linewidth=80, sci_mode=None)")
    set_printoptions(profile="short", sci_mode=True)
    assert get_printoptions() == {"precision": 2, "threshold": 1000, "edgeitems": 2,
                                  "linewidth": 80, "sci_mode": True}
    set_printoptions(precision=3)  # sci_mode left out: back to automatic, like PyTorch
    assert PRINT_OPTS.sci_mode is None and PRINT_OPTS.precision == 3
    set_printoptions(profile="full")
    assert PRINT_OPTS.threshold == math.inf and PRINT_OPTS.precision == 4
    set_printoptions(profile="default")
    with printoptions(precision=1, linewidth=20):
        assert PRINT_OPTS.precision == 1 and PRINT_OPTS.linewidth == 20
    assert get_printoptions()["precision"] == 4 and PRINT_OPTS.linewidth == 80


def test_tensor_contents_and_suffix_wrap():
    t = Fake(np.arange(3.), grad_fn="AddBackward0")
    assert tensor_repr(t, tensor_contents="[...]") == \
        "tensor([...], dtype=torch.float64, grad_fn=<AddBackward0>)"
    set_printoptions(linewidth=30)
    assert tensor_repr(t) == "tensor([0., 1., 2.],\n       dtype=torch.float64,\n" \
                             "       grad_fn=<AddBackward0>)"


# ---------------------------------------------------------------- PyTorch oracle
def check(tt):
    expected = repr(tt)
    assert str(tt) == expected
    got = tensor_repr(fake_from_torch(tt))
    assert got == expected, f"\nPyTorch:\n{expected}\nndgrad:\n{got}"


DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
FLOATS = ["float16", "float32", "float64"]

special = st.sampled_from([0.0, -0.0, NAN, INF, -INF, 1.0, -1.0, 0.5, 1e-4, 1e8, 999.9999, 9.99995])
value_kinds = {
    "any": st.floats(allow_nan=True, allow_infinity=True),
    "unit": st.floats(-10, 10),
    "ints": st.integers(-10**6, 10**6).map(float),
    "tiny": st.floats(-1e-3, 1e-3),
    "huge": st.floats(-1e12, 1e12),
    "mixed": st.one_of(st.floats(-1e-6, 1e-6), st.floats(-1e9, 1e9), st.integers(-100, 100).map(float)),
    "special": special,
    "mix_special": st.one_of(special, st.floats(-100, 100)),
}


@st.composite
def shapes(draw, max_dims=4, max_side=6):
    nd = draw(st.integers(0, max_dims))
    return tuple(draw(st.integers(0, max_side)) for _ in range(nd))


@st.composite
def arrays(draw, dtypes=DTYPES, max_side=6):
    torch = _torch()
    dt = draw(st.sampled_from(dtypes))
    shape = draw(shapes(max_side=max_side))
    n = int(np.prod(shape))
    npdt = np.dtype(dt)
    if dt == "bool":
        vals = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    elif npdt.kind in "iu":
        info = np.iinfo(npdt)
        big = st.integers(int(info.min), int(info.max))
        vals = draw(st.lists(st.one_of(st.integers(-3, 20).filter(lambda v: v >= info.min), big),
                             min_size=n, max_size=n))
    else:
        kind = draw(st.sampled_from(sorted(value_kinds)))
        vals = draw(st.lists(value_kinds[kind], min_size=n, max_size=n))
    with np.errstate(over="ignore", invalid="ignore"):
        a = np.array(vals, dtype=np.float64 if npdt.kind == "f" else npdt).astype(npdt).reshape(shape)
    if a.ndim >= 2 and draw(st.booleans()):  # a non-contiguous view
        a = np.swapaxes(a, 0, -1)
    return torch.from_numpy(a)  # keeps the strides: the stand-in sees the same view


def with_grad(tt, how):
    if not tt.dtype.is_floating_point or how == "none":
        return tt
    tt = tt.detach().requires_grad_()
    if how == "leaf":
        return tt
    return {"mul": lambda x: x * 1, "clone": lambda x: x.clone(), "neg": lambda x: -x,
            "view": lambda x: x.view(x.shape)}[how](tt)


# NDGRAD_EXAMPLES=5000 for a longer hunt
FAST = settings(max_examples=int(os.environ.get("NDGRAD_EXAMPLES", 300)), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(arrays(), st.sampled_from(["none", "leaf", "mul", "clone", "neg", "view"]))
def test_oracle_default_options(tt, how):
    check(with_grad(tt, how))


@FAST
@given(arrays(FLOATS))
def test_oracle_floats(tt):
    check(tt)


@FAST
@given(arrays(), st.sampled_from(["none", "leaf", "mul"]))
def test_oracle_default_dtype_float64(tt, how):
    torch = _torch()
    torch.set_default_dtype(torch.float64)
    _dtype.set_default_dtype(_dtype.float64)
    try:
        check(with_grad(tt, how))
    finally:
        torch.set_default_dtype(torch.float32)
        _dtype.set_default_dtype(_dtype.float32)


options = st.fixed_dictionaries({}, optional={
    "precision": st.integers(0, 10),
    "threshold": st.one_of(st.integers(0, 60), st.just(math.inf)),
    "edgeitems": st.integers(0, 4),
    "linewidth": st.integers(1, 160),
    "profile": st.sampled_from(["default", "short", "full"]),
    "sci_mode": st.sampled_from([None, True, False]),
})


@FAST
@given(arrays(max_side=9), options, st.sampled_from(["none", "leaf", "mul"]))
def test_oracle_print_options(tt, opts, how):
    torch = _torch()
    try:
        torch.set_printoptions(**opts)
        set_printoptions(**opts)
        assert get_printoptions() == torch._tensor_str.get_printoptions()
        check(with_grad(tt, how))
    finally:
        torch.set_printoptions(profile="default")
        set_printoptions(profile="default")


@pytest.mark.parametrize("shape", [(1001,), (2000,), (1001, 2), (40, 30), (11, 10, 10),
                                   (3, 1000), (4, 5, 6, 10), (1000, 1)])
@pytest.mark.parametrize("dtype", ["float32", "int64", "float16", "bool"])
def test_oracle_summarised(shape, dtype):
    torch = _torch()
    g = torch.Generator().manual_seed(0)
    tt = (torch.randn(shape, generator=g) * 100)
    tt = tt > 0 if dtype == "bool" else tt.to(getattr(torch, dtype))
    check(tt)
    check(tt.transpose(0, -1))
    check(tt.double() * 1e-9)


@pytest.mark.parametrize("shape", [(), (0,), (0, 3), (3, 0, 2), (0, 0, 0, 0), (5,), (2, 3)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_oracle_small_and_empty(shape, dtype):
    torch = _torch()
    tt = torch.ones(shape, dtype=getattr(torch, dtype))
    check(tt)
    torch.set_default_dtype(torch.float64)
    _dtype.set_default_dtype(_dtype.float64)
    check(tt)


def test_oracle_long_suffixes():
    torch = _torch()
    x = torch.linspace(-3, 3, 37, dtype=torch.float64, requires_grad=True)
    for t in (x, x * 2, (x * 2).sum(), x.exp().reshape(37, 1), x.float().view(1, 37)):
        check(t)
        for lw in (10, 30, 57, 80, 200):
            torch.set_printoptions(linewidth=lw)
            set_printoptions(linewidth=lw)
            check(t)
