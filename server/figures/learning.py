"""Section 1's chart: the regular model's training loss, test loss and test accuracy per epoch.

The page fills the last trace (the epochs where the chosen example's top guess changes) and moves
the epoch cursor (layout shape 0); everything else is fixed by the bundle.
"""

from __future__ import annotations

import plotly.graph_objects as go

from server.figures import theme
from tour import schema


def build(training: schema.TrainingFile, model_id: str) -> go.Figure:
    history = next(h for h in training.models if h.model.id == model_id)
    records = history.epochs
    epochs = [r.epoch for r in records]
    accs = [r.clean_acc for r in records]
    losses = (
        ("training loss", [r.train_loss for r in records], theme.NEUTRAL),
        ("test loss", [r.test_loss for r in records], theme.INK),
    )
    fig = go.Figure(
        data=[
            *(
                go.Scatter(
                    name=name, x=epochs, y=ys, line=dict(color=color, width=1.8), hovertemplate="%{y:.3f}"
                )
                for name, ys, color in losses
            ),
            go.Scatter(
                name="test accuracy",
                x=epochs,
                y=[100 * a.value for a in accs],
                yaxis="y2",
                line=dict(color=theme.model_color(history.model.train_eps), width=2.6),
                error_y=theme.pct_whiskers(accs),
                customdata=theme.acc_customdata(accs),
                hovertemplate=theme.ACC_HOVER,
            ),
            go.Scatter(
                name="top guess changes",
                x=[],
                y=[],
                yaxis="y2",
                mode="markers",
                hoverinfo="skip",
                marker=dict(symbol="triangle-down", size=10, color=theme.MUTED),
            ),
        ],
        layout=theme.layout(
            xaxis=dict(
                title=dict(text="epoch"),
                range=[0, max(epochs) + 0.5],
                dtick=max(1, len(epochs) // 10),
                unifiedhovertitle=dict(text="Epoch %{x}"),
            ),
            yaxis=dict(title=dict(text="loss"), rangemode="tozero"),
            yaxis2=dict(
                title=dict(text="test accuracy (%)"),
                overlaying="y",
                side="right",
                range=theme.fitted_range(accs),
                showgrid=False,
                tickmode="auto",  # not synced to the loss axis: round percentages
                fixedrange=True,
            ),
            hovermode="x unified",
            hoverlabel=dict(bgcolor="rgba(255,255,255,0.8)"),  # the curves show through the box
            hoverdistance=-1,  # anywhere over the plot picks the nearest epoch, not only near a point
            margin=dict(r=56),
            shapes=[theme.cursor(epochs[0])],
            # a phone: the legend in small type from the chart's left edge, so the curves keep their height
            meta=dict(
                cursor=True,
                narrow=dict(legend=dict(font=dict(size=11), x=-0.1)),
            ),
        ),
    )
    return fig
