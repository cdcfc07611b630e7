"""Running an op-table entry on ndgrad and on torch and comparing everything PyTorch promises."""
import warnings

import numpy as np

import ndgrad
from _torch import torch

FLOAT_KINDS = "f"


def make_tensor(m, a, rg):
    t = m.from_numpy(np.array(a, copy=True))
    if rg and a.dtype.kind == "f":
        t.requires_grad_(True)
    return t


def build(m, args, rg):
    """Tensors (``m``'s) for the NumPy arrays among ``args``; lists of arrays become lists of tensors."""
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            out.append(make_tensor(m, a, rg))
        elif isinstance(a, list) and a and isinstance(a[0], np.ndarray):
            out.append([make_tensor(m, x, rg) for x in a])
        else:
            out.append(a)
    return out


def leaves(built):
    ls = []
    for a in built:
        if isinstance(a, list):
            ls.extend(x for x in a if _is_tensor(x))
        elif _is_tensor(a):
            ls.append(a)
    return ls


def _is_tensor(x):
    return isinstance(x, ndgrad.Tensor) or (torch is not None and isinstance(x, torch.Tensor))


def flat(r):
    if isinstance(r, (tuple, list)):
        return [y for x in r for y in flat(x)]
    return [r]


def call(fn, m, built):
    """(result, None) or (None, exception)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(m, *built), None
    except Exception as e:  # noqa: BLE001 - the point is to compare errors
        return None, e


def tol(dtype_name, extra=None):
    if "float16" in dtype_name:
        return 1e-2, 1e-2
    if "float32" in dtype_name:
        r = 1e-4 if extra is None else max(extra, 1e-4)
        return r, 1e-5
    return (1e-9 if extra is None else extra * 1e-3), 1e-10


def assert_close(n, t, what, extra_tol=None):
    na = np.asarray(n)
    ta = np.asarray(t)
    assert na.shape == ta.shape, f"{what}: shape {na.shape} != torch {ta.shape}"
    if ta.dtype.kind == "f":
        rtol, atol = tol(str(ta.dtype), extra_tol)
        np.testing.assert_allclose(na.astype(np.float64), ta.astype(np.float64), rtol=rtol, atol=atol,
                                   equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(na, ta, err_msg=what)


def node_name(fn):
    return None if fn is None else type(fn).__name__


def compare_results(rn, rt, ctx="", extra_tol=None, check_repr=True):
    fn_, ft = flat(rn), flat(rt)
    assert len(fn_) == len(ft), f"{ctx}: {len(fn_)} outputs, torch has {len(ft)}"
    assert type(rn).__name__ == type(rt).__name__ or not isinstance(rt, tuple) or \
        type(rt).__module__.startswith("torch.return_types") or isinstance(rn, tuple), \
        f"{ctx}: result type {type(rn).__name__} != torch {type(rt).__name__}"
    for i, (n, t) in enumerate(zip(fn_, ft)):
        w = f"{ctx} output {i}"
        if isinstance(t, torch.Tensor):
            assert isinstance(n, ndgrad.Tensor), f"{w}: got {type(n).__name__}, torch gives a Tensor"
            assert str(n.dtype) == str(t.dtype), f"{w}: dtype {n.dtype} != torch {t.dtype}"
            assert tuple(n.shape) == tuple(t.shape), f"{w}: shape {tuple(n.shape)} != torch {tuple(t.shape)}"
            assert_close(n.detach().numpy(), t.detach().numpy(), w, extra_tol)
            assert n.requires_grad == t.requires_grad, f"{w}: requires_grad {n.requires_grad} != {t.requires_grad}"
            assert node_name(n.grad_fn) == node_name(t.grad_fn), \
                f"{w}: grad_fn {node_name(n.grad_fn)} != torch {node_name(t.grad_fn)}"
            if check_repr:
                assert repr(n) == repr(t), f"{w}: repr\n{n!r}\n!= torch\n{t!r}"
        else:
            assert type(n) is type(t), f"{w}: {type(n).__name__} != torch {type(t).__name__}"
            assert n == t or (n != n and t != t), f"{w}: {n!r} != torch {t!r}"


def compare_errors(en, et, ctx=""):
    assert en is not None, f"{ctx}: torch raises {type(et).__name__}: {et}; ndgrad does not"
    assert type(en).__name__ == type(et).__name__, \
        f"{ctx}: ndgrad raises {type(en).__name__}: {en}; torch {type(et).__name__}: {et}"
    assert str(en) == str(et), f"{ctx}: message\n{en}\n!= torch\n{et}"


def weights(shape, dtype_np):
    n = int(np.prod(shape))
    return (np.cos(np.arange(n) * 1.3) + 0.1).reshape(shape).astype(dtype_np)


def backward_both(rn, rt, ln, lt):
    """Backpropagates sum(out * w) over the differentiable outputs; returns True if anything ran."""
    on = [o for o in flat(rn) if isinstance(o, ndgrad.Tensor) and o.requires_grad]
    ot = [o for o in flat(rt) if isinstance(o, torch.Tensor) and o.requires_grad]
    assert len(on) == len(ot)
    if not ot:
        return False
    lossn = None
    losst = None
    for a, b in zip(on, ot):
        w = weights(tuple(b.shape), b.detach().numpy().dtype)
        pn = (a * ndgrad.from_numpy(w.copy())).sum()
        pt = (b * torch.from_numpy(w.copy())).sum()
        lossn = pn if lossn is None else lossn + pn
        losst = pt if losst is None else losst + pt
    try:
        losst.backward()
    except RuntimeError as et:  # e.g. a NotImplemented node: ndgrad must refuse the same way
        try:
            lossn.backward()
        except RuntimeError as en:
            compare_errors(en, et, "backward")
            return False
        raise AssertionError(f"torch's backward raises {et}; ndgrad's does not") from None
    lossn.backward()
    return True


def run_parity(entry, args, rg=True, ctx="", check_repr=None):
    """Runs ``entry`` on both libraries with the same inputs and compares results, errors and gradients."""
    bn, bt = build(ndgrad, args, rg), build(torch, args, rg)
    rt, et = call(entry.fn, torch, bt)
    rn, en = call(entry.fn, ndgrad, bn)
    ctx = ctx or f"{entry.name}{_describe(args)}"
    if et is not None:
        compare_errors(en, et, ctx)
        return
    if en is not None:
        raise AssertionError(f"{ctx}: ndgrad raises {type(en).__name__}: {en}; torch gives {rt!r}") from en
    compare_results(rn, rt, ctx, entry.tol, entry.repr if check_repr is None else check_repr)
    if entry.grad and rg and backward_both(rn, rt, leaves(bn), leaves(bt)):
        for i, (a, b) in enumerate(zip(leaves(bn), leaves(bt))):
            if b.grad is None:
                assert a.grad is None, f"{ctx}: input {i} has a grad, torch's is None"
            else:
                assert a.grad is not None, f"{ctx}: input {i} grad is None, torch's is not"
                assert str(a.grad.dtype) == str(b.grad.dtype), f"{ctx}: grad dtype {a.grad.dtype} != {b.grad.dtype}"
                assert_close(a.grad.numpy(), b.grad.numpy(), f"{ctx}: grad of input {i}", entry.tol)


def _describe(args):
    parts = []
    for a in args:
        if isinstance(a, np.ndarray):
            parts.append(f"{a.dtype}{list(a.shape)}")
        elif isinstance(a, list) and a and isinstance(a[0], np.ndarray):
            parts.append("[" + ", ".join(f"{x.dtype}{list(x.shape)}" for x in a) + "]")
        else:
            parts.append(repr(a))
    return "(" + ", ".join(parts) + ")"
