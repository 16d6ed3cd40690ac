"""The article's view-model: the verified bundle turned into the template context, once at start-up.

Numbers are `Num`s (server.views.numbers), captions come from the bundle's records
(server.views.captions), facts the prose derives from server.views.findings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup

from server.store import Store
from server.views.captions import attack_words, measurement_caption, same_attack
from server.views.findings import STANDARD_WIDTH, mean_confidence, most_changing_example, standard_parameters
from server.views.formulas import FORMULAS, mathml
from server.views.numbers import Acc, Gap, Num, acc, gap
from server.views.published import PUBLISHED, Published
from tour import schema


@dataclass(frozen=True)
class Result:
    src: str  # path of the EvalResult, e.g. evaluation.models[0].results[1]
    name: str
    accuracy: Acc
    caption: Markup


@dataclass(frozen=True)
class ModelView:
    id: str
    label: str
    index: int  # position in run.models
    train_eps: Num
    epochs: Num
    selected_epoch: Num
    width: Num
    parameters: Num
    precision: str  # training's: "bf16" or "fp32"
    ema: Num | None  # decay of the shipped weight average
    clean: Result | None = None
    attacked: Result | None = None  # the article's attack (trajectories' AttackSpec), if evaluated
    results: tuple[Result, ...] = ()
    same_images: tuple[Result, ...] = ()  # clean, PGD-10, APGD-CE, APGD-CE + APGD-T on one image set

    @property
    def ensemble(self) -> Result | None:
        """APGD-CE + APGD-T, the strongest attack measured (last of same_images, as the schema orders
        them): the one comparable with published AutoAttack numbers."""
        return self.same_images[-1] if self.same_images else None


@dataclass(frozen=True)
class FirstMistake:
    """When a gallery image is first misclassified under the article's attack, per model."""

    position: int
    pos: Num
    label: str
    steps: dict[str, Num | None]  # model id -> first misclassified step (None: it held)
    clean_wrong: dict[str, bool]  # model id -> misclassified before the attack


@dataclass(frozen=True)
class Page:
    preset: str
    created: str
    commit: str
    dirty: bool
    device: str
    cpu_capability: str
    host_isa: str
    minutes: Num  # every stage's wall time, added up
    seed: Num
    versions: dict[str, str]
    n_train: Num
    n_test: Num
    n_holdout: Num
    classes: tuple[str, ...]
    n_classes: Num
    n_examples: Num
    n_gallery: Num
    attack: schema.AttackSpec
    attack_eps: Num
    attack_steps: Num
    attack_caption: Markup
    training_clean_caption: Markup
    training_pgd_caption: Markup
    epoch_probs_caption: Markup
    sweep_caption: Markup
    sweep_attack_caption: Markup
    regular: ModelView
    robust: ModelView | None
    robust_attack: Markup | None  # how the headline robust model's training batches were attacked
    n_train_models: Num  # models besides the regular one
    models: tuple[ModelView, ...]
    steps_n: Num | None  # test images of the steps curve
    steps_caption: Markup
    steps_regular: Acc | None  # still correct after 3 steps
    steps_robust: Acc | None
    falls: tuple[FirstMistake, ...]
    # the figures' models as source (row) and target (column) of a transferred attack: (source, cells)
    transfer: tuple[tuple[ModelView, tuple[Acc, ...]], ...]
    transfer_caption: Markup
    opening: int  # the example the figures open on (see `_opening`)
    # (class, path) of the opening example's true class and of what the attack makes the regular model
    # see, for the subtitle; None when the attack does not break it
    subtitle_classes: tuple[tuple[str, str], tuple[str, str]] | None
    # model id -> gallery images wrong before any attack ("clean_wrong"), and right before it but
    # wrong by its last step ("broken")
    fallen: dict[str, dict[str, Num]]
    falls_json: str  # per gallery position: {model id: [first misclassified step | null, its path]}
    formulas: dict[str, Markup] = field(default_factory=dict)
    parameters_millions: Num | None = None  # the regular model's, and the standard network's
    standard_parameters: Num | None = None
    standard_width: Num | None = None
    one_schedule: bool = True  # every model trained for the same epochs with one recipe
    flips: tuple[str, Num] | None = None  # the example whose top guess changes most, and how often
    confidence: dict[str, Num] = field(default_factory=dict)  # model id -> mean top probability
    sweep_double: tuple[Acc, Acc, Gap] | None = None  # at the headline eps: trained at 2x, at 1x, 2x - 1x
    published: tuple[Published, ...] = PUBLISHED


