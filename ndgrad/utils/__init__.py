"""Utilities: ``ndgrad.utils.data`` (datasets, DataLoader) and ``ndgrad.utils.progress`` (progress bars)."""
import importlib


def __getattr__(name):
    if name in ("data", "progress"):
        mod = importlib.import_module("." + name, __name__)
        globals()[name] = mod
        return mod
    raise AttributeError(f"module 'ndgrad.utils' has no attribute '{name}'")
