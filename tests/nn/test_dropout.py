"""Dropout functions and modules against PyTorch: graphs (grad_fn chain), shapes, warnings, errors, in-place
forms, identity when off; and the statistics of what is drawn."""
import warnings

import numpy as np
import pytest

import ndgrad
from _torch import needs_torch, torch

F = ndgrad.nn.functional

CASES = [
    ("dropout1d", (2, 3, 4), {}), ("dropout1d", (3, 4), {}), ("dropout1d", (3,), {}),
    ("dropout1d", (3, 4), dict(training=False)), ("dropout1d", (2, 3, 4), dict(p=1.5)),
    ("dropout2d", (2, 3, 4, 5), {}), ("dropout2d", (2, 3, 4), {}), ("dropout2d", (2, 3), {}), ("dropout2d", (3,), {}),
    ("dropout2d", (2, 3, 4, 5), dict(training=False)),
    ("dropout3d", (2, 3, 4, 5, 6), {}), ("dropout3d", (3, 4, 5, 6), {}), ("dropout3d", (3, 4, 5), {}),
    ("dropout3d", (3, 4, 5, 6), dict(training=False)),
    ("alpha_dropout", (4, 5), dict(training=True)), ("alpha_dropout", (4, 5), {}),
    ("alpha_dropout", (4, 5), dict(training=True, p=1.0)),
    ("feature_alpha_dropout", (4, 5, 3), dict(training=True)), ("feature_alpha_dropout", (4,), dict(training=True)),
    ("feature_alpha_dropout", (2, 3, 4), dict(training=True, p=0.0)),
    ("dropout", (4, 5), dict(p=1.0)), ("dropout", (0, 5), {}), ("dropout", (4, 5), dict(p=-0.1)),
]


def _chain(fn):
    names = []
    while fn is not None and type(fn).__name__ != "AccumulateGrad":
        names.append(type(fn).__name__)
        fn = fn.next_functions[0][0]
    return names


def _run(lib, name, shape, kw, inplace):
    x = lib.ones(*shape, requires_grad=True)
    y = x * 1.0
    v0 = y._version
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            r = getattr(lib.nn.functional, name)(y, inplace=inplace, **kw)
        except (RuntimeError, ValueError) as e:
            return type(e).__name__, str(e)
    out = [_chain(r.grad_fn), tuple(r.shape), r is y, y._version - v0, [str(i.message) for i in w],
           [i.filename for i in w]]
    if r.numel():
        r.sum().backward()
        out.append(tuple(x.grad.shape))
    return out


@needs_torch
@pytest.mark.parametrize("inplace", [False, True])
@pytest.mark.parametrize("name,shape,kw", CASES, ids=[f"{n}-{len(s)}d-{i}" for i, (n, s, _) in enumerate(CASES)])
def test_matches_pytorch(name, shape, kw, inplace):
    assert _run(ndgrad, name, shape, kw, inplace) == _run(torch, name, shape, kw, inplace)


def test_alpha_dropout_keeps_mean_and_variance():
    ndgrad.manual_seed(0)
    x = ndgrad.tensor(np.random.default_rng(0).standard_normal((400, 500)), dtype=ndgrad.float32)
    y = F.alpha_dropout(x, 0.2, True)
    assert abs(y.mean().item()) < 0.01 and abs(y.var().item() - 1) < 0.01 and y.dtype == ndgrad.float32
    # two values on a constant input: kept ones a*1 + alpha*a*p, dropped ones alpha*a*(p - 1) (PyTorch's)
    values = sorted(set(np.round(F.alpha_dropout(ndgrad.ones(2000), 0.3, True).numpy(), 5).tolist()))
    assert values == pytest.approx([-1.05955, 1.31504], abs=1e-5)


@pytest.mark.parametrize("name,shape", [("dropout1d", (20, 30, 7)), ("dropout2d", (20, 30, 3, 3)),
                                        ("dropout3d", (20, 30, 2, 2, 2)), ("feature_alpha_dropout", (20, 30, 5))])
def test_feature_dropout_drops_whole_channels(name, shape):
    kw = dict(training=True) if name == "feature_alpha_dropout" else {}
    y = getattr(F, name)(ndgrad.ones(*shape), 0.5, **kw).numpy().reshape(shape[0], shape[1], -1)
    assert np.all((y == y[..., :1]).all(axis=-1))  # one draw per (sample, channel)
    assert 0.4 < (y[..., 0] == y[..., 0].max()).mean() < 0.6


@needs_torch
@pytest.mark.parametrize("src", ["nn.Dropout3d(0.3)", "nn.AlphaDropout(0.1, inplace=True)", "nn.FeatureAlphaDropout()"])
def test_modules_repr_and_eval_identity(src):
    m, tm = eval(src, {"nn": ndgrad.nn}), eval(src, {"nn": torch.nn})
    assert repr(m) == repr(tm)
    x = ndgrad.ones(2, 3, 2, 2, 2)
    assert m.eval()(x) is x
