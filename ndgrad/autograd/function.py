"""Custom autograd functions: subclass ``Function`` with static ``forward`` and ``backward``.

The ``ctx`` handed to both is the backward node itself (as in PyTorch), whose
class is named ``<YourFunction>Backward``.
"""
import functools

import numpy as np

from .grad_mode import _state, no_grad
from .graph import BACKWARD_TWICE, Node, SavedVar, _seq, freed_error  # noqa: F401

__all__ = ["Function", "FunctionCtx", "once_differentiable", "BackwardCFunction"]


class FunctionCtx:
    """Methods available on ``ctx`` in ``forward``/``setup_context``/``backward``."""

    def save_for_backward(self, *tensors):
        self._to_save = tensors

    def save_for_forward(self, *tensors):
        self._saved_for_forward = tensors

    def mark_dirty(self, *args):
        self._dirty = args

    def mark_non_differentiable(self, *args):
        self._non_diff = args

    def set_materialize_grads(self, value):
        self._materialize = bool(value)


class BackwardCFunction(Node, FunctionCtx):
    """The node (and ctx) of a custom Function application."""

    _materialize = True
    _to_save = None
    _dirty = ()
    _non_diff = ()
    _fn_cls = None

    def __init__(self):
        self._seq = next(_seq)

    @property
    def saved_tensors(self):
        if self.__dict__.get("_in_jvp"):
            return tuple(getattr(self, "_saved_for_forward", ()))
        s = self._saved
        if s is None:
            raise freed_error(self)
        return tuple(v.unpack(self) if type(v) is SavedVar else v for v in s)

    saved_variables = saved_tensors

    @property
    def needs_input_grad(self):
        return self._needs

    def _apply(self, grads):
        from .._tensor import _wrap
        if self._materialize:
            grads = [g if g is not None else _wrap(np.zeros(shape, dtype=npd))
                     for g, (shape, npd) in zip(grads, self._out_meta)]
        res = self._fn_cls.backward(self, *grads)
        if type(res) is not tuple:
            res = (res,)
        n = len(self.next_functions)
        if len(res) != n:
            if len(res) > n and all(r is None for r in res[n:]):
                res = res[:n]
            else:
                raise RuntimeError(f"function {type(self).__name__} returned an incorrect number of gradients "
                                   f"(expected {n}, got {len(res)})")
        out = []
        from .._tensor import Tensor
        for i, (r, need) in enumerate(zip(res, self._needs)):
            if r is not None and not isinstance(r, Tensor):
                raise RuntimeError(f"function {type(self).__name__} returned a gradient different than None at "
                                f"position {i + 1}, but the corresponding forward input was not a Variable")
            if r is not None and need:
                shape = self._meta[i][0]
                if r._data.shape != shape and not _expandable(shape, r._data.shape):
                    raise RuntimeError(f"Function {type(self).__name__} returned an invalid gradient at index {i} - "
                                       f"got [{', '.join(map(str, r._data.shape))}] but expected shape compatible "
                                       f"with [{', '.join(map(str, shape))}]")
            out.append(r if need else None)
        return tuple(out)


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,),
                                 {"_fn_cls": cls, "__module__": cls.__module__})


