"""The op table the op tests run on: one entry per op of issue 2 (and the other ops ndgrad has).

An entry says how to call the op (``fn(m, *args)`` with ``m`` the module, ``ndgrad`` or ``torch``),
how to draw its inputs (``gen(d, dtype)`` -> list of args: NumPy arrays become tensors, anything else
is passed as is), a NumPy reference where one is simple, whether it is differentiable and which
dtypes it accepts. ``d`` is a ``Draw`` (tests/ops/_draw.py) over hypothesis data.
"""
import numpy as np

F = ("float32", "float64")
ALL = ("float32", "float64", "int64", "int32", "bool", "uint8")
NUM = ("float32", "float64", "int64", "int32", "uint8")
INTS = ("int64", "int32", "uint8")


class Entry:
    __slots__ = ("name", "fn", "gen", "ref", "grad", "dtypes", "binary", "tol", "gg", "inplace", "empty",
                 "repr")

    def __init__(self, name, fn, gen, ref=None, grad=True, dtypes=F, binary=False, tol=None, gg=True,
                 inplace=None, empty=True, repr=True):
        self.name = name
        self.fn = fn              # fn(m, *args)
        self.gen = gen            # gen(d, dtype) -> args
        self.ref = ref            # ref(*numpy args) -> numpy value(s), float64 inputs
        self.grad = grad          # differentiable (gradcheck, gradgradcheck, gradient parity)
        self.dtypes = dtypes      # input dtypes the op accepts (parity over all of them)
        self.binary = binary      # fn(m, a, b) elementwise: type promotion with scalars and 0-d tensors
        self.tol = tol
        self.gg = gg              # gradgradcheck applies (False: second derivative is zero a.e./undefined)
        self.inplace = inplace    # name of the in-place method (x.name_(...)), for binary/unary ops
        self.empty = empty        # zero-size inputs drawn in parity tests
        self.repr = repr

    def __repr__(self):
        return self.name


TABLE = []


def E(name, fn, gen, **kw):
    TABLE.append(Entry(name, fn, gen, **kw))


# ---------------------------------------------------------------- generators
def unary(domain="real"):
    def g(d, dt):
        return [d.array(d.shape(), dt, domain)]
    return g


def binary(da="real", db="real"):
    def g(d, dt):
        sa, sb = d.bshapes(2)
        return [d.array(sa, dt, da), d.array(sb, dt, db)]
    return g


def distinct_binary(d, dt):
    """Random floats: ties (non-differentiable points of max/min) have probability zero."""
    return binary()(d, dt)


def reduce_dim(domain="real", keepdim=True, distinct=False):
    def g(d, dt):
        s = d.shape()
        x = d.array(s, dt, domain, distinct=distinct)
        args = [x, d.dim(len(s))]
        if keepdim:
            args.append(d.choice([False, True]))
        return args
    return g


def reduce_dims(domain="real"):
    def g(d, dt):
        s = d.shape(min_dims=1)
        return [d.array(s, dt, domain), d.dims(len(s)), d.choice([False, True])]
    return g


def mat(*shapes, domain="real"):
    def g(d, dt):
        return [d.array(s, dt, domain) for s in shapes]
    return g


def matmul_gen(d, dt):
    k = d.int(1, 3)
    kind = d.choice(["1-1", "2-1", "1-2", "2-2", "3-3", "3-2", "1-3", "4-3", "3-1"])
    n, m, b = d.int(1, 3), d.int(1, 3), d.int(1, 2)
    shapes = {"1-1": ((k,), (k,)), "2-1": ((n, k), (k,)), "1-2": ((k,), (k, m)), "2-2": ((n, k), (k, m)),
              "3-3": ((b, n, k), (b, k, m)), "3-2": ((b, n, k), (k, m)), "1-3": ((k,), (b, k, m)),
              "4-3": ((2, 1, n, k), (b, k, m)), "3-1": ((b, n, k), (k,))}[kind]
    return [d.array(s, dt, "real") for s in shapes]


def shape_then(f, min_dims=0, domain="real", distinct=False):
    """Draws a shape, an array of it, then extra args from ``f(d, shape)``."""
    def g(d, dt):
        s = d.shape(min_dims=min_dims)
        return [d.array(s, dt, domain, distinct=distinct)] + list(f(d, s))
    return g


def _reshape_target(d, s):
    n = int(np.prod(s))
    opts = [(n,), (-1,), (1, n), (n, 1), s[::-1] if s else (1,)]
    if n and n % 2 == 0:
        opts.append((2, -1))
    if n == 0:
        opts += [(0, 3), (3, 0, -1)]
    return [d.choice(opts)]


def _perm(d, s):
    p = list(range(len(s)))
    d.shuffle(p)
    return [p]


def _expand_target(d, s):
    t = [x if x != 1 else d.choice([1, 3]) for x in s]
    lead = [d.int(1, 2) for _ in range(d.int(0, 1))]
    return [tuple(lead + [d.choice([x, -1]) if x == s[i] else x for i, x in enumerate(t)])]


