"""The optimizers' array path (ndgrad/optim/_arrays.py) against their tensor-method path and PyTorch.

The array path runs the tensor methods' ufunc calls straight on the arrays: it must give the same bits,
the same state and the same version counters as the tensor methods, for every option, shape and dtype."""
import itertools

import numpy as np
import pytest

import ndgrad
from ndgrad.optim import _arrays
from _torch import needs_torch, torch

SHAPES = [(5, 3), (4,), ()]
ADAM = [("Adam", dict(lr=0.01)),
        ("Adam", dict(lr=0.01, amsgrad=True)),
        ("Adam", dict(lr=0.01, betas=(0.3, 0.9))),  # lerp's other branch (weight >= 0.5)
        ("Adam", dict(lr=0.01, maximize=True, weight_decay=0.1)),
        ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, amsgrad=True)),
        ("AdamW", dict(lr=0.01, betas=(0.0, 0.0))),  # no averaging at all: the value == 1 branches
        ("AdamW", dict(lr=0.01, weight_decay=0.05))]


def _steps(lib, name, kw, dtype, steps=4):
    rng = np.random.default_rng(0)
    ps = [lib.tensor(rng.standard_normal(s), dtype=getattr(lib, dtype), requires_grad=True) for s in SHAPES]
    opt = getattr(lib.optim, name)(ps, **kw)
    grads = np.random.default_rng(1)
    for _ in range(steps):
        for p in ps:
            p.grad = lib.tensor(grads.standard_normal(tuple(p.shape)), dtype=getattr(lib, dtype))
        opt.step()
    return ps, opt


def _state(ps, opt):
    out = []
    for p in ps:
        out.append((p.detach().numpy().copy(), p._version))
        for key, v in sorted(opt.state[p].items()):
            out.append((key, v.numpy().copy(), v._version, str(v.dtype)))
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kw", ADAM, ids=[f"{n}-{i}" for i, (n, _) in enumerate(ADAM)])
def test_array_path_is_the_tensor_path(name, kw, dtype, monkeypatch):
    fast = _state(*_steps(ndgrad, name, kw, dtype))
    monkeypatch.setattr(_arrays, "plain", lambda *ts: None)  # every update through the tensor methods
    slow = _state(*_steps(ndgrad, name, kw, dtype))
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow):
        for x, y in zip(a, b):
            if isinstance(x, np.ndarray):
                assert x.dtype == y.dtype and np.array_equal(x, y)  # the same bits, not merely close
            else:
                assert x == y


@needs_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kw", ADAM, ids=[f"{n}-{i}" for i, (n, _) in enumerate(ADAM)])
def test_every_shape_matches_pytorch(name, kw, dtype):
    """0-d parameters included (addcmul_ once failed on them: a 0-d ufunc result is a NumPy scalar)."""
    ours = _state(*_steps(ndgrad, name, kw, dtype))
    theirs = _state(*_steps(torch, name, kw, dtype))
    rtol = 1e-5 if dtype == "float32" else 1e-12
    for a, b in zip(ours, theirs):
        for x, y in zip(a, b):
            if isinstance(x, np.ndarray):
                np.testing.assert_allclose(x, y, rtol=rtol, atol=1e-7 if dtype == "float32" else 1e-15)
            else:
                assert x == y


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad",
                                  "Adadelta", "Rprop", "ASGD"])
def test_zero_dim_parameter_steps(name):
    p = ndgrad.tensor(1.5, requires_grad=True)
    opt = getattr(ndgrad.optim, name)([p], lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        (p * p).backward()
        opt.step()
    assert p.shape == () and p.item() < 1.5


@needs_torch
@pytest.mark.parametrize("method", ["addcmul_", "addcdiv_"])
@pytest.mark.parametrize("shapes", [((3, 3), (3, 1), (1, 3)), ((3, 3), (3,), (3, 3)), ((), (), ()),
                                    ((2, 3), (1, 1), (3,))])
def test_addc_in_place_broadcasts_both_operands(method, shapes):
    """Each operand may broadcast to self on its own: the scratch array has self's shape."""
    rng = np.random.default_rng(3)
    arrays = [rng.uniform(1, 2, s) for s in shapes]
    out = []
    for lib in (ndgrad, torch):
        s, a, b = (lib.tensor(x) for x in arrays)
        with lib.no_grad():
            getattr(s, method)(a, b, value=0.5)
        out.append(s.numpy())
    assert out[0].shape == out[1].shape
    np.testing.assert_allclose(*out, rtol=1e-15)  # (PyTorch's kernels may fuse a multiply-add)
