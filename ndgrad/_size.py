"""``torch.Size``: a tuple that prints as PyTorch's."""


class Size(tuple):
    """The shape of a tensor (a tuple of ints)."""

    __slots__ = ()

    def __repr__(self):
        return "torch.Size([" + ", ".join(str(int(d)) for d in self) + "])"

    __str__ = __repr__

    def numel(self):
        n = 1
        for d in self:
            n *= d
        return n

    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __reduce__(self):
        return (Size, (tuple(self),))