def _split_args(d, s):
    dim = d.dim(len(s))
    n = s[dim]
    if d.choice([True, False]) or n == 0:
        return [d.int(1, 3), dim]
    cut = d.int(0, n)
    return [[cut, n - cut], dim]


def _repeat_args(d, s):
    return [tuple([d.int(0, 2) for _ in range(d.int(0, 1))] + [d.int(1, 2) for _ in s])]


def _gather_gen(d, dt):
    s = d.shape(min_dims=1, min_side=1)
    dim = d.dim(len(s))
    ishape = list(s)
    ishape[dim] = d.int(0, 3)
    ishape = tuple(max(1, x - d.int(0, 1)) if i != dim else x for i, x in enumerate(ishape))
    idx = d.rng().integers(0, s[dim], ishape).astype(np.int64)
    return [d.array(s, dt, "real"), dim, idx]


def _index_select_gen(d, dt):
    s = d.shape(min_dims=1)
    dim = d.dim(len(s))
    n = s[dim]
    idx = d.rng().integers(0, n, d.int(0, 4)).astype(np.int64) if n else np.zeros(0, np.int64)
    return [d.array(s, dt, "real"), dim, idx]


def _mask_gen(value_kind):
    def g(d, dt):
        sa, sm = d.bshapes(2)
        x = d.array(sa, dt, "real")
        m = d.array(sm, "bool")
        if value_kind == "tensor0":
            v = np.asarray(-1.5 if dt.startswith("float") else 3, dtype=dt)
        else:
            v = {"float": 0.5, "int": 2}[value_kind]
        return [x, m, v]
    return g


def _where_gen(d, dt):
    sc, sa, sb = d.bshapes(3)
    return [d.array(sc, "bool"), d.array(sa, dt, "real"), d.array(sb, dt, "real")]


def _clamp_t_gen(d, dt):
    sa, sl, sh = d.bshapes(3)
    x = d.array(sa, dt, "real")
    lo = d.array(sl, dt, "real") - 0.25 if dt.startswith("float") else d.array(sl, dt, "real")
    hi = lo + 1.5 if dt.startswith("float") else lo + 2
    return [x, lo, np.asarray(hi, dtype=lo.dtype)]


def _cat_gen(n_tensors, same=False):
    def g(d, dt):
        s = d.shape(min_dims=1)
        dim = d.dim(len(s))
        out = []
        for _ in range(d.int(1, n_tensors)):
            t = list(s)
            if not same:
                t[dim] = d.int(0, 3)
            out.append(d.array(tuple(t), dt, "real"))
        return [out, dim if not same else d.int(-len(s) - 1, len(s))]
    return g


def _getitem(idx_fn, min_dims=1, min_side=1):
    def g(d, dt):
        s = d.shape(min_dims=min_dims, min_side=min_side)
        return [d.array(s, dt, "real")] + list(idx_fn(d, s))
    return g


def _adv_idx(d, s):
    return [d.rng().integers(-s[0], s[0], d.int(0, 4)).astype(np.int64)]


def _bool_idx(d, s):
    return [d.array(s[:d.int(1, len(s))], "bool")]


def _scalars_idx(d, s):
    return [d.int(-s[0], s[0] - 1)]


# a differentiable function of a tensor through a list of tensors (cat/stack)
def _list(fn):
    return fn


# ---------------------------------------------------------------- arithmetic
E("add", lambda m, a, b: a + b, binary(), ref=np.add, dtypes=ALL[:4] + ("uint8",), binary=True, inplace="add")
E("add_fn_alpha", lambda m, a, b: m.add(a, b, alpha=2), binary(), ref=lambda a, b: a + 2 * b, binary=True,
  dtypes=NUM)
E("radd", lambda m, a: 2.5 + a, unary(), ref=lambda a: 2.5 + a, dtypes=ALL)
E("sub", lambda m, a, b: a - b, binary(), ref=np.subtract, dtypes=NUM, binary=True, inplace="sub")
E("sub_alpha", lambda m, a, b: m.sub(a, b, alpha=3), binary(), ref=lambda a, b: a - 3 * b, dtypes=NUM)
E("rsub", lambda m, a: 2 - a, unary(), ref=lambda a: 2 - a, dtypes=NUM)
E("rsub_fn", lambda m, a, b: m.rsub(a, b), binary(), ref=lambda a, b: b - a, dtypes=NUM)
E("mul", lambda m, a, b: a * b, binary(), ref=np.multiply, dtypes=ALL, binary=True, inplace="mul")
E("rmul", lambda m, a: 3 * a, unary(), ref=lambda a: 3 * a, dtypes=ALL)
E("div", lambda m, a, b: a / b, binary("real", "nonzero"), ref=np.true_divide, dtypes=ALL, binary=True,
  inplace="div")
