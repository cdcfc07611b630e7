"""Function transforms, as ``torch.func``: grad, grad_and_value, vjp, jvp, linearize, jacrev, jacfwd,
hessian, functional_call and vmap.

>>> from ndgrad.func import grad, vmap
>>> grad(lambda x: (x ** 3).sum())(ndgrad.tensor([1., 2.]))
tensor([ 3., 12.])
>>> vmap(lambda x: x.sum())(ndgrad.ones(3, 2))
tensor([2., 2., 2.])
"""
from ._transforms import grad, grad_and_value, vjp, jvp, linearize, jacrev, jacfwd, hessian  # noqa: F401
from ._functional_call import functional_call  # noqa: F401
from ._vmap import vmap  # noqa: F401

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "linearize", "jacrev", "jacfwd", "hessian", "functional_call",
           "vmap"]
