// The opening figure: the article's story in one row. The opening example clean, the perturbation
// the attack found against the regular model, and the attacked image as each model sees it after
// the last PGD step, with each model's answer.

import { numSpan, textSpan } from "../lib/format.js";
import { drawTile } from "../lib/pixels.js";
import { drawStep, fetchTrajectory, loadSheets, modelTrajectory } from "../widgets/traj.js";

export async function initOpening({ gallery, sheet, run, attack, modelIds, opening }) {
  const classes = gallery.classes;
  const g = gallery.images[opening];
  const tile = gallery.tile;
  const resp = await fetchTrajectory(g.position);
  const K = attack.steps;
  drawTile(document.getElementById("opening-clean"), sheet, { tile, columns: gallery.columns, index: g.position });
  const [regularId, robustId] = modelIds;
  const parts = [`A ${classes[g.label]} from the test set. `];
  await Promise.all(
    [regularId, robustId].filter(Boolean).map(async (id, side) => {
      const [adv, delta] = await loadSheets(resp, id);
      drawStep(document.getElementById(`opening-adv-${side ? "robust" : "regular"}`), adv, K, tile);
      if (!side) drawStep(document.getElementById("opening-delta"), delta, K, tile);
    }),
  );
  [regularId, robustId].filter(Boolean).forEach((id, side) => {
    const mt = modelTrajectory(resp, id);
    const last = mt.trajectory.steps[K];
    const mi = run.models.findIndex((m) => m.id === id);
    const label = document.getElementById(`opening-${side ? "robust" : "regular"}`);
    label.replaceChildren(`${side ? "robust" : "regular"} model: ${classes[last.pred]}`);
    label.classList.toggle("verdict-bad", last.pred !== g.label);
    label.classList.toggle("verdict-ok", last.pred === g.label);
    parts.push(
      side ? "; the " : "After the attack the ",
      textSpan(run.models[mi].label, `run.models[${mi}].label`),
      ` model says ${classes[last.pred]} (`,
      numSpan(last.probs[last.pred], "pct", `${mt.src}.steps[${K}].probs[${last.pred}]`),
      last.pred === g.label ? ", right)" : ", wrong)",
    );
  });
  parts.push(".");
  document.getElementById("summary-opening").replaceChildren(...parts);
}
