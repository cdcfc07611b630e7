"""``gradcheck`` / ``gradgradcheck``: autograd against central differences (float64)."""
import warnings

import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients disagree."""


def _as_tuple(x):
    from .._tensor import Tensor
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _diff_inputs(inputs):
    from .._tensor import Tensor
    return [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]


def _outputs(func, inputs):
    from .._tensor import Tensor
    out = func(*inputs)
    return tuple(o for o in _as_tuple(out) if isinstance(o, Tensor))


def _numerical(func, inputs, idx, eps):
    """Jacobians d out_k / d input_idx by central differences: list over outputs of (n_in, n_out)."""
    from .grad_mode import no_grad
    x = inputs[idx]
    arr = x._data
    flat = arr.reshape(-1) if arr.flags.c_contiguous else None
    outs0 = _outputs(func, inputs)
    jac = [np.zeros((arr.size, o.numel()), dtype=np.float64) for o in outs0]
    with no_grad():
        for j in range(arr.size):
            pos = np.unravel_index(j, arr.shape) if arr.ndim else ()
            orig = arr[pos].item()
            arr[pos] = orig + eps
            plus = [o._data.astype(np.float64).ravel().copy() for o in _outputs(func, inputs)]
            arr[pos] = orig - eps
            minus = [o._data.astype(np.float64).ravel().copy() for o in _outputs(func, inputs)]
            arr[pos] = orig
            for k in range(len(jac)):
                jac[k][j] = (plus[k] - minus[k]) / (2 * eps)
    del flat
    return jac


def _analytical(func, inputs, diff_idx):
    """Jacobians by reverse mode, one backward per output element."""
    from .._tensor import _wrap
    from ._api import grad
    outs = _outputs(func, inputs)
    res = {}
    for k, o in enumerate(outs):
        for i in diff_idx:
            res[(k, i)] = np.zeros((inputs[i].numel(), o.numel()), dtype=np.float64)
        if not o.requires_grad:
            continue
        for m in range(o.numel()):
            g = np.zeros(o.shape, dtype=o._data.dtype)
            g.reshape(-1)[m] = 1
            gs = grad(o, [inputs[i] for i in diff_idx], _wrap(g), retain_graph=True, allow_unused=True)
            for i, gi in zip(diff_idx, gs):
                if gi is not None:
                    if tuple(gi.shape) != tuple(inputs[i].shape):
                        raise GradcheckError(f"Gradient has incorrect size for input {i}")
                    res[(k, i)][:, m] = gi._data.astype(np.float64).ravel()
    return outs, res


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """Checks gradients from autograd against central finite differences.

    >>> x = ndgrad.randn(3, dtype=ndgrad.float64, requires_grad=True)
    >>> ndgrad.autograd.gradcheck(lambda t: (t.sin() * t).sum(), (x,))
    True
    """
    inputs = _as_tuple(inputs)
    diff_idx = _diff_inputs(inputs)
    if not diff_idx:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the them "
                         "have requires_grad=True.")
    for i in diff_idx:
        if inputs[i].dtype.name != "float64":
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point or complex. "
                          "This check will likely fail if all the inputs are not of double precision floating "
                          "point or complex. ", UserWarning, stacklevel=2)
    try:
        outs, ana = _analytical(func, inputs, diff_idx)
        for i in diff_idx:
            num = _numerical(func, inputs, i, eps)
            for k in range(len(outs)):
                a = ana[(k, i)]
                n = num[k]
                if not np.allclose(a, n, rtol=rtol, atol=atol, equal_nan=True):
                    raise GradcheckError(
                        f"Jacobian mismatch for output {k} with respect to input {i},\n"
                        f"numerical:{_fmt(n)}\nanalytical:{_fmt(a)}\n")
        if check_forward_ad:
            _check_forward(func, inputs, diff_idx, ana, atol, rtol)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def _check_forward(func, inputs, diff_idx, ana, atol, rtol):
    from . import forward_ad as fwAD
    from .._tensor import _wrap
    for i in diff_idx:
        x = inputs[i]
        for j in range(x.numel()):
            t = np.zeros(x.shape, dtype=x._data.dtype)
            t.reshape(-1)[j] = 1
            with fwAD.dual_level():
                args = list(inputs)
                args[i] = fwAD.make_dual(x.detach(), _wrap(t))
                outs = _as_tuple(func(*args))
                for k, o in enumerate(outs):
                    tan = fwAD.unpack_dual(o).tangent
                    got = np.zeros(o.numel()) if tan is None else tan._data.astype(np.float64).ravel()
                    if not np.allclose(got, ana[(k, i)][j], rtol=rtol, atol=atol):
                        raise GradcheckError(f"Jacobian computed with forward mode mismatch for output {k} "
                                             f"with respect to input {i},\nnumerical:{_fmt(ana[(k, i)][j])}\n"
                                             f"analytical:{_fmt(got)}\n")


def _fmt(a):
    from .._tensor import _wrap
    return repr(_wrap(np.asarray(a)))


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception=True, nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """Checks second derivatives: gradcheck of the vector-Jacobian product."""
    from .._tensor import _wrap
    from ._api import grad
    inputs = _as_tuple(inputs)
    diff_idx = _diff_inputs(inputs)
    if grad_outputs is None:
        outs = _outputs(func, inputs)
        rng = np.random.default_rng(0)
        grad_outputs = tuple(_wrap(rng.standard_normal(o.shape).astype(o._data.dtype)).requires_grad_()
                             for o in outs if o.requires_grad)
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)

    def vjp_fn(*args):
        from .grad_mode import enable_grad
        ins, gos = args[:n_in], args[n_in:]
        with enable_grad():  # the numerical pass runs func under no_grad; the VJP needs a graph
            outs = [o for o in _outputs(func, ins) if o.requires_grad]
            diff = [ins[i] for i in diff_idx]
            gs = grad(outs, diff, gos, create_graph=True, allow_unused=True)
        from .._creation import zeros_like
        return tuple(g if g is not None else zeros_like(d) for g, d in zip(gs, diff))
    return gradcheck(vjp_fn, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
