"""The view-model of the chapters beyond the seed: painting a class, gradients, loss landscapes.

Like server.views.page, every number is a `Num` carrying its path in the API document it came from
(paint.json is /api/paint, input_landscape.json is /api/input-landscape, ...), so the browser tests
check each one against the bundle. Built once at start-up, next to the page's view-model.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from server.store import Store
from server.views.captions import attack_words, measurement_caption
from server.views.numbers import Acc, Gap, Num, acc, gap
from tour import schema


@dataclass(frozen=True)
class Mean(Acc):
    """A MeanInterval: prints as its mean; `interval` is the 95 % interval with n, in words, since
    a correlation's bounds can be negative."""

    SEP = " to "


def mean(m: schema.MeanInterval, src: str, digits: int = 3) -> Mean:
    return Mean(
        value=Num(m.mean, "fixed", f"{src}.mean", digits),
        low=Num(m.low, "fixed", f"{src}.low", digits),
        high=Num(m.high, "fixed", f"{src}.high", digits),
        n=Num(m.n, "count", f"{src}.n"),
    )


@dataclass(frozen=True)
class PaintView:
    attack: Markup  # the push as run: targeted L2 PGD, eps, step size, steps, no random start
    eps: Num
    steps: Num
    neutral: str  # how the neutral start was made, as paint.json words it
    reached: dict[str, Acc]  # model id -> pushes that end on their target class
    n_starts: Num


@dataclass(frozen=True)
class SaliencyView:
    samples: Num
    sigma: Num
    seed: Num
    picture: str  # how a gradient becomes a picture, as saliency.json words it
    edges: Markup  # which test images the score was measured on
    edge_rule: str
    gradient: dict[str, Mean]  # model id -> mean edge correlation of the plain gradient
    smoothgrad: dict[str, Mean]
    difference: dict[str, Mean]  # "gradient", "smoothgrad": robust minus regular, paired per image


@dataclass(frozen=True)
class InputLandscapeView:
    radius: Num
    points: Num
    seed: Num
    distance: Num
    measured: Markup
    adversarial: dict[str, Mean]  # model id -> loss rise along its adversarial direction
    random: dict[str, Mean]


@dataclass(frozen=True)
class WeightLandscapeView:
    measured: Markup
    normalization: str
    seeds: tuple[Num, ...]
    points_1d: Num
    points_2d: Num
    span: Num
    # model id -> the 1-D slice's loss at the trained weights and one span out on either side
    centre: dict[str, Num]
    left: dict[str, Num]
    right: dict[str, Num]
    # model id -> accuracy on the measured images at the trained weights and at both ends
    acc_centre: dict[str, Acc]
    acc_left: dict[str, Acc]
    acc_right: dict[str, Acc]


@dataclass(frozen=True)
class CapacityRow:
    kind: str  # "regular" or "adversarial"
    width: Num
    last_stage: Num
    reduced: bool  # the last stage narrower than 8 x width
    parameters: Num
    epochs: Num
    clean: Acc
    robust: Acc


@dataclass(frozen=True)
class CapacityView:
    clean: Markup  # the measurements' captions
    robust: Markup
    epochs: Num
    rows: tuple[CapacityRow, ...]  # regular models first, each kind by size
    # adversarial models the prose compares: the smallest and largest full-width ones, and the
    # narrowed one beside the full-width model of its width
    small: CapacityRow
    large: CapacityRow
    reduced: CapacityRow | None
    same_width: CapacityRow | None
    size_gain: Gap  # large minus small, under PGD
    narrowing_gain: Gap | None  # reduced minus same_width, under PGD


@dataclass(frozen=True)
class Chapters:
    paint: PaintView
    saliency: SaliencyView
    input_landscape: InputLandscapeView
    weight_landscape: WeightLandscapeView
    capacity: CapacityView


def _paint(p: schema.PaintFile) -> PaintView:
    return PaintView(
        attack=attack_words(p.attack, "paint.attack"),
        eps=Num(p.attack.eps, "fixed", "paint.attack.eps", 1),
        steps=Num(p.attack.steps, "int", "paint.attack.steps"),
        neutral=p.neutral,
        reached={mid: acc(a, f"paint.reached.{mid}") for mid, a in p.reached.items()},
        n_starts=Num(len(p.starts), "int", "paint.starts.length"),
    )


def _saliency(s: schema.SaliencyFile) -> SaliencyView:
    return SaliencyView(
        samples=Num(s.smoothgrad.samples, "int", "saliency.smoothgrad.samples"),
        sigma=Num(s.smoothgrad.sigma, "fixed", "saliency.smoothgrad.sigma", 2),
        seed=Num(s.smoothgrad.seed, "int", "saliency.smoothgrad.seed"),
        picture=s.picture,
        edges=measurement_caption(s.edges, "saliency.edges", with_attack=False),
        edge_rule=s.edge_rule,
        gradient={
            e.model_id: mean(e.gradient, f"saliency.scores[{i}].gradient") for i, e in enumerate(s.scores)
        },
        smoothgrad={
            e.model_id: mean(e.smoothgrad, f"saliency.scores[{i}].smoothgrad") for i, e in enumerate(s.scores)
        },
        difference={k: mean(m, f"saliency.difference.{k}") for k, m in s.difference.items()},
    )


