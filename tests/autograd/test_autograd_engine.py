"""Engine: deep chains, freeing, argument errors of backward/grad, batched grads, grad mode per thread."""
import gc
import threading
import weakref

import pytest

import ndgrad
from _torch import torch, needs_torch
from _agcommon import same


def test_deep_chain_backward_and_delete():
    x = ndgrad.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0]
    y = x
    for _ in range(100_000):
        y = y + 0.0
    ref = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert ref() is None


def test_saved_tensors_released_unless_retained():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    node = y.grad_fn
    y.sum().backward(retain_graph=True)
    assert node._saved is not None
    y.sum().backward()
    assert node._saved is None
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.sum().backward()


def test_gradients_freed_once_consumed():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = a * 3
    refs = []
    b.register_hook(lambda g: refs.append(weakref.ref(g)))
    seen = []
    a.grad_fn.register_prehook(lambda go: seen.append(refs[0]() is None))
    b.sum().backward()
    assert seen == [True]


def test_grad_mode_is_thread_local():
    out = {}

    def worker():
        out["thread"] = ndgrad.is_grad_enabled()
        x = ndgrad.tensor([1.0], requires_grad=True)
        out["rg"] = (x * 2).requires_grad
    with ndgrad.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert not ndgrad.is_grad_enabled()
    assert out == {"thread": True, "rg": True}


ARG_CASES = {
    "lens_backward": lambda L, x, y, z: L.autograd.backward([y, z], [L.ones(2)]),
    "extra_grads_ok": lambda L, x, y, z: L.autograd.backward([y], [L.ones(2), L.ones(2)]) or x.grad,
    "lens_grad": lambda L, x, y, z: L.autograd.grad([y, z], x, [L.ones(2)]),
    "shape": lambda L, x, y, z: L.autograd.grad(y, x, L.ones(3)),
    "not_required": lambda L, x, y, z: L.autograd.grad(y.sum(), L.ones(2)),
    "empty_grad_inputs": lambda L, x, y, z: L.autograd.grad(y.sum(), []),
    "empty_backward_inputs": lambda L, x, y, z: y.sum().backward(inputs=[]),
    "materialize_unused": lambda L, x, y, z: L.autograd.grad(y.sum(), x, allow_unused=False,
                                                             materialize_grads=True),
    "unused": lambda L, x, y, z: L.autograd.grad(y.sum(), [x, z]),
    "allow_unused": lambda L, x, y, z: L.autograd.grad(y.sum(), [x, z], allow_unused=True),
    "materialize": lambda L, x, y, z: L.autograd.grad(y.sum(), [z, x], materialize_grads=True),
    "nonscalar": lambda L, x, y, z: y.backward(),
    "no_grad_fn": lambda L, x, y, z: L.ones(2).sum().backward(),
    "inputs": lambda L, x, y, z: (y * z).sum().backward(inputs=[z]) or (x.grad, z.grad),
    "inputs_no_grad": lambda L, x, y, z: y.sum().backward(inputs=[L.ones(2)]),
    "batched": lambda L, x, y, z: L.autograd.grad(y * x, x, L.eye(2), is_grads_batched=True),
    "batched_shape": lambda L, x, y, z: L.autograd.grad(y, x, L.ones(2, 2, 2), is_grads_batched=True),
    "batched_shape2": lambda L, x, y, z: L.autograd.grad(y, x, L.ones(3, 3), is_grads_batched=True),
    "grad_tensors": lambda L, x, y, z: L.autograd.backward((y, z), (L.ones(2), L.tensor([1.0, 2.0]))) or x.grad,
    "int_grad": lambda L, x, y, z: L.autograd.backward(y, L.ones(2, dtype=L.long)) or x.grad,
    "bad_grad_type": lambda L, x, y, z: L.autograd.backward(y, [3]),
    "twice": lambda L, x, y, z: [(x.exp().sum()).backward(), (x * x).sum().backward(), z.sum().backward(),
                                 z.sum().backward()],
}


@needs_torch
@pytest.mark.parametrize("case", sorted(ARG_CASES))
def test_argument_errors_and_results(case):
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        z = x.exp() * 3
        return ARG_CASES[case](L, x, y, z)
    same(run, torch)


@needs_torch
def test_anomaly_mode_nan():
    import warnings

    def run(L):
        x = L.tensor([0.0, 1.0], requires_grad=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            with L.autograd.detect_anomaly():
                y = x.sqrt() * 0
                try:
                    y.sum().backward()
                except RuntimeError as e:
                    return str(e), any("Error detected in SqrtBackward0" in str(m.message) for m in w)
    assert same(run, torch) == ("Function 'SqrtBackward0' returned nan values in its 0th output.", True)

    def run2(L):
        L.autograd.set_detect_anomaly(True)
        try:
            # torch.is_anomaly_enabled is top level; ndgrad has it in autograd (ndgrad/__init__ is not ours)
            return (getattr(L, "is_anomaly_enabled", None) or L.autograd.is_anomaly_enabled)()
        finally:
            L.autograd.set_detect_anomaly(False)
    same(run2, torch)
