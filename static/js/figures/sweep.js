// Section 5: clean versus adversarial accuracy of the models trained at each eps (0 = regular),
// at a test eps the reader picks (radio buttons; the choice is kept in ?eps=<k/255>). The server's
// figure holds one frame per test eps; the points glide between them.

import { accText, eps255, k255, numSpan } from "../lib/format.js";
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
    const parts = ["At test ε = ", numSpan(e, "eps255", `sweep.test_eps[${ti}]`), ": "];
    rows.forEach((r, j) => {
      parts.push(
        j ? "; " : "",
        r.train_eps === 0 ? "regular model " : "trained at ε = ",
        ...(r.train_eps === 0 ? [] : [numSpan(r.train_eps, "eps255", `sweep.rows[${r.ri}].train_eps`), " "]),
        ...accText(r.accuracies[clean], `sweep.rows[${r.ri}].accuracies[${clean}]`),
        " clean, ",
        ...accText(r.accuracies[ti], `sweep.rows[${r.ri}].accuracies[${ti}]`),
        " attacked",
      );
    });
    parts.push(".");
    summary.replaceChildren(...parts);
    summary.dataset.eps = String(k255(e));
    write({ eps: k255(e) });
  }

  render(false);
  return { chart };
}
