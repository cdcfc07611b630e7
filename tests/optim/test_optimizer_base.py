"""Optimizer base: argument errors, param groups, zero_grad, hooks, closures, state_dict round trips."""
import copy

import numpy as np
import pytest

import ndgrad
from _torch import needs_torch, torch

from _problem import loss_fn, make_params, run


def _errors(lib, call):
    try:
        call(lib)
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


CALLS = [
    lambda lib: lib.optim.SGD(lib.zeros(2, requires_grad=True), lr=0.1),
    lambda lib: lib.optim.SGD([], lr=0.1),
    lambda lib: lib.optim.SGD([lib.zeros(2, requires_grad=True)], lr=-1),
    lambda lib: lib.optim.SGD([lib.zeros(2, requires_grad=True)], lr=0.1, momentum=-0.5),
    lambda lib: lib.optim.SGD([lib.zeros(2, requires_grad=True)], lr=0.1, nesterov=True),
    lambda lib: lib.optim.SGD([1.0], lr=0.1),
    lambda lib: lib.optim.SGD([lib.zeros(2, requires_grad=True) * 2], lr=0.1),
    lambda lib: lib.optim.Adam([lib.zeros(2, requires_grad=True)], betas=(1.0, 0.9)),
    lambda lib: lib.optim.Adam([lib.zeros(2, requires_grad=True)], eps=-1.0),
    lambda lib: lib.optim.Adagrad([lib.zeros(2, requires_grad=True)], lr_decay=-1),
    lambda lib: lib.optim.Adadelta([lib.zeros(2, requires_grad=True)], rho=1.5),
    lambda lib: lib.optim.RMSprop([lib.zeros(2, requires_grad=True)], alpha=-1),
    lambda lib: lib.optim.NAdam([lib.zeros(2, requires_grad=True)], momentum_decay=-1),
    lambda lib: lib.optim.LBFGS([{"params": [lib.zeros(2, requires_grad=True)]},
                                 {"params": [lib.zeros(2, requires_grad=True)]}]),
]


@needs_torch
@pytest.mark.parametrize("i", range(len(CALLS)))
def test_argument_errors_match_pytorch(i):
    ours, theirs = _errors(ndgrad, CALLS[i]), _errors(torch, CALLS[i])
    assert theirs is not None
    assert ours is not None and ours[0] == theirs[0]
    assert ours[1].replace("ndgrad", "torch") == theirs[1]


@needs_torch
def test_add_param_group_errors_match_pytorch():
    for lib in (ndgrad, torch):
        w = lib.zeros(2, requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1)
        with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
            opt.add_param_group({"params": [w]})
        with pytest.raises(TypeError, match="param_group must be a dict"):
            opt.add_param_group([w])
        with pytest.warns(UserWarning, match="duplicate parameters"):
            v = lib.zeros(2, requires_grad=True)
            opt.add_param_group({"params": [v, v]})


def test_required_lr_and_group_defaults():
    from ndgrad.optim.optimizer import Optimizer, required

    class Plain(Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, dict(lr=lr, extra=3))
    w = ndgrad.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="didn't specify a value of required optimization parameter lr"):
        Plain([w])
    opt = Plain([{"params": [w], "lr": 0.5}])
    assert opt.param_groups[0]["extra"] == 3


def test_zero_grad():
    w = ndgrad.ones(2, requires_grad=True)
    opt = ndgrad.optim.SGD([w], lr=0.1)
    (w * 3).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert w.grad is not None and w.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert w.grad is None


def test_step_runs_without_grad_and_closure_with_grad():
    w = ndgrad.ones(2, requires_grad=True)
    opt = ndgrad.optim.SGD([w], lr=0.1)
    seen = []

    def closure():
        seen.append(ndgrad.is_grad_enabled())
        opt.zero_grad()
        loss = (w ** 2).sum()
        loss.backward()
        return loss
    loss = opt.step(closure)
    assert seen == [True] and loss.item() == 2.0 and w.grad_fn is None and np.allclose(w.tolist(), [0.8, 0.8])


def test_step_hooks():
    w = ndgrad.ones(2, requires_grad=True)
    opt = ndgrad.optim.Adam([w])
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
    w.sum().backward()
    opt.step()
    h1.remove()
    opt.step()
    assert calls == ["pre", "post", "post"]


@needs_torch
@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(lr=0.01, amsgrad=True)),
                                     ("RMSprop", dict(centered=True, momentum=0.5)), ("NAdam", {}),
                                     ("Adagrad", {}), ("LBFGS", dict(max_iter=3))])
def test_state_dict_roundtrip_resumes_identically(name, kw):
    """state_dict -> save -> load -> load_state_dict into a fresh optimizer continues exactly like PyTorch."""
    import io

    def mk(lib, params):
        return getattr(lib.optim, name)(params, **kw)
    closure = name == "LBFGS"
    ours, _, opt = run(ndgrad, mk, steps=5, closure=closure)
    theirs, _, topt = run(torch, mk, steps=5, closure=closure)
    buf = io.BytesIO()
    ndgrad.save(opt.state_dict(), buf)
    buf.seek(0)
    sd = ndgrad.load(buf)
    params = [ndgrad.tensor(a, requires_grad=True) for a in ours]
    tparams = [torch.tensor(a, requires_grad=True) for a in theirs]
    opt2, topt2 = mk(ndgrad, params), mk(torch, tparams)
    opt2.load_state_dict(sd)
    topt2.load_state_dict(copy.deepcopy(topt.state_dict()))
    for lib, o, ps in ((ndgrad, opt2, params), (torch, topt2, tparams)):
        for _ in range(5):
            def closure_fn():
                o.zero_grad()
                loss = loss_fn(lib, ps)
                loss.backward()
                return loss
            if closure:
                o.step(closure_fn)
            else:
                closure_fn()
                o.step()
    for a, b in zip(params, tparams):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5)
    assert opt2.state_dict()["param_groups"] == topt2.state_dict()["param_groups"]


def test_load_state_dict_errors():
    opt = ndgrad.optim.SGD(make_params(ndgrad), lr=0.1)
    other = ndgrad.optim.SGD([{"params": make_params(ndgrad)[:1]}, {"params": make_params(ndgrad)[1:]}], lr=0.1)
    with pytest.raises(ValueError, match="loaded state dict has a different number of parameter groups"):
        opt.load_state_dict(other.state_dict())
    small = ndgrad.optim.SGD(make_params(ndgrad)[:1], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict(small.state_dict())


def test_user_subclass_keeps_its_grad_mode_and_gets_hooks():
    from ndgrad.optim import Optimizer

    class Mine(Optimizer):
        def __init__(self, params):
            super().__init__(params, dict(lr=0.1))

        def step(self, closure=None):
            self.seen = ndgrad.is_grad_enabled()
            with ndgrad.no_grad():
                for g in self.param_groups:
                    for p in g["params"]:
                        p.sub_(g["lr"] * p.grad)
    w = ndgrad.ones(2, requires_grad=True)
    opt = Mine([w])
    calls = []
    opt.register_step_post_hook(lambda o, a, k: calls.append(1))
    w.sum().backward()
    opt.step()
    assert opt.seen is True and calls == [1] and np.allclose(w.tolist(), [0.9, 0.9])
