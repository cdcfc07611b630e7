"""Gradients of ops that pass the incoming gradient through a mask (relu, clamp, hardtanh, max of all
elements...): PyTorch selects (where(mask, g, 0)), so an inf or nan upstream gradient gives 0 where the
mask is off, while reductions along a dim scale by the mask (g * mask / count: nan there). Both the array
rules (plain backward) and the tensor rules (create_graph) are checked against torch."""
import pytest

import ndgrad
from _torch import needs_torch, torch

pytestmark = needs_torch

INF, NAN = float("inf"), float("nan")
X = [-2.0, 0.5, 2.0, 0.0]
CASES = {
    "relu": lambda L, x: L.relu(x),
    "relu_module": lambda L, x: L.nn.ReLU()(x),
    "relu6": lambda L, x: L.nn.functional.relu6(x),
    "hardtanh": lambda L, x: L.nn.functional.hardtanh(x),
    "clamp": lambda L, x: L.clamp(x, -1, 1),
    "clamp_min": lambda L, x: L.clamp(x, min=0),
    "clamp_max": lambda L, x: x.clamp(max=0.5),
    "clamp_tensor_bounds": lambda L, x: L.clamp(x, L.tensor(-1.0), L.tensor(1.0)),
    "hardsigmoid": lambda L, x: L.nn.functional.hardsigmoid(x * 2),
    "hardswish": lambda L, x: L.nn.functional.hardswish(x * 2),
    "hardshrink": lambda L, x: L.nn.functional.hardshrink(x, 0.5),
    "softshrink": lambda L, x: L.nn.functional.softshrink(x, 0.5),
    "max_all": lambda L, x: x.max(),
    "min_all": lambda L, x: x.min(),
    "amax_dim": lambda L, x: L.amax(x, 0),
    "max_dim": lambda L, x: x.max(0)[0],
}


def _grad(L, name, upstream, create_graph):
    x = L.tensor(X, requires_grad=True)
    y = CASES[name](L, x)
    (g,) = L.autograd.grad(y, x, L.full(tuple(y.shape), upstream), create_graph=create_graph)
    return str(g.detach().tolist())


@pytest.mark.parametrize("create_graph", [False, True], ids=["arrays", "tensors"])
@pytest.mark.parametrize("upstream", [INF, NAN, 2.0, -2.0], ids=["inf", "nan", "finite", "negative"])  # -2: +0.0 off the mask
@pytest.mark.parametrize("name", sorted(CASES))
def test_masked_gradient_matches_torch(name, upstream, create_graph):
    assert _grad(ndgrad, name, upstream, create_graph) == _grad(torch, name, upstream, create_graph)
