// The article's entry point: fetch each figure's data from the JSON API (the same routes the
// "download data" links offer), build the five figures, then mark the page ready:
// <html data-ready="true" data-ready-ms="..."> once every figure has rendered its first view.

import { initAttack } from "../figures/attack.js";
import { initDefense } from "../figures/defense.js";
import { initLearning } from "../figures/learning.js";
import { loadSprite } from "../lib/pixels.js";
import { initSteps } from "../figures/steps.js";
import { initSweep } from "../figures/sweep.js";
import { initTradeoff } from "../figures/tradeoff.js";
import { fetchTrajectory } from "../widgets/traj.js";

// The figures grow the page as they draw, which can carry a reader who arrived at /#section away
// from it; once they are drawn, go back to the section, unless the reader has moved on their own.
let readerMoved = false;
for (const type of ["wheel", "touchstart", "keydown", "mousedown"]) {
  addEventListener(type, () => (readerMoved = true), { once: true, passive: true });
}

function returnToHash() {
  const id = decodeURIComponent(location.hash.slice(1));
  const target = id && document.getElementById(id);
  if (target && !readerMoved) target.scrollIntoView({ behavior: "instant" }); // a jump back, not a tour
}

async function getJSON(name) {
  const r = await fetch(`/api/${name}`);
  if (!r.ok) throw new Error(`GET /api/${name}: ${r.status}`);
  return r.json();
}

function fail(figureId, err) {
  const fig = document.getElementById(figureId);
  if (!fig) return;
  const p = document.createElement("p");
  p.className = "figure-error";
  p.setAttribute("role", "alert");
  p.textContent = `This figure could not be drawn: ${err.message}`;
  fig.prepend(p);
  fig.dataset.failed = "true";
}

async function main() {
  const root = document.documentElement;
  const [run, training, gallery, epochProbs, sweep, evaluation] = await Promise.all(
    ["run", "training", "gallery", "epoch-probs", "sweep", "evaluation"].map(getJSON),
  );
  performance.mark("tour:data");
  const [sheet, first] = await Promise.all([
    loadSprite(`/bundle/${gallery.sprite}`),
    fetchTrajectory(gallery.images[0].position),
  ]);
  performance.mark("tour:images");
  const attack = first.attack;
  const modelIds = first.model_ids; // the figures' models, regular first, as the bundle lists them
  const fallsEl = document.getElementById("picker-attack");
  const falls = fallsEl && fallsEl.dataset.falls ? JSON.parse(fallsEl.dataset.falls) : null;

  // The example the figures open on: chosen by the server from the bundle (server/page.py, `opening`).
  const opening = Number(document.body.dataset.opening) || 0;
  const jobs = [
    ["fig-learning", () => initLearning({ training, epochProbs, gallery, sheet, opening })],
    ["fig-attack", () => initAttack({ gallery, sheet, attack, falls, opening })],
    ["fig-steps", () => initSteps({ evaluation, run })],
    ["fig-defense", () => initDefense({ gallery, sheet, attack, run, modelIds, opening })],
    ["fig-tradeoff", () => initTradeoff({ training, modelIds })],
    ["fig-sweep", () => initSweep({ sweep, attack })],
  ];
  const results = await Promise.allSettled(
    jobs.map(async ([id, job]) => {
      const start = performance.now();
      const out = await job();
      performance.measure(`tour:${id}`, { start });
      return out;
    }),
  );
  results.forEach((r, i) => {
    if (r.status === "rejected") fail(jobs[i][0], r.reason);
  });
  performance.mark("tour:ready");
  root.dataset.readyMs = String(Math.round(performance.now()));
  root.dataset.ready = results.every((r) => r.status === "fulfilled") ? "true" : "partial";
  returnToHash();
}

main().catch((err) => {
  document.documentElement.dataset.ready = "error";
  for (const id of ["fig-learning", "fig-attack", "fig-steps", "fig-defense", "fig-tradeoff", "fig-sweep"])
    fail(id, err);
});
