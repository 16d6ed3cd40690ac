// An image picker: a radio group of thumbnail buttons (roving tabindex; arrows, Home, End; click
// or tap). Each thumbnail is a crisp canvas tile from a sprite sheet, with an optional badge.
//
//   const p = createPicker(el, { count: 10, value: 0, label: (i) => "Image 3: cat",
//                                draw: (canvas, i) => ..., badge: (i) => ({ text, cls, src }),
//                                onChange: (i) => ..., reveal: (i) => ... });
// reveal(i), when given, runs before thumbnail i takes focus: a picker that hides some of its
// thumbnails (the gallery on a phone) shows them there, so focus never lands on a hidden one.
//   p.set(4);

import { numSpan } from "../lib/format.js";
import { tileCanvas } from "../lib/pixels.js";

export function createPicker(container, { count, value = 0, tile = 32, label, draw, badge, onChange, reveal }) {
  const buttons = [];
  const canvases = [];
  const frag = document.createDocumentFragment();
  for (let i = 0; i < count; i++) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "thumb";
    b.setAttribute("role", "radio");
    b.dataset.index = String(i);
    b.setAttribute("aria-label", label(i));
    const c = tileCanvas(tile);
    c.setAttribute("aria-hidden", "true");
    b.append(c);
    const bd = badge ? badge(i) : null;
    if (bd) {
      const s = document.createElement("span");
      s.className = `badge ${bd.cls || ""}`;
      s.setAttribute("aria-hidden", "true");
      s.textContent = bd.text;
      if (bd.src) {
        s.dataset.src = bd.src;
        s.dataset.fmt = "int";
        s.dataset.value = bd.text;
      }
      b.append(s);
    }
    buttons.push(b);
    canvases.push(c);
    frag.append(b);
  }
  container.replaceChildren(frag);
  let current = -1;

  function columns() {
    const cols = getComputedStyle(container).gridTemplateColumns.split(" ").filter(Boolean).length;
    return Math.max(1, cols);
  }

  function set(i, { silent = false, focus = false } = {}) {
    const n = Math.min(count - 1, Math.max(0, Math.round(i)));
    const changed = n !== current;
    buttons.forEach((b, k) => {
      b.setAttribute("aria-checked", k === n ? "true" : "false");
      b.tabIndex = k === n ? 0 : -1;
    });
    current = n;
    if (reveal) reveal(n);
    if (focus) buttons[n].focus();
    if (changed && !silent) onChange(n);
    return n;
  }

  container.addEventListener("click", (e) => {
    const b = e.target.closest(".thumb");
    if (b && container.contains(b)) set(Number(b.dataset.index), { focus: true });
  });
  container.addEventListener("keydown", (e) => {
    const moves = {
      ArrowRight: 1,
      ArrowLeft: -1,
      ArrowDown: columns(),
      ArrowUp: -columns(),
      Home: -Infinity,
      End: Infinity,
    };
    if (!(e.key in moves)) return;
    e.preventDefault();
    const d = moves[e.key];
    const target = d === -Infinity ? 0 : d === Infinity ? count - 1 : current + d;
    set(Math.min(count - 1, Math.max(0, target)), { focus: true });
  });

  function redraw() {
    canvases.forEach((c, i) => draw(c, i));
  }

  set(value, { silent: true });
  return {
    set,
    redraw,
    get value() {
      return current;
    },
    buttons,
  };
}

// The "Show all N images" button after a gallery picker that a phone shows only the first `shown`
// thumbnails of (article.css); it hides itself once the picker is expanded, moving focus on.
export function addShowAll(pickerEl, count, shown) {
  const more = document.createElement("button");
  more.type = "button";
  more.className = "gallery-more";
  // one inline box: as flex items of the button, the words and the number would lose their spaces
  const text = document.createElement("span");
  text.append("Show all ", numSpan(count, "int", "gallery.images.length"), " images");
  more.append(text);
  more.addEventListener("click", () => {
    pickerEl.classList.add("is-expanded");
    pickerEl.querySelectorAll(".thumb")[shown].focus();
  });
  pickerEl.after(more);
  return more;
}
