// Section 5: clean versus adversarial accuracy of the models trained at each eps (0 = regular),
// at a test eps the reader picks (radio buttons; the choice is kept in ?eps=<k/255>). The server's
// figure holds one frame per test eps; the points glide between them, joined by a line in order of
// training budget so the whole trade-off curve is seen to shift. The readout is a small table.

import { eps255, k255, numSpan } from "../lib/format.js";
import { motion } from "../lib/plotly.js";
import { readChoice, write } from "../lib/state.js";
import { createChart } from "../widgets/chart.js";

export async function initSweep({ sweep }) {
  const chartEl = document.getElementById("chart-sweep");
  const summary = document.getElementById("summary-sweep");
  const fieldset = document.getElementById("sweep-eps");
  const clean = sweep.test_eps.findIndex((e) => e === 0);
  const choices = sweep.test_eps.map((e, i) => ({ e, i })).filter(({ i }) => i !== clean);
  const rows = sweep.rows.map((r, ri) => ({ ...r, ri })).sort((a, b) => a.train_eps - b.train_eps);
  const chart = await createChart(chartEl, "sweep");
  const frames = new Map(chart.spec.frames.map((f) => [f.name, f]));
  // the figure opens on the test eps of the article's attack (the server's choice, in layout.meta)
  const preferred = choices.find(({ e }) => k255(e) === chart.spec.layout.meta.open_k) || choices[choices.length - 1];
  const chosenK = readChoice(
    "eps",
    choices.map(({ e }) => k255(e)),
    k255(preferred.e),
  );
  let ti = choices.find(({ e }) => k255(e) === chosenK).i;

  // radio buttons, one per nonzero test eps
  for (const { e, i } of choices) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "sweep-eps";
    input.value = String(i);
    input.checked = i === ti;
    input.setAttribute("aria-label", `test ε = ${eps255(e)}`);
    const span = document.createElement("span");
    span.textContent = eps255(e);
    span.setAttribute("aria-hidden", "true");
    label.append(input, span);
    fieldset.append(label);
  }
  fieldset.addEventListener("change", (ev) => {
    if (ev.target.name !== "sweep-eps") return;
    ti = Number(ev.target.value);
    render(true);
  });

  function render(animate) {
    const e = sweep.test_eps[ti];
    const frame = frames.get(String(k255(e)));
    if (frame) {
      chart.Plotly.animate(chartEl, [frame.name], motion(animate ? 450 : 0)).catch(() => {}); // superseded
      chart.Plotly.relayout(chartEl, { "title.text": frame.layout.title.text });
    }
    summary.replaceChildren(readout(ti));
    summary.dataset.eps = String(k255(e));
    write({ eps: k255(e) });
  }

  // the readout: a small table, a row per model, clean then each test budget, the chosen one marked
  function readout(chosen) {
    const table = document.createElement("table");
    table.className = "readout";
    const cap = table.createCaption();
    cap.append("Accuracy clean and under PGD at each test ε (the chosen one marked); intervals on hover.");
    const cell = (tag, nodes, on) => {
      const c = document.createElement(tag);
      c.append(...nodes);
      if (on) c.className = "is-chosen";
      return c;
    };
    const head = table.createTHead().insertRow();
    head.append(cell("th", ["train ε"]), cell("th", ["clean"]));
    for (const { e, i } of choices)
      head.append(cell("th", [numSpan(e, "eps255", `sweep.test_eps[${i}]`)], i === chosen));
    for (const th of head.cells) th.scope = "col";
    const body = table.createTBody();
    for (const r of rows) {
      const tr = body.insertRow();
      const name = r.train_eps === 0 ? ["regular"] : [numSpan(r.train_eps, "eps255", `sweep.rows[${r.ri}].train_eps`)];
      const th = cell("th", name);
      th.scope = "row";
      tr.append(th);
      for (const i of [clean, ...choices.map((c) => c.i)]) {
        const src = `sweep.rows[${r.ri}].accuracies[${i}].value`;
        tr.append(cell("td", [numSpan(r.accuracies[i].value, "pct", src)], i === chosen));
      }
    }
    return table;
  }

  render(false);
  return { chart };
}
