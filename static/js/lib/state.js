// The view lives in the URL (?img=3&epoch=12&step=4...): read once at load, written with
// history.replaceState as the reader moves. Anything malformed or out of range is clamped or
// ignored, never trusted.

const params = new URLSearchParams(location.search);
let pending = null;

export function readInt(name, lo, hi, fallback) {
  const raw = params.get(name);
  if (raw === null || !/^\s*-?\d{1,9}\s*$/.test(raw)) return fallback;
  const n = Number.parseInt(raw, 10);
  if (!Number.isFinite(n) || hi < lo) return fallback;
  return Math.min(hi, Math.max(lo, n));
}

export function readChoice(name, allowed, fallback) {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const hit = allowed.find((a) => String(a) === raw.trim());
  return hit === undefined ? fallback : hit;
}

function flush() {
  pending = null;
  const q = params.toString();
  const url = `${location.pathname}${q ? `?${q}` : ""}${location.hash}`;
  try {
    history.replaceState(history.state, "", url);
  } catch {
    // a browser that throttles replaceState keeps the old URL; the view itself is unaffected
  }
}

export function write(values) {
  for (const [k, v] of Object.entries(values)) {
    if (v === null || v === undefined) params.delete(k);
    else params.set(k, String(v));
  }
  if (pending === null) pending = setTimeout(flush, 100);
}
