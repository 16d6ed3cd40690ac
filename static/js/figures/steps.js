// Section 2, second figure: of the test images each model gets right, the share it still gets right
// after k PGD steps (k = 0 is the random start), all read off one PGD-50 run; an image counts as
// fooled from the first step that fools it. Hover or tap the chart to read a step.

import { accText, numSpan, textSpan } from "../lib/format.js";
import { createChart } from "../widgets/chart.js";

export async function initSteps({ evaluation, run }) {
  const chartEl = document.getElementById("chart-steps");
  const summary = document.getElementById("summary-steps");
  const label = (id) => run.models.find((m) => m.id === id)?.label ?? id;
  const labelSpan = (id) => textSpan(label(id), `run.models[${run.models.findIndex((m) => m.id === id)}].label`);
  const models = evaluation.models.map((m, mi) => ({ m, mi }));
  const chart = await createChart(chartEl, "steps", { onPick: (k) => render(k) });

  function render(k) {
    const parts = [];
    models.forEach(({ m, mi }, j) => {
      const pi = m.steps_curve.findIndex((p) => p.steps === k);
      if (pi < 0) return;
      const src = `evaluation.models[${mi}].steps_curve[${pi}]`;
      if (!parts.length) parts.push("After ", numSpan(k, "int", `${src}.steps`), k === 1 ? " step: " : " steps: ");
      parts.push(
        j ? "; " : "",
        labelSpan(m.model_id),
        " keeps ",
        ...accText(m.steps_curve[pi].accuracy, `${src}.accuracy`),
      );
    });
    parts.push(" of the images it classified correctly before the attack.");
    summary.replaceChildren(...parts);
    summary.dataset.step = String(k);
  }

  render(3);
  return { chart };
}
