"""Module machinery against PyTorch: reprs, registration, state_dict round trips, error messages, hooks."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import ndgrad
from _torch import needs_torch, torch
from nn_helpers import copy_weights

REPRS = [
    "nn.Linear(3, 4)", "nn.Linear(3, 4, bias=False)", "nn.Bilinear(2, 3, 4)", "nn.Identity()", "nn.Flatten()",
    "nn.Flatten(0, 2)", "nn.Unflatten(1, (2, 5))", "nn.Conv1d(3, 4, 3)", "nn.Conv2d(3, 4, 3, stride=2, padding=1)",
    "nn.Conv2d(4, 4, (3, 5), dilation=2, groups=2, bias=False, padding_mode='reflect')",
    "nn.Conv2d(2, 2, 3, padding='same')", "nn.Conv3d(1, 2, 3)", "nn.MaxPool2d(2)",
    "nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)", "nn.MaxPool1d(3)", "nn.AvgPool2d(2)",
    "nn.AvgPool2d((2, 3), stride=1, padding=1)", "nn.AvgPool1d(3)", "nn.AdaptiveAvgPool2d((5, 7))",
    "nn.AdaptiveAvgPool2d(1)", "nn.AdaptiveAvgPool1d(3)", "nn.Embedding(10, 3)",
    "nn.Embedding(10, 3, padding_idx=-1, max_norm=1.0, scale_grad_by_freq=True)", "nn.Dropout()",
    "nn.Dropout(0.2, inplace=True)", "nn.Dropout2d(0.1)", "nn.BatchNorm1d(4)",
    "nn.BatchNorm2d(3, eps=1e-3, momentum=None, affine=False, track_running_stats=False)", "nn.LayerNorm(5)",
    "nn.LayerNorm((2, 3), elementwise_affine=False)", "nn.GroupNorm(2, 4)", "nn.RNN(3, 4)",
    "nn.RNN(3, 4, 2, nonlinearity='relu', bias=False, batch_first=True, dropout=0.5, bidirectional=True)",
    "nn.LSTM(3, 4, num_layers=2)", "nn.GRU(3, 4, batch_first=True)", "nn.RNNCell(3, 4, nonlinearity='relu')",
    "nn.LSTMCell(3, 4, bias=False)", "nn.GRUCell(3, 4)", "nn.ReLU()", "nn.ReLU(inplace=True)", "nn.ReLU6()",
    "nn.LeakyReLU()", "nn.LeakyReLU(0.2, inplace=True)", "nn.ELU()", "nn.ELU(0.5, True)", "nn.SELU()", "nn.CELU()",
    "nn.GELU()", "nn.GELU('tanh')", "nn.SiLU()", "nn.Mish()", "nn.Sigmoid()", "nn.Tanh()", "nn.Softmax(dim=1)",
    "nn.Softmax()", "nn.LogSoftmax(1)", "nn.Softmin(0)", "nn.Softplus()", "nn.Softplus(2, 10)", "nn.Hardtanh()",
    "nn.Hardtanh(-2, 2)", "nn.Hardsigmoid()", "nn.Hardswish()", "nn.LogSigmoid()", "nn.Softsign()",
    "nn.Tanhshrink()", "nn.PReLU()", "nn.PReLU(3)", "nn.GLU()", "nn.Threshold(0.1, 20)", "nn.Softshrink()",
    "nn.Hardshrink(0.3)", "nn.PixelShuffle(2)", "nn.PixelUnshuffle(2)", "nn.Threshold(0.1, 2.0, True)",
    "nn.MSELoss()", "nn.L1Loss(reduction='sum')", "nn.SmoothL1Loss(beta=0.5)", "nn.HuberLoss()",
    "nn.CrossEntropyLoss()", "nn.CrossEntropyLoss(label_smoothing=0.1)", "nn.NLLLoss()", "nn.BCELoss()",
    "nn.BCEWithLogitsLoss()", "nn.KLDivLoss()", "nn.Upsample(scale_factor=2)",
    "nn.Upsample(size=(3, 4), mode='bilinear', align_corners=True)", "nn.ZeroPad2d(2)", "nn.ZeroPad2d((1, 2, 3, 4))",
    "nn.ConstantPad1d(2, 3.5)", "nn.ConstantPad2d((1, 0, 2, 0), 1.0)", "nn.ReflectionPad2d(1)",
    "nn.ReplicationPad1d((1, 2))", "nn.CircularPad2d(1)", "nn.ZeroPad1d(1)", "nn.Unfold(2)", "nn.Fold((4, 5), 2)",
    "nn.UpsamplingNearest2d(scale_factor=2)", "nn.UpsamplingBilinear2d(scale_factor=2)",
    "nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 3), nn.Tanh()))",
    "nn.Sequential(OrderedDict([('fc', nn.Linear(2, 2)), ('act', nn.ReLU())]))", "nn.Sequential()",
    "nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU(), nn.ReLU(), nn.Linear(2, 2)])",
    "nn.ModuleList()", "nn.ModuleDict({'a': nn.ReLU(), 'b': nn.Linear(1, 2)})",
    "nn.ParameterList([nn.Parameter(ndg.zeros(2, 3)), ndg.zeros(3, dtype=ndg.float64)])",
    "nn.ParameterDict({'a': nn.Parameter(ndg.zeros(2, 3))})",
    "nn.ParameterDict({'b': nn.Parameter(ndg.zeros(2)), 'a': ndg.zeros(1)})",
]


def _make(src, lib):
    return eval(src, {"nn": lib.nn, "ndg": lib, "OrderedDict": OrderedDict})


@needs_torch
@pytest.mark.parametrize("src", REPRS)
def test_repr_matches_pytorch(src):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert repr(_make(src, ndgrad)) == repr(_make(src, torch))


class Net(ndgrad.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = ndgrad.nn.Linear(3, 4)
        self.bn = ndgrad.nn.BatchNorm1d(4)
        self.fc2 = ndgrad.nn.Linear(4, 2)
        self.register_buffer("scale", ndgrad.ones(2))
        self.register_buffer("tmp", ndgrad.zeros(1), persistent=False)

    def forward(self, x):
        return self.fc2(self.bn(self.fc1(x)).relu()) * self.scale


class TNet(torch.nn.Module if torch else object):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(3, 4)
        self.bn = torch.nn.BatchNorm1d(4)
        self.fc2 = torch.nn.Linear(4, 2)
        self.register_buffer("scale", torch.ones(2))
        self.register_buffer("tmp", torch.zeros(1), persistent=False)

    def forward(self, x):
        return self.fc2(self.bn(self.fc1(x)).relu()) * self.scale


@needs_torch
def test_custom_module_repr_names_and_state_dict_keys():
    n, t = Net(), TNet()
    assert repr(n).replace("Net", "X") == repr(t).replace("TNet", "X")
    assert list(n.state_dict()) == list(t.state_dict())
    assert [k for k, _ in n.named_parameters()] == [k for k, _ in t.named_parameters()]
    assert [k for k, _ in n.named_buffers()] == [k for k, _ in t.named_buffers()]
    assert [k for k, _ in n.named_modules()] == [k for k, _ in t.named_modules()]
    assert [k for k, _ in n.named_children()] == [k for k, _ in t.named_children()]
    assert n.state_dict()._metadata == t.state_dict()._metadata


@needs_torch
def test_state_dict_round_trip_and_training():
    t, n = TNet().double(), Net().double()
    copy_weights(t, n)
    x = np.random.default_rng(0).standard_normal((5, 3))
    for _ in range(2):
        yt = t(torch.from_numpy(x))
        yn = n(ndgrad.tensor(x))
        np.testing.assert_allclose(yn.detach().numpy(), yt.detach().numpy(), rtol=1e-12)
    sd = n.state_dict()
    assert sd["bn.num_batches_tracked"].item() == 2 and sd["bn.num_batches_tracked"].dtype == ndgrad.int64
    n2 = Net().double()
    assert repr(n2.load_state_dict(sd)) == "<All keys matched successfully>"
    for k, v in n2.state_dict().items():
        assert np.array_equal(v.numpy(), sd[k].numpy()), k
    assert sd["fc1.weight"].requires_grad is False and sd["fc1.weight"]._data is n.fc1.weight._data
    assert n.state_dict(keep_vars=True)["fc1.weight"] is n.fc1.weight
    n.eval(), t.eval()
    np.testing.assert_allclose(n(ndgrad.tensor(x)).detach().numpy(), t(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-12)


def _err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


def _both(fn):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = _err(lambda: fn(ndgrad))
        b = _err(lambda: fn(torch))
    assert a == b
    assert a is not None
    return a


def _net(lib):
    return lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU(), lib.nn.Linear(3, 1))


@needs_torch
@pytest.mark.parametrize("case", [
    lambda L: _net(L).load_state_dict({}),
    lambda L: _net(L).load_state_dict({**_net(L).state_dict(), "extra": L.zeros(1), "2.foo": L.zeros(1)}),
    lambda L: _net(L).load_state_dict({k: L.zeros(5, 5) for k in _net(L).state_dict()}),
    lambda L: _net(L).load_state_dict({"0.weight": L.zeros(3, 2), "x": L.zeros(1)}),
    lambda L: _net(L).load_state_dict(5),
    lambda L: setattr(_net(L)[0], "weight", L.zeros(3, 2)),
    lambda L: setattr(_net(L), "0", 5),
    lambda L: _net(L).nonexistent,
    lambda L: _net(L)[0].register_parameter("a.b", None),
    lambda L: _net(L)[0].register_parameter("", None),
    lambda L: _net(L)[0].register_parameter("weight2", L.zeros(1)),
    lambda L: _net(L)[0].register_parameter("training", None),
    lambda L: _net(L)[0].register_buffer("weight", L.zeros(1)),
    lambda L: _net(L)[0].register_buffer("b", 3),
    lambda L: _net(L).add_module("a.b", L.nn.ReLU()),
    lambda L: _net(L).add_module("x", 3),
    lambda L: _net(L).train("yes"),
    lambda L: _net(L).to(L.int64),
    lambda L: _net(L)[7],
    lambda L: L.nn.ModuleList([L.nn.ReLU()])[3],
    lambda L: L.nn.Module()(1),
    lambda L: L.nn.Module(3),
    lambda L: L.nn.ParameterDict()(1),
    lambda L: L.nn.Linear(2, 3).register_parameter("w", L.nn.Parameter(L.zeros(1)) * 2),
    lambda L: L.nn.Linear(2, 3)(L.zeros(4, 5)),
    lambda L: L.nn.Linear(3, 4)(L.ones(2, 3, dtype=L.float64)),
    lambda L: L.nn.Linear(3, 4)(L.ones(5, 2, 3, dtype=L.float64)),
    lambda L: L.nn.Linear(3, 4)(L.ones(2, 3, dtype=L.int64)),
    lambda L: L.nn.Linear(3, 4, bias=False)(L.ones(2, 3, dtype=L.float64)),
    lambda L: L.nn.Conv2d(1, 1, 2)(L.ones(1, 1, 3, 3, dtype=L.float64)),
    lambda L: L.nn.Conv2d(1, 1, 2)(L.ones(1, 1, 3, 3, dtype=L.int64)),
    lambda L: L.nn.Conv2d(1, 1, 2, bias=False)(L.ones(1, 1, 3, 3, dtype=L.float64)),
    lambda L: L.nn.Conv2d(3, 4, 3)(L.zeros(1, 2, 5, 5)),
    lambda L: L.nn.Conv2d(3, 4, 3)(L.zeros(1, 3, 2, 2)),
    lambda L: L.nn.Conv2d(3, 4, 3, stride=2, padding="same"),
    lambda L: L.nn.BatchNorm1d(3)(L.zeros(1, 3)),
    lambda L: L.nn.BatchNorm2d(3)(L.zeros(2, 3)),
    lambda L: L.nn.LayerNorm(4)(L.zeros(2, 3)),
    lambda L: L.nn.Dropout(1.5),
    lambda L: L.nn.functional.dropout(L.zeros(2), -0.1),
    lambda L: L.nn.Embedding(3, 2)(L.tensor([3])),
    lambda L: L.nn.CrossEntropyLoss()(L.zeros(2, 3), L.tensor([0, 3])),
    lambda L: L.nn.NLLLoss()(L.zeros(2, 3), L.tensor([0.0, 1.0])),
    lambda L: L.nn.NLLLoss()(L.zeros(2, 3), L.tensor([0, 1, 2])),
    lambda L: L.nn.CrossEntropyLoss()(L.zeros(2, 3), L.tensor([0.0, 1.0])),
    lambda L: L.nn.CrossEntropyLoss()(L.zeros(2, 3), L.zeros(2, 4)),
    lambda L: L.nn.CrossEntropyLoss()(L.zeros(2, 3), L.tensor([[0, 1]])),
    lambda L: L.nn.CrossEntropyLoss()(L.zeros(2, 3), L.zeros(2, 3, dtype=L.int64)),
    lambda L: L.nn.CrossEntropyLoss()(L.zeros(2, 3, 4), L.zeros(2, 5, dtype=L.int64)),
    lambda L: L.nn.NLLLoss()(L.zeros(2, 3), L.tensor([[0, 1]])),
    lambda L: L.nn.functional.mse_loss(L.zeros(2, 3), L.zeros(3, 2)),
    lambda L: L.nn.functional.smooth_l1_loss(L.zeros(4, 3), L.zeros(2, 1, 2)),
    lambda L: L.nn.BCELoss()(L.zeros(2, 3), L.zeros(3, 2)),
    lambda L: L.nn.BCELoss()(L.full((2,), 2.0), L.zeros(2)),
    lambda L: L.nn.BCEWithLogitsLoss()(L.zeros(2, 3), L.zeros(3)),
    lambda L: L.nn.MSELoss(reduction="avg")(L.zeros(2), L.zeros(2)),
    lambda L: L.nn.functional.one_hot(L.tensor([1.0])),
    lambda L: L.nn.functional.one_hot(L.tensor([-1])),
    lambda L: L.nn.functional.one_hot(L.tensor([3]), 2),
    lambda L: L.nn.functional.pad(L.zeros(2, 2), (1,)),
    lambda L: L.nn.functional.pad(L.zeros(1, 2, 3), (3, 3), mode="reflect"),
    lambda L: L.nn.functional.interpolate(L.zeros(1, 1, 2, 2)),
    lambda L: L.nn.functional.interpolate(L.zeros(1, 1, 2, 2), size=3, scale_factor=2),
    lambda L: L.nn.functional.interpolate(L.zeros(1, 1, 2, 2), size=3, align_corners=True),
    lambda L: L.nn.functional.max_pool2d(L.zeros(1, 1, 4, 4), 2, padding=2),
    lambda L: L.nn.functional.fold(L.zeros(2, 8, 20), (4, 5), 2, padding=1),
    lambda L: L.nn.LSTM(3, 4)(L.zeros(5, 2, 2)),
    lambda L: L.nn.init.kaiming_uniform_(L.zeros(3)),
    lambda L: L.nn.init.kaiming_uniform_(L.zeros(3, 3), mode="fan"),
    lambda L: L.nn.init.calculate_gain("foo"),
    lambda L: L.nn.init.orthogonal_(L.zeros(3)),
])
def test_errors_match_pytorch(case):
    _both(case)


def test_registration_and_attribute_magic():
    m = ndgrad.nn.Module()
    m.w = ndgrad.nn.Parameter(ndgrad.ones(2))
    m.sub = ndgrad.nn.Linear(2, 2)
    m.register_buffer("b", ndgrad.zeros(1))
    assert list(m._parameters) == ["w"] and list(m._modules) == ["sub"] and list(m._buffers) == ["b"]
    m.b = ndgrad.ones(1)
    assert m._buffers["b"].item() == 1
    m.w = None
    assert m.w is None and list(m.parameters()) == list(m.sub.parameters())
    del m.sub
    assert "sub" not in m._modules
    m.plain = 3
    assert m.plain == 3 and "plain" in m.__dict__
    assert "w" in dir(m) and "b" in dir(m)
    with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__"):
        class Bad(ndgrad.nn.Module):
            def __init__(self):
                self.p = ndgrad.nn.Parameter(ndgrad.ones(1))
        Bad()


def test_shared_parameters_deduplicated():
    lin = ndgrad.nn.Linear(2, 2)
    seq = ndgrad.nn.Sequential(lin, ndgrad.nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    assert len(list(seq.modules())) == 3


def test_train_eval_apply_requires_grad_zero_grad():
    net = ndgrad.nn.Sequential(ndgrad.nn.Linear(2, 2), ndgrad.nn.Dropout(), ndgrad.nn.BatchNorm1d(2))
    assert net.eval() is net and not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "Dropout", "BatchNorm1d", "Sequential"]
    net(ndgrad.randn(4, 2)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_to_double_float_keeps_parameter_identity_and_int_buffers():
    net = ndgrad.nn.Sequential(ndgrad.nn.Linear(2, 3), ndgrad.nn.BatchNorm1d(3))
    w = net[0].weight
    net.double()
    assert net[0].weight is w and w.dtype == ndgrad.float64 and isinstance(w, ndgrad.nn.Parameter)
    assert net[1].running_mean.dtype == ndgrad.float64 and net[1].num_batches_tracked.dtype == ndgrad.int64
    net.to(ndgrad.float32)
    assert w.dtype == ndgrad.float32
    net.to("cpu")
    assert net(ndgrad.randn(4, 2)).dtype == ndgrad.float32
    net.to(ndgrad.zeros(1, dtype=ndgrad.float64))
    assert w.dtype == ndgrad.float64


def test_forward_hooks():
    lin = ndgrad.nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1)
    out = lin(ndgrad.ones(1, 2))
    assert calls == [ndgrad.Size([1, 2])]
    assert np.allclose(out.detach().numpy(), lin.bias.detach().numpy() + 1)
    h1.remove()
    h2.remove()
    assert np.allclose(lin(ndgrad.zeros(1, 2)).detach().numpy(), lin.bias.detach().numpy())
    lin.register_forward_pre_hook(lambda m, args, kwargs: ((args[0] + 1,), kwargs), with_kwargs=True)
    lin.register_forward_hook(lambda m, args, kwargs, out: out * 0, with_kwargs=True, prepend=True)
    assert float(lin(ndgrad.zeros(1, 2)).abs().sum()) == 0


def test_parameter_basics():
    p = ndgrad.nn.Parameter(ndgrad.tensor([1.0, 2.0]))
    assert p.requires_grad and p.is_leaf and isinstance(p, ndgrad.Tensor)
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    q = ndgrad.nn.Parameter(ndgrad.tensor([1.0]), requires_grad=False)
    assert repr(q) == "Parameter containing:\ntensor([1.])"
    assert type(p * 2) is ndgrad.Tensor and (p * 2).grad_fn is not None
    c = copy.deepcopy(p)
    assert isinstance(c, ndgrad.nn.Parameter) and c.requires_grad and c._data is not p._data
    r = pickle.loads(pickle.dumps(p))
    assert isinstance(r, ndgrad.nn.Parameter) and r.tolist() == [1.0, 2.0]
    assert ndgrad.nn.Parameter().shape == ndgrad.Size([0])


def test_deepcopy_module():
    net = ndgrad.nn.Sequential(ndgrad.nn.Linear(2, 2))
    c = copy.deepcopy(net)
    assert c[0].weight is not net[0].weight and np.array_equal(c[0].weight.detach().numpy(),
                                                               net[0].weight.detach().numpy())


def test_containers():
    nn = ndgrad.nn
    seq = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear) and isinstance(seq[:2], nn.Sequential)
    assert len(seq[1:]) == 2
    seq.append(nn.Tanh())
    seq.insert(0, nn.Identity())
    assert [type(m).__name__ for m in seq] == ["Identity", "Linear", "ReLU", "Linear", "Tanh"]
    del seq[0]
    assert list(seq._modules) == ["0", "1", "2", "3"]
    assert len(seq + nn.Sequential(nn.ReLU())) == 5
    ml = nn.ModuleList([nn.ReLU()])
    ml.extend([nn.Tanh()])
    ml += [nn.Sigmoid()]
    ml.insert(1, nn.Identity())
    assert [type(m).__name__ for m in ml] == ["ReLU", "Identity", "Tanh", "Sigmoid"]
    md = nn.ModuleDict({"a": nn.ReLU()})
    md["b"] = nn.Tanh()
    assert list(md.keys()) == ["a", "b"] and "a" in md and md.pop("a") is not None and len(md) == 1
    pl = nn.ParameterList([ndgrad.zeros(2)])
    pl.append(nn.Parameter(ndgrad.ones(1)))
    assert all(isinstance(p, nn.Parameter) for p in pl) and len(list(pl.parameters())) == 2
    pd = nn.ParameterDict({"x": ndgrad.zeros(1)})
    pd["y"] = nn.Parameter(ndgrad.ones(1))
    assert list(pd.keys()) == ["x", "y"] and isinstance(pd["x"], nn.Parameter)
    holder = nn.Module()
    holder.layers = ml
    holder.params = pd
    assert sorted(k for k, _ in holder.named_parameters()) == ["params.x", "params.y"]


def test_buffers_non_persistent_and_load_strict_false():
    net = Net()
    sd = net.state_dict()
    assert "tmp" not in sd and "scale" in sd
    del sd["fc2.bias"]
    sd["zzz"] = ndgrad.zeros(1)
    res = Net().load_state_dict(sd, strict=False)
    assert res.missing_keys == ["fc2.bias"] and res.unexpected_keys == ["zzz"]
    with pytest.raises(RuntimeError) as e:
        Net().load_state_dict(sd)
    assert str(e.value) == ('Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: "fc2.bias". \n\t'
                            'Unexpected key(s) in state_dict: "zzz". ')


def test_load_state_dict_assign():
    lin = ndgrad.nn.Linear(2, 2)
    new = {"weight": ndgrad.ones(2, 2), "bias": ndgrad.zeros(2)}
    lin.load_state_dict(new, assign=True)
    assert isinstance(lin.weight, ndgrad.nn.Parameter) and lin.weight._data is new["weight"]._data


def test_pickle_module_round_trip():
    net = ndgrad.nn.Sequential(ndgrad.nn.Conv2d(1, 2, 3), ndgrad.nn.BatchNorm2d(2), ndgrad.nn.LSTM(2, 3))
    back = pickle.loads(pickle.dumps(net))
    assert repr(back) == repr(net)
    for (k, a), (_, b) in zip(net.state_dict().items(), back.state_dict().items()):
        assert np.array_equal(a.numpy(), b.numpy()), k
    assert isinstance(back[0].weight, ndgrad.nn.Parameter) and back[0].weight.requires_grad


@needs_torch
def test_full_backward_hooks_match_pytorch():
    x = np.random.default_rng(5).standard_normal((3, 4))
    results = []
    for L in (torch, ndgrad):
        net = L.nn.Sequential(L.nn.Linear(4, 3), L.nn.Tanh(), L.nn.Linear(3, 2)).double()
        with L.no_grad():
            for i, p in enumerate(net.parameters()):
                p.copy_(L.tensor(np.sin(np.arange(p.numel()) + i).reshape(p.shape)))
        log = []
        net[2].register_full_backward_pre_hook(lambda m, go: (go[0] * 2,))
        net[2].register_full_backward_hook(lambda m, gi, go: log.append((gi[0] is not None and gi[0].sum().item(),
                                                                       go[0].sum().item())))
        h = net[0].register_full_backward_hook(lambda m, gi, go: (gi[0] * 0,))
        a = L.tensor(x, requires_grad=True)
        y = net(a)
        name = type(y.grad_fn).__name__
        y.sum().backward()
        h.remove()
        results.append((name, log, a.grad.numpy().copy(), net[0].weight.grad.numpy().copy()))
        with pytest.warns(UserWarning, match="Full backward hook is firing"):
            net[2](L.ones(1, 3, dtype=L.float64)).sum().backward()
    (n1, l1, g1, w1), (n2, l2, g2, w2) = results
    assert n1 == n2 == "BackwardHookFunctionBackward"
    np.testing.assert_allclose(l2, l1, rtol=1e-12)
    np.testing.assert_allclose(g2, g1) and np.testing.assert_allclose(w2, w1, rtol=1e-12)
    assert not g1.any()
