// The loss around one image on a plane, as a Plotly heatmap (the lab's inspect mode): x is the
// L∞ distance along the model's adversarial direction, y along a random sign direction, both in
// /255. Several maps share one colour scale when given the same `top`. The look (fonts, hover
// labels) is the article's chart template, borrowed from the server's "bars" figure.
//
//   await drawLandscape(el, { coords, loss, pred, classes, top, id: "regular" });
//   // loss[i][j], pred[i][j]: at adversarial coords[i], random coords[j] (L∞ units, not /255)

import { figureSpec, plotConfig, plotly } from "../lib/plotly.js";

const transpose = (grid) => grid[0].map((_, j) => grid.map((row) => row[j]));

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
      colorbar: { title: { text: "loss" }, thickness: 12 },
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
  ];
  const layout = {
    template: bars.layout.template,
    height: 300,
    margin: { l: 60, r: 8, t: 8, b: 52 },
    xaxis: axis("adversarial direction, L∞ /255"),
    yaxis: { ...axis("random direction, L∞ /255"), scaleanchor: "x" },
  };
  await Plotly.react(el, data, layout, plotConfig(`lab-landscape-${id}`));
  el.dataset.plotted = "true";
}
