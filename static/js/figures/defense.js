// Section 3: the same attack against the regular and the adversarially trained model, one image
// choice and one slider for both, so the reader sees the two sets of probabilities side by side.

import { numSpan, textSpan, viewSpan } from "../lib/format.js";
import { roleName } from "../lib/names.js";
import { createProbBars } from "../widgets/probbars.js";
import { readInt, write } from "../lib/state.js";
import { drawStep, loadSheets, modelTrajectory, trajectoryUrl, trajectoryViewer, verdict } from "../widgets/traj.js";
import { statRows } from "../widgets/statlist.js";

function modelLabel(run, id) {
  const m = run.models.find((x) => x.id === id);
  return m ? m.label : id;
}

function modelSpan(run, id) {
  const i = run.models.findIndex((x) => x.id === id);
  return i < 0 ? id : textSpan(run.models[i].label, `run.models[${i}].label`);
}

export async function initDefense({ gallery, sheet, attack, run, modelIds, opening }) {
  const classes = gallery.classes;
  const nEx = Math.min(gallery.n_examples, gallery.images.length);
  const K = attack.steps;
  const tile = gallery.tile;
  const figure = document.getElementById("fig-defense");
  const summary = document.getElementById("summary-defense");
  const link = document.getElementById("traj-download-defense");
  const versus = document.getElementById("versus");

  const sides = modelIds.map((id) => {
    const tileFig = (caption, label) => {
      const wrap = document.createElement("div");
      wrap.className = "tile-fig";
      const c = document.createElement("canvas");
      c.className = "pixels big";
      c.width = tile;
      c.height = tile;
      c.setAttribute("role", "img");
      c.setAttribute("aria-label", label);
      const span = document.createElement("span");
      span.textContent = caption;
      wrap.append(c, span);
      return [wrap, c];
    };
    const side = document.createElement("div");
    side.className = `side side-${id === "regular" ? "regular" : "robust"}`;
    const h = document.createElement("h3");
    h.append(modelSpan(run, id));
    const top = document.createElement("div");
    top.className = "side-top";
    // the perturbation is stretched like section 2's: the robust model's is visibly structured
    const [advWrap, canvas] = tileFig("adversarial", `Adversarial image against the ${modelLabel(run, id)}`);
    const [deltaWrap, delta] = tileFig("perturbation, stretched", `Perturbation against the ${modelLabel(run, id)}`);
    const dl = document.createElement("dl");
    dl.className = "stat-list";
    top.append(advWrap, deltaWrap, dl);
    const barsEl = document.createElement("div");
    side.append(h, top, barsEl);
    versus.append(side);
    return { id, canvas, delta, dl, barsEl, bars: null };
  });
  await Promise.all(sides.map(async (s) => (s.bars = await createProbBars(s.barsEl, { classes, compact: true }))));

  const viewer = trajectoryViewer({
    gallery,
    sheet,
    pickerEl: document.getElementById("picker-defense"),
    stepperEl: document.getElementById("stepper-defense"),
    count: nEx,
    index: readInt("cmp", 0, nEx - 1, opening),
    step: readInt("cstep", 0, K, 0),
    K,
    label: (i) => `Example ${i}: ${classes[gallery.images[i].label]}`,
    render,
  });

  function render(resp, g, step, img, current) {
    const parts = [];
    for (const side of sides) {
      const mt = modelTrajectory(resp, side.id);
      if (!mt) continue;
      const rec = mt.trajectory.steps[step];
      const src = `${mt.src}.steps[${step}]`;
      const pred = side.bars.update(rec.probs, { trueLabel: g.label });
      const wrong = pred !== g.label;
      statRows(side.dl, [
        ["prediction", verdict(classes, pred, g.label)],
        ["confidence", numSpan(rec.probs[pred], "pct", `${src}.probs[${pred}]`)],
        ["loss", numSpan(rec.loss, "fixed", `${src}.loss`, 3)],
      ]);
      loadSheets(resp, side.id, figure).then(([advSheet, deltaSheet]) => {
        if (!current()) return;
        drawStep(side.canvas, advSheet, step, tile);
        drawStep(side.delta, deltaSheet, step, tile);
      });
      parts.push(
        parts.length ? "; the " : "the ",
        `${roleName(side.id)} says ${classes[pred]} (`,
        numSpan(rec.probs[pred], "pct", `${src}.probs[${pred}]`),
        wrong ? ", wrong)" : ", right)",
      );
    }
    summary.replaceChildren(
      `Example `,
      viewSpan(img, "cmp"),
      ` (true class ${classes[g.label]}) at step `,
      viewSpan(step, "cstep"),
      " of ",
      numSpan(K, "int", `trajectories/${g.position}.attack.steps`),
      ": ",
      ...parts,
      ".",
    );
    summary.dataset.step = String(step);
    summary.dataset.img = String(img);
    link.href = trajectoryUrl(g.position);
    link.setAttribute("download", `trajectories-${g.position}.json`);
    write({ cmp: img, cstep: step });
  }

  await viewer.show();
  return viewer;
}
