// How the prose names a model by its role in the article.

export function roleName(id) {
  return id === "regular" ? "regular model" : "adversarially trained model";
}
