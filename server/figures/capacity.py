"""The capacity chart: clean and PGD accuracy against parameter count, regular and adversarial models.

Lines join the full-width shapes of one kind and measure in order of size; a model whose last stage
was narrowed is a lone open marker beside them, so the reader can compare it with the model of the
same width and with the one of about its size. Intervals are the 95 % Wilson ones; n on hover.
The log axis is labelled 1-2-5 in words (200k, 500k, 1M): Plotly's own log ticks print bare 2, 3, 4
between the decades. The legend is beside the plot on a desktop and below it on a phone.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from server.figures import theme
from tour import schema

KINDS = {"regular": theme.REGULAR, "adversarial": theme.EPS_COLORS[8]}


def _trace(models: list[schema.CapacityModel], measure: str, kind: str, reduced: bool) -> go.Scatter:
    accs = [getattr(m, measure) for m in models]
    what = "clean" if measure == "clean" else "PGD-10"
    shape = "last stage narrowed" if reduced else "full width"
    return go.Scatter(
        x=[m.parameters for m in models],
        y=[100 * a.value for a in accs],
        name=f"{kind}, {what}" + (", last stage narrowed" if reduced else ""),
        mode="markers" if reduced else "lines+markers",
        line=dict(color=KINDS[kind], width=2, dash="solid" if measure == "clean" else "dash"),
        marker=dict(
            color="#ffffff" if reduced else KINDS[kind],
            line=dict(color=KINDS[kind], width=2),
            size=10 if reduced else 8,
            symbol="diamond" if reduced else ("circle" if measure == "clean" else "square"),
        ),
        error_y=theme.pct_whiskers(accs),
        customdata=[
            [m.width, m.last_stage, 100 * a.low, 100 * a.high, a.n] for m, a in zip(models, accs, strict=True)
        ],
        hovertemplate=(
            f"{kind}, {what}, {shape}<br>width %{{customdata[0]}}, last stage %{{customdata[1]}} channels, "
            "%{x:,} parameters<br>%{y:.1f} % (95 % interval %{customdata[2]:.1f} to %{customdata[3]:.1f} %, "
            "n = %{customdata[4]:,})<extra></extra>"
        ),
    )


def short_count(n: float) -> str:
    """200000 -> '200k', 1000000 -> '1M': a tick label as the page writes parameter counts."""
    for size, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if n >= size:
            return f"{n / size:g}{unit}"
    return f"{n:g}"


def log_ticks(lo: float, hi: float) -> list[float]:
    """1-2-5 values from just below lo to just above hi, for a log axis."""
    out: list[float] = []
    decade = 10 ** math.floor(math.log10(lo))
    while decade <= hi * 10:
        out += [m * decade for m in (1, 2, 5) if lo / 2.5 <= m * decade <= hi * 2.5]
        decade *= 10
    return out


def build(doc: schema.CapacityFile) -> go.Figure:
    traces = []
    for kind in KINDS:
        for reduced in (False, True):
            models = sorted(
                (m for m in doc.models if m.kind == kind and (m.last_stage != 8 * m.width) == reduced),
                key=lambda m: m.parameters,
            )
            if models:
                traces += [_trace(models, "clean", kind, reduced), _trace(models, "robust", kind, reduced)]
    sizes = [m.parameters for m in doc.models]
    ticks = log_ticks(min(sizes), max(sizes))
    return go.Figure(
        data=traces,
        layout=theme.layout(
            xaxis=dict(
                title=dict(text="parameters"),
                type="log",
                tickvals=ticks,
                ticktext=[short_count(t) for t in ticks],
            ),
            yaxis=dict(title=dict(text="accuracy (%)"), range=[0, 100]),
            legend=dict(orientation="v", x=1.02, y=1, yanchor="top", xanchor="left"),
            margin=dict(l=56, r=8, t=24, b=48),
            meta=dict(
                narrow=dict(
                    legend=dict(orientation="h", x=0, y=0, yanchor="bottom", yref="container"),
                    margin=dict(b=170),
                ),
            ),
        ),
    )
