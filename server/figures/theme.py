"""One look for every chart: the palette, the Plotly template, and the accuracy trace they share.

Colours are Okabe and Ito's colour-blind-safe set. Each model keeps one colour everywhere (the
regular model is not the red that marks a wrong answer; the UI accent is no model's colour), and
article.css holds the same values as custom properties.
"""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go

from tour import schema

SANS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
INK, MUTED, GRID = "#1b1f24", "#4f5763", "#e6e8ec"
RIGHT, WRONG, NEUTRAL = "#1f7a4d", "#b42318", "#8a94a3"
REGULAR = "#cc79a7"  # reddish purple
EPS_COLORS = {1: "#e69f00", 2: "#56b4e9", 4: "#009e73", 8: "#0072b2", 16: "#1b1f24"}  # by train eps x 255
SYMBOLS = {0: "circle", 1: "diamond", 2: "square", 4: "triangle-up", 8: "star", 16: "x"}


def eps_k(eps: float) -> int:
    """An eps in whole 1/255 steps (8/255 -> 8): the key of frames, categories and the page's URL."""
    return round(eps * 255)


def open_eps(test_eps: list[float], article_eps: float) -> int:
    """Index of the nonzero test eps nearest the article's attack: the view sweep figures open on."""
    return min((i for i, e in enumerate(test_eps) if e > 0), key=lambda i: abs(test_eps[i] - article_eps))


def unique_keys(values: list[float]) -> list[int]:
    """eps_k of each value; two budgets that round to one key would merge two frames or cells."""
    keys = [eps_k(v) for v in values]
    if len(set(keys)) != len(keys) or any(abs(v * 255 - k) > 1e-6 for v, k in zip(values, keys, strict=True)):
        raise ValueError(f"eps values {values} are not distinct whole multiples of 1/255")
    return keys


def model_color(train_eps: float) -> str:
    """The regular model's colour, or the colour of its training budget (an unknown one is grey)."""
    return REGULAR if train_eps == 0 else EPS_COLORS.get(eps_k(train_eps), NEUTRAL)


def model_symbol(train_eps: float) -> str:
    return SYMBOLS.get(eps_k(train_eps), "circle")


TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=SANS, size=13, color=INK),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        colorway=[REGULAR, EPS_COLORS[8], EPS_COLORS[1], EPS_COLORS[2], EPS_COLORS[4], EPS_COLORS[16]],
        margin=dict(l=56, r=16, t=28, b=48),
        hoverlabel=dict(font=dict(family=SANS, size=13), bgcolor="#ffffff", bordercolor=MUTED),
        legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom", font=dict(size=12)),
        # automargin: the margins grow to fit tick labels and axis titles instead of cutting them off
        xaxis=dict(
            gridcolor=GRID, zeroline=False, linecolor=MUTED, ticks="outside", fixedrange=True, automargin=True
        ),
        yaxis=dict(
            gridcolor=GRID, zeroline=False, linecolor=MUTED, ticks="outside", fixedrange=True, automargin=True
        ),
        dragmode=False,
    )
)


def wrap(label: str) -> str:
    """A label broken after its first comma: 'Adversarial training,<br>eps = 8/255' for a narrow panel."""
    head, sep, tail = label.partition(", ")
    return f"{head},<br>{tail}" if sep else label


def subplot_title(fig: go.Figure, text: str) -> int:
    """Index in layout.annotations of the subplot title `text` (make_subplots adds them in order)."""
    return next(i for i, a in enumerate(fig.layout.annotations) if a.text == text)


def layout(**kw: Any) -> go.Layout:
    return go.Layout(template=TEMPLATE, **kw)


def pct_whiskers(accs: list[schema.Accuracy]) -> dict[str, Any]:
    """error_y (or error_x) arguments: each accuracy's 95 % Wilson interval, in percent."""
    return dict(
        type="data",
        symmetric=False,
        array=[100 * (a.high - a.value) for a in accs],
        arrayminus=[100 * (a.value - a.low) for a in accs],
        thickness=1.2,
        width=3,
    )


def acc_customdata(accs: list[schema.Accuracy]) -> list[list[float]]:
    """[low %, high %, n] per point, for hover text that states the interval and the sample."""
    return [[100 * a.low, 100 * a.high, a.n] for a in accs]


ACC_HOVER = (
    "%{y:.1f} % (95 % interval %{customdata[0]:.1f} to %{customdata[1]:.1f} %, n = %{customdata[2]:,})"
)


def fitted_range(accs: list[schema.Accuracy], pad: float = 4.0) -> list[float]:
    """A percent axis that fits the data and its intervals, not 0-100 when every value is below 40."""
    lo = min(100 * a.low for a in accs)
    hi = max(100 * a.high for a in accs)
    return [max(0.0, lo - pad), min(100.0, hi + pad)]


def accuracy_grid(x: list[str], y: list[str], grid: list[list[schema.Accuracy]], cell: str) -> go.Heatmap:
    """A grid of accuracies in percent: the value printed in each cell, its interval and n on hover
    (`cell` words the hover's first line), shading white to blue and no colour bar."""
    return go.Heatmap(
        x=x,
        y=y,
        z=[[100 * a.value for a in row] for row in grid],
        customdata=[[[100 * a.low, 100 * a.high, a.n] for a in row] for row in grid],
        texttemplate="%{z:.1f}",
        hovertemplate=(
            f"{cell}: %{{z:.1f}} %<br>95 % interval %{{customdata[0]:.1f}} to %{{customdata[1]:.1f}} %, "
            "n = %{customdata[2]:,}<extra></extra>"
        ),
        colorscale=[[0, "#ffffff"], [1, EPS_COLORS[8]]],
        zmin=0,
        zmax=100,
        showscale=False,
        xgap=2,
        ygap=2,
    )


def cursor(x: float) -> dict[str, Any]:
    """A dotted vertical line at x, the figure's shape 0: the page moves it to the reader's epoch."""
    return dict(
        type="line",
        xref="x",
        yref="paper",
        x0=x,
        x1=x,
        y0=0,
        y1=1,
        line=dict(color=MUTED, width=1, dash="dot"),
    )


def to_dict(fig: go.Figure) -> dict[str, Any]:
    """The figure as plain JSON (Plotly's own encoder), ready for Plotly.react on the page."""
    return json.loads(fig.to_json(validate=True, pretty=False))


def scale_bar(top: float, colorscale: str, xaxis: str, yaxis: str, title: str, steps: int = 64) -> go.Heatmap:
    """A colour bar drawn as a one-column heatmap on its own axes: Plotly's own colour bar sets inline
    styles on its fills, which the page's CSP (style-src 'self') refuses. Values 0..top, bottom up."""
    values = [top * i / (steps - 1) for i in range(steps)]
    return go.Heatmap(
        x=[title],
        y=values,
        z=[[v] for v in values],
        colorscale=colorscale,
        zmin=0,
        zmax=top,
        showscale=False,
        ygap=0.01,  # any gap draws cell by cell: Plotly's one-image path styles it inline
        hovertemplate=title + " %{y:.2f}<extra></extra>",
        xaxis=xaxis,
        yaxis=yaxis,
    )
