// The live lab (article/lab.html): the reader picks a test image or uploads one, the server runs PGD
// against both models (POST /api/lab/attack or /api/lab/attack/upload), and one step slider scrubs
// both trajectories, with the article's own widgets (stepper, probability bars, crisp-pixel tiles).

import { eps255, fixed } from "./format.js";
import { loadSprite, tileCanvas, drawTile } from "./pixels.js";
import { createProbBars, summarize } from "./probbars.js";
import { createStepper } from "./stepper.js";

const $ = (id) => document.getElementById(id);
const MODES = {
  attack: { Linf: { max: 16 / 255, step: 1 / 255, value: 8 / 255 }, L2: { max: 2, step: 0.05, value: 0.5 } },
  push: { L2: { max: 8, step: 0.25, value: 4 } },
};

const state = { status: null, classes: [], gallery: null, source: null, file: null, busy: false };

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

function syncControls() {
  const push = mode() === "push";
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
  steps.max = push ? "60" : "50";
  if (push && Number(steps.value) < 20) steps.value = "60";
  if (!push && Number(steps.value) > 50) steps.value = "10";
  const target = $("lab-target");
  target.options[0].disabled = push;
  if (push && target.value === "") target.value = "0";
}

function params() {
  const norm = $("lab-norm").value;
  const p = {
    mode: mode(),
    norm,
    eps: Number($("lab-eps").value),
    steps: Math.round(Number($("lab-steps").value)),
    random_start: $("lab-random").checked,
  };
  if ($("lab-alpha").value !== "") p.alpha = Number($("lab-alpha").value);
  if ($("lab-target").value !== "") p.target = Number($("lab-target").value);
  if ($("lab-seed").value !== "") p.seed = Math.round(Number($("lab-seed").value));
  return p;
}

function chooseTest(index, label) {
  state.source = { test_index: index };
  state.file = null;
  $("lab-file").value = "";
  $("lab-seed").value = "";
  for (const b of $("lab-gallery").querySelectorAll("button")) {
    b.setAttribute("aria-checked", String(Number(b.dataset.index) === index));
    b.tabIndex = Number(b.dataset.index) === index ? 0 : -1;
  }
  const name = label === null || label === undefined ? "" : ` (${state.classes[label]})`;
  $("lab-chosen").textContent = `Chosen: test image ${index}${name}.`;
}

async function renderGallery() {
  const g = state.gallery;
  const sheet = await loadSprite(`/bundle/${g.sprite}`);
  const filter = $("lab-class").value;
  const box = $("lab-gallery");
  box.replaceChildren();
  for (const im of g.images) {
    if (filter !== "" && im.label !== Number(filter)) continue;
    const b = document.createElement("button");
    b.type = "button";
    b.setAttribute("role", "radio");
    b.setAttribute("aria-checked", String(state.source?.test_index === im.test_index));
    b.setAttribute("aria-label", `test image ${im.test_index}, ${g.classes[im.label]}`);
    b.dataset.index = String(im.test_index);
    b.tabIndex = -1;
    const c = tileCanvas(g.tile);
    drawTile(c, sheet, { tile: g.tile, columns: g.columns, index: im.position });
    b.append(c);
    b.addEventListener("click", () => chooseTest(im.test_index, im.label));
    box.append(b);
  }
  const current = box.querySelector('[aria-checked="true"]') || box.querySelector("button");
  if (current) current.tabIndex = 0;
}

function galleryKeys(e) {
  const buttons = [...$("lab-gallery").querySelectorAll("button")];
  const at = buttons.indexOf(document.activeElement);
  if (at < 0) return;
  const delta = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
  if (!delta) return;
  e.preventDefault();
  const next = buttons[(at + delta + buttons.length) % buttons.length];
  next.focus();
  next.click();
}

function modelPanel(run, classes) {
  const el = document.createElement("article");
  el.className = "lab-model";
  el.dataset.model = run.model_id;
  const h = document.createElement("h3");
  h.textContent = run.label;
  const tiles = document.createElement("div");
  tiles.className = "lab-tiles";
  const fig = (caption) => {
    const f = document.createElement("figure");
    f.className = "lab-tile";
    const c = tileCanvas(32, caption);
    const cap = document.createElement("figcaption");
    cap.textContent = caption;
    f.append(c, cap);
    tiles.append(f);
    return c;
  };
  const clean = fig("clean");
  const adv = fig("adversarial");
  const pert = fig(run.perturbation_scale > 0 ? `perturbation ×${fixed(0.5 / run.perturbation_scale, 0)}` : "perturbation");
  const bars = document.createElement("div");
  const stats = document.createElement("p");
  stats.className = "lab-stats";
  el.append(h, tiles, bars, stats);
  return { el, clean, adv, pert, bars: createProbBars(bars, { classes, compact: true }), stats };
}

