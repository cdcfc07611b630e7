"""Hand-written NumPy versions with manual gradients: the floor of a NumPy engine.

Same signature and inputs as the workloads in ``bench/workloads.py`` (minus
``lib``): ``floor(size)`` returns ``run`` computing the same forward and
backward with plain NumPy calls, reusing forward intermediates the way an
autograd engine saves them, no graph, no wrappers.  Written the way a careful
person writes it by hand, not with fusion tricks an engine could not use
(no numexpr, no in-place rewrites of values an engine must keep).
"""
import numpy as np

from bench.workloads import randn


def elementwise(size):
    x = randn(size, seed=4)

    def run():
        # forward: loss = sum(sin(x) * exp(-x^2) + x^3)
        x2 = x * x
        e = np.exp(-x2)
        s = np.sin(x)
        se = s * e
        (se + x2 * x).sum()  # the loss
        # backward: d/dx = cos(x) e - 2 x sin(x) e + 3 x^2
        grad = np.cos(x) * e
        grad -= 2 * x * se
        grad += 3 * x2
        return grad.sum()

    return run


def matmul_tanh(size):
    n = size
    x = randn((n, n), seed=5)
    ws = [randn((n, n), seed=50 + i, scale=n ** -0.5) for i in range(3)]

    def run():
        acts = [x]
        for w in ws:
            acts.append(np.tanh(acts[-1] @ w))
        acts[-1].sum()  # the loss
        g = np.ones_like(acts[-1])
        grads = [None] * len(ws)
        for i in reversed(range(len(ws))):
            h = acts[i + 1]
            g = g * (1 - h * h)          # through tanh
            grads[i] = acts[i].T @ g     # dL/dW_i
            if i:                        # x needs no gradient
                g = g @ ws[i].T
        return grads[0].sum()

    return run
