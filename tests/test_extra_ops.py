"""Everyday composites (meshgrid, repeat_interleave, diff, cross, kron, cdist, logaddexp, logcumsumexp,
cummax, rot90, trapezoid, diag_embed, unfold, nan_to_num, ...) against PyTorch, with gradcheck."""
import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck
from _torch import needs_torch, torch

rng = np.random.default_rng(5)
A = rng.standard_normal((3, 4))
V = rng.standard_normal((4, 3))
W = rng.standard_normal((2, 3))

DIFF = [  # name, f(L, *tensors), inputs
    ("repeat_interleave", lambda L, a: a.repeat_interleave(2, dim=1), (A,)),
    ("repeat_interleave_flat", lambda L, a: L.repeat_interleave(a, 3), (A,)),
    ("diff", lambda L, a: L.diff(a, n=2, dim=1), (A,)),
    ("cross", lambda L, a, b: L.cross(a, b, dim=1), (V, V[::-1].copy())),
    ("kron", lambda L, a, b: L.kron(a, b), (A[:2, :2].copy(), W)),
    ("cdist", lambda L, a, b: L.cdist(a, b), (V, W)),
    ("logaddexp", lambda L, a, b: L.logaddexp(a, b), (A, A[::-1].copy())),
    ("logcumsumexp", lambda L, a: L.logcumsumexp(a, 1), (A,)),
    ("cummax", lambda L, a: L.cummax(a, 1)[0], (A,)),
    ("cummin", lambda L, a: L.cummin(a, 0)[0], (A,)),
    ("rot90", lambda L, a: L.rot90(a, 1, (0, 1)), (A,)),
    ("rot90_3", lambda L, a: L.rot90(a, 3, (0, 1)), (A,)),
    ("trapezoid", lambda L, a: L.trapezoid(a, dim=1), (A,)),
    ("trapezoid_x", lambda L, a, b: L.trapezoid(a, b[0], dim=1), (A[:, :3].copy(), W)),
    ("diag_embed", lambda L, a: L.diag_embed(a), (A,)),
    ("diag_embed_offset", lambda L, a: L.diag_embed(a, offset=1), (A,)),
    ("unfold", lambda L, a: a.unfold(1, 2, 1), (A,)),
    ("hypot", lambda L, a, b: L.hypot(a, b), (A, A[::-1].copy())),
    ("sinc", lambda L, a: L.sinc(a), (A,)),
    ("deg2rad", lambda L, a: L.deg2rad(a), (A,)),
    ("meshgrid", lambda L, a, b: L.meshgrid(a, b, indexing="xy")[0] * L.meshgrid(a, b, indexing="xy")[1],
     (A[0].copy(), W[0].copy())),
]


@pytest.mark.parametrize("name,f,args", DIFF, ids=[c[0] for c in DIFF])
def test_gradcheck(name, f, args):
    xs = tuple(ndgrad.tensor(a, requires_grad=True) for a in args)
    assert gradcheck(lambda *t: f(ndgrad, *t), xs)
    assert gradgradcheck(lambda *t: f(ndgrad, *t), xs)


@needs_torch
@pytest.mark.parametrize("name,f,args", DIFF, ids=[c[0] for c in DIFF])
def test_parity(name, f, args):
    xs = tuple(ndgrad.tensor(a, requires_grad=True) for a in args)
    ts = tuple(torch.tensor(a, requires_grad=True) for a in args)
    y, yt = f(ndgrad, *xs), f(torch, *ts)
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    y.sum().backward()
    yt.sum().backward()
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-12)


@needs_torch
def test_integer_utilities_match_torch():
    x = np.array([0, 3, 1, 3, 3, 2])
    s = np.array([1.0, 2.0, 5.0])
    v = np.array([[0.5, 2.0, 6.0], [1.0, 3.0, 5.0]])
    pairs = [
        (lambda L: L.bincount(L.tensor(x)), None),
        (lambda L: L.bucketize(L.tensor(v), L.tensor(s)), None),
        (lambda L: L.searchsorted(L.tensor(s), L.tensor(v), right=True), None),
        (lambda L: L.isin(L.tensor(x), L.tensor([3, 0])), None),
        (lambda L: L.unique_consecutive(L.tensor([1, 1, 2, 2, 3, 1]), return_counts=True), None),
        (lambda L: L.tril_indices(3, 4, 1), None),
        (lambda L: L.triu_indices(4, 3), None),
        (lambda L: L.meshgrid(L.tensor([1, 2]), L.tensor([3, 4, 5]), indexing="ij"), None),
        (lambda L: L.repeat_interleave(L.tensor([1, 0, 2])), None),
        (lambda L: L.nan_to_num(L.tensor([float("nan"), float("inf"), -float("inf"), 1.0])), None),
        (lambda L: L.histc(L.tensor([1.0, 2.0, 1.0, 4.0]), bins=4, min=0, max=4), None),
        (lambda L: L.cummax(L.tensor([[1.0, 3.0, 2.0, 3.0]]), 1), None),
        (lambda L: L.zeros(3, 4).fill_diagonal_(5.0), None),
        (lambda L: L.heaviside(L.tensor([-1.0, 0.0, 2.0]), L.tensor([0.5])), None),
    ]
    for f, _ in pairs:
        assert repr(f(ndgrad)) == repr(f(torch))
