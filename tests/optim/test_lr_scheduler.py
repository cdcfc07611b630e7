"""Every scheduler: 20 optimizer steps give the same learning rates and parameters as PyTorch."""
import warnings

import numpy as np
import pytest

import ndgrad
from _torch import needs_torch, torch

from _problem import make_params, run


def _sched(name, **kw):
    return lambda lib, opt: getattr(lib.optim.lr_scheduler, name)(opt, **kw)


SCHEDULERS = [
    ("StepLR", _sched("StepLR", step_size=4, gamma=0.5)),
    ("MultiStepLR", _sched("MultiStepLR", milestones=[3, 7, 7, 12], gamma=0.5)),
    ("ExponentialLR", _sched("ExponentialLR", gamma=0.9)),
    ("CosineAnnealingLR", _sched("CosineAnnealingLR", T_max=6, eta_min=0.001)),
    ("LambdaLR", _sched("LambdaLR", lr_lambda=lambda e: 1 / (1 + e))),
    ("MultiplicativeLR", _sched("MultiplicativeLR", lr_lambda=lambda e: 0.95)),
    ("OneCycleLR", _sched("OneCycleLR", max_lr=0.2, total_steps=20)),
    ("OneCycleLR-3", _sched("OneCycleLR", max_lr=0.2, total_steps=25, three_phase=True, anneal_strategy="linear")),
    ("ReduceLROnPlateau", _sched("ReduceLROnPlateau", factor=0.5, patience=1, threshold=0.05)),
    ("LinearLR", _sched("LinearLR", start_factor=0.2, total_iters=8)),
    ("ConstantLR", _sched("ConstantLR", factor=0.5, total_iters=5)),
    ("PolynomialLR", _sched("PolynomialLR", total_iters=12, power=2.0)),
    ("CosineAnnealingWarmRestarts", _sched("CosineAnnealingWarmRestarts", T_0=3, T_mult=2, eta_min=0.01)),
    ("SequentialLR", lambda lib, opt: lib.optim.lr_scheduler.SequentialLR(
        opt, [lib.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=5),
              lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.8)], milestones=[5])),
    ("ChainedScheduler", lambda lib, opt: lib.optim.lr_scheduler.ChainedScheduler(
        [lib.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=3),
         lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)])),
]


def _sgd(lib, params):
    return lib.optim.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.05}], lr=0.1, momentum=0.9)


@needs_torch
@pytest.mark.parametrize("name,mk", SCHEDULERS, ids=[n for n, _ in SCHEDULERS])
def test_matches_pytorch(name, mk):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours, lrs, opt = run(ndgrad, _sgd, make_sched=mk)
        theirs, tlrs, topt = run(torch, _sgd, make_sched=mk)
    np.testing.assert_allclose(np.array(lrs), np.array(tlrs), rtol=1e-12)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-12)
    assert opt.param_groups[0].keys() == topt.param_groups[0].keys()


@needs_torch
def test_state_dict_matches_and_resumes():
    ours_opt = _sgd(ndgrad, make_params(ndgrad))
    their_opt = _sgd(torch, make_params(torch))
    s = ndgrad.optim.lr_scheduler.StepLR(ours_opt, step_size=2)
    t = torch.optim.lr_scheduler.StepLR(their_opt, step_size=2)
    for _ in range(3):
        ours_opt.step(), their_opt.step(), s.step(), t.step()
    sd, tsd = s.state_dict(), t.state_dict()
    assert sd == tsd
    s2 = ndgrad.optim.lr_scheduler.StepLR(ours_opt, step_size=7)
    s2.load_state_dict(sd)
    assert s2.step_size == 2 and s2.get_last_lr() == s.get_last_lr()


def test_warns_when_scheduler_steps_before_optimizer():
    opt = ndgrad.optim.SGD(make_params(ndgrad), lr=0.1)
    s = ndgrad.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
        s.step()


def test_get_lr_outside_step_warns():
    opt = ndgrad.optim.SGD(make_params(ndgrad), lr=0.1)
    s = ndgrad.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        s.get_lr()


@pytest.mark.parametrize("call,msg", [
    (lambda o: ndgrad.optim.lr_scheduler.StepLR(object(), 3), "object is not an Optimizer"),
    (lambda o: ndgrad.optim.lr_scheduler.ReduceLROnPlateau(o, factor=2.0), "Factor should be < 1.0."),
    (lambda o: ndgrad.optim.lr_scheduler.ConstantLR(o, factor=2.0),
     "Constant multiplicative factor expected to be between 0 and 1."),
    (lambda o: ndgrad.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1),
     r"You must define either total_steps OR \(epochs AND steps_per_epoch\)"),
])
def test_argument_errors(call, msg):
    opt = ndgrad.optim.SGD(make_params(ndgrad), lr=0.1)
    with pytest.raises((TypeError, ValueError), match=msg):
        call(opt)


@needs_torch
def test_one_cycle_cycles_adam_betas_like_pytorch():
    def adam(lib, params):
        return lib.optim.Adam(params, lr=0.01)
    mk = _sched("OneCycleLR", max_lr=0.05, epochs=4, steps_per_epoch=5, anneal_strategy="linear")
    ours, lrs, opt = run(ndgrad, adam, make_sched=mk)
    theirs, tlrs, topt = run(torch, adam, make_sched=mk)
    np.testing.assert_allclose(np.array(lrs), np.array(tlrs), rtol=1e-12)
    assert opt.param_groups[0]["betas"] == topt.param_groups[0]["betas"]
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-12)
