// Transfer: attacks crafted on one model, scored on every model, as a Plotly heatmap the server
// builds. The summary compares, for the figures' two models, the attack with full access (the
// diagonal) with the one carried over from the other model; hovering or tapping a cell reads it.

import { accText, textSpan } from "../lib/format.js";
import { roleName } from "../lib/names.js";
import { createChart } from "../widgets/chart.js";

export async function initTransfer({ transfer, modelIds, run }) {
  const chartEl = document.getElementById("chart-transfer");
  const summary = document.getElementById("summary-transfer");
  const cell = (s, t) => accText(transfer.accuracy[s][t], `transfer.accuracy[${s}][${t}]`);
  const at = (id) => transfer.sources.indexOf(id);
  const col = (id) => transfer.targets.indexOf(id);
  const name = (id) => {
    const i = run.models.findIndex((m) => m.id === id);
    return i < 0 ? id : textSpan(run.models[i].label, `run.models[${i}].label`);
  };

  function overview() {
    const parts = [];
    for (const target of modelIds) {
      const other = modelIds.find((id) => id !== target);
      if (at(target) < 0 || col(target) < 0 || !other || at(other) < 0) continue;
      parts.push(
        parts.length ? " " : "",
        `Attacked with full access, the ${roleName(target)} stays right on `,
        ...cell(at(target), col(target)),
        `; attacked with images crafted on the ${roleName(other)}, on `,
        ...cell(at(other), col(target)),
        ".",
      );
    }
    summary.replaceChildren(...parts);
  }

  function read(si, ti) {
    summary.replaceChildren(
      "Crafted on ",
      name(transfer.sources[si]),
      ", scored on ",
      name(transfer.targets[ti]),
      ": ",
      ...cell(si, ti),
      " correct.",
    );
  }

  createChart(chartEl, "transfer", { onPoint: (p) => read(p.pointNumber[0], p.pointNumber[1]) }).then(() =>
    chartEl.on("plotly_unhover", overview),
  );
  overview();
}
