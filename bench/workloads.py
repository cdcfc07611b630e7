"""The workloads of issue 5, each written once against the PyTorch API.

A workload is a function ``make(lib, size)`` where ``lib`` is the module that
plays ``torch`` (``ndgrad`` or ``torch``).  It does the setup (data, leaves,
models) and returns a zero-argument ``run`` that performs the timed work once
and returns a scalar (float, 0-d tensor) used to check both libraries compute
the same thing.  Inputs are drawn from a seeded NumPy generator, so ndgrad and
torch see identical data and their results can be compared.

The hand-written NumPy versions with manual gradients (the floor a NumPy
engine can reach) live in ``bench/floors.py``.
"""
import math
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np


def randn(shape, seed, scale=1.0):
    """Seeded float32 standard normals (shared by workloads and floors)."""
    a = np.random.default_rng(seed).standard_normal(shape) * scale
    return a.astype(np.float32)


# (1) The seed tutorial: fit a + b x + c x^2 + d x^3 to sin(x), manual SGD.
def polyfit(lib, size):
    points, steps = size
    x = lib.linspace(-math.pi, math.pi, points)
    y = lib.sin(x)
    # The tutorial draws a, b, c, d with torch.randn(()); values from NumPy
    # make both libraries start from the same weights.
    init = [float(v) for v in randn(4, seed=1)]
    learning_rate = 1e-6

    def run():
        a, b, c, d = (lib.tensor(v, requires_grad=True) for v in init)
        for t in range(steps):
            y_pred = a + b * x + c * x ** 2 + d * x ** 3
            loss = (y_pred - y).pow(2).sum()
            if t % 100 == 99:
                loss.item()  # the tutorial prints the loss every 100 steps
            loss.backward()
            with lib.no_grad():
                a -= learning_rate * a.grad
                b -= learning_rate * b.grad
                c -= learning_rate * c.grad
                d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
        return loss

    return run


# (2) A chain of scalar ops, forward and backward; reported per forward op.
def _chain_step(lib, y, i):
    k = i % 10
    if k == 0:
        return y * 1.1
    if k == 1:
        return y + 0.3
    if k == 2:
        return lib.sin(y)
    if k == 3:
        return lib.exp(y)
    if k == 4:
        return lib.tanh(y)
    if k == 5:
        return y.pow(2)
    if k == 6:
        return y - 0.2
    if k == 7:
        return y / 1.3
    if k == 8:
        return lib.cos(y)
    return y ** 3


def chain(lib, size):
    n_ops = size
    start = float(randn((), seed=2))

    def run():
        x = lib.tensor(start, requires_grad=True)
        y = x
        for i in range(n_ops):
            y = _chain_step(lib, y, i)
        y.backward()
        return x.grad

    return run


# (3) f'(x) and f''(x) of x^3 - 1/x, one point at a time.
def derivs(lib, size):
    points = [float(v) for v in np.linspace(0.5, 2.0, size)]

    def run():
        total = 0.0
        for v in points:
            x = lib.tensor(v, requires_grad=True)
            y = x ** 3 - 1 / x
            (dy,) = lib.autograd.grad(y, x, create_graph=True)
            (d2y,) = lib.autograd.grad(dy, x)
            total += dy.item() + d2y.item()
        return total

    return run


# (4) Large elementwise expression, forward and backward, float32.
def elementwise(lib, size):
    x = lib.tensor(randn(size, seed=4), requires_grad=True)

    def run():
        x.grad = None
        loss = (lib.sin(x) * lib.exp(-x ** 2) + x ** 3).sum()
        loss.backward()
        return x.grad.sum()

    return run


# (5) Three square matmul + tanh layers, forward and backward, float32.
def matmul_tanh(lib, size):
    n = size
    x = lib.tensor(randn((n, n), seed=5))
    ws = [lib.tensor(randn((n, n), seed=50 + i, scale=n ** -0.5), requires_grad=True)
          for i in range(3)]

    def run():
        for w in ws:
            w.grad = None
        h = x
        for w in ws:
            h = lib.tanh(h @ w)
        loss = h.sum()
        loss.backward()
        return ws[0].grad.sum()

    return run


# (6) Hessian of sum(sin(x) x^2) + x^T A x through autograd.functional.
def hessian(lib, size):
    n = size
    a = lib.tensor(randn((n, n), seed=6, scale=n ** -0.5))
    x0 = lib.tensor(randn(n, seed=7))
    hessian_fn = lib.autograd.functional.hessian

    def f(x):
        return (lib.sin(x) * x ** 2).sum() + x @ a @ x

    def run():
        return hessian_fn(f, x0).sum()

    return run


