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
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from markupsafe import Markup

from tour import schema
from tour.stats import newcombe

NBSP = "\u00a0"


# ---------------------------------------------------------------- number formats


# Every number format of the article, written once: this module prints them into the templates, and
# the page's script (static/js/lib/format.js) reads the same table from the page (FORMATS_JSON, the
# templates' `number_formats`, on <html data-number-formats>) for the numbers it updates. Each
# format: the value times `times` (or divided by `per`), to `digits` decimals (a Num's own digits
# win), `trim` dropped from the end, then `suffix`; `group` puts commas between thousands; `zero` is
# printed for a value that rounds to 0.
FORMATS: dict[str, dict[str, Any]] = {
    "pct": {"times": 100, "digits": 1, "suffix": f"{NBSP}%"},  # 0.9164 -> 91.6 %
    "eps255": {"times": 255, "digits": 2, "trim": ".00", "suffix": "/255", "zero": "0"},  # 8/255, 7.53/255
    "fixed": {"digits": 3},  # 0.41234 -> 0.412
    "int": {"digits": 0},
    "count": {"digits": 0, "group": True},  # 11173962 -> 11,173,962
    "millions": {"per": 1e6, "digits": 2, "suffix": f"{NBSP}M"},  # 11173962 -> 11.17 M
    "points": {"times": 100, "digits": 1, "suffix": f"{NBSP}points"},  # a difference of accuracies
}
FORMATS_JSON = json.dumps(FORMATS, separators=(",", ":"))


def to_fixed(x: float, digits: int) -> str:
    """JavaScript's Number.prototype.toFixed: the exact binary value, ties away from zero.

    Python's own formatting rounds ties to even (31.25 -> "31.2" where JS writes "31.3"), so the
    server and the figures would disagree on the same number without this.
    """
    return str(Decimal(x).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def format_as(value: float, fmt: str, digits: int | None = None) -> str:
    """`value` in the format `fmt` of FORMATS; format.js's formatAs is the same steps in JavaScript."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown number format {fmt!r}")
    f = FORMATS[fmt]
    x = value * f["times"] if "times" in f else value / f["per"] if "per" in f else value
    text = to_fixed(x, f["digits"] if digits is None else digits)
    if "trim" in f:
        text = text.removesuffix(f["trim"])
    if "zero" in f and text in ("0", "-0"):
        return f["zero"]
    if f.get("group"):
        whole, dot, frac = text.partition(".")
        text = f"{int(whole):,}{dot}{frac}"
    return text + f.get("suffix", "")


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


@dataclass(frozen=True)
class Gap:
    """One accuracy minus another, in points, with its 95 % interval (`tour.stats.newcombe`): the
    prose says two accuracies differ only when this interval excludes zero."""

    value: Num
    low: Num
    high: Num

    def __html__(self) -> str:
        return self.value.__html__()

    @property
    def interval(self) -> Markup:
        low, high = self.low.__html__(), self.high.__html__()
        return Markup(f'<span class="ci">95{NBSP}% interval {low} to {high}</span>')

    @property
    def sign(self) -> int:
        """+1 if the second accuracy is measurably higher, -1 if lower, 0 if the interval holds zero."""
        return 1 if self.low.value > 0 else -1 if self.high.value < 0 else 0


def gap(a: Acc, b: Acc) -> Gap:
    """b minus a. Its spans' source, `derived:gap:<a>:<b>:<part>`, names both accuracies, so the page
    check recomputes it from the bundle with the same function."""
    d, low, high = newcombe(*_counts(a), *_counts(b))
    src = f"derived:gap:{a.value.src.removesuffix('.value')}:{b.value.src.removesuffix('.value')}"
    return Gap(
        Num(d, "points", f"{src}:value"), Num(low, "points", f"{src}:low"), Num(high, "points", f"{src}:high")
    )


def _counts(a: Acc) -> tuple[int, int]:
    n = int(a.n.value)
    return round(a.value.value * n), n  # value is correct / n, so this is correct exactly
