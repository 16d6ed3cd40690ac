// One Plotly chart from a server-built figure: rendered with Plotly.react, a dotted cursor (the
// figure's layout shape 0) that follows the reader's choice, and hover or tap reported as an x.
//
//   const chart = await createChart(el, "learning", { onPick: (x) => ..., onPoint: (point) => ... });
//   chart.cursor(12); chart.restyle({ x: [[1, 5]], y: [[90, 90]] }, [3]);

import { figureSpec, plotConfig, plotly } from "../lib/plotly.js";

export async function createChart(el, name, { onPick = null, onPoint = null } = {}) {
  const [Plotly, spec] = await Promise.all([plotly(), figureSpec(name)]);
  // copies: Plotly keeps (and edits) the arrays it is given, and the fetched spec is cached
  await Plotly.react(el, structuredClone(spec.data), structuredClone(spec.layout), plotConfig(name));
  if (spec.frames) await Plotly.addFrames(el, structuredClone(spec.frames));
  el.dataset.plotted = "true";
  // onPick gets the x under the pointer (an epoch, a step); onPoint the whole point (a heatmap cell)
  const pick = (ev) => {
    if (!ev.points || !ev.points.length) return;
    if (onPick) onPick(ev.points[0].x);
    if (onPoint) onPoint(ev.points[0]);
  };
  if (onPick || onPoint) {
    el.on("plotly_hover", pick);
    el.on("plotly_click", pick);
  }
  const hasCursor = Boolean(spec.layout.meta && spec.layout.meta.cursor); // shape 0 is an epoch cursor
  let at = null;
  return {
    el,
    Plotly,
    spec,
    cursor(x) {
      if (!hasCursor || x === at) return;
      at = x;
      Plotly.relayout(el, { "shapes[0].x0": x, "shapes[0].x1": x });
    },
    restyle(update, traces) {
      return Plotly.restyle(el, update, traces);
    },
    update(data, layout, traces) {
      return Plotly.update(el, data, layout, traces);
    },
  };
}
