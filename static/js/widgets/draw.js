// A drawing pad at the models' own resolution (32×32): the reader paints with a mouse, a finger, a pen
// or the keyboard, and the lab attacks the picture as an upload. Pointer Events cover all three
// pointer kinds; `touch-action: none` (lab.css) keeps a finger from scrolling the page instead.
//
//   const pad = createDrawingPad({ onChange });  container.append(pad.element);
//   const blob = await pad.toBlob();              // image/png, 32×32

const COLORS = [
  ["black", "#000000"],
  ["white", "#ffffff"],
  ["red", "#d62828"],
  ["orange", "#f77f00"],
  ["yellow", "#fcbf49"],
  ["green", "#2a9d3f"],
  ["blue", "#1d4ed8"],
  ["sky", "#8ecae6"],
  ["brown", "#7f5539"],
  ["grey", "#8d99ae"],
];

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

export function createDrawingPad({ size = 32, onChange = () => {} } = {}) {
  const canvas = el("canvas", { width: size, height: size, className: "pixels lab-pad-canvas", tabIndex: 0 });
  canvas.setAttribute("role", "application");
  canvas.setAttribute(
    "aria-label",
    `Drawing, ${size} by ${size} pixels. Draw with a mouse, finger or pen; ` +
      "or move with the arrow keys and paint with Space.",
  );
  const ctx = canvas.getContext("2d");
  const cursor = el("div", { className: "lab-pad-cursor", hidden: true });
  const state = { color: COLORS[0][1], brush: 2, last: null, x: size >> 1, y: size >> 1 };

  function clear() {
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, size, size);
    onChange();
  }

  function dab(x, y) {
    const r = state.brush;
    const x0 = Math.max(0, x - (r >> 1));
    const y0 = Math.max(0, y - (r >> 1));
    ctx.fillStyle = state.color;
    ctx.fillRect(x0, y0, Math.min(r, size - x0), Math.min(r, size - y0));
  }

  function line(a, b) {
    // every pixel between two pointer samples, so a quick stroke leaves no gaps
    const n = Math.max(Math.abs(b.x - a.x), Math.abs(b.y - a.y), 1);
    for (let i = 0; i <= n; i++) dab(Math.round(a.x + ((b.x - a.x) * i) / n), Math.round(a.y + ((b.y - a.y) * i) / n));
    onChange();
  }

  function at(e) {
    const box = canvas.getBoundingClientRect();
    const clamp = (v) => Math.max(0, Math.min(size - 1, Math.floor(v * size)));
    return { x: clamp((e.clientX - box.left) / box.width), y: clamp((e.clientY - box.top) / box.height) };
  }

  canvas.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return; // the main button, a finger or a pen tip; not a right-click
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    state.last = at(e);
    line(state.last, state.last);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!state.last) return;
    const p = at(e);
    line(state.last, p);
    state.last = p;
  });
  for (const type of ["pointerup", "pointercancel"]) canvas.addEventListener(type, () => (state.last = null));

  function showCursor() {
    cursor.hidden = false;
    const half = state.brush >> 1; // where dab() puts the brush's square
    cursor.style.left = `${(100 * Math.max(0, state.x - half)) / size}%`;
    cursor.style.top = `${(100 * Math.max(0, state.y - half)) / size}%`;
    cursor.style.width = cursor.style.height = `${(100 * state.brush) / size}%`;
  }
  canvas.addEventListener("keydown", (e) => {
    const move = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
    if (move) {
      state.x = Math.max(0, Math.min(size - 1, state.x + move[0]));
      state.y = Math.max(0, Math.min(size - 1, state.y + move[1]));
      if (e.shiftKey) line({ x: state.x, y: state.y }, { x: state.x, y: state.y }); // Shift+arrow paints as it moves
    } else if (e.key === " " || e.key === "Enter") {
      line({ x: state.x, y: state.y }, { x: state.x, y: state.y });
    } else return;
    e.preventDefault();
    showCursor();
  });
  canvas.addEventListener("focus", showCursor);
  canvas.addEventListener("blur", () => (cursor.hidden = true));

  const palette = el("div", { className: "lab-pad-palette" });
  palette.setAttribute("role", "radiogroup");
  palette.setAttribute("aria-label", "Colour");
  for (const [name, hex] of COLORS) {
    const b = el("button", { type: "button", className: "lab-pad-swatch", title: name });
    b.style.background = hex;
    b.setAttribute("role", "radio");
    b.setAttribute("aria-label", name);
    b.setAttribute("aria-checked", String(hex === state.color));
    b.tabIndex = hex === state.color ? 0 : -1; // one Tab stop; arrow keys move within (a radio group)
    b.addEventListener("click", () => {
      state.color = hex;
      for (const s of palette.children) {
        s.setAttribute("aria-checked", String(s === b));
        s.tabIndex = s === b ? 0 : -1;
      }
    });
    palette.append(b);
  }
  palette.addEventListener("keydown", (e) => {
    const delta = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
    const swatches = [...palette.children];
    const at = swatches.indexOf(document.activeElement);
    if (!delta || at < 0) return;
    e.preventDefault();
    const next = swatches[(at + delta + swatches.length) % swatches.length];
    next.focus();
    next.click();
  });
  const brush = el(
    "select",
    { className: "lab-pad-brush" },
    ...[1, 2, 3, 4].map((r) => el("option", { value: String(r), textContent: `${r} px`, selected: r === state.brush })),
  );
  brush.addEventListener("change", () => {
    state.brush = Number(brush.value);
    if (!cursor.hidden) showCursor();
  });
  const clearButton = el("button", { type: "button", className: "lab-pad-clear", textContent: "Clear" });
  clearButton.addEventListener("click", clear);
  const tools = el("div", { className: "lab-pad-tools" }, palette, el("label", {}, "Brush ", brush), clearButton);
  const element = el("div", { className: "lab-pad" }, el("div", { className: "lab-pad-frame" }, canvas, cursor), tools);

  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, size, size);
  return {
    element,
    canvas,
    toBlob: () => new Promise((resolve) => canvas.toBlob(resolve, "image/png")),
  };
}
