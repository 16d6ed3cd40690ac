// The lab's attack view (POST /api/lab/attack): per model, the clean image, the adversarial image and
// the magnified perturbation at the chosen step, its probability bars and numbers; one stepper scrubs
// every model's trajectory at once.
//
//   const stepper = await showAttack(result, classes, { box, models, stepper, summary });  // elements

import { eps255, fixed } from "../lib/format.js";
import { drawTile, loadSprite, tileFigure } from "../lib/pixels.js";
import { modelPanel } from "./labpanel.js";
import { createProbBars, summarize } from "./probbars.js";
import { createStepper } from "./stepper.js";

function panel(run, tile) {
  const { el, tiles } = modelPanel(run.model_id, run.label);
  const fig = (caption) => tileFigure(tiles, tile, caption);
  const clean = fig("clean");
  const adv = fig("adversarial");
  const magnified = run.perturbation_scale > 1e-9; // eps = 0 draws plain grey: nothing to magnify
  const pert = fig(magnified ? `perturbation ×${fixed(0.5 / run.perturbation_scale, 0)}` : "perturbation");
  const bars = document.createElement("div");
  const stats = document.createElement("p");
  stats.className = "lab-stats";
  el.append(bars, stats);
  return { el, clean, adv, pert, barsEl: bars, bars: null, stats };
}

// Draws `result` into the elements (`box` holds the other three) and returns its stepper (stop it before drawing the next).
export async function showAttack(result, classes, into) {
  const panels = result.runs.map((run) => panel(run, result.tile));
  into.models.replaceChildren(...panels.map((p) => p.el));
  into.box.hidden = false; // before the bars: they size themselves to their (visible) panel
  await Promise.all(panels.map(async (p) => (p.bars = await createProbBars(p.barsEl, { classes, compact: true }))));
  const cleanSheet = await loadSprite(result.image);
  const sheets = await Promise.all(
    result.runs.map(async (run) => [await loadSprite(run.adversarial), await loadSprite(run.perturbation)]),
  );
  panels.forEach((p) => drawTile(p.clean, cleanSheet, { tile: result.tile, columns: 1, index: 0 }));
  const label = result.source.label;
  const noTruth = label === null || label === undefined; // an upload or a drawing
  const at = (k) => ({ tile: result.tile, columns: result.columns, index: k });
  const draw = (k) => {
    const lines = result.runs.map((run, i) => {
      const p = panels[i];
      const s = run.trajectory.steps[k];
      drawTile(p.adv, sheets[i][0], at(k));
      drawTile(p.pert, sheets[i][1], at(k));
      // an upload or a drawing has no true class: its mark is the model's clean prediction
      p.bars.update(s.probs, {
        trueLabel: noTruth ? run.reference : label,
        mark: noTruth ? "clean prediction" : "true",
      });
      p.stats.textContent =
        `predicts ${classes[s.pred]} · loss ${fixed(s.loss, 3)} · ` + `L∞ ${eps255(s.linf)} · L2 ${fixed(s.l2, 3)}`;
      return `${run.label}: ${summarize(s.probs, classes, 1)}`;
    });
    into.summary.textContent = `Step ${k} of ${result.params.steps}. ${lines.join(". ")}.`;
  };
  const stepper = createStepper(into.stepper, {
    min: 0,
    max: result.params.steps,
    value: result.params.steps,
    label: "Lab step",
    format: (v) => `step ${v} of ${result.params.steps}`,
    onChange: (v) => draw(v),
  });
  const flips = result.runs.map((r) => r.trajectory.first_misclassified).filter((v) => v !== null && v !== undefined);
  stepper.setMarks([...new Set(flips)]);
  draw(result.params.steps);
  return stepper;
}
