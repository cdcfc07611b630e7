"""``Tensor``: a NumPy array with autograd metadata.

Results inside the library are built by ``_wrap`` (no ``__init__``). Math
methods and operators are attached by ``ndgrad._ops`` from the op table, so
each op is written once; this module holds state, conversions and the
autograd surface (``backward``, ``grad``, hooks, ``detach``).
"""
import numbers
import warnings

import numpy as np

from . import _dtype as D
from ._size import Size
from .autograd import grad_mode
from .autograd import _api as _autograd_api
from .autograd.graph import RemovableHandle, _VC

_state = grad_mode._state
_FROM_NUM = D._FROM_NP_NUM
_new = object.__new__

_NONLEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
    "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
    "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf "
    "Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information.")

NUMPY_REQUIRES_GRAD = "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."


class device:
    """``torch.device``: only ``"cpu"`` exists in ndgrad."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        type = str(type)
        if ":" in type:
            type, idx = type.split(":", 1)
            index = int(idx)
        if type not in ("cpu", "cuda", "mps", "meta"):
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, "
                f"xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start of device "
                f"string: {type}")
        self.type = type
        self.index = index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))


CPU = device("cpu")


def check_device(dev):
    """Accepts None/"cpu"; asking for another device fails as CPU-only PyTorch does."""
    if dev is None:
        return
    if isinstance(dev, int):
        dev = device("cuda", dev)
    d = dev if isinstance(dev, device) else device(dev)
    if d.type != "cpu":
        if d.type == "cuda":
            raise AssertionError("Torch not compiled with CUDA enabled")
        raise RuntimeError(f"ndgrad supports only the cpu device, not {d}")


_inplace = None  # ndgrad._ops._inplace, once loaded (Tensor.grad_fn)


def _wrap(arr):
    """A new tensor over ``arr`` (an ndarray), no grad."""
    t = _new(Tensor)
    t._data = arr
    t._grad_fn = None
    t._requires_grad = False
    t._vc = None
    return t


def _as_array(data, dtype=None):
    """NumPy array for tensor(...)/as_tensor(...), with PyTorch's dtype inference."""
    if isinstance(data, Tensor):
        arr = data._data
        if dtype is not None and arr.dtype != dtype.np:
            arr = arr.astype(dtype.np)
        return arr
    if isinstance(data, np.ndarray):
        if dtype is None:
            D.from_numpy_dtype(data.dtype)
            return data
        return data.astype(dtype.np, copy=False)
    if isinstance(data, (list, tuple)) and _has_tensor(data):
        data = _detach_nested(data)
    arr = np.array(data)
    if arr.dtype == object:
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    k = arr.dtype.kind
    if dtype is None:
        if k == "f":
            if isinstance(data, (np.floating, np.ndarray)):
                dtype = D.from_numpy_dtype(arr.dtype)
            else:
                dtype = D.get_default_dtype()
        elif k in "iu":
            dtype = D.from_numpy_dtype(arr.dtype) if isinstance(data, np.generic) else D.int64
        elif k == "b":
            dtype = D.bool_
        elif k in "US":
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        else:
            dtype = D.from_numpy_dtype(arr.dtype)
    if arr.dtype != dtype.np:
        arr = arr.astype(dtype.np)
    return arr


def _has_tensor(seq):
    for v in seq:
        if isinstance(v, Tensor) or (isinstance(v, (list, tuple)) and _has_tensor(v)):
            return True
    return False


def _detach_nested(seq):
    out = []
    for v in seq:
        if isinstance(v, Tensor):
            out.append(v._data.item() if v._data.ndim == 0 else v._data)
        elif isinstance(v, (list, tuple)):
            out.append(_detach_nested(v))
        else:
            out.append(v)
    return out


def _shape_args(size):
    """(2, 3) / ((2, 3),) / (Size,) -> tuple of ints."""
    for s in size:  # the common call, view(2, 3): Python ints already (no ABC isinstance, no generator)
        if type(s) is not int:
            break
    else:
        return size if type(size) is tuple else tuple(size)
    if len(size) == 1 and not isinstance(size[0], numbers.Integral) and not (
            isinstance(size[0], Tensor) and size[0].ndim == 0):
        size = size[0]
    return tuple(int(s) for s in size)