E("rdiv", lambda m, a: 2 / a, unary("nonzero"), ref=lambda a: 2 / a, dtypes=("float32", "float64"))
E("div_trunc", lambda m, a, b: m.div(a, b, rounding_mode="trunc"), binary("real", "nonzero"),
  ref=lambda a, b: np.trunc(a / b), dtypes=NUM, gg=False)
E("div_floor", lambda m, a, b: m.div(a, b, rounding_mode="floor"), binary("real", "nonzero"),
  ref=lambda a, b: np.floor(a / b), dtypes=NUM, gg=False)
E("floordiv", lambda m, a, b: a // b, binary("real", "nonzero"), ref=np.floor_divide, dtypes=NUM, grad=False,
  binary=True)
E("rfloordiv", lambda m, a: 7 // a, unary("nonzero"), ref=lambda a: 7 // a, dtypes=NUM, grad=False)
E("mod", lambda m, a, b: a % b, binary("real", "nonzero"), ref=np.remainder, dtypes=NUM, binary=True,
  inplace="remainder")
E("rmod", lambda m, a: 5 % a, unary("nonzero"), ref=lambda a: 5 % a, dtypes=NUM, grad=False)
E("fmod", lambda m, a, b: m.fmod(a, b), binary("real", "nonzero"), ref=np.fmod, dtypes=NUM, binary=True,
  inplace="fmod")
E("neg", lambda m, a: -a, unary(), ref=np.negative, dtypes=NUM, inplace="neg")
E("abs", lambda m, a: abs(a), unary("nonzero"), ref=np.abs, dtypes=NUM, inplace="abs", gg=False)
E("pow_scalar2", lambda m, a: a ** 2, unary(), ref=lambda a: a ** 2, dtypes=NUM, inplace="pow")
E("pow_scalar3", lambda m, a: a ** 3, unary(), ref=lambda a: a ** 3, dtypes=NUM)
E("pow_scalar_half", lambda m, a: a ** 0.5, unary("pos"), ref=np.sqrt, dtypes=NUM)
E("pow_scalar_neg", lambda m, a: a ** -1.5, unary("pos"), ref=lambda a: a ** -1.5, dtypes=F)
E("pow_scalar0", lambda m, a: a ** 0, unary(), ref=lambda a: a ** 0, dtypes=NUM)
E("pow_tensor", lambda m, a, b: a ** b, binary("pos", "real"), ref=np.power, dtypes=F, binary=True, inplace="pow")
E("pow_tensor_int", lambda m, a, b: a ** b, binary("real", "pos"), ref=np.power, dtypes=INTS, grad=False)
E("rpow", lambda m, a: 2.0 ** a, unary(), ref=lambda a: 2.0 ** a, dtypes=NUM)
E("rpow_int", lambda m, a: 3 ** a, unary(), ref=lambda a: 3.0 ** a, dtypes=F)
E("pow_fn", lambda m, a: m.pow(a, 3), unary(), ref=lambda a: a ** 3, dtypes=NUM)
E("square", lambda m, a: m.square(a), unary(), ref=np.square, dtypes=NUM)
E("float_power", lambda m, a: m.float_power(a, 2), unary(), ref=lambda a: a ** 2, dtypes=NUM)
E("reciprocal", lambda m, a: m.reciprocal(a), unary("nonzero"), ref=np.reciprocal, dtypes=NUM)
E("atan2", lambda m, a, b: m.atan2(a, b), binary("real", "nonzero"), ref=np.arctan2, dtypes=NUM, binary=True,
  inplace="atan2")
E("maximum", lambda m, a, b: m.maximum(a, b), distinct_binary, ref=np.maximum, dtypes=ALL, binary=True,
  gg=False)
E("minimum", lambda m, a, b: m.minimum(a, b), distinct_binary, ref=np.minimum, dtypes=ALL, binary=True,
  gg=False)
E("max_binary", lambda m, a, b: m.max(a, b), distinct_binary, ref=np.maximum, dtypes=NUM, gg=False)

# ----------------------------------------------------------------- unary math
for _n, _dom, _ref in (("exp", "real", np.exp), ("log", "pos", np.log), ("log2", "pos", np.log2),
                       ("log10", "pos", np.log10), ("log1p", "pos", np.log1p), ("expm1", "real", np.expm1),
                       ("sqrt", "pos", np.sqrt), ("rsqrt", "pos", lambda x: 1 / np.sqrt(x)),
                       ("sin", "real", np.sin), ("cos", "real", np.cos), ("tan", "unit", np.tan),
                       ("asin", "unit", np.arcsin), ("acos", "unit", np.arccos), ("atan", "real", np.arctan),
                       ("sinh", "real", np.sinh), ("cosh", "real", np.cosh), ("tanh", "real", np.tanh),
                       ("sigmoid", "real", lambda x: 1 / (1 + np.exp(-x))), ("exp2", "real", np.exp2)):
    # float32 results of integer inputs may differ from PyTorch's in the last bit (cosh(5)): repr not compared
    E(_n, (lambda n: lambda m, a: getattr(m, n)(a))(_n), unary(_dom), ref=_ref, dtypes=ALL, inplace=_n,
      repr=_n not in ("cosh", "sinh", "exp", "exp2", "expm1"))
    E(_n + "_method", (lambda n: lambda m, a: getattr(a, n)())(_n), unary(_dom), ref=_ref, dtypes=F)

E("relu", lambda m, a: m.relu(a), unary("nonzero"), ref=lambda x: np.maximum(x, 0), dtypes=NUM, gg=False,
  inplace="relu")
for _n, _ref in (("sign", np.sign), ("floor", np.floor), ("ceil", np.ceil), ("round", np.round),
                 ("trunc", np.trunc), ("frac", lambda x: x - np.trunc(x))):
    E(_n, (lambda n: lambda m, a: getattr(m, n)(a))(_n), unary("nonint"), ref=_ref,
      dtypes=F if _n == "frac" else NUM, gg=False, inplace=_n)
E("round_decimals", lambda m, a: m.round(a, decimals=1), unary("nonint"), ref=lambda x: np.round(x, 1),
  gg=False)
E("clamp", lambda m, a: m.clamp(a, -0.5, 0.5), unary("nonint"), ref=lambda x: np.clip(x, -0.5, 0.5),
  dtypes=NUM, gg=False, inplace="clamp")
E("clamp_int", lambda m, a: m.clamp(a, min=-1), unary("nonint"), ref=lambda x: np.maximum(x, -1), dtypes=F + ("int64",),
  gg=False)
E("clamp_max", lambda m, a: a.clamp(max=0.5), unary("nonint"), ref=lambda x: np.minimum(x, 0.5), dtypes=NUM,
  gg=False)
E("clip", lambda m, a: m.clip(a, -1, 1), unary("nonint"), ref=lambda x: np.clip(x, -1, 1), dtypes=NUM,
  gg=False)
E("clamp_tensor", lambda m, a, lo, hi: m.clamp(a, lo, hi), _clamp_t_gen, ref=lambda a, lo, hi: np.minimum(
    np.maximum(a, lo), hi), dtypes=NUM, gg=False)

# ----------------------------------------------------------------- linalg
E("matmul", lambda m, a, b: a @ b, matmul_gen, ref=np.matmul, dtypes=("float32", "float64", "int64"))
E("matmul_fn", lambda m, a, b: m.matmul(a, b), matmul_gen, ref=np.matmul)
E("mm", lambda m, a, b: m.mm(a, b), mat((2, 3), (3, 4)), ref=np.matmul, dtypes=("float32", "float64", "int64"))
E("mv", lambda m, a, b: m.mv(a, b), mat((2, 3), (3,)), ref=np.matmul)
E("bmm", lambda m, a, b: m.bmm(a, b), mat((2, 2, 3), (2, 3, 1)), ref=np.matmul)
# contracted dim 1: the kernel's broadcast-product path (per-sample weight gradients under vmap)
E("bmm_outer", lambda m, a, b: m.bmm(a, b), mat((2, 3, 1), (2, 1, 4)), ref=np.matmul)
E("matmul_outer", lambda m, a, b: a @ b, mat((2, 1, 3, 1), (4, 1, 2)), ref=np.matmul, dtypes=("float32", "float64", "int64"))
E("dot", lambda m, a, b: m.dot(a, b), mat((4,), (4,)), ref=np.dot, dtypes=("float32", "float64", "int64"))
E("dot_empty", lambda m, a, b: a.dot(b), mat((0,), (0,)), ref=np.dot, grad=False)
E("outer", lambda m, a, b: m.outer(a, b), mat((3,), (2,)), ref=np.outer, dtypes=NUM)
E("mm_empty", lambda m, a, b: a.mm(b), mat((2, 0), (0, 3)), ref=np.matmul, grad=False)
E("addmm", lambda m, c, a, b: m.addmm(c, a, b), mat((3,), (2, 4), (4, 3)), ref=lambda c, a, b: c + a @ b)
E("addmm_ab", lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=2), mat((2, 3), (2, 4), (4, 3)),
  ref=lambda c, a, b: 0.5 * c + 2 * (a @ b))
