"""The painting chapter's small chart: how sure each model is of the target class along one push.

A shell with one line per model at zero (empty values would make Plotly style its points inline,
which the page's CSP refuses): the page fills it from paint.json for the cell the reader picks
(start image x target class), at the steps the sheets show.
"""

from __future__ import annotations

import plotly.graph_objects as go

from server.figures import theme
from tour import schema


def build(paint: schema.PaintFile, colors: dict[str, str], labels: dict[str, str]) -> go.Figure:
    return go.Figure(
        data=[
            go.Scatter(
                x=list(paint.snapshots),
                y=[0.0] * len(paint.snapshots),
                name=labels[mid],
                mode="lines+markers",
                line=dict(color=colors[mid], width=2.5),
                marker=dict(size=7),
                hovertemplate="step %{x}: %{y:.1%}<extra>" + labels[mid] + "</extra>",
            )
            for mid in paint.model_ids
        ],
        layout=theme.layout(
            xaxis=dict(title=dict(text="push step"), range=[-2, paint.attack.steps + 2]),
            yaxis=dict(title=dict(text="p(target class)"), range=[0, 1.05], tickformat=".0%"),
            margin=dict(l=64, r=16, t=40, b=48),
        ),
    )
