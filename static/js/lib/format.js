// The numbers the page updates, in the article's number formats: the table is the server's
// (server/views/numbers.py FORMATS, on <html data-number-formats>), so both print a number alike;
// formatAs below is numbers.py's format_as in JavaScript, and the page check holds every span to it.
//   pct(0.9164) -> "91.6 %" (a no-break space before %), eps255(8/255) -> "8/255",
//   fixed(0.41234, 3) -> "0.412"

const FORMATS = JSON.parse(document.documentElement.dataset.numberFormats || "{}");
if (!Object.keys(FORMATS).length) console.error("format.js: the page carries no data-number-formats");

export function formatAs(value, fmt, digits) {
  const f = FORMATS[fmt];
  if (!f) return String(value);
  const x = f.times !== undefined ? value * f.times : f.per !== undefined ? value / f.per : value;
  let text = Number(x).toFixed(digits ?? f.digits);
  if (f.trim && text.endsWith(f.trim)) text = text.slice(0, -f.trim.length);
  if (f.zero !== undefined && (text === "0" || text === "-0")) return f.zero;
  if (f.group) text = text.replace(/^(-?\d+)/, (whole) => whole.replace(/\B(?=(\d{3})+$)/g, ","));
  return text + (f.suffix ?? "");
}

export const pct = (x, digits) => formatAs(x, "pct", digits);
export const eps255 = (x) => formatAs(x, "eps255");
export const fixed = (x, digits) => formatAs(x, "fixed", digits);

// A number span the page-wide number check can verify: data-src is a path into the bundle's
// JSON API (document.key[index]...), data-fmt names the format above.
export function numSpan(value, fmt, src, digits) {
  const s = document.createElement("span");
  s.className = "num";
  s.dataset.fmt = fmt;
  if (src) s.dataset.src = src;
  s.dataset.value = String(value);
  if (digits !== undefined) s.dataset.digits = String(digits);
  s.textContent = formatAs(value, fmt, digits);
  return s;
}

// An Accuracy record of the bundle ({correct, n, value, low, high}) as checkable spans:
// "45.2 % (95 % interval 43.0–47.4 %, n = 2000)". Spread it into a list of nodes.
export function accText(a, src) {
  return [
    numSpan(a.value, "pct", `${src}.value`),
    " (95\u00a0% interval ",
    numSpan(a.low, "pct", `${src}.low`),
    "\u2013",
    numSpan(a.high, "pct", `${src}.high`),
    ", n\u00a0=\u00a0",
    numSpan(a.n, "count", `${src}.n`),
    ")",
  ];
}

// An eps as its whole number of 1/255 steps, the key the URL and the server's figures use: 8/255 -> 8.
export function k255(eps) {
  return Math.round(eps * 255);
}

// A number that is the reader's current choice (an epoch, a step, an image), not a measurement:
// data-view names the URL parameter that holds it, so a test can check the two agree.
export function viewSpan(value, param) {
  const s = document.createElement("span");
  s.className = "num";
  s.dataset.view = param;
  s.textContent = String(value);
  return s;
}

// A text from the bundle (a model's label, say), checkable like a number.
export function textSpan(text, src) {
  const s = document.createElement("span");
  s.dataset.src = src;
  s.dataset.fmt = "text";
  s.textContent = text;
  return s;
}
