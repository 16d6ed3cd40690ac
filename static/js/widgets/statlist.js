// A <dl> of statistics: each row a term and its description nodes (numbers as checkable spans).

export function statRows(dl, rows) {
  dl.replaceChildren(
    ...rows.flatMap(([term, ...desc]) => {
      const dt = document.createElement("dt");
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.append(...desc);
      return [dt, dd];
    }),
  );
}
