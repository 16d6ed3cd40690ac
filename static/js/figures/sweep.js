// Section 5: clean versus adversarial accuracy of the models trained at each eps (0 = regular),
// at a test eps the reader picks (radio buttons; the choice is kept in ?eps=<k/255>).

import { COLORS } from "../lib/theme.js";
import { accText, ci, eps255, numSpan } from "../lib/format.js";
import { readChoice, write } from "../lib/state.js";
import { createScatter } from "../widgets/svgchart.js";

const k255 = (e) => Math.round(e * 255);

export function initSweep({ sweep, attack }) {
  const chartEl = document.getElementById("chart-sweep");
  const summary = document.getElementById("summary-sweep");
  const fieldset = document.getElementById("sweep-eps");
  const clean = sweep.test_eps.findIndex((e) => e === 0);
  const choices = sweep.test_eps.map((e, i) => ({ e, i })).filter(({ i }) => i !== clean);
  const rows = sweep.rows.map((r, ri) => ({ ...r, ri })).sort((a, b) => a.train_eps - b.train_eps);
  const preferred = choices.find(({ e }) => Math.abs(e - attack.eps) < 1e-9) || choices[choices.length - 1];
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

  const xClean = rows.map((r) => r.accuracies[clean].value * 100);
  // the regular model in its colour; trained budgets from light to dark blue
  const maxTrain = Math.max(...rows.map((r) => r.train_eps)) || 1;
  const colors = rows.map((r) =>
    r.train_eps === 0 ? COLORS.regular : `hsl(216, 72%, ${Math.round(62 - 34 * (r.train_eps / maxTrain))}%)`,
  );
  const names = rows.map((r) => (r.train_eps === 0 ? "regular" : `train ε ${eps255(r.train_eps)}`));
  const top = Math.min(
    100,
    Math.ceil((Math.max(...rows.flatMap((r) => r.accuracies.map((a) => a.value))) * 100 + 5) / 10) * 10,
  );
  const yLabel = () => `accuracy under PGD at test ε = ${eps255(sweep.test_eps[ti])} (%)`;
  const points = () =>
    rows.map((r, i) => ({ x: xClean[i], y: r.accuracies[ti].value * 100, label: names[i], color: colors[i], row: r }));
  const chart = createScatter(chartEl, {
    label: "Clean versus adversarial accuracy for each training budget",
    xLabel: "clean test accuracy (%)",
    yLabel: yLabel(),
    domain: [0, top],
    points: points(),
    tooltip: (p) => [
      p.row.train_eps === 0 ? "regular model (no attack in training)" : `trained at ε = ${eps255(p.row.train_eps)}`,
      `clean ${p.x.toFixed(1)} % (95 % interval ${ci(p.row.accuracies[clean])})`,
      `under PGD at ε = ${eps255(sweep.test_eps[ti])}: ${p.y.toFixed(1)} % (${ci(p.row.accuracies[ti])})`,
      `n = ${p.row.accuracies[ti].n} test images`,
    ],
  });

  function render(animate) {
    if (animate) chart.update(points(), { yLabel: yLabel() });
    const e = sweep.test_eps[ti];
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
