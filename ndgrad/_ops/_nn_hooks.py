"""Module backward hooks: identity ops around a module call (PyTorch's BackwardHookFunction).

The inputs op's rule receives the gradients w.r.t. the module's inputs, the outputs op's rule the
gradients w.r.t. its outputs; they call the module's full backward (pre-)hooks and pass the
(possibly replaced) gradients on.
"""
from .._tensor import Tensor, _wrap
from ._core import defop, needs_grad, record


class HookState:
    """One module call: which positional args were wrapped, the gradients of the outputs."""

    __slots__ = ("module", "n_args", "wrapped", "grad_output", "n_out")

    def __init__(self, module, n_args, wrapped):
        self.module = module
        self.n_args = n_args
        self.wrapped = wrapped
        self.grad_output = None
        self.n_out = 0


def _call_full_hooks(state, grad_input):
    m = state.module
    for hook in list(m._backward_hooks.values()):
        res = hook(m, grad_input, state.grad_output)
        if res is not None:
            res = tuple(res) if isinstance(res, (tuple, list)) else (res,)
            if len(res) != len(grad_input):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got {len(res)}, but "
                                   f"expected {len(grad_input)}")
            grad_input = res
    return grad_input


def _inputs_vjp(ctx, grads):
    state, = ctx._params
    grads = grads if type(grads) is tuple else (grads,)
    full = [None] * state.n_args
    for pos, g in zip(state.wrapped, grads):
        full[pos] = g
    full = _call_full_hooks(state, tuple(full))
    return tuple(full[pos] for pos in state.wrapped)


def _outputs_vjp(ctx, grads):
    state, = ctx._params
    grads = grads if type(grads) is tuple else (grads,)
    m = state.module
    for hook in list(m._backward_pre_hooks.values()):
        res = hook(m, grads)
        if res is not None:
            grads = tuple(res) if isinstance(res, (tuple, list)) else (res,)
    state.grad_output = grads
    if not state.wrapped and m._backward_hooks:
        import warnings
        warnings.warn("Full backward hook is firing when gradients are computed with respect to module outputs since "
                      "no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
                      "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.",
                      UserWarning, stacklevel=2)
        _call_full_hooks(state, (None,) * state.n_args)
    return grads


HOOK_INPUTS = defop("backward_hook_inputs", None, _inputs_vjp, node="BackwardHookFunctionBackward", nout=-1)
HOOK_OUTPUTS = defop("backward_hook_outputs", None, _outputs_vjp, node="BackwardHookFunctionBackward", nout=-1)


def _alias(t):
    a = _wrap(t._data)
    if t._vc is None:
        from ..autograd.graph import _VC
        t._vc = _VC()
    a._vc = t._vc
    return a


def wrap_inputs(module, args):
    """Routes the tensor args that require grad through one identity node; returns (args, state)."""
    pos = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
    state = HookState(module, len(args), pos)
    if not pos or not needs_grad(*[args[i] for i in pos]):
        state.wrapped = []
        return args, state
    outs = tuple(_alias(args[i]) for i in pos)
    record(HOOK_INPUTS, outs, tuple(args[i] for i in pos), (state,))
    new = list(args)
    for i, o in zip(pos, outs):
        new[i] = o
    return tuple(new), state


def wrap_outputs(state, result):
    """Routes the output tensor(s) through one identity node (a Tensor or a flat tuple/list of them)."""
    single = isinstance(result, Tensor)
    items = (result,) if single else tuple(result) if isinstance(result, (tuple, list)) else None
    if items is None:
        return result
    pos = [i for i, r in enumerate(items) if isinstance(r, Tensor) and r.requires_grad]
    if not pos or not needs_grad(*[items[i] for i in pos]):
        return result
    outs = tuple(_alias(items[i]) for i in pos)
    record(HOOK_OUTPUTS, outs, tuple(items[i] for i in pos), (state,))
    new = list(items)
    for i, o in zip(pos, outs):
        new[i] = o
    if single:
        return new[0]
    return type(result)(new)
