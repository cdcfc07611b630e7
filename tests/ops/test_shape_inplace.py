"""In-place view ops (unsqueeze_, squeeze_, t_, transpose_, swapdims_, swapaxes_) against PyTorch:
shape, strides, version, grad_fn, values, gradients, errors; and gradcheck to second order."""
import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck
from _torch import needs_torch, torch

CASES = {
    "unsqueeze_0": [("unsqueeze_", (0,))],
    "unsqueeze_last": [("unsqueeze_", (-1,))],
    "unsqueeze_bad": [("unsqueeze_", (3,))],
    "squeeze_dim": [("unsqueeze_", (1,)), ("squeeze_", (1,))],
    "squeeze_all": [("unsqueeze_", (0,)), ("squeeze_", ())],
    "squeeze_dims": [("unsqueeze_", (0,)), ("unsqueeze_", (2,)), ("squeeze_", ((0, 2),))],
    "squeeze_not_one": [("squeeze_", (0,))],
    "t_": [("t_", ())],
    "transpose_": [("transpose_", (-1, 0))],
    "transpose_bad": [("transpose_", (0, 2))],
    "swapdims_": [("swapdims_", (0, 1))],
    "swapaxes_same": [("swapaxes_", (1, 1))],
    "chain": [("t_", ()), ("unsqueeze_", (1,)), ("squeeze_", ())],
}


def _run(lib, ops, mode):
    a = lib.tensor(np.arange(12.0).reshape(3, 4), requires_grad=mode != "plain")
    b = a if mode == "leaf" else a * 2
    v0 = b._version
    try:
        for name, args in ops:
            assert getattr(b, name)(*args) is b
    except (RuntimeError, IndexError) as e:
        return type(e).__name__, str(e).split("\n")[0]
    out = [tuple(b.shape), tuple(b.stride()), b._version - v0, type(b.grad_fn).__name__, b.detach().numpy().tolist()]
    if mode == "grad":
        (b * lib.tensor(np.arange(12.0).reshape(tuple(b.shape)))).sum().backward()
        out.append(a.grad.numpy().tolist())
    return out


@needs_torch
@pytest.mark.parametrize("mode", ["grad", "plain", "leaf"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_pytorch(case, mode):
    assert _run(ndgrad, CASES[case], mode) == _run(torch, CASES[case], mode)


@needs_torch
@pytest.mark.parametrize("before", [True, False])
def test_retain_grad_stays_on_the_old_node(before):
    # PyTorch: retain_grad made before unsqueeze_ keeps delivering the old node's (3, 4) gradient
    shapes = []
    for lib in (ndgrad, torch):
        w = lib.ones(3, 4, requires_grad=True) * 1
        if before:
            w.retain_grad()
        w.unsqueeze_(0)
        if not before:
            w.retain_grad()
        (w * 3).sum().backward()
        shapes.append((tuple(w.grad.shape), w.grad.sum().item(), w.retains_grad))
    assert shapes[0] == shapes[1]


def test_view_of_a_base_keeps_sharing_memory():
    y = ndgrad.zeros(2, 3, 4)
    v = y[0]
    v.t_()
    v[0, 1] = 5.0  # v is (4, 3) now: its [0, 1] is y[0, 1, 0]
    assert y[0, 1, 0].item() == 5.0 and y._version == v._version


@pytest.mark.parametrize("ops", [[("unsqueeze_", (1,))], [("squeeze_", ())], [("t_", ())], [("transpose_", (0, 1))],
                                 [("unsqueeze_", (0,)), ("squeeze_", (0,))]])
def test_gradcheck_first_and_second_order(ops):
    def f(x):
        y = x * x  # a non-leaf to modify in place, nonlinear so the second order is not trivial
        for name, args in ops:
            getattr(y, name)(*args)
        return y
    x = ndgrad.tensor(np.random.default_rng(0).standard_normal((3, 1)), dtype=ndgrad.float64, requires_grad=True)
    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))
