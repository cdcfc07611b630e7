"""sort/argsort/topk/kthvalue/median/unique: values, indices, grad_fn names and gradients vs PyTorch."""
import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck
from _torch import needs_torch, torch

rng = np.random.default_rng(3)
X = rng.permutation(24).reshape(4, 6).astype(np.float64) / 7.0  # distinct values: no tie ambiguity

CASES = [
    ("sort", lambda L, x: L.sort(x, dim=1)),
    ("sort_desc", lambda L, x: x.sort(0, descending=True)),
    ("topk", lambda L, x: x.topk(3)),
    ("topk_smallest", lambda L, x: L.topk(x, 2, dim=0, largest=False)),
    ("kthvalue", lambda L, x: x.kthvalue(2, 1)),
    ("kthvalue_keepdim", lambda L, x: x.kthvalue(3, 0, keepdim=True)),
    ("median_dim", lambda L, x: x.median(1)),
    ("median", lambda L, x: x.median()),
]


def _values(r):
    return r[0] if isinstance(r, tuple) else r


@pytest.mark.parametrize("name,f", CASES, ids=[c[0] for c in CASES])
def test_gradcheck(name, f):
    x = ndgrad.tensor(X, requires_grad=True)
    assert gradcheck(lambda t: _values(f(ndgrad, t)), (x,))
    assert gradgradcheck(lambda t: _values(f(ndgrad, t)), (x,))


@needs_torch
@pytest.mark.parametrize("name,f", CASES, ids=[c[0] for c in CASES])
def test_parity(name, f):
    x = ndgrad.tensor(X, requires_grad=True)
    xt = torch.tensor(X, requires_grad=True)
    r, rt = f(ndgrad, x), f(torch, xt)
    if isinstance(rt, tuple):
        assert r[1].tolist() == rt[1].tolist()
        assert repr(r) == repr(rt)
    v, vt = _values(r), _values(rt)
    np.testing.assert_array_equal(v.detach().numpy(), vt.detach().numpy())
    assert type(v.grad_fn).__name__ == type(vt.grad_fn).__name__
    (v * ndgrad.tensor(np.arange(v.numel(), dtype=np.float64).reshape(v.shape))).sum().backward()
    (vt * torch.arange(vt.numel(), dtype=torch.float64).reshape(vt.shape)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), xt.grad.numpy())


@needs_torch
def test_argsort_unique_and_nan_order():
    a = np.array([3.0, np.nan, 1.0, 3.0, 2.0])
    for desc in (False, True):
        assert ndgrad.tensor(a).argsort(descending=desc).tolist() == \
            torch.tensor(a).argsort(descending=desc, stable=True).tolist()
    ints = np.array([[3, 1, 3], [2, 1, 0]])
    u, inv, cnt = ndgrad.unique(ndgrad.tensor(ints), return_inverse=True, return_counts=True)
    ut, invt, cntt = torch.unique(torch.tensor(ints), return_inverse=True, return_counts=True)
    assert (u.tolist(), inv.tolist(), cnt.tolist()) == (ut.tolist(), invt.tolist(), cntt.tolist())
    assert repr(ndgrad.unique(ndgrad.tensor(ints))) == repr(torch.unique(torch.tensor(ints)))
