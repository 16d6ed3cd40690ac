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

function hide(link) {
  if (tip) tip.hidden = true;
  if (link) link.removeAttribute("aria-describedby");
}

export function initCitations(root = document) {
  for (const link of root.querySelectorAll("a.cite")) {
    link.addEventListener("pointerenter", (e) => e.pointerType === "mouse" && show(link));
    link.addEventListener("pointerleave", () => hide(link));
    link.addEventListener("focus", () => show(link));
    link.addEventListener("blur", () => hide(link));
    link.addEventListener("keydown", (e) => e.key === "Escape" && hide(link));
  }
}
