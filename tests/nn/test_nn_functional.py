"""nn.functional against PyTorch: values, gradients, grad_fn names; and init, utils, erf."""
import math
import warnings

import numpy as np
import pytest

import ndgrad
import ndgrad.nn.functional as F
from _torch import needs_torch, torch
from nn_helpers import close, nd, th

R = np.random.default_rng(3)


def rn(*shape):
    return R.standard_normal(shape)


def both(fn, arrays, int_arrays=(), rtol=1e-10, atol=1e-12, grad=True, name=True):
    """Runs fn(lib, *tensors) on both libraries: values, grad_fn name, gradients of a weighted sum."""
    tt = [th(a, grad) for a in arrays] + [torch.from_numpy(np.asarray(a)) for a in int_arrays]
    nt = [nd(a, grad) for a in arrays] + [ndgrad.tensor(np.asarray(a)) for a in int_arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        to = fn(torch, *tt)
        no = fn(ndgrad, *nt)
    to = to if isinstance(to, tuple) else (to,)
    no = no if isinstance(no, tuple) else (no,)
    for a, b in zip(no, to):
        close(a, b, rtol, atol, "value")
        if name and b.grad_fn is not None:
            assert type(a.grad_fn).__name__ == type(b.grad_fn).__name__
    if grad and to[0].requires_grad:
        w = rn(*to[0].shape)
        (to[0] * th(w)).sum().backward()
        (no[0] * nd(w)).sum().backward()
        for a, b in zip(nt, tt):
            if b.grad is not None:
                close(a.grad, b.grad, rtol * 10, atol * 10, "grad")
    return no, to


pytestmark = needs_torch

GRAD_FN_CASES = {
    "linear2d": (lambda L, x, w, b: L.nn.functional.linear(x, w, b), [rn(4, 3), rn(5, 3), rn(5)]),
    "linear3d": (lambda L, x, w, b: L.nn.functional.linear(x, w, b), [rn(2, 4, 3), rn(5, 3), rn(5)]),
    "linear1d": (lambda L, x, w, b: L.nn.functional.linear(x, w, b), [rn(3), rn(5, 3), rn(5)]),
    "linear2d_nobias": (lambda L, x, w: L.nn.functional.linear(x, w), [rn(4, 3), rn(5, 3)]),
    "linear3d_nobias": (lambda L, x, w: L.nn.functional.linear(x, w), [rn(2, 4, 3), rn(5, 3)]),
    "softmax_implicit": (lambda L, x: L.nn.functional.softmax(x), [rn(3, 4)]),
    "log_softmax_dtype": (lambda L, x: L.nn.functional.log_softmax(x, -1, dtype=L.float32), [rn(3, 4)]),
    "gelu": (lambda L, x: L.nn.functional.gelu(x), [rn(3, 4) * 3]),
    "gelu_large": (lambda L, x: L.nn.functional.gelu(x), [np.linspace(-12, 12, 50)]),
    "elu_large": (lambda L, x: L.nn.functional.elu(x), [np.linspace(-120, 120, 50)]),
    "softplus_default": (lambda L, x: L.nn.functional.softplus(x), [np.linspace(-30, 30, 40)]),
    # PyTorch's fused activations, kinks included (-3 and 3 for the hard ones, +-lambd for the shrinks)
    "hardsigmoid": (lambda L, x: L.nn.functional.hardsigmoid(x), [np.linspace(-5, 5, 41)]),
    "hardswish": (lambda L, x: L.nn.functional.hardswish(x), [np.linspace(-5, 5, 41)]),
    "mish": (lambda L, x: L.nn.functional.mish(x), [np.linspace(-30, 30, 41)]),
    "hardshrink": (lambda L, x: L.nn.functional.hardshrink(x, 0.5), [np.linspace(-2, 2, 41)]),
    "softshrink": (lambda L, x: L.nn.functional.softshrink(x, 0.5), [np.linspace(-2, 2, 41)]),
    "mse_broadcast": (lambda L, x, y: L.nn.functional.mse_loss(x, y), [rn(3, 4), rn(4)]),
    "pad_constant": (lambda L, x: L.nn.functional.pad(x, (1, 2, 0, 3), value=1.5), [rn(2, 3, 4)]),
    "pad_negative": (lambda L, x: L.nn.functional.pad(x, (-1, 2)), [rn(2, 3, 4)]),
    "pad_reflect2d": (lambda L, x: L.nn.functional.pad(x, (2, 1, 1, 2), mode="reflect"), [rn(1, 2, 4, 4)]),
    "pad_reflect1d": (lambda L, x: L.nn.functional.pad(x, (3, 1), mode="reflect"), [rn(2, 5)]),
    "pad_replicate2d": (lambda L, x: L.nn.functional.pad(x, (2, 1, 3, 0), mode="replicate"), [rn(1, 2, 3, 3)]),
    "pad_replicate3d": (lambda L, x: L.nn.functional.pad(x, (1, 1, 1, 0, 0, 2), mode="replicate"),
                        [rn(1, 1, 2, 3, 2)]),
    "interp_nearest": (lambda L, x: L.nn.functional.interpolate(x, scale_factor=2), [rn(1, 2, 3, 4)]),
    "interp_nearest_size": (lambda L, x: L.nn.functional.interpolate(x, size=(5, 7)), [rn(1, 2, 3, 4)]),
    "interp_nearest_down": (lambda L, x: L.nn.functional.interpolate(x, size=(2, 3)), [rn(1, 2, 5, 7)]),
    "interp_nearest_frac": (lambda L, x: L.nn.functional.interpolate(x, scale_factor=1.7), [rn(1, 1, 5, 3)]),
    "interp_nearest_exact": (lambda L, x: L.nn.functional.interpolate(x, size=(5, 7), mode="nearest-exact"),
                             [rn(1, 2, 3, 4)]),
    "interp_nearest1d": (lambda L, x: L.nn.functional.interpolate(x, size=7), [rn(1, 2, 3)]),
    "interp_bilinear": (lambda L, x: L.nn.functional.interpolate(x, scale_factor=2, mode="bilinear"),
                        [rn(1, 2, 3, 4)]),
    "interp_bilinear_size": (lambda L, x: L.nn.functional.interpolate(x, size=(5, 3), mode="bilinear"),
                             [rn(2, 1, 3, 4)]),
    "interp_bilinear_frac": (lambda L, x: L.nn.functional.interpolate(x, scale_factor=1.6, mode="bilinear"),
                             [rn(2, 1, 3, 4)]),
    "interp_bilinear_recompute": (lambda L, x: L.nn.functional.interpolate(
        x, scale_factor=1.6, mode="bilinear", recompute_scale_factor=True), [rn(2, 1, 3, 4)]),
    "interp_bilinear_ac": (lambda L, x: L.nn.functional.interpolate(x, size=(5, 6), mode="bilinear",
                                                                     align_corners=True), [rn(1, 2, 3, 4)]),
    "interp_bilinear_down": (lambda L, x: L.nn.functional.interpolate(x, size=(2, 3), mode="bilinear"),
                             [rn(1, 2, 5, 7)]),
    "interp_linear": (lambda L, x: L.nn.functional.interpolate(x, size=7, mode="linear"), [rn(1, 2, 3)]),
    "unfold": (lambda L, x: L.nn.functional.unfold(x, (2, 3), padding=1, stride=(2, 1), dilation=(1, 2)),
               [rn(2, 2, 5, 6)]),
    "fold": (lambda L, x: L.nn.functional.fold(x, (4, 5), 2, padding=1), [rn(2, 8, 30)]),
    "normalize": (lambda L, x: L.nn.functional.normalize(x, p=1.5, dim=0), [rn(3, 4)]),
    "cosine_similarity": (lambda L, x, y: L.nn.functional.cosine_similarity(x, y), [rn(3, 4), rn(3, 4)]),
    "max_pool_indices": (lambda L, x: L.nn.functional.max_pool2d(x, 3, 2, 1, return_indices=True),
                         [rn(1, 2, 6, 5)]),
    "max_pool_unbatched": (lambda L, x: L.nn.functional.max_pool2d(x, 2), [rn(2, 4, 4)]),
    "max_pool1d_indices": (lambda L, x: L.nn.functional.max_pool1d(x, 2, return_indices=True), [rn(1, 2, 6)]),
    "avg_pool_ceil_include": (lambda L, x: L.nn.functional.avg_pool2d(x, 3, 2, 1, ceil_mode=True),
                              [rn(1, 2, 6, 6)]),
    "conv2d_unbatched": (lambda L, x, w: L.nn.functional.conv2d(x, w, padding="same"), [rn(2, 5, 5), rn(3, 2, 3, 3)]),
    "conv1d_same_even": (lambda L, x, w: L.nn.functional.conv1d(x, w, padding="same"), [rn(1, 2, 6), rn(3, 2, 4)]),
    "conv2d_valid": (lambda L, x, w: L.nn.functional.conv2d(x, w, padding="valid", stride=2),
                     [rn(1, 2, 7, 6), rn(3, 2, 3, 2)]),
    "dropout_p0": (lambda L, x: L.nn.functional.dropout(x, 0.0), [rn(3, 4)]),
    "kl_div_mean": (lambda L, x, y: L.nn.functional.kl_div(x, y), [rn(3, 4), R.uniform(0.1, 1, (3, 4))]),
    "ce_4d_weight_ignore": (lambda L, x, w, t: L.nn.functional.cross_entropy(x, t, w, ignore_index=1,
                                                                              reduction="sum"),
                            [rn(2, 3, 2, 2), np.array([1.0, 2.0, 0.5])]),
    "sdpa": (lambda L, q, k, v: L.nn.functional.scaled_dot_product_attention(q, k, v), [rn(2, 3, 4), rn(2, 5, 4),
                                                                                      rn(2, 5, 6)]),
    "sdpa_causal_mask": (lambda L, q, k, v, m: L.nn.functional.scaled_dot_product_attention(
        q, k, v, attn_mask=m, is_causal=False, scale=0.3), [rn(2, 3, 4), rn(2, 3, 4), rn(2, 3, 6), rn(3, 3)]),
    "sdpa_causal": (lambda L, q, k, v: L.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True),
                    [rn(1, 2, 4, 3), rn(1, 2, 4, 3), rn(1, 2, 4, 5)]),
    "instance_norm": (lambda L, x, w, b: L.nn.functional.instance_norm(x, weight=w, bias=b),
                      [rn(2, 3, 4, 5), rn(3), rn(3)]),
    "pad_sequence": (lambda L, a, b: L.nn.utils.rnn.pad_sequence([a, b], batch_first=True, padding_value=2.0),
                     [rn(2, 3), rn(4, 3)]),
    "adaptive_1x1": (lambda L, x: L.nn.functional.adaptive_avg_pool2d(x, 1), [rn(1, 2, 3, 3)]),
    "adaptive_none": (lambda L, x: L.nn.functional.adaptive_avg_pool2d(x, (None, 2)), [rn(1, 2, 3, 5)]),
}


