"""How a measurement is told in words: an AttackSpec or Measurement from the bundle as a caption whose
every number is a checkable `Num`."""

from __future__ import annotations

from markupsafe import Markup

from server.views.numbers import Num
from tour import schema


def attack_words(a: schema.AttackSpec, src: str, *, relative: bool = False) -> Markup:
    """'PGD, L∞, ε = 8/255, step size 2/255, 10 steps, random start, seed 0'. With `relative`, the
    spec stands for a family of attacks over ε: the step size is given as a multiple of ε."""
    norm = "L∞" if a.norm == "Linf" else "L₂"
    fmt = "eps255" if a.norm == "Linf" else "fixed"
    if relative:
        parts = [Markup(f"{a.name}, {norm}")]
        if a.alpha is not None and a.eps > 0:
            ratio = Num(a.alpha / a.eps, "fixed", f"derived:ratio:{src}", 2)
            parts.append(Markup("step size ") + Markup(ratio.__html__()) + Markup(" ε"))
    else:
        parts = [Markup(f"{a.name}, {norm}, ε = ") + Markup(Num(a.eps, fmt, f"{src}.eps").__html__())]
        if a.alpha is not None:
            alpha = Num(a.alpha, fmt, f"{src}.alpha")
            parts.append(Markup("step size ") + Markup(alpha.__html__()))
    if a.name != "N-FGSM":
        steps = Num(a.steps, "int", f"{src}.steps")
        word = "iteration" if a.name.startswith("APGD") else "step"
        parts.append(Markup(steps.__html__()) + Markup(f" {word}" if a.steps == 1 else f" {word}s"))
    if a.targets is not None:
        parts.append(Markup(Num(a.targets, "int", f"{src}.targets").__html__()) + Markup(" target classes"))
    if a.noise is not None:
        noise = Num(a.noise, fmt, f"{src}.noise")
        parts.append(Markup("uniform start noise ±") + Markup(noise.__html__()) + Markup(", no projection"))
    else:
        parts.append(Markup("random start" if a.random_start else "no random start"))
    if a.seed is not None:
        parts.append(Markup("seed ") + Markup(Num(a.seed, "int", f"{src}.seed").__html__()))
    return Markup(", ").join(parts)


def measurement_caption(m: schema.Measurement, src: str, *, with_attack: bool = True) -> Markup:
    """'the first 300 CIFAR-10 test images; PGD, L∞, ε = 8/255, step size 2/255, 10 steps, ...'"""
    what = {
        "test": "CIFAR-10 test images",
        "train": "CIFAR-10 training images",
        "train_holdout": "held-out CIFAR-10 training images",
        "gallery": "gallery images (CIFAR-10 test images)",
    }[m.split]
    n = Num(m.n_images, "count", f"{src}.n_images")
    if m.first_index == 0:
        text = Markup(f"the first {n.__html__()} {what}")
    else:
        first = Num(m.first_index, "count", f"{src}.first_index")
        text = Markup(f"{n.__html__()} {what} from index {first.__html__()}")
    if not with_attack:
        return text
    if m.attack is None:
        return text + Markup(", no attack")
    text += Markup("; ") + attack_words(m.attack, f"{src}.attack")
    if m.followed_by is not None:
        then = attack_words(m.followed_by, f"{src}.followed_by")
        text += Markup("; then, on the images still right, ") + then + Markup(" (robust only if both fail)")
    return text


def same_attack(a: schema.AttackSpec | None, b: schema.AttackSpec) -> bool:
    return (
        a is not None
        and a.name == b.name
        and a.norm == b.norm
        and abs(a.eps - b.eps) < 1e-9
        and a.steps == b.steps
    )
