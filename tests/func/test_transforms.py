"""ndgrad.func and forward_ad against torch.func / torch.autograd.forward_ad (float64, rtol 1e-6)."""
import pytest

import ndgrad
from _torch import torch, needs_torch
from _cases import (A, B1, V, W1, W2, X, XB, Y, YB, assert_same, elementwise, mlp_loss, quadratic, reduction,
                    softmax, t, tuple_fn)

pytestmark = needs_torch


def run(build):
    return [build(m) for m in (ndgrad, torch)]


def check(build):
    a, b = run(build)
    assert_same(a, b)


@pytest.mark.parametrize("make", [reduction, quadratic], ids=lambda f: f.__name__)
def test_grad_hessian(make):
    check(lambda m: [m.func.grad(make(m))(t(m, X)), m.func.grad_and_value(make(m))(t(m, X)),
                     m.func.hessian(make(m))(t(m, X)), m.func.jacrev(m.func.jacrev(make(m)))(t(m, X))])


@pytest.mark.parametrize("make", [elementwise, softmax], ids=lambda f: f.__name__)
def test_jacobians_vjp_jvp(make):
    def b(m):
        f, x, v = make(m), t(m, X), t(m, V)
        out, fn = m.func.vjp(f, x)
        return [m.func.jacrev(f)(x), m.func.jacfwd(f)(x), fn(v), m.func.jvp(f, (x,), (v,)),
                m.func.linearize(f, x)[1](v), m.func.jacfwd(m.func.jacfwd(f))(x)]
    check(b)


def test_tuple_argnums_and_aux():
    def b(m):
        f = tuple_fn(m)
        x, y = t(m, X), t(m, Y)
        s = lambda x, y: ((f(x, y)[0] ** 2).sum(), f(x, y)[1])   # noqa: E731
        return [m.func.grad(s, argnums=(0, 1), has_aux=True)(x, y), m.func.jacrev(f, argnums=(0, 1))(x, y),
                m.func.jacfwd(f, argnums=1)(x, y), m.func.jvp(f, (x, y), (x, y))]
    check(b)


def test_higher_order():
    def b(m):
        x, y = t(m, X), t(m, Y)
        a = t(m, A[:3, :3])
        g3 = m.func.grad(m.func.grad(m.func.grad(lambda s: s.sin() * s.exp())))
        nested = m.func.grad(lambda x: m.func.grad(lambda z: (z ** 3 * x).sum())(x).sum())
        return [g3(x[0]), nested(x), m.func.hessian(lambda Y: (Y @ a @ Y.t()).sin().sum())(y),
                m.func.jacfwd(m.func.jacrev(lambda x: (x.sin() * x).sum()))(x)]
    check(b)


def test_vmap_ops_and_nesting():
    def b(m):
        x, bvec = t(m, XB), t(m, B1)
        F = m.nn.functional
        return [m.func.vmap(lambda v: (v.sin() * v).sum())(x),
                m.func.vmap(lambda v, w: v @ w, in_dims=(0, None))(x, t(m, W1)),
                m.func.vmap(lambda v: F.softmax(v, 0))(x),
                m.func.vmap(lambda v: v.reshape(2, 2).t()[1])(x),
                m.func.vmap(m.func.vmap(lambda a, c: a * c), in_dims=(0, None))(x, bvec[:4]),
                m.func.vmap(lambda v: v[1:3].exp() + v.mean(), in_dims=1)(x),
                m.func.vmap(lambda v: v.max(0)[0] + v.amax() + v.cumsum(0)[-1], chunk_size=4)(x),
                m.func.vmap(lambda v: (v, v.sum()), out_dims=(1, 0))(x)]
    check(b)


def test_per_sample_grads_hand_mlp():
    def b(m):
        params = (t(m, W1), t(m, B1), t(m, W2))
        return m.func.vmap(m.func.grad(mlp_loss(m)), in_dims=(None, 0, 0))(params, t(m, XB), t(m, YB))
    check(b)


def test_per_sample_grads_nn_module():
    def b(m):
        m.manual_seed(0)
        model = m.nn.Sequential(m.nn.Linear(4, 8), m.nn.Tanh(), m.nn.Linear(8, 3)).double()
        with m.no_grad():
            for i, p in enumerate(model.parameters()):
                p.copy_(t(m, (W1.T, B1, W2.T, B1[:3])[i]))
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(params, x, y):
            out = m.func.functional_call(model, params, (x.unsqueeze(0),))
            return m.nn.functional.cross_entropy(out, y.unsqueeze(0))
        g = m.func.vmap(m.func.grad(loss), in_dims=(None, 0, 0))(params, t(m, XB), t(m, YB))
        return [g[k] for k in sorted(g)]
    check(b)


def test_vmap_randomness_and_errors():
    for m in (ndgrad, torch):
        with pytest.raises(RuntimeError, match="randomness error mode"):
            m.func.vmap(lambda v: v * m.rand(3))(m.ones(2, 3))
        same = m.func.vmap(lambda v: m.rand_like(v), randomness="same")(m.ones(2, 3))
        assert bool((same[0] == same[1]).all())
        diff = m.func.vmap(lambda v: m.rand_like(v), randomness="different")(m.ones(2, 3))
        assert not bool((diff[0] == diff[1]).all())

    def err(m, f):
        try:
            f(m)
        except Exception as e:  # noqa: BLE001
            return type(e), str(e)
    for f in (lambda m: m.func.vmap(lambda v: v)(m.ones(2), m.ones(3)),
              lambda m: m.func.vmap(lambda v, w: v + w)(m.ones(2), m.ones(3)),
              lambda m: m.func.vmap(lambda v: v, in_dims=2)(m.ones(2)),
              lambda m: m.func.grad(lambda v: v)(m.ones(2)),
              lambda m: m.func.grad(lambda v: v.sum(), argnums=2)(m.ones(2)),
              lambda m: m.func.jvp(lambda v: v, m.ones(2), m.ones(2))):
        assert err(ndgrad, f) == err(torch, f)


