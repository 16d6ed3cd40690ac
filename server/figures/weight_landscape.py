"""The weight-space landscape: the training loss around each trained model along filter-normalized
random directions (Li et al., 2018). Left: the 1-D slice, both models on the same axes; right, one
panel per model: the 2-D plane, on one shared colour scale, drawn in the last narrow panel."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from server.figures import theme
from tour import schema

SCALE = "Viridis"


def build(doc: schema.WeightLandscapeFile, colors: dict[str, str], labels: dict[str, str]) -> go.Figure:
    n = len(doc.models)
    fig = make_subplots(
        rows=1,
        cols=2 + n,
        column_widths=[0.4] + [0.56 / n] * n + [0.04],
        subplot_titles=["1-D slice", *(f"2-D: {labels[s.model_id]}" for s in doc.models), ""],
        horizontal_spacing=0.06,
    )
    for s in doc.models:
        fig.add_trace(
            go.Scatter(
                x=doc.coords_1d,
                y=s.loss_1d,
                name=labels[s.model_id],
                mode="lines",
                line=dict(color=colors[s.model_id], width=2.5),
                customdata=[[100 * a.value, 100 * a.low, 100 * a.high, a.n] for a in s.accuracy_1d],
                hovertemplate="step %{x:.2f}: loss %{y:.3f}, accuracy %{customdata[0]:.1f} % "
                "(95 % CI %{customdata[1]:.1f} to %{customdata[2]:.1f} %, n = %{customdata[3]:,})"
                "<extra>" + labels[s.model_id] + "</extra>",
            ),
            row=1,
            col=1,
        )
    top = max(max(max(r) for r in s.loss_2d) for s in doc.models)
    for i, s in enumerate(doc.models):
        fig.add_trace(
            go.Heatmap(
                x=doc.coords_2d,
                y=doc.coords_2d,
                z=[list(col) for col in zip(*s.loss_2d, strict=True)],  # z[row = y][col = x]
                coloraxis="coloraxis",
                xgap=1,  # cell by cell: the one-image path (and contours) style inline, which the CSP forbids
                ygap=1,
                hovertemplate="x %{x:.2f}, y %{y:.2f}: loss %{z:.3f}<extra></extra>",
                showlegend=False,
            ),
            row=1,
            col=2 + i,
        )
    bar = str(2 + n)
    fig.add_trace(theme.scale_bar(top, SCALE, f"x{bar}", f"y{bar}", "loss"), row=1, col=2 + n)
    fig.update_yaxes(side="right", row=1, col=2 + n)
    fig.update_xaxes(showgrid=False, ticks="", row=1, col=2 + n)
    fig.update_xaxes(title_text="step along the direction (filter norms)", row=1, col=1)
    fig.update_yaxes(title_text="training loss", row=1, col=1)
    fig.update_layout(
        template=theme.TEMPLATE,
        coloraxis=dict(colorscale=SCALE, cmin=0, cmax=top, showscale=False),
        margin=dict(l=64, r=16, t=48, b=56),
    )
    return fig
