// The live lab (article/lab.html): the reader picks any test image or uploads one, the server runs PGD
// against both models (POST /api/lab/attack or /api/lab/attack/upload), and one step slider scrubs
// both trajectories, with the article's own widgets (stepper, probability bars, crisp-pixel tiles).
// Inspect mode (POST /api/lab/inspect or /inspect/upload) shows each model's gradients and the loss
// landscape around the image instead.

import { createDrawingPad } from "../widgets/draw.js";
import { inspectCaption, showInspection } from "../widgets/inspect.js";
import { eps255, fixed } from "../lib/format.js";
import { loadSprite, tileCanvas, tileFigure, drawTile } from "../lib/pixels.js";
import { createProbBars, summarize } from "../widgets/probbars.js";
import { createStepper } from "../widgets/stepper.js";
import { whenNear } from "../lib/near.js";

const $ = (id) => document.getElementById(id);
// Slider steps per mode and norm; the limits (max), the attack's defaults (the figures' attack) and the
// push mode's (the paint figure's attack) come from GET /api/lab.
const MODES = {
  attack: { Linf: { max: 0, step: 1 / 255, value: 0 }, L2: { max: 0, step: 0.05, value: 0.5 } },
  push: { L2: { max: 0, step: 0.25, value: 0 } },
};

function applyStatus(status) {
  const { limits, push, attack } = status;
  MODES.attack.Linf.max = limits.linf_eps_max;
  MODES.attack.L2.max = limits.l2_eps_max;
  MODES.push.L2.max = limits.push_eps_max;
  MODES.push.L2.value = push.eps;
  MODES.attack.Linf.value = attack.eps;
  $("lab-steps").value = String(attack.steps);
  $("lab-random").checked = attack.random_start;
  $("lab-upload-max").textContent = `${Math.round(limits.upload_bytes_max / 1024)} KB`;
}

const state = {
  status: null,
  classes: [],
  testset: null,
  labelOf: new Map(), // test index -> class
  inGallery: new Set(), // test indices with a precomputed trajectory in the article
  pageAt: 0,
  stepper: null, // the player of the result on show
  source: null, // { test_index } of the chosen test image, or null
  upload: null, // or: async () => the File to upload (the reader's file, or their drawing now)
  pad: null,
  busy: false,
  attackMode: "attack", // the last of "attack" and "push": switching between them swaps their defaults
  attackDefaults: null, // steps, step size, random start as the page opened (the untargeted attack's)
};

function mode() {
  return document.querySelector('input[name="lab-mode"]:checked').value;
}

function epsText(eps, norm) {
  return norm === "Linf" ? eps255(eps) : fixed(eps, 2);
}

function setStatus(text, kind = "info") {
  const el = $("lab-status");
  el.textContent = text;
  el.dataset.kind = kind;
}

// Push mode starts from the paint figure's attack (GET /api/lab's `push`), so running it on an example
// repaints the figure; leaving it gives the attack's own defaults back.
function swapDefaults(push) {
  const d = push ? state.status.push : state.attackDefaults;
  $("lab-steps").value = String(d.steps);
  $("lab-alpha").value = d.alpha === null || d.alpha === undefined ? "" : String(d.alpha);
  $("lab-random").checked = d.random_start;
}

function syncControls() {
  const inspect = mode() === "inspect";
  $("lab-attack-settings").hidden = inspect;
  $("lab-inspect-note").hidden = !inspect;
  $("lab-run").textContent = inspect ? "Inspect the image" : "Run the attack";
  if (inspect) return;
  const push = mode() === "push";
  if (mode() !== state.attackMode) {
    state.attackMode = mode();
    swapDefaults(push);
  }
  const norm = $("lab-norm");
  if (push) norm.value = "L2";
  norm.disabled = push;
  const spec = MODES[push ? "push" : "attack"][norm.value];
  const eps = $("lab-eps");
  const old = Number(eps.value);
  eps.min = "0";
  eps.max = String(spec.max);
  eps.step = String(spec.step);
  if (!(old > 0 && old <= spec.max) || eps.dataset.norm !== `${mode()}-${norm.value}`) eps.value = String(spec.value);
  eps.dataset.norm = `${mode()}-${norm.value}`;
  $("lab-eps-out").textContent = epsText(Number(eps.value), norm.value);
  const steps = $("lab-steps");
  const { steps_max: attackMax, push_steps_max: pushMax } = state.status.limits;
  steps.max = String(push ? pushMax : attackMax);
  const target = $("lab-target");
  target.options[0].disabled = push;
  if (push && target.value === "") {
    target.value = "0";
    target.dataset.forced = "true"; // push needs a target; leaving push gives the untargeted choice back
  } else if (!push && target.dataset.forced) {
    target.value = "";
    delete target.dataset.forced;
  }
  $("lab-eps").setAttribute("aria-valuetext", epsText(Number(eps.value), norm.value));
}

