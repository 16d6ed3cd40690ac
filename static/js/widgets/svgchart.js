// Small SVG charts for the article: a line chart (curves per epoch, optional right axis, a cursor,
// hover / tap / drag to pick an x) and a scatter whose points glide when their values change.
// Hand-written instead of a charting library: the article needs four plots, and a library's
// start-up cost was most of the page's time to interactive.
//
//   const c = createLineChart(el, { xLabel, yLabel, y2Label, yDomain, y2Domain, series, onPick });
//   c.update({ series, cursor: 3 });        // series: [{ name, x, y, color, dash, axis, marker, fmt }]
//   const s = createScatter(el, { xLabel, yLabel, domain, points, tooltip });
//   s.update(points, { yLabel });           // points: [{ x, y, label, color }]

const NS = "http://www.w3.org/2000/svg";

function el(tag, attrs = {}, parent = null) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  if (parent) parent.append(e);
  return e;
}

// About n round ticks covering [lo, hi] (steps of 1, 2 or 5 times a power of ten).
export function ticks(lo, hi, n = 5) {
  const span = hi - lo || 1;
  const raw = span / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= n) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function scale([d0, d1], [r0, r1]) {
  const k = (r1 - r0) / (d1 - d0 || 1);
  return (v) => r0 + (v - d0) * k;
}

function frame(container, { height, label }) {
  const wrap = document.createElement("div");
  wrap.className = "svgchart";
  const legend = document.createElement("div");
  legend.className = "svgchart-legend";
  legend.setAttribute("aria-hidden", "true");
  const svg = el("svg", { class: "svgchart-svg", role: "img", "aria-label": label });
  const tip = document.createElement("div");
  tip.className = "svgchart-tip";
  tip.hidden = true;
  tip.setAttribute("aria-hidden", "true");
  wrap.append(legend, svg, tip);
  container.replaceChildren(wrap);
  const size = () => {
    const narrow = container.clientWidth < 520;
    return { width: Math.max(260, container.clientWidth), height: narrow ? Math.round(height * 0.85) : height, narrow };
  };
  return { wrap, legend, svg, tip, size };
}

function swatch(color, dash, marker) {
  const s = el("svg", { width: 26, height: 12, class: "svgchart-swatch" });
  el("line", { x1: 1, x2: 25, y1: 6, y2: 6, stroke: color, "stroke-width": 2.5, "stroke-dasharray": dash }, s);
  if (marker === "triangle") el("path", { d: "M9,2 L17,2 L13,10 Z", fill: color }, s);
  else if (marker)
    el(
      "circle",
      { cx: 13, cy: 6, r: 3.5, fill: marker === "open" ? "#fff" : color, stroke: color, "stroke-width": 1.5 },
      s,
    );
  return s;
}

function axes(g, { x, y, xTicks, yTicks, width, height, m, xLabel, yLabel, yFmt = String, right = false }) {
  for (const t of yTicks) {
    if (!right) el("line", { class: "grid", x1: m.l, x2: width - m.r, y1: y(t), y2: y(t) }, g);
    const label = el(
      "text",
      { class: "tick", x: right ? width - m.r + 6 : m.l - 6, y: y(t) + 4, "text-anchor": right ? "start" : "end" },
      g,
    );
    label.textContent = yFmt(t);
  }
  if (xTicks) {
    el("line", { class: "axis", x1: m.l, x2: width - m.r, y1: height - m.b, y2: height - m.b }, g);
    for (const t of xTicks) {
      el("line", { class: "axis", x1: x(t), x2: x(t), y1: height - m.b, y2: height - m.b + 4 }, g);
      const label = el("text", { class: "tick", x: x(t), y: height - m.b + 16, "text-anchor": "middle" }, g);
      label.textContent = String(t);
    }
    const xl = el("text", { class: "label", x: (m.l + width - m.r) / 2, y: height - 4, "text-anchor": "middle" }, g);
    xl.textContent = xLabel;
  }
  const yl = el(
    "text",
    {
      class: "label",
      transform: `translate(${right ? width - 10 : 12},${(m.t + height - m.b) / 2}) rotate(${right ? 90 : -90})`,
      "text-anchor": "middle",
    },
    g,
  );
  yl.textContent = yLabel;
}

// The hover box: a heading and one line per series, each with its colour swatch.
function fillTip(tip, head, lines) {
  const h = document.createElement("div");
  h.className = "tip-head";
  h.textContent = head;
  tip.replaceChildren(
    h,
    ...lines.map(({ color, text }) => {
      const row = document.createElement("div");
      const sw = document.createElement("span");
      sw.className = "sw";
      sw.style.setProperty("--c", color);
      row.append(sw, text);
      return row;
    }),
  );
  tip.hidden = false;
}

