// Section 1: how a network learns. Training curves of the regular model (a Plotly figure the server
// builds); pick an example, move over the epochs (slider, keys, hover or tap on the chart) and its
// class probabilities race.

import { accText, numSpan, viewSpan } from "../lib/format.js";
import { withArticle } from "../lib/names.js";
import { drawTile } from "../lib/pixels.js";
import { argmax, createProbBars } from "../widgets/probbars.js";
import { createPicker } from "../widgets/picker.js";
import { readInt, write } from "../lib/state.js";
import { createStepper } from "../widgets/stepper.js";
import { createChart } from "../widgets/chart.js";
import { galleryTile } from "../widgets/traj.js";

export function modelIndex(training, id) {
  const i = training.models.findIndex((h) => h.model.id === id);
  return i >= 0 ? i : training.models.findIndex((h) => h.model.train_eps === 0);
}

// Epochs where the top prediction of example x differs from the epoch before.
export function changeEpochs(probsByEpoch, x, epochs) {
  const out = [];
  for (let e = 1; e < probsByEpoch.length; e++) {
    if (argmax(probsByEpoch[e][x]) !== argmax(probsByEpoch[e - 1][x])) out.push(epochs[e]);
  }
  return out;
}

export async function initLearning({ training, epochProbs, gallery, sheet, opening }) {
  const mi = modelIndex(training, "regular");
  const hist = training.models[mi];
  const modelId = hist.model.id;
  const probs = epochProbs.probs[modelId];
  const records = hist.epochs;
  // probs[k] belongs to records[k]; a bundle with one more entry has the untrained network first.
  const extra = probs.length - records.length;
  const epochs = [...(extra === 1 ? [0] : []), ...records.map((r) => r.epoch)];
  const nEx = Math.min(gallery.n_examples, probs[0].length);
  const classes = gallery.classes;

  const chartEl = document.getElementById("chart-training");
  const summary = document.getElementById("summary-learning");
  const imageEl = document.getElementById("learning-image");
  const bars = await createProbBars(document.getElementById("bars-learning"), {
    classes,
    title: "Class probabilities",
  });

  let img = readInt("img", 0, nEx - 1, opening);
  let k = 0; // index into epochs / probs: open before the first epoch, so the bars race from the start
  const fromUrl = readInt("epoch", epochs[0], epochs[epochs.length - 1], null);
  if (fromUrl !== null) k = epochs.indexOf(fromUrl) >= 0 ? epochs.indexOf(fromUrl) : k;

  const chart = await createChart(chartEl, "learning", {
    onPick: (ex) => {
      const i = epochs.indexOf(ex);
      if (i >= 0) stepper.set(i, { source: "chart" });
    },
  });
  const markY = chart.spec.layout.yaxis2.range[1] - 2; // the change markers ride along the top

  const picker = createPicker(document.getElementById("picker-learning"), {
    count: nEx,
    value: img,
    tile: gallery.tile,
    label: (i) => `Example ${i}: ${classes[gallery.images[i].label]}`,
    draw: galleryTile(gallery, sheet),
    onChange: (i) => {
      img = i;
      render();
    },
  });
  picker.redraw();

  const stepper = createStepper(document.getElementById("stepper-epoch"), {
    min: 0,
    max: epochs.length - 1,
    value: k,
    label: "Epoch",
    format: (v) => `epoch ${epochs[v]} of ${epochs[epochs.length - 1]}`,
    onChange: (v) => {
      k = v;
      render();
    },
  });

  function render() {
    const g = gallery.images[img];
    const p = probs[k][img];
    const pred = bars.update(p, { trueLabel: g.label });
    drawTile(imageEl, sheet, { tile: gallery.tile, columns: gallery.columns, index: g.position });
    imageEl.setAttribute("aria-label", `Example ${img}, ${withArticle(classes[g.label])}`);
    const changes = changeEpochs(probs, img, epochs);
    stepper.setMarks(
      changes.map((e) => epochs.indexOf(e)),
      (v) => `top guess changes at epoch ${epochs[v]}`,
    );
    const rec = k - extra >= 0 ? records[k - extra] : null;
    chart.restyle({ x: [changes], y: [changes.map(() => markY)] }, [3]);
    chart.cursor(epochs[k]);
    // the aria-live summary, every number a checkable span
    const ep = `epoch-probs.probs.${modelId}[${k}][${img}]`;
    const rsrc = (ri) => `training.models[${mi}].epochs[${ri}]`;
    const right = pred === g.label;
    summary.replaceChildren(
      ...(rec ? ["After epoch ", numSpan(rec.epoch, "int", `${rsrc(k - extra)}.epoch`)] : ["Before training"]),
      ", the regular model's top guess for example ",
      viewSpan(img, "img"),
      ` (true class ${classes[g.label]}) is ${classes[pred]} (`,
      numSpan(p[pred], "pct", `${ep}[${pred}]`),
      ...(right
        ? [", correct)"]
        : ["; wrong, the true class gets ", numSpan(p[g.label], "pct", `${ep}[${g.label}]`), ")"]),
      ...(rec ? [". Test accuracy after this epoch: ", ...accText(rec.clean_acc, `${rsrc(k - extra)}.clean_acc`)] : []),
      changes.length
        ? `. Its top guess changes at ${changes.length === 1 ? "epoch" : "epochs"} `
        : ". Its top guess never changes",
      ...changes.flatMap((e, j) => [
        j ? ", " : "",
        numSpan(e, "int", `${rsrc(records.findIndex((r) => r.epoch === e))}.epoch`),
      ]),
      ".",
    );
    summary.dataset.epoch = String(epochs[k]);
    summary.dataset.img = String(img);
    write({ img, epoch: epochs[k] });
  }

  render();
  return { picker, stepper, chart };
}
