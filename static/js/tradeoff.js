// Section 4: clean and adversarial test accuracy per epoch for the regular and the adversarially
// trained model on one chart; an epoch slider (or hover / tap) moves a cursor and the summary.

import { COLORS, CONFIG, baseLayout, cursorShape, onPointX, plotly } from "./charts.js";
import { roleName } from "./defense.js";
import { numSpan, viewSpan } from "./format.js";
import { readInt, write } from "./state.js";
import { createStepper } from "./stepper.js";

export async function initTradeoff({ training, modelIds }) {
  const P = plotly();
  const chartEl = document.getElementById("chart-tradeoff");
  const summary = document.getElementById("summary-tradeoff");
  const shown = modelIds
    .map((id) => ({ id, mi: training.models.findIndex((h) => h.model.id === id) }))
    .filter((m) => m.mi >= 0);
  const color = (id) => (id === "regular" ? COLORS.regular : COLORS.robust);
  const traces = shown.flatMap(({ id, mi }) => {
    const h = training.models[mi];
    const x = h.epochs.map((r) => r.epoch);
    return [
      {
        x,
        y: h.epochs.map((r) => r.clean_acc * 100),
        name: `${h.model.label}, clean`,
        mode: "lines+markers",
        line: { color: color(id), width: 2.5 },
        marker: { size: 6 },
        hovertemplate: `%{y:.1f} %<extra>${h.model.label}, clean</extra>`,
      },
      {
        x,
        y: h.epochs.map((r) => r.pgd_acc * 100),
        name: `${h.model.label}, under attack`,
        mode: "lines+markers",
        line: { color: color(id), width: 2.5, dash: "dash" },
        marker: { size: 6, symbol: "circle-open" },
        hovertemplate: `%{y:.1f} %<extra>${h.model.label}, under PGD</extra>`,
      },
    ];
  });
  const allEpochs = [...new Set(shown.flatMap(({ mi }) => training.models[mi].epochs.map((r) => r.epoch)))].sort(
    (a, b) => a - b,
  );
  const last = allEpochs.length - 1;
  const layout = (epoch) =>
    baseLayout({
      xaxis: { ...baseLayout().xaxis, title: { text: "epoch" }, dtick: allEpochs.length > 12 ? undefined : 1 },
      yaxis: { ...baseLayout().yaxis, title: { text: "test accuracy (%)" }, range: [0, 100] },
      shapes: [cursorShape(epoch)],
    });
  const fromUrl = readInt("tepoch", allEpochs[0], allEpochs[last], allEpochs[last]);
  let k = Math.max(0, allEpochs.indexOf(fromUrl));
  await P.newPlot(chartEl, traces, layout(allEpochs[k]), CONFIG);

  const stepper = createStepper(document.getElementById("stepper-tradeoff"), {
    min: 0,
    max: last,
    value: k,
    label: "Epoch",
    format: (v) => `epoch ${allEpochs[v]} of ${allEpochs[last]}`,
    onChange: (v) => {
      k = v;
      render();
    },
  });
  onPointX(chartEl, (ex) => {
    const i = allEpochs.indexOf(ex);
    if (i >= 0) stepper.set(i, { source: "chart" });
  });

  function render(redraw = true) {
    const epoch = allEpochs[k];
    if (redraw) P.react(chartEl, traces, layout(epoch), CONFIG);
    const parts = ["After epoch ", viewSpan(epoch, "tepoch"), ": "];
    shown.forEach(({ mi }, j) => {
      const h = training.models[mi];
      const ri = h.epochs.findIndex((r) => r.epoch === epoch);
      parts.push(j ? "; the " : "the ", roleName(h.model.id));
      if (ri < 0) {
        parts.push(" was not trained this long");
        return;
      }
      const src = `training.models[${mi}].epochs[${ri}]`;
      parts.push(
        " is right on ",
        numSpan(h.epochs[ri].clean_acc, "pct", `${src}.clean_acc`),
        " of clean images and ",
        numSpan(h.epochs[ri].pgd_acc, "pct", `${src}.pgd_acc`),
        " under attack",
      );
    });
    parts.push(".");
    summary.replaceChildren(...parts);
    summary.dataset.epoch = String(epoch);
    write({ tepoch: epoch });
  }

  render(false);
  return { stepper };
}
