"""Kernels that spell out a NumPy function's steps (to skip its Python wrapper) against that function."""
import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from ndgrad._ops._reduce import _mean_k

DTYPES = [np.float16, np.float32, np.float64, np.complex64, np.complex128]


@settings(deadline=None, derandomize=True, database=None, max_examples=300)
@given(data=st.data())
def test_mean_kernel_is_np_mean_bit_for_bit(data):
    dtype = data.draw(st.sampled_from(DTYPES))
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=7))
    x = data.draw(hnp.arrays(dtype, shape, elements=st.floats(-1e3, 1e3, width=16)))
    dims = data.draw(st.one_of(st.none(), st.sets(st.integers(0, max(len(shape) - 1, 0)), min_size=1).map(tuple)))
    if not shape:
        dims = None
    keepdim = data.draw(st.booleans())
    a, b = _mean_k(x, dims, keepdim), np.mean(x, axis=dims, keepdims=keepdim)
    assert type(a) is type(b) and np.shape(a) == np.shape(b)
    assert np.asarray(a).dtype == np.asarray(b).dtype and np.asarray(a).tobytes() == np.asarray(b).tobytes()