# (7) One training step of a 784-256-256-10 MLP: ReLU, cross-entropy, Adam.
def mlp_train(lib, size):
    batch, widths = size
    nn = lib.nn
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
        if i:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(fan_in, fan_out))
    model = nn.Sequential(*layers)
    with lib.no_grad():  # same starting weights in both libraries
        for i, p in enumerate(model.parameters()):
            p.copy_(lib.tensor(randn(tuple(p.shape), seed=70 + i, scale=0.05)))
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    inputs = lib.tensor(randn((batch, widths[0]), seed=8))
    rng = np.random.default_rng(9)
    target = lib.tensor(rng.integers(0, widths[-1], size=batch))
    cross_entropy = nn.functional.cross_entropy

    def run():
        opt.zero_grad()
        loss = cross_entropy(model(inputs), target)
        loss.backward()
        opt.step()
        return loss

    return run


# (8) Per-sample gradients of a small MLP (32-64-10, tanh, cross-entropy) by vmap(grad), batch 64.
def per_sample_grads(lib, size):
    batch, (n_in, n_hid, n_out) = size
    func = lib.func
    params = (lib.tensor(randn((n_in, n_hid), seed=80, scale=n_in ** -0.5)), lib.tensor(randn(n_hid, seed=81)),
              lib.tensor(randn((n_hid, n_out), seed=82, scale=n_hid ** -0.5)))
    x = lib.tensor(randn((batch, n_in), seed=83))
    y = lib.tensor(np.random.default_rng(84).integers(0, n_out, size=batch))
    F = lib.nn.functional   # looked up at call time, as user code does (F.cross_entropy)

    def loss(params, xi, yi):
        w1, b1, w2 = params
        return F.cross_entropy((lib.tanh(xi @ w1 + b1) @ w2).unsqueeze(0), yi.unsqueeze(0))

    per_sample = func.vmap(func.grad(loss), in_dims=(None, 0, 0))

    def run():
        return per_sample(params, x, y)[0].sum()

    return run


@dataclass(frozen=True)
class Workload:
    name: str
    title: str
    make: Callable
    size: object            # the size
    quick: object           # tiny size for --quick and the smoke test
    target: str             # 'torch' (faster torch setting), 'torch_default' or 'floor'
    limit: float            # the ratio the issue asks for
    unit: str = "ms"        # how the table shows a time
    per: object = 1         # divide a run's time by this (int, or size -> int)
    floor: Optional[str] = None   # name of the function in bench/floors.py

    def divisor(self, size):
        return self.per(size) if callable(self.per) else self.per


WORKLOADS = [
    Workload("polyfit", "(1) polyfit sin(x), 2000 pts x 2000 SGD steps", polyfit,
             (2000, 2000), (50, 5), "torch", 0.7, unit="ms"),
    Workload("chain", "(2) chain of 100 scalar ops, fwd+bwd, per op", chain,
             100, 10, "torch", 0.7, unit="us", per=lambda size: size),
    Workload("derivs", "(3) f', f'' of x^3-1/x at 1000 pts, grad(create_graph)", derivs,
             1000, 5, "torch", 0.7, unit="ms"),
    Workload("elementwise", "(4) (sin(x)exp(-x^2)+x^3).sum() fwd+bwd, 4M f32", elementwise,
             4_000_000, 1000, "floor", 1.1, unit="ms", floor="elementwise"),
    Workload("matmul_tanh", "(5) 3 x (1024^2 matmul + tanh) fwd+bwd, f32", matmul_tanh,
             1024, 16, "floor", 1.1, unit="ms", floor="matmul_tanh"),
    Workload("hessian", "(6) Hessian of sum(sin(x)x^2)+x@A@x, n=200", hessian,
             200, 5, "torch_default", 1.0, unit="ms"),
    Workload("mlp_train", "(7) MLP 784-256-256-10 train step, batch 128, Adam", mlp_train,
             (128, (784, 256, 256, 10)), (4, (12, 8, 8, 3)), "torch_default", 1.0, unit="ms"),
    Workload("per_sample_grads", "(8) per-sample grads, vmap(grad) MLP 32-64-10, batch 64", per_sample_grads,
             (64, (32, 64, 10)), (4, (3, 5, 2)), "torch_default", 1.0, unit="ms"),
]

BY_NAME = {w.name: w for w in WORKLOADS}
