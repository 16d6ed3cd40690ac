// Section 2: one PGD attack, step by step. Pick any gallery image; the slider runs through steps
// 0 (the random start) to K and shows the adversarial image, the perturbation (stretched so the
// eps-ball fills black..white), the class probabilities, the loss and the perturbation's size.

import { numSpan, viewSpan } from "../lib/format.js";
import { drawTile } from "../lib/pixels.js";
import { createChart } from "../widgets/chart.js";
import { addShowAll } from "../widgets/picker.js";
import { createProbBars } from "../widgets/probbars.js";
import { readInt, write } from "../lib/state.js";
import { statRows } from "../widgets/statlist.js";
import { drawStep, loadSheets, modelTrajectory, trajectoryUrl, trajectoryViewer, verdict } from "../widgets/traj.js";

const PHONE_SHOWN = 30; // gallery images a phone shows before "show all" (article.css, nth-child(n + 31))

export async function initAttack({ gallery, sheet, attack, falls, opening, modelId = "regular" }) {
  const classes = gallery.classes;
  const n = gallery.images.length;
  const K = attack.steps;
  const tile = gallery.tile;
  const figure = document.getElementById("fig-attack");
  const summary = document.getElementById("summary-attack");
  const clean = document.getElementById("attack-clean");
  const adv = document.getElementById("attack-adv");
  const delta = document.getElementById("attack-delta");
  const stats = document.getElementById("stats-attack");
  const lossEl = document.getElementById("loss-attack");
  const link = document.getElementById("traj-download");
  const [bars, lossChart] = await Promise.all([
    createProbBars(document.getElementById("bars-attack"), { classes, title: "Regular model" }),
    createChart(lossEl, "attack-loss"),
  ]);

  const fallOf = (i) => (falls && falls[i] ? falls[i][modelId] : null);
  const pickerEl = document.getElementById("picker-attack");
  // on a phone the gallery shows its first rows until the reader asks for the rest (article.css)
  const reveal = (i) => i >= PHONE_SHOWN && pickerEl.classList.add("is-expanded");
  const viewer = trajectoryViewer({
    gallery,
    sheet,
    pickerEl,
    reveal,
    stepperEl: document.getElementById("stepper-step"),
    count: n,
    index: readInt("atk", 0, n - 1, opening),
    step: readInt("step", 0, K, 0),
    K,
    label: (i) => {
      const f = fallOf(i);
      const cls = classes[gallery.images[i].label];
      if (f && f[2]) return `Image ${i}, ${cls}: misclassified even before the attack`;
      return `Image ${i}, ${cls}: ${f && f[0] !== null ? `misclassified from step ${f[0]}` : "never misclassified"}`;
    },
    badge: (i) => {
      const f = fallOf(i);
      if (!f) return null;
      if (f[2]) return { text: "×", cls: "clean-wrong" };
      return f[0] === null ? { text: "–", cls: "held" } : { text: String(f[0]), src: f[1] };
    },
    render,
  });

  function render(resp, g, step, pos, current) {
    const mt = modelTrajectory(resp, modelId);
    const t = mt.trajectory;
    const rec = t.steps[step];
    const src = `${mt.src}.steps[${step}]`;
    const pred = bars.update(rec.probs, { trueLabel: g.label });
    drawTile(clean, sheet, { tile, columns: gallery.columns, index: g.position });
    loadSheets(resp, modelId, figure).then(([advSheet, deltaSheet]) => {
      if (!current()) return;
      drawStep(adv, advSheet, step, tile);
      drawStep(delta, deltaSheet, step, tile);
    });
    const wrong = pred !== g.label;
    statRows(stats, [
      ["true class", classes[g.label]],
      ["prediction", verdict(classes, pred, g.label)],
      ["loss", numSpan(rec.loss, "fixed", `${src}.loss`, 3)],
      ["clean loss", numSpan(t.clean.loss, "fixed", `${mt.src}.clean.loss`, 3)],
      ["L∞ size", numSpan(rec.linf, "eps255", `${src}.linf`)],
      ["L₂ size", numSpan(rec.l2, "fixed", `${src}.l2`, 3)],
    ]);
    const losses = t.steps.map((s) => s.loss);
    lossChart.update(
      { x: [losses.map((_, i) => i), [step]], y: [losses, [losses[step]]] },
      { "shapes[0].y0": t.clean.loss, "shapes[0].y1": t.clean.loss },
      [0, 1],
    );
    const first = t.first_misclassified;
    const steps = numSpan(K, "int", `trajectories/${g.position}.attack.steps`);
    summary.replaceChildren(
      "Image ",
      viewSpan(pos, "atk"),
      ` (true class ${classes[g.label]}), step `,
      viewSpan(step, "step"),
      " of ",
      steps,
      `: the regular model says ${classes[pred]} with `,
      numSpan(rec.probs[pred], "pct", `${src}.probs[${pred}]`),
      wrong ? " (wrong)" : " (right)",
      "; loss ",
      numSpan(rec.loss, "fixed", `${src}.loss`, 3),
      ", perturbation L∞ ",
      numSpan(rec.linf, "eps255", `${src}.linf`),
      ", L₂ ",
      numSpan(rec.l2, "fixed", `${src}.l2`, 3),
      ". ",
      ...(t.clean.pred !== g.label
        ? ["The model got it wrong even before the attack."]
        : first === null
          ? ["It never falls within the ", steps.cloneNode(true), " steps."]
          : ["It is first misclassified at step ", numSpan(first, "int", `${mt.src}.first_misclassified`), "."]),
    );
    summary.dataset.step = String(step);
    summary.dataset.img = String(pos);
    link.href = trajectoryUrl(g.position);
    link.setAttribute("download", `trajectories-${g.position}.json`);
    write({ atk: pos, step });
  }

  addShowAll(pickerEl, n, PHONE_SHOWN);

  // the falls table below links each example here: switch the view in place, keeping every other
  // figure's choices (the link's own ?atk= URL still works without JavaScript)
  for (const a of document.querySelectorAll("#falls-table .example-link")) {
    a.addEventListener("click", (ev) => {
      ev.preventDefault();
      viewer.picker.set(Number(a.dataset.pos), { focus: true });
      figure.scrollIntoView({ block: "start" });
    });
  }
  await viewer.show();
  return viewer;
}
