"""Every module against PyTorch: forward output, input and parameter gradients (float32 and float64)."""
import numpy as np
import pytest

import ndgrad
from _torch import needs_torch, torch
from nn_helpers import check_module

pytestmark = needs_torch
R = np.random.default_rng(1234)


def rn(*shape):
    return R.standard_normal(shape)


def idx(high, *shape):
    return R.integers(0, high, shape)


# (id, constructor source evaluated against torch.nn and ndgrad.nn, inputs)
CASES = [
    ("Identity", "nn.Identity()", [rn(3, 4)]),
    ("Linear", "nn.Linear(5, 3)", [rn(4, 5)]),
    ("Linear3d", "nn.Linear(5, 3)", [rn(2, 4, 5)]),
    ("Linear1d", "nn.Linear(5, 3)", [rn(5)]),
    ("LinearNoBias", "nn.Linear(5, 3, bias=False)", [rn(2, 4, 5)]),
    ("Bilinear", "nn.Bilinear(3, 4, 2)", [rn(5, 3), rn(5, 4)]),
    ("Flatten", "nn.Flatten()", [rn(2, 3, 4, 5)]),
    ("Unflatten", "nn.Unflatten(1, (2, 3))", [rn(4, 6)]),
    ("Conv1d", "nn.Conv1d(3, 4, 3, stride=2, padding=1)", [rn(2, 3, 9)]),
    ("Conv2d", "nn.Conv2d(3, 4, 3)", [rn(2, 3, 7, 6)]),
    ("Conv2dStridePadDil", "nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(2, 1), groups=2)",
     [rn(2, 4, 9, 8)]),
    ("Conv2dSame", "nn.Conv2d(2, 3, 4, padding='same', bias=False)", [rn(1, 2, 6, 5)]),
    ("Conv2dReflect", "nn.Conv2d(2, 3, 3, padding=1, padding_mode='reflect')", [rn(2, 2, 5, 5)]),
    ("Conv2dCircular", "nn.Conv2d(2, 3, 3, padding=2, padding_mode='circular')", [rn(1, 2, 5, 4)]),
    ("Conv2dUnbatched", "nn.Conv2d(2, 3, 3)", [rn(2, 5, 5)]),
    ("Conv3d", "nn.Conv3d(2, 3, 2, padding=1)", [rn(1, 2, 3, 4, 3)]),
    ("MaxPool2d", "nn.MaxPool2d(2)", [rn(2, 3, 6, 7)]),
    ("MaxPool2dPadCeil", "nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)", [rn(2, 2, 8, 7)]),
    ("MaxPool2dDil", "nn.MaxPool2d(2, stride=1, dilation=2)", [rn(1, 2, 6, 6)]),
    ("MaxPool1d", "nn.MaxPool1d(3, stride=2)", [rn(2, 3, 10)]),
    ("AvgPool2d", "nn.AvgPool2d(2)", [rn(2, 3, 6, 7)]),
    ("AvgPool2dPad", "nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)",
     [rn(2, 2, 8, 7)]),
    ("AvgPool2dDivisor", "nn.AvgPool2d(3, stride=2, padding=1, divisor_override=4)", [rn(1, 2, 7, 7)]),
    ("AvgPool1d", "nn.AvgPool1d(3, stride=2, padding=1)", [rn(2, 3, 10)]),
    ("AdaptiveAvgPool2d", "nn.AdaptiveAvgPool2d((3, 4))", [rn(2, 3, 7, 9)]),
    ("AdaptiveAvgPool2d1", "nn.AdaptiveAvgPool2d(1)", [rn(2, 3, 5, 5)]),
    ("AdaptiveAvgPool1d", "nn.AdaptiveAvgPool1d(4)", [rn(2, 3, 10)]),
    ("Upsample", "nn.Upsample(scale_factor=2, mode='bilinear')", [rn(1, 2, 3, 4)]),
    ("UpsamplingBilinear2d", "nn.UpsamplingBilinear2d(size=(5, 7))", [rn(1, 2, 3, 4)]),
    ("ZeroPad2d", "nn.ZeroPad2d((1, 2, 0, 1))", [rn(1, 2, 3, 4)]),
    ("ReflectionPad1d", "nn.ReflectionPad1d(2)", [rn(2, 3, 4)]),
    ("ReplicationPad2d", "nn.ReplicationPad2d((1, 2, 3, 0))", [rn(1, 2, 3, 4)]),
    ("CircularPad1d", "nn.CircularPad1d((2, 1))", [rn(2, 3, 4)]),
    ("Unfold", "nn.Unfold(2, padding=1)", [rn(1, 2, 3, 4)]),
    ("Embedding", "nn.Embedding(10, 4)", [idx(10, 3, 5)]),
    ("EmbeddingPad", "nn.Embedding(10, 4, padding_idx=2)", [np.array([[2, 3, 2], [1, 2, 9]])]),
    ("EmbeddingFreq", "nn.Embedding(6, 3, scale_grad_by_freq=True)", [np.array([1, 1, 2, 5, 1])]),
    ("BatchNorm1d", "nn.BatchNorm1d(4)", [rn(6, 4)]),
    ("BatchNorm1d3d", "nn.BatchNorm1d(3, momentum=None)", [rn(4, 3, 5)]),
    ("BatchNorm2d", "nn.BatchNorm2d(3)", [rn(4, 3, 2, 5)]),
    ("BatchNorm2dNoAffine", "nn.BatchNorm2d(3, affine=False, track_running_stats=False)", [rn(4, 3, 2, 2)]),
    ("LayerNorm", "nn.LayerNorm(5)", [rn(3, 4, 5)]),
    ("LayerNorm2", "nn.LayerNorm((4, 5), eps=1e-3)", [rn(3, 4, 5)]),
    ("LayerNormNoAffine", "nn.LayerNorm(5, elementwise_affine=False)", [rn(3, 5)]),
    ("GroupNorm", "nn.GroupNorm(2, 4)", [rn(3, 4, 5)]),
    ("RNN", "nn.RNN(3, 4)", [rn(5, 2, 3)]),
    ("RNNRelu2", "nn.RNN(3, 4, 2, nonlinearity='relu', batch_first=True)", [rn(2, 5, 3)]),
    ("RNNBi", "nn.RNN(3, 4, bidirectional=True)", [rn(5, 2, 3)]),
    ("LSTM", "nn.LSTM(3, 4)", [rn(5, 2, 3)]),
    ("LSTM2BatchFirstBi", "nn.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True)", [rn(2, 5, 3)]),
    ("LSTMUnbatched", "nn.LSTM(3, 4, bias=False)", [rn(5, 3)]),
    ("GRU", "nn.GRU(3, 4)", [rn(5, 2, 3)]),
    ("GRU2Bi", "nn.GRU(3, 4, 2, bidirectional=True)", [rn(4, 2, 3)]),
    ("RNNCell", "nn.RNNCell(3, 4)", [rn(2, 3)]),
    ("LSTMCell", "nn.LSTMCell(3, 4)", [rn(2, 3)]),
    ("GRUCell", "nn.GRUCell(3, 4)", [rn(2, 3)]),
    ("ReLU", "nn.ReLU()", [rn(4, 5)]),
    ("ReLU6", "nn.ReLU6()", [rn(4, 5) * 5]),
    ("LeakyReLU", "nn.LeakyReLU(0.2)", [rn(4, 5)]),
    ("ELU", "nn.ELU(alpha=0.5)", [rn(4, 5)]),
    ("SELU", "nn.SELU()", [rn(4, 5)]),
    ("CELU", "nn.CELU(0.7)", [rn(4, 5)]),
    ("GELU", "nn.GELU()", [rn(4, 5)]),
    ("GELUTanh", "nn.GELU(approximate='tanh')", [rn(4, 5)]),
    ("SiLU", "nn.SiLU()", [rn(4, 5)]),
    ("Mish", "nn.Mish()", [rn(4, 5)]),
    ("Sigmoid", "nn.Sigmoid()", [rn(4, 5)]),
    ("Tanh", "nn.Tanh()", [rn(4, 5)]),
    ("Softmax", "nn.Softmax(dim=1)", [rn(4, 5)]),
    ("Softmax0", "nn.Softmax(dim=0)", [rn(4, 5)]),
    ("LogSoftmax", "nn.LogSoftmax(dim=-1)", [rn(3, 4, 5)]),
    ("Softmin", "nn.Softmin(dim=1)", [rn(4, 5)]),
    ("Softplus", "nn.Softplus(beta=2, threshold=1.5)", [rn(4, 5)]),
    ("Hardtanh", "nn.Hardtanh(-0.5, 0.7)", [rn(4, 5)]),
    ("Hardsigmoid", "nn.Hardsigmoid()", [rn(4, 5) * 4]),
    ("Hardswish", "nn.Hardswish()", [rn(4, 5) * 4]),
    ("LogSigmoid", "nn.LogSigmoid()", [rn(4, 5)]),
    ("Softsign", "nn.Softsign()", [rn(4, 5)]),
    ("Tanhshrink", "nn.Tanhshrink()", [rn(4, 5)]),
    ("PReLU", "nn.PReLU()", [rn(4, 5)]),
    ("PReLU3", "nn.PReLU(3, init=0.1)", [rn(2, 3, 4)]),
    ("GLU", "nn.GLU(1)", [rn(3, 4, 2)]),
    ("Threshold", "nn.Threshold(0.1, 2.0)", [rn(4, 5)]),
    ("Softshrink", "nn.Softshrink(0.3)", [rn(4, 5)]),
    ("Hardshrink", "nn.Hardshrink()", [rn(4, 5)]),
    ("PixelShuffle", "nn.PixelShuffle(2)", [rn(2, 8, 3, 2)]),
    ("PixelUnshuffle", "nn.PixelUnshuffle(2)", [rn(2, 2, 4, 6)]),
    ("MSELoss", "nn.MSELoss()", [rn(4, 5), rn(4, 5)]),
    ("MSELossSum", "nn.MSELoss(reduction='sum')", [rn(4, 5), rn(4, 5)]),
    ("MSELossNone", "nn.MSELoss(reduction='none')", [rn(4, 5), rn(4, 5)]),
    ("L1Loss", "nn.L1Loss()", [rn(4, 5), rn(4, 5)]),
    ("L1LossNone", "nn.L1Loss(reduction='none')", [rn(4, 5), rn(4, 5)]),
    ("SmoothL1Loss", "nn.SmoothL1Loss(beta=0.5)", [rn(4, 5), rn(4, 5)]),
    ("SmoothL1LossNone", "nn.SmoothL1Loss(reduction='none')", [rn(4, 5), rn(4, 5)]),
    ("HuberLoss", "nn.HuberLoss(delta=0.7)", [rn(4, 5), rn(4, 5)]),
    ("HuberLossSum", "nn.HuberLoss(reduction='sum')", [rn(4, 5), rn(4, 5)]),
    ("CrossEntropy", "nn.CrossEntropyLoss()", [rn(4, 5), idx(5, 4)]),
    ("CrossEntropySum", "nn.CrossEntropyLoss(reduction='sum')", [rn(4, 5), idx(5, 4)]),
    ("CrossEntropyNone", "nn.CrossEntropyLoss(reduction='none')", [rn(4, 5), idx(5, 4)]),
    ("CrossEntropyIgnore", "nn.CrossEntropyLoss(ignore_index=1)", [rn(6, 3), np.array([1, 0, 2, 1, 2, 2])]),
    # every target ignored: the mean is nan (0/0) and the gradient 0, not nan
    ("CrossEntropyAllIgnored", "nn.CrossEntropyLoss(ignore_index=1)", [rn(4, 3), np.array([1, 1, 1, 1])]),
    # ignore_index among the classes but no target equal to it; one out of the classes that a target equals;
    # a negative one a target equals (each decides the kernels' no-mask shortcut differently)
    ("CrossEntropyIgnoreAbsent", "nn.CrossEntropyLoss(ignore_index=2)", [rn(4, 3), np.array([0, 1, 0, 1])]),
    ("CrossEntropyIgnoreAbove", "nn.CrossEntropyLoss(ignore_index=7)", [rn(4, 3), np.array([0, 7, 2, 1])]),
    ("CrossEntropyIgnoreNegative", "nn.CrossEntropyLoss(ignore_index=-1, reduction='sum')",
     [rn(4, 3), np.array([-1, 2, 2, 0])]),
    ("NLLLossIgnoreUnbatched", "nn.NLLLoss(ignore_index=3)", [rn(5), np.array(3)]),
    ("CrossEntropyWeight", "nn.CrossEntropyLoss(weight=W([0.2, 1.0, 3.0]))", [rn(6, 3), idx(3, 6)]),
    ("CrossEntropySmooth", "nn.CrossEntropyLoss(label_smoothing=0.1)", [rn(6, 3), idx(3, 6)]),
    ("CrossEntropySmoothWeightIgnore",
     "nn.CrossEntropyLoss(weight=W([0.2, 1.0, 3.0]), ignore_index=0, label_smoothing=0.2)",
     [rn(6, 3), np.array([0, 1, 2, 0, 2, 1])]),
    ("CrossEntropySmoothNone", "nn.CrossEntropyLoss(label_smoothing=0.3, reduction='none')", [rn(6, 3), idx(3, 6)]),
    ("CrossEntropy4d", "nn.CrossEntropyLoss()", [rn(2, 3, 4, 5), idx(3, 2, 4, 5)]),
    ("CrossEntropyUnbatched", "nn.CrossEntropyLoss()", [rn(5), np.array(3)]),
    ("CrossEntropyProbs", "nn.CrossEntropyLoss()", [rn(4, 5), R.dirichlet(np.ones(5), 4)]),
    ("CrossEntropyProbsWeightSmooth", "nn.CrossEntropyLoss(weight=W([1., 2., 3.]), label_smoothing=0.1)",
     [rn(4, 3), R.dirichlet(np.ones(3), 4)]),
    ("CrossEntropyProbsNone", "nn.CrossEntropyLoss(reduction='none')", [rn(4, 5), R.dirichlet(np.ones(5), 4)]),
    ("NLLLoss", "nn.NLLLoss()", [rn(4, 5), idx(5, 4)]),
    ("NLLLossWeightNone", "nn.NLLLoss(weight=W([1., 2., 3.]), reduction='none')", [rn(4, 3), idx(3, 4)]),
    ("NLLLossWeightMean", "nn.NLLLoss(weight=W([1., 2., 3.]), ignore_index=2)", [rn(5, 3), idx(3, 5)]),
    ("BCELoss", "nn.BCELoss()", [R.uniform(0.05, 0.95, (4, 5)), R.uniform(0, 1, (4, 5))]),
    ("BCELossWeight", "nn.BCELoss(weight=W([1., 2., 3., 4., 5.]), reduction='sum')",
     [R.uniform(0.05, 0.95, (4, 5)), R.integers(0, 2, (4, 5)).astype(float)]),
    ("BCEWithLogits", "nn.BCEWithLogitsLoss()", [rn(4, 5) * 3, R.uniform(0, 1, (4, 5))]),
    ("BCEWithLogitsPosWeight", "nn.BCEWithLogitsLoss(pos_weight=W([1., 2., 3., .5, .1]), reduction='none')",
     [rn(4, 5) * 3, R.uniform(0, 1, (4, 5))]),
    ("BCEWithLogitsWeight", "nn.BCEWithLogitsLoss(weight=W([1., 2., 3., .5, .1]), reduction='sum')",
     [rn(4, 5) * 3, R.uniform(0, 1, (4, 5))]),
    ("KLDivBatchmean", "nn.KLDivLoss(reduction='batchmean')", [rn(4, 5), R.dirichlet(np.ones(5), 4)]),
    ("KLDivSum", "nn.KLDivLoss(reduction='sum')", [rn(4, 5), R.dirichlet(np.ones(5), 4)]),
    ("KLDivNone", "nn.KLDivLoss(reduction='none')", [rn(4, 5), R.uniform(0.1, 1, (4, 5))]),
    ("KLDivLogTarget", "nn.KLDivLoss(reduction='batchmean', log_target=True)", [rn(4, 5), rn(4, 5)]),
    ("Sequential", "nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.LogSoftmax(1))", [rn(5, 4)]),
    ("ConvNet", "nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), "
     "nn.Flatten(), nn.Linear(4 * 3 * 3, 5))", [rn(3, 1, 6, 6)]),
]


