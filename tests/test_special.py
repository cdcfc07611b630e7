"""Tensor.softmax / log_softmax / erf and ndgrad.special against PyTorch, with gradcheck."""
import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck
from _torch import needs_torch, torch

X = np.array([[0.3, -1.2, 2.0], [1.5, 0.1, -0.7]])
CASES = [
    ("softmax_method", lambda L, x: x.softmax(1)),
    ("softmax_fn", lambda L, x: L.softmax(x, 0)),
    ("log_softmax", lambda L, x: x.log_softmax(dim=-1)),
    ("erf", lambda L, x: L.erf(x)),
    ("special_erf", lambda L, x: L.special.erf(x)),
    ("special_erfc", lambda L, x: L.special.erfc(x)),
    ("special_expit", lambda L, x: L.special.expit(x)),
    ("special_logit", lambda L, x: L.special.logit(x.sigmoid())),
    ("special_xlogy", lambda L, x: L.special.xlogy(x, x.exp())),
]


@pytest.mark.parametrize("name,f", CASES, ids=[c[0] for c in CASES])
def test_gradcheck(name, f):
    x = ndgrad.tensor(X, requires_grad=True)
    assert gradcheck(lambda t: f(ndgrad, t), (x,))
    assert gradgradcheck(lambda t: f(ndgrad, t), (x,))


@needs_torch
@pytest.mark.parametrize("name,f", CASES, ids=[c[0] for c in CASES])
def test_parity(name, f):
    x = ndgrad.tensor(X, requires_grad=True)
    xt = torch.tensor(X, requires_grad=True)
    y, yt = f(ndgrad, x), f(torch, xt)
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-12, atol=1e-14)
    y.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    if name in ("softmax_method", "softmax_fn", "log_softmax", "erf"):
        assert repr(y) == repr(yt).replace("torch.", "torch.")