export function createLineChart(container, opts) {
  const { svg, legend, tip, size } = frame(container, { height: opts.height || 320, label: opts.label || "" });
  let series = opts.series;
  let cursor = null;
  let xs = [];

  function draw() {
    const { width, height, narrow } = size();
    const m = { l: 46, r: opts.y2Label ? 58 : 14, t: 10, b: 38 };
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
    const x0 = xs[0];
    const x1 = xs[xs.length - 1];
    const pad = (x1 - x0 || 1) * 0.04;
    const x = scale([x0 - pad, x1 + pad], [m.l, width - m.r]);
    const yDomain = opts.yDomain || [
      0,
      Math.max(...series.filter((s) => s.axis !== "y2").flatMap((s) => s.y)) * 1.1 || 1,
    ];
    const y = scale(yDomain, [height - m.b, m.t]);
    const y2 = opts.y2Domain ? scale(opts.y2Domain, [height - m.b, m.t]) : y;
    const xTicks =
      xs.length <= (narrow ? 8 : 14) ? xs : ticks(x0, x1, narrow ? 5 : 8).filter((t) => Number.isInteger(t));
    const g = el("g");
    axes(g, {
      x,
      y,
      xTicks,
      yTicks: ticks(yDomain[0], yDomain[1], 5),
      width,
      height,
      m,
      xLabel: opts.xLabel,
      yLabel: opts.yLabel,
      yFmt: opts.yFmt,
    });
    if (opts.y2Label)
      axes(g, {
        x,
        y: y2,
        yTicks: ticks(opts.y2Domain[0], opts.y2Domain[1], 5),
        width,
        height,
        m,
        yLabel: opts.y2Label,
        right: true,
      });
    if (cursor !== null) el("line", { class: "cursor", x1: x(cursor), x2: x(cursor), y1: m.t, y2: height - m.b }, g);
    for (const s of series) {
      const yy = s.axis === "y2" ? y2 : y;
      if (s.line !== false && s.x.length > 1) {
        const d = s.x.map((v, i) => `${i ? "L" : "M"}${x(v).toFixed(1)},${yy(s.y[i]).toFixed(1)}`).join("");
        el("path", { d, fill: "none", stroke: s.color, "stroke-width": s.width || 2.2, "stroke-dasharray": s.dash }, g);
      }
      s.x.forEach((v, i) => {
        const cx = x(v);
        const cy = yy(s.y[i]);
        if (s.marker === "triangle")
          el("path", { d: `M${cx - 6},${m.t} L${cx + 6},${m.t} L${cx},${m.t + 10} Z`, fill: s.color }, g);
        else if (s.marker !== "none")
          el(
            "circle",
            { cx, cy, r: 3.2, fill: s.marker === "open" ? "#fff" : s.color, stroke: s.color, "stroke-width": 1.5 },
            g,
          );
      });
    }
    const hit = el(
      "rect",
      { class: "chart-hit", x: m.l, y: m.t, width: width - m.l - m.r, height: height - m.t - m.b, fill: "transparent" },
      g,
    );
    hit.dataset.x0 = String(x0 - pad);
    hit.dataset.x1 = String(x1 + pad);
    svg.replaceChildren(g);
    legend.replaceChildren(
      ...series
        .filter((s) => s.legend !== false)
        .map((s) => {
          const item = document.createElement("span");
          item.append(swatch(s.color, s.dash, s.marker), document.createTextNode(s.name));
          return item;
        }),
    );
    return { x, m, width };
  }

  let geom = draw();

  function nearestX(clientX) {
    const box = svg.getBoundingClientRect();
    const px = ((clientX - box.left) / box.width) * geom.width;
    let best = xs[0];
    for (const v of xs) if (Math.abs(geom.x(v) - px) < Math.abs(geom.x(best) - px)) best = v;
    return best;
  }

  function showTip(xv) {
    const lines = series
      .filter((sr) => sr.tip !== false)
      .map((sr) => {
        const i = sr.x.indexOf(xv);
        return i < 0 ? null : { color: sr.color, text: `${sr.name}: ${(sr.fmt || String)(sr.y[i])}` };
      })
      .filter(Boolean);
    fillTip(tip, `${opts.xLabel} ${xv}`, lines);
    const width = svg.getBoundingClientRect().width;
    const left = (geom.x(xv) / geom.width) * width;
    tip.style.setProperty("--left", `${left}px`);
    tip.style.setProperty("--top", "0px");
    tip.classList.toggle("flip", left > width * 0.6);
  }

  function pick(e) {
    if (!xs.length) return;
    const xv = nearestX(e.clientX);
    showTip(xv);
    if (opts.onPick) opts.onPick(xv);
  }
  svg.addEventListener("pointermove", pick);
  svg.addEventListener("pointerdown", pick);
  svg.addEventListener("pointerleave", () => (tip.hidden = true));
  svg.style.touchAction = "pan-y";

  if (typeof ResizeObserver === "function") {
    let lastWidth = container.clientWidth;
    new ResizeObserver(() => {
      if (container.clientWidth !== lastWidth) {
        lastWidth = container.clientWidth;
        geom = draw();
      }
    }).observe(container);
  }

  return {
    element: svg,
    update({ series: next, cursor: c } = {}) {
      if (next) series = next;
      if (c !== undefined) cursor = c;
      geom = draw();
    },
  };
}

