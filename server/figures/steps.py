"""Section 2's second chart: of the images each model classifies correctly, the share still correct
after k PGD steps (k = 0 is the random start), with 95 % intervals. The page moves the step cursor
(layout shape 0) to the step its summary reads out, so the chart marks what the text states."""

from __future__ import annotations

import plotly.graph_objects as go

from server.figures import theme
from tour import schema


def build(evaluation: schema.EvaluationFile, run: schema.RunFile) -> go.Figure:
    info = {m.id: m for m in run.models}
    traces, everything = [], []
    for m in evaluation.models:
        accs = [p.accuracy for p in m.steps_curve]
        everything += accs
        model = info[m.model_id]
        traces.append(
            go.Scatter(
                name=model.label,
                x=[p.steps for p in m.steps_curve],
                y=[100 * a.value for a in accs],
                mode="lines+markers",
                line=dict(color=theme.model_color(model.train_eps), width=2.4),
                marker=dict(size=6),
                error_y=theme.pct_whiskers(accs),
                customdata=theme.acc_customdata(accs),
                hovertemplate=theme.ACC_HOVER,
            )
        )
    last = max(p.steps for m in evaluation.models for p in m.steps_curve)
    return go.Figure(
        data=traces,
        layout=theme.layout(
            xaxis=dict(title=dict(text="PGD steps (0 = random start)"), range=[-0.4, last + 0.4], dtick=1),
            yaxis=dict(title=dict(text="still correct (%)"), range=theme.fitted_range(everything)),
            hovermode="x unified",
            hoverdistance=-1,  # anywhere over the plot picks the nearest step, not only near a point
            shapes=[theme.cursor(0)],
            meta=dict(cursor=True),
        ),
    )
