// A racing bar chart of class probabilities: one row per class, rows re-sort by probability and
// glide to their new rank (CSS transitions on transform; off under prefers-reduced-motion).
//
//   import { createProbBars } from "./probbars.js";
//   const bars = createProbBars(el, { classes, title: "Regular model" });
//   bars.update(probs, { trueLabel: 3 });   // probs: 10 numbers in [0, 1]
//
// The bars are a picture (aria-hidden); pair them with an aria-live text summary (see summarize()).

import { pct } from "../lib/format.js";

export function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

export function ranking(probs) {
  return probs
    .map((p, i) => [p, i])
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .map(([, i]) => i);
}

// "cat 81.2 %, dog 9.1 %, frog 3.0 %": the top k classes in words.
export function summarize(probs, classes, k = 3) {
  return ranking(probs)
    .slice(0, k)
    .map((i) => `${classes[i]} ${pct(probs[i])}`)
    .join(", ");
}

export function createProbBars(container, { classes, title = "", sorted = true, compact = false } = {}) {
  const root = document.createElement("div");
  root.className = `probbars${compact ? " probbars-compact" : ""}`;
  root.setAttribute("aria-hidden", "true");
  if (title) {
    const h = document.createElement("div");
    h.className = "probbars-title";
    h.textContent = title;
    root.append(h);
  }
  const list = document.createElement("ol");
  list.className = "probbars-list";
  list.style.setProperty("--rows", String(classes.length));
  const rows = classes.map((name, i) => {
    const li = document.createElement("li");
    li.className = "pb-row";
    li.dataset.cls = String(i);
    const label = document.createElement("span");
    label.className = "pb-name";
    label.textContent = name;
    const track = document.createElement("span");
    track.className = "pb-track";
    const bar = document.createElement("span");
    bar.className = "pb-bar";
    track.append(bar);
    const val = document.createElement("span");
    val.className = "pb-val";
    li.append(label, track, val);
    list.append(li);
    return { li, bar, val };
  });
  root.append(list);
  container.replaceChildren(root);

  let last = null;

  function update(probs, { trueLabel = null } = {}) {
    last = probs;
    const order = sorted ? ranking(probs) : probs.map((_, i) => i);
    const pred = argmax(probs);
    order.forEach((cls, rank) => {
      const r = rows[cls];
      r.li.style.setProperty("--rank", String(rank));
      r.bar.style.setProperty("--p", String(probs[cls]));
      r.val.textContent = pct(probs[cls]);
      r.li.classList.toggle("is-true", cls === trueLabel);
      r.li.classList.toggle("is-pred", cls === pred);
      r.li.classList.toggle("is-wrong", cls === pred && trueLabel !== null && cls !== trueLabel);
    });
    root.classList.toggle("is-fooled", trueLabel !== null && pred !== trueLabel);
    return pred;
  }

  return {
    element: root,
    update,
    get probs() {
      return last;
    },
  };
}
