"""The racing probability bars' shell: layout and styling, with one bar per class at zero.

The page moves the bars (their values, ranks and colours) with Plotly.animate as the reader steps
through epochs or attack steps; the data comes from the figure's own bundle document.
"""

from __future__ import annotations

import plotly.graph_objects as go

from server.figures import theme


def build(classes: list[str]) -> go.Figure:
    n = len(classes)
    return go.Figure(
        data=[
            go.Bar(
                orientation="h",
                x=[0.0] * n,
                y=list(range(n)),
                text=list(classes),
                textposition="outside",
                cliponaxis=False,
                textfont=dict(size=12, color=theme.INK),
                hoverinfo="skip",
                marker=dict(color=[theme.NEUTRAL] * n, line=dict(width=0)),
                width=0.72,
            )
        ],
        layout=theme.layout(
            xaxis=dict(range=[0, 100], visible=False),
            yaxis=dict(range=[n - 0.5, -0.5], visible=False),
            margin=dict(l=4, r=96, t=4, b=4),
            showlegend=False,
            bargap=0.2,
            meta=dict(
                right=theme.RIGHT, wrong=theme.WRONG, neutral=theme.NEUTRAL
            ),  # the page colours by verdict
        ),
    )