class Tensor:
    """A multi-dimensional array that can record operations for autograd.

    >>> x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4.])
    """

    __slots__ = ("_data", "_grad_fn", "_requires_grad", "_vc", "__dict__", "__weakref__")
    __array_priority__ = 1000

    # rarely set state lives in the instance dict; these are the defaults
    _grad = None
    _base = None
    _output_nr = 0
    _acc = None
    _retains_grad = False
    _post_acc_hooks = None
    _view_fn = None

    def __new__(cls, *args, **kwargs):
        return _new(cls)

    def __init__(self, *args, device=None, dtype=None):
        check_device(device)
        if len(args) == 1 and not isinstance(args[0], numbers.Integral):
            arr = _as_array(args[0], D.to_dtype(dtype) if dtype else D.get_default_dtype())
            if arr.dtype.kind != "f" and dtype is None:
                arr = arr.astype(D.get_default_dtype().np)
        else:
            arr = np.empty(tuple(int(a) for a in args) if args else (0,),
                           dtype=(D.to_dtype(dtype) if dtype else D.get_default_dtype()).np)
        self._data = arr
        self._grad_fn = None
        self._requires_grad = False
        self._vc = None

    # ------------------------------------------------------------------ state
    @property
    def data(self):
        t = _wrap(self._data)
        t.__dict__["_why"] = "data"  # for autograd.explain
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"Tensor.data must be a Tensor, not {type(value).__name__}")
        self._data = value._data

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(bool(value))

    def requires_grad_(self, requires_grad=True):
        """Sets ``requires_grad`` in place on a leaf; returns self."""
        if self._grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def grad_fn(self):
        """The node that created this tensor (None for leaves)."""
        fn = self._grad_fn
        if fn is not None and self._base is not None and self._vc is not None:
            # a view made before an in-place op on its base gets its history regenerated (as PyTorch)
            global _inplace
            if _inplace is None:
                from ._ops import _inplace  # loads after this module
            if _inplace.stale(self, fn):
                fn = _inplace.regen_view(self)
        return fn

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(_NONLEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("attempting to assign a gradient with dtype '"
                                   f"{value.dtype.name}' to a tensor with dtype '{self.dtype.name}'. "
                                   "Please ensure that the gradient and the tensor have the same dtype")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '[{', '.join(map(str, value.shape))}]' to a "
                    f"tensor of size '[{', '.join(map(str, self.shape))}]'. Please ensure that the gradient "
                    "and the tensor are the same size")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def _version(self):
        vc = self._vc
        return vc.v if vc is not None else 0

    def _bump(self):
        vc = self._vc
        if vc is None:
            self._vc = _VC(1)
        else:
            vc.v += 1

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def _is_view_flag(self):
        return self._base is not None

    def _is_view(self):
        return self._base is not None

    @property
    def retains_grad(self):
        return self._retains_grad

    # ------------------------------------------------------------ metadata
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self):
        return _FROM_NUM[self._data.dtype.num]

    @property
    def device(self):
        return CPU

    @property
    def is_cuda(self):
        return False

    @property
    def is_cpu(self):
        return True

    @property
    def is_sparse(self):
        return False

    @property
    def is_quantized(self):
        return False

    @property
    def is_meta(self):
        return False

    @property
    def layout(self):
        return "torch.strided"

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def stride(self, dim=None):
        it = self._data.itemsize
        st = tuple(s // it for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self):
        base = self._data
        while isinstance(base.base, np.ndarray):
            base = base.base
        return (self._data.__array_interface__["data"][0] - base.__array_interface__["data"][0]) \
            // max(self._data.itemsize, 1)

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    def untyped_storage(self):
        return _Storage(self)

    def is_contiguous(self, memory_format=None):
        return self._data.flags.c_contiguous

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return False

    def is_signed(self):
        return self.dtype.is_signed

    def get_device(self):
        return -1

    # ---------------------------------------------------------- conversion
    def numpy(self, *, force=False):
        """The NumPy array behind this tensor (shares memory)."""
        if self._requires_grad and not force:
            e = RuntimeError(NUMPY_REQUIRES_GRAD)
            e.add_note("ndgrad: call t.detach().numpy() (or pass t.detach() to NumPy/matplotlib); "
                       "ndgrad.viz plots tensors that require grad as they are.")
            raise e
        return self._data if not force else self._data.copy()

    def __array__(self, dtype=None, copy=None):
        arr = self.numpy()
        if dtype is not None and arr.dtype != dtype:
            return arr.astype(dtype)
        if copy:
            return arr.copy()
        return arr

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def _scalar(self, kind):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return kind(self._data.reshape(()).item())

    def __float__(self):
        return self._scalar(float)

    def __int__(self):
        return self._scalar(int)

    def __complex__(self):
        return self._scalar(complex)

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()).item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()).item())

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __hash__(self):
        return id(self)

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        return tensor_repr(self, tensor_contents=tensor_contents) if tensor_contents else tensor_repr(self)

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (_rebuild, (np.array(self._data), self._requires_grad))

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol at the moment.  If you were attempting to deepcopy a "
                               "module, this may be because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        new = _new(type(self))
        new._data = self._data.copy()
        new._grad_fn = None
        new._requires_grad = self._requires_grad
        new._vc = None
        for k, v in getattr(self, "__dict__", {}).items():
            if k in ("_acc", "_base", "_view_fn", "_vc"):
                continue
            import copy
            new.__dict__[k] = copy.deepcopy(v, memo)
        memo[id(self)] = new
        return new

    # --------------------------------------------------------- autograd API
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Computes the gradient of this tensor w.r.t. graph leaves (see ``ndgrad.autograd.backward``)."""
        _autograd_api.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """A new tensor sharing data (and version counter) without history."""
        t = _wrap(self._data)
        if self._vc is None:
            self._vc = _VC()
        t._vc = self._vc
        t.__dict__["_why"] = "detach"  # for autograd.explain
        return t

    def detach_(self):
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are using "
                               "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view "
                               "is set as True, gradients are views of DDP buckets, and hence detach_() "
                               "cannot be called on these gradients. To fix this error, please refer to "
                               "the Optimizer.zero_grad() function in torch/optim/optimizer.py as the "
                               "solution.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    def retain_grad(self):
        """Makes a non-leaf tensor keep its ``.grad`` after backward."""
        if self._grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains_grad:
            return
        self._retains_grad = True
        fn = self._grad_fn
        if fn._retain_hooks is None:
            fn._retain_hooks = {}
        fn._any_hooks = True
        fn._retain_hooks[self._output_nr] = self._retainer(fn)

    def _retainer(self, fn, pinned=False):
        """The hook on ``fn`` that stores the gradient into ``.grad``: only while ``fn`` is still this tensor's
        grad_fn, or always (``pinned``: an in-place view op such as unsqueeze_ leaves it on the old node)."""
        import weakref
        ref = weakref.ref(self)

        def retain(grad):
            t = ref()
            if t is None or (t._grad_fn is not fn and not pinned):
                return
            if t._grad is None:
                t._grad = grad if _state.enabled else _wrap(np.array(grad._data, copy=True))
            else:
                t._grad = t._grad + grad
        return retain

    def register_hook(self, hook):
        """Registers ``hook(grad) -> Tensor | None`` called with this tensor's gradient."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            return self._grad_fn._register_tensor_hook(self._output_nr, hook)
        from ._ops._core import accumulator
        return accumulator(self)._register_tensor_hook(0, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Registers ``hook(tensor)`` run after ``.grad`` of this leaf was accumulated."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = {}
        h = RemovableHandle(self._post_acc_hooks)
        self._post_acc_hooks[h.id] = hook
        return h

    # --------------------------------------------------------- device/dtype
    def cpu(self, memory_format=None):
        return self

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        check_device("cuda")

    def pin_memory(self):
        return self

    def share_memory_(self):
        return self

    def is_pinned(self):
        return False


class _Storage:
    """Minimal untyped_storage(): identity and size, for code that compares data_ptr()."""

    def __init__(self, t):
        base = t._data
        while isinstance(base.base, np.ndarray):
            base = base.base
        self._arr = base

    def data_ptr(self):
        return self._arr.__array_interface__["data"][0]

    def nbytes(self):
        return self._arr.nbytes

    def size(self):
        return self._arr.nbytes


def _rebuild(arr, requires_grad):
    t = _wrap(arr)
    t._requires_grad = requires_grad
    return t


def _wrap_dim(dim, ndim):
    n = max(ndim, 1)
    if dim < -n or dim >= n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim
