// What the gradient looks at: pick a gallery image and see the input gradient of each model's loss,
// plain and SmoothGrad, beside the image (sprites from saliency.json, one tile per gallery image).
// The chart (server-built) gives the edge-correlation score of each model with its interval.

import { viewSpan } from "../lib/format.js";
import { withArticle } from "../lib/names.js";
import { drawTile, loadSprite } from "../lib/pixels.js";
import { readInt, write } from "../lib/state.js";
import { createChart } from "../widgets/chart.js";
import { addShowAll, createPicker } from "../widgets/picker.js";
import { galleryTile } from "../widgets/traj.js";

const PHONE_SHOWN = 30; // as the attack figure's gallery (article.css hides the rest on a phone)

export async function initGradients({ saliency, gallery, sheet, opening }) {
  const classes = gallery.classes;
  const n = gallery.images.length;
  const [regular, robust] = saliency.model_ids;
  const sheets = {};
  await Promise.all(
    saliency.model_ids.flatMap((mid) =>
      ["gradient", "smoothgrad"].map(async (kind) => {
        sheets[`${mid}-${kind}`] = await loadSprite(`/bundle/${saliency.sprites[mid][kind]}`);
      }),
    ),
  );
  await createChart(document.getElementById("chart-saliency"), "saliency");
  const summary = document.getElementById("summary-saliency");
  const canvases = {
    image: document.getElementById("saliency-image"),
    [`${regular}-gradient`]: document.getElementById("saliency-regular-gradient"),
    [`${robust}-gradient`]: document.getElementById("saliency-robust-gradient"),
    [`${regular}-smoothgrad`]: document.getElementById("saliency-regular-smoothgrad"),
    [`${robust}-smoothgrad`]: document.getElementById("saliency-robust-smoothgrad"),
  };
  const pickerEl = document.getElementById("picker-saliency");
  let pos = readInt("grad", 0, n - 1, opening);
  const picker = createPicker(pickerEl, {
    count: n,
    value: pos,
    tile: gallery.tile,
    label: (i) => `Image ${i}: ${classes[gallery.images[i].label]}`,
    draw: galleryTile(gallery, sheet),
    reveal: (i) => i >= PHONE_SHOWN && pickerEl.classList.add("is-expanded"),
    onChange: (i) => {
      pos = i;
      render();
    },
  });
  picker.redraw();
  addShowAll(pickerEl, n, PHONE_SHOWN);

  function render() {
    const g = gallery.images[pos];
    const at = { tile: gallery.tile, columns: gallery.columns, index: g.position };
    drawTile(canvases.image, sheet, at);
    for (const [key, s] of Object.entries(sheets)) drawTile(canvases[key], s, at);
    const name = withArticle(classes[g.label]);
    canvases.image.setAttribute("aria-label", `Image ${pos}, ${name}`);
    for (const mid of saliency.model_ids) {
      const who = mid === regular ? "regular" : "robust";
      canvases[`${mid}-gradient`].setAttribute("aria-label", `Input gradient of the ${who} model for image ${pos}`);
      canvases[`${mid}-smoothgrad`].setAttribute("aria-label", `SmoothGrad of the ${who} model for image ${pos}`);
    }
    summary.replaceChildren(
      "Image ",
      viewSpan(pos, "grad"),
      `, ${name}: where the robust model's gradient is large you can usually trace the outline of the `,
      `${classes[g.label]}; the regular model's is spread over the whole picture.`,
    );
    summary.dataset.grad = String(pos);
    write({ grad: pos });
  }

  render();
  return { picker };
}