@pytest.mark.parametrize("name", sorted(GRAD_FN_CASES))
def test_functional_parity(name):
    fn, arrays = GRAD_FN_CASES[name]
    if name == "ce_4d_weight_ignore":
        t = R.integers(0, 3, (2, 2, 2))
        tt, nt = torch.from_numpy(t), ndgrad.tensor(t)
        both(lambda L, x, w: fn(L, x, w.detach(), tt if L is torch else nt), arrays, name=False)
        return
    # composites whose PyTorch grad_fn is a different (fused or in-place) node
    both(fn, arrays, rtol=1e-6 if name.endswith("dtype") else 1e-10, name=name not in ("instance_norm", "pad_sequence"))


def test_grad_fn_names_match_pytorch():
    x = rn(4, 5)
    pairs = {
        "relu": lambda L, a: L.nn.functional.relu(a), "leaky_relu": lambda L, a: L.nn.functional.leaky_relu(a),
        "elu": lambda L, a: L.nn.functional.elu(a), "selu": lambda L, a: L.nn.functional.selu(a),
        "celu": lambda L, a: L.nn.functional.celu(a), "gelu": lambda L, a: L.nn.functional.gelu(a),
        "silu": lambda L, a: L.nn.functional.silu(a), "softplus": lambda L, a: L.nn.functional.softplus(a),
        "hardtanh": lambda L, a: L.nn.functional.hardtanh(a), "relu6": lambda L, a: L.nn.functional.relu6(a),
        "logsigmoid": lambda L, a: L.nn.functional.logsigmoid(a),
        "hardsigmoid": lambda L, a: L.nn.functional.hardsigmoid(a),
        "hardswish": lambda L, a: L.nn.functional.hardswish(a), "mish": lambda L, a: L.nn.functional.mish(a),
        "hardshrink": lambda L, a: L.nn.functional.hardshrink(a, 0.3),
        "softshrink": lambda L, a: L.nn.functional.softshrink(a, 0.3),
        "softmax": lambda L, a: L.nn.functional.softmax(a, 1),
        "log_softmax": lambda L, a: L.nn.functional.log_softmax(a, 1),
        "mse": lambda L, a: L.nn.functional.mse_loss(a, a.detach() * 2),
        "smooth_l1": lambda L, a: L.nn.functional.smooth_l1_loss(a, a.detach() * 2),
        "huber": lambda L, a: L.nn.functional.huber_loss(a, a.detach() * 2),
        "l1": lambda L, a: L.nn.functional.l1_loss(a, a.detach() * 2),
        "ce": lambda L, a: L.nn.functional.cross_entropy(a, L.tensor([0, 1, 2, 3])),
        "nll": lambda L, a: L.nn.functional.nll_loss(a, L.tensor([0, 1, 2, 3])),
        "bce": lambda L, a: L.nn.functional.binary_cross_entropy(a.sigmoid().detach().requires_grad_(),
                                                                 a.detach().sigmoid()),
        "bce_logits": lambda L, a: L.nn.functional.binary_cross_entropy_with_logits(a, a.detach().sigmoid()),
        "layer_norm": lambda L, a: L.nn.functional.layer_norm(a, (5,)),
        "batch_norm": lambda L, a: L.nn.functional.batch_norm(a, None, None, training=True),
        "embedding": lambda L, a: L.nn.functional.embedding(L.tensor([1, 2]), a),
        "conv2d": lambda L, a: L.nn.functional.conv2d(a.reshape(1, 1, 4, 5), a.reshape(1, 1, 4, 5)[..., :2, :2]),
        "max_pool2d": lambda L, a: L.nn.functional.max_pool2d(a.reshape(1, 1, 4, 5), 2),
        "avg_pool2d": lambda L, a: L.nn.functional.avg_pool2d(a.reshape(1, 1, 4, 5), 2),
        "adaptive": lambda L, a: L.nn.functional.adaptive_avg_pool2d(a.reshape(1, 1, 4, 5), 2),
        "pad": lambda L, a: L.nn.functional.pad(a, (1, 1)),
        "reflect": lambda L, a: L.nn.functional.pad(a.reshape(1, 4, 5), (1, 1), mode="reflect"),
        "upsample": lambda L, a: L.nn.functional.interpolate(a.reshape(1, 1, 4, 5), scale_factor=2),
        "unfold": lambda L, a: L.nn.functional.unfold(a.reshape(1, 1, 4, 5), 2),
        "flatten": lambda L, a: L.nn.Flatten(0)(a),
        "dropout": lambda L, a: L.nn.functional.dropout(a, 0.5),
    }
    for key, f in pairs.items():
        a = f(ndgrad, nd(x, True))
        b = f(torch, th(x, True))
        assert type(a.grad_fn).__name__ == type(b.grad_fn).__name__, key
        assert len(a.grad_fn.next_functions) == len(b.grad_fn.next_functions), key