async function showResult(result) {
  const { classes } = state;
  const models = $("lab-models");
  const panels = result.runs.map((run) => modelPanel(run, classes));
  models.replaceChildren(...panels.map((p) => p.el));
  const cleanSheet = await loadSprite(result.image);
  const sheets = await Promise.all(
    result.runs.map(async (run) => [await loadSprite(run.adversarial), await loadSprite(run.perturbation)]),
  );
  panels.forEach((p) => drawTile(p.clean, cleanSheet, { tile: 32, columns: 1, index: 0 }));
  const label = result.source.label;
  const draw = (k) => {
    const lines = [];
    result.runs.forEach((run, i) => {
      const p = panels[i];
      const s = run.trajectory.steps[k];
      drawTile(p.adv, sheets[i][0], { tile: result.tile, columns: result.columns, index: k });
      drawTile(p.pert, sheets[i][1], { tile: result.tile, columns: result.columns, index: k });
      p.bars.update(s.probs, { trueLabel: label ?? run.reference });
      p.stats.textContent =
        `predicts ${classes[s.pred]} · loss ${fixed(s.loss, 3)} · ` +
        `L∞ ${eps255(s.linf)} · L2 ${fixed(s.l2, 3)}`;
      lines.push(`${run.label}: ${summarize(s.probs, classes, 1)}`);
    });
    $("lab-summary").textContent = `Step ${k} of ${result.params.steps}. ${lines.join(". ")}.`;
  };
  const holder = $("lab-stepper");
  const stepper = createStepper(holder, {
    min: 0,
    max: result.params.steps,
    value: result.params.steps,
    label: "Lab step",
    format: (v) => `step ${v} of ${result.params.steps}`,
    onChange: (v) => draw(v),
  });
  holder.replaceChildren(stepper.element);
  const flips = result.runs
    .map((r) => r.trajectory.first_misclassified)
    .filter((v) => v !== null && v !== undefined);
  stepper.setMarks([...new Set(flips)]);
  draw(result.params.steps);
  $("lab-results").hidden = false;
}

async function run(e) {
  e.preventDefault();
  if (state.busy) return;
  if (!state.source && !state.file) {
    setStatus("Choose a test image or upload one first.", "error");
    return;
  }
  const p = params();
  let request;
  if (state.file) {
    const form = new FormData();
    form.append("params", JSON.stringify(p));
    form.append("image", state.file);
    request = fetch("/api/lab/attack/upload", { method: "POST", body: form });
  } else {
    request = fetch("/api/lab/attack", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...p, source: state.source }),
    });
  }
  state.busy = true;
  $("lab-run").disabled = true;
  setStatus("Running PGD on the server…");
  try {
    const response = await request;
    const body = await response.json();
    if (!response.ok) {
      const retry = response.headers.get("Retry-After");
      setStatus(`${body.error?.message || response.statusText}${retry ? ` (retry in ${retry} s)` : ""}`, "error");
      return;
    }
    $("lab-seed").value = String(body.params.seed);
    await showResult(body);
    const r = body.params;
    setStatus(
      `Done in ${fixed(body.seconds, 2)} s: ${r.steps} steps of ${r.norm === "Linf" ? "L∞" : "L2"} PGD, ` +
        `ε = ${epsText(r.eps, r.norm)}, α = ${epsText(r.alpha, r.norm)}, seed ${r.seed} (kept in the seed box to reuse).`,
    );
  } catch (err) {
    setStatus(`The attack failed: ${err.message}`, "error");
  } finally {
    state.busy = false;
    $("lab-run").disabled = false;
  }
}

function onFile() {
  const file = $("lab-file").files[0];
  if (!file) return;
  if (file.size > (state.status?.limits.upload_bytes_max ?? 262144)) {
    setStatus(`That file is ${Math.round(file.size / 1024)} KB; the limit is 256 KB.`, "error");
    $("lab-file").value = "";
    return;
  }
  state.file = file;
  state.source = null;
  for (const b of $("lab-gallery").querySelectorAll("button")) b.setAttribute("aria-checked", "false");
  $("lab-seed").value = "";
  $("lab-chosen").textContent = `Chosen: your image ${file.name} (centre-cropped to 32×32; never stored).`;
}

async function init() {
  const root = $("lab");
  if (!root || !$("lab-form")) return;
  let status;
  try {
    const response = await fetch("/api/lab");
    status = await response.json();
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
  for (const [i, name] of status.classes.entries()) {
    $("lab-class").append(new Option(name, String(i)));
    $("lab-target").append(new Option(name, String(i)));
  }
  $("lab-index-field").hidden = status.gallery_only;
  state.gallery = await (await fetch("/api/gallery")).json();
  await renderGallery();
  const first = state.gallery.images[0];
  chooseTest(first.test_index, first.label);
  syncControls();
  $("lab-class").addEventListener("change", renderGallery);
  $("lab-gallery").addEventListener("keydown", galleryKeys);
  $("lab-index").addEventListener("change", () => chooseTest(Math.round(Number($("lab-index").value)), null));
  $("lab-file").addEventListener("change", onFile);
  for (const el of document.querySelectorAll('input[name="lab-mode"]')) el.addEventListener("change", syncControls);
  $("lab-norm").addEventListener("change", syncControls);
  $("lab-eps").addEventListener("input", () => {
    $("lab-eps-out").textContent = epsText(Number($("lab-eps").value), $("lab-norm").value);
  });
  $("lab-form").addEventListener("submit", run);
  root.dataset.ready = "true";
}

init();
