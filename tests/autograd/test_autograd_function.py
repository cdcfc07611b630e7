"""Custom autograd.Function against torch: setup_context, mark_dirty, non-differentiable outputs,
materialize_grads, non-tensor args/outputs, several outputs, once_differentiable, double backward, jvp."""
import pytest

from _torch import torch, needs_torch
from _agcommon import same

pytestmark = needs_torch


def legendre(L):
    class LegendrePolynomial3(L.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)
    return LegendrePolynomial3


def test_name_and_double_backward():
    def run(L):
        P3 = legendre(L)
        x = L.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = P3.apply(x)
        g, = L.autograd.grad(y.sum(), x, create_graph=True)
        g2, = L.autograd.grad(g.sum(), x)
        return type(y.grad_fn).__name__, y.grad_fn.name(), y, g, g2, g.grad_fn.name()
    same(run, torch)


def test_setup_context_nontensor_args_and_outputs():
    def run(L):
        class Scale(L.autograd.Function):
            @staticmethod
            def forward(x, k, tag):
                return x * k, tag + "!", 3

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.k = inputs[1]
                ctx.mark_non_differentiable()

            @staticmethod
            def backward(ctx, g, g_tag, g_int):
                return g * ctx.k, None, None
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y, tag, n = Scale.apply(x, 2.5, "a")
        y.sum().backward()
        return x.grad, tag, n, y.grad_fn.needs_input_grad
    same(run, torch)


def test_several_outputs_materialize_and_non_differentiable():
    def run(L):
        class Split(L.autograd.Function):
            @staticmethod
            def forward(ctx, x, mat):
                ctx.set_materialize_grads(mat)
                i = x.argmax()
                ctx.mark_non_differentiable(i)
                return x * 2, x * 3, i

            @staticmethod
            def backward(ctx, ga, gb, gi):
                out = 0
                out = out + (ga * 2 if ga is not None else 0)
                out = out + (gb * 3 if gb is not None else 0)
                return out, None
        res = []
        for mat in (True, False):
            x = L.tensor([1.0, 5.0, 2.0], requires_grad=True)
            a, b, i = Split.apply(x, mat)
            a.sum().backward()
            res += [x.grad, i.requires_grad, i.grad_fn is None, b.requires_grad]
        return res
    same(run, torch)


def test_mark_dirty_version_and_grad():
    def run(L):
        class Double_(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.mark_dirty(x)
                return x.mul_(2)

            @staticmethod
            def backward(ctx, g):
                return g * 2
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        v0 = y._version
        z = Double_.apply(y)
        (z * z).sum().backward()
        return z is y, v0, y._version, x.grad, y.grad_fn.name()
    same(run, torch)


def test_once_differentiable_double_backward_raises():
    def run(L):
        class F(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @L.autograd.function.once_differentiable
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return 2 * x * g
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = F.apply(x) * x
        g, = L.autograd.grad(y.sum(), x, create_graph=True)
        names = [n[0].name() if n[0] is not None else None for n in g.grad_fn.next_functions]
        g.sum().backward()
        return names
    r = same(run, torch)
    assert r[0] == "raise" and "once_differentiable" in r[2]


@pytest.mark.parametrize("bad", ["nontensor_grad", "shape", "count"])
def test_backward_errors(bad):
    def run(L):
        class F(L.autograd.Function):
            @staticmethod
            def forward(ctx, x, n):
                return x * n

            @staticmethod
            def backward(ctx, g):
                if bad == "nontensor_grad":
                    return g, 1
                if bad == "shape":
                    return g.sum(), None
                return g, None, None, g
        x = L.tensor([1.0, 2.0], requires_grad=True)
        F.apply(x, 3).sum().backward()
    r = same(run, torch)
    assert r[0] == "raise"


def test_saved_tensor_version_check_and_freed():
    def run(L):
        P3 = legendre(L)
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        z = P3.apply(y)
        z.sum().backward(retain_graph=True)
        y.add_(1)
        z.sum().backward()
    assert same(run, torch)[0] == "raise"

    def run2(L):
        P3 = legendre(L)
        x = L.tensor([1.0, 2.0], requires_grad=True)
        z = P3.apply(x)
        z.sum().backward()
        return z.grad_fn.saved_tensors
    assert same(run2, torch)[0] == "raise"


def test_jvp_forward_mode():
    import ndgrad

    def run(L):
        fwAD = L.autograd.forward_ad

        class Sq(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_forward(x)
                return x * x

            @staticmethod
            def backward(ctx, g):
                return g

            @staticmethod
            def jvp(ctx, t):
                x, = ctx.saved_tensors
                return 2 * x * t
        with fwAD.dual_level():
            d = fwAD.make_dual(L.tensor([1.0, 3.0]), L.tensor([1.0, 0.5]))
            return fwAD.unpack_dual(Sq.apply(d)).tangent
    import importlib
    importlib.import_module("ndgrad.autograd.forward_ad")
    assert ndgrad.autograd.forward_ad
    same(run, torch)
