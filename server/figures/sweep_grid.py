"""Section 5's second chart: the whole sweep as a grid, training budget against test budget.

Each cell is one model's accuracy under PGD at one test eps (the 0 column is clean accuracy), with
its value printed in the cell and its 95 % interval and n on hover. No colour bar: the numbers are
the scale, and the shading only guides the eye.
"""

from __future__ import annotations

import plotly.graph_objects as go

from server.figures import theme
from tour import schema


def build(sweep: schema.SweepFile, article_eps: float) -> go.Figure:
    rows = sorted(sweep.rows, key=lambda r: r.train_eps)
    test = [f"{k}/255" if k else "clean" for k in theme.unique_keys(sweep.test_eps)]
    train = [f"{k}/255" if k else "regular" for k in theme.unique_keys([r.train_eps for r in rows])]
    return go.Figure(
        data=[
            theme.accuracy_grid(test, train, [r.accuracies for r in rows], "trained at %{y}, tested at %{x}")
        ],
        layout=theme.layout(
            xaxis=dict(title=dict(text="test budget ε"), side="top", type="category", showgrid=False),
            yaxis=dict(
                title=dict(text="training budget ε"), type="category", showgrid=False, autorange="reversed"
            ),
            margin=dict(l=80, t=56, b=16, r=8),
            meta=dict(open_k=theme.eps_k(sweep.test_eps[theme.open_eps(sweep.test_eps, article_eps)])),
        ),
    )
