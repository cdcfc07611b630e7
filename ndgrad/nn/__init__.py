"""``ndgrad.nn``: PyTorch's neural network API (modules, functional, init, utils).

>>> import ndgrad as torch
>>> model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
>>> model(torch.ones(2, 3)).shape
torch.Size([2])
"""
from .parameter import Parameter, Buffer  # noqa: F401
from . import functional, init  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _mods
from . import utils  # noqa: F401

__all__ = ["Parameter", "Buffer", "functional", "init", "utils"] + list(_mods)
