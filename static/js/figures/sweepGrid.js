// Section 5, second figure: the sweep as a grid (training eps x test eps), a Plotly heatmap the
// server builds. Hovering or tapping a cell reads it out in the summary; it opens on the article's
// test budget, naming the training budget that holds best there.

import { accText, numSpan } from "../lib/format.js";
import { createChart } from "../widgets/chart.js";

const k255 = (e) => Math.round(e * 255);

export async function initSweepGrid({ sweep, attack }) {
  const chartEl = document.getElementById("chart-sweep-grid");
  const summary = document.getElementById("summary-sweep-grid");
  const rows = sweep.rows.map((r, ri) => ({ ...r, ri })).sort((a, b) => a.train_eps - b.train_eps);
  const trainName = (r) => (r.train_eps === 0 ? ["the regular model"] : ["the model trained at ε = ", eps(r)]);
  const eps = (r) => numSpan(r.train_eps, "eps255", `sweep.rows[${r.ri}].train_eps`);
  const cell = (r, ti) => accText(r.accuracies[ti], `sweep.rows[${r.ri}].accuracies[${ti}]`);
  const testEps = (ti) => numSpan(sweep.test_eps[ti], "eps255", `sweep.test_eps[${ti}]`);

  function best(ti) {
    const r = rows.reduce((a, b) => (b.accuracies[ti].value > a.accuracies[ti].value ? b : a));
    // a point estimate is not a ranking: say whether others' intervals reach this one's
    const close = rows.filter((o) => o !== r && o.accuracies[ti].high >= r.accuracies[ti].low).length;
    summary.replaceChildren(
      "At test ε = ",
      testEps(ti),
      " the highest measured accuracy is that of ",
      ...trainName(r),
      ", ",
      ...cell(r, ti),
      close === 0
        ? "; no other model's 95 % interval reaches it."
        : "; other models' 95 % intervals overlap it, so these data do not single it out.",
    );
  }

  function read(ri, ti) {
    const r = rows[ri];
    const where = sweep.test_eps[ti] === 0 ? ["on clean images"] : ["under attack at ε = ", testEps(ti)];
    summary.replaceChildren(...trainName(r), " ", ...where, ": ", ...cell(r, ti), ".");
  }

  await createChart(chartEl, "sweep-grid", {
    onPoint: (p) => read(p.pointNumber[0], p.pointNumber[1]),
  });
  const open = sweep.test_eps.findIndex((e) => k255(e) === k255(attack.eps));
  best(open >= 0 ? open : sweep.test_eps.length - 1);
}