function params() {
  const norm = $("lab-norm").value;
  const p = {
    mode: mode(),
    norm,
    // L∞ budgets are whole 1/255 steps: k / 255 is the same double the bundle's specs hold, where the
    // slider's own k * (1/255) can be one ulp off and so not the figures' attack
    eps: norm === "Linf" ? Math.round(Number($("lab-eps").value) * 255) / 255 : Number($("lab-eps").value),
    steps: Math.round(Number($("lab-steps").value)),
    random_start: $("lab-random").checked,
  };
  if ($("lab-alpha").value !== "") p.alpha = Number($("lab-alpha").value);
  if ($("lab-target").value !== "") p.target = Number($("lab-target").value);
  p.models = [$("lab-model-a").value, $("lab-model-b").value].filter((id, i, all) => id && all.indexOf(id) === i);
  if ($("lab-seed").value !== "") p.seed = Math.round(Number($("lab-seed").value));
  return p;
}

// The test-set browser: testset.json's pages (100 images of one class each), filtered by class.
function visiblePages() {
  const filter = $("lab-class").value;
  return state.testset.pages.filter((p) => filter === "" || p.label === Number(filter));
}

function chooseTest(index) {
  const label = state.labelOf.get(index);
  if ($("lab-status").dataset.kind === "error") setStatus(""); // a valid choice answers the last complaint
  state.source = { test_index: index };
  state.upload = null;
  $("lab-file").value = "";
  $("lab-seed").value = "";
  $("lab-index").value = String(index);
  markChosen();
  const figure = state.inGallery.has(index) ? ", one of the article's figures" : "";
  $("lab-chosen").textContent = `Chosen: test image ${index} (${state.classes[label]}${figure}).`;
}

function markChosen() {
  const chosen = state.source?.test_index;
  const buttons = [...$("lab-gallery").querySelectorAll("button")];
  for (const b of buttons) {
    const on = Number(b.dataset.index) === chosen;
    b.setAttribute("aria-checked", String(on));
    b.tabIndex = on ? 0 : -1;
  }
  if (buttons.length && !buttons.some((b) => b.tabIndex === 0)) buttons[0].tabIndex = 0;
}

async function showPage(at) {
  const pages = visiblePages();
  state.pageAt = Math.max(0, Math.min(at, pages.length - 1));
  const page = pages[state.pageAt];
  const t = state.testset;
  $("lab-prev").disabled = state.pageAt === 0;
  $("lab-next").disabled = state.pageAt === pages.length - 1;
  const first = page.test_indices[0];
  $("lab-page").textContent =
    `Page ${state.pageAt + 1} of ${pages.length}: ${state.classes[page.label]}, ` +
    `test images ${first}…${page.test_indices[page.test_indices.length - 1]}`;
  const box = $("lab-gallery");
  box.setAttribute("aria-busy", "true");
  let sheet;
  try {
    sheet = await loadSprite(`/bundle/${page.path}`);
  } catch (err) {
    setStatus(`Could not load the test images: ${err.message}`, "error");
    return;
  } finally {
    box.removeAttribute("aria-busy");
  }
  if (visiblePages()[state.pageAt] !== page) return; // the reader moved on while it loaded
  const buttons = page.test_indices.map((index, slot) => {
    const b = document.createElement("button");
    b.type = "button";
    b.setAttribute("role", "radio");
    const figure = state.inGallery.has(index);
    const name = `test image ${index}, ${state.classes[page.label]}`;
    b.setAttribute("aria-label", figure ? `${name}, in the article's figures` : name);
    if (figure) b.classList.add("lab-figure");
    b.dataset.index = String(index);
    const c = tileCanvas(t.tile);
    drawTile(c, sheet, { tile: t.tile, columns: t.columns, index: slot });
    b.append(c);
    b.addEventListener("click", () => chooseTest(index));
    return b;
  });
  box.replaceChildren(...buttons);
  markChosen();
}

