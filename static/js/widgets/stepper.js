// A step slider / player: range input + previous, play/pause and next buttons, with marks.
//
// Keyboard: the range input gives arrows, Home, End, PageUp/PageDown; the buttons are real buttons.
// Touch: the range input is dragged natively; the buttons are 44 px targets. Screen readers hear
// the value through aria-valuetext (format()).
//
//   import { createStepper } from "./stepper.js";
//   const s = createStepper(el, { min: 0, max: 10, value: 0, label: "PGD step",
//                                 format: (v) => `step ${v}`, onChange: (v, source) => ... });
//   s.set(4);               // moves the slider, calls onChange(4, "api")
//   s.set(4, { silent: true });
//   s.setMarks([2, 5]);     // small ticks above the track (e.g. where a prediction changes)
//   s.setRange(0, 20);

import { prefersReducedMotion } from "../lib/motion.js";

let counter = 0;

const SVG = "http://www.w3.org/2000/svg";
// Drawn glyphs: text ones ("❚❚") render as an empty box in fonts that lack them.
const ICONS = {
  prev: [["path", { d: "M10 3 5 8l5 5" }]],
  next: [["path", { d: "M6 3l5 5-5 5" }]],
  play: [["path", { d: "M4.5 2.5v11l9-5.5z", fill: "currentColor", stroke: "none" }]],
  pause: [
    ["rect", { x: 3.5, y: 2.5, width: 3, height: 11, fill: "currentColor", stroke: "none" }],
    ["rect", { x: 9.5, y: 2.5, width: 3, height: 11, fill: "currentColor", stroke: "none" }],
  ],
};

function icon(name) {
  const svg = document.createElementNS(SVG, "svg");
  for (const [k, v] of Object.entries({ viewBox: "0 0 16 16", width: 16, height: 16, "aria-hidden": "true" }))
    svg.setAttribute(k, String(v));
  svg.setAttribute("fill", "none");
  svg.setAttribute("stroke", "currentColor");
  svg.setAttribute("stroke-width", "2");
  for (const [tag, attrs] of ICONS[name]) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    svg.append(el);
  }
  return svg;
}

function button(cls, label, glyph) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = `stepper-btn ${cls}`;
  b.setAttribute("aria-label", label);
  b.append(icon(glyph));
  return b;
}

// The widest label over the range, in ch: the value's box keeps that width so the track beside it
// never changes length (and the thumb never jumps) when a label grows.
function labelWidth(format, min, max) {
  const values = max - min <= 400 ? Array.from({ length: max - min + 1 }, (_, i) => min + i) : [min, max];
  return Math.max(...values.map((v) => format(v).length));
}

