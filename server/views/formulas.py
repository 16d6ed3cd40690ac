"""The article's formulas, converted to MathML once (latex2mathml), so the page needs no math script."""

from __future__ import annotations

from functools import cache

from latex2mathml.converter import convert as latex_to_mathml
from markupsafe import Markup

FORMULAS = {
    "start": r"x^{0} = x + \delta^{0}, \quad"
    r" \delta^{0} \sim \mathcal{U}\left([-\epsilon, \epsilon]^{d}\right)",
    "step": r"\tilde{x}^{t+1} = x^{t} + \alpha \,"
    r" \mathrm{sign}\left(\nabla_{x} \mathcal{L}(\theta, x^{t}, y)\right)",
    "project": r"x^{t+1} = \mathrm{clip}_{[0,1]}\left(\mathrm{clip}_{[x-\epsilon,\, x+\epsilon]}"
    r"\left(\tilde{x}^{t+1}\right)\right)",
    "ball": r"\|\delta\|_{\infty} = \max_{i} |\delta_{i}| \le \epsilon",
    "minmax": r"\min_{\theta} \; \mathbb{E}_{(x,y) \sim \mathcal{D}}"
    r" \left[ \max_{\|\delta\|_{\infty} \le \epsilon} \mathcal{L}(\theta, x + \delta, y) \right]",
    "erm": r"\min_{\theta} \; \mathbb{E}_{(x,y) \sim \mathcal{D}} \left[ \mathcal{L}(\theta, x, y) \right]",
    "loss": r"\mathcal{L}(\theta, x, y) = -\log p_{\theta}(y \mid x)",
}


@cache
def mathml(name: str, display: bool = True) -> Markup:
    """One formula as MathML (converted once per process and cached)."""
    out = latex_to_mathml(FORMULAS[name], display="block" if display else "inline")
    return Markup(out)