function goToIndex(index) {
  const label = state.labelOf.get(index);
  if (label === undefined) {
    setStatus(`There is no test image ${index}; this bundle holds 0 to ${state.testset.n_images - 1}.`, "error");
    return;
  }
  const filter = $("lab-class").value;
  if (filter !== "" && Number(filter) !== label) $("lab-class").value = "";
  chooseTest(index);
  showPage(visiblePages().findIndex((p) => p.test_indices.includes(index)));
}

function galleryKeys(e) {
  const buttons = [...$("lab-gallery").querySelectorAll("button")];
  const at = buttons.indexOf(document.activeElement);
  if (at < 0) return;
  if (e.key === "PageDown" || e.key === "PageUp") {
    e.preventDefault();
    const focus = () => $("lab-gallery").querySelector('[tabindex="0"]')?.focus();
    showPage(state.pageAt + (e.key === "PageDown" ? 1 : -1)).then(focus);
    return;
  }
  const columns = buttons.filter((b) => b.offsetTop === buttons[0].offsetTop).length;
  const delta = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns }[e.key];
  if (!delta) return;
  e.preventDefault();
  const next = buttons[Math.max(0, Math.min(buttons.length - 1, at + delta))];
  next.focus();
  next.click();
}

function modelPanel(run, tile) {
  const el = document.createElement("article");
  el.className = "lab-model";
  el.dataset.model = run.model_id;
  const h = document.createElement("h3");
  h.textContent = run.label;
  const tiles = document.createElement("div");
  tiles.className = "lab-tiles";
  const fig = (caption) => tileFigure(tiles, tile, caption);
  const clean = fig("clean");
  const adv = fig("adversarial");
  const magnified = run.perturbation_scale > 1e-9; // eps = 0 draws plain grey: nothing to magnify
  const pert = fig(magnified ? `perturbation ×${fixed(0.5 / run.perturbation_scale, 0)}` : "perturbation");
  const bars = document.createElement("div");
  const stats = document.createElement("p");
  stats.className = "lab-stats";
  el.append(h, tiles, bars, stats);
  return { el, clean, adv, pert, barsEl: bars, bars: null, stats };
}

async function showResult(result) {
  const { classes } = state;
  const models = $("lab-models");
  const panels = result.runs.map((run) => modelPanel(run, result.tile));
  models.replaceChildren(...panels.map((p) => p.el));
  $("lab-results").hidden = false; // the bars size themselves to their (visible) panel
  await Promise.all(panels.map(async (p) => (p.bars = await createProbBars(p.barsEl, { classes, compact: true }))));
  const cleanSheet = await loadSprite(result.image);
  const sheets = await Promise.all(
    result.runs.map(async (run) => [await loadSprite(run.adversarial), await loadSprite(run.perturbation)]),
  );
  panels.forEach((p) => drawTile(p.clean, cleanSheet, { tile: result.tile, columns: 1, index: 0 }));
  const label = result.source.label;
  const noTruth = label === null || label === undefined; // an upload or a drawing
  const draw = (k) => {
    const lines = [];
    result.runs.forEach((run, i) => {
      const p = panels[i];
      const s = run.trajectory.steps[k];
      drawTile(p.adv, sheets[i][0], { tile: result.tile, columns: result.columns, index: k });
      drawTile(p.pert, sheets[i][1], { tile: result.tile, columns: result.columns, index: k });
      // an upload or a drawing has no true class: its mark is the model's clean prediction
      p.bars.update(s.probs, {
        trueLabel: noTruth ? run.reference : label,
        mark: noTruth ? "clean prediction" : "true",
      });
      p.stats.textContent =
        `predicts ${classes[s.pred]} · loss ${fixed(s.loss, 3)} · ` + `L∞ ${eps255(s.linf)} · L2 ${fixed(s.l2, 3)}`;
      lines.push(`${run.label}: ${summarize(s.probs, classes, 1)}`);
    });
    $("lab-summary").textContent = `Step ${k} of ${result.params.steps}. ${lines.join(". ")}.`;
  };
  const holder = $("lab-stepper");
  if (state.stepper) state.stepper.stop(); // the last result's player must not keep drawing its steps
  const stepper = createStepper(holder, {
    min: 0,
    max: result.params.steps,
    value: result.params.steps,
    label: "Lab step",
    format: (v) => `step ${v} of ${result.params.steps}`,
    onChange: (v) => draw(v),
  });
  state.stepper = stepper;
  const flips = result.runs.map((r) => r.trajectory.first_misclassified).filter((v) => v !== null && v !== undefined);
  stepper.setMarks([...new Set(flips)]);
  draw(result.params.steps);
}

