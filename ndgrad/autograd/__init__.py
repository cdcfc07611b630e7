"""Automatic differentiation: ``backward``, ``grad``, ``Function``, grad mode, gradcheck.

Submodules ``functional``, ``forward_ad`` and ``graph`` mirror PyTorch's.
"""
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,  # noqa: F401
                        is_inference_mode_enabled)
from ._api import backward, grad  # noqa: F401
from .function import Function, once_differentiable, FunctionCtx, InplaceFunction, NestedIOFunction  # noqa: F401
from .gradcheck import gradcheck, gradgradcheck, GradcheckError  # noqa: F401
from .anomaly_mode import detect_anomaly, set_detect_anomaly, is_anomaly_enabled  # noqa: F401
from . import graph  # noqa: F401


def Variable(data, requires_grad=False, volatile=False):
    """Deprecated alias kept for old code: returns ``data`` (a tensor), optionally requiring grad."""
    if requires_grad:
        data.requires_grad_(True)
    return data


def __getattr__(name):
    if name in ("set_source_tracking", "is_source_tracking_enabled"):
        from . import _source
        return getattr(_source, name)
    if name in ("functional", "forward_ad", "profiler", "explain"):
        import importlib
        mod = importlib.import_module("." + name, __name__) if name != "explain" else None
        if name == "explain":
            from ._explain import explain
            return explain
        return mod
    raise AttributeError(f"module 'ndgrad.autograd' has no attribute '{name}'")
