// Plotly (vendored basic build, a classic script that defines window.Plotly) with the article's
// look: system fonts, quiet grid, no mode bar, no zoom (a drag should scroll the page on phones).

import { prefersReducedMotion } from "./motion.js";

export const COLORS = {
  regular: "#c2410c",
  robust: "#1f5fbf",
  ink: "#1b1f24",
  muted: "#4f5763",
  grid: "#e6e8ec",
  train: "#8a94a3",
  mark: "#c2410c",
};

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

export function plotly() {
  if (!window.Plotly) throw new Error("plotly.js did not load");
  return window.Plotly;
}

export function baseLayout(extra = {}) {
  const narrow = window.matchMedia("(max-width: 40rem)").matches;
  return {
    font: { family: FONT, size: narrow ? 11 : 12, color: COLORS.ink },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    margin: { l: 52, r: narrow ? 44 : 56, t: 16, b: 44 },
    hovermode: "x",
    dragmode: false,
    showlegend: true,
    legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: { size: narrow ? 10 : 12 } },
    hoverlabel: { font: { family: FONT } },
    xaxis: { gridcolor: COLORS.grid, zeroline: false, fixedrange: true },
    yaxis: { gridcolor: COLORS.grid, zeroline: false, fixedrange: true },
    ...extra,
  };
}

export const CONFIG = { displayModeBar: false, responsive: true, scrollZoom: false, doubleClick: false };

export function transition() {
  return prefersReducedMotion() ? { duration: 0 } : { duration: 350, easing: "cubic-in-out" };
}

// A vertical cursor at x (a layout shape), for charts driven by an epoch slider.
export function cursorShape(x) {
  return {
    type: "line",
    xref: "x",
    yref: "paper",
    x0: x,
    x1: x,
    y0: 0,
    y1: 1,
    line: { color: COLORS.ink, width: 1.5, dash: "dot" },
  };
}

// Calls fn(x) with the x of the hovered or tapped point (Plotly's hover and click events).
export function onPointX(el, fn) {
  const handle = (ev) => {
    const p = ev && ev.points && ev.points[0];
    if (p && typeof p.x === "number") fn(p.x);
  };
  el.on("plotly_hover", handle);
  el.on("plotly_click", handle);
}
