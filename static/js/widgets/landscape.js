// The loss around one image on a plane, as a Plotly heatmap (the lab's inspect mode): x is the
// L∞ distance along the model's adversarial direction, y along a random sign direction, both in
// /255. Several maps share one colour scale when given the same `top`. The look (fonts, hover
// labels) is the article's chart template, borrowed from the server's "bars" figure.
//
//   await drawLandscape(el, { coords, loss, pred, classes, top, id: "regular" });
//   // loss[i][j], pred[i][j]: at adversarial coords[i], random coords[j] (L∞ units, not /255)

import { figureSpec, plotConfig, plotly } from "../lib/plotly.js";

const transpose = (grid) => grid[0].map((_, j) => grid.map((row) => row[j]));

// The colour scale, 0 (bottom) to top, as a narrow heatmap on its own axes (as the article's
// server-built figures draw it, server/figures/theme.py scale_bar).
function scaleBar(top, steps = 64) {
  const values = Array.from({ length: steps }, (_, i) => (top * i) / (steps - 1));
  return {
    type: "heatmap",
    x: ["loss"],
    y: values,
    z: values.map((v) => [v]),
    zmin: 0,
    zmax: top,
    colorscale: "Viridis",
    showscale: false,
    ygap: 0.01,
    xaxis: "x2",
    yaxis: "y2",
    hovertemplate: "loss %{y:.2f}<extra></extra>",
  };
}

export async function drawLandscape(el, { coords, loss, pred, classes, top, id }) {
  const [Plotly, bars] = await Promise.all([plotly(), figureSpec("bars")]);
  const ticks = coords.map((c) => c * 255);
  const axis = (title) => ({ title: { text: title }, zeroline: false, constrain: "domain" });
  const data = [
    {
      type: "heatmap",
      x: ticks,
      y: ticks,
      z: transpose(loss), // Plotly's z is [row = y][column = x]
      customdata: transpose(pred).map((row) => row.map((c) => classes[c])),
      zmin: 0,
      zmax: top,
      colorscale: "Viridis",
      showscale: false, // Plotly's colour bar and one-image heatmaps set inline styles the CSP refuses:
      xgap: 1, // cells are drawn one by one, and the scale is a one-column heatmap of its own (below)
      ygap: 1,
      hovertemplate:
        "adversarial %{x:.1f}/255, random %{y:.1f}/255<br>loss %{z:.3f}, predicts %{customdata}<extra></extra>",
    },
    {
      type: "scatter",
      x: [0],
      y: [0],
      mode: "markers",
      marker: { symbol: "x-thin", size: 10, line: { width: 2, color: "#ffffff" } },
      hoverinfo: "skip",
      showlegend: false,
    },
    scaleBar(top),
  ];
  const layout = {
    template: bars.layout.template,
    height: 300,
    margin: { l: 60, r: 40, t: 8, b: 52 }, // room for the scale's tick labels on the right
    xaxis: { ...axis("adversarial direction, L∞ /255"), domain: [0, 0.84] },
    yaxis: { ...axis("random direction, L∞ /255"), scaleanchor: "x" },
    xaxis2: { domain: [0.93, 1], anchor: "y2", showgrid: false, ticks: "", fixedrange: true },
    yaxis2: { anchor: "x2", side: "right", range: [0, top], showgrid: false, fixedrange: true },
  };
  await Plotly.react(el, data, layout, plotConfig(`lab-landscape-${id}`));
  el.dataset.plotted = "true";
}
