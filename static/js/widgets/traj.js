// PGD trajectories of one gallery image (GET /api/trajectories/{position}) and their sprite sheets,
// each fetched once and shared by the sections that show them.

import { whenNear } from "../lib/near.js";
import { drawTile, loadSprite } from "../lib/pixels.js";
import { createPicker } from "./picker.js";
import { createStepper } from "./stepper.js";

const cache = new Map();

export function trajectoryUrl(position) {
  return `/api/trajectories/${position}`;
}

export function fetchTrajectory(position) {
  if (!cache.has(position)) {
    const p = fetch(trajectoryUrl(position)).then((r) => {
      if (!r.ok) throw new Error(`GET ${trajectoryUrl(position)}: ${r.status}`);
      return r.json();
    });
    p.catch(() => cache.delete(position));
    cache.set(position, p);
  }
  return cache.get(position);
}

// { trajectory, index, src } for one model in a per-image response; src is the trajectory's path
// in that response ("trajectories/3.image.trajectories[1]") for checkable number spans.
export function modelTrajectory(resp, modelId) {
  const index = resp.image.trajectories.findIndex((t) => t.model_id === modelId);
  if (index < 0) return null;
  return {
    trajectory: resp.image.trajectories[index],
    index,
    src: `trajectories/${resp.image.position}.image.trajectories[${index}]`,
  };
}

// One image's strips against one model: [adversarial, perturbation], a tile per step. They are
// fetched only once `near` (the figure that shows them) comes within about a screen of the viewport
// or is used, and only for the images a reader looks at.
export function loadSheets(resp, modelId, near = null, kinds = ["adversarial", "perturbation"]) {
  const pair = resp.image.sprites[modelId];
  return (near ? whenNear(near) : Promise.resolve()).then(() =>
    Promise.all(kinds.map((kind) => loadSprite(`/bundle/${pair[kind]}`))),
  );
}

// Draw step `step` from an image's strip (one tile per step).
export function drawStep(canvas, strip, step, tile) {
  drawTile(canvas, strip, { tile, row: 0, col: step });
}

// draw(canvas, i): gallery image i from the gallery sprite, for pickers and the clean view.
export function galleryTile(gallery, sheet) {
  return (canvas, i) =>
    drawTile(canvas, sheet, { tile: gallery.tile, columns: gallery.columns, index: gallery.images[i].position });
}

// The PGD step slider of sections 2 and 3: 0 is the random start, K the last step.
export function stepStepper(el, K, value, onChange) {
  return createStepper(el, {
    min: 0,
    max: K,
    value,
    label: "Step",
    interval: 650,
    format: (v) => (v === 0 ? `step 0 of ${K} (random start)` : `step ${v} of ${K}`),
    onChange,
  });
}

// "frog ✗" in red or "cat ✓" in green.
export function verdict(classes, pred, label) {
  const el = document.createElement("span");
  const wrong = pred !== label;
  el.className = wrong ? "verdict-bad" : "verdict-ok";
  el.textContent = `${classes[pred]} ${wrong ? "✗" : "✓"}`;
  return el;
}

// One image choice plus one step slider driving a view of that image's trajectories (sections 2
// and 3). render(resp, image, step, index, isCurrent) draws; isCurrent() turns false once a newer
// choice has overtaken this one (sprite sheets arrive later).
export function trajectoryViewer({
  gallery,
  sheet,
  pickerEl,
  stepperEl,
  count,
  index,
  step,
  K,
  label,
  badge,
  reveal,
  render,
}) {
  let token = 0;
  const state = { index, step };
  async function show() {
    const mine = ++token;
    const image = gallery.images[state.index];
    const resp = await fetchTrajectory(image.position);
    if (mine === token) render(resp, image, state.step, state.index, () => mine === token);
  }
  const picker = createPicker(pickerEl, {
    count,
    value: state.index,
    tile: gallery.tile,
    label,
    badge,
    reveal,
    draw: galleryTile(gallery, sheet),
    onChange: (i) => {
      state.index = i;
      show();
    },
  });
  picker.redraw();
  const stepper = stepStepper(stepperEl, K, state.step, (v) => {
    state.step = v;
    show();
  });
  return { picker, stepper, show };
}
