// The article's theme, shared by every figure and widget: its colours (article.css holds the same
// values as custom properties of the same names) and the reader's motion preference.

export const COLORS = {
  regular: "#c2410c",
  robust: "#1f5fbf",
  ink: "#1b1f24",
  muted: "#4f5763",
  grid: "#e6e8ec",
  train: "#8a94a3",
  mark: "#c2410c",
};

// Read live, so a change in the system settings applies at once.
const query = typeof matchMedia === "function" ? matchMedia("(prefers-reduced-motion: reduce)") : null;

export function prefersReducedMotion() {
  return query !== null && query.matches;
}
