"""Per-coordinate adaptive step sizes: RMSprop, Adagrad, Adadelta (PyTorch's single-tensor updates)."""
from .._creation import full_like, zeros_like
from ._first_order import _PerParam
from .optimizer import _check, _scalar, _step_tensor

__all__ = ["RMSprop", "Adagrad", "Adadelta"]


def _l2(p, grad, group):
    wd = group["weight_decay"]
    return grad.add(p, alpha=wd) if wd != 0 else grad


class RMSprop(_PerParam):
    """RMSprop, optionally centered and with momentum.

    >>> opt = torch.optim.RMSprop(model.parameters(), lr=1e-2, alpha=0.99)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check(lr, ("epsilon value", eps, 0.0 <= eps), ("momentum value", momentum, 0.0 <= momentum),
               ("weight_decay value", weight_decay, 0.0 <= weight_decay), ("alpha value", alpha, 0.0 <= alpha))
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _init(self, p, group, state):
        state["step"] = _step_tensor()
        state["square_avg"] = zeros_like(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        alpha = group["alpha"]
        square_avg = state["square_avg"]
        state["step"] += 1
        grad = _l2(p, grad, group)
        square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg.lerp_(grad, 1 - alpha)
            avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        else:
            avg = square_avg.sqrt()
        avg = avg.add_(group["eps"])
        lr = _scalar(group["lr"])
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf.mul_(group["momentum"]).addcdiv_(grad, avg)
            p.add_(buf, alpha=-lr)
        else:
            p.addcdiv_(grad, avg, value=-lr)


class Adagrad(_PerParam):
    """Adagrad: steps shrink with the sum of squared gradients.

    >>> opt = torch.optim.Adagrad(model.parameters(), lr=1e-2)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check(lr, ("lr_decay value", lr_decay, 0.0 <= lr_decay),
               ("weight_decay value", weight_decay, 0.0 <= weight_decay),
               ("initial_accumulator_value value", initial_accumulator_value, 0.0 <= initial_accumulator_value),
               ("epsilon value", eps, 0.0 <= eps))
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init(p, group, self.state[p])

    def _init(self, p, group, state):
        state["step"] = _step_tensor()
        state["sum"] = full_like(p, group["initial_accumulator_value"])

    def _update(self, p, grad, state, group):
        step_t = state["step"]
        step_t += 1
        step = step_t.item()
        grad = _l2(p, grad, group)
        clr = _scalar(group["lr"]) / (1 + (step - 1) * group["lr_decay"])
        state_sum = state["sum"]
        state_sum.addcmul_(grad, grad, value=1)
        std = state_sum.sqrt().add_(group["eps"])
        p.addcdiv_(grad, std, value=-clr)


class Adadelta(_PerParam):
    """Adadelta: unit-corrected RMS steps (lr defaults to 1.0).

    >>> opt = torch.optim.Adadelta(model.parameters())
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        _check(lr, ("rho value", rho, 0.0 <= rho <= 1.0), ("epsilon value", eps, 0.0 <= eps),
               ("weight_decay value", weight_decay, 0.0 <= weight_decay))
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init(self, p, group, state):
        state["step"] = _step_tensor()
        state["square_avg"] = zeros_like(p)
        state["acc_delta"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        rho, eps = group["rho"], group["eps"]
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        state["step"] += 1
        grad = _l2(p, grad, group)
        square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
        std = square_avg.add(eps).sqrt_()
        delta = acc_delta.add(eps).sqrt_()
        delta.div_(std).mul_(grad)
        acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
        p.add_(delta, alpha=-_scalar(group["lr"]))