export function createStepper(container, options) {
  const opts = {
    min: 0,
    max: 10,
    value: 0,
    step: 1,
    label: "Step",
    format: (v) => String(v),
    interval: 700, // ms per frame while playing
    loop: false,
    onChange: () => {},
    ...options,
  };
  const id = `stepper-${++counter}`;
  const root = document.createElement("div");
  root.className = "stepper";
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", `${opts.label} player`);

  const prev = button("stepper-prev", `Previous ${opts.label.toLowerCase()}`, "prev");
  const play = button("stepper-play", `Play through ${opts.label.toLowerCase()}s`, "play");
  play.setAttribute("aria-pressed", "false");
  const next = button("stepper-next", `Next ${opts.label.toLowerCase()}`, "next");

  const trackWrap = document.createElement("div");
  trackWrap.className = "stepper-track";
  const input = document.createElement("input");
  input.type = "range";
  input.id = id;
  input.className = "stepper-range";
  input.setAttribute("aria-label", opts.label);
  const marks = document.createElement("div");
  marks.className = "stepper-marks";
  marks.setAttribute("aria-hidden", "true");
  trackWrap.append(marks, input);

  const out = document.createElement("output");
  out.className = "stepper-value";
  out.htmlFor = id;

  root.append(prev, play, next, trackWrap, out);
  container.replaceChildren(root);

  let value = opts.value;
  let min = opts.min;
  let max = opts.max;
  let timer = null;
  let markValues = [];
  let sized = null; // the range the label's width was measured for

  function clamp(v) {
    const n = Math.round(Number(v));
    if (!Number.isFinite(n)) return min;
    return Math.min(max, Math.max(min, n));
  }

  function render() {
    if (sized !== `${min}:${max}`) {
      sized = `${min}:${max}`;
      out.style.minWidth = `${labelWidth(opts.format, min, max)}ch`;
    }
    input.min = String(min);
    input.max = String(max);
    input.step = String(opts.step);
    input.value = String(value);
    const text = opts.format(value);
    input.setAttribute("aria-valuetext", text);
    out.textContent = text;
    prev.disabled = value <= min;
    next.disabled = value >= max && !opts.loop;
    const span = Math.max(1, max - min);
    root.style.setProperty("--stepper-fill", `${((value - min) / span) * 100}%`);
  }

  function set(v, { silent = false, source = "api" } = {}) {
    const c = clamp(v);
    const changed = c !== value;
    value = c;
    render();
    if (!silent && changed) opts.onChange(value, source);
    return value;
  }

  function stop() {
    if (timer !== null) {
      clearInterval(timer);
      timer = null;
    }
    play.setAttribute("aria-pressed", "false");
    play.replaceChildren(icon("play"));
    root.classList.remove("is-playing");
  }

  function start() {
    if (value >= max) set(min, { source: "play" });
    play.setAttribute("aria-pressed", "true");
    play.replaceChildren(icon("pause")); // the label stays: aria-pressed says it is playing
    root.classList.add("is-playing");
    const interval = prefersReducedMotion() ? Math.max(opts.interval, 1000) : opts.interval;
    timer = setInterval(() => {
      if (value >= max) {
        if (opts.loop) set(min, { source: "play" });
        else stop();
        return;
      }
      set(value + opts.step, { source: "play" });
      if (value >= max && !opts.loop) stop();
    }, interval);
  }

  input.addEventListener("input", () => {
    stop();
    set(input.value, { source: "input" });
  });
  prev.addEventListener("click", () => {
    stop();
    set(value - opts.step, { source: "button" });
  });
  next.addEventListener("click", () => {
    stop();
    set(value + opts.step, { source: "button" });
  });
  play.addEventListener("click", () => (timer === null ? start() : stop()));
  root.addEventListener("keydown", (e) => {
    if (e.target === input) return; // the range input handles its own keys
    if (e.key === "ArrowLeft" || e.key === "ArrowDown") {
      e.preventDefault();
      stop();
      set(value - opts.step, { source: "key" });
    } else if (e.key === "ArrowRight" || e.key === "ArrowUp") {
      e.preventDefault();
      stop();
      set(value + opts.step, { source: "key" });
    } else if (e.key === "Home") {
      e.preventDefault();
      stop();
      set(min, { source: "key" });
    } else if (e.key === "End") {
      e.preventDefault();
      stop();
      set(max, { source: "key" });
    }
  });

  function setMarks(values, titleOf = (v) => opts.format(v)) {
    markValues = values.slice();
    const span = Math.max(1, max - min);
    marks.replaceChildren(
      ...markValues.map((v) => {
        const m = document.createElement("span");
        m.className = "stepper-mark";
        m.style.setProperty("--at", `${((v - min) / span) * 100}%`);
        m.title = titleOf(v);
        return m;
      }),
    );
  }

  function setRange(newMin, newMax) {
    min = newMin;
    max = Math.max(newMin, newMax);
    value = clamp(value);
    render();
    setMarks(markValues);
  }

  value = clamp(value);
  render();

  return {
    element: root,
    input,
    get value() {
      return value;
    },
    get playing() {
      return timer !== null;
    },
    set,
    setMarks,
    setRange,
    play: start,
    stop,
    focus: () => input.focus(),
  };
}
