"""The transfer chapter's chart: accuracy of each target model (column) on PGD images crafted on
each source model (row). The diagonal is the white-box attack; a high number off it means the
attack did not carry over. Values in the cells; interval and n on hover. Labels are short (the
training budget alone) so six columns fit a phone without turning into a slant of text."""

from __future__ import annotations

import plotly.graph_objects as go

from server.figures import theme
from tour import schema


def build(transfer: schema.TransferFile, train_eps: dict[str, float]) -> go.Figure:
    def short(mid: str) -> str:
        k = theme.eps_k(train_eps[mid])
        return f"ε = {k}/255" if k else "regular"

    return go.Figure(
        data=[
            theme.accuracy_grid(
                [short(t) for t in transfer.targets],
                [short(s) for s in transfer.sources],
                transfer.accuracy,
                "crafted on %{y}, scored on %{x}",
            )
        ],
        layout=theme.layout(
            xaxis=dict(
                title=dict(text="scored on: model trained at", standoff=8),
                side="top",
                type="category",
                showgrid=False,
            ),
            yaxis=dict(
                title=dict(text="crafted on: model trained at", standoff=8),
                type="category",
                showgrid=False,
                autorange="reversed",
            ),
            margin=dict(l=8, t=8, b=8, r=8),
            meta=dict(
                narrow=dict(
                    xaxis=dict(title=dict(text="scored on"), tickangle=-90),
                    yaxis=dict(title=dict(text="crafted on")),
                )
            ),
        ),
    )
