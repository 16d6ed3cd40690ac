// The article's chart colours, shared by every figure (the CSS custom properties of the same names
// in article.css hold the same values).

export const COLORS = {
  regular: "#c2410c",
  robust: "#1f5fbf",
  ink: "#1b1f24",
  muted: "#4f5763",
  grid: "#e6e8ec",
  train: "#8a94a3",
  mark: "#c2410c",
};
