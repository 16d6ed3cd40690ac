"""The attack figure's loss curve: the loss of the true class at every PGD step, a marker at the
chosen step and the clean image's loss as a dotted line. A shell: the page fills it per image."""

from __future__ import annotations

import plotly.graph_objects as go

from server.figures import theme


def build() -> go.Figure:
    return go.Figure(
        data=[
            go.Scatter(
                name="loss",
                x=[],
                y=[],
                mode="lines",
                line=dict(color=theme.INK, width=2),
                hovertemplate="step %{x}: loss %{y:.3f}<extra></extra>",
            ),
            go.Scatter(
                name="this step",
                x=[],
                y=[],
                mode="markers",
                hoverinfo="skip",
                marker=dict(size=9, color=theme.WRONG),
            ),
        ],
        layout=theme.layout(
            xaxis=dict(title=dict(text="step", standoff=2), dtick=2),
            yaxis=dict(title=dict(text="loss", standoff=2), rangemode="tozero"),
            margin=dict(l=44, r=8, t=8, b=36),
            showlegend=False,
            hovermode="closest",
            shapes=[
                dict(
                    type="line",
                    xref="paper",
                    x0=0,
                    x1=1,
                    y0=0,
                    y1=0,
                    line=dict(color=theme.MUTED, width=1, dash="dot"),
                )
            ],
        ),
    )
