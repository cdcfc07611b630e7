"""The operator lanes (ndgrad/_ops/_lane.py) against the general path they shortcut.

Each operator method with a lane (``__add__``, ``__radd__``, ``__sub__``, ``__mul__``, ``__rmul__``,
``__truediv__``) must give exactly what its ``general`` function gives: result bits, dtype and shape,
and a node that is the same in every field backward reads (class, edges, needs, input metadata,
params, saved values and their versions, source line), then the same gradients. Hypothesis draws
shapes (0-d, zero-size, broadcasting), dtypes (the lane's float32/float64 and others it hands on),
Python numbers, requires_grad on either side, views, bumped versions and grad modes.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import ndgrad
from ndgrad import Tensor
import ndgrad._ops._unary
from ndgrad._ops import _lane
from ndgrad.autograd.graph import SavedVar

SETTINGS = dict(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck),
                max_examples=200)
METHODS = ["__add__", "__radd__", "__sub__", "__mul__", "__rmul__", "__truediv__", "__pow__", "pow"]
SHAPES = [(), (0,), (1,), (3,), (2, 3), (3, 1), (1, 3), (2, 0, 3)]
DTYPES = [ndgrad.float32, ndgrad.float64, ndgrad.float16, ndgrad.int64]


def _method(name):
    m = Tensor.__dict__[name]
    assert m.__code__.co_filename.endswith("_lane.py") and m.__wrapped__ is not None, name
    return m, m.__wrapped__


def _make(draw, shape, dtype, grad, view, bump):
    data = draw(st.lists(st.floats(-4, 4, allow_nan=False, width=16), min_size=int(np.prod(shape)) * 2 + 2,
                         max_size=int(np.prod(shape)) * 2 + 2))
    base = ndgrad.tensor(data, dtype=dtype)
    n = int(np.prod(shape))
    if grad and dtype.is_floating_point:
        base.requires_grad_()
        if view:  # a view of a non-leaf: its edge goes through the view's grad_fn
            base = base * 1.0
    if view:
        t = base[1:1 + n].reshape(shape)
    elif base.requires_grad:  # a leaf: its edge is its AccumulateGrad
        t = base.detach()[:n].clone().reshape(shape).requires_grad_()
    else:
        t = base[:n].clone().reshape(shape)
    if bump:  # a nonzero version: the node must record it with the save
        # (a view's base modified in place after the view was made: the view's edge is regenerated)
        target = base if view else t
        with ndgrad.no_grad() if target.is_leaf and target.requires_grad else ndgrad.enable_grad():
            target.add_(0)
    return t


def _operand(draw, dtype):
    kind = draw(st.sampled_from(["tensor", "tensor", "float", "int", "bool", "big_int", "f32"]))
    if kind == "tensor":
        shape = draw(st.sampled_from(SHAPES))
        d = draw(st.sampled_from([dtype, dtype, dtype] + DTYPES))
        return _make(draw, shape, d, draw(st.booleans()), draw(st.booleans()), draw(st.booleans()))
    return {"float": draw(st.floats(-3, 3, allow_nan=False)), "int": draw(st.integers(-5, 5)),
            "bool": draw(st.booleans()), "big_int": 2 ** 60, "f32": np.float32(1.5)}[kind]


def _bits(t):
    a = t.detach().numpy()
    return a.dtype, a.shape, a.tobytes()


def _saved(s):
    if isinstance(s, Tensor):
        return s.detach().numpy().tobytes(), s.dtype
    if isinstance(s, SavedVar):
        return "SavedVar", s.is_output, s.version, None if s.data is None else s.data.tobytes(), _saved(s.tensor)
    return type(s), s  # a number: pow's exponent 2 stays an int (grad_fn._saved_exponent)


def _node_fields(node):
    saved = [_saved(s) for s in node._saved]
    return (type(node), node._needs, node._meta, node._params, node._sver, saved,
            [(type(c), nr) for c, nr in node.next_functions], getattr(node, "_src", (None,))[0])


def _check(fast, general, args, kwargs, draw):
    """Runs both on the same inputs; results, nodes and gradients must agree."""
    mode = draw(st.sampled_from(["grad", "grad", "no_grad"]))
    out = []
    with ndgrad.set_grad_enabled(mode == "grad"):
        for f in (fast, general):
            try:
                out.append(("ok", f(*args, **kwargs)))
            except Exception as e:  # noqa: BLE001  (the two must raise alike)
                out.append(("err", (type(e), str(e))))
    (kf, rf), (kg, rg) = out
    assert kf == kg, (rf, rg)
    if kf == "err":
        assert rf == rg
        return
    assert _bits(rf) == _bits(rg)
    assert rf.requires_grad == rg.requires_grad
    assert rf.__dict__.get("_why") == rg.__dict__.get("_why")
    if rf.grad_fn is None:
        assert rg.grad_fn is None
        return
    assert _node_fields(rf.grad_fn) == _node_fields(rg.grad_fn)
    leaves = [t for t in (*args, *kwargs.values()) if isinstance(t, Tensor) and t.requires_grad]
    gf = ndgrad.autograd.grad(rf.sum(), leaves, allow_unused=True)
    gg = ndgrad.autograd.grad(rg.sum(), leaves, allow_unused=True)
    assert [None if g is None else _bits(g) for g in gf] == [None if g is None else _bits(g) for g in gg]


def _input(draw):
    dtype = draw(st.sampled_from([ndgrad.float32, ndgrad.float64, ndgrad.float32, ndgrad.float64] + DTYPES))
    return _make(draw, draw(st.sampled_from(SHAPES)), dtype, draw(st.booleans()), draw(st.booleans()),
                 draw(st.booleans()))


@pytest.mark.parametrize("name", METHODS)
@settings(**SETTINGS)
@given(data=st.data())
def test_lane_matches_general_path(name, data):
    a = _input(data.draw)
    _check(*_method(name), (a, _operand(data.draw, a.dtype)), {}, data.draw)


UNARY = sorted(k for k, v in vars(ndgrad._ops._unary).items()
               if not k.startswith("_") and getattr(v, "__code__", None) is ndgrad._ops._unary.sin.__code__)


def test_unary_lanes_cover_the_elementwise_functions():
    assert {"sin", "cos", "exp", "log", "tanh", "sigmoid", "relu", "neg", "sqrt", "abs"} <= set(UNARY)
    assert ndgrad.sin is ndgrad._ops._unary.sin and Tensor.sin is ndgrad.sin


@pytest.mark.parametrize("name", UNARY)
@settings(**dict(SETTINGS, max_examples=40))
@given(data=st.data())
def test_unary_lane_matches_general_path(name, data):
    f = getattr(ndgrad._ops._unary, name)
    out = data.draw(st.sampled_from([None, None, "tensor"]))
    a = _input(data.draw)
    kwargs = {} if out is None else {"out": ndgrad.empty(0, dtype=a.dtype)}
    _check(f, f.__wrapped__, (a,), kwargs, data.draw)


@pytest.mark.parametrize("name", ["__pow__", "pow"])
@settings(**SETTINGS)
@given(data=st.data())
def test_pow_lane_matches_general_path(name, data):
    fast, general = _method(name)
    a = _input(data.draw)
    e = data.draw(st.sampled_from([2, 3, 0, 1, -1, 0.5, 2.5, -2, 4, True, np.float32(2.0), 2 ** 60, "tensor"]))
    if e == "tensor":
        e = _operand(data.draw, a.dtype)
    if data.draw(st.booleans()):
        _check(fast, general, (a,), {"exponent": e}, data.draw)
    else:
        _check(fast, general, (a, e), {}, data.draw)


def test_lane_is_taken_and_records_the_users_line():
    x = ndgrad.linspace(-1, 1, 5)
    b = ndgrad.tensor(0.5, requires_grad=True)
    y = b * x  # the lane: one frame between this line and the node
    assert type(y.grad_fn).__name__ == "MulBackward0"
    code, _ = y.grad_fn._src
    assert code is test_lane_is_taken_and_records_the_users_line.__code__
    y.sum().backward()
    assert b.grad.item() == pytest.approx(float(x.sum()))


def test_lane_leaves_saved_tensor_checks_to_backward():
    a = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    h = a * 2.0
    y = h * h
    h.add_(1)
    with pytest.raises(RuntimeError, match="has been modified by an inplace operation"):
        y.sum().backward()


def test_lane_hands_over_under_saved_tensor_hooks_and_forward_ad():
    packed = []
    a = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    with ndgrad.autograd.graph.saved_tensors_hooks(lambda t: packed.append(t) or t, lambda t: t):
        y = a * a
    assert len(packed) == 2
    y.sum().backward()
    assert a.grad.tolist() == [2.0, 4.0]
    import ndgrad.autograd.forward_ad as fwad
    with fwad.dual_level():
        d = fwad.make_dual(ndgrad.tensor([1.0, 2.0]), ndgrad.tensor([1.0, 0.0]))
        assert fwad.unpack_dual(d * d).tangent.tolist() == [2.0, 0.0]


def test_lane_rejects_ops_that_save_outputs():
    from ndgrad._ops._core import OPS
    with pytest.raises(ValueError, match="not one of the binary forms"):
        _lane.lane(OPS["exp"], lambda s, o: None)


def test_lane_hands_over_in_anomaly_mode():
    a = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    with ndgrad.autograd.detect_anomaly(check_nan=False):
        for y in (a * a, a.sin(), a ** 2):
            assert y.grad_fn._source[-1].name == "test_lane_hands_over_in_anomaly_mode"


@settings(**SETTINGS)
@given(data=st.data())
def test_int_index_fast_path_matches_general_path(data):
    from ndgrad._ops._index import getitem
    a = _input(data.draw)
    i = data.draw(st.integers(-4, 4))
    out = []
    for idx in (i, (i,)):  # a bare int takes the fast path; a 1-tuple the general one
        try:
            out.append(("ok", getitem(a, idx)))
        except Exception as e:  # noqa: BLE001
            out.append(("err", (type(e), str(e))))
    (kf, rf), (kg, rg) = out
    assert kf == kg
    if kf == "err":
        assert rf == rg
        return
    assert _bits(rf) == _bits(rg) and rf.stride() == rg.stride()
    assert rf._base is rg._base and rf._vc is rg._vc
    assert (rf.grad_fn is None) == (rg.grad_fn is None)
    if rf.grad_fn is not None:
        assert _node_fields(rf.grad_fn) == _node_fields(rg.grad_fn)
