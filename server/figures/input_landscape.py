"""The input-space landscape: the loss on a plane around one example, one panel per model.

Both panels share one colour scale, so equal colours are equal losses. One frame per example (its
gallery position), so the page moves between them with Plotly.animate. The dotted square is the
L-inf ball of the article's attack: every image PGD may try lies inside it on this plane. The last,
narrow panel is the colour scale (see theme.scale_bar). Frames are swapped in with Plotly.react
(an animation cannot repaint a heatmap). On a phone (layout.meta.narrow) the panel titles take two
lines and the axis titles their short form, so neighbours do not run into each other.
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from server.figures import theme
from tour import schema

SCALE = "Viridis"


def _heatmap(image: schema.ImageLandscape, mid: str, ticks: list[float], axis: int, classes: list[str]):
    return go.Heatmap(
        x=ticks,
        y=ticks,
        z=[list(col) for col in zip(*image.loss[mid], strict=True)],  # z[row = random][col = adversarial]
        customdata=[[classes[p] for p in col] for col in zip(*image.pred[mid], strict=True)],
        coloraxis="coloraxis",
        xgap=1,  # cell by cell, not one pixelated image: Plotly styles that inline, which the CSP forbids
        ygap=1,
        hovertemplate="adversarial %{x:.1f}/255, random %{y:.1f}/255<br>loss %{z:.3f}, predicted "
        "%{customdata}<extra></extra>",
        xaxis=f"x{axis}" if axis > 1 else "x",
        yaxis=f"y{axis}" if axis > 1 else "y",
    )


def build(
    doc: schema.InputLandscapeFile, labels: dict[str, str], classes: list[str], eps: float
) -> go.Figure:
    ticks = [255 * c for c in doc.coords]
    n = len(doc.model_ids)
    fig = make_subplots(
        rows=1,
        cols=n + 1,
        column_widths=[0.92 / n] * n + [0.04],
        horizontal_spacing=0.06,
        subplot_titles=[*(labels[m] for m in doc.model_ids), ""],
    )
    first = doc.images[0]
    for i, mid in enumerate(doc.model_ids):
        fig.add_trace(_heatmap(first, mid, ticks, i + 1, classes), row=1, col=i + 1)
    top = max(max(max(r) for r in im.loss[m]) for im in doc.images for m in doc.model_ids)
    k = 255 * eps
    for i in range(len(doc.model_ids)):
        ref = "" if i == 0 else str(i + 1)
        fig.add_shape(
            type="rect",
            x0=-k,
            x1=k,
            y0=-k,
            y1=k,
            xref=f"x{ref}",
            yref=f"y{ref}",
            line=dict(color="#ffffff", width=1.5, dash="dot"),
        )
        fig.update_xaxes(title_text="adversarial direction (/255)", row=1, col=i + 1)
    fig.update_yaxes(title_text="random direction (/255)", row=1, col=1)
    for i in range(1, n):  # one y scale for every panel: the first panel's ticks read for all
        fig.update_yaxes(showticklabels=False, row=1, col=i + 1)
    bar = str(n + 1)
    fig.add_trace(theme.scale_bar(top, SCALE, f"x{bar}", f"y{bar}", "loss"), row=1, col=n + 1)
    fig.update_yaxes(side="right", row=1, col=n + 1)
    fig.update_xaxes(showgrid=False, ticks="", row=1, col=n + 1)
    fig.frames = [
        go.Frame(
            name=str(im.position),
            data=[_heatmap(im, mid, ticks, i + 1, classes) for i, mid in enumerate(doc.model_ids)],
        )
        for im in doc.images
    ]
    notes: list[dict] = [{} for _ in fig.layout.annotations]
    for mid in doc.model_ids:
        notes[theme.subplot_title(fig, labels[mid])] = dict(text=theme.wrap(labels[mid]), font=dict(size=12))
    narrow: dict = dict(annotations=notes, margin=dict(l=48, r=8, t=44, b=48))
    for i in range(n):
        narrow[f"xaxis{i + 1 if i else ''}"] = dict(title=dict(text="adversarial", font=dict(size=12)))
    narrow["yaxis"] = dict(title=dict(text="random direction (/255)", font=dict(size=12)))
    fig.update_layout(
        template=theme.TEMPLATE,
        coloraxis=dict(colorscale=SCALE, cmin=0, cmax=top, showscale=False),
        margin=dict(l=64, r=16, t=40, b=56),
        meta=dict(positions=[im.position for im in doc.images], narrow=narrow),
    )
    return fig
