"""In-place ops on non-leaves and views: gradients, grad_fn names and _version as PyTorch."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st, HealthCheck

from _torch import torch, needs_torch
from _agcommon import same

pytestmark = needs_torch

X = [[1.0, -2.0, 3.0, 0.5], [4.0, 5.0, -6.0, 2.0], [0.1, -0.2, 0.3, 7.0]]


def _grad_after(index_fn, view_fn=None, value=0.0):
    def run(L):
        x = L.tensor(X, requires_grad=True)
        y = x * 2
        t = view_fn(y) if view_fn else y
        t[index_fn(L)] = value
        versions = (y._version, t._version)
        (y * y).sum().backward()
        return x.grad, versions, y.grad_fn.name(), t.grad_fn.name()
    return run


@pytest.mark.parametrize("index", [
    lambda L: 0, lambda L: (1, 2), lambda L: slice(None, None, 2), lambda L: (slice(None), slice(1, None, 2)),
    lambda L: L.tensor([0, 2]), lambda L: L.tensor([2, 0, 2]), lambda L: (L.tensor([0, 1]), L.tensor([3, 3])),
    lambda L: L.tensor(X) > 1, lambda L: (0, L.tensor([True, False, True, False])), lambda L: ...,
    lambda L: (slice(None), L.tensor([1, 3])),
])
def test_setitem_nonleaf(index):
    same(_grad_after(index), torch)


@pytest.mark.parametrize("view", [lambda y: y.t(), lambda y: y[1], lambda y: y.view(4, 3), lambda y: y[:, 1:3],
                                  lambda y: y.select(1, 2), lambda y: y.transpose(0, 1)[::2]])
@pytest.mark.parametrize("index", [lambda L: 0, lambda L: slice(None, None, 2), lambda L: L.tensor([0, 1])])
def test_setitem_through_view(view, index):
    same(_grad_after(index, view), torch)


_idx = st.one_of(
    st.integers(-3, 2),
    st.builds(slice, st.one_of(st.none(), st.integers(0, 2)), st.one_of(st.none(), st.integers(1, 3)),
              st.one_of(st.none(), st.integers(1, 2))),
    st.lists(st.integers(0, 2), min_size=1, max_size=4),
    st.lists(st.booleans(), min_size=4, max_size=4).map(lambda m: ("mask", m)),
)
_views = st.sampled_from(["none", "t", "view", "select", "slice"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(idx=_idx, view=_views, value=st.sampled_from([0.0, -1.5]), op=st.sampled_from(["set", "add_", "mul_"]))
def test_inplace_hypothesis(idx, view, value, op):
    def run(L):
        x = L.tensor(X, requires_grad=True)
        y = x * 2
        t = {"none": y, "t": y.t(), "view": y.view(4, 3), "select": y.select(1, 1), "slice": y[::2]}[view]
        n = t.shape[0]
        if isinstance(idx, tuple):  # a boolean mask, cut to the first dim, one True at least
            m = list(idx[1][:n])
            m[0] = True
            i = L.tensor(m)
        elif isinstance(idx, list):
            i = L.tensor([k % n for k in idx])
        elif isinstance(idx, int):
            i = max(-n, min(idx, n - 1))
        else:
            i = idx
        if op == "set":
            t[i] = value
        elif op == "add_":
            t[i].add_(1.5) if isinstance(idx, (int, slice)) else t.add_(1.5)
        else:
            t.mul_(x.sum() if view == "none" else value)
        (y ** 2).sum().backward()
        return x.grad, y._version, t._version, y.grad_fn.name(), t.grad_fn.name()
    same(run, torch)


@pytest.mark.parametrize("case", ["add_", "relu_", "mul_tensor", "sigmoid_", "mask", "chain"])
def test_inplace_methods(case):
    def run(L):
        x = L.tensor([[1.0, -2.0], [3.0, -0.5]], requires_grad=True)
        w = L.tensor([[0.5, 2.0], [1.0, -1.0]], requires_grad=True)
        y = x * w
        if case == "add_":
            y.add_(1)
        elif case == "relu_":
            y.relu_()
        elif case == "mul_tensor":
            y.mul_(w)
        elif case == "sigmoid_":
            y.sigmoid_()
        elif case == "mask":
            y[y < 0] = L.tensor(3.0)
        else:
            y.add_(1).mul_(2).sub_(x)
        (y * y).sum().backward()
        return x.grad, w.grad, y._version, y.grad_fn.name()
    same(run, torch)


def test_other_views_regenerate():
    def run(L):
        a = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        b = a * 1
        c, d, e = b.view(4), b[0], b.t()
        b.mul_(2)
        names = (c.grad_fn.name(), d.grad_fn.name(), e.grad_fn.name(), b.grad_fn.name())
        (c.sum() + 2 * d.sum() + 3 * e[1].sum()).backward()
        return names, a.grad, c._version, d._version
    same(run, torch)


def test_view_of_view_inplace():
    def run(L):
        x = L.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        y = x.exp()
        v = y[1][1:]
        v.mul_(10)
        y.sum().backward()
        return x.grad, y.grad_fn.name(), v.grad_fn.name(), y._version
    same(run, torch)


@pytest.mark.parametrize("case", ["no_grad", "data", "detach", "sgd"])
def test_leaf_updates_outside_autograd(case):
    def run(L):
        w = L.tensor([1.0, 2.0], requires_grad=True)
        (w * w).sum().backward()
        if case == "no_grad":
            with L.no_grad():
                w.sub_(0.1 * w.grad)
                w[0] = 5.0
        elif case == "data":
            w.data.mul_(3)
        elif case == "detach":
            w.detach().add_(1)
        else:
            with L.no_grad():
                w -= 0.5 * w.grad
        return w, w._version, w.is_leaf, w.requires_grad, w.grad_fn
    same(run, torch)


def test_rebinding_vs_inplace():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        x2 = x
        x = x * 2           # a new tensor: x2 stays the leaf
        r1 = (x2.is_leaf, x.is_leaf, x.grad_fn.name())
        y = x2 * 1
        y *= 2              # in place on a non-leaf: same object, new grad_fn, version 1
        return r1, y.grad_fn.name(), y._version, x2._version
    same(run, torch)


@pytest.mark.parametrize("what", ["leaf", "view_of_leaf", "leaf_setitem", "leaf_moved"])
def test_leaf_inplace_errors(what):
    def run(L):
        a = L.tensor([10.0, 5.0, 2.0, 3.0], requires_grad=True)
        if what == "leaf":
            a.add_(1)
        elif what == "view_of_leaf":
            a[1:].mul_(2)
        elif what == "leaf_setitem":
            a[:] = 10
        else:
            loss = (a * 2).mean()
            a.requires_grad_(False)
            a.mul_(L.tensor(2.0, requires_grad=True))
            loss.backward()
    same(run, torch)


def test_version_counter_numbers():
    def run(L):
        x = L.ones(3)
        v = [x._version]
        x.add_(1); v.append(x._version)
        y = x[1:]
        y.mul_(2); v += [x._version, y._version]
        x[0] = 3; v += [x._version, y._version]
        z = x.detach(); z.zero_(); v += [x._version, z._version]
        d = x.data; d.add_(1); v += [x._version, d._version]
        x.copy_(L.zeros(3)); v.append(x._version)
        x.fill_(2.0); v.append(x._version)
        return v
    same(run, torch)


def test_saved_version_error():
    def run(L):
        a = L.tensor([1.0, 3.0], requires_grad=True)
        b = a + 2
        loss = (b * b).mean()
        b[0] = 1000.0
        loss.backward()
    r = same(run, torch)
    assert r[0] == "raise"


def test_inplace_on_stale_view_and_retain_grad_follows():
    def run(L):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        v = y[1:]
        y.mul_(2)
        v.add_(1)
        y.retain_grad()
        y.mul_(x)
        y.sum().backward()
        return x.grad, v.grad_fn.name(), y.grad_fn.name(), v._version, y.grad
    same(run, torch)


def test_retain_grad_survives_setitem():
    def run(L):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y.retain_grad()
        y[0] = 5.0
        y[L.tensor([1])] = x[2] * 3
        (y * y).sum().backward()
        return y.grad, x.grad, y.grad_fn.name()
    same(run, torch)
