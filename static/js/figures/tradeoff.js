// Section 4: clean and adversarial test accuracy per epoch for the regular and the adversarially
// trained model on one Plotly chart (built by the server); an epoch slider (or hover / tap on the
// chart) moves a cursor and the summary.

import { roleName } from "../lib/names.js";
import { accText, viewSpan } from "../lib/format.js";
import { readInt, write } from "../lib/state.js";
import { createStepper } from "../widgets/stepper.js";
import { createChart } from "../widgets/chart.js";

export async function initTradeoff({ training }) {
  const chartEl = document.getElementById("chart-tradeoff");
  const summary = document.getElementById("summary-tradeoff");
  const chart = await createChart(chartEl, "tradeoff", {
    onPick: (ex) => {
      const i = allEpochs.indexOf(ex);
      if (i >= 0) stepper.set(i, { source: "chart" });
    },
  });
  const shown = chart.spec.layout.meta.model_ids // the server's figure names the models it plots
    .map((id) => ({ id, mi: training.models.findIndex((h) => h.model.id === id) }))
    .filter((m) => m.mi >= 0);
  const allEpochs = [...new Set(shown.flatMap(({ mi }) => training.models[mi].epochs.map((r) => r.epoch)))].sort(
    (a, b) => a - b,
  );
  const last = allEpochs.length - 1;
  let k = Math.max(0, allEpochs.indexOf(readInt("tepoch", allEpochs[0], allEpochs[last], allEpochs[last])));

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

  function render() {
    const epoch = allEpochs[k];
    chart.cursor(epoch);
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
        ...accText(h.epochs[ri].clean_acc, `${src}.clean_acc`),
        " of clean images and ",
        ...accText(h.epochs[ri].pgd_acc, `${src}.pgd_acc`),
        " under attack",
      );
    });
    parts.push(".");
    summary.replaceChildren(...parts);
    summary.dataset.epoch = String(epoch);
    write({ tepoch: epoch });
  }

  render();
  return { stepper, chart };
}
