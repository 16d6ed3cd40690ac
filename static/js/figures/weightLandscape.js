// The loss around the trained weights: a static server-built figure (1-D slice of both models on one
// axis, a 2-D plane per model); the summary states the 1-D slice's loss at its centre and ends.

import { numSpan, textSpan } from "../lib/format.js";
import { createChart } from "../widgets/chart.js";

export async function initWeightLandscape({ weights, run }) {
  await createChart(document.getElementById("chart-weight-landscape"), "weight-landscape");
  const summary = document.getElementById("summary-weight-landscape");
  const last = weights.coords_1d.length - 1;
  const mid = last / 2;
  const parts = [];
  weights.models.forEach((s, i) => {
    const mi = run.models.findIndex((m) => m.id === s.model_id);
    const label = mi < 0 ? s.model_id : textSpan(run.models[mi].label, `run.models[${mi}].label`);
    const at = (k) => numSpan(s.loss_1d[k], "fixed", `weight-landscape.models[${i}].loss_1d[${k}]`, 2);
    parts.push(
      i ? " " : "",
      label,
      ": training loss ",
      at(mid),
      " at the trained weights, ",
      at(0),
      " and ",
      at(last),
      " at the two ends of the slice.",
    );
  });
  summary.replaceChildren(...parts);
}
