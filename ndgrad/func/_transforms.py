"""Function transforms: grad, grad_and_value, vjp, jvp, linearize, jacrev, jacfwd, hessian.

Reverse-mode transforms track fresh aliases of their inputs and call
``autograd.grad`` with ``create_graph=True``, so they nest (grad of grad,
jacrev of jacrev). ``jvp`` uses forward-mode AD (``forward_ad``); inside an
active dual level (jacfwd of jacfwd) it falls back to the double-backward
trick. Results are detached when the outermost transform returns.
"""
import functools

from .._creation import ones_like, zeros_like
from .._tensor import Tensor
from ..autograd import grad as _autograd_grad
from ..autograd.grad_mode import enable_grad
from ._tree import tree_flatten, tree_unflatten
from ._batching import _align
from ._vmap import BatchedTensor, _levels as _vmap_levels

_depth = [0]   # transforms currently running (results are detached when it drops to 0)


def _check_tensor(x):
    if not isinstance(x, (Tensor, BatchedTensor)):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
    return x


def _track(x):
    """A fresh differentiable alias of ``x`` (keeps outer levels' history).

    Inside vmap the alias is batched over every active level (expanded where
    ``x`` is not), so gradients come out per sample."""
    _check_tensor(x)
    if _vmap_levels:
        lvls = tuple(lv for lv, _, _ in _vmap_levels)
        return BatchedTensor(_track_plain(_align(x, lvls, x.dim(), full=True)), lvls)
    return _track_plain(x)


def _track_plain(x):
    if x.requires_grad:
        return x.view_as(x)
    a = x.detach().requires_grad_(True)
    if getattr(x, "_fwd", None) is not None:   # keep a forward-mode tangent (jacfwd over jacrev)
        a._fwd = x._fwd
    return a


def _argnums(argnums, nargs):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not nums:
        raise RuntimeError("argnums must be non-empty")
    for n in nums:
        if not -nargs <= n < nargs:
            raise RuntimeError(f"Got argnum={n}, but only {nargs} positional inputs")
    return nums


def _zeros_for(g, x):
    return zeros_like(x) if g is None else g


def _grad(outs, ins, cots, retain=True, create=True):
    """Gradients of ``outs`` w.r.t. ``ins``; ``create``: record them for differentiation (another transform
    will take them: off only where the results are detached at once, a backward without a graph)."""
    live = [(o, c) for o, c in zip(outs, cots) if o.requires_grad]
    if not live:
        return [None] * len(ins)
    batched = [type(v) is BatchedTensor for v in ins]
    if any(batched) or any(type(o) is BatchedTensor for o, _ in live):
        return _grad_batched(live, ins, batched, retain, create)
    return list(_autograd_grad([o for o, _ in live], ins, [c for _, c in live], retain_graph=retain,
                               create_graph=create, allow_unused=True))


def _grad_batched(live, ins, batched, retain, create):
    """``_grad`` inside vmap: on the physical tensors (one backward for the whole batch)."""
    lvls = tuple(lv for lv, _, _ in _vmap_levels)
    outs = [_align(o, lvls, o.dim(), full=True) for o, _ in live]
    cots = [ones_like(o) if c is None else _align(c, lvls, c.dim(), full=True) for o, (_, c) in zip(outs, live)]
    gs = _autograd_grad(outs, [v._p if b else v for v, b in zip(ins, batched)], cots, retain_graph=retain,
                        create_graph=create, allow_unused=True)
    return [BatchedTensor(g, v._lv) if b and g is not None else g for g, v, b in zip(gs, ins, batched)]


def _done(x):
    """Detach results when the outermost transform returns."""
    if _depth[0] == 0:
        leaves, spec = tree_flatten(x)
        return tree_unflatten([v.detach() if isinstance(v, (Tensor, BatchedTensor)) else v for v in leaves], spec)
    return x


class _Level:
    def __enter__(self):
        _depth[0] += 1
        self._g = enable_grad()
        self._g.__enter__()

    def __exit__(self, *exc):
        self._g.__exit__(*exc)
        _depth[0] -= 1


