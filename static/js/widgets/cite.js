// Citations: each a.cite links to its entry in the reference list, and shows that entry in a small
// preview while the pointer rests on it or it has keyboard focus (Escape hides it).

let tip = null;

function preview() {
  if (!tip) {
    tip = document.createElement("div");
    tip.className = "cite-preview";
    tip.id = "cite-preview";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    document.body.append(tip);
  }
  return tip;
}

function show(link) {
  const entry = document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (!entry) return;
  const t = preview();
  t.textContent = entry.textContent.trim();
  t.hidden = false;
  const r = link.getBoundingClientRect();
  const width = Math.min(360, innerWidth - 16);
  t.style.width = `${width}px`;
  t.style.left = `${Math.max(8, Math.min(innerWidth - width - 8, r.left + scrollX))}px`;
  t.style.top = `${r.bottom + scrollY + 6}px`;
  link.setAttribute("aria-describedby", t.id);
}

let pending = null; // a hide waiting to see whether the pointer moves onto the preview

function hide(link) {
  clearTimeout(pending);
  if (tip) tip.hidden = true;
  if (link) link.removeAttribute("aria-describedby");
}

// Leaving the link hides the preview after a moment, so the pointer can cross onto it (and read or
// select it); a link that still has keyboard focus keeps its preview.
function hideSoon(link) {
  clearTimeout(pending);
  pending = setTimeout(() => document.activeElement !== link && hide(link), 300);
}

export function initCitations(root = document) {
  const t = preview();
  t.addEventListener("pointerenter", () => clearTimeout(pending));
  for (const link of root.querySelectorAll("a.cite")) {
    link.addEventListener("pointerenter", (e) => {
      if (e.pointerType !== "mouse") return;
      clearTimeout(pending);
      show(link);
      t.onpointerleave = () => hideSoon(link);
    });
    link.addEventListener("pointerleave", () => hideSoon(link));
    link.addEventListener("focus", () => show(link));
    link.addEventListener("blur", () => hide(link));
    link.addEventListener("keydown", (e) => e.key === "Escape" && hide(link));
  }
}
