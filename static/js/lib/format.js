// Number formats of the numbers the page updates; server/views/numbers.py prints the same formats
// into the templates, and the page check (tests/web/article_check.py) holds every span to them.
//   pct(0.9164) -> "91.6 %" (a no-break space before %), eps255(8/255) -> "8/255",
//   fixed(0.41234, 3) -> "0.412"

export function pct(x, digits = 1) {
  return `${(x * 100).toFixed(digits)}\u00a0%`;
}

// In 1/255 steps with two decimals, dropped when they are zero: 8/255, 7.53/255, 0.
export function eps255(x) {
  let k = (x * 255).toFixed(2);
  if (k.endsWith(".00")) k = k.slice(0, -3);
  return k === "0" || k === "-0" ? "0" : `${k}/255`;
}

export function fixed(x, digits = 3) {
  return Number(x).toFixed(digits);
}

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

export function formatAs(value, fmt, digits) {
  switch (fmt) {
    case "pct":
      return pct(value, digits ?? 1);
    case "eps255":
      return eps255(value);
    case "fixed":
      return fixed(value, digits ?? 3);
    case "int":
      return String(Math.round(value));
    case "count":
      return Math.round(value).toLocaleString("en-US");
    default:
      return String(value);
  }
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
