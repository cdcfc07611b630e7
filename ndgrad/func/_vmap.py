"""``vmap``: batching by a batched-tensor representation, not a loop.

A ``BatchedTensor`` holds a plain *physical* tensor whose leading dims are the
batch dims of the active vmap levels it depends on (``levels``, ascending),
followed by its logical dims. While a vmap runs, ndgrad's public functions
(and ``nn.functional``'s) are swapped for dispatchers: with no batched
argument they call the original; otherwise a batching rule
(``_batching.py``) runs the original once on the physical tensors (shifted
dims, aligned broadcasting, matmul's native batching). Ops without a rule loop
over the batch with a warning. Ordinary tensors outside vmap pay nothing.

The physical tensors carry ordinary autograd history, so ``grad`` inside
``vmap`` gives per-sample gradients.
"""
import functools
import sys
from operator import itemgetter

from .._size import Size
from .._tensor import Tensor
from ._tree import tree_flatten, tree_unflatten

_levels = []           # active vmap levels: [(level id, batch size, randomness)]
_next = [0]


class BatchedTensor:
    """A logical tensor inside vmap (see module doc). ``_p``: physical tensor, ``_lv``: levels."""

    __slots__ = ("_p", "_lv")

    def __init__(self, p, lv):
        self._p, self._lv = p, lv

    # -- metadata (logical)
    @property
    def shape(self):
        return Size(self._p.shape[len(self._lv):])

    def size(self, dim=None):
        s = self.shape
        return s if dim is None else s[dim]

    def dim(self):
        return self._p.dim() - len(self._lv)

    ndim = property(dim)

    def numel(self):
        n = 1
        for s in self.shape:
            n *= s
        return n

    nelement = numel

    def __len__(self):
        return self.shape[0]

    dtype = property(lambda self: self._p.dtype)
    device = property(lambda self: self._p.device)
    requires_grad = property(lambda self: self._p.requires_grad)
    is_leaf = property(lambda self: self._p.is_leaf)
    grad_fn = property(lambda self: self._p.grad_fn)
    T = property(lambda self: dispatch("permute", None, (self, tuple(range(self.dim() - 1, -1, -1))), {}))
    mT = property(lambda self: dispatch("transpose", None, (self, -2, -1), {}))

    def is_floating_point(self):
        return self._p.is_floating_point()

    def requires_grad_(self, flag=True):
        self._p.requires_grad_(flag)
        return self

    def item(self):
        raise RuntimeError("vmap: It looks like you're calling .item() on a Tensor. We don't support vmap over "
                           "calling .item() on a Tensor, please try to rewrite what you're doing with other "
                           "operations.")

    def tolist(self):
        raise RuntimeError("vmap: It looks like you're calling .tolist() on a Tensor; this is not supported.")

    def __bool__(self):
        raise RuntimeError("vmap: It looks like you're attempting to use a Tensor in some data-dependent control "
                           "flow. We don't support that yet, please shout over at "
                           "https://github.com/pytorch/functorch/issues/257 .")

    def __repr__(self):
        return f"BatchedTensor(lvls={list(self._lv)}, value={self._p!r})"

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        getattr(Tensor, name)   # AttributeError for unknown names, as a tensor would
        return _Method(self, name)

    def __getitem__(self, idx):
        return dispatch("__getitem__", None, (self, idx), {})

    def __setitem__(self, idx, value):
        raise RuntimeError("vmap: in-place indexed assignment on a batched tensor is not supported by ndgrad")


class _Method:
    __slots__ = ("t", "name")

    def __init__(self, t, name):
        self.t, self.name = t, name

    def __call__(self, *args, **kwargs):
        return dispatch(self.name, None, (self.t,) + args, kwargs)


def _op(name):
    def f(self, *args):
        return dispatch(name, None, (self,) + args, {})
    f.__name__ = name
    return f


