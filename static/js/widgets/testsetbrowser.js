// The lab's test-set browser: testset.json's pages (100 images of one class each) as a radio group of
// crisp tiles, filtered by class, paged with buttons or PageUp/PageDown, walked with the arrow keys.
// The images of the article's figures are outlined.
//
//   const browser = createTestSetBrowser({ testset, classes, inGallery, ui, onChoose, onError });
//   browser.goTo(42);      // show the page holding test image 42 and choose it; false if there is none
//   browser.mark(null);    // nothing chosen (an upload took its place)

import { drawTile, loadSprite, tileCanvas } from "../lib/pixels.js";

// ui: { gallery, prev, next, page, classSelect } elements; onChoose(index, label) when the reader picks.
export function createTestSetBrowser({ testset, classes, inGallery, ui, onChoose, onError }) {
  const labelOf = new Map();
  for (const page of testset.pages) for (const i of page.test_indices) labelOf.set(i, page.label);
  let pageAt = 0;
  let chosen = null;

  const visiblePages = () => {
    const filter = ui.classSelect.value;
    return testset.pages.filter((p) => filter === "" || p.label === Number(filter));
  };

  function mark(index) {
    chosen = index;
    const buttons = [...ui.gallery.querySelectorAll("button")];
    for (const b of buttons) {
      const on = Number(b.dataset.index) === chosen;
      b.setAttribute("aria-checked", String(on));
      b.tabIndex = on ? 0 : -1;
    }
    if (buttons.length && !buttons.some((b) => b.tabIndex === 0)) buttons[0].tabIndex = 0;
  }

  function choose(index) {
    mark(index);
    onChoose(index, labelOf.get(index));
  }

  function button(index, slot, page, sheet) {
    const b = document.createElement("button");
    b.type = "button";
    b.setAttribute("role", "radio");
    const figure = inGallery.has(index);
    const name = `test image ${index}, ${classes[page.label]}`;
    b.setAttribute("aria-label", figure ? `${name}, in the article's figures` : name);
    if (figure) b.classList.add("lab-figure");
    b.dataset.index = String(index);
    const c = tileCanvas(testset.tile);
    drawTile(c, sheet, { tile: testset.tile, columns: testset.columns, index: slot });
    b.append(c);
    b.addEventListener("click", () => choose(index));
    return b;
  }

  async function show(at) {
    const pages = visiblePages();
    pageAt = Math.max(0, Math.min(at, pages.length - 1));
    const page = pages[pageAt];
    ui.prev.disabled = pageAt === 0;
    ui.next.disabled = pageAt === pages.length - 1;
    const first = page.test_indices[0];
    ui.page.textContent =
      `Page ${pageAt + 1} of ${pages.length}: ${classes[page.label]}, ` +
      `test images ${first}…${page.test_indices[page.test_indices.length - 1]}`;
    ui.gallery.setAttribute("aria-busy", "true");
    let sheet;
    try {
      sheet = await loadSprite(`/bundle/${page.path}`);
    } catch (err) {
      onError(`Could not load the test images: ${err.message}`);
      return;
    } finally {
      ui.gallery.removeAttribute("aria-busy");
    }
    if (visiblePages()[pageAt] !== page) return; // the reader moved on while it loaded
    ui.gallery.replaceChildren(...page.test_indices.map((index, slot) => button(index, slot, page, sheet)));
    mark(chosen);
  }

  function goTo(index) {
    const label = labelOf.get(index);
    if (label === undefined) return false;
    const filter = ui.classSelect.value;
    if (filter !== "" && Number(filter) !== label) ui.classSelect.value = "";
    choose(index);
    show(visiblePages().findIndex((p) => p.test_indices.includes(index)));
    return true;
  }

  function keys(e) {
    const buttons = [...ui.gallery.querySelectorAll("button")];
    const at = buttons.indexOf(document.activeElement);
    if (at < 0) return;
    if (e.key === "PageDown" || e.key === "PageUp") {
      e.preventDefault();
      const focus = () => ui.gallery.querySelector('[tabindex="0"]')?.focus();
      show(pageAt + (e.key === "PageDown" ? 1 : -1)).then(focus);
      return;
    }
    const columns = buttons.filter((b) => b.offsetTop === buttons[0].offsetTop).length;
    const delta = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns }[e.key];
    if (!delta) return;
    e.preventDefault();
    const next = buttons[Math.max(0, Math.min(buttons.length - 1, at + delta))];
    next.focus();
    next.click();
  }

  ui.classSelect.addEventListener("change", () => show(0));
  ui.prev.addEventListener("click", () => show(pageAt - 1));
  ui.next.addEventListener("click", () => show(pageAt + 1));
  ui.gallery.addEventListener("keydown", keys);
  return { goTo, mark };
}
