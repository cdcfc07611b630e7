"""Array rules (``avjp`` in the op table) against the tensor rules they stand in for.

Backward without ``create_graph`` runs an op's rule on NumPy arrays when it has one; with
``create_graph`` it runs the tensor rule. Both must give the same gradients (values, dtypes,
shapes) for every op-table entry (hypothesis shapes, both float dtypes), every nn functional
case of tests/nn/test_nn_gradcheck.py and a few fixed cases; and every op that declares an array
rule must be reached by one of them, so none goes untested.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import ndgrad
from ndgrad._ops._core import OPS
from _draw import Draw
from _harness import build, leaves
from op_table import TABLE

SETTINGS = dict(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
# backward not supported for the drawn case (tests/ops/test_op_table.py KNOWN_GRAD)
UNSUPPORTED = {"einsum_trace", "scatter_add"}
GRAD = [e for e in TABLE if e.grad and e.name not in UNSUPPORTED]
REACHED = set()


def _nodes(outs):
    seen, stack = set(), [o.grad_fn for o in outs if o.grad_fn is not None]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        stack.extend(c for c, _ in n.next_functions if c is not None)
    return seen


@pytest.mark.parametrize("entry", GRAD, ids=lambda e: e.name)
@settings(max_examples=6, **SETTINGS)
@given(data=st.data())
def test_array_rule_equals_tensor_rule(entry, data):
    dt = data.draw(st.sampled_from([d for d in entry.dtypes if d in ("float32", "float64")] or ["float64"]))
    args = entry.gen(Draw(data, empty=True, max_side=3), dt)
    built = build(ndgrad, args, True)
    ins = [x for x in leaves(built) if x.requires_grad]
    if not ins:
        return
    try:
        r = entry.fn(ndgrad, *built)
    except Exception:  # noqa: BLE001 - invalid drawn arguments: the parity test checks the error
        return
    outs = [o for o in (r if isinstance(r, (tuple, list)) else (r,))
            if isinstance(o, ndgrad.Tensor) and o.requires_grad]
    if not outs:
        return
    REACHED.update(type(n).__name__ for n in _nodes(outs) if getattr(n, "_arule", None) is not None)
    rng = np.random.default_rng(0)
    gouts = [ndgrad.from_numpy(rng.standard_normal(o.shape).astype(o.detach().numpy().dtype)) for o in outs]
    kw = dict(grad_outputs=gouts, retain_graph=True, allow_unused=True)
    by_arrays = ndgrad.autograd.grad(outs, ins, **kw)
    by_tensors = ndgrad.autograd.grad(outs, ins, create_graph=True, **kw)
    for a, t in zip(by_arrays, by_tensors):
        assert (a is None) == (t is None)
        if a is None:
            continue
        assert a.dtype == t.dtype and a.shape == t.shape
        assert a.grad_fn is None
        tol = 1e-5 if a.dtype == ndgrad.float32 else 1e-12
        np.testing.assert_allclose(a.numpy(), t.detach().numpy(), rtol=tol, atol=tol, equal_nan=True)


def _nn_cases():
    import os
    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nn"))
    from test_nn_gradcheck import CASES
    return CASES


NN = _nn_cases()


def _t(*shape):
    return ndgrad.tensor(np.random.default_rng(len(shape)).standard_normal(shape), requires_grad=True)


# fixed cases next to the drawn ones (a drawn shape can leave an op degenerate, e.g. unbind of a 0-d tensor)
EXTRA = {
    "inplace_views": (lambda x: tuple(getattr(x * 1.0, n)(*a) for n, a in (
        ("unsqueeze_", (1,)), ("t_", ()), ("transpose_", (0, 1)))) + tuple(
        getattr((x * 1.0).unsqueeze_(0), n)(*a) for n, a in (("squeeze_", ()), ("squeeze_", ((0, 2),)))),
        lambda: [_t(2, 3)]),
    "unbind": (lambda x: x.unbind(1), lambda: [_t(2, 3)]),
    "split_with_sizes": (lambda x: x.split([1, 2], 1), lambda: [_t(2, 3)]),
    "cat_stack": (lambda x, y: ndgrad.stack([ndgrad.cat([x, y], 0), ndgrad.cat([y, x], 0)], 1),
                  lambda: [_t(2, 3), _t(1, 3)]),
    "leaky_relu_inplace": (lambda x: ndgrad.nn.functional.leaky_relu(x * 1, 0.2, inplace=True), lambda: [_t(2, 3)]),
    "elu_inplace": (lambda x: ndgrad.nn.functional.elu(x * 1, 0.7, inplace=True), lambda: [_t(2, 3)]),
    "max_pool3d": (lambda x: ndgrad.nn.functional.max_pool3d(x, 2), lambda: [_t(1, 2, 2, 3, 4)]),
    "sort": (lambda x: x.sort(1)[0], lambda: [_t(2, 3)]),
    "topk": (lambda x: x.topk(2, 1)[0], lambda: [_t(2, 3)]),
    "kthvalue": (lambda x: x.kthvalue(2, 0, keepdim=True)[0], lambda: [_t(3, 2)]),
    "median_dim": (lambda x: x.median(1)[0], lambda: [_t(2, 3)]),
    "lstm_cell": (lambda gates, c: _lstm_cell()(gates, c), lambda: [_t(2, 8), _t(2, 2)]),
    "gru_cell": (lambda xi, hh, h: _gru_cell()(xi, hh, h), lambda: [_t(2, 6), _t(3, 6)[:2], _t(2, 2)]),
}


def _lstm_cell():
    from ndgrad._ops._nn_rnn import lstm_cell
    return lstm_cell


def _gru_cell():
    from ndgrad._ops._nn_rnn import gru_cell
    return gru_cell


@pytest.mark.parametrize("name", sorted(NN) + sorted(EXTRA))
def test_fixed_case_array_rule_equals_tensor_rule(name):
    fn, make = NN[name] if name in NN else EXTRA[name]
    ins = make()
    outs = fn(*ins)
    outs = [o for o in (outs if isinstance(outs, (tuple, list)) else (outs,)) if o.requires_grad]
    REACHED.update(type(n).__name__ for n in _nodes(outs) if getattr(n, "_arule", None) is not None)
    rng = np.random.default_rng(1)
    gouts = [ndgrad.from_numpy(rng.standard_normal(o.shape)) for o in outs]
    kw = dict(grad_outputs=gouts, retain_graph=True, allow_unused=True)
    for a, t in zip(ndgrad.autograd.grad(outs, ins, **kw), ndgrad.autograd.grad(outs, ins, create_graph=True, **kw)):
        assert (a is None) == (t is None)
        if a is not None:
            assert a.dtype == t.dtype and a.shape == t.shape
            np.testing.assert_allclose(a.numpy(), t.detach().numpy(), rtol=1e-12, atol=1e-12)


def test_every_array_rule_is_reached():
    if len(REACHED) == 0:
        pytest.skip("run with the table tests above (they record which array rules ran)")
    declared = {op.node_cls.__name__ for op in OPS.values() if op.avjp is not None}
    assert declared - REACHED == set()