def test_dropout_statistics_and_modes():
    x = ndgrad.ones(200, 100)
    y = F.dropout(x, 0.3)
    kept = (y != 0).float().mean().item()
    assert abs(kept - 0.7) < 0.02
    assert np.allclose(y.numpy()[y.numpy() != 0], 1 / 0.7)
    assert F.dropout(x, 0.3, training=False) is x
    assert float(F.dropout(x, 1.0).abs().sum()) == 0
    d2 = F.dropout2d(ndgrad.ones(10, 50, 3, 3), 0.5).numpy()
    assert np.all((d2 == 0).all(axis=(2, 3)) | (d2 != 0).all(axis=(2, 3)))
    xi = ndgrad.ones(3, 4)
    assert F.dropout(xi, 0.5, inplace=True) is xi


def test_embedding_max_norm_renormalises_rows():
    w = np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]])
    tw, nw = th(w), nd(w)
    torch.nn.functional.embedding(torch.tensor([0, 1]), tw, max_norm=1.0)
    F.embedding(ndgrad.tensor([0, 1]), nw, max_norm=1.0)
    close(nw, tw, 1e-7, 1e-9)


def test_one_hot():
    t = np.array([[0, 2], [1, 3]])
    assert F.one_hot(ndgrad.tensor(t)).tolist() == torch.nn.functional.one_hot(torch.from_numpy(t)).tolist()
    assert F.one_hot(ndgrad.tensor(t), 6).dtype == ndgrad.int64
    assert F.one_hot(ndgrad.tensor(t), 6).shape == ndgrad.Size([2, 2, 6])


