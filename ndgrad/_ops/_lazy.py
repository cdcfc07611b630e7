"""Tensor methods whose primitives live with ``ndgrad.nn`` (softmax, log_softmax, erf...):
the op modules load on first use, so ``import ndgrad`` stays fast."""


def _F():
    from ..nn import functional
    return functional


def softmax(input, dim=None, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim`` (SoftmaxBackward0)."""
    return _F().softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, dtype=None):
    """log(softmax(x)) along ``dim``, computed stably (LogSoftmaxBackward0)."""
    return _F().log_softmax(input, dim, dtype=dtype)


def erf(input):
    """The error function (ErfBackward0)."""
    from ._nn import erf as _erf
    return _erf(input)


def erfc(input):
    return 1 - erf(input)


def logit(input, eps=None):
    x = input if eps is None else input.clamp(eps, 1 - eps)
    return (x / (1 - x)).log()


def xlogy(input, other):
    """x * log(y), 0 where x == 0."""
    from ._dispatch import as_tensor_arg
    from ._index import where
    from ._unary import log
    return where(input == 0, 0.0, input * log(as_tensor_arg(other, input)))


METHODS = {"softmax": softmax, "log_softmax": log_softmax, "erf": erf, "erfc": erfc, "logit": logit,
           "xlogy": xlogy}
INPLACE = ("erf", "erfc", "logit")
