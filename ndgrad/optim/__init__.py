"""Optimizers (``ndgrad.optim.SGD``, ``Adam`` ...) and learning-rate schedulers, as in ``torch.optim``.

>>> import ndgrad as torch
>>> x = torch.tensor(0.0, requires_grad=True)
>>> opt = torch.optim.SGD([x], lr=0.1)
>>> for _ in range(100):
...     opt.zero_grad(); ((x - 1) ** 2).backward(); opt.step()
>>> x
tensor(1.0000, requires_grad=True)
"""
from .optimizer import Optimizer  # noqa: F401
from ._first_order import SGD, Adam, AdamW, Adamax, NAdam, RAdam  # noqa: F401
from ._adaptive import RMSprop, Adagrad, Adadelta, Rprop, ASGD  # noqa: F401
from .lbfgs import LBFGS  # noqa: F401
from . import lr_scheduler  # noqa: F401


__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad", "Adadelta",
           "Rprop", "ASGD", "LBFGS", "lr_scheduler"]
