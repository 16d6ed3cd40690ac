// The live lab (article/lab.html): the reader picks any test image or uploads or draws one, the server
// runs PGD against two models (POST /api/lab/attack or /api/lab/attack/upload), and one step slider
// scrubs both trajectories. Inspect mode (POST /api/lab/inspect or /inspect/upload) shows each model's
// gradients and the loss landscape around the image instead. This file wires the request and the
// page's status line; the widgets draw: labcontrols (the settings), testsetbrowser, attackresult and
// inspect (the two result views).

import { createDrawingPad } from "../widgets/draw.js";
import { inspectCaption, showInspection } from "../widgets/inspect.js";
import { showAttack } from "../widgets/attackresult.js";
import { createLabControls, epsText } from "../widgets/labcontrols.js";
import { createTestSetBrowser } from "../widgets/testsetbrowser.js";
import { fixed } from "../lib/format.js";
import { whenNear } from "../lib/near.js";

const $ = (id) => document.getElementById(id);

const state = {
  status: null, // GET /api/lab
  controls: null,
  browser: null,
  inGallery: new Set(), // test indices with a precomputed trajectory in the article
  stepper: null, // the player of the result on show
  source: null, // { test_index } of the chosen test image, or null
  upload: null, // or: async () => the File to upload (the reader's file, or their drawing now)
  pad: null,
  busy: false,
};

function setStatus(text, kind = "info") {
  const el = $("lab-status");
  el.textContent = text;
  el.dataset.kind = kind;
}

function chooseTest(index, label) {
  if ($("lab-status").dataset.kind === "error") setStatus(""); // a valid choice answers the last complaint
  state.source = { test_index: index };
  state.upload = null;
  $("lab-file").value = "";
  $("lab-seed").value = "";
  $("lab-index").value = String(index);
  const figure = state.inGallery.has(index) ? ", one of the article's figures" : "";
  $("lab-chosen").textContent = `Chosen: test image ${index} (${state.status.classes[label]}${figure}).`;
}

function chooseUpload(upload, what) {
  state.upload = upload;
  state.source = null;
  state.browser?.mark(null);
  $("lab-seed").value = "";
  $("lab-chosen").textContent = `Chosen: ${what}.`;
}

// What the article's figures say of a retrace, by the response's figure_match.
const RETRACE = {
  true:
    " Retraced: every step, for both models, is exactly the article's figure for this image, so the" +
    " figures and this lab run the same code on the same numbers.",
  false:
    " This run should have retraced the article's figure for this image step for step, but it differs." +
    " This server computes differently from the machine that made the figures; please tell us.",
};

async function run(e) {
  e.preventDefault();
  if (state.busy) return;
  if (!state.source && !state.upload) {
    setStatus("Choose a test image, upload one or draw one first.", "error");
    return;
  }
  state.busy = true; // before any await: a second click must not send a second attack
  $("lab-run").setAttribute("aria-disabled", "true"); // not `disabled`, which would drop keyboard focus
  const inspect = state.controls.mode() === "inspect";
  // "busy" until the result is drawn and described: the results box shows before its pictures load
  setStatus(
    inspect ? "Computing the gradients and the landscape on the server…" : "Running PGD on the server…",
    "busy",
  );
  try {
    const p = state.controls.params();
    const body = await send(inspect ? "inspect" : "attack", inspect ? { models: p.models } : p);
    if (!body) return;
    if (state.stepper) state.stepper.stop(); // the last result's player must not keep drawing its steps
    if (inspect) {
      await showInspectResult(body);
      return;
    }
    $("lab-inspect").hidden = true;
    $("lab-seed").value = String(body.params.seed);
    const into = {
      box: $("lab-results"),
      models: $("lab-models"),
      stepper: $("lab-stepper"),
      summary: $("lab-summary"),
    };
    state.stepper = await showAttack(body, state.status.classes, into);
    const r = body.params;
    setStatus(
      `Done in ${fixed(body.seconds, 2)} s: ${r.steps} steps of ${r.norm === "Linf" ? "L∞" : "L2"} PGD, ` +
        `ε = ${epsText(r.eps, r.norm)}, α = ${epsText(r.alpha, r.norm)}, seed ${r.seed} (kept in the seed box to reuse).` +
        (RETRACE[body.figure_match] ?? ""),
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
  $("lab-results").hidden = true;
  $("lab-inspect").hidden = false; // before drawing: the heatmaps size themselves to their panel
  await showInspection($("lab-inspect-models"), body, state.status.classes);
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

async function getJSON(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`GET ${url}: ${r.status}`);
  return r.json();
}

// The test-set browser and the index box, once the test set's index and the gallery have loaded.
function browse(testset, gallery) {
  state.inGallery = new Set(gallery.images.map((im) => im.test_index));
  const ui = { gallery: $("lab-gallery"), prev: $("lab-prev"), next: $("lab-next"), page: $("lab-page") };
  ui.classSelect = $("lab-class");
  for (const [i, name] of state.status.classes.entries()) ui.classSelect.append(new Option(name, String(i)));
  state.browser = createTestSetBrowser({
    testset,
    classes: state.status.classes,
    inGallery: state.inGallery,
    ui,
    onChoose: chooseTest,
    onError: (text) => setStatus(text, "error"),
  });
  const last = testset.n_images - 1;
  $("lab-index").max = String(last);
  $("lab-index-max").textContent = String(last);
  $("lab-index").addEventListener("change", () => {
    const value = $("lab-index").value;
    if (!/^[0-9]+$/.test(value)) setStatus("A test image number is a whole number, like 42.", "error");
    else if (!state.browser.goTo(Number(value)))
      setStatus(`There is no test image ${value}; this bundle holds 0 to ${last}.`, "error");
  });
  state.browser.goTo(gallery.images[0].test_index);
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
  state.controls = createLabControls(status);
  try {
    browse(...(await Promise.all(["/api/testset", "/api/gallery"].map(getJSON))));
  } catch (err) {
    setStatus(`The test images could not be loaded (${err.message}); uploads and drawings still work.`, "error");
    $("lab-index").closest("label").hidden = true; // no test set to number
  }
  // what works without the test set: uploads, the drawing pad, the run button
  $("lab-file").addEventListener("change", onFile);
  $("lab-draw").addEventListener("toggle", onDrawOpen);
  $("lab-form").addEventListener("submit", run);
  root.dataset.ready = "true";
}

init();