def test_softmax_implicit_dim_warns():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax has been deprecated"):
        F.softmax(ndgrad.randn(2, 3))


def test_mse_size_mismatch_warns():
    with pytest.warns(UserWarning, match=r"Using a target size \(torch.Size\(\[4\]\)\) that is different"):
        F.mse_loss(ndgrad.randn(3, 4), ndgrad.randn(4))


def test_batch_norm_running_stats_match_pytorch():
    x = rn(5, 3, 4)
    for momentum in (0.1, None):
        tb = torch.nn.BatchNorm1d(3, momentum=momentum).double()
        nb = ndgrad.nn.BatchNorm1d(3, momentum=momentum).double()
        for k in range(3):
            tb(th(x * (k + 1)))
            nb(nd(x * (k + 1)))
        close(nb.running_mean, tb.running_mean, 1e-12, 1e-14)
        close(nb.running_var, tb.running_var, 1e-12, 1e-14)
        assert nb.num_batches_tracked.item() == 3


def test_float32_stays_float32():
    x = ndgrad.randn(2, 3, 5, 5)
    for m in (ndgrad.nn.Conv2d(3, 4, 3), ndgrad.nn.BatchNorm2d(3), ndgrad.nn.MaxPool2d(2), ndgrad.nn.AvgPool2d(2),
              ndgrad.nn.Upsample(scale_factor=2) if hasattr(ndgrad.nn, "Upsample") else ndgrad.nn.Identity(),
              ndgrad.nn.GELU(), ndgrad.nn.LayerNorm(5)):
        assert m(x).dtype == ndgrad.float32, m
    assert F.cross_entropy(ndgrad.randn(3, 4), ndgrad.tensor([0, 1, 2])).dtype == ndgrad.float32


