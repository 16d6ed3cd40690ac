"""The weight-space landscape: the training loss around each trained model along filter-normalized
random directions (Li et al., 2018). Left: the 1-D slice, both models on the same axes; right, one
panel per model: the 2-D plane, on one shared colour scale, drawn in the last narrow panel.

The legend sits below the panels, where it covers no title. On a phone (layout.meta.narrow) four
panels in a row leave each too narrow for its title: the slice takes the top row, the planes and
the colour scale the bottom one."""

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
        subplot_titles=["1-D slice", *(theme.wrap(f"2-D: {labels[s.model_id]}") for s in doc.models), ""],
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
                "(95 % interval %{customdata[1]:.1f} to %{customdata[2]:.1f} %, n = %{customdata[3]:,})"
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
    for i in range(1, n):  # the planes share one y scale: the first plane's ticks read for all
        fig.update_yaxes(showticklabels=False, row=1, col=2 + i)
    titles = [labels[s.model_id] for s in doc.models]
    fig.update_layout(
        template=theme.TEMPLATE,
        coloraxis=dict(colorscale=SCALE, cmin=0, cmax=top, showscale=False),
        margin=dict(l=64, r=16, t=56, b=100),
        legend=dict(orientation="h", x=0, y=0, xanchor="left", yanchor="bottom", yref="container"),
        meta=dict(narrow=_narrow(fig, n, titles)),
    )
    return fig


def _narrow(fig: go.Figure, n: int, titles: list[str]) -> dict:
    """The phone layout: the slice on top, the planes and the colour scale side by side below it."""
    gap, bar = 0.06, 0.05
    width = (1 - bar - n * gap) / n
    patch: dict = {"xaxis": dict(domain=[0, 1]), "yaxis": dict(domain=[0.62, 1])}
    notes: list[dict] = [{} for _ in fig.layout.annotations]
    notes[theme.subplot_title(fig, "1-D slice")] = dict(x=0.5, y=1)
    for i, text in enumerate(titles):
        left = i * (width + gap)
        patch[f"xaxis{2 + i}"] = dict(domain=[left, left + width], dtick=1)
        patch[f"yaxis{2 + i}"] = dict(domain=[0, 0.36], dtick=1)
        notes[theme.subplot_title(fig, theme.wrap(f"2-D: {text}"))] = dict(
            x=left + width / 2, y=0.36, text=theme.wrap(text), font=dict(size=12)
        )
    patch[f"xaxis{2 + n}"] = dict(domain=[1 - bar, 1])
    patch[f"yaxis{2 + n}"] = dict(domain=[0, 0.36])
    return dict(patch, annotations=notes, margin=dict(l=56, r=8, t=32, b=84))
