"""Per-coordinate adaptive step sizes (RMSprop, Adagrad, Adadelta, Rprop) and averaged SGD (ASGD),
with PyTorch's single-tensor update arithmetic."""
from .._creation import full_like, zeros_like
from ._first_order import _PerParam
from .optimizer import _check, _scalar, _step_tensor

__all__ = ["RMSprop", "Adagrad", "Adadelta", "Rprop", "ASGD"]


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


class Rprop(_PerParam):
    """Resilient backpropagation: per-coordinate steps grow or shrink with the gradient's sign.

    >>> opt = torch.optim.Rprop(model.parameters(), lr=1e-2, etas=(0.5, 1.2))
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        _check(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init(self, p, group, state):
        state["step"] = _step_tensor()
        state["prev"] = zeros_like(p)
        state["step_size"] = full_like(p.grad, _scalar(group["lr"]))

    def _update(self, p, grad, state, group):
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        prev, step_size = state["prev"], state["step_size"]
        state["step"] += 1
        sign = grad.mul(prev).sign()
        sign[sign.gt(0)] = etaplus
        sign[sign.lt(0)] = etaminus
        sign[sign.eq(0)] = 1
        step_size.mul_(sign).clamp_(step_size_min, step_size_max)
        grad = grad.clone()
        grad[sign.eq(etaminus)] = 0
        p.addcmul_(grad.sign(), step_size, value=-1)
        prev.copy_(grad)


class ASGD(_PerParam):
    """Averaged SGD: SGD with decaying steps and a running average of the iterates (``state["ax"]``).

    >>> opt = torch.optim.ASGD(model.parameters(), lr=1e-2)
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        _check(lr, ("weight_decay value", weight_decay, 0.0 <= weight_decay))
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init(self, p, group, state):
        state["step"] = _step_tensor()
        state["eta"] = _step_tensor(_scalar(group["lr"]))
        state["mu"] = _step_tensor(1.0)
        state["ax"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        lr, lambd, alpha = _scalar(group["lr"]), group["lambd"], group["alpha"]
        mu, ax, eta, step_t = state["mu"], state["ax"], state["eta"], state["step"]
        step_t += 1
        grad = _l2(p, grad, group)
        eta_value = eta.item()
        p.mul_(1 - lambd * eta_value)
        p.add_(grad, alpha=-eta_value)
        if mu.item() != 1:
            ax.add_(p.sub(ax).mul_(mu))
        else:
            ax.copy_(p)
        step = step_t.item()
        eta.fill_(lr / ((1 + lambd * lr * step) ** alpha))
        mu.fill_(1 / max(1, step - group["t0"]))
