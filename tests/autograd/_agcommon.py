"""Run the same snippet on ndgrad and torch; compare outcomes (values, names, errors)."""
import numpy as np

import ndgrad


def outcome(fn, lib):
    """fn(lib) -> a comparable value, or ('raise', type name, first sentence of the message)."""
    try:
        return norm(fn(lib))
    except Exception as e:  # noqa: BLE001 - the error is the outcome
        return ("raise", type(e).__name__, str(e).split(". ")[0])


def norm(v):
    if isinstance(v, (list, tuple)):
        return type(v)(norm(x) for x in v) if isinstance(v, tuple) else [norm(x) for x in v]
    if hasattr(v, "detach") and hasattr(v, "numpy"):
        return ("tensor", np.round(np.asarray(v.detach().numpy(), dtype=np.float64), 5).tolist())
    if isinstance(v, float):
        return round(v, 5)
    return v


def same(fn, torch):
    a, b = outcome(fn, ndgrad), outcome(fn, torch)
    assert a == b, f"ndgrad: {a}\ntorch:  {b}"
    return a


def notes(e):
    return "\n".join(getattr(e, "__notes__", []))
