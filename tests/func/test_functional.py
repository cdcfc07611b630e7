"""ndgrad.autograd.functional against torch.autograd.functional (float64, rtol 1e-6)."""
import pytest

import ndgrad
from _torch import torch, needs_torch
from _cases import A, V, X, Y, assert_same, elementwise, quadratic, reduction, softmax, t, tuple_fn, mlp
from _cases import W1, B1, W2

pytestmark = needs_torch

SCALAR = [reduction, quadratic]
VECTOR = [elementwise, softmax]


def both(fn):
    return fn(ndgrad), fn(torch)


@pytest.mark.parametrize("make", SCALAR + VECTOR, ids=lambda f: f.__name__)
@pytest.mark.parametrize("create_graph", [False, True])
def test_vjp_jvp_jacobian(make, create_graph):
    res = []
    for m in (ndgrad, torch):
        F, f = m.autograd.functional, make(m)
        x, v = t(m, X), t(m, V)
        out = f(x)
        u = m.ones_like(out)
        res.append([F.vjp(f, x, u, create_graph=create_graph), F.jvp(f, x, v, create_graph=create_graph),
                    F.jacobian(f, x, create_graph=create_graph),
                    # torch's legacy vmap cannot run forward-mode on these: compare with its reverse mode
                    F.jacobian(f, x, strategy="forward-mode", vectorize=True) if m is ndgrad else F.jacobian(f, x)])
    assert_same(res[0], res[1])


@pytest.mark.parametrize("make", SCALAR, ids=lambda f: f.__name__)
def test_hessian_hvp_vhp(make):
    res = []
    for m in (ndgrad, torch):
        F, f = m.autograd.functional, make(m)
        x, v = t(m, X), t(m, V)
        res.append([F.hvp(f, x, v), F.vhp(f, x, v), F.hessian(f, x), F.hessian(f, x, vectorize=True)])
    assert_same(res[0], res[1])


def test_hessian_forward_over_reverse():
    f = quadratic(ndgrad)
    x = t(ndgrad, X)
    H1 = ndgrad.autograd.functional.hessian(f, x, outer_jacobian_strategy="forward-mode", vectorize=True)
    H2 = torch.autograd.functional.hessian(quadratic(torch), t(torch, X))
    assert_same(H1, H2)


def test_tuple_inputs_and_outputs():
    res = []
    for m in (ndgrad, torch):
        F, f = m.autograd.functional, tuple_fn(m)
        x, y = t(m, X), t(m, Y)
        outs = f(x, y)
        res.append([F.jacobian(f, (x, y)), F.vjp(f, (x, y), tuple(m.ones_like(o) for o in outs)),
                    F.jvp(f, (x, y), (x, y)),
                    F.hessian(lambda x, y: (x[:, None] * y).pow(3).sum(), (x, y))])
    assert_same(res[0], res[1])


def test_mlp_jacobian():
    res = []
    for m in (ndgrad, torch):
        args = tuple(t(m, a) for a in (X, W1, B1, W2))
        res.append(m.autograd.functional.jacobian(mlp(m), args))
    assert_same(res[0], res[1])


def _err(m, call):
    try:
        call(m)
    except Exception as e:  # noqa: BLE001
        return type(e), str(e)
    return None


@pytest.mark.parametrize("call", [
    lambda m: m.autograd.functional.vjp(lambda x: x * 2, m.ones(3)),
    lambda m: m.autograd.functional.vjp(lambda x: x * 2, m.ones(3), m.ones(2)),
    lambda m: m.autograd.functional.vjp(lambda x: x * 2, (m.ones(3), 3)),
    lambda m: m.autograd.functional.jvp(lambda x: x * 2, (m.ones(3),), (m.ones(3), m.ones(3))),
    lambda m: m.autograd.functional.hvp(lambda x: x * 2, m.ones(3), m.ones(3)),
    lambda m: m.autograd.functional.hessian(lambda x: (x, x), m.ones(3)),
    lambda m: m.autograd.functional.jacobian(lambda x: m.ones(2), m.ones(3), strict=True),
    lambda m: m.autograd.functional.vjp(lambda x: x.detach(), m.ones(1), strict=True),
    lambda m: m.autograd.functional.jacobian(lambda x: x, m.ones(3), strategy="side-mode"),
    lambda m: m.autograd.functional.jacobian(lambda x: x, m.ones(3), strategy="forward-mode"),
    lambda m: m.autograd.functional.jacobian(lambda x: x, m.ones(3), strategy="forward-mode", create_graph=True),
])
def test_errors_match(call):
    assert _err(ndgrad, call) == _err(torch, call)