# ------------------------------------------------------------------ init
def test_default_init_bounds_follow_pytorch():
    lin = ndgrad.nn.Linear(50, 40)
    bound = 1 / math.sqrt(50)
    w = lin.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(lin.bias.detach().numpy()).max() <= bound
    conv = ndgrad.nn.Conv2d(4, 8, 3)
    b = 1 / math.sqrt(4 * 9)
    assert np.abs(conv.weight.detach().numpy()).max() <= b and np.abs(conv.bias.detach().numpy()).max() <= b
    emb = ndgrad.nn.Embedding(1000, 20, padding_idx=3)
    e = emb.weight.detach().numpy()
    assert abs(e.std() - 1) < 0.05 and not e[3].any()
    rnn = ndgrad.nn.LSTM(3, 16)
    assert all(np.abs(p.detach().numpy()).max() <= 0.25 for p in rnn.parameters())
    ln = ndgrad.nn.LayerNorm(4)
    assert ln.weight.tolist() == [1.0] * 4 and ln.bias.tolist() == [0.0] * 4


def test_init_functions():
    init = ndgrad.nn.init
    for name in ("linear", "conv2d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"):
        assert init.calculate_gain(name) == torch.nn.init.calculate_gain(name)
    assert init.calculate_gain("leaky_relu", 0.2) == torch.nn.init.calculate_gain("leaky_relu", 0.2)
    w = ndgrad.empty(300, 200)
    init.xavier_uniform_(w, gain=2.0)
    a = 2.0 * math.sqrt(6 / 500)
    assert w.abs().max().item() <= a and w.abs().max().item() > 0.95 * a
    init.xavier_normal_(w)
    assert abs(w.std().item() - math.sqrt(2 / 500)) < 0.005
    init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert abs(w.std().item() - math.sqrt(2 / 300)) < 0.005
    init.kaiming_uniform_(w, a=math.sqrt(5))
    assert w.abs().max().item() <= 1 / math.sqrt(200)
    init.normal_(w, 2.0, 0.5)
    assert abs(w.mean().item() - 2) < 0.01 and abs(w.std().item() - 0.5) < 0.01
    init.trunc_normal_(w, a=-1.0, b=1.0)
    assert w.abs().max().item() <= 1.0
    init.constant_(w, 0.3)
    assert np.allclose(w.numpy(), 0.3)
    init.zeros_(w), init.ones_(w)
    assert np.all(w.numpy() == 1)
    q = ndgrad.empty(4, 6)
    init.orthogonal_(q, gain=2)
    assert np.allclose(q.numpy() @ q.numpy().T, 4 * np.eye(4), atol=1e-5)
    e = ndgrad.empty(3, 3)
    init.eye_(e)
    assert e.tolist() == np.eye(3).tolist()
    d = ndgrad.empty(2, 2, 3)
    init.dirac_(d)
    assert d.numpy()[0, 0, 1] == 1 and d.numpy().sum() == 2
    p = ndgrad.nn.Parameter(ndgrad.empty(2, 2))
    init.uniform_(p)
    assert p.requires_grad and p.is_leaf