def _model_view(
    info: schema.ModelInfo, index: int, evaluation: schema.EvaluationFile, attack: schema.AttackSpec
) -> ModelView:
    src = f"run.models[{index}]"
    results: list[Result] = []
    same: list[Result] = []
    clean = attacked = None
    for mi, me in enumerate(evaluation.models):
        if me.model_id != info.id:
            continue
        for key, out in (("results", results), ("same_images", same)):
            for ri, r in enumerate(getattr(me, key)):
                rsrc = f"evaluation.models[{mi}].{key}[{ri}]"
                caption = measurement_caption(r.measurement, f"{rsrc}.measurement")
                out.append(
                    Result(
                        src=rsrc, name=r.name, accuracy=acc(r.accuracy, f"{rsrc}.accuracy"), caption=caption
                    )
                )
        for res, r in zip(results, me.results, strict=True):
            if r.measurement.attack is None and clean is None:
                clean = res
            elif same_attack(r.measurement.attack, attack) and attacked is None:
                attacked = res
    return ModelView(
        id=info.id,
        label=info.label,
        index=index,
        train_eps=Num(info.train_eps, "eps255", f"{src}.train_eps"),
        epochs=Num(info.epochs, "int", f"{src}.epochs"),
        selected_epoch=Num(info.selected_epoch, "int", f"{src}.selected_epoch"),
        width=Num(info.width, "int", f"{src}.width"),
        parameters=Num(info.parameters, "count", f"{src}.parameters"),
        precision=info.precision,
        ema=None if info.ema is None else Num(info.ema, "fixed", f"{src}.ema"),
        clean=clean,
        attacked=attacked,
        results=tuple(results),
        same_images=tuple(same),
    )


def _one_schedule(run: schema.RunFile) -> bool:
    """Whether the models are comparable as trained: one recipe (a single training config) and the
    same number of epochs for all."""
    return (
        "train" in run.config
        and not {"regular_train", "robust_train"} & run.config.keys()
        and (len({m.epochs for m in run.models}) == 1)
    )


def _sweep_double(sweep: schema.SweepFile, eps: float) -> tuple[Acc, Acc, Gap] | None:
    """At test eps `eps`: the model trained at 2 eps, the one trained at eps, and how much more the
    first keeps, if both exist."""
    col = next((i for i, e in enumerate(sweep.test_eps) if abs(e - eps) < 1e-9), None)
    rows = {round(r.train_eps * 255): ri for ri, r in enumerate(sweep.rows)}
    k = round(eps * 255)
    if col is None or 2 * k not in rows or k not in rows:
        return None
    pair = [
        acc(sweep.rows[ri].accuracies[col], f"sweep.rows[{ri}].accuracies[{col}]")
        for ri in (rows[2 * k], rows[k])
    ]
    return pair[0], pair[1], gap(pair[1], pair[0])


def _opening(falls: list[FirstMistake], n_examples: int, regular: str, robust: str | None) -> int:
    """The first example the regular model gets right and the attack breaks while the robust model
    gets it right and holds it; failing that, the first one the attack breaks; failing that, 0."""
    examples = sorted(falls, key=lambda f: f.position)[:n_examples]

    def broken(f: FirstMistake, mid: str) -> bool:
        return not f.clean_wrong.get(mid, True) and f.steps.get(mid) is not None

    def held(f: FirstMistake, mid: str) -> bool:
        return not f.clean_wrong.get(mid, True) and mid in f.steps and f.steps[mid] is None

    for test in (
        lambda f: broken(f, regular) and robust is not None and held(f, robust),
        lambda f: broken(f, regular),
    ):
        hit = next((f.position for f in examples if test(f)), None)
        if hit is not None:
            return hit
    return 0


