"""SGD and the Adam family (Adam, AdamW, Adamax, NAdam, RAdam).

Each update is PyTorch's single-tensor (``foreach=False``) implementation,
operation for operation, written with in-place tensor ops under ``no_grad``.
"""
from .._creation import zeros_like
from . import _arrays
from .optimizer import Optimizer, _betas, _check, _closure_loss, _scalar, _step_tensor

__all__ = ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam"]


class _PerParam(Optimizer):
    """Optimizers whose update touches one parameter at a time: ``_init(p, group, state)`` once,
    then ``_update(p, grad, state, group)`` each step."""

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            for p, grad, state in self._with_grads(group):
                if len(state) == 0:
                    self._init(p, group, state)
                self._update(p, -grad if group["maximize"] else grad, state, group)
        return loss

    def _init(self, p, group, state):
        state["step"] = _step_tensor()
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)


def _weight_decay(p, grad, group, lr):
    """L2 penalty added to the gradient, or decoupled (AdamW-style) shrinking of the weights."""
    wd = group["weight_decay"]
    if wd != 0:
        if group.get("decoupled_weight_decay", False):
            p.mul_(1 - lr * wd)
        else:
            grad = grad.add(p, alpha=wd)
    return grad


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, dampening, Nesterov and weight decay.

    >>> opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        _check(lr, ("momentum value", momentum, momentum >= 0.0),
               ("weight_decay value", weight_decay, weight_decay >= 0.0))
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach, differentiable=differentiable,
                        fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One SGD update; returns the closure's loss when a closure is given."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr = _scalar(group["lr"])
            momentum, wd = group["momentum"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = -p.grad if group["maximize"] else p.grad
                if wd != 0:
                    grad = grad.add(p, alpha=wd)
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = grad.detach().clone()
                    else:
                        buf.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
                    state["momentum_buffer"] = buf
                    grad = grad.add(buf, alpha=momentum) if group["nesterov"] else buf
                p.add_(grad, alpha=-lr)
        return loss


class Adam(_PerParam):
    """Adam (Kingma & Ba), with ``amsgrad``, L2 or decoupled weight decay, ``maximize``.

    >>> opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999))
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        _check(lr, ("epsilon value", eps, 0.0 <= eps), *_betas(betas),
               ("weight_decay value", weight_decay, 0.0 <= weight_decay))
        if not all(isinstance(b, float) for b in betas[:2]):
            raise ValueError("betas must be either both floats or both Tensors")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable, differentiable=differentiable,
                        fused=fused, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _init(self, p, group, state):
        super()._init(p, group, state)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        lr = _scalar(group["lr"])
        beta1, beta2 = group["betas"]
        exp_avg, exp_avg_sq, step_t = state["exp_avg"], state["exp_avg_sq"], state["step"]
        step_t += 1
        grad = _weight_decay(p, grad, group, lr)
        step = step_t.item()
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2 ** 0.5
        amsgrad = group["amsgrad"]
        tensors = (p, grad, exp_avg, exp_avg_sq) + ((state["max_exp_avg_sq"],) if amsgrad else ())
        arrays = _arrays.plain(*tensors)  # the common case, without the tensor methods' dispatch
        if arrays is not None:
            _arrays.adam(arrays, tensors, beta1, beta2, group["eps"], step_size, bias_correction2_sqrt, amsgrad)
            return
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        if amsgrad:
            mx = state["max_exp_avg_sq"]
            mx.copy_(mx.maximum(exp_avg_sq))
            denom = mx.sqrt()
        else:
            denom = exp_avg_sq.sqrt()
        denom.div_(bias_correction2_sqrt).add_(group["eps"])  # in place: one temporary, not two
        p.addcdiv_(exp_avg, denom, value=-step_size)


class AdamW(Adam):
    """Adam with decoupled weight decay (default 1e-2).

    >>> opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)


class Adamax(_PerParam):
    """Adamax: Adam with the infinity norm.

    >>> opt = torch.optim.Adamax(model.parameters(), lr=2e-3)
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _check(lr, ("epsilon value", eps, 0.0 <= eps), *_betas(betas),
               ("weight_decay value", weight_decay, 0.0 <= weight_decay))
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init(self, p, group, state):
        state["step"] = _step_tensor()
        state["exp_avg"] = zeros_like(p)
        state["exp_inf"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        lr = _scalar(group["lr"])
        beta1, beta2 = group["betas"]
        exp_avg, exp_inf, step_t = state["exp_avg"], state["exp_inf"], state["step"]
        step_t += 1
        grad = _weight_decay(p, grad, group, lr)
        exp_avg.lerp_(grad, 1 - beta1)
        exp_inf.copy_(exp_inf.mul_(beta2).maximum(grad.abs().add_(group["eps"])))
        clr = lr / (1 - beta1 ** step_t.item())
        p.addcdiv_(exp_avg, exp_inf, value=-clr)


class NAdam(_PerParam):
    """Adam with Nesterov momentum (and momentum decay).

    >>> opt = torch.optim.NAdam(model.parameters(), lr=2e-3)
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check(lr, ("epsilon value", eps, 0.0 <= eps), *_betas(betas),
               ("weight_decay value", weight_decay, 0.0 <= weight_decay),
               ("momentum_decay value", momentum_decay, 0.0 <= momentum_decay))
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init(self, p, group, state):
        state["step"] = _step_tensor()
        state["mu_product"] = _step_tensor(1.0)
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        lr = _scalar(group["lr"])
        beta1, beta2 = group["betas"]
        md = group["momentum_decay"]
        exp_avg, exp_avg_sq, mu_product, step_t = (state["exp_avg"], state["exp_avg_sq"], state["mu_product"],
                                                   state["step"])
        step_t += 1
        step = step_t.item()
        bias_correction2 = 1 - beta2 ** step
        grad = _weight_decay(p, grad, group, lr)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * md)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * md)))
        mu_product *= mu
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        denom = exp_avg_sq.div(bias_correction2).sqrt()
        mu_product_next = mu_product.item() * mu_next
        denom.add_(group["eps"])
        p.addcdiv_(grad, denom, value=(-lr * (1.0 - mu) / (1.0 - mu_product.item())))
        p.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product_next))


class RAdam(_PerParam):
    """Rectified Adam.

    >>> opt = torch.optim.RAdam(model.parameters(), lr=1e-3)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check(lr, ("epsilon value", eps, 0.0 <= eps), *_betas(betas),
               ("weight_decay value", weight_decay, 0.0 <= weight_decay))
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p, grad, state, group):
        lr = _scalar(group["lr"])
        beta1, beta2 = group["betas"]
        exp_avg, exp_avg_sq, step_t = state["exp_avg"], state["exp_avg_sq"], state["step"]
        step_t += 1
        step = step_t.item()
        grad = _weight_decay(p, grad, group, lr)
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        bias_corrected_exp_avg = exp_avg / bias_correction1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive_lr = (bias_correction2 ** 0.5) / exp_avg_sq.sqrt().add_(group["eps"])
            p.add_(bias_corrected_exp_avg * lr * adaptive_lr * rect, alpha=-1.0)
        else:
            p.add_(bias_corrected_exp_avg * lr, alpha=-1.0)
