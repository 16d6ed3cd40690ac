"""PGD, the one attack implementation of the project (Madry et al., 2018); FGSM and N-FGSM are its
one-step cases. The attack's spec is the attack: `pgd(model, x, y, spec)` runs exactly the
schema.AttackSpec that the bundle records next to its result; what only the live lab needs (explicit
per-image seeds, a target, every iterate) comes as separate arguments.

Contract (shared by training, evaluation, the exported trajectories and the server's live lab):
- `x` holds images in [0, 1], shape (B, C, H, W); `y` the true labels. The model normalizes inside.
- Untargeted attacks ascend the cross-entropy of `y`; with `target` they descend that of `target`.
- L-inf steps move by `alpha * sign(grad)`; L2 steps by `alpha * grad / ||grad||_2`. After every step
  the perturbation is projected onto the eps-ball and the image clipped to [0, 1].
- The random start is uniform in the eps-ball. The spec's seed makes it reproducible for the whole
  batch; `seeds` gives each image its own seed instead, so one image attacked alone gets the same
  start as inside any batch (that is how the live lab reproduces the precomputed trajectories).
  `start` overrides it with an explicit perturbation.
- The model runs in eval mode during the attack (batch-norm statistics stay fixed) and is put back
  in its previous mode afterwards. Parameters receive no gradient.
- `record=True` also returns every iterate x_0 (the start) ... x_steps with its logits and loss.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Generator, nn

from tour import schema


@dataclass(frozen=True)
class AttackResult:
    x_adv: torch.Tensor
    iterates: list[torch.Tensor] | None = None  # x_0 ... x_steps, detached, on x's device
    logits: list[torch.Tensor] | None = None  # logits at each iterate
    losses: list[torch.Tensor] | None = None  # per-image cross-entropy of the true label at each iterate


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def _flat_norm(t: torch.Tensor) -> torch.Tensor:
    norms: torch.Tensor = t.flatten(1).norm(dim=1).view(-1, *([1] * (t.dim() - 1)))
    return norms


def _generators(
    x: torch.Tensor, seed: int | Sequence[int] | None
) -> list[tuple[Generator | None, tuple[int, ...]]]:
    """One CPU generator for the batch (or the global RNG), or one per image with per-image seeds."""
    if seed is None or isinstance(seed, int):
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        return [(gen, tuple(x.shape))]
    if len(seed) != x.shape[0]:
        raise ValueError(f"{len(seed)} seeds for a batch of {x.shape[0]}")
    return [(torch.Generator().manual_seed(int(s)), (1, *x.shape[1:])) for s in seed]


class Ball:
    """A threat model: the eps-ball the perturbation lives in, how a step moves along a gradient, and
    how a random start is drawn (the MadryLab `robustness` package's attack steps, in our own form)."""

    def __init__(self, eps: float, alpha: float = 0.0) -> None:
        self.eps, self.alpha = eps, alpha

    def project(self, delta: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def move(self, grad: torch.Tensor) -> torch.Tensor:
        """The step of length alpha (in this norm) along `grad`."""
        raise NotImplementedError

    def sample(self, shape: tuple[int, ...], gen: Generator | None) -> torch.Tensor:
        raise NotImplementedError

    def step(self, x: torch.Tensor, x_adv: torch.Tensor, grad: torch.Tensor) -> torch.Tensor:
        """One ascent step along `grad`, projected onto the eps-ball around x and clipped to [0, 1]."""
        delta = self.project(x_adv.detach() + self.move(grad) - x)
        return (x + delta).clamp(0, 1).detach()

    def picture_scale(self, deltas: torch.Tensor) -> float:
        """The s of perturbation pictures 0.5 + delta / (2 s) for a run's `deltas`."""
        raise NotImplementedError

    def random_start(self, x: torch.Tensor, seed: int | Sequence[int] | None) -> torch.Tensor:
        """A perturbation uniform in the eps-ball, drawn on the CPU so it is the same on every device."""
        parts = [self.sample(shape, gen) for gen, shape in _generators(x, seed)]
        return torch.cat(parts).to(device=x.device, dtype=x.dtype)


class LinfBall(Ball):
    def project(self, delta: torch.Tensor) -> torch.Tensor:
        return delta.clamp(-self.eps, self.eps)

    def move(self, grad: torch.Tensor) -> torch.Tensor:
        return self.alpha * grad.sign()

    def sample(self, shape: tuple[int, ...], gen: Generator | None) -> torch.Tensor:
        return torch.rand(shape, generator=gen) * 2 * self.eps - self.eps

    def picture_scale(self, deltas: torch.Tensor) -> float:
        return self.eps  # every pixel may move by eps: the ball fills the grey scale


class L2Ball(Ball):
    def project(self, delta: torch.Tensor) -> torch.Tensor:
        return delta * torch.clamp(self.eps / _flat_norm(delta).clamp_min(1e-12), max=1.0)

    def move(self, grad: torch.Tensor) -> torch.Tensor:
        return self.alpha * grad / _flat_norm(grad).clamp_min(1e-12)

    def sample(self, shape: tuple[int, ...], gen: Generator | None) -> torch.Tensor:
        """Uniform in the ball: a uniform direction, and a radius eps * u^(1/d)."""
        direction = torch.randn(shape, generator=gen)
        direction = direction / _flat_norm(direction)
        dims = direction[0].numel()
        radius = self.eps * torch.rand((shape[0],) + (1,) * (len(shape) - 1), generator=gen) ** (1 / dims)
        return direction * radius

    def picture_scale(self, deltas: torch.Tensor) -> float:
        return float(deltas.abs().max())  # the ball lets one pixel move far: scale to the run's largest


BALLS: dict[str, type[Ball]] = {"Linf": LinfBall, "L2": L2Ball}


def ball(norm: str, eps: float, alpha: float = 0.0) -> Ball:
    if norm not in BALLS:
        raise ValueError(f"norm must be 'Linf' or 'L2', not {norm!r}")
    return BALLS[norm](eps, alpha)


def pgd(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    spec: schema.AttackSpec,
    *,
    seeds: Sequence[int] | None = None,
    start: torch.Tensor | None = None,
    target: torch.Tensor | None = None,
    record: bool = False,
) -> AttackResult:
    """Run `spec` (a PGD spec); `seeds` (one per image) replace its seed for the random start."""
    if spec.name != "PGD" or spec.alpha is None:
        raise ValueError(f"pgd runs PGD specs with a step size, not {spec.name}")
    return _pgd(
        model,
        x,
        y,
        eps=spec.eps,
        alpha=spec.alpha,
        steps=spec.steps,
        norm=spec.norm,
        random_init=spec.random_start,
        seed=spec.seed if seeds is None else seeds,
        start=start,
        target=target,
        record=record,
    )


def _pgd(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    eps: float,
    alpha: float,
    steps: int,
    norm: str = "Linf",
    random_init: bool = True,
    seed: int | Sequence[int] | None = None,
    start: torch.Tensor | None = None,
    target: torch.Tensor | None = None,
    record: bool = False,
) -> AttackResult:
    """The loop itself, in plain numbers (its one-step cases need a ball the spec does not name)."""
    if eps < 0 or alpha < 0 or steps < 0:
        raise ValueError("eps, alpha and steps must be non-negative")
    threat = ball(norm, eps, alpha)
    x = x.detach()
    if start is not None:
        delta = start.detach().to(x)
    elif random_init and eps > 0:
        delta = threat.random_start(x, seed)
    else:
        delta = torch.zeros_like(x)
    x_adv = (x + threat.project(delta)).clamp(0, 1)
    goal = y if target is None else target
    iterates, logits_seen, losses = [], [], []
    with eval_mode(model):
        for k in range(steps + 1):
            last = k == steps
            if last and not record:
                break
            x_adv.requires_grad_(not last)
            with torch.set_grad_enabled(not last):
                logits = model(x_adv)
                if record:
                    iterates.append(x_adv.detach())
                    logits_seen.append(logits.detach().float())
                    losses.append(F.cross_entropy(logits_seen[-1], y, reduction="none"))
                if last:
                    break
                loss = F.cross_entropy(logits.float(), goal, reduction="sum")
                if target is not None:  # descend the target's loss; negation is exact, as x -1.0 was
                    loss = -loss
                (grad,) = torch.autograd.grad(loss, x_adv)
            x_adv = threat.step(x, x_adv, grad)
    if not record:
        return AttackResult(x_adv.detach())
    return AttackResult(x_adv.detach(), iterates, logits_seen, losses)


def fgsm(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, eps: float) -> torch.Tensor:
    """Goodfellow et al. (2015): one signed-gradient step of size eps from the clean image."""
    return _pgd(model, x, y, eps=eps, alpha=eps, steps=1, random_init=False).x_adv


def nfgsm(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, spec: schema.AttackSpec, gen: torch.Generator
) -> torch.Tensor:
    """N-FGSM (de Jorge et al., 2022): uniform noise in +-noise, then one signed step of size eps, with no
    projection back to the eps-ball. It is PGD's one-step case from an explicit start, in a ball of
    radius noise + eps that the step can never leave; the noise keeps single-step training from the
    catastrophic overfitting that FGSM with a random start shows at eps >= 8/255."""
    if spec.name != "N-FGSM" or spec.noise is None or spec.alpha is None:
        raise ValueError(f"nfgsm runs N-FGSM specs, not {spec.name}")
    start = (torch.rand(x.shape, generator=gen) * 2 - 1).mul_(spec.noise).to(x)
    return _pgd(model, x, y, eps=spec.noise + spec.eps, alpha=spec.alpha, steps=1, start=start).x_adv


def pgd_survival(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, spec: schema.AttackSpec, seeds: Sequence[int]
) -> torch.Tensor:
    """L-inf PGD for evaluation: per image, how many of (clean, x_0, ..., x_steps) in a row the model
    classifies correctly, 0 ... steps + 2. An attacker keeps any iterate that fools the model, so an
    image counts as robust under PGD-k iff its count is >= k + 2; a fooled image leaves the batch, which
    makes PGD-50 on a regular model cost about what its first step costs. Per-image seeds give every
    image the same start whatever batch it is in."""
    if spec.name != "PGD" or spec.norm != "Linf" or spec.alpha is None or not spec.random_start:
        raise ValueError("pgd_survival runs L-inf PGD specs with a random start")
    threat, steps = LinfBall(spec.eps, spec.alpha), spec.steps
    x = x.detach()
    count = torch.zeros(len(x), dtype=torch.long, device=x.device)
    with eval_mode(model):
        with torch.no_grad():
            alive = (model(x).argmax(1) == y).nonzero().squeeze(1)
        count[alive] = 1
        x_adv = (x + threat.project(threat.random_start(x, seeds))).clamp(0, 1)
        for k in range(steps + 1):
            if len(alive) == 0:
                break
            xa = x_adv[alive].requires_grad_(k < steps)
            with torch.set_grad_enabled(k < steps):
                logits = model(xa)
                ok = logits.argmax(1) == y[alive]
                count[alive[ok]] += 1
                if k == steps:
                    break
                loss = F.cross_entropy(logits.float()[ok], y[alive][ok], reduction="sum")
                (grad,) = torch.autograd.grad(loss, xa)
            x_adv[alive] = threat.step(x[alive], xa, grad)
            alive = alive[ok]
    return count
