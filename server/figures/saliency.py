"""The gradient chapter's chart: how image-like each model's input gradients are.

One bar per model and kind of gradient (plain, SmoothGrad): the mean, over the measured test images,
of the per-image correlation between |gradient| and the image's edge map, with its 95 % interval.
"""

from __future__ import annotations

import plotly.graph_objects as go

from server.figures import theme
from tour import schema


def _whiskers(ms: list[schema.MeanInterval]) -> dict:
    return dict(
        type="data",
        symmetric=False,
        array=[m.high - m.mean for m in ms],
        arrayminus=[m.mean - m.low for m in ms],
        thickness=1.2,
        width=4,
    )


def build(saliency: schema.SaliencyFile, colors: dict[str, str], labels: dict[str, str]) -> go.Figure:
    kinds = ["input gradient", f"SmoothGrad ({saliency.smoothgrad.samples} samples)"]
    bars = []
    for s in saliency.scores:
        ms = [s.gradient, s.smoothgrad]
        bars.append(
            go.Bar(
                x=kinds,
                y=[m.mean for m in ms],
                name=labels[s.model_id],
                marker=dict(color=colors[s.model_id]),
                error_y=_whiskers(ms),
                customdata=[[m.low, m.high, m.n] for m in ms],
                hovertemplate=(
                    "%{x}: mean correlation %{y:.3f}<br>95 % interval %{customdata[0]:.3f} to "
                    "%{customdata[1]:.3f}, n = %{customdata[2]:,}<extra>" + labels[s.model_id] + "</extra>"
                ),
            )
        )
    return go.Figure(
        data=bars,
        layout=theme.layout(
            barmode="group",
            xaxis=dict(type="category"),
            yaxis=dict(title=dict(text="correlation with edges"), rangemode="tozero"),
            margin=dict(l=64, r=16, t=40, b=40),
        ),
    )
