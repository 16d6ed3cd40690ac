// Lazy loading: a promise that resolves once `el` comes within about a screen of the viewport, or
// the reader uses it (a pointer or keyboard focus), whichever is first. One promise per element.

const nearby = new WeakMap();

export function whenNear(el) {
  if (!nearby.has(el)) {
    nearby.set(
      el,
      new Promise((resolve) => {
        if (typeof IntersectionObserver !== "function") return resolve();
        const io = new IntersectionObserver(
          (entries) => {
            if (entries.some((e) => e.isIntersecting)) {
              io.disconnect();
              resolve();
            }
          },
          { rootMargin: "100% 0px" },
        );
        io.observe(el);
        el.addEventListener("pointerdown", resolve, { once: true });
        el.addEventListener("focusin", resolve, { once: true });
      }),
    );
  }
  return nearby.get(el);
}
