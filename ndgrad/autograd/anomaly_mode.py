"""Anomaly detection: ``detect_anomaly`` / ``set_detect_anomaly``."""
import warnings

from .graph import _anomaly

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled"]


def is_anomaly_enabled():
    return _anomaly.enabled and _anomaly.on_record is _record_trace


def is_anomaly_check_nan_enabled():
    return _anomaly.check_nan


def _record_trace(node):
    import traceback
    from ._source import _is_internal
    stack = traceback.extract_stack()
    while stack and _is_internal(stack[-1].filename):
        stack.pop()
    node._source = stack


class detect_anomaly:
    """Context manager: records where each op ran and raises on NaN in backward outputs."""

    def __init__(self, check_nan=True):
        self.prev = None
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only "
                      "be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self):
        self.prev = (_anomaly.enabled, _anomaly.on_record, _anomaly.check_nan)
        _set(True, self.check_nan)

    def __exit__(self, *exc):
        _anomaly.enabled, _anomaly.on_record, _anomaly.check_nan = self.prev


class set_detect_anomaly:
    """Turns anomaly detection on or off (function call or context manager)."""

    def __init__(self, mode, check_nan=True):
        self.prev = (_anomaly.enabled, _anomaly.on_record, _anomaly.check_nan)
        _set(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _anomaly.enabled, _anomaly.on_record, _anomaly.check_nan = self.prev


def run_node(node, grads):
    """Runs a node's backward in anomaly mode: NaN outputs raise; errors show the forward trace."""
    import numpy as np
    try:
        outs = node._apply(grads)
        if _anomaly.check_nan:
            for i, g in enumerate(outs):
                if g is not None and g._data.dtype.kind in "fc" and np.isnan(g._data).any():
                    raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
    except Exception as e:
        _warn_trace(node, e)
        raise
    return outs


def _warn_trace(node, exc):
    import traceback
    stack = node.__dict__.get("_source") if hasattr(node, "__dict__") else None
    if stack is None:
        msg = (f"Error detected in {node.name()}. No forward pass information available. Enable detect "
               "anomaly during forward pass for more information.")
    else:
        msg = (f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
               + "".join(traceback.format_list(stack)).rstrip("\n"))
    warnings.warn(msg, UserWarning, stacklevel=3)
    from ._source import describe, note
    if not any("forward call" in n for n in getattr(exc, "__notes__", ())):
        note(exc, f"the failing backward belongs to {describe(node)}; the forward call that created it is in "
                  "the warning above (anomaly mode).")


def _set(mode, check_nan):
    _anomaly.enabled = bool(mode)
    _anomaly.on_record = _record_trace if mode else None
    _anomaly.check_nan = check_nan
