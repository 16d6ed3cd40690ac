// One model's panel in the lab's results, shared by the attack view and the inspect view: the model's
// name over a row of captioned tiles; each view adds its own bars or chart below.
//
//   const { el, tiles } = modelPanel(run.model_id, run.label);
//   const canvas = tileFigure(tiles, 32, "clean");

export function modelPanel(modelId, label) {
  const el = document.createElement("article");
  el.className = "lab-model";
  el.dataset.model = modelId;
  const h = document.createElement("h3");
  h.textContent = label;
  const tiles = document.createElement("div");
  tiles.className = "lab-tiles";
  el.append(h, tiles);
  return { el, tiles };
}