def grad_and_value(func, argnums=0, has_aux=False):
    """``(gradient, value)`` of a scalar function.

    >>> g, v = ndgrad.func.grad_and_value(lambda x: (x ** 2).sum())(ndgrad.tensor([1., 2.]))
    >>> g
    tensor([2., 4.])
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums = _argnums(argnums, len(args))
        with _Level():
            args = list(args)
            flat, specs = [], []
            for n in nums:
                leaves, spec = tree_flatten(args[n])
                leaves = [_track(v) for v in leaves]
                flat.append(leaves)
                specs.append(spec)
                args[n] = tree_unflatten(leaves, spec)
            out = func(*args, **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError("grad_and_value(f)(*args): output of function f should be a tuple: "
                                       "(output, aux) if has_aux is True")
                out, aux = out
            if not isinstance(out, (Tensor, BatchedTensor)):
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got {type(out)}")
            if out.dim() != 0:
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                                   f"tensor with {out.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs "
                                   "instead?")
            allin = [v for leaves in flat for v in leaves]
            # the outermost transform detaches its results (_done): no graph of the gradients is needed
            nested = _depth[0] > 1
            gs = iter(_grad([out], allin, [None], retain=nested, create=nested) if out.requires_grad
                      else [None] * len(allin))
            grads = [tree_unflatten([_zeros_for(next(gs), v) for v in leaves], spec)
                     for leaves, spec in zip(flat, specs)]
            g = grads[0] if isinstance(argnums, int) else tuple(grads)
        res = (g, (out, aux)) if has_aux else (g, out)
        return _done(res)
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """The gradient of a scalar function, as a function.

    >>> ndgrad.func.grad(lambda x: x.sin().sum())(ndgrad.tensor([0.]))
    tensor([1.])
    """
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, v = gv(*args, **kwargs)
        return (g, v[1]) if has_aux else g
    return wrapper


def vjp(func, *primals, has_aux=False):
    """``(func(*primals), vjp_fn)``; ``vjp_fn(cotangents)`` gives one gradient per primal.

    >>> out, fn = ndgrad.func.vjp(lambda x: x ** 2, ndgrad.tensor([1., 2.]))
    >>> fn(ndgrad.tensor([1., 1.]))
    (tensor([2., 4.]),)
    """
    with _Level():
        leaves, spec = tree_flatten(primals)
        leaves = [_track(v) for v in leaves]
        out = func(*tree_unflatten(leaves, spec))
        aux = None
        if has_aux:
            if not (isinstance(out, tuple) and len(out) == 2):
                raise RuntimeError("vjp(f, *primals): output of function f should be a tuple: (output, aux) if "
                                   "has_aux is True")
            out, aux = out
        outs, ospec = tree_flatten(out)
        for o in outs:
            if not isinstance(o, (Tensor, BatchedTensor)):
                raise RuntimeError(f"vjp(f, *primals): Expected f to be a function that has only Tensors as outputs "
                                   f"but got output of type {type(o)}")
    depth = _depth[0]

    def vjp_fn(cotangents):
        cots, cspec = tree_flatten(cotangents)
        if len(cots) != len(outs):
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree structure of "
                               f"outputs to the function. cotangents: {cspec}, primal output: {ospec}")
        for c, o in zip(cots, outs):
            if c.shape != o.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of {c.shape} and output[0] has "
                                   f"a shape of {o.shape}.")
        saved = _depth[0]
        _depth[0] = depth + 1
        try:
            with enable_grad():
                # a graph of the gradients only when a transform may differentiate them: vjp made or
                # called inside one (outside any, the results are detached)
                gs = _grad(outs, leaves, cots, create=depth > 0 or saved > 0)
            res = tree_unflatten([_zeros_for(g, v) for g, v in zip(gs, leaves)], spec)
        finally:
            _depth[0] = saved
        return _done(res) if depth == 0 else res
    out = _done(out)
    return (out, vjp_fn, _done(aux)) if has_aux else (out, vjp_fn)


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``(func(*primals), J tangents)`` by forward-mode AD.

    >>> ndgrad.func.jvp(lambda x: x ** 2, (ndgrad.tensor([1., 2.]),), (ndgrad.tensor([1., 0.]),))[1]
    tensor([2., 0.])
    """
    from ..autograd import forward_ad as fwAD
    if not isinstance(primals, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it should be valid to "
                           "call f(*primals).")
    if not isinstance(tangents, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected tangents to be a tuple. E.g. it should be valid to "
                           "call f(*primals).")
    pl, pspec = tree_flatten(primals)
    tl, _ = tree_flatten(tangents)
    if len(pl) != len(tl):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have the same python "
                           "structure.")
    for p, t in zip(pl, tl):
        _check_tensor(p)
        _check_tensor(t)
        if p.shape != t.shape:
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the original Tensor, this "
                f"is not supported. Tensor is of size [{', '.join(map(str, p.shape))}] while the given forward "
                f"gradient is of size [{', '.join(map(str, t.shape))}].")
    if fwAD._levels:
        return _jvp_double_backward(func, pl, pspec, tl, has_aux)
    with _Level():
        with fwAD.dual_level():
            duals = [fwAD.make_dual(p, t) for p, t in zip(pl, tl)]
            out = func(*tree_unflatten(duals, pspec))
            aux = None
            if has_aux:
                out, aux = out
            outs, ospec = tree_flatten(out)
            prim, tans = [], []
            for o in outs:
                p, t = fwAD.unpack_dual(o)
                prim.append(p)
                tans.append(t if t is not None else _zeros_for(None, p))
    res = (tree_unflatten(prim, ospec), tree_unflatten(tans, ospec))
    return _done(res + (aux,) if has_aux else res)


