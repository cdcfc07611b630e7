"""PyTorch as a test oracle: ``torch`` or None, and a skip marker with a visible reason."""
import pytest

try:
    import torch  # noqa: F401
except Exception as exc:  # pragma: no cover - depends on the machine
    torch = None
    REASON = f"PyTorch (test oracle) not installed: {exc}"
else:
    REASON = ""

needs_torch = pytest.mark.skipif(torch is None, reason=REASON or "PyTorch (test oracle) not installed")


def to_torch(t, requires_grad=None):
    """An ndgrad tensor as a torch tensor (values and dtype), as a new leaf."""
    import numpy as np
    arr = np.array(t.detach().numpy(), copy=True)
    out = torch.from_numpy(arr)
    rg = t.requires_grad if requires_grad is None else requires_grad
    return out.requires_grad_(rg) if rg else out


def dtype_name(dt):
    return str(dt).replace("torch.", "")
