"""How the page prints a number from the bundle, and the spans that let a test check it.

Every number the article prints is a `Num`: it renders as
`<span class="num" data-src="evaluation.models[0].results[1].accuracy" data-fmt="pct" ...>91.6 %</span>`,
where data-src is the value's path in the JSON API document it came from. The formats are the ones
static/js/lib/format.js applies to numbers the page updates as the reader explores: the page check
(tests/web/article_check.py) reads every span in the browser, the server's and the script's, and
compares its text with `format_as` of the bundle's value, so the two cannot drift apart.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup

from tour import schema

NBSP = "\u00a0"


# ---------------------------------------------------------------- number formats (= static/js/lib/format.js)


def to_fixed(x: float, digits: int) -> str:
    """JavaScript's Number.prototype.toFixed: the exact binary value, ties away from zero.

    Python's own formatting rounds ties to even (31.25 -> "31.2" where JS writes "31.3"), so the
    server and the figures would disagree on the same number without this.
    """
    return str(Decimal(x).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def pct(x: float, digits: int = 1) -> str:
    return f"{to_fixed(x * 100, digits)}{NBSP}%"


def eps255(x: float) -> str:
    """In 1/255 steps with two decimals, dropped when they are zero: 8/255, 7.53/255, 0."""
    k = to_fixed(x * 255, 2).removesuffix(".00")
    return "0" if k in ("0", "-0") else f"{k}/255"


def fixed(x: float, digits: int = 3) -> str:
    return to_fixed(x, digits)


def format_as(value: float, fmt: str, digits: int | None = None) -> str:
    if fmt == "pct":
        return pct(value, 1 if digits is None else digits)
    if fmt == "eps255":
        return eps255(value)
    if fmt == "fixed":
        return fixed(value, 3 if digits is None else digits)
    if fmt == "int":
        return str(round(value))
    if fmt == "count":
        return f"{round(value):,}"
    if fmt == "millions":
        return f"{value / 1e6:.{2 if digits is None else digits}f}{NBSP}M"
    raise ValueError(f"unknown number format {fmt!r}")


@dataclass(frozen=True)
class Num:
    """A number from the bundle with the path it came from; renders as a checkable span."""

    value: float
    fmt: str
    src: str
    digits: int | None = None

    @property
    def text(self) -> str:
        return format_as(self.value, self.fmt, self.digits)

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        digits = "" if self.digits is None else f' data-digits="{self.digits}"'
        return (
            f'<span class="num" data-src="{html.escape(self.src)}" data-fmt="{self.fmt}"'
            f' data-value="{self.value!r}"{digits}>{html.escape(self.text)}</span>'
        )


@dataclass(frozen=True)
class Acc:
    """An Accuracy from the bundle: prints as its value; `interval` is the 95 % interval with n."""

    value: Num
    low: Num
    high: Num
    n: Num
    SEP = "\u2013"  # between the bounds; a subclass whose bounds can be negative reads better with words

    def __html__(self) -> str:
        return self.value.__html__()

    @property
    def interval(self) -> Markup:
        low, high, n = self.low.__html__(), self.high.__html__(), self.n.__html__()
        return Markup(f'<span class="ci">95{NBSP}% interval {low}{self.SEP}{high}, n{NBSP}={NBSP}{n}</span>')


def acc(a: schema.Accuracy, src: str) -> Acc:
    return Acc(
        value=Num(a.value, "pct", f"{src}.value"),
        low=Num(a.low, "pct", f"{src}.low"),
        high=Num(a.high, "pct", f"{src}.high"),
        n=Num(a.n, "count", f"{src}.n"),
    )
