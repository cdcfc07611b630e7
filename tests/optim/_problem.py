"""A small float64 regression problem run identically on ndgrad and on PyTorch."""
import numpy as np


RNG = np.random.default_rng(1234)
W0 = RNG.standard_normal((3, 4))
B0 = RNG.standard_normal(3)
X = RNG.standard_normal((8, 4))
Y = RNG.standard_normal((8, 3))


def make_params(lib):
    w = lib.tensor(W0.copy(), dtype=lib.float64, requires_grad=True)
    b = lib.tensor(B0.copy(), dtype=lib.float64, requires_grad=True)
    return [w, b]


def loss_fn(lib, params):
    w, b = params
    x = lib.tensor(X, dtype=lib.float64)
    y = lib.tensor(Y, dtype=lib.float64)
    return ((lib.tanh(x @ w.T + b) - y) ** 2).mean() + 0.1 * (w ** 2).sum()


def run(lib, make_opt, steps=20, make_sched=None, closure=False):
    """Parameters (NumPy) and learning rates after ``steps`` optimizer steps."""
    params = make_params(lib)
    opt = make_opt(lib, params)
    sched = make_sched(lib, opt) if make_sched else None
    lrs = []
    for _ in range(steps):
        def closure_fn():
            opt.zero_grad()
            loss = loss_fn(lib, params)
            loss.backward()
            return loss
        if closure:
            opt.step(closure_fn)
        else:
            loss = closure_fn()
            opt.step()
        if sched is not None:
            if type(sched).__name__ == "ReduceLROnPlateau":
                sched.step(float(loss_fn(lib, params).detach()))
            else:
                sched.step()
        lrs.append([g["lr"] for g in opt.param_groups])
    return [p.detach().numpy().copy() for p in params], lrs, opt
