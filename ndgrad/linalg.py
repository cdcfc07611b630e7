"""``torch.linalg``: norms, inverse, determinant, solve (differentiable, batched).

>>> A = ndgrad.tensor([[2.0, 0.0], [0.0, 4.0]], requires_grad=True)
>>> ndgrad.linalg.det(A)
tensor(8., grad_fn=<LinalgDetBackward0>)
"""
from ._ops._linalg_ops import (LinAlgError, det, inv, matrix_power, multi_dot, slogdet, solve)  # noqa: F401
from ._ops._stats import norm as _norm

__all__ = ["vector_norm", "matrix_norm", "norm", "inv", "det", "slogdet", "solve", "matrix_power", "multi_dot",
           "LinAlgError"]


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The vector p-norm over all elements or over ``dim``."""
    return _norm(x, ord, dim, keepdim, dtype)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """Frobenius norm of matrices (the other orders are not implemented in ndgrad)."""
    if ord != "fro":
        raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} is not supported by ndgrad (only 'fro')")
    return _norm(A, 2, dim, keepdim, dtype)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """``vector_norm`` for vectors/flattened input, Frobenius for matrices (ord None or 'fro')."""
    if ord in (None, "fro") or (ord is not None and not isinstance(ord, str) and (dim is None or isinstance(dim, int))):
        return _norm(A, 2 if ord in (None, "fro") else ord, dim, keepdim, dtype)
    raise NotImplementedError(f"linalg.norm: ord={ord!r} with dim={dim!r} is not supported by ndgrad")
