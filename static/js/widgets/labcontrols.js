// The lab's attack settings: mode (attack, push toward a class, inspect), norm, budget, steps, step
// size, target, random start, seed and the models. Their limits, the attack's defaults (the figures'
// attack) and the push mode's (the paint figure's attack) come from GET /api/lab; nothing is typed here
// but the sliders' resolution.
//
//   const controls = createLabControls(status);   // wires the form's settings
//   controls.mode();     // "attack" | "push" | "inspect"
//   controls.params();   // the request body's attack settings and models

import { eps255, fixed } from "../lib/format.js";

const $ = (id) => document.getElementById(id);

export function epsText(eps, norm) {
  return norm === "Linf" ? eps255(eps) : fixed(eps, 2);
}

export function createLabControls(status) {
  const { limits, push, attack } = status;
  // The budget slider per mode and norm: its resolution, the API's limit and where it starts (no figure
  // runs an untargeted L2 attack, so that one starts a quarter of the way up).
  const sliders = {
    "attack-Linf": { step: 1 / 255, max: limits.linf_eps_max, value: attack.eps },
    "attack-L2": { step: 0.05, max: limits.l2_eps_max, value: limits.l2_eps_max / 4 },
    "push-L2": { step: 0.25, max: limits.push_eps_max, value: push.eps },
  };
  $("lab-steps").value = String(attack.steps);
  $("lab-random").checked = attack.random_start;
  $("lab-seed").max = String(limits.seed_max);
  $("lab-upload-max").textContent = `${Math.round(limits.upload_bytes_max / 1024)} KB`;
  // steps, step size, random start as the page opened (the untargeted attack's)
  const attackDefaults = { steps: attack.steps, alpha: null, random_start: attack.random_start };
  let attackMode = "attack"; // the last of "attack" and "push": switching between them swaps their defaults

  const mode = () => document.querySelector('input[name="lab-mode"]:checked').value;

  // Push mode starts from the paint figure's attack, so running it on an example repaints the figure;
  // leaving it gives the attack's own defaults back.
  function swapDefaults(toPush) {
    const d = toPush ? push : attackDefaults;
    $("lab-steps").value = String(d.steps);
    $("lab-alpha").value = d.alpha === null || d.alpha === undefined ? "" : String(d.alpha);
    $("lab-random").checked = d.random_start;
  }

  function showEps() {
    const text = epsText(Number($("lab-eps").value), $("lab-norm").value);
    $("lab-eps-out").textContent = text;
    $("lab-eps").setAttribute("aria-valuetext", text);
  }

  function sync() {
    const inspect = mode() === "inspect";
    $("lab-attack-settings").hidden = inspect;
    $("lab-inspect-note").hidden = !inspect;
    $("lab-run").textContent = inspect ? "Inspect the image" : "Run the attack";
    if (inspect) return;
    const isPush = mode() === "push";
    if (mode() !== attackMode) {
      attackMode = mode();
      swapDefaults(isPush);
    }
    const norm = $("lab-norm");
    if (isPush) norm.value = "L2";
    norm.disabled = isPush;
    const key = `${mode()}-${norm.value}`;
    const slider = sliders[key];
    const eps = $("lab-eps");
    const old = Number(eps.value);
    eps.min = "0";
    eps.max = String(slider.max);
    eps.step = String(slider.step);
    if (!(old > 0 && old <= slider.max) || eps.dataset.norm !== key) eps.value = String(slider.value);
    eps.dataset.norm = key;
    $("lab-steps").max = String(isPush ? limits.push_steps_max : limits.steps_max);
    const target = $("lab-target");
    target.options[0].disabled = isPush;
    if (isPush && target.value === "") {
      target.value = "0";
      target.dataset.forced = "true"; // push needs a target; leaving push gives the untargeted choice back
    } else if (!isPush && target.dataset.forced) {
      target.value = "";
      delete target.dataset.forced;
    }
    showEps();
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

  // every shipped model can be attacked, two at a time; the figures' two are the default pair
  for (const [k, sel] of [$("lab-model-a"), $("lab-model-b")].entries()) {
    for (const m of status.models) sel.append(new Option(m.label, m.id));
    sel.value = status.default_models[k] ?? "";
  }
  for (const [i, name] of status.classes.entries()) $("lab-target").append(new Option(name, String(i)));
  for (const el of document.querySelectorAll('input[name="lab-mode"]')) el.addEventListener("change", sync);
  $("lab-norm").addEventListener("change", sync);
  $("lab-target").addEventListener("change", () => delete $("lab-target").dataset.forced); // the reader's own
  $("lab-eps").addEventListener("input", showEps);
  sync();
  return { mode, params, sync };
}
