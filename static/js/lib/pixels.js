// Crisp pixels: draw one tile of a sprite sheet onto a small canvas at its native size; CSS scales
// the canvas up with `image-rendering: pixelated` (class "pixels"), so every pixel stays a square.
//
//   import { loadSprite, tileCanvas, drawTile } from "./pixels.js";
//   const sheet = await loadSprite("/bundle/images/gallery.png");
//   const c = tileCanvas(32, "Test image 3: a cat");   // <canvas class="pixels" width=32 height=32>
//   drawTile(c, sheet, { tile: 32, columns: 10, index: 3 });   // or { row, col }

const sprites = new Map();

export function loadSprite(url) {
  if (!sprites.has(url)) {
    const img = new Image();
    img.decoding = "async";
    img.src = url;
    const ready = img.decode().then(
      () => img,
      (err) => {
        sprites.delete(url);
        throw new Error(`could not load ${url}: ${err}`);
      },
    );
    sprites.set(url, ready);
  }
  return sprites.get(url);
}

export function tileCanvas(tile, label = "", cls = "") {
  const c = document.createElement("canvas");
  c.width = tile;
  c.height = tile;
  c.className = `pixels${cls ? ` ${cls}` : ""}`;
  if (label) {
    c.setAttribute("role", "img");
    c.setAttribute("aria-label", label);
  }
  return c;
}

// A captioned tile in `parent`: <figure class="lab-tile"><canvas/><figcaption/></figure>; returns the canvas.
export function tileFigure(parent, tile, caption, label = caption) {
  const f = document.createElement("figure");
  f.className = "lab-tile";
  const c = tileCanvas(tile, label);
  const cap = document.createElement("figcaption");
  cap.textContent = caption;
  f.append(c, cap);
  parent.append(f);
  return c;
}

export function drawTile(canvas, sheet, { tile, columns, index, row, col }) {
  const r = row ?? Math.floor(index / columns);
  const k = col ?? index % columns;
  if (canvas.width !== tile) canvas.width = tile;
  if (canvas.height !== tile) canvas.height = tile;
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, tile, tile);
  ctx.drawImage(sheet, k * tile, r * tile, tile, tile, 0, 0, tile, tile);
  return canvas;
}
