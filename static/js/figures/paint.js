// Painting a class: every example (rows, and a neutral start last) pushed toward every class
// (columns) by each model, at the step the slider picks. Pick a cell (click or tap a sheet, or the
// two menus) and the chart follows both models' probability of its target along the push.

import { numSpan } from "../lib/format.js";
import { loadSprite } from "../lib/pixels.js";
import { readInt, write } from "../lib/state.js";
import { createChart } from "../widgets/chart.js";
import { createStepper } from "../widgets/stepper.js";

export async function initPaint({ paint, gallery }) {
  const classes = gallery.classes;
  const rows = paint.starts.length;
  const snaps = paint.snapshots;
  const ids = paint.model_ids;
  const sheets = {};
  await Promise.all(
    ids.map(async (mid) => {
      sheets[mid] = await Promise.all(paint.sprites[mid].map((p) => loadSprite(`/bundle/${p}`)));
    }),
  );
  const chart = await createChart(document.getElementById("chart-paint"), "paint-probs");
  const summary = document.getElementById("summary-paint");
  const startSel = document.getElementById("paint-start");
  const targetSel = document.getElementById("paint-target");
  const startName = (r) => {
    const s = paint.starts[r];
    return s.kind === "neutral" ? "the neutral start" : `the ${classes[s.label]} example`;
  };
  paint.starts.forEach((_, r) => startSel.append(new Option(startName(r), String(r))));
  classes.forEach((c, k) => targetSel.append(new Option(c, String(k))));

  let k = readInt("pstep", 0, snaps.length - 1, snaps.length - 1);
  let row = readInt("pstart", 0, rows - 1, 0);
  let target = readInt("ptarget", 0, classes.length - 1, (paint.starts[0].label + 1) % classes.length);

  const views = ids.map((mid) => {
    const canvas = document.getElementById(`paint-${mid === ids[0] ? "regular" : "robust"}`);
    const mark = canvas.parentElement.querySelector(".cell-mark");
    canvas.addEventListener("click", (ev) => {
      const box = canvas.getBoundingClientRect();
      const c = Math.floor(((ev.clientX - box.left) / box.width) * 10);
      const r = Math.floor(((ev.clientY - box.top) / box.height) * rows);
      choose(Math.min(rows - 1, Math.max(0, r)), Math.min(9, Math.max(0, c)));
    });
    return { mid, canvas, mark };
  });

  const stepper = createStepper(document.getElementById("stepper-paint"), {
    min: 0,
    max: snaps.length - 1,
    value: k,
    label: "Push step",
    format: (v) => `step ${snaps[v]} of ${snaps[snaps.length - 1]}`,
    onChange: (v) => {
      k = v;
      render();
    },
  });
  startSel.addEventListener("change", () => choose(Number(startSel.value), target));
  targetSel.addEventListener("change", () => choose(row, Number(targetSel.value)));

  function choose(r, t) {
    row = r;
    target = t;
    render();
  }

  function render() {
    startSel.value = String(row);
    targetSel.value = String(target);
    for (const { mid, canvas, mark } of views) {
      const img = sheets[mid][k];
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext("2d");
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(img, 0, 0);
      canvas.setAttribute(
        "aria-label",
        `${mid === ids[0] ? "Regular" : "Robust"} model: each start pushed toward each class, step ${snaps[k]}`,
      );
      mark.style.left = `${target * 10}%`;
      mark.style.top = `${(row / rows) * 100}%`;
      mark.style.width = "10%";
      mark.style.height = `${100 / rows}%`;
    }
    chart.restyle({ y: ids.map((mid) => paint.target_probs[mid][row][target]) });
    const p = (mid) =>
      numSpan(paint.target_probs[mid][row][target][k], "pct", `paint.target_probs.${mid}[${row}][${target}][${k}]`);
    summary.replaceChildren(
      `Pushing ${startName(row)} toward ${classes[target]}: after step `,
      numSpan(snaps[k], "int", `paint.snapshots[${k}]`),
      ` the regular model gives ${classes[target]} `,
      p(ids[0]),
      ", the robust model ",
      p(ids[1]),
      ".",
    );
    summary.dataset.cell = `${row},${target},${k}`;
    write({ pstep: k, pstart: row, ptarget: target });
  }

  render();
  return { stepper, choose };
}
