// Section 2: one PGD attack, step by step. Pick any gallery image; the slider runs through steps
// 0 (the random start) to K and shows the adversarial image, the perturbation (stretched so the
// eps-ball fills black..white), the class probabilities, the loss and the perturbation's size.

import { numSpan, viewSpan } from "../lib/format.js";
import { drawTile } from "../lib/pixels.js";
import { createProbBars } from "../widgets/probbars.js";
import { readInt, write } from "../lib/state.js";
import { statRows } from "../widgets/statlist.js";
import { drawStep, loadSheets, modelTrajectory, trajectoryUrl, trajectoryViewer, verdict } from "../widgets/traj.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

// The loss at every step as a small line chart with a cursor at the current step.
function drawSparkline(el, losses, step, cleanLoss) {
  const W = 200;
  const H = 70;
  const pad = { l: 26, r: 6, t: 6, b: 16 };
  const all = [...losses, cleanLoss];
  const lo = Math.min(0, ...all);
  const hi = Math.max(...all) || 1;
  const x = (i) => pad.l + (i / Math.max(1, losses.length - 1)) * (W - pad.l - pad.r);
  const y = (v) => H - pad.b - ((v - lo) / (hi - lo || 1)) * (H - pad.t - pad.b);
  const path = losses.map((v, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join("");
  el.replaceChildren(
    svg("line", { class: "axis", x1: pad.l, x2: W - pad.r, y1: H - pad.b, y2: H - pad.b }),
    svg("line", { class: "cursor", x1: x(step), x2: x(step), y1: pad.t, y2: H - pad.b }),
    svg("path", { class: "line", d: path }),
    svg("circle", { class: "dot", cx: x(step), cy: y(losses[step]), r: 3.5 }),
    Object.assign(svg("text", { x: pad.l - 4, y: y(hi) + 3, "text-anchor": "end" }), { textContent: "loss" }),
    Object.assign(svg("text", { x: pad.l, y: H - 3 }), { textContent: "step →" }),
  );
}

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
  const spark = document.getElementById("loss-attack");
  const link = document.getElementById("traj-download");
  const bars = createProbBars(document.getElementById("bars-attack"), { classes, title: "Regular model" });

  const fallOf = (i) => (falls && falls[i] ? falls[i][modelId] : null);
  const viewer = trajectoryViewer({
    gallery,
    sheet,
    pickerEl: document.getElementById("picker-attack"),
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
    drawSparkline(
      spark,
      t.steps.map((s) => s.loss),
      step,
      t.clean.loss,
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

  await viewer.show();
  return viewer;
}
