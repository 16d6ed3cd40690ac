// The article's entry point. Each figure is built when its section comes within about a screen of
// the viewport (or the reader uses it): only then are its data, its images and plotly.js fetched.
// A drawn figure gets <figure data-state="ready">; <html data-ready="true" data-ready-ms="...">
// says that every figure near the viewport at load has drawn its first view.

import { initAttack } from "../figures/attack.js";
import { initCapacity } from "../figures/capacity.js";
import { initDefense } from "../figures/defense.js";
import { initGradients } from "../figures/gradients.js";
import { initInputLandscape } from "../figures/inputLandscape.js";
import { initLearning } from "../figures/learning.js";
import { initOpening } from "../figures/opening.js";
import { initPaint } from "../figures/paint.js";
import { initSteps } from "../figures/steps.js";
import { initSweep } from "../figures/sweep.js";
import { initSweepGrid } from "../figures/sweepGrid.js";
import { initTradeoff } from "../figures/tradeoff.js";
import { initTransfer } from "../figures/transfer.js";
import { initWeightLandscape } from "../figures/weightLandscape.js";
import { whenNear } from "../lib/near.js";
import { loadSprite } from "../lib/pixels.js";
import { initCitations } from "../widgets/cite.js";
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

const documents = new Map();
function doc(name) {
  if (!documents.has(name)) {
    const p = fetch(`/api/${name}`).then((r) => {
      if (!r.ok) throw new Error(`GET /api/${name}: ${r.status}`);
      return r.json();
    });
    p.catch(() => documents.delete(name));
    documents.set(name, p);
  }
  return documents.get(name);
}
const docs = (...names) => Promise.all(names.map(doc));

// the gallery sprite, shared by every figure that shows gallery images (loadSprite caches it)
const gallerySheet = (gallery) => loadSprite(`/bundle/${gallery.sprite}`);

// The example the figures open on: chosen by the server from the bundle (server/page.py, `opening`).
const opening = Number(document.body.dataset.opening) || 0;

// The first trajectory carries the attack and the models the figures show, regular first.
async function withTrajectory() {
  const [gallery, run] = await docs("gallery", "run");
  const [pictures, first] = await Promise.all([
    gallerySheet(gallery),
    fetchTrajectory(gallery.images[opening].position),
  ]);
  return { gallery, run, sheet: pictures, attack: first.attack, modelIds: first.model_ids };
}

function falls() {
  const el = document.getElementById("picker-attack");
  return el && el.dataset.falls ? JSON.parse(el.dataset.falls) : null;
}

const FIGURES = {
  "fig-opening": async () => initOpening({ ...(await withTrajectory()), opening }),
  "fig-learning": async () => {
    const [training, epochProbs, gallery] = await docs("training", "epoch-probs", "gallery");
    return initLearning({ training, epochProbs, gallery, sheet: await gallerySheet(gallery), opening });
  },
  "fig-attack": async () => initAttack({ ...(await withTrajectory()), falls: falls(), opening }),
  "fig-steps": async () => {
    const [evaluation, run] = await docs("evaluation", "run");
    return initSteps({ evaluation, run });
  },
  "fig-defense": async () => initDefense({ ...(await withTrajectory()), opening }),
  "fig-tradeoff": async () => {
    return initTradeoff({ training: await doc("training") });
  },
  "fig-sweep": async () => initSweep({ sweep: await doc("sweep") }),
  "fig-sweep-grid": async () => initSweepGrid({ sweep: await doc("sweep") }),
  "fig-transfer": async () => {
    const [transfer, { modelIds, run }] = await Promise.all([doc("transfer"), withTrajectory()]);
    return initTransfer({ transfer, modelIds, run });
  },
  "fig-saliency": async () => {
    const [saliency, gallery] = await docs("saliency", "gallery");
    return initGradients({ saliency, gallery, sheet: await gallerySheet(gallery), opening });
  },
  "fig-paint": async () => {
    const [paint, gallery] = await docs("paint", "gallery");
    return initPaint({ paint, gallery });
  },
  "fig-input-landscape": async () => {
    const [landscape, gallery] = await docs("input-landscape", "gallery");
    return initInputLandscape({ landscape, gallery, sheet: await gallerySheet(gallery), opening });
  },
  "fig-capacity": async () => initCapacity({ capacity: await doc("capacity") }),
  "fig-weight-landscape": async () => {
    const [weights, run] = await docs("weight-landscape", "run");
    return initWeightLandscape({ weights, run });
  },
};

function fail(fig, err) {
  const p = document.createElement("p");
  p.className = "figure-error";
  p.setAttribute("role", "alert");
  p.textContent = `This figure could not be drawn: ${err.message}`;
  fig.prepend(p);
  fig.dataset.state = "failed";
}

async function draw(fig, build) {
  await whenNear(fig);
  const start = performance.now();
  try {
    await build();
    performance.measure(`tour:${fig.id}`, { start });
    fig.dataset.state = "ready";
    fig.dataset.readyMs = String(Math.round(performance.now()));
    return true;
  } catch (err) {
    fail(fig, err);
    return false;
  }
}

// The figures near the viewport once the page has laid out (and jumped to any #section): the first
// report of an observer lists every target, so it answers for the place the reader actually is.
function nearAtLoad(figs) {
  return new Promise((resolve) => {
    if (!figs.length || typeof IntersectionObserver !== "function") return resolve(figs);
    const io = new IntersectionObserver(
      (entries) => {
        io.disconnect();
        resolve(entries.filter((e) => e.isIntersecting).map((e) => e.target));
      },
      { rootMargin: "100% 0px" },
    );
    figs.forEach((f) => io.observe(f));
  });
}

async function main() {
  const root = document.documentElement;
  initCitations();
  const figures = Object.entries(FIGURES)
    .map(([id, build]) => [document.getElementById(id), build])
    .filter(([fig]) => fig);
  const drawn = new Map(figures.map(([fig, build]) => [fig, draw(fig, build)]));
  const first = await nearAtLoad([...drawn.keys()]);
  const firstDone = await Promise.all(first.map((fig) => drawn.get(fig)));
  performance.mark("tour:ready");
  root.dataset.readyMs = String(Math.round(performance.now()));
  root.dataset.ready = firstDone.every(Boolean) ? "true" : "partial";
  returnToHash();
}

main();
