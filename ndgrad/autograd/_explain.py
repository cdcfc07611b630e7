"""``ndgrad.autograd.explain(t)``: why ``t.grad`` is None, or why ``t`` does not require grad.

>>> x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
>>> y = x * 2
>>> y.sum().backward()
>>> print(ndgrad.autograd.explain(y, "y"))   # doctest: +ELLIPSIS
y.grad is None because y is not a leaf: ...

The answer is plain words built from what the tensor carries: its grad_fn
(and the source line that created it, see ``_source``), whether it is a leaf,
a view, a detached alias, its dtype, whether a backward pass has run and
reached its accumulator.
"""
from . import grad_mode
from ._source import describe

__all__ = ["explain"]


class Explanation(str):
    """The explanation text; prints (and shows in the REPL) as plain text."""

    def __repr__(self):
        return str(self)


def _name(t, name):
    return name or "t"


def reason(t, name=None):
    """(key, text): key is a short tag of the reason (tests and error notes use it)."""
    from .._tensor import Tensor
    n = _name(t, name)
    if not isinstance(t, Tensor):
        return "not_tensor", f"{n} is a {type(t).__name__}, not a tensor: only tensors have .grad."
    fn = t._grad_fn
    d = t.__dict__ if hasattr(t, "__dict__") else {}
    if not t._requires_grad:
        if t._data.dtype.kind not in "fc":
            return "integer", (
                f"{n} does not require grad because its dtype is {t.dtype}: only floating point tensors can "
                f"require gradients, and the results of integer ops (argmax, comparisons, indices, integer "
                f"data such as torch.tensor([1, 2])) never do. Fix: make it floating point (torch.tensor([1., "
                f"2.]) or {n}.float()) before requires_grad_(), or differentiate a float computation instead.")
        why = d.get("_why")
        if why in ("detach", "data"):
            how = ".detach()" if why == "detach" else ".data"
            return "detach", (
                f"{n} does not require grad because it came from {how}: it shares memory with the original "
                f"tensor but has no history, so gradients cannot flow through it. Fix: use the original tensor "
                f"in the computation you differentiate (call {how} only for values you do not want gradients "
                f"for, e.g. plotting or .numpy()).")
        if why == "numpy":
            return "numpy", (
                f"{n} does not require grad because it was built from NumPy data (from_numpy/tensor(array)): "
                f"a round trip through .numpy() drops the history. Fix: keep the computation in tensors, or "
                f"call {n}.requires_grad_() to start a new leaf.")
        if why == "no_grad":
            return "no_grad", (
                f"{n} does not require grad because it was created under torch.no_grad() (or "
                f"set_grad_enabled(False)/inference_mode) from tensors that require grad: no history was "
                f"recorded. Fix: compute it outside the no_grad block.")
        b = t._base
        if b is not None and b._requires_grad:
            return "no_grad", (
                f"{n} does not require grad because it was created under torch.no_grad() (or "
                f"inference_mode): it is a view of a tensor that requires grad, taken while recording was off. "
                f"Fix: compute it outside the no_grad block.")
        if not grad_mode._state.enabled:
            return "no_grad", (
                f"{n} does not require grad: gradient recording is off right now (inside torch.no_grad(), "
                f"set_grad_enabled(False) or inference_mode), so results of operations get no grad_fn. Fix: "
                f"compute it outside the no_grad block.")
        return "never_set", (
            f"{n} does not require grad and has no grad_fn: it is a tensor whose requires_grad was never set "
            f"(created by torch.tensor/zeros/ones/from_numpy... without requires_grad=True), or the result of "
            f"operations that ran under torch.no_grad() or whose inputs did not require grad. Fix: create the "
            f"inputs with requires_grad=True (or call x.requires_grad_()) and compute {n} from them outside "
            f"no_grad.")
    if fn is not None:
        if not t._retains_grad:
            return "not_leaf", (
                f"{n}.grad is None because {n} is not a leaf: it was computed by {describe(fn)}, and backward() "
                f"fills .grad only for leaves (tensors created with requires_grad=True). Fix: call "
                f"{n}.retain_grad() before backward(), or use torch.autograd.grad(loss, {n}), or register a "
                f"hook with {n}.register_hook(...).")
        if t._grad is None:
            return _not_reached(n, "retains its grad, but ")
        return "has_grad", f"{n}.grad is set (shape {list(t._data.shape)}); nothing to explain."
    if t._grad is not None:
        return "has_grad", f"{n}.grad is set (shape {list(t._data.shape)}); nothing to explain."
    acc = t._acc() if t._acc is not None else None
    if acc is None:
        from . import _engine
        if getattr(_engine, "RUNS", 0) == 0:
            return "not_run", (
                f"{n}.grad is None because backward() has not been called yet (and no recorded operation uses "
                f"{n} right now). Fix: compute a scalar loss from {n} and call loss.backward().")
        return "not_used", (
            f"{n}.grad is None because no recorded operation uses {n}: backward() ran, but {n} is not part of "
            f"any graph (it was not used in the loss, was used only under no_grad, or the graph was freed before "
            f"it was used). Fix: compute the loss from {n} with grad mode on, then call loss.backward().")
    return _not_reached(n, "is in a recorded graph, but ")


def _not_reached(n, middle):
    from . import _engine
    if getattr(_engine, "RUNS", 0) == 0:
        return "not_run", (f"{n}.grad is None because backward() has not been called yet: {n} {middle}no backward "
                           f"pass has run. Fix: call loss.backward() on a scalar computed from {n}.")
    return "not_reached", (
        f"{n}.grad is None because backward() did not reach it: {n} {middle}the backward passes that ran "
        f"started from results that do not depend on {n} (or its gradient was reset with zero_grad()/"
        f"{n}.grad = None, or backward(inputs=...) excluded it). Fix: call backward() on a result computed "
        f"from {n}.")


def explain(t, name=None):
    """Why ``t.grad`` is None or why ``t`` does not require grad, in plain words (a printable string).

    ``name`` is used in the text instead of ``t``.
    """
    return Explanation(reason(t, name)[1])
