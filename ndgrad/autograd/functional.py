"""Derivatives of functions, as ``torch.autograd.functional``: vjp, jvp, vhp, hvp, jacobian, hessian.

>>> from ndgrad.autograd.functional import jacobian, hessian
>>> x = ndgrad.tensor([1.0, 2.0])
>>> jacobian(lambda x: x ** 2, x)
tensor([[2., 0.],
        [0., 4.]])
>>> hessian(lambda x: (x ** 3).sum(), x)
tensor([[ 6.,  0.],
        [ 0., 12.]])

Signatures, tuple handling and error messages follow PyTorch's. ``vectorize=True``
gives the same values (rows are computed one by one).
"""
from .._tensor import Tensor
from . import forward_ad as fwAD
from ._api import grad
from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _as_tuple(inp, arg_name=None, fn_name=None):
    if arg_name is None and fn_name is None:
        return inp if isinstance(inp, tuple) else tuple(inp) if isinstance(inp, list) else (inp,)
    is_tuple = isinstance(inp, tuple)
    if not is_tuple:
        inp = (inp,)
    for i, el in enumerate(inp):
        if not isinstance(el, Tensor):
            where = f"value at index {i}" if is_tuple else f"given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors but "
                            f"the {where} has type {type(el)}.")
    return is_tuple, inp


def _tuple_post(res, to_unpack):
    if isinstance(to_unpack, tuple):
        if not to_unpack[1]:
            res = tuple(el[0] for el in res)
        if not to_unpack[0]:
            res = res[0]
    elif not to_unpack:
        res = res[0]
    return res


def _grad_pre(inputs, create_graph, need_graph):
    return tuple(inp.view_as(inp) if create_graph and inp.requires_grad
                 else inp.detach().requires_grad_(need_graph) for inp in inputs)


def _grad_post(inputs, create_graph):
    if isinstance(inputs[0], Tensor):
        return inputs if create_graph else tuple(inp.detach() for inp in inputs)
    return tuple(_grad_post(inp, create_graph) for inp in inputs)


def _validate_v(v, other, is_other_tuple):
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (el_v, el_o) in enumerate(zip(v, other)):
        if el_v.size() != el_o.size():
            pre = f"Entry {idx} in " if is_other_tuple else ""
            raise RuntimeError(f"{pre}v has invalid size: should be {el_o.size()} but got {el_v.size()}.")


_REQ = {
    "hessian": ("The hessian of the user-provided function with respect to input {i} is independent of the input. "
                "This is not allowed in strict mode. You should ensure that your function is thrice differentiable "
                "and that the hessian depends on the inputs."),
    "jacobian": ("While computing the hessian, found that the jacobian of the user-provided function with respect "
                 "to input {i} is independent of the input. This is not allowed in strict mode. You should ensure "
                 "that your function is twice differentiable and that the jacobian depends on the inputs (this "
                 "would be violated by a linear function for example)."),
    "grad_inputs": ("The gradient with respect to input {i} is independent of the inputs of the user-provided "
                    "function. This is not allowed in strict mode."),
    "outputs": ("Output {i} of the user-provided function does not require gradients. The outputs must be "
                "computed in a differentiable manner from the input when running in strict mode."),
}


def _check_requires_grad(inputs, input_type, strict):
    if not strict:
        return
    for i, inp in enumerate(inputs):
        if inp is None:
            raise RuntimeError(f"The output of the user-provided function is independent of input {i}. This is "
                               "not allowed in strict mode.")
        if not inp.requires_grad:
            raise RuntimeError(_REQ[input_type].format(i=i))


def _autograd_grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return grad(tuple(o for o, _ in pairs), inputs, tuple(g for _, g in pairs), allow_unused=True,
                create_graph=create_graph, retain_graph=retain_graph)


_FILL = {
    "back": "The output of the user-provided function is independent of input {i}. This is not allowed in strict "
            "mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the grad_outputs when "
                  "using the double backward trick to compute forward mode gradients. This is not allowed in "
                  "strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This is not allowed "
                   "in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} in the "
                         "grad_jacobian. This is not allowed in strict mode as it prevents from using the double "
                         "backward trick to replace forward mode AD.",
}


def _fill_in_zeros(grads, refs, strict, create_graph, stage):
    from .._creation import zeros_like
    res = ()
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_FILL[stage].format(i=i))
            g = zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of input {i}. This is "
                               "not allowed in strict mode when create_graph=True.")
        res += (g,)
    return res


