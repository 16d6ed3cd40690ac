// Section 2, second figure: of the test images each model gets right, the share it still gets right
// after k PGD steps (k = 0 is the random start), all read off one PGD-50 run; an image counts as
// fooled from the first step that fools it. A step slider (keys, buttons) or hovering or tapping
// the chart picks the step the summary reads out; it opens at step 3, the step the prose discusses.

import { accText, numSpan, textSpan } from "../lib/format.js";
import { readInt, write } from "../lib/state.js";
import { createChart } from "../widgets/chart.js";
import { createStepper } from "../widgets/stepper.js";

const OPEN_STEP = 3; // the prose's "after three steps"

export async function initSteps({ evaluation, run }) {
  const chartEl = document.getElementById("chart-steps");
  const summary = document.getElementById("summary-steps");
  const label = (id) => run.models.find((m) => m.id === id)?.label ?? id;
  const labelSpan = (id) => textSpan(label(id), `run.models[${run.models.findIndex((m) => m.id === id)}].label`);
  const models = evaluation.models.map((m, mi) => ({ m, mi }));
  const steps = [...new Set(models.flatMap(({ m }) => m.steps_curve.map((p) => p.steps)))].sort((a, b) => a - b);
  const chart = await createChart(chartEl, "steps", {
    onPick: (k) => steps.includes(k) && stepper.set(steps.indexOf(k), { source: "chart" }),
  });
  const first = Math.max(0, steps.indexOf(readInt("ksteps", steps[0], steps[steps.length - 1], OPEN_STEP)));
  const stepper = createStepper(document.getElementById("stepper-steps"), {
    min: 0,
    max: steps.length - 1,
    value: first,
    label: "PGD step count",
    format: (i) => `after ${steps[i]} ${steps[i] === 1 ? "step" : "steps"}`,
    onChange: (i) => render(steps[i]),
  });

  function render(k) {
    const parts = [];
    for (const { m, mi } of models) {
      const pi = m.steps_curve.findIndex((p) => p.steps === k);
      if (pi < 0) continue; // a model whose curve stops earlier has nothing to say at k
      const src = `evaluation.models[${mi}].steps_curve[${pi}]`;
      if (!parts.length) parts.push("After ", numSpan(k, "int", `${src}.steps`), k === 1 ? " step: " : " steps: ");
      else parts.push("; ");
      parts.push(labelSpan(m.model_id), " keeps ", ...accText(m.steps_curve[pi].accuracy, `${src}.accuracy`));
    }
    parts.push(" of the images it classified correctly before the attack.");
    summary.replaceChildren(...parts);
    summary.dataset.step = String(k);
    chart.cursor(k);
    write({ ksteps: k });
  }

  render(steps[first]);
  return { chart, stepper };
}
