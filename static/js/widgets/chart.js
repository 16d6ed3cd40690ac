// One Plotly chart from a server-built figure: rendered with Plotly.react, a dotted cursor (the
// figure's layout shape 0) that follows the reader's choice, and hover or tap reported as an x.
// A figure may carry layout.meta.narrow, a layout patch for charts narrower than NARROW px: a
// phone gets its own legend place, titles and panel arrangement, switched as the width changes.
// Small charts get no mode bar: over a 200-px chart it hides the very points it would export.
//
//   const chart = await createChart(el, "learning", { onPick: (x) => ..., onPoint: (point) => ... });
//   chart.cursor(12); chart.restyle({ x: [[1, 5]], y: [[90, 90]] }, [3]);

import { figureSpec, plotConfig, plotly } from "../lib/plotly.js";

const NARROW = 560;

// patch merged into base: objects key by key, arrays item by item (annotations, axes' tick lists
// are replaced where the patch's item is not an object)
export function merged(base, patch) {
  if (Array.isArray(patch) && Array.isArray(base)) return base.map((b, i) => (i in patch ? merged(b, patch[i]) : b));
  if (!patch || typeof patch !== "object" || Array.isArray(patch) || !base || typeof base !== "object") return patch;
  const out = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = k in base ? merged(base[k], v) : v;
  return out;
}

function layoutFor(spec, narrow) {
  const layout = structuredClone(spec.layout);
  const patch = layout.meta && layout.meta.narrow;
  return narrow && patch ? merged(layout, patch) : layout;
}

// The x of the data nearest a pointer's position over the plot area (for a tap, which Plotly
// reports as no hover and so no click).
function xAt(el, clientX) {
  const xa = el._fullLayout && el._fullLayout.xaxis;
  if (!xa) return null;
  const x = xa.p2d(clientX - el.getBoundingClientRect().left - xa._offset);
  const xs = el.data.flatMap((t) => (t.xaxis && t.xaxis !== "x" ? [] : Array.from(t.x || [])));
  return xs.length ? xs.reduce((a, b) => (Math.abs(b - x) < Math.abs(a - x) ? b : a)) : null;
}

export async function createChart(el, name, { onPick = null, onPoint = null } = {}) {
  const [Plotly, spec] = await Promise.all([plotly(), figureSpec(name)]);
  const modeBar = !el.matches(".chart-small, .chart-loss");
  let narrow = el.clientWidth < NARROW;
  // copies: Plotly keeps (and edits) the arrays it is given, and the fetched spec is cached
  await Plotly.react(el, structuredClone(spec.data), layoutFor(spec, narrow), plotConfig(name, { modeBar }));
  if (spec.frames) await Plotly.addFrames(el, structuredClone(spec.frames));
  el.dataset.plotted = "true";
  el.dataset.narrow = String(narrow);
  if (spec.layout.meta && spec.layout.meta.narrow && typeof ResizeObserver === "function") {
    new ResizeObserver(() => {
      const now = el.clientWidth < NARROW;
      if (now === narrow || !el.clientWidth) return;
      narrow = now;
      el.dataset.narrow = String(narrow);
      const layout = layoutFor(spec, narrow);
      if (hasCursor && at !== null) Object.assign(layout.shapes[0], { x0: at, x1: at });
      Plotly.react(el, el.data, layout);
    }).observe(el);
  }
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
  if (onPick) {
    let down = null;
    el.addEventListener("pointerdown", (ev) => (down = ev.pointerType === "mouse" ? null : ev));
    el.addEventListener("pointerup", (ev) => {
      if (!down || Math.hypot(ev.clientX - down.clientX, ev.clientY - down.clientY) > 10) return;
      if (!ev.target.closest || !ev.target.closest(".nsewdrag")) return; // a tap on the plot area
      const x = xAt(el, ev.clientX);
      if (x !== null) onPick(x);
    });
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