def _prepare(func, inputs, v, create_graph, strict, name, v_like_inputs, single_output=False):
    """Shared start of vjp/jvp/vhp/hvp: tuples, checked v, outputs (under enable_grad)."""
    is_in_tuple, inputs = _as_tuple(inputs, "inputs", name)
    inputs = _grad_pre(inputs, create_graph, True)
    if v is not None:
        _, v = _as_tuple(v, "v", name)
        v = _grad_pre(v, create_graph, False)
        if v_like_inputs:
            _validate_v(v, inputs, is_in_tuple)
    elif v_like_inputs and (len(inputs) != 1 or inputs[0].nelement() != 1):
        raise RuntimeError("The vector v can only be None if the input to the user-provided function is a single "
                           "Tensor with a single element." if name in ("vhp", "hvp") else
                           "The vector v can only be None if the input to the user-provided function is a single "
                           "Tensor with a single element.")
    outputs = func(*inputs)
    is_out_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", name)
    _check_requires_grad(outputs, "outputs", strict)
    if single_output:
        if is_out_tuple:
            raise RuntimeError(f"The function given to {name} should return a single Tensor")
        if outputs[0].nelement() != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {name} should contain a single element")
    if v is not None and not v_like_inputs:
        _validate_v(v, outputs, is_out_tuple)
    elif v is None and not v_like_inputs and (len(outputs) != 1 or outputs[0].nelement() != 1):
        raise RuntimeError("The vector v can only be None if the user-provided function returns a single Tensor "
                           "with a single element.")
    return is_in_tuple, inputs, v, is_out_tuple, outputs


