"""``backward`` and ``grad``: argument checks in PyTorch's words, then the engine."""
import numpy as np

from . import _engine
from .grad_mode import _state
from .. import _tensor as _T  # partially initialised here: attributes are read at call time

_accumulator = None


def _acc(t):
    """``_ops._core.accumulator`` (imported on first use: _ops loads after autograd)."""
    global _accumulator
    if _accumulator is None:
        from .._ops._core import accumulator as _accumulator
    return _accumulator(t)

UNUSED = ("One of the differentiated Tensors appears to not have been used in the graph. "
          "Set allow_unused=True if this is the desired behavior.")


def _tensors(x, what):
    if isinstance(x, _T.Tensor):
        return (x,)
    if x is None:
        return ()
    return tuple(x)


def _make_grads(outputs, grads, is_grads_batched=False):
    Tensor, _wrap = _T.Tensor, _T._wrap
    out = []
    for i, (o, g) in enumerate(zip(outputs, grads)):
        if isinstance(g, Tensor):
            gs = g._data.shape[1:] if is_grads_batched else g._data.shape
            if gs != o._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of torch.Size([{', '.join(map(str, gs))}]) "
                    f"and output[{i}] has a shape of torch.Size([{', '.join(map(str, o._data.shape))}]).")
            if (o._data.dtype.kind == "c") != (g._data.dtype.kind == "c"):
                raise RuntimeError(f"For complex Tensors, both grad_output and output are required to have the "
                                   f"same dtype. Mismatch in dtype: grad_output[{i}] has a dtype of "
                                   f"{g.dtype} and output[{i}] has a dtype of {o.dtype}.")
            out.append(g)
        elif g is None:
            if o._requires_grad:
                if o._data.size != 1:
                    from ._source import describe, note
                    raise note(RuntimeError("grad can be implicitly created only for scalar outputs"),
                               f"backward() was called on a tensor of shape {list(o._data.shape)} (made by "
                               f"{describe(o._grad_fn) if o._grad_fn is not None else 'a leaf'}); "
                               "backward() without arguments needs a single number (a loss).",
                               "fix: reduce it first (y.sum().backward() or y.mean().backward()), or pass the "
                               "upstream gradient: y.backward(gradient=torch.ones_like(y)).")
                if o._data.dtype.kind != "f":
                    raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                                       f"{o.dtype}")
                d = o._data
                out.append(_wrap(_ones(d) if d.ndim == 0 else np.ones(d.shape, dtype=d.dtype)))
            else:
                out.append(None)
        else:
            raise TypeError("gradients can be either Tensors or None, but got " + type(g).__name__)
    return out


def _ones(d):
    return np.array(1, dtype=d.dtype)  # np.ones costs 0.8 us even for a 0-d array; np.array a fifth of that


def _scalar_root(o):
    """The engine's roots for the implicit gradient of a float scalar with a grad_fn, else None (the
    general path then checks the call and says what is wrong)."""
    d = o._data
    fn = o._grad_fn
    if fn is not None and d.ndim == 0 and d.dtype.kind == "f" and o._base is None:
        return [(fn, o._output_nr, _T._wrap(_ones(d)))]
    return None


def _roots(outputs, grads):
    roots = []
    for i, (o, g) in enumerate(zip(outputs, grads)):
        if not o._requires_grad:
            raise _no_grad_fn(i, o)
        if g is None:
            continue
        if g._data.dtype != o._data.dtype:
            g = g.to(o.dtype)
        fn = o.grad_fn  # (regenerates a stale view's history)
        if fn is None:
            roots.append((_acc(o), 0, g))
        else:
            roots.append((fn, o._output_nr, g))
    return roots


def _no_grad_fn(i, o):
    from ._explain import explain
    from ._source import note
    return note(RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn"),
                explain(o, f"tensors[{i}]"))


def _unused(i, t):
    from ._source import describe, note
    made = f"made by {describe(t._grad_fn)}" if t._grad_fn is not None else "a leaf"
    return note(RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                             "graph. Set allow_unused=True if this is the desired behavior."),
                f"inputs[{i}] ({made}, shape {list(t._data.shape)}) is not on any path from the outputs back "
                "to the leaves: the outputs were not computed from it (or only through detach()/no_grad).",
                "fix: check that the outputs really use it, or pass allow_unused=True (None for it) or "
                "materialize_grads=True (zeros for it).")


