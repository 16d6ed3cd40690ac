"""Section 4's chart: clean and attacked test accuracy per epoch for the models the figures show.

Solid lines are clean accuracy, dashed ones accuracy under the per-epoch PGD probe; whiskers are
95 % intervals. The page moves the epoch cursor (layout shape 0).
"""

from __future__ import annotations

import plotly.graph_objects as go

from server.figures import theme
from tour import schema


def build(training: schema.TrainingFile, model_ids: list[str]) -> go.Figure:
    shown = [h for mid in model_ids for h in training.models if h.model.id == mid]
    traces, everything = [], []
    for h in shown:
        epochs = [r.epoch for r in h.epochs]
        color = theme.model_color(h.model.train_eps)
        for kind, accs, dash in (
            ("clean", [r.clean_acc for r in h.epochs], "solid"),
            ("under attack", [r.pgd_acc for r in h.epochs], "dash"),
        ):
            everything += accs
            traces.append(
                go.Scatter(
                    name=f"{h.model.label}, {kind}",
                    x=epochs,
                    y=[100 * a.value for a in accs],
                    mode="lines+markers",
                    line=dict(color=color, width=2.2, dash=dash),
                    marker=dict(size=5, color=color, symbol="circle" if dash == "solid" else "circle-open"),
                    error_y=theme.pct_whiskers(accs),
                    customdata=theme.acc_customdata(accs),
                    hovertemplate=theme.ACC_HOVER,
                )
            )
    last = max(r.epoch for h in shown for r in h.epochs)
    return go.Figure(
        data=traces,
        layout=theme.layout(
            xaxis=dict(
                title=dict(text="epoch"),
                range=[0.5, last + 0.5],
                dtick=max(1, last // 10),
                unifiedhovertitle=dict(text="Epoch %{x}"),
            ),
            yaxis=dict(title=dict(text="test accuracy (%)"), range=theme.fitted_range(everything)),
            hovermode="x unified",
            hoverlabel=dict(bgcolor="rgba(255,255,255,0.8)"),
            hoverdistance=-1,  # anywhere over the plot picks the nearest epoch, not only near a point
            shapes=[theme.cursor(last)],
            meta=dict(cursor=True, model_ids=[h.model.id for h in shown]),  # the page's models, in order
        ),
    )
