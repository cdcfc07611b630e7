"""The least a Python autograd on NumPy can cost: a bare tape, for the scalar workloads.

``python -m bench.tape_floor`` times workloads (1) polyfit and (2) chain written
against the smallest reverse-mode engine that still records a graph: one
``__slots__`` object per op holding its value, parents and a backward closure,
and a backward pass over the tape in reverse. No dtype promotion, no broadcasting
rules, no version counters, hooks, error checks, retain_graph or create_graph:
what no real engine can do without. Figures next to ndgrad's and torch's in one
run show how much of a target is reachable by any engine written in Python over
NumPy (bench/README.md, "Latest figures").
"""
import math
import sys
import time

import numpy as np


class V:
    __slots__ = ("d", "g", "back")

    def __init__(self, d, back=None):
        self.d = d
        self.g = None
        self.back = back


TAPE = []


def _node(d, back):
    v = V(d, back)
    TAPE.append(v)
    return v


def _acc(v, g):
    v.g = g if v.g is None else v.g + g


def mul(a, b):
    if isinstance(b, V):
        out = _node(a.d * b.d, lambda g: (_acc(a, g * b.d), _acc(b, g * a.d)))
    else:
        out = _node(a.d * b, lambda g: _acc(a, g * b))
    return out


def add(a, b):
    if isinstance(b, V):
        return _node(a.d + b.d, lambda g: (_acc(a, g), _acc(b, g)))
    return _node(a.d + b, lambda g: _acc(a, g))


def sub(a, b):
    if isinstance(b, V):
        return _node(a.d - b.d, lambda g: (_acc(a, g), _acc(b, -g)))
    return _node(a.d - b, lambda g: _acc(a, g))


def unary(f, df, a):
    return _node(f(a.d), lambda g: _acc(a, g * df(a.d)))


def power(a, e):
    return _node(a.d ** e, lambda g: _acc(a, g * (e * a.d ** (e - 1))))


def total(a):
    return _node(a.d.sum(), lambda g: _acc(a, np.broadcast_to(g, a.d.shape)))


def backward(out):
    out.g = np.ones_like(out.d)
    for v in reversed(TAPE):
        if v.g is not None and v.back is not None:
            v.back(v.g)
    TAPE.clear()


def reduce_to_scalar(g):
    return g.sum() if np.ndim(g) else g


def chain(n_ops=100):
    x = V(np.float64(0.3))
    y = x
    for i in range(n_ops):
        k = i % 10
        y = (mul(y, 1.1) if k == 0 else add(y, 0.3) if k == 1 else unary(np.sin, np.cos, y) if k == 2 else
             unary(np.exp, np.exp, y) if k == 3 else unary(np.tanh, lambda d: 1 - np.tanh(d) ** 2, y) if k == 4
             else power(y, 2) if k == 5 else sub(y, 0.2) if k == 6 else mul(y, 1 / 1.3) if k == 7 else
             unary(np.cos, lambda d: -np.sin(d), y) if k == 8 else power(y, 3))
    backward(y)
    return x.g


def polyfit(points=2000, steps=2000):
    xs = np.linspace(-math.pi, math.pi, points).astype(np.float32)
    ys = np.sin(xs)
    x2, x3 = xs * xs, xs * xs * xs
    w = [np.float32(v) for v in (0.1, 0.2, 0.3, 0.4)]
    for _ in range(steps):
        a, b, c, d = (V(v) for v in w)
        y_pred = add(add(add(a, mul(b, xs)), mul(c, x2)), mul(d, x3))
        diff = sub(y_pred, ys)
        loss = total(power(diff, 2))
        backward(loss)
        w = [v.d - 1e-6 * reduce_to_scalar(v.g) for v in (a, b, c, d)]
    return loss.d


def _best(f, reps):
    f()
    best = math.inf
    for _ in range(reps):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def main():
    c = _best(lambda: chain(100), 200) / 100 * 1e6
    p = _best(lambda: polyfit(2000, 2000), 5) * 1e3
    print(f"bare Python tape over NumPy: chain {c:.2f} us/op (forward + backward), polyfit {p:.0f} ms "
          f"(Python {sys.version.split()[0]}, NumPy {np.__version__})")


if __name__ == "__main__":
    main()
