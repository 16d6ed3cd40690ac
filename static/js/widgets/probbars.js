// Racing bars of class probabilities, a Plotly bar chart: one bar per class, ranked by
// probability; on each update the bars glide to their new lengths and ranks (Plotly.animate, no
// motion under prefers-reduced-motion). The server's "bars" figure gives the layout and colours.
//
//   import { createProbBars } from "./probbars.js";
//   const bars = await createProbBars(el, { classes, title: "Regular model" });
//   bars.update(probs, { trueLabel: 3 });   // probs: 10 numbers in [0, 1]; returns the top class
//   bars.update(probs, { trueLabel: 3, mark: "clean prediction" });   // an image with no true class
//
// The bars are a picture (aria-hidden); pair them with an aria-live text summary (see summarize()).

import { pct } from "../lib/format.js";
import { figureSpec, motion, plotConfig, plotly } from "../lib/plotly.js";

export function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

export function ranking(probs) {
  return probs
    .map((p, i) => [p, i])
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .map(([, i]) => i);
}

// "cat 81.2 %, dog 9.1 %, frog 3.0 %": the top k classes in words.
export function summarize(probs, classes, k = 3) {
  return ranking(probs)
    .slice(0, k)
    .map((i) => `${classes[i]} ${pct(probs[i])}`)
    .join(", ");
}

export async function createProbBars(container, { classes, title = "", compact = false } = {}) {
  const [Plotly, spec] = await Promise.all([plotly(), figureSpec("bars")]);
  const { right, wrong, neutral } = spec.layout.meta;
  const root = document.createElement("div");
  root.className = `probbars${compact ? " probbars-compact" : ""}`;
  root.setAttribute("aria-hidden", "true");
  if (title) {
    const h = document.createElement("div");
    h.className = "probbars-title";
    h.textContent = title;
    root.append(h);
  }
  const plot = document.createElement("div");
  plot.className = "probbars-plot";
  root.append(plot);
  container.replaceChildren(root);
  // a copy per chart: Plotly keeps the arrays it is given, and every set of bars shares this spec
  await Plotly.react(
    plot,
    structuredClone(spec.data),
    structuredClone(spec.layout),
    plotConfig("bars", { modeBar: false }),
  );

  let last = null;
  let shown = null; // the ranks on screen
  let settle = 0;
  function update(probs, { trueLabel = null, mark = "true" } = {}) {
    last = probs;
    const rank = [];
    ranking(probs).forEach((cls, r) => (rank[cls] = r));
    const pred = argmax(probs);
    const fooled = trueLabel !== null && pred !== trueLabel;
    const color = probs.map((_, c) => (c === trueLabel ? right : c === pred && fooled ? wrong : neutral));
    const text = probs.map((p, c) => `${classes[c]}${c === trueLabel ? ` (${mark})` : ""}  ${pct(p)}`);
    const x = probs.map((p) => 100 * p);
    const how = motion(260);
    const frame = { data: [{ x, y: rank, text, marker: { color } }], traces: [0] };
    // two bars that swap places would drag their labels through each other: while the ranks change,
    // the labels fade out (article's widgets.css) and come back at their new rows
    const reranked = shown !== null && rank.some((r, c) => r !== shown[c]);
    shown = rank;
    if (how.transition.duration) {
      if (reranked) {
        root.classList.add("is-reranking");
        clearTimeout(settle);
        settle = setTimeout(() => root.classList.remove("is-reranking"), how.transition.duration + 40);
      }
      Plotly.animate(plot, frame, how).catch(() => {}); // a newer update took over
    } else Plotly.restyle(plot, { x: [x], y: [rank], text: [text], "marker.color": [color] }, [0]); // no glide: redraw at once
    root.dataset.pred = String(pred);
    root.dataset.true = trueLabel === null ? "" : String(trueLabel);
    root.classList.toggle("is-fooled", fooled);
    return pred;
  }

  return {
    element: root,
    update,
    get probs() {
      return last;
    },
  };
}
