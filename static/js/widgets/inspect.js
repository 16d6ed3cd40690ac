// The lab's inspect view (POST /api/lab/inspect): per model, the image, its input gradient and its
// SmoothGrad as crisp pictures (one test-set tile each) side by side, then the loss landscape around the image as a
// heatmap, every model's on one colour scale; and a caption with how it was measured, every number
// taken from the response.
//
//   await showInspection(box, result, classes);   // box: an element the panels replace the contents of
//   captionEl.textContent = inspectCaption(result);

import { eps255, fixed } from "../lib/format.js";
import { drawTile, loadSprite, tileFigure } from "../lib/pixels.js";
import { modelPanel } from "./labpanel.js";
import { drawLandscape } from "./landscape.js";

// The landscape in words, for a screen reader: the loss at the grid's middle and at its far edges,
// as (adversarial, random) coordinates.
function describe(m, result, classes) {
  const last = m.loss.length - 1;
  const c = Math.round(last / 2);
  const where = (i, j) => `(${eps255(result.coords[i])}, ${eps255(result.coords[j])})`;
  const at = (i, j) => `${fixed(m.loss[i][j], 3)} at ${where(i, j)}, predicting ${classes[m.pred[i][j]]}`;
  return `Loss landscape of ${m.label}, as (adversarial, random) L∞ distances: ${at(c, c)}; ${at(last, c)}; ${at(c, last)}.`;
}

function panel(m, result, classes, tile) {
  const { el, tiles } = modelPanel(m.model_id, m.label);
  const of = `${m.label}, for the class ${classes[m.reference]}`;
  const canvases = {
    clean: tileFigure(tiles, tile, "image", "the image"),
    gradient: tileFigure(tiles, tile, "gradient", `input gradient of the loss of ${of}`),
    smoothgrad: tileFigure(tiles, tile, "SmoothGrad", `SmoothGrad gradient of the loss of ${of}`),
  };
  const chart = document.createElement("div");
  chart.className = "lab-landscape";
  chart.setAttribute("role", "img");
  chart.setAttribute("aria-label", describe(m, result, classes));
  const note = document.createElement("p");
  note.className = "lab-stats";
  const whose = result.source.label === null ? "its own clean prediction" : "the true class";
  note.textContent = `loss and gradients of ${classes[m.reference]}, ${whose}`;
  el.append(chart, note);
  return { el, canvases, chart };
}

export async function showInspection(box, result, classes) {
  const [clean, ...pictures] = await Promise.all([
    loadSprite(result.image),
    ...result.models.flatMap((m) => [loadSprite(m.gradient), loadSprite(m.smoothgrad)]),
  ]);
  const tile = clean.naturalHeight; // the image is one tile, the test set's own size
  const panels = result.models.map((m) => panel(m, result, classes, tile));
  const one = { tile, columns: 1, index: 0 };
  panels.forEach((p, i) => {
    drawTile(p.canvases.clean, clean, one);
    drawTile(p.canvases.gradient, pictures[2 * i], one);
    drawTile(p.canvases.smoothgrad, pictures[2 * i + 1], one);
  });
  box.replaceChildren(...panels.map((p) => p.el)); // in the page before drawing: Plotly sizes to it
  const top = Math.max(...result.models.flatMap((m) => m.loss.flat()));
  await Promise.all(
    result.models.map((m, i) =>
      drawLandscape(panels[i].chart, {
        coords: result.coords,
        loss: m.loss,
        pred: m.pred,
        classes,
        top,
        id: m.model_id,
      }),
    ),
  );
}

export function inspectCaption(result) {
  const { smoothgrad: sg, grid } = result;
  const n = grid.points;
  return (
    `Gradients: ${result.picture}. SmoothGrad averages the gradient over ${sg.samples} copies of the ` +
    `image with Gaussian noise of standard deviation ${sg.sigma} in [0, 1] pixel units (noise seed ` +
    `${sg.seed}). Landscape: the loss at ${n} × ${n} points, ` +
    `from −${eps255(grid.radius)} to ${eps255(grid.radius)} in L∞ distance along the model's adversarial ` +
    `direction (the sign of its loss gradient, x) and along a random sign direction both models share ` +
    `(seed ${grid.seed}, y); both maps use one colour scale. The same settings made the article's figures.`
  );
}
