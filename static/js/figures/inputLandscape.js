// The loss around an image: for the example the reader picks, each model's loss on the plane of
// its adversarial direction and a shared random one (frames of the server-built figure, one per
// example). The summary reads the loss at the image and one attack budget out along each axis.
// A frame is swapped in with Plotly.react, not Plotly.animate: an animation without a redraw
// cannot repaint a heatmap, so the panels kept the first example while the summary moved on.

import { numSpan, viewSpan } from "../lib/format.js";
import { withArticle } from "../lib/names.js";
import { readInt, write } from "../lib/state.js";
import { createChart } from "../widgets/chart.js";
import { createPicker } from "../widgets/picker.js";
import { galleryTile } from "../widgets/traj.js";

export async function initInputLandscape({ landscape, gallery, sheet, opening }) {
  const classes = gallery.classes;
  const chartEl = document.getElementById("chart-input-landscape");
  const summary = document.getElementById("summary-input-landscape");
  const chart = await createChart(chartEl, "input-landscape");
  const n = landscape.images.length;
  const P = landscape.coords.length;
  const c = (P - 1) / 2;
  // the grid line one attack budget out from the image (the coords are symmetric around it)
  const out = landscape.coords.reduce(
    (best, x, i) =>
      Math.abs(x - landscape.distance) < Math.abs(landscape.coords[best] - landscape.distance) ? i : best,
    0,
  );
  let ex = readInt("land", 0, n - 1, Math.min(opening, n - 1));
  const picker = createPicker(document.getElementById("picker-input-landscape"), {
    count: n,
    value: ex,
    tile: gallery.tile,
    label: (i) => `Example ${i}: ${classes[landscape.images[i].label]}`,
    draw: galleryTile(gallery, sheet),
    onChange: (i) => {
      ex = i;
      render();
    },
  });
  picker.redraw();

  const frames = new Map(chart.spec.frames.map((f) => [f.name, f.data]));

  function render() {
    const im = landscape.images[ex];
    const data = structuredClone(chart.spec.data);
    frames.get(String(im.position)).forEach((trace, i) => (data[i] = structuredClone(trace)));
    chart.Plotly.react(chartEl, data, chartEl.layout);
    chartEl.dataset.shown = String(im.position);
    const parts = ["Example ", viewSpan(ex, "land"), `, ${withArticle(classes[im.label])}. `];
    landscape.model_ids.forEach((mid, j) => {
      const src = (i, k) => `input-landscape.images[${ex}].loss.${mid}[${i}][${k}]`;
      const loss = im.loss[mid];
      parts.push(
        j ? " " : "",
        j ? "Robust model: " : "Regular model: ",
        "loss ",
        numSpan(loss[c][c], "fixed", src(c, c), 2),
        " at the image, ",
        numSpan(loss[out][c], "fixed", src(out, c), 2),
        " one budget out along its adversarial direction (predicted ",
        classes[im.pred[mid][out][c]],
        "), ",
        numSpan(loss[c][out], "fixed", src(c, out), 2),
        " as far along the random one.",
      );
    });
    summary.replaceChildren(...parts);
    summary.dataset.land = String(ex);
    write({ land: ex });
  }

  render();
  return { picker };
}