E("einsum", lambda m, a, b: m.einsum("ij,jk->ik", a, b), mat((2, 3), (3, 2)), ref=np.matmul)
E("einsum_trace", lambda m, a: m.einsum("ii", a), mat((3, 3)), ref=np.trace)
E("tensordot", lambda m, a, b: m.tensordot(a, b, dims=1), mat((2, 3), (3, 2)), ref=np.matmul)

# ----------------------------------------------------------------- reductions
E("sum", lambda m, a: a.sum(), unary(), ref=np.sum, dtypes=ALL)
E("sum_dim", lambda m, a, d, k: a.sum(d, keepdim=k), reduce_dim(), ref=lambda a, d, k: np.sum(
    a, axis=d if a.ndim else None, keepdims=k), dtypes=ALL)
E("sum_dims", lambda m, a, d, k: m.sum(a, d, k), reduce_dims(), ref=lambda a, d, k: np.sum(a, tuple(d), keepdims=k),
  dtypes=ALL)
E("sum_dtype", lambda m, a: a.sum(dtype=m.float64), unary(), ref=np.sum, dtypes=ALL)
E("mean", lambda m, a: a.mean(), unary(), ref=np.mean, dtypes=ALL)
E("mean_dim", lambda m, a, d, k: m.mean(a, d, keepdim=k), reduce_dim(), dtypes=ALL)
E("mean_dims", lambda m, a, d, k: m.mean(a, d, k), reduce_dims(), dtypes=F)
E("prod", lambda m, a: a.prod(), unary("nonzero"), ref=np.prod, dtypes=ALL)
E("prod_dim", lambda m, a, d, k: a.prod(d, keepdim=k), reduce_dim("nonzero"), dtypes=ALL)
E("max", lambda m, a: a.max(), unary("real"), ref=np.max, dtypes=ALL, gg=False)
E("min", lambda m, a: m.min(a), unary("real"), ref=np.min, dtypes=ALL, gg=False)
E("max_dim", lambda m, a, d, k: m.max(a, d, keepdim=k), reduce_dim(distinct=True), dtypes=ALL, gg=False)
E("min_dim", lambda m, a, d, k: a.min(dim=d, keepdim=k), reduce_dim(distinct=True), dtypes=ALL, gg=False)
E("max_dim_values", lambda m, a, d: a.max(d).values, reduce_dim(keepdim=False, distinct=True), dtypes=NUM,
  gg=False)
