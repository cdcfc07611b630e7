"""ndgrad.linalg: values and gradients against PyTorch, gradcheck and gradgradcheck in float64."""
import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck
from _torch import needs_torch, torch

rng = np.random.default_rng(0)
A = rng.standard_normal((3, 3)) + 3 * np.eye(3)
AB = rng.standard_normal((2, 3, 3)) + 3 * np.eye(3)
b = rng.standard_normal(3)
Bm = rng.standard_normal((3, 2))

CASES = [
    ("inv", lambda L, a: L.linalg.inv(a), (A,)),
    ("inv_batched", lambda L, a: L.linalg.inv(a), (AB,)),
    ("det", lambda L, a: L.linalg.det(a), (A,)),
    ("det_batched", lambda L, a: L.linalg.det(a), (AB,)),
    ("slogdet", lambda L, a: L.linalg.slogdet(a)[1], (A,)),
    ("solve_vec", lambda L, a, v: L.linalg.solve(a, v), (A, b)),
    ("solve_mat", lambda L, a, m: L.linalg.solve(a, m), (A, Bm)),
    ("matrix_power", lambda L, a: L.linalg.matrix_power(a, 3), (A,)),
    ("matrix_power_neg", lambda L, a: L.linalg.matrix_power(a, -2), (A,)),
    ("vector_norm", lambda L, a: L.linalg.vector_norm(a, 3, dim=1), (A,)),
    ("matrix_norm", lambda L, a: L.linalg.matrix_norm(a), (AB,)),
    ("inverse_method", lambda L, a: a.inverse() * a.det(), (A,)),
]


@pytest.mark.parametrize("name,f,args", CASES, ids=[c[0] for c in CASES])
def test_gradcheck(name, f, args):
    xs = tuple(ndgrad.tensor(a, requires_grad=True) for a in args)
    assert gradcheck(lambda *t: f(ndgrad, *t), xs)
    assert gradgradcheck(lambda *t: f(ndgrad, *t), xs)


@needs_torch
@pytest.mark.parametrize("name,f,args", CASES, ids=[c[0] for c in CASES])
def test_parity_with_torch(name, f, args):
    xs = tuple(ndgrad.tensor(a, requires_grad=True) for a in args)
    ts = tuple(torch.tensor(a, requires_grad=True) for a in args)
    y, yt = f(ndgrad, *xs), f(torch, *ts)
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert type(y.grad_fn).__name__ == type(yt.grad_fn).__name__ or name in ("matrix_power", "matrix_power_neg")
    y.sum().backward()
    yt.sum().backward()
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-12)


@needs_torch
def test_errors_match_torch():
    for bad in (np.zeros((2, 3)),):
        with pytest.raises(RuntimeError) as e:
            ndgrad.linalg.inv(ndgrad.tensor(bad))
        with pytest.raises(RuntimeError) as et:
            torch.linalg.inv(torch.tensor(bad))
        assert str(e.value) == str(et.value)
    with pytest.raises(RuntimeError) as e:
        ndgrad.linalg.inv(ndgrad.zeros(2, 2))
    assert "singular" in str(e.value)
