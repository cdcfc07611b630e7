"""gradcheck and gradgradcheck (float64) of every functional op that ndgrad.nn declares or composes."""
import numpy as np
import pytest

import ndgrad
import ndgrad.nn.functional as F
from ndgrad.autograd import gradcheck, gradgradcheck

R = np.random.default_rng(7)


def t(*shape, low=None, high=None, grad=True):
    a = R.uniform(low, high, shape) if low is not None else R.standard_normal(shape)
    x = ndgrad.tensor(a, dtype=ndgrad.float64)
    return x.requires_grad_() if grad else x


def away_from_kinks(x, points=(0.0,), gap=0.05):
    """Moves entries off non-differentiable points (finite differences straddle them otherwise)."""
    a = x.detach().numpy()
    for p in points:
        close = np.abs(a - p) < gap
        a[close] = p + gap * np.sign(a[close] - p + 1e-12) * 2
    return x


CASES = {
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), lambda: [away_from_kinks(t(3, 4))]),
    "elu": (lambda x: F.elu(x, 0.7), lambda: [away_from_kinks(t(3, 4))]),
    "selu": (F.selu, lambda: [away_from_kinks(t(3, 4))]),
    "celu": (lambda x: F.celu(x, 1.3), lambda: [away_from_kinks(t(3, 4))]),
    "gelu": (F.gelu, lambda: [t(3, 4) * 2]),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), lambda: [t(3, 4) * 2]),
    "silu": (F.silu, lambda: [t(3, 4)]),
    "mish": (F.mish, lambda: [t(3, 4)]),
    "hardsigmoid": (F.hardsigmoid, lambda: [away_from_kinks(t(3, 4) * 3, (-3.0, 3.0))]),
    "hardswish": (F.hardswish, lambda: [away_from_kinks(t(3, 4) * 3, (-3.0, 3.0))]),
    "hardshrink": (lambda x: F.hardshrink(x, 0.4), lambda: [away_from_kinks(t(3, 4), (-0.4, 0.4))]),
    "softshrink": (lambda x: F.softshrink(x, 0.4), lambda: [away_from_kinks(t(3, 4), (-0.4, 0.4))]),
    "softplus": (lambda x: F.softplus(x, 2.0, 1.0), lambda: [away_from_kinks(t(3, 4), (0.5,))]),
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 0.5), lambda: [away_from_kinks(t(3, 4), (-0.5, 0.5))]),
    "logsigmoid": (F.logsigmoid, lambda: [t(3, 4)]),
    "softsign": (F.softsign, lambda: [away_from_kinks(t(3, 4))]),
    "softmax": (lambda x: F.softmax(x, 1), lambda: [t(3, 4)]),
    "log_softmax": (lambda x: F.log_softmax(x, 0), lambda: [t(3, 4)]),
    "linear": (F.linear, lambda: [t(3, 4), t(2, 4), t(2)]),
    "linear3d": (F.linear, lambda: [t(2, 2, 3), t(2, 3), t(2)]),
    "bilinear": (F.bilinear, lambda: [t(2, 3), t(2, 2), t(2, 3, 2), t(2)]),
    "mse_loss": (F.mse_loss, lambda: [t(3, 4), t(3, 4)]),
    "mse_loss_none": (lambda a, b: F.mse_loss(a, b, reduction="none"), lambda: [t(2, 3), t(2, 3)]),
    "l1_loss": (F.l1_loss, lambda: [t(3, 4), t(3, 4)]),
    "smooth_l1_loss": (lambda a, b: F.smooth_l1_loss(a, b, beta=0.5), lambda: [t(3, 4), t(3, 4)]),
    "huber_loss": (lambda a, b: F.huber_loss(a, b, reduction="sum", delta=0.6), lambda: [t(3, 4), t(3, 4)]),
    "nll_loss": (lambda x: F.nll_loss(x, ndgrad.tensor([2, 0, 3])), lambda: [t(3, 4)]),
    "nll_loss_weight_none": (lambda x: F.nll_loss(x, ndgrad.tensor([0, 3, 1]), ndgrad.tensor([1., 2., 3., 4.],
                                                  dtype=ndgrad.float64), reduction="none"), lambda: [t(3, 4)]),
    "cross_entropy": (lambda x: F.cross_entropy(x, ndgrad.tensor([0, 3, 1])), lambda: [t(3, 4)]),
    "cross_entropy_smooth": (lambda x: F.cross_entropy(x, ndgrad.tensor([0, 3, 1]), label_smoothing=0.2,
                                                       ignore_index=3), lambda: [t(3, 4)]),
    "cross_entropy_probs": (lambda x, p: F.cross_entropy(x, F.softmax(p, 1)), lambda: [t(3, 4), t(3, 4)]),
    "bce": (F.binary_cross_entropy, lambda: [t(3, 4, low=0.1, high=0.9), t(3, 4, low=0, high=1)]),
    "bce_logits": (F.binary_cross_entropy_with_logits, lambda: [t(3, 4), t(3, 4, low=0, high=1)]),
    "bce_logits_pos_weight": (lambda x, y: F.binary_cross_entropy_with_logits(
        x, y, pos_weight=ndgrad.tensor([1., 2., .5, 3.], dtype=ndgrad.float64)),
        lambda: [t(3, 4), t(3, 4, low=0, high=1)]),
    "kl_div": (lambda x, y: F.kl_div(x, y, reduction="batchmean"), lambda: [t(3, 4), t(3, 4, low=0.1, high=1)]),
    "kl_div_log_target": (lambda x, y: F.kl_div(x, y, reduction="sum", log_target=True), lambda: [t(3, 4), t(3, 4)]),
    "layer_norm": (lambda x, w, b: F.layer_norm(x, (4,), w, b), lambda: [t(3, 4), t(4), t(4)]),
    "batch_norm_train": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                         lambda: [t(4, 3), t(3), t(3)]),
    "batch_norm_eval": (lambda x, w, b: F.batch_norm(x, ndgrad.zeros(2, dtype=ndgrad.float64) + 0.3,
                                                     ndgrad.ones(2, dtype=ndgrad.float64) * 2, w, b),
                        lambda: [t(2, 2, 3), t(2), t(2)]),
    "group_norm": (lambda x: F.group_norm(x, 2), lambda: [t(2, 4, 2)]),
    # padding_idx and scale_grad_by_freq change the gradient on purpose: checked against PyTorch instead
    "embedding": (lambda w: F.embedding(ndgrad.tensor([[1, 2], [2, 0]]), w), lambda: [t(4, 3)]),
    "conv1d": (lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1), lambda: [t(2, 2, 5), t(3, 2, 2), t(3)]),
    "conv2d": (lambda x, w, b: F.conv2d(x, w, b, padding=1), lambda: [t(1, 2, 3, 3), t(2, 2, 2, 2), t(2)]),
    "conv2d_groups_dilation": (lambda x, w: F.conv2d(x, w, stride=(1, 2), dilation=(2, 1), groups=2),
                               lambda: [t(1, 2, 4, 4), t(2, 1, 2, 2)]),
    "max_pool2d": (lambda x: F.max_pool2d(x, 2, stride=1, padding=1), lambda: [t(1, 2, 3, 3)]),
    "max_pool1d": (lambda x: F.max_pool1d(x, 2), lambda: [t(2, 2, 4)]),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, 2, stride=1, padding=1, count_include_pad=False), lambda: [t(1, 2, 3, 3)]),
    "adaptive_avg_pool2d": (lambda x: F.adaptive_avg_pool2d(x, (2, 3)), lambda: [t(1, 2, 3, 4)]),
    "pad_constant": (lambda x: F.pad(x, (1, 2, -1, 1), value=0.5), lambda: [t(2, 3, 3)]),
    "pad_reflect": (lambda x: F.pad(x, (2, 1), mode="reflect"), lambda: [t(2, 2, 4)]),
    "pad_replicate": (lambda x: F.pad(x, (1, 1, 2, 0), mode="replicate"), lambda: [t(1, 1, 3, 3)]),
    "pad_circular": (lambda x: F.pad(x, (1, 2), mode="circular"), lambda: [t(1, 2, 3)]),
    "interpolate_nearest": (lambda x: F.interpolate(x, scale_factor=2), lambda: [t(1, 1, 2, 3)]),
    "interpolate_bilinear": (lambda x: F.interpolate(x, size=(3, 5), mode="bilinear"), lambda: [t(1, 1, 2, 3)]),
    "interpolate_bilinear_ac": (lambda x: F.interpolate(x, size=(3, 4), mode="bilinear", align_corners=True),
                                lambda: [t(1, 1, 2, 3)]),
    "interpolate_linear": (lambda x: F.interpolate(x, scale_factor=1.5, mode="linear"), lambda: [t(1, 2, 4)]),
    "unfold": (lambda x: F.unfold(x, 2, padding=1, stride=2), lambda: [t(1, 2, 3, 3)]),
    "fold": (lambda x: F.fold(x, (3, 3), 2), lambda: [t(1, 4, 4)]),
    "normalize": (F.normalize, lambda: [t(3, 4)]),
    "dropout": (lambda x: F.dropout(x, 0.0), lambda: [t(3, 4)]),
    "cosine_similarity": (F.cosine_similarity, lambda: [t(3, 4), t(3, 4)]),
    "erf": (lambda x: __import__("ndgrad._ops._nn", fromlist=["erf"]).erf(x), lambda: [t(3, 4)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name):
    fn, make = CASES[name]
    inputs = make()
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


def test_lstm_gradcheck():
    lstm = ndgrad.nn.LSTM(2, 2, bidirectional=True).double()
    x = t(3, 1, 2)
    assert gradcheck(lambda a: lstm(a)[0], [x])


def test_fused_rnn_cells_second_order():
    from ndgrad._ops._nn_rnn import gru_cell, lstm_cell
    gates, c = t(2, 8), t(2, 2)
    assert gradcheck(lstm_cell, [gates, c])
    assert gradgradcheck(lstm_cell, [gates, c])
    xi, hh, h = t(2, 6), t(2, 6), t(2, 2)
    assert gradcheck(gru_cell, [xi, hh, h])
    assert gradgradcheck(gru_cell, [xi, hh, h])
    gru = ndgrad.nn.GRU(2, 2, num_layers=2).double()
    x = t(3, 1, 2)
    assert gradgradcheck(lambda a: gru(a)[1], [x])