async function run(e) {
  e.preventDefault();
  if (state.busy) return;
  if (!state.source && !state.upload) {
    setStatus("Choose a test image, upload one or draw one first.", "error");
    return;
  }
  state.busy = true; // before any await: a second click must not send a second attack
  $("lab-run").setAttribute("aria-disabled", "true"); // not `disabled`, which would drop keyboard focus
  const inspect = mode() === "inspect";
  // "busy" until the result is drawn and described: the results box shows before its pictures load
  setStatus(
    inspect ? "Computing the gradients and the landscape on the server…" : "Running PGD on the server…",
    "busy",
  );
  try {
    const body = await send(inspect ? "inspect" : "attack", inspect ? { models: params().models } : params());
    if (!body) return;
    if (inspect) {
      await showInspectResult(body);
      return;
    }
    $("lab-inspect").hidden = true;
    $("lab-seed").value = String(body.params.seed);
    await showResult(body);
    const r = body.params;
    const figure =
      {
        true:
          " Retraced: every step, for both models, is exactly the article's figure for this image, so the" +
          " figures and this lab run the same code on the same numbers.",
        false:
          " This run should have retraced the article's figure for this image step for step, but it differs." +
          " This server computes differently from the machine that made the figures; please tell us.",
      }[body.figure_match] ?? "";
    setStatus(
      `Done in ${fixed(body.seconds, 2)} s: ${r.steps} steps of ${r.norm === "Linf" ? "L∞" : "L2"} PGD, ` +
        `ε = ${epsText(r.eps, r.norm)}, α = ${epsText(r.alpha, r.norm)}, seed ${r.seed} (kept in the seed box to reuse).` +
        figure,
      body.figure_match === false ? "error" : "info",
    );
  } catch (err) {
    setStatus(`The ${inspect ? "inspection" : "attack"} failed: ${err.message}`, "error");
  } finally {
    state.busy = false;
    $("lab-run").removeAttribute("aria-disabled");
  }
}

