"""``Draw``: what the op table's generators draw from (shapes, dims, arrays), over hypothesis data."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# integer ranges of each domain, per integer kind (signed / unsigned)
_INT = {"real": (-5, 5), "pos": (1, 5), "nonzero": (1, 5), "unit": (-1, 1), "small": (-1, 2),
        "nonint": (-5, 5), "special": (-5, 5)}
_UINT = {"real": (0, 9), "pos": (1, 9), "nonzero": (1, 9), "unit": (0, 1), "small": (0, 2),
         "nonint": (0, 9), "special": (0, 9)}


class Draw:
    """Draws through ``data.draw``; ``empty`` allows zero-size dims, ``max_side``/``max_dims`` bound shapes."""

    def __init__(self, data, empty=True, max_side=4, max_dims=3):
        self.data = data
        self.empty = empty
        self.max_side = max_side
        self.max_dims = max_dims

    def draw(self, strategy):
        return self.data.draw(strategy)

    def shape(self, min_dims=0, max_dims=None, min_side=None):
        ms = (0 if self.empty else 1) if min_side is None else min_side
        md = max(self.max_dims if max_dims is None else max_dims, min_dims)
        return self.draw(hnp.array_shapes(min_dims=min_dims, max_dims=md, min_side=ms, max_side=self.max_side))

    def bshapes(self, n=2, min_dims=0):
        r = self.draw(hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=min_dims, max_dims=self.max_dims,
                                                        min_side=0 if self.empty else 1,
                                                        max_side=self.max_side))
        return r.input_shapes

    def int(self, lo, hi):
        return self.draw(st.integers(lo, hi))

    def choice(self, seq):
        return self.draw(st.sampled_from(list(seq)))

    def shuffle(self, lst):
        lst[:] = self.draw(st.permutations(lst))

    def dim(self, ndim):
        n = max(ndim, 1)
        return self.int(-n, n - 1)

    def dims(self, ndim):
        return list(self.draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True)))

    def rng(self):
        # a counter keeps arrays of one example different even when hypothesis draws the same seed
        self._k = getattr(self, "_k", 0) + 1
        return np.random.default_rng((self.int(0, 2 ** 32 - 1), self._k))

    def array(self, shape, dtype, domain="real", distinct=False):
        return np.asarray(self._array(tuple(shape), dtype, domain, distinct))

    def _array(self, shape, dtype, domain, distinct):
        dt = np.dtype(dtype)
        rng = self.rng()
        n = int(np.prod(shape))
        if dt.kind == "b":
            return rng.random(shape) < 0.5
        if dt.kind in "iu":
            lo, hi = (_UINT if dt.kind == "u" else _INT)[domain]
            if distinct:
                return (rng.permutation(n) + lo).reshape(shape).astype(dt)
            a = rng.integers(lo, hi + 1, shape)
            if domain == "nonzero":
                a = a * rng.choice([-1, 1] if dt.kind == "i" else [1], shape)
            return a.astype(dt)
        if distinct:
            a = (rng.permutation(n) - n / 2) * 0.37 + rng.uniform(-0.1, 0.1)
            return a.reshape(shape).astype(dt)
        if domain == "real":
            a = rng.uniform(-2, 2, shape)
        elif domain == "pos":
            a = rng.uniform(0.5, 2, shape)
        elif domain == "nonzero":
            a = rng.uniform(0.5, 2, shape) * rng.choice([-1.0, 1.0], shape)
        elif domain == "unit":
            a = rng.uniform(-0.9, 0.9, shape)
        elif domain == "small":
            a = rng.integers(-2, 4, shape) * 0.5
        elif domain == "nonint":
            a = rng.integers(-3, 3, shape) + rng.choice([0.2, 0.35, 0.65, 0.8], shape)
            a = a + rng.uniform(-0.05, 0.05, shape)
        elif domain == "special":
            a = rng.uniform(-2, 2, shape)
            a = np.where(rng.random(shape) < 0.3, rng.choice([np.nan, np.inf, -np.inf], shape), a)
        else:
            raise ValueError(domain)
        return np.asarray(a).astype(dt)