E("min_dim_indices", lambda m, a, d: m.min(a, d)[1], reduce_dim(keepdim=False, distinct=True), dtypes=NUM,
  grad=False)
E("amax", lambda m, a, d, k: m.amax(a, d, k), reduce_dim(distinct=True), dtypes=ALL, gg=False)
E("amin", lambda m, a, d, k: a.amin(d, keepdim=k), reduce_dim(distinct=True), dtypes=ALL, gg=False)
E("amax_all", lambda m, a: m.amax(a), unary(), ref=np.max, dtypes=NUM, gg=False)
E("argmax", lambda m, a: m.argmax(a), unary(), dtypes=NUM, grad=False)
E("argmax_dim", lambda m, a, d, k: a.argmax(d, keepdim=k), reduce_dim(distinct=True), dtypes=NUM, grad=False)
E("argmin", lambda m, a: a.argmin(), unary(), dtypes=NUM, grad=False)
E("argmin_dim", lambda m, a, d, k: m.argmin(a, dim=d, keepdim=k), reduce_dim(distinct=True), dtypes=NUM,
  grad=False)
E("std", lambda m, a: a.std(), unary(), ref=lambda a: np.std(a, ddof=1), tol=1e-4)
E("std_dim", lambda m, a, d, k: m.std(a, d, keepdim=k), reduce_dim(), tol=1e-4)
E("std_unbiased", lambda m, a, d: m.std(a, d, unbiased=False), reduce_dim(keepdim=False), tol=1e-4, gg=False)
E("var", lambda m, a: m.var(a), unary(), ref=lambda a: np.var(a, ddof=1), tol=1e-4)
E("var_dim", lambda m, a, d, k: a.var(d, keepdim=k), reduce_dim(), tol=1e-4)
E("var_correction", lambda m, a, d: a.var(d, correction=0), reduce_dim(keepdim=False), tol=1e-4)
E("var_mean", lambda m, a, d: m.var_mean(a, d), reduce_dim(keepdim=False), tol=1e-4)
E("std_mean", lambda m, a: m.std_mean(a), unary(), tol=1e-4)
E("norm", lambda m, a: a.norm(), unary("nonzero"), ref=lambda a: np.sqrt(np.sum(a * a)))
E("norm_p1", lambda m, a: m.norm(a, 1), unary("nonzero"), ref=lambda a: np.sum(np.abs(a)), gg=False)
E("norm_p3", lambda m, a, d: m.norm(a, 3, d), reduce_dim("nonzero", keepdim=False))
E("norm_dim", lambda m, a, d, k: m.norm(a, dim=d, keepdim=k), reduce_dim("nonzero"))
E("norm_inf", lambda m, a: m.norm(a, float("inf")), unary("nonzero"), gg=False)
E("logsumexp", lambda m, a, d, k: m.logsumexp(a, d, keepdim=k), reduce_dim(), dtypes=ALL)
E("cumsum", lambda m, a, d: m.cumsum(a, d), reduce_dim(keepdim=False), dtypes=ALL)
E("cumsum_method", lambda m, a, d: a.cumsum(dim=d), reduce_dim(keepdim=False))
E("cumprod", lambda m, a, d: m.cumprod(a, d), reduce_dim("nonzero", keepdim=False), dtypes=NUM)
E("all", lambda m, a: m.all(a), unary(), ref=np.all, dtypes=ALL, grad=False)
E("all_dim", lambda m, a, d, k: a.all(d, keepdim=k), reduce_dim(), dtypes=ALL, grad=False)
E("any", lambda m, a: a.any(), unary(), ref=np.any, dtypes=ALL, grad=False)
E("any_dim", lambda m, a, d, k: m.any(a, d, keepdim=k), reduce_dim(), dtypes=ALL, grad=False)
E("nansum", lambda m, a: m.nansum(a), unary(), ref=np.nansum)
E("count_nonzero", lambda m, a: m.count_nonzero(a), unary(), ref=np.count_nonzero, dtypes=ALL, grad=False)
E("aminmax", lambda m, a: m.aminmax(a), unary(), dtypes=NUM, gg=False)
E("aminmax_dim", lambda m, a, d, k: m.aminmax(a, dim=d, keepdim=k), reduce_dim(distinct=True), dtypes=NUM, gg=False)
E("dist", lambda m, a, b: m.dist(a, b), binary(), tol=1e-4)
E("dist_p", lambda m, a, b, p: m.dist(a, b, p), lambda d, dt: binary("nonzero", "pos")(d, dt) + [d.choice([1, 3, 1.5])],
  tol=1e-4)
