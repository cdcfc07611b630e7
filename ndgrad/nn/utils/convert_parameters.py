"""Flattening parameters into one vector and back."""
from ..._ops._join import cat
from ..._tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """All parameters flattened and concatenated (differentiable).

    >>> import ndgrad as torch
    >>> torch.nn.utils.parameters_to_vector(torch.nn.Linear(2, 3).parameters()).shape
    torch.Size([9])
    """
    return cat([p.view(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Copies slices of ``vec`` into the parameters' data (no autograd history).

    >>> import ndgrad as torch
    >>> lin = torch.nn.Linear(2, 1)
    >>> torch.nn.utils.vector_to_parameters(torch.zeros(3), lin.parameters())
    >>> lin.bias
    Parameter containing:
    tensor([0.], requires_grad=True)
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    for param in parameters:
        num = param.numel()
        param.data = vec[pointer:pointer + num].view_as(param).data
        pointer += num