def _target(t, i):
    if not t._requires_grad:
        from ._explain import explain
        from ._source import note
        raise note(RuntimeError("One of the differentiated Tensors does not require grad"),
                   explain(t, f"inputs[{i}]"))
    fn = t.grad_fn
    if fn is None:
        return (_acc(t), 0)
    return (fn, t._output_nr)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulates gradients of ``tensors`` into the ``.grad`` of graph leaves.

    >>> x = ndgrad.tensor(3.0, requires_grad=True)
    >>> ndgrad.autograd.backward(x * x)
    >>> x.grad
    tensor(6.)
    """
    if type(tensors) is _T.Tensor and grad_tensors is None and grad_variables is None and inputs is None:
        roots = _scalar_root(tensors)  # loss.backward(): the common call, without the general argument handling
        if roots is not None:
            _engine.execute(roots, create_graph if retain_graph is None else retain_graph, create_graph)
            return
    outputs = _tensors(tensors, "tensors")
    if grad_tensors is None:
        grad_tensors = grad_variables
    grads = _tensors(grad_tensors, "grad_tensors") if grad_tensors is not None else (None,) * len(outputs)
    if len(grads) < len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    if retain_graph is None:
        retain_graph = create_graph
    grads = _make_grads(outputs, grads)
    roots = _roots(outputs, grads)
    if inputs is not None:
        ins = _tensors(inputs, "inputs")
        if len(ins) == 0:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        for t in ins:
            if not t._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        targets = [_target(t, i) for i, t in enumerate(ins)]
        got = _engine.execute(roots, retain_graph, create_graph, targets)
        prev = _state.enabled
        _state.enabled = create_graph
        try:
            for t, g in zip(ins, got):
                if g is None:
                    continue
                if t._grad_fn is None:
                    _engine.accumulate_grad(t, g)
                else:
                    t._grad = g if t._grad is None else t._grad + g
        finally:
            _state.enabled = prev
        return
    _engine.execute(roots, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Gradients of ``outputs`` w.r.t. ``inputs``, returned as a tuple (``.grad`` untouched).

    >>> x = ndgrad.tensor(2.0, requires_grad=True)
    >>> ndgrad.autograd.grad(x ** 3, x)
    (tensor(12.),)
    """
    Tensor = _T.Tensor
    if (type(outputs) is Tensor and type(inputs) is Tensor and grad_outputs is None and not is_grads_batched
            and not materialize_grads and inputs._requires_grad):
        roots = _scalar_root(outputs)  # grad(y, x) of a scalar y: without the general argument handling
        if roots is not None:
            g, = _engine.execute(roots, create_graph if retain_graph is None else retain_graph, create_graph,
                                 [_target(inputs, 0)])
            if g is None:
                if not allow_unused:
                    raise _unused(0, inputs)
            elif not create_graph and g._grad_fn is not None:
                g = g.detach()
            return (g,)
    outs = _tensors(outputs, "outputs")
    ins = _tensors(inputs, "inputs")
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    if grad_outputs is None:
        gouts = (None,) * len(outs)
    else:
        gouts = _tensors(grad_outputs, "grad_outputs")
    if len(gouts) != len(outs):
        raise RuntimeError(f"got {len(outs)} tensors and {len(gouts)} gradients")
    if len(ins) == 0:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if retain_graph is None:
        retain_graph = create_graph
    if is_grads_batched:
        return _batched_grad(outs, ins, gouts, retain_graph, create_graph, allow_unused, materialize_grads)
    for i, o in enumerate(outs):
        if not o._requires_grad:
            raise _no_grad_fn(i, o)
    gr = _make_grads(outs, gouts)
    roots = _roots(outs, gr)
    targets = [_target(t, i) for i, t in enumerate(ins)]
    got = _engine.execute(roots, retain_graph, create_graph, targets)
    res = []
    for i, (t, g) in enumerate(zip(ins, got)):
        if g is None:
            if materialize_grads:
                g = _T._wrap(np.zeros(t._data.shape, dtype=t._data.dtype))
            elif not allow_unused:
                raise _unused(i, t)
        elif not create_graph and g._grad_fn is not None:
            g = g.detach()
        res.append(g)
    return tuple(res)


def _batched_grad(outs, ins, gouts, retain_graph, create_graph, allow_unused, materialize_grads):
    """is_grads_batched: one backward per row of the grad_outputs' first dim, stacked."""
    from .._ops import stack
    for i, (o, g) in enumerate(zip(outs, gouts)):
        if g is not None and tuple(g.shape[1:]) != tuple(o.shape):
            # PyTorch prints the shape of grad_output[i][0] without its first dim (sic)
            shown = ", ".join(map(str, g.shape[2:]))
            raise RuntimeError(
                "If `is_grads_batched=True`, we interpret the first dimension of each grad_output as the batch "
                "dimension. The sizes of the remaining dimensions are expected to match the shape of "
                f"corresponding output, but a mismatch was detected: grad_output[{i}] has a shape of "
                f"torch.Size([{shown}]) and output[{i}] has a shape of torch.Size([{', '.join(map(str, o.shape))}]). "
                "If you only want some tensors in `grad_output` to be considered batched, consider using vmap.")
    n = gouts[0].shape[0]
    per = []
    for b in range(n):
        per.append(grad(outs, ins, tuple(g[b] for g in gouts), retain_graph=True, create_graph=create_graph,
                        allow_unused=allow_unused, materialize_grads=materialize_grads))
    return tuple(None if per[0][k] is None else stack([p[k] for p in per]) for k in range(len(ins)))
