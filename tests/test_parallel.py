"""Big elementwise kernels on several cores (ndgrad/_parallel.py): the same bits as one core,
forward and backward, errors and NumPy's error state carried over, and torch's thread API."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import ndgrad
from ndgrad import _parallel
from ndgrad._ops import _dispatch
from ndgrad.autograd import _engine, graph
from _torch import needs_torch, torch


@pytest.fixture
def small_threshold(monkeypatch):
    """Everything from 64 elements counts as big, with 3 threads (more chunks than this machine has cores)."""
    for mod, name in ((_parallel, "THRESHOLD"), (_dispatch, "_BIG"), (_engine, "_BIG"), (graph, "_BIG")):
        monkeypatch.setattr(mod, name, 64)
    prev = _parallel.get_num_threads()
    _parallel.set_num_threads(3)
    yield
    _parallel.set_num_threads(prev)


UFUNCS = [np.sin, np.exp, np.tanh, np.multiply, np.add, np.true_divide, np.subtract, np.maximum, np.arctan2]


@pytest.mark.parametrize("uf", UFUNCS, ids=lambda u: u.__name__)
@settings(max_examples=10, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # the fixture holds for every example
@given(n=st.integers(0, 300), dtype=st.sampled_from(["float32", "float64"]), scalar=st.booleans(),
       data=st.data())
def test_call_is_bit_identical_to_one_core(small_threshold, uf, n, dtype, scalar, data):
    rng = np.random.default_rng(n)
    a = rng.standard_normal(n).astype(dtype).reshape(data.draw(st.sampled_from([(n,), (1, n)])))
    args = (a,) if uf.nin == 1 else (a, 1.5 if scalar else rng.standard_normal(a.shape).astype(dtype))
    got, want = _parallel.call(uf, *args), uf(*args)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


def test_call_falls_back_for_broadcasting_and_strided_inputs(small_threshold):
    a = np.arange(200.0).reshape(2, 100)
    np.testing.assert_array_equal(_parallel.call(np.add, a, a[:1]), a + a[:1])
    np.testing.assert_array_equal(_parallel.call(np.sin, a.T), np.sin(a.T))


def test_numpy_error_state_and_errors_reach_the_other_threads(small_threshold):
    z = np.zeros(1000)
    with np.errstate(divide="raise"):
        with pytest.raises(FloatingPointError):
            _parallel.call(np.true_divide, np.ones(1000), z)
    with np.errstate(divide="ignore"):
        assert np.isinf(_parallel.call(np.true_divide, np.ones(1000), z)).all()


def _loss(lib, x):
    return (lib.sin(x) * lib.exp(-x ** 2) + x ** 3 - lib.tanh(x) / 2 + 1 / (2 + lib.sigmoid(x))).sum()


def test_forward_and_backward_match_one_core_bit_for_bit(small_threshold):
    data = np.random.default_rng(0).standard_normal(5000).astype(np.float32)
    results = []
    for threads in (3, 1):
        _parallel.set_num_threads(threads)
        x = ndgrad.tensor(data, requires_grad=True)
        loss = _loss(ndgrad, x)
        loss.backward()
        results.append((loss.item(), x.grad.numpy().copy(), x.grad.numpy().flags.writeable))
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])
    assert results[0][2]  # .grad is an ordinary writeable array, not a view used for the split


@needs_torch
def test_big_gradients_match_torch(small_threshold):
    data = np.random.default_rng(1).standard_normal(3000)
    x, xt = ndgrad.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    _loss(ndgrad, x).backward()
    _loss(torch, xt).backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-12)
    assert type(x.grad.numpy()) is np.ndarray


def test_set_num_threads_like_torch():
    prev = ndgrad.get_num_threads()
    try:
        ndgrad.set_num_threads(1)
        assert ndgrad.get_num_threads() == 1
        for bad, msg in ((0, "set_num_threads expects a positive integer"),
                         (True, "set_num_threads expects an int, but got bool"),
                         (1.5, "set_num_threads expects an int, but got float")):
            with pytest.raises(RuntimeError) as e:
                ndgrad.set_num_threads(bad)
            assert str(e.value) == msg
    finally:
        ndgrad.set_num_threads(prev)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork (POSIX)")
def test_a_forked_child_starts_its_own_threads(small_threshold):
    # multiprocessing with fork: the parent's helper threads do not exist in the child
    import os
    _parallel.call(np.sin, np.ones(1000))  # helpers started in the parent
    pid = os.fork()
    if pid == 0:  # the child: must not wait forever on the parent's (absent) threads
        import signal
        signal.alarm(20)  # a hang fails the test (killed by SIGALRM) instead of hanging the run
        ok = np.array_equal(_parallel.call(np.sin, np.ones(1000)), np.sin(np.ones(1000)))
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def test_no_threads_to_start_means_one_core(small_threshold, monkeypatch):
    # at interpreter shutdown threading refuses new threads: the kernel still runs, on one core
    def refuse(n):
        raise RuntimeError("can't create new thread at interpreter shutdown")
    monkeypatch.setattr(_parallel, "_helpers", refuse)
    a = np.linspace(0, 1, 1000)
    np.testing.assert_array_equal(_parallel.call(np.sin, a), np.sin(a))
