"""ndgrad: automatic differentiation with PyTorch's API, on NumPy.

>>> import ndgrad as torch
>>> x = torch.tensor(2.0, requires_grad=True)
>>> y = x ** 3 - 1 / x
>>> y.backward()
>>> x.grad
tensor(12.2500)
"""
import math as _math
import warnings as _warnings

# PyTorch's float ops overflow to inf, divide to inf and make nan without a word; NumPy's warn. Ignore
# those warnings where they come from ndgrad's own code (a filter costs nothing until a warning is
# raised, unlike np.errstate around every op); the user's NumPy code keeps its warnings.
_warnings.filterwarnings("ignore", r"(overflow|divide by zero|invalid value) encountered", RuntimeWarning,
                         r"ndgrad\.")

from . import _dtype
from ._dtype import dtype, get_default_dtype, set_default_dtype, promote_types  # noqa: F401
from ._size import Size  # noqa: F401
from ._tensor import Tensor, device  # noqa: F401
from .autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode,  # noqa: F401
                                 is_grad_enabled, is_inference_mode_enabled)
from . import _ops  # noqa: F401  (declares the op table, attaches Tensor methods)
from ._ops import *  # noqa: F401,F403
from ._creation import (tensor, as_tensor, asarray, from_numpy, zeros, ones, empty, full, zeros_like,  # noqa: F401
                        ones_like, empty_like, full_like, eye, arange, linspace, logspace, Generator,
                        default_generator, manual_seed, seed, initial_seed, get_rng_state, set_rng_state, rand,
                        randn, randint, rand_like, randn_like, randint_like, randperm, normal, bernoulli,
                        multinomial, poisson, scalar_tensor, is_floating_point, is_nonzero, numel)
from ._creation import range_ as range  # noqa: F401
from . import autograd  # noqa: F401
from .autograd.anomaly_mode import is_anomaly_enabled, is_anomaly_check_nan_enabled  # noqa: F401

bool = _dtype.bool_
uint8, int8, int16, int32, int64 = _dtype.uint8, _dtype.int8, _dtype.int16, _dtype.int32, _dtype.int64
float16, float32, float64 = _dtype.float16, _dtype.float32, _dtype.float64
half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
bfloat16 = float32  # NumPy has no bfloat16: computations run in float32

pi = _math.pi
e = _math.e
inf = _math.inf
nan = _math.nan
newaxis = None
strided = "torch.strided"

__version__ = "0.1.0"


def _legacy_tensor_type(dt):
    class _Legacy(Tensor):
        _ndgrad_dtype = dt

        def __new__(cls, *args, **kwargs):
            return Tensor(*args, dtype=dt, **kwargs)
    _Legacy.__name__ = _Legacy.__qualname__ = dt._legacy
    _Legacy.__module__ = "torch"
    return _Legacy


FloatTensor = _legacy_tensor_type(float32)
DoubleTensor = _legacy_tensor_type(float64)
HalfTensor = _legacy_tensor_type(float16)
LongTensor = _legacy_tensor_type(int64)
IntTensor = _legacy_tensor_type(int32)
ShortTensor = _legacy_tensor_type(int16)
CharTensor = _legacy_tensor_type(int8)
ByteTensor = _legacy_tensor_type(uint8)
BoolTensor = _legacy_tensor_type(bool)


def set_default_tensor_type(t):
    """Deprecated: sets the default floating dtype from a tensor type."""
    import warnings
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    if isinstance(t, str):
        t = globals()[t.split(".")[-1]]
    set_default_dtype(t._ndgrad_dtype)


def set_default_device(device):
    from ._tensor import check_device
    check_device(device)


def get_default_device():
    return device("cpu")


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_storage(obj):
    return False


def result_type(tensor1, tensor2):
    from ._ops._dispatch import result_dtype
    return result_dtype(tensor1, tensor2)


def can_cast(from_, to):
    order = "buif"
    return order.index(from_.np.kind if from_.np.kind != "u" else "i") <= order.index(
        to.np.kind if to.np.kind != "u" else "i")


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Printing options for tensors (as ``torch.set_printoptions``)."""
    from ._tensor_str import set_printoptions as _s
    _s(precision, threshold, edgeitems, linewidth, profile, sci_mode)


def get_printoptions():
    from ._tensor_str import get_printoptions as _g
    return _g()


def set_num_threads(n):
    """Threads for big elementwise kernels (arrays of 2**20 elements or more), like PyTorch's intra-op
    threads; BLAS (matmul) keeps its own. ``set_num_threads(1)``: NumPy's single-core loops.

    >>> ndgrad.set_num_threads(1)
    """
    from ._parallel import set_num_threads as _s
    _s(n)


def get_num_threads():
    """Threads for big elementwise kernels (default: the CPUs this process may use)."""
    from ._parallel import get_num_threads as _g
    return _g()


def use_deterministic_algorithms(mode, *, warn_only=False):
    pass


def compile(model=None, **kwargs):
    """No compiler here: returns the function unchanged (as ``torch.compile`` would behave eagerly)."""
    if model is None:
        return lambda m: m
    return model


class _Cuda:
    """``torch.cuda`` on a machine without CUDA."""

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def device_count():
        return 0

    @staticmethod
    def manual_seed(seed):
        pass

    manual_seed_all = manual_seed

    @staticmethod
    def synchronize(device=None):
        pass

    @staticmethod
    def is_initialized():
        return False


cuda = _Cuda()


class _Backends:
    class mps:
        @staticmethod
        def is_available():
            return False

        @staticmethod
        def is_built():
            return False

    class cudnn:
        enabled = False
        deterministic = False
        benchmark = False

        @staticmethod
        def is_available():
            return False


backends = _Backends()

_LAZY = ("nn", "optim", "utils", "func", "viz", "linalg", "special", "fft", "distributions", "testing",
         "cli", "jit", "overrides", "types", "serialization", "hub", "library", "_C")


def __getattr__(name):
    if name in ("nn", "optim", "utils", "func", "viz", "linalg", "special", "testing", "distributions", "cli"):
        import importlib
        mod = importlib.import_module("." + name, __name__)
        globals()[name] = mod
        return mod
    if name in ("save", "load"):
        from . import serialization
        return getattr(serialization, name)
    raise AttributeError(f"module 'ndgrad' has no attribute '{name}'")