def _jvp_double_backward(func, pl, pspec, tl, has_aux):
    """J v as d/du <vjp(u), v> (used when a dual level is already active)."""
    with _Level():
        ins = [_track(p) for p in pl]
        out = func(*tree_unflatten(ins, pspec))
        aux = None
        if has_aux:
            out, aux = out
        outs, ospec = tree_flatten(out)
        us = [zeros_like(o).requires_grad_(True) for o in outs]
        gs = _grad(outs, ins, us)
        live = [(g, t) for g, t in zip(gs, tl) if g is not None]
        tans = [None] * len(outs)
        if live:
            tans = _grad([g for g, _ in live], us, [t for _, t in live])
        tans = [_zeros_for(t, o) for t, o in zip(tans, outs)]
    res = (tree_unflatten(outs, ospec), tree_unflatten(tans, ospec))
    return _done(res + (aux,) if has_aux else res)


def linearize(func, *primals):
    """``(func(*primals), jvp_fn)`` with ``jvp_fn(*tangents)`` the JVP at ``primals``.

    >>> out, fn = ndgrad.func.linearize(lambda x: x.sin(), ndgrad.tensor([0.]))
    >>> fn(ndgrad.tensor([2.]))
    tensor([2.])
    """
    out = func(*primals)

    def jvp_fn(*tangents):
        return jvp(func, primals, tangents)[1]
    return _done(out), jvp_fn


def _basis(x):
    """The rows of the identity, shaped like ``x`` (one per element)."""
    import numpy as np
    from .._tensor import _wrap
    n = x.numel()
    eye = np.eye(n, dtype=x._data.dtype).reshape((n,) + tuple(x.shape))
    return [_wrap(eye[i]) for i in range(n)]


def _select(args, argnums):
    nums = _argnums(argnums, len(args))
    return nums, [args[n] for n in nums]


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None):
    """The Jacobian by reverse mode: ``out.shape + input.shape``.

    >>> ndgrad.func.jacrev(lambda x: x ** 2)(ndgrad.tensor([1., 2.]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    from .._ops._join import stack

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums, sel = _select(args, argnums)

        def f(*xs):
            a = list(args)
            for n, x in zip(nums, xs):
                a[n] = x
            return func(*a, **kwargs)
        with _Level():
            r = vjp(f, *sel, has_aux=has_aux)
            out, fn = r[0], r[1]
            outs, ospec = tree_flatten(out)
            blocks = []
            for o in outs:
                rows = []
                for e in _basis(o):
                    cots = [e if oo is o else _zeros_for(None, oo) for oo in outs]
                    rows.append(fn(tree_unflatten(cots, ospec)))
                per_in = []
                for j, x in enumerate(sel):
                    xl, xspec = tree_flatten(x)
                    cols = [tree_flatten(r[j])[0] for r in rows]
                    per_in.append(tree_unflatten(
                        [(stack([c[k] for c in cols]) if cols else _zeros_for(None, xl[k]).reshape((0,) + xl[k].shape))
                         .reshape(tuple(o.shape) + tuple(xl[k].shape)) for k in range(len(xl))], xspec))
                blocks.append(per_in[0] if isinstance(argnums, int) else tuple(per_in))
            res = tree_unflatten(blocks, ospec)
        res = _done(res)
        return (res, _done(r[2])) if has_aux else res
    return wrapper


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian by forward mode: ``out.shape + input.shape``.

    >>> ndgrad.func.jacfwd(lambda x: x.sin())(ndgrad.tensor([0., 0.]))
    tensor([[1., 0.],
            [0., 1.]])
    """
    from .._ops._join import stack

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums, sel = _select(args, argnums)
        flat, spec = tree_flatten(tuple(sel))

        def f(*leaves):
            a = list(args)
            for n, x in zip(nums, tree_unflatten(list(leaves), spec)):
                a[n] = x
            return func(*a, **kwargs)
        with _Level():
            cols = []   # per input leaf, list of output-tangent leaves
            out = aux = None
            for k, x in enumerate(flat):
                cs = []
                for e in _basis(x):
                    tans = tuple(e if j == k else _zeros_for(None, y) for j, y in enumerate(flat))
                    r = jvp(f, tuple(flat), tans, has_aux=has_aux)
                    out, t = r[0], r[1]
                    aux = r[2] if has_aux else None
                    cs.append(tree_flatten(t)[0])
                cols.append(cs)
            if out is None:
                out = f(*flat)
            outs, ospec = tree_flatten(out)
            blocks = []
            for i, o in enumerate(outs):
                per_leaf = [(stack([c[i] for c in cols[k]], -1) if cols[k] else
                             _zeros_for(None, o).reshape(tuple(o.shape) + (0,))).reshape(
                    tuple(o.shape) + tuple(x.shape)) for k, x in enumerate(flat)]
                per_in = tree_unflatten(per_leaf, spec)
                blocks.append(per_in[0] if isinstance(argnums, int) else per_in)
            res = tree_unflatten(blocks, ospec)
        res = _done(res)
        return (res, _done(aux)) if has_aux else res
    return wrapper


def hessian(func, argnums=0):
    """``jacfwd(jacrev(func, argnums), argnums)``: forward-over-reverse.

    >>> ndgrad.func.hessian(lambda x: (x ** 3).sum())(ndgrad.tensor([1., 2.]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    return jacfwd(jacrev(func, argnums), argnums)
