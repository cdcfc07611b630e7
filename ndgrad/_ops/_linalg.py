"""Matrix products: matmul/@ (dot, mv, mm, bmm and batched), outer, addmm, einsum."""
import numpy as np

from .._tensor import Tensor, _wrap
from ._core import defop, mark_no_grad, needs_grad, record
from ._dispatch import broadcast_message, out_array

_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long", "int32": "int",
          "int16": "short", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}
_CAP = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
        "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _dot_vjp(ctx, g):
    a, b = ctx.saved
    n = ctx._needs
    return (g * b if n[0] else None, g * a if n[1] else None)


def _mv_vjp(ctx, g):
    a, b = ctx.saved
    n = ctx._needs
    return (g.unsqueeze(1) * b if n[0] else None, a.t().mv(g) if n[1] else None)


def _mm_vjp(ctx, g):
    a, b = ctx.saved
    n = ctx._needs
    return (g.mm(b.t()) if n[0] else None, a.t().mm(g) if n[1] else None)


def _matmul_kernel(a, b):
    # a stack of outer products (contracted dim 1: per-sample gradients of a weight, x_i^T g_i) is the
    # broadcast product, exactly (one term, no sum); NumPy's stacked matmul takes 3x longer on it
    if a.ndim > 2 and a.shape[-1] == 1 and b.ndim > 1 and b.shape[-2] == 1:
        return np.multiply(a, b)
    return np.matmul(a, b)


def _mat(x, y):
    """``x @ y`` in a rule: a recorded matmul on tensors, the kernel above on arrays (array rules)."""
    return _matmul_kernel(x, y) if isinstance(x, np.ndarray) else x @ y


def _bmm_vjp(ctx, g):
    a, b = ctx.saved
    n = ctx._needs
    return (g.bmm(b.mT) if n[0] else None, a.mT.bmm(g) if n[1] else None)


def _matmul_vjp(ctx, g):
    # batched (>= 3-D after promotion of 1-D operands); the engine sums broadcast batch dims.
    # a is saved only when b needs a gradient and vice versa: shapes come from ctx._meta.
    # Also the array rule: only operators and methods that tensors and NumPy arrays share.
    a, b = ctx.saved
    n = ctx._needs
    ga = gb = None
    (ashape, _), (bshape, _) = ctx._meta[0], ctx._meta[1]
    a1, b1 = len(ashape) == 1, len(bshape) == 1
    g2 = g
    if a1:
        g2 = _unsqueeze(g2, -2)
    if b1:
        g2 = _unsqueeze(g2, -1)
    if n[0]:
        ga = _mat(g2, (_unsqueeze(b, -1) if b1 else b).mT)
        if a1:
            ga = ga.squeeze(-2)
            ga = ga.reshape(-1, ashape[0]).sum(0) if ga.ndim > 1 else ga
    if n[1]:
        gb = _mat((_unsqueeze(a, 0) if a1 else a).mT, g2)
        if b1:
            gb = gb.squeeze(-1)
            gb = gb.reshape(-1, bshape[0]).sum(0) if gb.ndim > 1 else gb
    return ga, gb


def _unsqueeze(x, d):
    return x.unsqueeze(d) if type(x) is Tensor else np.expand_dims(x, d)


def _addmm_vjp(ctx, g):
    m1, m2 = ctx.saved
    beta, alpha = ctx._params[:2]
    n = ctx._needs
    gi = (g if beta == 1 else g * beta) if n[0] else None
    g1 = g.mm(m2.t()) if n[1] else None
    g2 = m1.t().mm(g) if n[2] else None
    if alpha != 1:
        g1 = g1 * alpha if g1 is not None else None
        g2 = g2 * alpha if g2 is not None else None
    return gi, g1, g2


# the rules above on NumPy arrays (used when backward builds no graph; see _core.py)
def _mv_avjp(ctx, g):
    a, b = ctx.saved
    n = ctx._needs
    return (g[:, None] * b if n[0] else None, a.T @ g if n[1] else None)


def _mm_avjp(ctx, g):
    a, b = ctx.saved
    n = ctx._needs
    return (g @ b.T if n[0] else None, a.T @ g if n[1] else None)