for _n in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__",
           "__pow__", "__rpow__", "__neg__", "__abs__", "__matmul__", "__rmatmul__", "__eq__", "__ne__", "__lt__",
           "__le__", "__gt__", "__ge__", "__and__", "__or__", "__xor__", "__invert__", "__floordiv__",
           "__rfloordiv__", "__mod__", "__rmod__"):
    setattr(BatchedTensor, _n, _op(_n))
BatchedTensor.__hash__ = object.__hash__


def is_batched(x):
    return type(x) is BatchedTensor


def level_size(lv):
    for i, n, _ in _levels:
        if i == lv:
            return n
    raise RuntimeError("vmap: a batched tensor escaped its vmap level")


# ----------------------------------------------------------------- dispatch
def dispatch(name, orig, args, kwargs):
    """Runs public function/method ``name`` with batched arguments (rule or loop fallback)."""
    global _batching
    if _batching is None:
        from . import _batching  # imports this module: loaded on first use
    return _batching.run(name, orig, args, kwargs)


_batching = None


_patched = []     # (namespace dict, {name: original}) patched by _patch
_dispatchers = {}


def _dispatcher(name, orig):
    d = _dispatchers.get(id(orig))
    if d is None:
        def d(*args, **kwargs):
            for a in args:
                if type(a) is BatchedTensor or (type(a) in (list, tuple) and any(type(x) is BatchedTensor for x in a)):
                    return dispatch(name, orig, args, kwargs)
            for a in kwargs.values():
                if type(a) is BatchedTensor:
                    return dispatch(name, orig, args, kwargs)
            if _levels and name in _RANDOM:
                from ._batching import random_op
                return random_op(name, orig, args, kwargs)
            return orig(*args, **kwargs)
        d.__wrapped__ = orig
        d.__name__ = name
        _dispatchers[id(orig)] = d
    return d


_RANDOM = frozenset(("rand", "randn", "randint", "rand_like", "randn_like", "randint_like", "normal", "bernoulli",
                     "multinomial", "randperm", "dropout", "dropout1d", "dropout2d"))


def _originals():
    import ndgrad
    from .. import _ops, _creation
    table = {}
    for mod in (_ops, _creation):
        for k in getattr(mod, "__all__", None) or [k for k in vars(mod) if not k.startswith("_")]:
            v = getattr(mod, k, None)
            if callable(v) and not isinstance(v, type):
                table[id(v)] = (k, v)
    nnf = sys.modules.get("ndgrad.nn.functional")
    if nnf is not None:
        for k, v in vars(nnf).items():
            if not k.startswith("_") and callable(v) and not isinstance(v, type) and getattr(
                    v, "__module__", "").startswith("ndgrad"):
                table.setdefault(id(v), (k, v))
    for k in ("rand", "randn", "randint", "rand_like", "randn_like", "randint_like", "normal", "bernoulli",
              "randperm", "multinomial"):
        v = getattr(ndgrad, k, None)
        if callable(v):
            table.setdefault(id(v), (k, v))
    return table


_sites = None      # per namespace: (dict, getter of its watched names, their values at the scan, {name:
                   # original} and {name: dispatcher} for those holding one of ndgrad's functions)
_sites_key = None  # len(sys.modules) at that scan: a new import may bring new namespaces to patch
_watched = {}      # id(namespace) -> names that ever held one of ndgrad's functions there


def _scan():
    """Every place in ndgrad's namespaces that holds (or once held) a public function, grouped by
    namespace (the walk costs ~0.9 ms, so its result is kept while nothing it saw changes)."""
    table = _originals()
    sites = []
    for mname, mod in list(sys.modules.items()):
        if mod is None or not (mname == "ndgrad" or mname.startswith("ndgrad.")) or mname.startswith("ndgrad.func"):
            continue
        ns = vars(mod)
        names = _watched.setdefault(id(ns), set())
        orig = {}
        for k, v in list(ns.items()):
            hit = table.get(id(v))
            if hit is not None and hit[1] is v:
                orig[k] = v
                names.add(k)
        present = tuple(k for k in names if k in ns)
        if present:
            get = itemgetter(*present) if len(present) > 1 else (lambda d, k=present[0]: (d[k],))
            sites.append((ns, get, get(ns), orig, {k: _dispatcher(table[id(v)][0], v) for k, v in orig.items()}))
    return sites


