// The reader's motion preference, read live so a change in system settings applies at once.

const query = typeof matchMedia === "function" ? matchMedia("(prefers-reduced-motion: reduce)") : null;

export function prefersReducedMotion() {
  return query !== null && query.matches;
}
