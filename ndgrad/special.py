"""``torch.special``: erf, erfc, expit, logit, xlogy, softmax, log_softmax, logsumexp, log1p, expm1.

>>> ndgrad.special.erf(ndgrad.tensor([0.0, 1.0]))
tensor([0.0000, 0.8427])
"""
from ._ops._lazy import erf, erfc, log_softmax, logit, softmax, xlogy  # noqa: F401
from ._ops._unary import exp2, expm1, log1p, sigmoid as expit  # noqa: F401
from ._ops._stats import logsumexp  # noqa: F401

__all__ = ["erf", "erfc", "expit", "logit", "xlogy", "softmax", "log_softmax", "logsumexp", "log1p", "expm1",
           "exp2"]
