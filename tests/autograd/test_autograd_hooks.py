"""Hooks: order, effects and removal as PyTorch; saved-tensor hooks; _saved_<name> attributes."""
import pytest

from _torch import torch, needs_torch
from _agcommon import same

pytestmark = needs_torch


def test_hook_order_and_effects():
    def run(L):
        log = []
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        z = (y * y).sum()
        y.retain_grad()
        h1 = y.register_hook(lambda g: log.append(("y1", g.tolist())))
        y.register_hook(lambda g: g * 10)
        y.register_hook(lambda g: log.append(("y3", g.tolist())))
        x.register_hook(lambda g: log.append(("x", g.tolist())))
        x.register_post_accumulate_grad_hook(lambda t: log.append(("post", t.grad.tolist())))
        y.grad_fn.register_prehook(lambda go: log.append(("pre", go[0].tolist())))
        y.grad_fn.register_hook(lambda gi, go: log.append(("node", gi[0].tolist(), go[0].tolist())))
        z.backward(retain_graph=True)
        first = (list(log), y.grad.tolist(), x.grad.tolist())
        h1.remove()
        log.clear()
        x.grad = None
        z.backward()
        return first, log, x.grad
    same(run, torch)


def test_node_hooks_replace_gradients():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        y.grad_fn.register_prehook(lambda go: (go[0] * 2,))
        y.grad_fn.register_hook(lambda gi, go: (gi[0] + 1,))
        y.sum().backward()
        return x.grad
    same(run, torch)


def test_hook_handle_context_and_leaf_hooks():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        with x.register_hook(lambda g: g * 0):
            pass
        h = x.register_hook(lambda g: g + 1)
        (x * 2).sum().backward()
        a = x.grad.clone()
        h.remove()
        (x * 2).sum().backward()
        return a, x.grad
    same(run, torch)


def test_hook_errors():
    def run(L):
        t = L.tensor([1.0])
        return t.register_hook(lambda g: g)
    assert same(run, torch)[0] == "raise"

    def run2(L):
        x = L.tensor([1.0], requires_grad=True)
        return (x * 2).register_post_accumulate_grad_hook(lambda t: None)
    assert same(run2, torch)[0] == "raise"

    def run3(L):  # the saved-value attributes a node lists, and the error for one it does not have
        x = L.tensor([1.0, 2.0], requires_grad=True)
        listed = [sorted(a for a in dir(n.grad_fn) if "saved_" in a) for n in (x * x, x.exp())]
        try:
            (x * x).grad_fn._saved_foo
        except AttributeError as e:
            return listed, str(e)
    same(run3, torch)


def test_saved_tensors_hooks_pack_unpack():
    def run(L):
        log = []

        def pack(t):
            log.append(("pack", tuple(t.shape)))
            return t.detach().clone() * 1

        def unpack(p):
            log.append(("unpack", tuple(p.shape)))
            return p
        x = L.tensor([1.0, 2.0], requires_grad=True)
        with L.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = (x * x).sum()
        y.backward()
        return log, x.grad
    same(run, torch)


def test_saved_names_and_freed():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        w = L.tensor([3.0, 4.0], requires_grad=True)
        y = x * w
        e = x.exp()
        names = (y.grad_fn._saved_self, y.grad_fn._saved_other, e.grad_fn._saved_result)
        (y.sum() + e.sum()).backward()
        return names
    same(run, torch)

    def run2(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * x
        y.sum().backward()
        return y.grad_fn._saved_self
    assert same(run2, torch)[0] == "raise"


def test_retain_grad_on_leaf_and_nonleaf():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        x.retain_grad()
        y = x * 2
        y.retain_grad()
        (y * y).sum().backward()
        return x.grad, y.grad, y.retains_grad, x.retains_grad
    same(run, torch)