E("sum_to_size", lambda m, a: a.sum_to_size(1, 1) if a.ndim == 2 else a.sum_to_size(a.shape),
  shape_then(lambda d, s: [], min_dims=1))

# ----------------------------------------------------------------- shape
E("reshape", lambda m, a, s: a.reshape(s), shape_then(_reshape_target), ref=np.reshape, dtypes=ALL)
E("reshape_fn", lambda m, a, s: m.reshape(a, s), shape_then(_reshape_target), ref=np.reshape)
E("view", lambda m, a, s: a.view(*s), shape_then(_reshape_target), ref=np.reshape, dtypes=ALL)
E("reshape_noncontig", lambda m, a: a.t().reshape(-1), mat((2, 3)), ref=lambda a: a.T.reshape(-1))
E("flatten", lambda m, a: a.flatten(), unary(), ref=np.ravel, dtypes=ALL)
E("flatten_noncontig", lambda m, a: a.transpose(0, 1).flatten(), mat((2, 3, 2)),
  ref=lambda a: a.swapaxes(0, 1).ravel())
E("flatten_dims", lambda m, a: m.flatten(a, 1), shape_then(lambda d, s: [], min_dims=2), dtypes=ALL)
E("ravel", lambda m, a: a.ravel(), unary(), ref=np.ravel)
E("unflatten", lambda m, a: a.unflatten(0, (1, -1)), shape_then(lambda d, s: [], min_dims=1))
E("squeeze", lambda m, a: a.squeeze(), unary(), ref=np.squeeze, dtypes=ALL)
E("squeeze_dim", lambda m, a, d: m.squeeze(a, d), reduce_dim(keepdim=False), dtypes=ALL)
E("squeeze_dims", lambda m, a: a.squeeze((0, -1)), shape_then(lambda d, s: [], min_dims=1))
E("unsqueeze", lambda m, a, d: a.unsqueeze(d), shape_then(lambda d, s: [d.int(-len(s) - 1, len(s))]),
  dtypes=ALL)
E("transpose", lambda m, a, i, j: a.transpose(i, j), shape_then(lambda d, s: [d.dim(len(s)), d.dim(len(s))]),
  dtypes=ALL)
E("permute", lambda m, a, p: a.permute(*p), shape_then(_perm), dtypes=ALL)
E("permute_fn", lambda m, a, p: m.permute(a, p), shape_then(_perm))
E("t", lambda m, a: a.t(), mat((2, 3)), ref=np.transpose, dtypes=ALL)
E("t_1d", lambda m, a: m.t(a), mat((3,)), ref=np.transpose)
E("T", lambda m, a: a.T, unary(), ref=lambda a: a.T)
E("mT", lambda m, a: a.mT, mat((2, 2, 3)), ref=lambda a: a.swapaxes(-1, -2))
E("expand", lambda m, a, s: a.expand(*s), shape_then(_expand_target), dtypes=ALL)
E("expand_as", lambda m, a, b: a.expand_as(b), mat((3, 1), (2, 3, 4)), ref=lambda a, b: np.broadcast_to(
    a, b.shape))