class Function(FunctionCtx, metaclass=_FunctionMeta):
    """Base class for custom autograd operations.

    >>> class Exp(ndgrad.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         y = x.exp()
    ...         ctx.save_for_backward(y)
    ...         return y
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         y, = ctx.saved_tensors
    ...         return g * y
    >>> Exp.apply(ndgrad.tensor(0.0, requires_grad=True))
    tensor(1., grad_fn=<ExpBackward>)
    """

    generate_vmap_rule = False

    def __init__(self, *args, **kwargs):
        import warnings
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions are all static, "
                      "so you should invoke them on the class itself. Instantiating an autograd function will "
                      "raise an error in a future version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. Please use "
                           "new-style autograd function with static forward method. (Example: "
                           "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom autograd.Function to use it "
                                  "with forward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor, _wrap
        from .._ops._core import connect
        ctx = cls._backward_cls()
        uses_setup = cls.setup_context is not Function.setup_context
        with no_grad():
            if uses_setup:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        tensor_args = [a for a in args if isinstance(a, Tensor)]
        recording = _state.enabled and any(a._requires_grad for a in tensor_args)
        single = not isinstance(output, tuple)
        outs = (output,) if single else output
        dirty = {id(t) for t in ctx._dirty}
        non_diff = {id(t) for t in ctx._non_diff}
        new_outs = []
        for o in outs:
            if isinstance(o, Tensor) and id(o) in {id(a) for a in tensor_args} and id(o) not in dirty:
                alias = _wrap(o._data)
                alias._vc = o._vc
                alias._base = o._base if o._base is not None else o  # PyTorch returns a view of the input
                o = alias
            new_outs.append(o)
        outs = tuple(new_outs)
        if recording:
            connect(ctx, args)
            ctx._out_meta = []
            ctx._nout = len(outs)
            for i, o in enumerate(outs):
                if isinstance(o, Tensor):
                    ctx._out_meta.append((o._data.shape, o._data.dtype))
                    if id(o) in non_diff or o._data.dtype.kind != "f":
                        o._requires_grad = False
                        continue
                    if id(o) in dirty:
                        o._bump()
                    o._grad_fn = ctx
                    o._requires_grad = True
                    o._output_nr = i
                else:
                    ctx._out_meta.append(((), np.dtype(np.float32)))
        else:
            ctx._needs = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
            for o in outs:
                if isinstance(o, Tensor) and id(o) in dirty:
                    o._bump()
        if ctx._to_save is not None:
            out_ids = {id(o) for o in outs if isinstance(o, Tensor)}
            saved = []
            for t in ctx._to_save:
                if t is None or not isinstance(t, Tensor):
                    saved.append(t)
                else:
                    saved.append(SavedVar(t, is_output=recording and id(t) in out_ids and t._grad_fn is ctx))
            ctx._saved = saved
            ctx._to_save = None
        else:
            ctx._saved = ()
        from .._ops import _core
        if _core._fw.on and cls.jvp is not Function.jvp:
            from .forward_ad import _function_jvp
            ctx._in_jvp = True  # saved_tensors gives what save_for_forward saved
            try:
                _function_jvp(cls, ctx, args, outs)
            finally:
                ctx._in_jvp = False
        return outs[0] if single else outs


def _expandable(shape, gshape):
    """PyTorch's is_expandable_to(shape, grad): ``shape`` broadcasts to ``gshape``."""
    if len(shape) > len(gshape):
        return False
    for s, g in zip(reversed(shape), reversed(gshape)):
        if s != g and s != 1:
            return False
    return True


_ONCE = "trying to differentiate twice a function that was marked with @once_differentiable"


def _delayed_error_rule(ctx, g):
    raise RuntimeError(_ONCE)


_DELAYED = []


def _delayed_error(outs):
    """PyTorch's DelayedError: outputs whose backward raises (double backward through once_differentiable)."""
    from .._tensor import Tensor, _wrap
    from .._ops._core import defop, record
    if not _DELAYED:
        op = defop("delayed_error", None, _delayed_error_rule, node="Error")
        op.node_cls.name = lambda self: "torch::autograd::Error"
        _DELAYED.append(op)
    single = not isinstance(outs, tuple)
    res = []
    for o in ((outs,) if single else outs):
        if isinstance(o, Tensor) and o._data.dtype.kind in "fc":
            w = _wrap(o._data)
            record(_DELAYED[0], w, (o,))
            o = w
        res.append(o)
    return res[0] if single else tuple(res)


def once_differentiable(fn):
    """Marks a backward as not differentiable twice (it runs under no_grad)."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        from .._tensor import Tensor
        with no_grad():
            outs = fn(ctx, *args)
        if _state.enabled and any(isinstance(a, Tensor) and a._requires_grad for a in args):
            outs = _delayed_error(outs)
        return outs
    return wrapper


class InplaceFunction(Function):
    def __init__(self, inplace=False):
        self.inplace = inplace


class NestedIOFunction(Function):
    pass