def test_forward_ad_api():
    import ndgrad.autograd.forward_ad as fw
    import torch.autograd.forward_ad as tfw
    res = []
    for m, F in ((ndgrad, fw), (torch, tfw)):
        x, v = t(m, X), t(m, V)
        with F.dual_level():
            d = F.make_dual(x, v)
            y = quadratic(m)(d)
            p, tan = F.unpack_dual(y)
            assert type(F.unpack_dual(y)).__name__ == "UnpackedDualTensor"
            assert F.unpack_dual(x).tangent is None
            with m.no_grad():
                nt = F.unpack_dual(d.sin()).tangent
        assert F.unpack_dual(d).tangent is None
        res.append([p, tan, nt])
    assert_same(res[0], res[1])

    def err(m, F, f):
        try:
            f(m, F)
        except Exception as e:  # noqa: BLE001
            return type(e), str(e)

    def shape(m, F):
        with F.dual_level():
            F.make_dual(m.ones(3, dtype=m.float64), m.ones(4, dtype=m.float64))

    def nested(m, F):
        with F.dual_level():
            with F.dual_level():
                pass
    for f in (lambda m, F: F.make_dual(m.ones(3), m.ones(3)), shape, nested):
        assert err(ndgrad, fw, f) == err(torch, tfw, f)


def test_custom_function_jvp():
    import ndgrad.autograd.forward_ad as fw

    class Cube(ndgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_forward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            return g * 3 * ctx.saved_tensors[0] ** 2

        @staticmethod
        def jvp(ctx, t):
            x, = ctx.saved_tensors
            return 3 * x ** 2 * t
    x = t(ndgrad, X)
    with fw.dual_level():
        out = Cube.apply(fw.make_dual(x, ndgrad.ones_like(x)))
        tan = fw.unpack_dual(out).tangent
    assert_same(tan, 3 * x ** 2)


def test_vmap_of_an_ndgrad_function_passed_directly():
    import ndgrad
    from ndgrad.func import vmap
    a = ndgrad.arange(6.0).reshape(2, 3)
    out = vmap(ndgrad.dot)(a, a)
    assert out.tolist() == [5.0, 50.0]


def test_vmap_patching_restores_namespaces_and_respects_reassignment():
    # vmap swaps batching dispatchers into ndgrad's namespaces for the call; the sites are found once
    # and reused, so a name reassigned in between must be left alone, and everything restored after
    import ndgrad
    import ndgrad.nn.functional as F
    from ndgrad.func import vmap
    sin, relu = ndgrad.sin, F.relu
    x = ndgrad.arange(6.0).reshape(2, 3)
    assert vmap(ndgrad.sin)(x).tolist() == ndgrad.sin(x).tolist()
    assert ndgrad.sin is sin and F.relu is relu

    def mine(t):
        return t * 0 + 7
    ndgrad.sin = mine
    try:
        seen = []
        out = vmap(lambda r: (seen.append(ndgrad.sin is mine), ndgrad.sin(r))[1])(x)
        assert seen == [True] and out.tolist() == [[7.0] * 3] * 2
        assert ndgrad.sin is mine
        assert vmap(F.relu)(x - 2).tolist() == F.relu(x - 2).tolist() and F.relu is relu
    finally:
        ndgrad.sin = sin
    assert vmap(lambda r: ndgrad.sin(r))(x).tolist() == ndgrad.sin(x).tolist()


def test_vjp_fn_made_outside_a_transform_differentiable_inside_one():
    # vjp_fn made at top level but called inside grad(): its result must carry a graph (the outermost
    # transform is then grad, which detaches at its own end)
    import ndgrad
    from ndgrad.func import grad, vjp
    out, vjp_fn = vjp(lambda x: x ** 3, ndgrad.tensor([1.0, 2.0]))
    g = grad(lambda c: vjp_fn(c)[0].sum())(ndgrad.tensor([1.0, 1.0]))
    assert g.tolist() == [3.0, 12.0]
    assert not vjp_fn(ndgrad.tensor([1.0, 1.0]))[0].requires_grad  # called outside: detached


def test_vmap_after_a_module_reload_batches_the_new_functions():
    # the patch sites are cached; a reloaded module (same dict, new functions) must be scanned again
    import importlib
    import ndgrad
    import ndgrad.nn.functional as F
    from ndgrad.func import vmap
    x = ndgrad.arange(6.0).reshape(2, 3) - 2
    assert vmap(F.relu)(x).tolist() == F.relu(x).tolist()
    importlib.reload(F)
    seen = []
    out = vmap(lambda r: (seen.append(type(r).__name__), F.relu(r))[1])(x)
    assert out.tolist() == F.relu(x).tolist() and F.relu.__module__ == "ndgrad.nn.functional"