def _finish(outputs, res, create_graph, is_out_tuple, is_res_tuple):
    return (_tuple_post(_grad_post(outputs, create_graph), is_out_tuple),
            _tuple_post(_grad_post(res, create_graph), is_res_tuple))


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T J)``.

    >>> vjp(lambda x: x ** 2, ndgrad.tensor([1., 2.]), ndgrad.tensor([1., 1.]))[1]
    tensor([2., 4.])
    """
    with enable_grad():
        is_in, inputs, v, is_out, outputs = _prepare(func, inputs, v, create_graph, strict, "vjp", False)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _fill_in_zeros(_autograd_grad(outputs, inputs, v, create_graph), inputs, strict, create_graph, "back")
    return _finish(outputs, res, create_graph, is_out, is_in)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)`` (by the double-backward trick, as PyTorch).

    >>> jvp(lambda x: x ** 2, ndgrad.tensor([1., 2.]), ndgrad.tensor([1., 0.]))[1]
    tensor([2., 0.])
    """
    from .._creation import zeros_like
    with enable_grad():
        is_in, inputs, v, is_out, outputs = _prepare(func, inputs, v, create_graph, strict, "jvp", True)
        grad_outputs = tuple(zeros_like(out, requires_grad=True) for out in outputs)
        grad_inputs = _autograd_grad(outputs, inputs, grad_outputs, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _autograd_grad(grad_inputs, grad_outputs, v, create_graph)
        res = _fill_in_zeros(res, outputs, strict, create_graph, "back_trick")
    return _finish(outputs, res, create_graph, is_out, is_out)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T H)`` for a scalar function.

    >>> vhp(lambda x: (x ** 3).sum(), ndgrad.tensor([1., 2.]), ndgrad.tensor([1., 1.]))[1]
    tensor([ 6., 12.])
    """
    with enable_grad():
        is_in, inputs, v, is_out, outputs = _prepare(func, inputs, v, create_graph, strict, "vhp", True, True)
        jac = _autograd_grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _fill_in_zeros(_autograd_grad(jac, inputs, v, create_graph), inputs, strict, create_graph,
                             "double_back")
    return _finish(outputs, res, create_graph, is_out, is_in)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), H v)`` for a scalar function (double-backward trick).

    >>> hvp(lambda x: (x ** 3).sum(), ndgrad.tensor([1., 2.]), ndgrad.tensor([1., 1.]))[1]
    tensor([ 6., 12.])
    """
    from .._creation import zeros_like
    with enable_grad():
        is_in, inputs, v, is_out, outputs = _prepare(func, inputs, v, create_graph, strict, "hvp", True, True)
        jac = _autograd_grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        grad_jac = tuple(zeros_like(inp, requires_grad=True) for inp in inputs)
        double_back = _autograd_grad(jac, inputs, grad_jac, create_graph=True)
        _check_requires_grad(jac, "hessian", strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _fill_in_zeros(_autograd_grad(double_back, grad_jac, v, create_graph), inputs, strict, create_graph,
                             "double_back_trick")
    return _finish(outputs, res, create_graph, is_out, is_in)


def _jacfwd(func, inputs, strict, vectorize):
    from .._creation import zeros_like
    from .._ops._join import stack
    if strict:
        raise RuntimeError('torch.autograd.functional.jacobian: `strict=True` and `strategy="forward-mode"` are not '
                           'supported together (yet). Please either set `strict=False` or `strategy="reverse-mode"`.')
    if not vectorize:
        raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                                  "only implemented for `vectorize=True`.")
    is_in, inputs = _as_tuple(inputs, "inputs", "jacobian")
    cols = [[] for _ in inputs]   # cols[j]: per element of input j, the tuple of output tangents
    is_out = outs = None
    for j, inp in enumerate(inputs):
        for k in range(inp.numel()):
            with fwAD.dual_level():
                duals = []
                for jj, x in enumerate(inputs):
                    t = zeros_like(x)
                    if jj == j:
                        t.view(-1)[k] = 1.0
                    duals.append(fwAD.make_dual(x, t))
                is_out, douts = _as_tuple(func(*duals), "outputs")
                unpacked = [fwAD.unpack_dual(o) for o in douts]
                outs = [p for p, _ in unpacked]
                cols[j].append(tuple(t if t is not None else zeros_like(p) for p, t in unpacked))
    res = tuple(tuple(stack([c[i] for c in cols[j]], -1).reshape(outs[i].shape + inputs[j].shape)
                      for j in range(len(inputs))) for i in range(len(outs)))
    return _tuple_post(res, (is_out, is_in))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs`` (tuples give tuples of blocks).

    >>> jacobian(lambda x: x.sin(), ndgrad.tensor([0., 0.]))
    tensor([[1., 0.],
            [0., 1.]])
    """
    from .._creation import zeros_like
    from .._ops._join import stack
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                             'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                             'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError('torch.autograd.functional.jacobian: `create_graph=True` and `strategy='
                                      '"forward-mode"` are not supported together (yet). Please either set '
                                      '`create_graph=False` or `strategy="reverse-mode"`.')
        return _jacfwd(func, inputs, strict, vectorize)
    with enable_grad():
        is_in, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _grad_pre(inputs, create_graph, True)
        is_out, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        if vectorize and strict:
            raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                               "supported together. Please either set `strict=False` or `vectorize=False`.")
        jac = ()
        for i, out in enumerate(outputs):
            rows = tuple([] for _ in inputs)
            flat = out.reshape(-1)
            for k in range(out.nelement()):
                vj = _autograd_grad((flat[k],), inputs, retain_graph=True, create_graph=create_graph)
                for j, (r, g, x) in enumerate(zip(rows, vj, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is independent of input "
                                               f"{j}. This is not allowed in strict mode.")
                        g = zeros_like(x)
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(f"The jacobian of the user-provided function is independent of input {i}."
                                           " This is not allowed in strict mode when create_graph=True.")
                    r.append(g)
            jac += (tuple((stack(r, 0) if r else zeros_like(x).reshape((0,) + x.shape)).view(out.shape + x.shape)
                          for r, x in zip(rows, inputs)),)
        return _tuple_post(_grad_post(jac, create_graph), (is_out, is_in))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar ``func`` at ``inputs``; ``outer_jacobian_strategy="forward-mode"`` is forward-over-reverse.

    >>> hessian(lambda x: (x * x).sum(), ndgrad.tensor([1., 2.]))
    tensor([[2., 0.],
            [0., 2.]])
    """
    is_in, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def single(*inp):
        out = func(*inp)
        is_t, t_out = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(t_out, "outputs", strict)
        if is_t or not isinstance(out, Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.nelement() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should contain a single element")
        return out.squeeze()

    def jac_func(*inp):
        if outer_jacobian_strategy == "forward-mode":
            inp = tuple(t.requires_grad_(True) for t in inp)
        jac = jacobian(single, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                   strategy=outer_jacobian_strategy)
    return _tuple_post(res, (is_in, is_in))