# ----------------------------------------------------------------- utils
def test_clip_grad_norm_matches_pytorch():
    g = [rn(3, 4), rn(5)]
    for norm_type in (2.0, 1.0, float("inf"), 3):
        tp = [torch.nn.Parameter(th(np.zeros_like(a))) for a in g]
        npar = [ndgrad.nn.Parameter(nd(np.zeros_like(a))) for a in g]
        for p, a in zip(tp, g):
            p.grad = th(a)
        for p, a in zip(npar, g):
            p.grad = nd(a)
        tn = torch.nn.utils.clip_grad_norm_(tp, 0.5, norm_type)
        nn_ = ndgrad.nn.utils.clip_grad_norm_(npar, 0.5, norm_type)
        close(nn_, tn, 1e-12, 1e-14)
        for a, b in zip(npar, tp):
            close(a.grad, b.grad, 1e-12, 1e-14)


def test_clip_grad_value_and_vector_conversion():
    p = ndgrad.nn.Parameter(ndgrad.zeros(4))
    p.grad = ndgrad.tensor([-3.0, -0.5, 0.5, 3.0])
    ndgrad.nn.utils.clip_grad_value_(p, 1.0)
    assert p.grad.tolist() == [-1.0, -0.5, 0.5, 1.0]
    lin = ndgrad.nn.Linear(3, 2)
    v = ndgrad.nn.utils.parameters_to_vector(lin.parameters())
    assert v.shape == ndgrad.Size([8]) and v.grad_fn is not None
    ndgrad.nn.utils.vector_to_parameters(ndgrad.arange(8.0), lin.parameters())
    assert lin.weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] and lin.bias.tolist() == [6.0, 7.0]