E("broadcast_to", lambda m, a: m.broadcast_to(a, (2,) + tuple(a.shape)), unary())
E("repeat", lambda m, a, r: a.repeat(*r), shape_then(_repeat_args), dtypes=ALL)
E("tile", lambda m, a: a.tile((2,)), unary())
E("cat", lambda m, ts, d: m.cat(ts, d), _cat_gen(3), dtypes=ALL)
E("cat_dim1", lambda m, a, b: m.cat([a, b], dim=1), mat((2, 3), (2, 1)), ref=lambda a, b: np.concatenate(
    [a, b], 1))
E("cat_legacy_empty", lambda m, a, b: m.cat([a, b]), mat((0,), (2, 3)), ref=lambda a, b: b)
E("stack", lambda m, ts, d: m.stack(ts, d), _cat_gen(3, same=True), dtypes=ALL)
E("hstack", lambda m, a, b: m.hstack([a, b]), mat((2, 3), (2, 2)))
E("vstack", lambda m, a, b: m.vstack([a, b]), mat((3,), (3,)))
E("split", lambda m, a, s, d: a.split(s, d), shape_then(_split_args, min_dims=1), dtypes=ALL)
E("split_fn", lambda m, a, s, d: m.split(a, s, dim=d), shape_then(_split_args, min_dims=1))
E("chunk", lambda m, a, n, d: a.chunk(n, d), shape_then(lambda d, s: [d.int(1, 4), d.dim(len(s))],
                                                        min_dims=1), dtypes=ALL)
E("unbind", lambda m, a, d: a.unbind(d), reduce_dim(keepdim=False))
E("flip", lambda m, a, d: a.flip(d), reduce_dim(keepdim=False), dtypes=ALL)
E("flip_dims", lambda m, a: m.flip(a, (0, -1)), shape_then(lambda d, s: [], min_dims=1))
E("roll", lambda m, a, d: a.roll(1, d), reduce_dim(keepdim=False))
E("roll_flat", lambda m, a: m.roll(a, 2), unary())
E("narrow", lambda m, a: a.narrow(-1, 1, 1), mat((2, 3)))
E("select", lambda m, a: a.select(1, -1), mat((2, 3)))
E("movedim", lambda m, a: m.movedim(a, 0, -1), mat((2, 3, 1)))
E("swapaxes", lambda m, a: a.swapaxes(0, 1), mat((2, 3)))
E("clone", lambda m, a: a.clone(), unary(), ref=np.copy, dtypes=ALL)
E("contiguous", lambda m, a: a.t().contiguous(), mat((2, 3)), ref=np.transpose)
E("tril", lambda m, a: m.tril(a), mat((3, 4)), ref=np.tril)
E("triu", lambda m, a: a.triu(1), mat((3, 4)), ref=lambda a: np.triu(a, 1))
E("diagonal", lambda m, a: a.diagonal(), mat((3, 4)), ref=np.diagonal)
E("diag_vec", lambda m, a: m.diag(a), mat((3,)), ref=np.diag)
E("diag_mat", lambda m, a: m.diag(a, 1), mat((3, 3)), ref=lambda a: np.diag(a, 1))
E("trace", lambda m, a: a.trace(), mat((3, 3)), ref=np.trace)
E("to_float64", lambda m, a: a.to(m.float64), unary(), dtypes=ALL)
E("double", lambda m, a: a.double() * 2, unary(), dtypes=ALL)
E("float", lambda m, a: a.float(), unary(), dtypes=ALL)
E("long", lambda m, a: a.long(), unary(), dtypes=ALL, grad=False)

# ----------------------------------------------------------------- indexing
E("getitem_int", lambda m, a, i: a[i], _getitem(_scalars_idx), dtypes=ALL)
E("getitem_slice", lambda m, a: a[1:], _getitem(lambda d, s: []), dtypes=ALL)
E("getitem_step", lambda m, a: a[..., ::2], _getitem(lambda d, s: []))
E("getitem_none0", lambda m, a: a[None, 0], _getitem(lambda d, s: []))
E("getitem_none", lambda m, a: a[:, None], _getitem(lambda d, s: []))
E("getitem_ellipsis", lambda m, a: a[...], _getitem(lambda d, s: [], min_dims=0, min_side=0))
E("getitem_int_slice", lambda m, a: a[0, 1:], _getitem(lambda d, s: [], min_dims=2))
E("getitem_negative", lambda m, a: a[-1], _getitem(lambda d, s: []))
E("getitem_tensor", lambda m, a, i: a[i], _getitem(_adv_idx), dtypes=ALL)
E("getitem_list", lambda m, a: a[[0, 0, -1]], _getitem(lambda d, s: []))
E("getitem_bool", lambda m, a, mk: a[mk], _getitem(_bool_idx), dtypes=ALL)
E("getitem_two_tensors", lambda m, a, i, j: a[i, :, j], _getitem(
    lambda d, s: [np.array([0, -1, 0]), np.array([1, 0, 0]) % s[2]], min_dims=3))
