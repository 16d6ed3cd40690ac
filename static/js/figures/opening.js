// The opening figure: the article's story in one row. The opening example clean, the perturbation
// the attack found against the regular model, and the attacked image as each model sees it after
// the last PGD step, with each model's answer.

import { numSpan, textSpan } from "../lib/format.js";
import { roleName, withArticle } from "../lib/names.js";
import { drawTile } from "../lib/pixels.js";
import { drawStep, fetchTrajectory, loadSheets, modelTrajectory } from "../widgets/traj.js";

export async function initOpening({ gallery, sheet, run, attack, modelIds, opening }) {
  const classes = gallery.classes;
  const g = gallery.images[opening];
  const tile = gallery.tile;
  const K = attack.steps;
  const resp = await fetchTrajectory(g.position);
  drawTile(document.getElementById("opening-clean"), sheet, { tile, columns: gallery.columns, index: g.position });
  // the figures' models, regular first; a bundle without a robust model shows only the regular side
  const sides = modelIds
    .slice(0, 2)
    .map((id, i) => ({ id, side: i ? "robust" : "regular", mt: modelTrajectory(resp, id) }))
    .filter((s) => s.mt);
  const sheets = await Promise.all(sides.map((s) => loadSheets(resp, s.id)));
  const parts = [`${withArticle(classes[g.label])} from the test set. `];
  parts[0] = parts[0][0].toUpperCase() + parts[0].slice(1);
  sides.forEach(({ id, side, mt }, i) => {
    const last = mt.trajectory.steps[K];
    drawStep(document.getElementById(`opening-adv-${side}`), sheets[i][0], K, tile);
    if (!i) drawStep(document.getElementById("opening-delta"), sheets[i][1], K, tile);
    const right = last.pred === g.label;
    const label = document.getElementById(`opening-${side}`);
    label.textContent = `${roleName(id)}: ${classes[last.pred]}`;
    label.classList.toggle("verdict-bad", !right);
    label.classList.toggle("verdict-ok", right);
    const mi = run.models.findIndex((m) => m.id === id);
    parts.push(
      i ? "; the " : "After the attack the ",
      mi >= 0 ? textSpan(run.models[mi].label, `run.models[${mi}].label`) : id,
      ` model says ${classes[last.pred]} (`,
      numSpan(last.probs[last.pred], "pct", `${mt.src}.steps[${K}].probs[${last.pred}]`),
      right ? ", right)" : ", wrong)",
    );
  });
  parts.push(".");
  document.getElementById("summary-opening").replaceChildren(...parts);
}