# ------------------------------------------------------------------- erf
def test_erf_fallback_is_float64_accurate():
    from ndgrad._ops._nn import _erf_fallback
    x = np.concatenate([np.linspace(-7, 7, 4001), [0.0, -0.0, np.inf, -np.inf, 1e-300, 2.9999999, 3.0]])
    ref = np.array([math.erf(v) for v in x])
    got = _erf_fallback(x)
    assert np.max(np.abs(got - ref)) < 2e-15
    assert np.isnan(_erf_fallback(np.array([np.nan]))[0])
    assert _erf_fallback(np.array([0.5], dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "selu", "celu", "hardtanh", "relu6", "silu", "dropout",
                                  "hardsigmoid", "hardswish", "mish"])
def test_inplace_activations_match_pytorch(name):
    x = rn(3, 4)
    kw = {"dropout": {"p": 0.0}}.get(name, {})
    res = []
    for L in (torch, ndgrad):
        a = L.tensor(x, requires_grad=True)
        b = a * 2
        c = getattr(L.nn.functional, name)(b, inplace=True, **kw)
        (c * c).sum().backward()
        res.append((c, a.grad, c is b, b._version if L is torch else b._version))
    close(res[1][0], res[0][0], 1e-10, 1e-12)
    close(res[1][1], res[0][1], 1e-10, 1e-12)
    assert res[1][2] and res[0][2]
    if name != "celu":
        assert type(res[1][0].grad_fn).__name__ == type(res[0][0].grad_fn).__name__


def test_edge_cases_match_pytorch():
    t = np.array([[-np.inf] * 3, [0.0, 1.0, 2.0]])
    for f in ("softmax", "log_softmax"):
        a = getattr(F, f)(nd(t), 1).numpy()
        b = getattr(torch.nn.functional, f)(th(t), 1).numpy()
        np.testing.assert_allclose(a, b, equal_nan=True)
    assert ndgrad.nn.Linear(3, 2)(ndgrad.zeros(0, 3)).shape == ndgrad.Size([0, 2])
    conv = ndgrad.nn.Conv2d(1, 2, 3)
    x = ndgrad.zeros(0, 1, 5, 5, requires_grad=True)
    y = conv(x)
    assert y.shape == ndgrad.Size([0, 2, 3, 3])
    y.sum().backward()
    assert x.grad.shape == x.shape and conv.weight.grad.abs().sum().item() == 0
    assert F.cross_entropy(ndgrad.tensor([[1000.0, 0.0], [0.0, -1000.0]]), ndgrad.tensor([1, 1])).item() == 1000.0


def test_modules_compose_with_func_transforms():
    """Modules look their functionals up at call time, so vmap's dispatchers see them."""
    from ndgrad.func import functional_call, grad, jvp, vmap
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = ndgrad.nn.Sequential(ndgrad.nn.Conv2d(1, 2, 3), ndgrad.nn.GELU(), ndgrad.nn.MaxPool2d(2),
                                   ndgrad.nn.Flatten(), ndgrad.nn.Linear(8, 3), ndgrad.nn.LayerNorm(3),
                                   ndgrad.nn.LogSoftmax(1)).double()
        x = nd(rn(2, 1, 6, 6))
        y = ndgrad.tensor([0, 2])
        params = {k: p.detach() for k, p in net.named_parameters()}

        def loss(p, xb, yb):
            return F.nll_loss(functional_call(net, p, (xb.unsqueeze(0),)), yb.unsqueeze(0))
        g = vmap(grad(loss), in_dims=(None, 0, 0))(params, x, y)
        for i in range(2):
            gi = grad(loss)(params, x[i], y[i])
            for k in g:
                close(g[k][i], gi[k], 1e-12, 1e-14, k)
        v = nd(rn(2, 1, 6, 6))
        _, tan = jvp(net, (x,), (v,))
        num = (net(x + 1e-6 * v) - net(x - 1e-6 * v)) / 2e-6
        close(tan, num, 1e-4, 1e-7)
