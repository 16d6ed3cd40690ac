// The reader's motion preference, read live so a change in the system settings applies at once.
// (The charts' colours come with their figures from the server: server/figures/theme.py.)

const query = typeof matchMedia === "function" ? matchMedia("(prefers-reduced-motion: reduce)") : null;

export function prefersReducedMotion() {
  return query !== null && query.matches;
}