export function createScatter(container, opts) {
  const { svg, tip, size, legend } = frame(container, { height: opts.height || 400, label: opts.label || "" });
  legend.remove();
  let points = opts.points;
  let yLabel = opts.yLabel;
  let nodes = null;
  let geom = null;

  function layout() {
    const { width, height } = size();
    const m = { l: 50, r: 18, t: 14, b: 40 };
    const x = scale(opts.domain, [m.l, width - m.r]);
    const y = scale(opts.domain, [height - m.b, m.t]);
    return { width, height, m, x, y };
  }

  function build() {
    geom = layout();
    const { width, height, m, x, y } = geom;
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    const g = el("g");
    const t = ticks(opts.domain[0], opts.domain[1], 6);
    for (const v of t) el("line", { class: "grid", x1: x(v), x2: x(v), y1: m.t, y2: height - m.b }, g);
    axes(g, { x, y, xTicks: t, yTicks: t, width, height, m, xLabel: opts.xLabel, yLabel });
    const path = el("path", { class: "scatter-line", fill: "none" }, g);
    const dots = points.map((p) => {
      const node = el("g", { class: "scatter-point", tabindex: -1 }, g);
      el("circle", { r: 7, fill: p.color, stroke: "#fff", "stroke-width": 1.5 }, node);
      const label = el("text", { x: 10, y: -8, class: "point-label" }, node);
      label.textContent = p.label;
      node.addEventListener("pointerenter", () => hover(node));
      node.addEventListener("pointerdown", () => hover(node));
      node.addEventListener("pointerleave", () => (tip.hidden = true));
      return node;
    });
    svg.replaceChildren(g);
    nodes = { path, dots };
    place();
  }

  // Greedy label placement: the first of four spots around each point that overlaps no label
  // placed before it and stays inside the chart.
  function placeLabels() {
    const { x, y, width, m } = geom;
    const boxes = points.map((p) => ({ x: x(p.x) - 8, y: y(p.y) - 8, w: 16, h: 16 }));
    const spots = [
      [10, -8, "start"],
      [10, 16, "start"],
      [-10, -8, "end"],
      [-10, 16, "end"],
    ];
    const hits = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    points.forEach((p, i) => {
      const text = nodes.dots[i].querySelector("text");
      const w = p.label.length * 6.3;
      let chosen = spots[0];
      for (const spot of spots) {
        const bx = x(p.x) + spot[0] - (spot[2] === "end" ? w : 0);
        const box = { x: bx, y: y(p.y) + spot[1] - 10, w, h: 12 };
        if (bx >= m.l && bx + w <= width - 2 && !boxes.some((b) => hits(b, box))) {
          chosen = spot;
          boxes.push(box);
          break;
        }
      }
      text.setAttribute("x", chosen[0]);
      text.setAttribute("y", chosen[1]);
      text.setAttribute("text-anchor", chosen[2]);
    });
  }

  function place() {
    const { x, y } = geom;
    points.forEach((p, i) => {
      const n = nodes.dots[i];
      n.style.transform = `translate(${x(p.x).toFixed(1)}px, ${y(p.y).toFixed(1)}px)`;
      n.dataset.index = String(i);
    });
    placeLabels();
    nodes.path.setAttribute(
      "d",
      points.map((p, i) => `${i ? "L" : "M"}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(""),
    );
    const yl = svg.querySelectorAll("text.label");
    if (yl.length > 1) yl[yl.length - 1].textContent = yLabel;
  }

  function hover(node) {
    const i = Number(node.dataset.index);
    const p = points[i];
    const [head, ...lines] = opts.tooltip(p, i);
    fillTip(
      tip,
      head,
      lines.map((text) => ({ color: p.color, text })),
    );
    const box = svg.getBoundingClientRect();
    const left = (geom.x(p.x) / geom.width) * box.width;
    tip.style.setProperty("--left", `${left}px`);
    tip.style.setProperty("--top", `${(geom.y(p.y) / geom.height) * box.height}px`);
    tip.classList.toggle("flip", left > box.width * 0.6);
  }

  build();
  if (typeof ResizeObserver === "function") {
    let lastWidth = container.clientWidth;
    new ResizeObserver(() => {
      if (container.clientWidth !== lastWidth) {
        lastWidth = container.clientWidth;
        build();
      }
    }).observe(container);
  }

  return {
    element: svg,
    update(next, { yLabel: label } = {}) {
      points = next;
      if (label) yLabel = label;
      place();
    },
  };
}