def _input_landscape(d: schema.InputLandscapeFile) -> InputLandscapeView:
    return InputLandscapeView(
        radius=Num(d.grid.radius, "eps255", "input-landscape.grid.radius"),
        points=Num(d.grid.points, "int", "input-landscape.grid.points"),
        seed=Num(d.grid.seed, "int", "input-landscape.grid.seed"),
        distance=Num(d.distance, "eps255", "input-landscape.distance"),
        measured=measurement_caption(
            d.rise_measurement, "input-landscape.rise_measurement", with_attack=False
        ),
        adversarial={
            r.model_id: mean(r.adversarial, f"input-landscape.rise[{i}].adversarial", 2)
            for i, r in enumerate(d.rise)
        },
        random={
            r.model_id: mean(r.random, f"input-landscape.rise[{i}].random", 2) for i, r in enumerate(d.rise)
        },
    )


def _weight_landscape(d: schema.WeightLandscapeFile) -> WeightLandscapeView:
    mid_i = len(d.coords_1d) // 2
    last = len(d.coords_1d) - 1

    def at(k: int, fn) -> dict:
        return {s.model_id: fn(i, s, k) for i, s in enumerate(d.models)}

    def loss(i: int, s: schema.WeightSlices, k: int) -> Num:
        return Num(s.loss_1d[k], "fixed", f"weight-landscape.models[{i}].loss_1d[{k}]", 2)

    def accuracy(i: int, s: schema.WeightSlices, k: int) -> Acc:
        return acc(s.accuracy_1d[k], f"weight-landscape.models[{i}].accuracy_1d[{k}]")

    return WeightLandscapeView(
        measured=measurement_caption(d.measurement, "weight-landscape.measurement", with_attack=False),
        normalization=d.normalization,
        seeds=tuple(Num(s, "int", f"weight-landscape.seeds[{i}]") for i, s in enumerate(d.seeds)),
        points_1d=Num(len(d.coords_1d), "int", "weight-landscape.coords_1d.length"),
        points_2d=Num(len(d.coords_2d), "int", "weight-landscape.coords_2d.length"),
        span=Num(d.coords_1d[-1], "fixed", f"weight-landscape.coords_1d[{last}]", 1),
        centre=at(mid_i, loss),
        left=at(0, loss),
        right=at(last, loss),
        acc_centre=at(mid_i, accuracy),
        acc_left=at(0, accuracy),
        acc_right=at(last, accuracy),
    )


def _capacity(d: schema.CapacityFile) -> CapacityView:
    def row(i: int, m: schema.CapacityModel) -> CapacityRow:
        src = f"capacity.models[{i}]"
        return CapacityRow(
            kind=m.kind,
            width=Num(m.width, "int", f"{src}.width"),
            last_stage=Num(m.last_stage, "int", f"{src}.last_stage"),
            reduced=m.last_stage != 8 * m.width,
            parameters=Num(m.parameters, "count", f"{src}.parameters"),
            epochs=Num(m.epochs, "int", f"{src}.epochs"),
            clean=acc(m.clean, f"{src}.clean"),
            robust=acc(m.robust, f"{src}.robust"),
        )

    rows = sorted((row(i, m) for i, m in enumerate(d.models)), key=lambda r: (r.kind, r.parameters.value))
    adv = [r for r in rows if r.kind == "adversarial"]
    full = [r for r in adv if not r.reduced]
    reduced = next((r for r in adv if r.reduced), None)
    same = None if reduced is None else next((r for r in full if r.width.value == reduced.width.value), None)
    return CapacityView(
        clean=measurement_caption(d.clean, "capacity.clean"),
        robust=measurement_caption(d.robust, "capacity.robust"),
        epochs=rows[0].epochs,
        rows=tuple(rows),
        small=full[0],
        large=full[-1],
        reduced=reduced,
        same_width=same,
        size_gain=gap(full[0].robust, full[-1].robust),
        narrowing_gain=None if reduced is None or same is None else gap(same.robust, reduced.robust),
    )


def build_chapters(store: Store) -> Chapters:
    b = store.bundle
    return Chapters(
        paint=_paint(b.doc("paint.json", schema.PaintFile)),
        saliency=_saliency(b.doc("saliency.json", schema.SaliencyFile)),
        input_landscape=_input_landscape(b.doc("input_landscape.json", schema.InputLandscapeFile)),
        weight_landscape=_weight_landscape(b.doc("weight_landscape.json", schema.WeightLandscapeFile)),
        capacity=_capacity(b.doc("capacity.json", schema.CapacityFile)),
    )
