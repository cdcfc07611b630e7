"""Parity helpers: the same module in PyTorch and ndgrad, weights copied, outputs and grads compared."""
import numpy as np

import ndgrad
from _torch import torch

DTYPES = {"float32": (np.float32, 1e-5, 1e-6), "float64": (np.float64, 1e-10, 1e-12)}


def nd(arr, requires_grad=False):
    t = ndgrad.tensor(np.array(arr, copy=True))
    return t.requires_grad_() if requires_grad else t


def th(arr, requires_grad=False):
    t = torch.from_numpy(np.array(arr, copy=True))
    return t.requires_grad_() if requires_grad else t


def copy_weights(tmod, nmod):
    """Loads the torch module's state into the ndgrad module (strict)."""
    sd = {k: ndgrad.tensor(v.detach().numpy().copy()) for k, v in tmod.state_dict().items()}
    nmod.load_state_dict(sd)


def close(a, b, rtol, atol, what=""):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    assert a.shape == b.shape, f"{what}: shape {a.shape} vs {b.shape}"
    assert a.dtype == b.dtype, f"{what}: dtype {a.dtype} vs {b.dtype}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=what)


def _flat(out):
    if isinstance(out, (tuple, list)):
        r = []
        for o in out:
            r += _flat(o)
        return r
    return [out] if out is not None else []


def check_module(make_torch, make_nd, inputs, dtype="float64", grad_inputs=True, train=True, seed=0, tol=None):
    """Forward and backward parity of a module, weights copied from PyTorch.

    ``inputs``: list of NumPy arrays (floating ones get requires_grad when ``grad_inputs``).
    Returns (torch outputs, ndgrad outputs).
    """
    npd, rtol, atol = DTYPES[dtype]
    if tol is not None and dtype == "float64":
        rtol, atol = tol, tol / 100
    tmod = make_torch().to(getattr(torch, dtype))
    nmod = make_nd().to(getattr(ndgrad, dtype))
    copy_weights(tmod, nmod)
    tmod.train(train)
    nmod.train(train)
    ins = [np.asarray(a, dtype=npd) if np.asarray(a).dtype.kind == "f" else np.asarray(a) for a in inputs]
    rg = [grad_inputs and a.dtype.kind == "f" for a in ins]
    tin = [th(a, r) for a, r in zip(ins, rg)]
    nin = [nd(a, r) for a, r in zip(ins, rg)]
    tout = _flat(tmod(*tin))
    nout = _flat(nmod(*nin))
    assert len(tout) == len(nout)
    rng = np.random.default_rng(seed)
    tl, nl = 0, 0
    for i, (a, b) in enumerate(zip(tout, nout)):
        close(b, a, rtol, atol, f"output {i}")
        if a.requires_grad:
            w = rng.standard_normal(tuple(a.shape)).astype(npd)
            tl = tl + (a * th(w)).sum()
            nl = nl + (b * nd(w)).sum()
    if hasattr(tl, "backward"):
        tl.backward()
        nl.backward()
        for i, (a, b) in enumerate(zip(tin, nin)):
            if a.requires_grad:
                close(b.grad, a.grad, rtol * 10, atol * 10, f"input grad {i}")
        tp = dict(tmod.named_parameters())
        for name, p in nmod.named_parameters():
            if tp[name].grad is None:
                assert p.grad is None, name
            else:
                close(p.grad, tp[name].grad, rtol * 10, atol * 10, f"grad of {name}")
    for name, b in tmod.named_buffers():
        close(dict(nmod.named_buffers())[name], b, rtol, atol, f"buffer {name}")
    return tout, nout