def _bmm_avjp(ctx, g):
    a, b = ctx.saved
    n = ctx._needs
    return (_matmul_kernel(g, b.swapaxes(-1, -2)) if n[0] else None,
            _matmul_kernel(a.swapaxes(-1, -2), g) if n[1] else None)


def _addmm_avjp(ctx, g):
    m1, m2 = ctx.saved
    beta, alpha, fortran2 = ctx._params
    n = ctx._needs
    gi = (g if beta == 1 else g * beta) if n[0] else None
    g1 = g @ m2.T if n[1] else None
    g2 = ((g.T @ m1).T if fortran2 else m1.T @ g) if n[2] else None
    if alpha != 1:
        g1 = g1 * alpha if g1 is not None else None
        g2 = g2 * alpha if g2 is not None else None
    return gi, g1, g2


DOT = defop("dot", np.dot, _dot_vjp, save=((0, 1), (1, 0)), avjp=True)
MV = defop("mv", np.matmul, _mv_vjp, save=((0, 1), (1, 0)), avjp=_mv_avjp)
MM = defop("mm", np.matmul, _mm_vjp, save=((0, 1), (1, 0)), avjp=_mm_avjp)
BMM = defop("bmm", _matmul_kernel, _bmm_vjp, save=((0, 1), (1, 0)), avjp=_bmm_avjp)
SQUEEZE_ = defop("squeeze_", np.reshape, lambda ctx, g: (g.reshape(ctx._meta[0][0]),), node="SqueezeBackward4", avjp=True)
MATMUL = defop("matmul", _matmul_kernel, _matmul_vjp, node="UnsafeViewBackward0", save=((0, 1), (1, 0)), avjp=True)
ADDMM = defop("addmm", None, _addmm_vjp, save=((1, 2), (2, 1)), avjp=_addmm_avjp)


def _same_dtype(a, b, what):
    if a._data.dtype != b._data.dtype:
        if what == "dot":
            raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                               f"{_CAP[a.dtype.name]} and {_CAP[b.dtype.name]}")
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_NAMES[a.dtype.name]} != "
                           f"{_NAMES[b.dtype.name]}")


def _run(op, a, b):
    t = _wrap(out_array(op.kernel(a._data, b._data)))
    if needs_grad(a, b):
        record(op, t, (a, b))
    elif a._requires_grad or b._requires_grad:
        mark_no_grad(t, a, b)
    return t


def dot(input, other):
    """Inner product of two 1-D tensors."""
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors")
    if input._data.shape[0] != other._data.shape[0]:
        n, m = input._data.shape[0], other._data.shape[0]
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
                           f"number of elements, but got {n} and {m} elements respectively")
    _same_dtype(input, other, "dot")
    return _run(DOT, input, other)


inner = dot
vdot = dot


def mv(input, vec):
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input._data.ndim}, {vec._data.ndim}")
    if input._data.shape[1] != vec._data.shape[0]:
        r, c = input._data.shape
        raise RuntimeError(f"size mismatch, got input ({r}), mat ({r}x{c}), vec ({vec._data.shape[0]})")
    _same_dtype(input, vec, "mv")
    return _run(MV, input, vec)


def mm(input, mat2):
    if input._data.ndim != 2:
        raise RuntimeError(f"self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix")
    if input._data.shape[1] != mat2._data.shape[0]:
        a, b = input._data.shape
        c, d = mat2._data.shape
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a}x{b} and {c}x{d})")
    _same_dtype(input, mat2, "mm")
    return _run(MM, input, mat2)


def bmm(input, mat2):
    if input._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    a, b = input._data.shape, mat2._data.shape
    if a[0] != b[0] or a[2] != b[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{a[0]}, {a[2]}] "
                           f"but got: [{b[0]}, {b[1]}].")
    _same_dtype(input, mat2, "bmm")
    return _run(BMM, input, mat2)


