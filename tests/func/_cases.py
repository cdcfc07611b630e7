"""The same functions written for ndgrad and for torch (``m`` is the module)."""
import numpy as np

rng = np.random.default_rng(0)
X = rng.standard_normal(4)
Y = rng.standard_normal((4, 3))
V = rng.standard_normal(4)
A = rng.standard_normal((4, 4))
W1, B1, W2 = rng.standard_normal((4, 8)), rng.standard_normal(8), rng.standard_normal((8, 3))
XB = rng.standard_normal((6, 4))
YB = rng.integers(0, 3, 6)


def t(m, a):
    return m.tensor(a)


def elementwise(m):
    return lambda x: x.sin() * x ** 2 + x.exp().tanh()


def reduction(m):
    return lambda x: (x.sin() * x ** 2).sum() + x.logsumexp(0) + x.amax()


def quadratic(m):
    a = t(m, A)
    return lambda x: (x.sin() * x ** 2).sum() + x @ a @ x


def softmax(m):
    return lambda x: m.nn.functional.softmax(x, 0).log() * x


def tuple_fn(m):
    return lambda x, y: ((x.exp()[:, None] * y).tanh(), (y ** 2).sum(0) * x[:3])


def mlp(m):
    def f(x, w1, b1, w2):
        return m.nn.functional.log_softmax(m.tanh(x @ w1 + b1) @ w2, -1)
    return f


def mlp_loss(m):
    def f(params, x, y):
        w1, b1, w2 = params
        logits = m.tanh(x @ w1 + b1) @ w2
        return m.nn.functional.cross_entropy(logits.unsqueeze(0), y.unsqueeze(0))
    return f


def np_of(x):
    if isinstance(x, (tuple, list)):
        return [np_of(v) for v in x]
    return np.asarray(x.detach().numpy())


def assert_same(a, b):
    a, b = np_of(a), np_of(b)
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b)
        for x, y in zip(a, b):
            assert_same_np(x, y)
    else:
        assert_same_np(a, b)


def assert_same_np(a, b):
    if isinstance(a, list):
        for x, y in zip(a, b):
            assert_same_np(x, y)
        return
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-12)