def _patch():
    """Swaps the dispatchers in (a dict update per namespace). If a watched name changed since the scan
    (reassigned, restored, its module reloaded), the namespaces are scanned again, once."""
    global _sites, _sites_key
    for fresh in (False, True):
        if fresh or _sites is None or _sites_key != len(sys.modules):
            _sites = _scan()
            _sites_key = len(sys.modules)
        for ns, get, seen, orig, disp in _sites:
            try:
                same = get(ns) == seen  # identity first, item by item
            except Exception:  # a name deleted (KeyError), or rebound to something == cannot compare
                same = False
            if not same:
                break
            ns.update(disp)
            _patched.append((ns, orig))
        else:
            return
        _unpatch()  # (vmap patches only at its outermost level: nothing else is in _patched)


def _unpatch():
    while _patched:
        ns, orig = _patched.pop()
        ns.update(orig)


# ------------------------------------------------------------------- vmap
def _move_in(x, dim, lv, n):
    """``x`` batched at level ``lv`` along its logical dim ``dim``."""
    if not isinstance(x, (Tensor, BatchedTensor)):
        raise ValueError(f"vmap(f, in_dims=..., ...)(<inputs>): Got in_dim={dim} for an input but the input is of "
                         f"type {type(x)}. We cannot vmap over non-Tensor arguments, please use None as the "
                         "respective in_dim")
    nd = x.dim()
    if not -nd <= dim < nd:
        raise ValueError(f"vmap(f, in_dims=..., ...)(<inputs>): Got in_dim={dim} for some input, but that input is "
                         f"a Tensor of dimensionality {nd} so expected in_dim to satisfy -{nd} <= in_dim < {nd}.")
    if x.shape[dim] != n:
        raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                         f"{x.shape[dim]} and {n} for the mapped dimension")
    dim %= nd
    if type(x) is BatchedTensor:
        nb = len(x._lv)
        return BatchedTensor(x._p.movedim(nb + dim, nb), x._lv + (lv,))
    return BatchedTensor(x.movedim(dim, 0), (lv,))


def _move_out(x, lv, n, out_dim):
    if not isinstance(x, (Tensor, BatchedTensor)):
        raise ValueError("vmap(f, ...): `f` must only return Tensors, got type " + type(x).__name__)
    if type(x) is not BatchedTensor or lv not in x._lv:
        # does not depend on this level: broadcast
        x = BatchedTensor(x.unsqueeze(0).expand(n, *x.shape), (lv,)) if type(x) is not BatchedTensor else \
            BatchedTensor(x._p.unsqueeze(len(x._lv)).expand(*x._p.shape[:len(x._lv)], n, *x.shape),
                          x._lv + (lv,))
    i = x._lv.index(lv)
    rest = x._lv[:i] + x._lv[i + 1:]
    nd = x._p.dim() - len(x._lv) + 1
    if out_dim is None:
        raise ValueError("vmap: out_dims=None is only allowed for outputs that do not depend on the mapped inputs")
    od = out_dim % nd
    p = x._p.movedim(i, len(rest) + od)
    return BatchedTensor(p, rest) if rest else p


