"""Backward through ops with a variable number of outputs (chunk/split/unbind), which LSTM/GRU use."""
import ndgrad


def test_chunk_backward():
    x = ndgrad.arange(4.0, requires_grad=True)
    a, b = x.chunk(2)
    (a.sum() + b.sum() * 2).backward()
    assert x.grad.tolist() == [1.0, 1.0, 2.0, 2.0]


def test_unbind_backward_skips_unused_outputs():
    y = ndgrad.ones(3, 2, requires_grad=True)
    u = y.unbind(0)
    (u[0] * 3 + u[2]).sum().backward()
    assert y.grad.tolist() == [[3.0, 3.0], [0.0, 0.0], [1.0, 1.0]]
