// How the prose names a model by its role in the article.

// "an airplane", "a cat": CIFAR-10 has two classes that start with a vowel.
export function withArticle(noun) {
  return `${/^[aeiou]/i.test(noun) ? "an" : "a"} ${noun}`;
}

export function roleName(id) {
  return id === "regular" ? "regular model" : "adversarially trained model";
}
