// plotly.js, loaded once, when the first chart comes near: neither the page's first paint nor a
// reader who never scrolls to a chart waits for its 1.5 MB. The server names the vendored file's
// hashed URL in <html data-plotly>, and each chart's figure (data, layout, frames) is
// /api/figures/{name}, built from the bundle.

import { prefersReducedMotion } from "./motion.js";

let library = null;
const figures = new Map();

export function plotly() {
  if (!library) {
    library = new Promise((resolve, reject) => {
      if (window.Plotly) return resolve(window.Plotly);
      const script = document.createElement("script");
      script.src = document.documentElement.dataset.plotly;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        library = null;
        reject(new Error("plotly.js could not be loaded"));
      };
      document.head.append(script);
    });
  }
  return library;
}

export function figureSpec(name) {
  if (!figures.has(name)) {
    const p = fetch(`/api/figures/${name}`).then((r) => {
      if (!r.ok) throw new Error(`GET /api/figures/${name}: ${r.status}`);
      return r.json();
    });
    p.catch(() => figures.delete(name));
    figures.set(name, p);
  }
  return figures.get(name);
}

// The mode bar holds one button, "download as PNG", drawn offline from the chart's own SVG.
export function plotConfig(filename, { modeBar = true } = {}) {
  return {
    displaylogo: false,
    responsive: true,
    scrollZoom: false,
    doubleClick: false,
    displayModeBar: modeBar ? "hover" : false,
    modeBarButtons: [["toImage"]],
    toImageButtonOptions: { filename: `robustness-tour-${filename}`, format: "png", scale: 2 },
  };
}

// Transition settings for Plotly.animate: none when the reader asked for less motion.
export function motion(ms) {
  const duration = prefersReducedMotion() ? 0 : ms;
  // without a transition, redraw: a zero-length animation alone leaves some attributes (colours) stale
  return {
    transition: { duration, easing: "cubic-in-out" },
    frame: { duration, redraw: duration === 0 },
    mode: "immediate",
  };
}