def matmul(input, other):
    """Matrix product with NumPy/PyTorch broadcasting rules (``@``)."""
    if not isinstance(other, Tensor) or not isinstance(input, Tensor):
        return NotImplemented
    na, nb = input._data.ndim, other._data.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D")
    if na == 1 and nb == 1:
        return dot(input, other)
    if na == 2 and nb == 1:
        return mv(input, other)
    if na == 2 and nb == 2:
        return mm(input, other)
    if na == 1 and nb == 2:
        if input._data.shape[0] != other._data.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied (1x{input._data.shape[0]} and "
                               f"{other._data.shape[0]}x{other._data.shape[1]})")
        # PyTorch squeezes the mm result in place: SqueezeBackward4
        r = mm(input.unsqueeze(0), other)
        t = _wrap(r._data.reshape(r._data.shape[1:]))
        if needs_grad(r):
            record(SQUEEZE_, t, (r,))
        return t
    _same_dtype(input, other, "matmul")
    ka = input._data.shape[-1]
    kb = other._data.shape[-2] if nb > 1 else other._data.shape[0]
    if ka != kb:
        sa = "x".join(map(str, input._data.shape[-2:] if na > 1 else (1,) + input._data.shape))
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{other._data.shape[0] if nb > 2 else 1}, {ka}] but got: "
                           f"[{other._data.shape[0] if nb > 2 else 1}, {kb}]." if nb > 2 else
                           f"mat1 and mat2 shapes cannot be multiplied ({sa} and "
                           f"{'x'.join(map(str, other._data.shape[-2:]))})")
    try:
        return _run(MATMUL, input, other)
    except ValueError:  # batch dims that do not broadcast: PyTorch's words, not NumPy's
        raise RuntimeError(broadcast_message(input._data.shape[:-2], other._data.shape[:-2])) from None


def _rmatmul(self, other):
    return matmul(other, self) if isinstance(other, Tensor) else NotImplemented


def outer(input, vec2):
    return input.reshape(-1, 1) * vec2


ger = outer


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat1 @ mat2)`` (the op behind nn.Linear)."""
    if mat1._data.shape[1] != mat2._data.shape[0]:
        a, b = mat1._data.shape
        c, d = mat2._data.shape
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a}x{b} and {c}x{d})")
    m2 = mat2._data
    prod = np.matmul(mat1._data, m2)
    if alpha != 1:
        prod *= alpha
    bias = input._data if beta == 1 else beta * input._data
    bs, ps = bias.shape, prod.shape
    if bias.dtype == prod.dtype and ((len(bs) <= len(ps) and bs == ps[len(ps) - len(bs):])  # nn.Linear's bias
                                     or np.broadcast_shapes(bs, ps) == ps):
        np.add(prod, bias, out=prod)  # prod is ours: no second result-sized array
        arr = prod
    else:
        arr = prod + bias
    t = _wrap(out_array(arr, prod.dtype))
    if needs_grad(input, mat1, mat2):
        # mat2's memory order (nn.Linear passes weight.t(), a Fortran-ordered view): its gradient is
        # computed in the same order, so the weight's gradient comes out C-ordered like the weight
        record(ADDMM, t, (input, mat1, mat2), (beta, alpha, m2.flags.f_contiguous and not m2.flags.c_contiguous))
    return t


def einsum(equation, *operands):
    """Einstein summation, built from differentiable primitives (permute, reshape, mul, sum)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    from ._einsum import einsum as _einsum
    return _einsum(equation, *operands)


def tensordot(a, b, dims=2):
    if isinstance(dims, int):
        da = list(range(a.ndim - dims, a.ndim))
        db = list(range(dims))
    else:
        da, db = [list(d) if isinstance(d, (list, tuple)) else [d] for d in dims]
    fa = [i for i in range(a.ndim) if i not in da]
    fb = [i for i in range(b.ndim) if i not in db]
    import math
    k = math.prod(a.shape[i] for i in da)
    am = a.permute(fa + da).reshape(-1, k)
    bm = b.permute(db + fb).reshape(k, -1)
    return (am @ bm).reshape([a.shape[i] for i in fa] + [b.shape[i] for i in fb])


METHODS = {"dot": dot, "inner": dot, "mv": mv, "mm": mm, "bmm": bmm, "matmul": matmul,
           "__matmul__": matmul, "__rmatmul__": _rmatmul, "outer": outer, "ger": outer, "addmm": addmm}
