"""Grad mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

The flag is thread-local, like PyTorch's: a ``no_grad`` block in one thread does
not switch recording off in another.
"""
import functools
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "is_inference_mode_enabled"]


class _State(threading.local):
    def __init__(self):
        self.enabled = True
        self.inference = False
        # True while a backward rule runs on NumPy arrays (no graph being built): ``ctx.saved`` then
        # hands out arrays (see autograd/_engine.py)
        self.arrays = False


_state = _State()


def is_grad_enabled():
    """True when operations are recorded for autograd."""
    return _state.enabled


def is_inference_mode_enabled():
    return _state.inference


class _DecoratorContextManager:
    """Usable as ``with cm():`` and as ``@cm()`` / ``@cm``."""

    def __call__(self, func):
        if isinstance(func, type):
            raise RuntimeError("Decorating classes is deprecated and will be disabled in future versions. "
                               "You should only decorate functions or methods.")
        import inspect
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def gen(*args, **kwargs):
                g = func(*args, **kwargs)
                try:
                    with self.clone():
                        req = g.send(None)
                    while True:
                        try:
                            resp = yield req
                        except GeneratorExit:
                            with self.clone():
                                g.close()
                            raise
                        with self.clone():
                            req = g.send(resp)
                except StopIteration as e:
                    return e.value
            return gen

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class _SetMode(_DecoratorContextManager):
    """Sets grad mode to ``_mode`` inside the block (also usable as ``@no_grad`` without parentheses)."""

    _mode = False

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)

    def __init__(self, orig_func=None):
        self.prev = False

    def __enter__(self):
        self.prev = _state.enabled
        _state.enabled = self._mode

    def __exit__(self, *exc):
        _state.enabled = self.prev


class no_grad(_SetMode):
    """Context manager (and decorator) that disables gradient recording.

    >>> x = ndgrad.tensor([1.0], requires_grad=True)
    >>> with ndgrad.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    _mode = False


class enable_grad(_SetMode):
    """Context manager (and decorator) that enables gradient recording."""

    _mode = True


class set_grad_enabled(_DecoratorContextManager):
    """Sets grad mode on or off: as a function call, a context manager or a decorator."""

    def __init__(self, mode):
        self.prev = _state.enabled
        self.mode = bool(mode)
        _state.enabled = self.mode

    def __call__(self, func):
        _state.enabled = self.prev
        return super().__call__(func)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _state.enabled = self.prev

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    """Like ``no_grad`` (tensors made inside are never recorded)."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)

    def __init__(self, mode=True):
        self.mode = mode
        self.prev = self.prev_inf = None

    def __enter__(self):
        self.prev, self.prev_inf = _state.enabled, _state.inference
        if self.mode:
            _state.enabled = False
            _state.inference = True

    def __exit__(self, *exc):
        _state.enabled, _state.inference = self.prev, self.prev_inf

    def clone(self):
        return self.__class__(self.mode)