def _dims_for(spec_dims, leaves_spec, args):
    """Per flattened leaf in_dim, broadcasting a prefix tree of in_dims."""
    if isinstance(spec_dims, int) or spec_dims is None:
        return [spec_dims] * len(tree_flatten(args)[0])
    if isinstance(spec_dims, (tuple, list)) and len(spec_dims) == len(args) and isinstance(args, (tuple, list)):
        out = []
        for d, a in zip(spec_dims, args):
            out += _dims_for(d, None, a)
        return out
    if isinstance(spec_dims, dict) and isinstance(args, dict):
        out = []
        for k in args:
            out += _dims_for(spec_dims[k], None, args[k])
        return out
    raise ValueError(f"vmap(f, in_dims={spec_dims}, ...)(<inputs>): in_dims is not compatible with the structure of "
                     "`inputs`.")


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Vectorizes ``func`` over a dimension of its inputs; ops run once on the whole batch.

    >>> ndgrad.func.vmap(lambda x, w: x @ w, in_dims=(0, None))(ndgrad.ones(5, 3), ndgrad.ones(3, 2)).shape
    torch.Size([5, 2])
    """
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. "
                           f"Got {randomness}")
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if not isinstance(in_dims, (int, tuple)) and in_dims is not None:
            raise ValueError(f"vmap(f, in_dims={in_dims}, ...): expected `in_dims` to be int or a (potentially "
                             f"nested) tuple matching the structure of inputs, got: {type(in_dims)}.")
        if isinstance(in_dims, tuple) and len(in_dims) != len(args):
            raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the "
                             f"structure of `inputs`. in_dims has structure {in_dims} but inputs has structure "
                             f"{len(args)} positional arguments.")
        leaves, spec = tree_flatten(args)
        dims = _dims_for(in_dims, None, args)
        fname = getattr(func, "__name__", repr(func))
        sizes = []
        for x, d in zip(leaves, dims):
            if d is None:
                continue
            if not isinstance(x, (Tensor, BatchedTensor)):
                raise ValueError(f"vmap({fname}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input but "
                                 f"the input is of type {type(x)}. We cannot vmap over non-Tensor arguments, please "
                                 "use None as the respective in_dim")
            nd = x.dim()
            if not -nd <= d < nd:
                raise ValueError(f"vmap({fname}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for some input, "
                                 f"but that input is a Tensor of dimensionality {nd} so expected in_dim to satisfy "
                                 f"-{nd} <= in_dim < {nd}.")
            sizes.append(x.shape[d])
        if not sizes:
            raise ValueError(f"vmap({fname}, in_dims={in_dims}, ...)(<inputs>): at least one input must be a "
                             "Tensor with a mapped dimension (in_dims is None for every input).")
        if len(set(sizes)) > 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                             f"{sizes} for the mapped dimension")
        n = sizes[0]
        if chunk_size is not None and chunk_size < n:
            return _chunked(func, leaves, spec, dims, n, kwargs)
        return _run(func, leaves, spec, dims, n, kwargs)

    def _run(f, leaves, spec, dims, n, kwargs):
        lv = _next[0]
        _next[0] += 1
        if not _levels:
            _patch()
        _levels.append((lv, n, randomness))
        try:
            ins = [_move_in(x, d, lv, n) if d is not None else x for x, d in zip(leaves, dims)]
            f = _dispatchers.get(id(f), f)  # vmap(torch.dot): an ndgrad function passed in directly
            out = f(*tree_unflatten(ins, spec), **kwargs)
            outs, ospec = tree_flatten(out)
            ods = [out_dims] * len(outs) if isinstance(out_dims, int) or out_dims is None else \
                list(out_dims) if len(out_dims) == len(outs) else tree_flatten(out_dims)[0]
            res = tree_unflatten([_move_out(o, lv, n, d) for o, d in zip(outs, ods)], ospec)
        finally:
            _levels.pop()
            if not _levels:
                _unpatch()
        return res

    def _chunked(f, leaves, spec, dims, n, kwargs):
        from .._ops._join import cat
        parts = []
        for s in range(0, n, chunk_size):
            e = min(n, s + chunk_size)
            chunk = [x.narrow(d, s, e - s) if d is not None else x for x, d in zip(leaves, dims)]
            parts.append(_run(f, chunk, spec, dims, e - s, kwargs))
        flat = [tree_flatten(p) for p in parts]
        ospec = flat[0][1]
        ods = [out_dims] * len(flat[0][0]) if isinstance(out_dims, int) else list(out_dims)
        return tree_unflatten([cat([p[0][i] for p in flat], ods[i]) for i in range(len(flat[0][0]))], ospec)

    return wrapper
