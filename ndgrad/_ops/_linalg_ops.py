"""Matrix functions with derivatives: inv, det, slogdet, solve (batched, as ``torch.linalg``)."""
import numpy as np

from .._tensor import _wrap
from ._core import defop, needs_grad, record


class LinAlgError(RuntimeError):
    """``torch.linalg.LinAlgError``: a singular or non-positive-definite input."""


LinAlgError.__name__ = "_LinAlgError"


def _square(A, name):
    d = A._data
    if d.ndim < 2 or d.shape[-1] != d.shape[-2]:
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are "
                           f"{d.shape[-2] if d.ndim >= 2 else 1} by {d.shape[-1]} matrices")
    if d.dtype.kind != "f":
        raise RuntimeError(f"linalg.{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_wrap(d).dtype.name.capitalize()}")


def _inv_vjp(ctx, g):
    out, = ctx.saved
    ot = out.mT
    return (-(ot @ g @ ot),)


def _det_vjp(ctx, g):
    A, out = ctx.saved
    from ._shape import unsqueeze
    gd = unsqueeze(unsqueeze(g * out, -1), -1)
    return (gd * inv(A).mT,)


def _slogdet_vjp(ctx, grads):
    A, = ctx.saved
    glog = grads[1]
    if glog is None:
        return (None,)
    from ._shape import unsqueeze
    return (unsqueeze(unsqueeze(glog, -1), -1) * inv(A).mT,)


def _solve_vjp(ctx, g):
    A, X = ctx.saved
    vec, = ctx._params
    n = ctx._needs
    gB = solve(A.mT, g)
    gA = None
    if n[0]:
        if vec:
            gA = -(gB.unsqueeze(-1) @ X.unsqueeze(-2))
        else:
            gA = -(gB @ X.mT)
    return gA, gB if n[1] else None


def _inv_k(a):
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise LinAlgError("linalg.inv: The diagonal element 1 is zero, the inversion could not be completed "
                          "because the input matrix is singular.") from None


def _solve_k(a, b, vec):
    try:
        return np.linalg.solve(a, b[..., None])[..., 0] if vec else np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is singular.") from None


INV = defop("linalg_inv", _inv_k, _inv_vjp, node="LinalgInvExBackward0", save=("out",))
DET = defop("linalg_det", np.linalg.det, _det_vjp, node="LinalgDetBackward0", save=(0, "out"))
SLOGDET = defop("linalg_slogdet", None, _slogdet_vjp, node="LinalgSlogdetBackward0", save=(0,), nout=2)
SOLVE = defop("linalg_solve", _solve_k, _solve_vjp, node="LinalgSolveExBackward0", save=(0, "out"))


def inv(A):
    """Inverse of a square matrix (or a batch)."""
    _square(A, "inv")
    t = _wrap(np.asarray(_inv_k(A._data)))
    if needs_grad(A):
        record(INV, t, (A,))
    return t


def det(A):
    """Determinant of a square matrix (or a batch)."""
    _square(A, "det")
    t = _wrap(np.asarray(np.linalg.det(A._data), dtype=A._data.dtype))
    if needs_grad(A):
        record(DET, t, (A,))
    return t


def slogdet(A):
    """(sign, log|det|) of a square matrix (or a batch)."""
    _square(A, "slogdet")
    s, l = np.linalg.slogdet(A._data)
    sign = _wrap(np.asarray(s, dtype=A._data.dtype))
    logabs = _wrap(np.asarray(l, dtype=A._data.dtype))
    if needs_grad(A):
        record(SLOGDET, (None, logabs), (A,))
    return sign, logabs


def logdet(A):
    sign, logabs = slogdet(A)
    from ._index import where
    return where(sign < 0, float("nan"), logabs)


def solve(A, B, *, left=True):
    """X with A @ X = B (B a vector or a matrix, batched)."""
    if not left:
        return solve(A.mT, B.mT).mT
    _square(A, "solve")
    vec = B._data.ndim == 1 or (B._data.ndim == A._data.ndim - 1 and B._data.shape == A._data.shape[:-1])
    t = _wrap(np.asarray(_solve_k(A._data, B._data.astype(A._data.dtype, copy=False), vec)))
    if needs_grad(A, B):
        record(SOLVE, t, (A, B), (vec,))
    return t


def matrix_power(A, n):
    _square(A, "matrix_power")
    if n < 0:
        return matrix_power(inv(A), -n)
    from .._creation import eye
    r = None
    base = A
    while n:
        if n & 1:
            r = base if r is None else r @ base
        n >>= 1
        if n:
            base = base @ base
    if r is None:
        e = eye(A.shape[-1], dtype=A.dtype)
        return e.expand(A.shape) if A.ndim > 2 else e
    return r


def multi_dot(tensors):
    r = tensors[0]
    for t in tensors[1:]:
        r = r @ t
    return r


inverse = inv


METHODS = {"inverse": inv, "det": det, "logdet": logdet, "slogdet": slogdet, "matrix_power": matrix_power}