# PyTorch computes these float64 gradients with float32 constants (1.0f / 6.0f ...)
LOOSE = {"CELU": 1e-7, "Hardsigmoid": 1e-7}


def _ctor(src, lib, dtype):
    ns = {"nn": lib.nn, "W": lambda v: lib.tensor(v, dtype=getattr(lib, dtype))}
    return lambda: eval(src, ns)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,src,inputs", CASES, ids=[c[0] for c in CASES])
def test_module_parity(name, src, inputs, dtype):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_module(_ctor(src, torch, dtype), _ctor(src, ndgrad, dtype), inputs, dtype, tol=LOOSE.get(name))


@pytest.mark.parametrize("name,src,inputs", [c for c in CASES if c[0].startswith(("BatchNorm", "ConvNet"))],
                         ids=[c[0] for c in CASES if c[0].startswith(("BatchNorm", "ConvNet"))])
def test_module_parity_eval(name, src, inputs):
    check_module(_ctor(src, torch, "float64"), _ctor(src, ndgrad, "float64"), inputs, "float64", train=False)


def test_rnn_with_initial_state():
    from nn_helpers import close, copy_weights, nd, th
    h0, c0, x = rn(2, 3, 4), rn(2, 3, 4), rn(5, 3, 2)
    tm, nm = torch.nn.LSTM(2, 4, 2).double(), ndgrad.nn.LSTM(2, 4, 2).double()
    copy_weights(tm, nm)
    th0, tc0, nh0, nc0 = th(h0, True), th(c0, True), nd(h0, True), nd(c0, True)
    to, (th_, tc) = tm(th(x), (th0, tc0))
    no, (nh, nc) = nm(nd(x), (nh0, nc0))
    for a, b in ((no, to), (nh, th_), (nc, tc)):
        close(a, b, 1e-10, 1e-12)
    (to.sum() + th_.sum() * 2 + tc.sum()).backward()
    (no.sum() + nh.sum() * 2 + nc.sum()).backward()
    close(nh0.grad, th0.grad, 1e-9, 1e-11)
    close(nc0.grad, tc0.grad, 1e-9, 1e-11)
    g, ng = torch.nn.GRU(2, 4).double(), ndgrad.nn.GRU(2, 4).double()
    copy_weights(g, ng)
    h = rn(1, 3, 4)
    close(ng(nd(x), nd(h))[1], g(th(x), th(h))[1], 1e-10, 1e-12)
