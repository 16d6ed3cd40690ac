// The capacity study: clean and PGD accuracy against size (a server-built Plotly figure). The summary
// lists the adversarially trained models by size; hovering or tapping a point names that model.

import { accText, numSpan } from "../lib/format.js";
import { createChart } from "../widgets/chart.js";

export async function initCapacity({ capacity }) {
  const summary = document.getElementById("summary-capacity");
  const indexed = capacity.models.map((m, i) => ({ m, i }));
  const shape = ({ m, i }) => [
    "width ",
    numSpan(m.width, "int", `capacity.models[${i}].width`),
    m.last_stage === 8 * m.width ? "" : " with its last stage narrowed to ",
    ...(m.last_stage === 8 * m.width
      ? []
      : [numSpan(m.last_stage, "int", `capacity.models[${i}].last_stage`), " channels"]),
    " (",
    numSpan(m.parameters, "count", `capacity.models[${i}].parameters`),
    " parameters)",
  ];

  function overview() {
    const adv = indexed.filter(({ m }) => m.kind === "adversarial").sort((a, b) => a.m.parameters - b.m.parameters);
    const parts = ["Adversarially trained, accuracy under PGD: "];
    adv.forEach((e, j) =>
      parts.push(j ? "; " : "", ...shape(e), ": ", ...accText(e.m.robust, `capacity.models[${e.i}].robust`)),
    );
    parts.push(".");
    summary.replaceChildren(...parts);
    delete summary.dataset.model;
  }

  await createChart(document.getElementById("chart-capacity"), "capacity", {
    onPoint: (point) => {
      const e = indexed.find(
        ({ m }) =>
          m.parameters === point.x &&
          point.data.name.startsWith(m.kind === "regular" ? "regular" : "adversarial") &&
          point.data.name.includes("narrowed") === (m.last_stage !== 8 * m.width),
      );
      if (!e) return;
      summary.replaceChildren(
        e.m.kind === "regular" ? "Regular model, " : "Adversarially trained model, ",
        ...shape(e),
        ": clean ",
        ...accText(e.m.clean, `capacity.models[${e.i}].clean`),
        ", under PGD ",
        ...accText(e.m.robust, `capacity.models[${e.i}].robust`),
        ".",
      );
      summary.dataset.model = e.m.id;
    },
  });
  overview();
}