E("getitem_0d", lambda m, a, i: a[i], _getitem(lambda d, s: [np.asarray(0, dtype=np.int64)]))
E("getitem_mixed", lambda m, a, i: a[1:, i], _getitem(lambda d, s: [np.array([0, s[1] - 1])], min_dims=2))
E("gather", lambda m, a, d, i: m.gather(a, d, i), _gather_gen, dtypes=ALL)
E("take_along_dim", lambda m, a, d, i: m.take_along_dim(a, i, d), _gather_gen)
E("index_select", lambda m, a, d, i: a.index_select(d, i), _index_select_gen, dtypes=ALL)
E("masked_fill", lambda m, a, mk, v: a.masked_fill(mk, v), _mask_gen("float"), dtypes=ALL)
E("masked_fill_int", lambda m, a, mk, v: m.masked_fill(a, mk, v), _mask_gen("int"), dtypes=ALL)
E("masked_fill_t", lambda m, a, mk, v: a.masked_fill(mk, v), _mask_gen("tensor0"), dtypes=NUM)
E("masked_select", lambda m, a, mk: m.masked_select(a, mk), _mask_gen("float"))
E("where", lambda m, c, a, b: m.where(c, a, b), _where_gen, ref=np.where, dtypes=ALL)
E("where_scalar", lambda m, c, a: m.where(c, a, 0.0), lambda d, dt: _where_gen(d, dt)[:2], dtypes=ALL)
E("where_method", lambda m, c, a, b: a.where(c, b), _where_gen, ref=np.where)
E("scatter", lambda m, a, d, i: a.scatter(d, i, 0.5), _gather_gen)
E("scatter_add", lambda m, a, d, i: m.scatter_add(a, d, i, a * 2), _gather_gen)
E("index_add", lambda m, a, b: a.index_add(0, m.tensor([1, 0]), b), mat((3, 2), (2, 2)))
E("index_fill", lambda m, a: a.index_fill(1, m.tensor([0, 2]), -1.0), mat((2, 3)))
E("index_fill_t", lambda m, a, v: a.index_fill(1, m.tensor([0, 2]), v), mat((2, 3), ()))
E("nonzero", lambda m, a: m.nonzero(a), unary(), dtypes=ALL, grad=False)

# ------------------------------------------------------------ comparisons, predicates
for _n, _ref in (("eq", np.equal), ("ne", np.not_equal), ("lt", np.less), ("le", np.less_equal),
                 ("gt", np.greater), ("ge", np.greater_equal)):
    E(_n, (lambda n: lambda m, a, b: getattr(m, n)(a, b))(_n), binary("small", "small"), ref=_ref, dtypes=ALL,
      grad=False, binary=True)
E("op_eq", lambda m, a, b: a == b, binary("small", "small"), ref=np.equal, grad=False, dtypes=ALL)
E("op_lt_scalar", lambda m, a: a < 1, unary("small"), ref=lambda a: a < 1, grad=False, dtypes=ALL)
E("op_ge_rscalar", lambda m, a: 0.5 >= a, unary("small"), ref=lambda a: 0.5 >= a, grad=False, dtypes=ALL)
E("isclose", lambda m, a, b: m.isclose(a, b), binary("small", "small"), ref=np.isclose, grad=False, dtypes=NUM)
E("isclose_tol", lambda m, a, b: m.isclose(a, b, rtol=0.5, atol=0.1), binary(), grad=False)
E("allclose", lambda m, a, b: m.allclose(a, b), binary("small", "small"), ref=np.allclose, grad=False)
E("allclose_self", lambda m, a: m.allclose(a, a * (1 + 1e-7)), unary(), grad=False)
E("equal", lambda m, a, b: m.equal(a, b), binary("small", "small"), grad=False, dtypes=ALL)
E("equal_self", lambda m, a: m.equal(a, a.clone()), unary(), grad=False, dtypes=ALL)
E("isnan", lambda m, a: m.isnan(a), unary("special"), ref=np.isnan, grad=False, dtypes=ALL)
E("isinf", lambda m, a: a.isinf(), unary("special"), ref=np.isinf, grad=False, dtypes=ALL)
E("isfinite", lambda m, a: m.isfinite(a), unary("special"), ref=np.isfinite, grad=False, dtypes=ALL)
E("logical_and", lambda m, a, b: m.logical_and(a, b), binary("small", "small"), ref=np.logical_and, grad=False,
  dtypes=ALL)
E("logical_not", lambda m, a: m.logical_not(a), unary("small"), ref=np.logical_not, grad=False, dtypes=ALL)
E("bitwise_and", lambda m, a, b: a & b, binary("small", "small"), grad=False, dtypes=("int64", "bool", "uint8"))
E("invert", lambda m, a: ~a, unary("small"), grad=False, dtypes=("int64", "bool", "uint8"))

BY_NAME = {e.name: e for e in TABLE}
assert len(BY_NAME) == len(TABLE), "duplicate op names in the table"