// POST the request for the chosen image (`kind`: "attack" or "inspect"); the response's JSON, or null
// after saying on the page why there is none.
async function send(kind, p) {
  let response;
  if (state.upload) {
    const form = new FormData();
    form.append("params", JSON.stringify(p));
    form.append("image", await state.upload());
    response = await fetch(`/api/lab/${kind}/upload`, { method: "POST", body: form });
  } else {
    response = await fetch(`/api/lab/${kind}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...p, source: state.source }),
    });
  }
  const json = (response.headers.get("Content-Type") || "").startsWith("application/json");
  const body = json ? await response.json() : {};
  if (!response.ok) {
    const retry = response.headers.get("Retry-After");
    setStatus(`${body.error?.message || response.statusText}${retry ? ` (retry in ${retry} s)` : ""}`, "error");
    return null;
  }
  return body;
}

async function showInspectResult(body) {
  if (state.stepper) state.stepper.stop(); // an attack's player must not keep drawing behind it
  $("lab-results").hidden = true;
  $("lab-inspect").hidden = false; // before drawing: the heatmaps size themselves to their panel
  await showInspection($("lab-inspect-models"), body, state.classes);
  $("lab-inspect-caption").textContent = inspectCaption(body);
  const names = body.models.map((m) => m.label).join(" and ");
  setStatus(`Done in ${fixed(body.seconds, 2)} s: the gradients and loss landscape of ${names}.`);
}

function onFile() {
  const file = $("lab-file").files[0];
  if (!file) return;
  const most = state.status.limits.upload_bytes_max;
  if (file.size > most) {
    setStatus(`That file is ${Math.round(file.size / 1024)} KB; the limit is ${Math.round(most / 1024)} KB.`, "error");
    $("lab-file").value = "";
    return;
  }
  chooseUpload(async () => file, `your image ${file.name} (centre-cropped to 32×32; never stored)`);
}

function chooseUpload(upload, what) {
  state.upload = upload;
  state.source = null;
  markChosen();
  $("lab-seed").value = "";
  $("lab-chosen").textContent = `Chosen: ${what}.`;
}

function onDrawOpen() {
  if (state.pad || !$("lab-draw").open) return;
  state.pad = createDrawingPad({
    onChange: () => {
      if (state.upload !== drawing) chooseUpload(drawing, "your drawing (32×32, as it is when you run; never stored)");
    },
  });
  $("lab-draw-pad").append(state.pad.element);
}

async function drawing() {
  return new File([await state.pad.toBlob()], "drawing.png", { type: "image/png" });
}

async function init() {
  const root = $("lab");
  if (!root || !$("lab-form")) return;
  await whenNear(root); // its data (the test-set index, a 164 KB page of images) waits for the reader
  let status;
  try {
    const response = await fetch("/api/lab");
    status = response.ok ? await response.json() : { available: false, reason: `it answered ${response.status}` };
  } catch {
    status = { available: false, reason: "the server did not answer" };
  }
  state.status = status;
  if (!status.available) {
    const off = $("lab-off");
    off.textContent = `The live lab is off on this server: ${status.reason}.`;
    off.hidden = false;
    $("lab-form").hidden = true;
    root.dataset.ready = "off";
    return;
  }
  state.classes = status.classes;
  applyStatus(status);
  state.attackDefaults = {
    steps: Number($("lab-steps").value),
    alpha: $("lab-alpha").value === "" ? null : Number($("lab-alpha").value),
    random_start: $("lab-random").checked,
  };
  // every shipped model can be attacked, two at a time; the figures' two are the default pair
  for (const [k, sel] of [$("lab-model-a"), $("lab-model-b")].entries()) {
    for (const m of status.models) sel.append(new Option(m.label, m.id));
    sel.value = status.default_models[k] ?? "";
  }
  for (const [i, name] of status.classes.entries()) {
    $("lab-class").append(new Option(name, String(i)));
    $("lab-target").append(new Option(name, String(i)));
  }
  let testset, gallery;
  try {
    [testset, gallery] = await Promise.all(
      ["/api/testset", "/api/gallery"].map(async (url) => {
        const r = await fetch(url);
        if (!r.ok) throw new Error(`GET ${url}: ${r.status}`);
        return r.json();
      }),
    );
  } catch (err) {
    setStatus(`The test images could not be loaded (${err.message}); uploads and drawings still work.`, "error");
    syncControls();
    wireControls(root);
    return;
  }
  state.testset = testset;
  for (const page of testset.pages) for (const i of page.test_indices) state.labelOf.set(i, page.label);
  state.inGallery = new Set(gallery.images.map((im) => im.test_index));
  $("lab-index").max = String(testset.n_images - 1);
  $("lab-index-max").textContent = String(testset.n_images - 1);
  goToIndex(gallery.images[0].test_index);
  syncControls();
  $("lab-class").addEventListener("change", () => showPage(0));
  $("lab-prev").addEventListener("click", () => showPage(state.pageAt - 1));
  $("lab-next").addEventListener("click", () => showPage(state.pageAt + 1));
  $("lab-gallery").addEventListener("keydown", galleryKeys);
  $("lab-index").addEventListener("change", () => {
    const value = $("lab-index").value;
    if (/^[0-9]+$/.test(value)) goToIndex(Number(value));
    else setStatus("A test image number is a whole number, like 42.", "error");
  });
  wireControls(root);
}

// The controls that work without the test set: uploads, the drawing pad, the attack's settings.
function wireControls(root) {
  $("lab-file").addEventListener("change", onFile);
  $("lab-draw").addEventListener("toggle", onDrawOpen);
  for (const el of document.querySelectorAll('input[name="lab-mode"]')) el.addEventListener("change", syncControls);
  $("lab-norm").addEventListener("change", syncControls);
  $("lab-target").addEventListener("change", () => delete $("lab-target").dataset.forced); // the reader's own
  $("lab-eps").addEventListener("input", () => {
    const text = epsText(Number($("lab-eps").value), $("lab-norm").value);
    $("lab-eps-out").textContent = text;
    $("lab-eps").setAttribute("aria-valuetext", text);
  });
  $("lab-form").addEventListener("submit", run);
  root.dataset.ready = "true";
}

init();
