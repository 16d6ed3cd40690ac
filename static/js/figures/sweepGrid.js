// Section 5, second figure: the sweep as a grid (training eps x test eps), a Plotly heatmap the
// server builds. Hovering or tapping a cell reads it out in the summary; otherwise it names the
// highest measured accuracy at the article's test budget. The same numbers are the sweep figure's
// radio choices, for keyboard readers, and its download.

import { accText, k255, numSpan } from "../lib/format.js";
import { createChart } from "../widgets/chart.js";

export async function initSweepGrid({ sweep }) {
  const chartEl = document.getElementById("chart-sweep-grid");
  const summary = document.getElementById("summary-sweep-grid");
  const rows = sweep.rows.map((r, ri) => ({ ...r, ri })).sort((a, b) => a.train_eps - b.train_eps);
  const trainName = (r, first = false) => {
    const the = first ? "The" : "the"; // a sentence that opens with the name starts with a capital
    return r.train_eps === 0 ? [`${the} regular model`] : [`${the} model trained at ε = `, eps(r)];
  };
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
        ? "; no other model's interval reaches it."
        : "; other models' intervals overlap it, so these data do not single it out.",
    );
  }

  function read(ri, ti) {
    const r = rows[ri];
    const where = sweep.test_eps[ti] === 0 ? ["on clean images"] : ["under attack at ε = ", testEps(ti)];
    summary.replaceChildren(...trainName(r, true), " ", ...where, ": ", ...cell(r, ti), ".");
  }

  const chart = await createChart(chartEl, "sweep-grid", {
    onPoint: (p) => read(p.pointNumber[0], p.pointNumber[1]),
  });
  // the server's choice of test eps, the same as the scatter's; the summary returns to it after a hover
  const open = Math.max(
    0,
    sweep.test_eps.findIndex((e) => k255(e) === chart.spec.layout.meta.open_k),
  );
  chartEl.on("plotly_unhover", () => best(open));
  best(open);
}
