"""Run every viz test on each library with PyTorch's autograd API that is here:
ndgrad (once its core is importable) and torch (the oracle, when installed)."""
import importlib

import pytest


def _libs():
    out = []
    try:
        import ndgrad
        ndgrad.tensor
        out.append(pytest.param("ndgrad", id="ndgrad"))
    except Exception as e:   # core not landed yet, or broken
        out.append(pytest.param("ndgrad", id="ndgrad", marks=pytest.mark.skip(
            reason=f"ndgrad core not importable ({type(e).__name__}: {e})")))
    try:
        import torch  # noqa: F401
        out.append(pytest.param("torch", id="torch"))
    except ImportError:
        out.append(pytest.param("torch", id="torch", marks=pytest.mark.skip(reason="torch not installed")))
    return out


@pytest.fixture(params=_libs())
def lib(request, monkeypatch):
    """The library under test; ndgrad.viz's default library is pointed at it."""
    mod = importlib.import_module(request.param)
    from ndgrad.viz import _common
    monkeypatch.setattr(_common, "_default_library", lambda: mod)
    return mod
