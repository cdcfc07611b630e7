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
    node._source = traceback.extract_stack()[:-3]


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


def _set(mode, check_nan):
    _anomaly.enabled = bool(mode)
    _anomaly.on_record = _record_trace if mode else None
    _anomaly.check_nan = check_nan
