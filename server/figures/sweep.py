"""Section 5's chart: clean against attacked accuracy, one point per training budget.

One trace per model, so the legend can hide any of them; one frame per nonzero test eps (named by
eps x 255), so the page can glide the points between budgets with Plotly.animate. Whiskers on both
axes are 95 % intervals. A last, legend-less grey line joins the points in order of training budget,
so the reader sees the whole trade-off curve move when the test budget changes.
"""

from __future__ import annotations

import plotly.graph_objects as go

from server.figures import theme
from tour import schema


def _point(row: schema.SweepRow, clean: int, ti: int, label: str) -> go.Scatter:
    c, a = row.accuracies[clean], row.accuracies[ti]
    color = theme.model_color(row.train_eps)
    return go.Scatter(
        name=label,
        x=[100 * c.value],
        y=[100 * a.value],
        mode="markers",
        marker=dict(
            size=12, color=color, symbol=theme.model_symbol(row.train_eps), line=dict(width=1, color="#fff")
        ),
        error_x=dict(theme.pct_whiskers([c]), color=color),
        error_y=dict(theme.pct_whiskers([a]), color=color),
        customdata=[[100 * c.low, 100 * c.high, 100 * a.low, 100 * a.high, a.n]],
        hovertemplate=(
            f"{label}<br>clean %{{x:.1f}} % (95 % interval %{{customdata[0]:.1f}} to %{{customdata[1]:.1f}})"
            "<br>attacked %{y:.1f} % (%{customdata[2]:.1f} to %{customdata[3]:.1f}), n = %{customdata[4]:,}"
            "<extra></extra>"
        ),
    )


def build(sweep: schema.SweepFile, labels: dict[str, str], default_eps: float) -> go.Figure:
    clean = sweep.test_eps.index(0.0)
    rows = sorted(sweep.rows, key=lambda r: r.train_eps)
    attacked = [i for i, e in enumerate(sweep.test_eps) if e > 0]
    first = theme.open_eps(sweep.test_eps, default_eps)
    theme.unique_keys(sweep.test_eps)
    theme.unique_keys([r.train_eps for r in rows])

    def points(ti: int) -> list[go.Scatter]:
        curve = go.Scatter(
            x=[100 * r.accuracies[clean].value for r in rows],
            y=[100 * r.accuracies[ti].value for r in rows],
            mode="lines",
            line=dict(color=theme.NEUTRAL, width=1.5),
            hoverinfo="skip",
            showlegend=False,
            name="curve",
        )
        return [*(_point(r, clean, ti, labels.get(r.model_id, r.model_id)) for r in rows), curve]

    def title(ti: int) -> str:
        return f"under PGD at test ε = {theme.eps_k(sweep.test_eps[ti])}/255"

    return go.Figure(
        data=points(first),
        frames=[
            go.Frame(
                name=str(theme.eps_k(sweep.test_eps[ti])),
                data=points(ti),
                layout=dict(title=dict(text=title(ti))),
            )
            for ti in attacked
        ],
        layout=theme.layout(
            xaxis=dict(
                title=dict(text="clean test accuracy (%)"),
                range=theme.fitted_range([r.accuracies[clean] for r in rows]),
            ),
            title=dict(text=title(first), x=0, xanchor="left", font=dict(size=14)),
            yaxis=dict(
                title=dict(text="attacked test accuracy (%)"),
                range=theme.fitted_range([r.accuracies[i] for r in rows for i in attacked]),
            ),
            hovermode="closest",
            legend=dict(orientation="h", x=0, y=-0.3, yanchor="top"),
            margin=dict(r=8, t=40, b=110),
            meta=dict(open_k=theme.eps_k(sweep.test_eps[first])),  # the view the page opens on
        ),
    )
