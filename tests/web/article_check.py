"""Checking the article's numbers against the bundle: resolve a `data-src` path in the JSON API.

A path names an API document and a place in it: `evaluation.models[0].results[1].accuracy`,
`epoch-probs.probs.regular[2][3][7]`, `trajectories/3.image.trajectories[1].steps[4].loss`
(the per-image route), `gallery.classes.length`. Suffixes `:date` and `:prefix` mark the run's
creation date and commit as printed. Values the view-model derives: `derived:clean_wrong:<model>`
and `derived:broken:<model>` (gallery images a model gets wrong before the attack, and right
before but wrong after it), `derived:ratio:<attack path>` (an attack's step size over its eps),
`derived:gap:<accuracy>:<accuracy>:<part>` (the second minus the first, tour.stats.newcombe),
`derived:minutes` (every stage's wall time added up, extensions' too, in minutes), `derived:others`
(the models besides the regular one); `derived:flips:`, `derived:confidence:` and
`derived:standard_parameters` are recomputed with server.findings, the functions the page uses.
Published results (`.cited`) are quoted from papers, not from the bundle, and are skipped.
"""

from __future__ import annotations

import json
import math
import re
import urllib.request
from collections.abc import Callable
from typing import Any

from server.views import findings
from server.views.numbers import format_as
from server.views.page import _date
from tour import schema
from tour.stats import newcombe

TOKEN = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]")


class Documents:
    """The API documents a page's numbers point into, fetched once each from the live server."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cache: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        if name not in self.cache:
            with urllib.request.urlopen(f"{self.base}/api/{name}", timeout=10) as r:
                self.cache[name] = json.loads(r.read())
        return self.cache[name]


def split_path(src: str) -> tuple[str, str]:
    m = re.match(r"^([a-z][a-z-]*(?:/\d+)?)(.*)$", src)
    if not m:
        raise ValueError(f"not a data path: {src!r}")
    return m.group(1), m.group(2)


def resolve(get: Callable[[str], Any], src: str) -> Any:
    src = src.split(":", 1)[0] if ":" in src and not src.startswith("derived:") else src
    if src.startswith(("derived:clean_wrong:", "derived:broken:")):
        _, kind, model = src.split(":")
        return sum(
            1
            for im in get("trajectories")["images"]
            for t in im["trajectories"]
            if t["model_id"] == model
            and t["first_misclassified"] is not None
            and (t["clean"]["pred"] != im["label"]) == (kind == "clean_wrong")
        )
    if src == "derived:minutes":  # every stage's wall time, added up, the extensions' stages too
        run = get("run")
        stages = run["stages"] + [t for e in run.get("extensions", []) for t in e["stages"]]
        return sum(t["wall_seconds"] for t in stages) / 60
    if src == "derived:standard_parameters":  # the standard ResNet-18 the page compares with
        return findings.standard_parameters()
    if src == "derived:standard_width":
        return findings.STANDARD_WIDTH
    if src.startswith("derived:flips:"):  # top-guess changes of one example across the epochs
        _, _, model, position = src.split(":")
        doc = schema.EpochProbsFile.model_validate(get("epoch-probs"))
        best, changes = findings.most_changing_example(doc, model)
        return changes if best == int(position) else f"example {best}, not {position}"
    if src.startswith("derived:confidence:"):  # mean top-class probability on the clean gallery
        doc = schema.TrajectoriesFile.model_validate(get("trajectories"))
        return findings.mean_confidence(doc, src.removeprefix("derived:confidence:"))
    if src == "derived:others":  # models besides the regular one
        return len(get("run")["models"]) - 1
    if src.startswith("derived:gap:"):  # one accuracy minus another, with Newcombe's interval
        _, _, a, b, part = src.split(":")
        x, y = resolve(get, a), resolve(get, b)
        d, low, high = newcombe(x["correct"], x["n"], y["correct"], y["n"])
        return {"value": d, "low": low, "high": high}[part]
    if src.startswith("derived:ratio:"):  # alpha / eps of an attack spec
        spec = resolve(get, src.removeprefix("derived:ratio:"))
        return spec["alpha"] / spec["eps"]
    doc, rest = split_path(src)
    value = get(doc)
    pos = 0
    while pos < len(rest):
        m = TOKEN.match(rest, pos)
        if not m:
            raise ValueError(f"bad path {src!r} at {rest[pos:]!r}")
        key, index = m.groups()
        if key == "length" and isinstance(value, list):
            value = len(value)
        elif key is not None:
            value = value[key]
        else:
            value = value[int(index)]
        pos = m.end()
    return value


def check_span(get: Callable[[str], Any], span: dict) -> str | None:
    """None if the span shows its bundle value correctly, else what is wrong."""
    src, fmt, text = span["src"], span["fmt"], span["text"].strip()
    try:
        truth = resolve(get, src)
    except (KeyError, IndexError, ValueError, TypeError) as e:
        return f"{src}: does not resolve ({e!r})"
    if fmt == "text":
        if src.endswith(":date"):
            expected = _date(truth)
        elif src.endswith(":prefix"):
            expected = truth[:10]  # server.views.page shows the first ten characters
        else:
            expected = str(truth)
        return None if text == expected else f"{src}: shows {text!r}, bundle has {expected!r}"
    shown_value = float(span["value"])
    if not math.isclose(shown_value, float(truth), rel_tol=1e-9, abs_tol=1e-12):
        return f"{src}: data-value {shown_value!r} but the bundle has {truth!r}"
    digits = int(span["digits"]) if span.get("digits") not in (None, "") else None
    expected = format_as(float(truth), fmt, digits)
    return None if text == expected else f"{src}: shows {text!r}, expected {expected!r}"


# Collects every checkable span, every view span and every text with a digit that is neither.
COLLECT_JS = r"""
() => {
  const spans = [...document.querySelectorAll("[data-src]")].map((el) => ({
    src: el.dataset.src, fmt: el.dataset.fmt, value: el.dataset.value ?? null,
    digits: el.dataset.digits ?? null, text: el.textContent,
  }));
  const views = [...document.querySelectorAll("[data-view]")].map((el) => ({
    param: el.dataset.view, text: el.textContent,
  }));
  const skip = [
    "math", ".cite", ".refs", ".fignum", "svg", "script", "style", "[aria-hidden='true']", ".stepper",
    "[data-src]", "[data-view]", "#lab", ".chart", "code", "noscript", ".cited",
  ].join(",");
  const allowed = /ResNet-18|CIFAR-10|95\u00a0% interval/g;
  const stray = [];
  const roots = [document.getElementById("provline"), document.querySelector(".masthead"),
                 document.querySelector("main"), document.querySelector(".colophon")].filter(Boolean);
  for (const root of roots) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (!parent || parent.closest(skip)) continue;
      const text = n.textContent.replace(allowed, "");
      if (/\d/.test(text)) stray.push(`${parent.tagName}.${parent.className}: ${n.textContent.trim()}`);
    }
  }
  return { spans, views, stray, query: location.search };
}
"""