def _transfer_rows(
    t: schema.TransferFile, views: dict[str, ModelView], shown: list[str]
) -> tuple[tuple[ModelView, tuple[Acc, ...]], ...]:
    """The figures' models, each as a source with its cells against each of them as a target."""
    rows = []
    for mid in shown:
        si = t.sources.index(mid)
        cells = tuple(
            acc(t.accuracy[si][ti], f"transfer.accuracy[{si}][{ti}]") for ti in map(t.targets.index, shown)
        )
        rows.append((views[mid], cells))
    return tuple(rows)


def _subtitle_classes(
    traj: schema.TrajectoriesFile, gallery: schema.GalleryFile, position: int, model_id: str
) -> tuple[tuple[str, str], tuple[str, str]] | None:
    """The opening example's class and the regular model's answer after the whole attack."""
    image = next((im for im in traj.images if im.position == position), None)
    if image is None:
        return None
    t = next((t for t in image.trajectories if t.model_id == model_id), None)
    if t is None or t.steps[-1].pred == image.label:
        return None
    return (
        (gallery.classes[image.label], f"gallery.classes[{image.label}]"),
        (gallery.classes[t.steps[-1].pred], f"gallery.classes[{t.steps[-1].pred}]"),
    )


def _date(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return iso


def build_page(store: Store) -> Page:
    b = store.bundle
    run = b.doc("run.json", schema.RunFile)
    training = b.doc("training.json", schema.TrainingFile)
    gallery = b.doc("gallery.json", schema.GalleryFile)
    epoch_probs = b.doc("epoch_probs.json", schema.EpochProbsFile)
    traj = b.doc("trajectories.json", schema.TrajectoriesFile)
    sweep = b.doc("sweep.json", schema.SweepFile)
    evaluation = b.doc("evaluation.json", schema.EvaluationFile)
    transfer = b.doc("transfer.json", schema.TransferFile)

    attack = traj.attack
    models = tuple(_model_view(m, i, evaluation, attack) for i, m in enumerate(run.models))
    curves = {me.model_id: (mi, me) for mi, me in enumerate(evaluation.models)}

    def after_three(mid: str) -> Acc | None:
        if mid not in curves:
            return None
        mi, me = curves[mid]
        pi = next((i for i, p in enumerate(me.steps_curve) if p.steps == 3), None)
        return (
            None
            if pi is None
            else acc(me.steps_curve[pi].accuracy, f"evaluation.models[{mi}].steps_curve[{pi}].accuracy")
        )

    first_eval = evaluation.models[0] if evaluation.models else None
    by_id = {m.id: m for m in models}
    regular = by_id.get("regular") or next(m for m in models if m.train_eps.value == 0)
    # the figures' models, as the bundle names them: the regular one and the headline robust one
    robust = next((by_id[mid] for mid in traj.model_ids if mid != regular.id and mid in by_id), None)

    falls = []
    counts = {mid: {"clean_wrong": 0, "broken": 0} for mid in traj.model_ids}
    for ii, im in enumerate(traj.images):
        steps: dict[str, Num | None] = {}
        clean_wrong: dict[str, bool] = {}
        for ti, t in enumerate(im.trajectories):
            src = f"trajectories.images[{ii}].trajectories[{ti}].first_misclassified"
            first = t.first_misclassified
            clean_wrong[t.model_id] = t.clean.pred != im.label
            steps[t.model_id] = None if first is None else Num(first, "int", src)
            if t.first_misclassified is not None:
                kind = "clean_wrong" if t.clean.pred != im.label else "broken"
                counts.setdefault(t.model_id, {"clean_wrong": 0, "broken": 0})[kind] += 1
        falls.append(
            FirstMistake(
                position=im.position,
                pos=Num(im.position, "int", f"trajectories.images[{ii}].position"),
                label=gallery.classes[im.label],
                steps=steps,
                clean_wrong=clean_wrong,
            )
        )
    falls.sort(key=lambda f: f.position)

    opening = _opening(falls, gallery.n_examples, regular.id, None if robust is None else robust.id)
    flip_at, flip_count = most_changing_example(epoch_probs, regular.id)
    return Page(
        parameters_millions=Num(regular.parameters.value, "millions", regular.parameters.src),
        standard_parameters=Num(standard_parameters(), "millions", "derived:standard_parameters"),
        standard_width=Num(STANDARD_WIDTH, "int", "derived:standard_width"),
        one_schedule=_one_schedule(run),
        flips=(
            gallery.classes[gallery.images[flip_at].label],
            Num(flip_count, "int", f"derived:flips:{regular.id}:{flip_at}"),
        ),
        confidence={
            mid: Num(mean_confidence(traj, mid), "pct", f"derived:confidence:{mid}") for mid in traj.model_ids
        },
        sweep_double=_sweep_double(sweep, attack.eps),
        preset=run.preset,
        created=_date(run.created),
        commit=run.commit[:10],
        dirty=run.dirty,
        device=run.device,
        cpu_capability=run.cpu_capability,
        host_isa=run.host_isa,
        minutes=Num(
            sum(t.wall_seconds for t in [*run.stages, *(t for e in run.extensions for t in e.stages)]) / 60,
            "int",
            "derived:minutes",
        ),
        seed=Num(run.seed, "int", "run.seed"),
        versions=dict(run.versions),
        n_train=Num(run.data.n_train, "count", "run.data.n_train"),
        n_test=Num(run.data.n_test, "count", "run.data.n_test"),
        n_holdout=Num(run.data.n_holdout, "count", "run.data.n_holdout"),
        classes=tuple(gallery.classes),
        n_classes=Num(len(gallery.classes), "int", "gallery.classes.length"),
        n_examples=Num(gallery.n_examples, "int", "gallery.n_examples"),
        n_gallery=Num(len(gallery.images), "int", "gallery.images.length"),
        attack=attack,
        attack_eps=Num(attack.eps, "eps255", "trajectories.attack.eps"),
        attack_steps=Num(attack.steps, "int", "trajectories.attack.steps"),
        attack_caption=attack_words(attack, "trajectories.attack"),
        training_clean_caption=measurement_caption(training.clean, "training.clean"),
        training_pgd_caption=measurement_caption(training.pgd, "training.pgd"),
        epoch_probs_caption=measurement_caption(epoch_probs.measurement, "epoch-probs.measurement"),
        sweep_caption=measurement_caption(sweep.measurement, "sweep.measurement", with_attack=False),
        sweep_attack_caption=attack_words(sweep.attack, "sweep.attack", relative=True),
        transfer=_transfer_rows(transfer, by_id, traj.model_ids),
        transfer_caption=measurement_caption(transfer.measurement, "transfer.measurement"),
        regular=regular,
        robust=robust,
        robust_attack=(
            None
            if robust is None or (spec := run.models[robust.index].train_attack) is None
            else attack_words(spec, f"run.models[{robust.index}].train_attack")
        ),
        n_train_models=Num(len(run.models) - 1, "int", "derived:others"),
        models=models,
        steps_n=(
            None
            if first_eval is None
            else Num(
                first_eval.steps_measurement.n_images,
                "count",
                "evaluation.models[0].steps_measurement.n_images",
            )
        ),
        steps_caption=(
            Markup("not evaluated")
            if first_eval is None
            else measurement_caption(first_eval.steps_measurement, "evaluation.models[0].steps_measurement")
        ),
        steps_regular=after_three(regular.id),
        steps_robust=None if robust is None else after_three(robust.id),
        falls=tuple(falls),
        opening=opening,
        subtitle_classes=_subtitle_classes(traj, gallery, opening, regular.id),
        fallen={
            mid: {kind: Num(n, "int", f"derived:{kind}:{mid}") for kind, n in c.items()}
            for mid, c in counts.items()
        },
        falls_json=json.dumps(
            [
                {
                    mid: [
                        None if n is None else int(n.value),
                        None if n is None else n.src,
                        f.clean_wrong[mid],
                    ]
                    for mid, n in f.steps.items()
                }
                for f in falls
            ],
            separators=(",", ":"),
        ),
        formulas={name: mathml(name) for name in FORMULAS} | {"loss_inline": mathml("loss", display=False)},
    )
