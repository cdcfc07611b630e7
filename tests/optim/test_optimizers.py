"""Every optimizer, 20 steps from the same weights: same parameters as PyTorch (float64, rtol 1e-5)."""
import numpy as np
import pytest

import ndgrad
from _torch import needs_torch, torch

from _problem import run

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, maximize=False)),
    ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, maximize=True, betas=(0.8, 0.99))),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True, weight_decay=0.05)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.01)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1, weight_decay=0.01)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.01, maximize=True)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, weight_decay=0.01)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.01, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.01, decoupled_weight_decay=True)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.1), maximize=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, t0=5, lambd=0.01, weight_decay=0.01)),
]


def _opt(name, kw):
    return lambda lib, params: getattr(lib.optim, name)(params, **kw)


@needs_torch
@pytest.mark.parametrize("name,kw", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_matches_pytorch(name, kw):
    ours, _, opt = run(ndgrad, _opt(name, kw))
    theirs, _, topt = run(torch, _opt(name, kw))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-12)
    # the state has the same keys and values
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sd["param_groups"] == tsd["param_groups"]
    assert sd["state"].keys() == tsd["state"].keys()
    for k in tsd["state"]:
        assert sd["state"][k].keys() == tsd["state"][k].keys()
        for key, v in tsd["state"][k].items():
            np.testing.assert_allclose(sd["state"][k][key].numpy(), v.numpy(), rtol=1e-5, atol=1e-12)
            assert str(sd["state"][k][key].dtype) == str(v.dtype)


@needs_torch
@pytest.mark.parametrize("kw", [dict(), dict(line_search_fn="strong_wolfe", history_size=5)])
def test_lbfgs_matches_pytorch(kw):
    def mk(lib, params):
        return lib.optim.LBFGS(params, lr=0.5, max_iter=5, **kw)
    ours, _, _ = run(ndgrad, mk, steps=4, closure=True)
    theirs, _, _ = run(torch, mk, steps=4, closure=True)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-10)


@needs_torch
def test_param_groups_with_own_options():
    def mk(lib, params):
        return lib.optim.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.01}], lr=0.1,
                             momentum=0.9)
    ours, _, opt = run(ndgrad, mk)
    theirs, _, topt = run(torch, mk)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5)
    assert repr(opt) == repr(topt)


@needs_torch
@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)), ("Adam", dict(lr=0.01)),
                                     ("RMSprop", dict(lr=0.01, centered=True))])
def test_float32_stays_float32_and_close(name, kw):
    def run32(lib):
        w = lib.tensor([[0.5, -1.5], [2.0, 0.25]], dtype=lib.float32, requires_grad=True)
        opt = getattr(lib.optim, name)([w], **kw)
        for _ in range(20):
            opt.zero_grad()
            (lib.sin(w) * w).sum().backward()
            opt.step()
        assert w.dtype == lib.float32
        return w.detach().numpy()
    np.testing.assert_allclose(run32(ndgrad), run32(torch), rtol=1e-5, atol=1e-6)
