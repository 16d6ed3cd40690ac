"""Every knob of the pipeline: one frozen dataclass per stage, and the three presets.

A preset is the whole recipe; run.json records it field by field, so a bundle says how it was
made. Pixel quantities (eps, alpha) are in [0, 1] units, written as k / 255 where that reads better.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from tour import schema
from tour.runtime import derive_seed

HEADLINE_EPS = 8 / 255  # the article's threat model, L-inf 8/255: every headline number is measured at it
HEADLINE_ALPHA = 2 / 255  # its PGD step, eps / 4 (Madry et al.)
CROP_PAD = 4  # random crop: pad by 4 and cut 32x32 back out, the standard CIFAR augmentation (with flips)
TESTSET_COLUMNS = 10  # the lab's test-set pages: 10 x 10 tiles, 320x320 px, about 164 KB each,
TESTSET_PAGE = 100  # one screen of the lab's browser per request
GALLERY_COLUMNS = 10  # one class per column: row r of the gallery sprite holds the r-th image of every class
TEST_EPS_255 = (0, 1, 2, 4, 8, 16)  # the article's eps axis, in 1/255 steps
TRAIN_EPS_255 = (0, 1, 2, 4, 8, 16)  # one model per eps; 0 is the regular model
ROBUST_ID = "adv_eps8"  # the headline robust model, also the sweep's 8/255 point
SHOWN_IDS = ("regular", ROBUST_ID)  # models whose weights, trajectories and epoch probs are exported


def model_id(train_eps_255: int) -> str:
    return "regular" if train_eps_255 == 0 else f"adv_eps{train_eps_255}"


@dataclass(frozen=True)
class DataConfig:
    n_train: int | None  # training images used, None = all (small: a subset, to fit 3 CPU minutes)
    n_holdout: int  # last images of the training set, kept out of training for checkpoint selection


def madry_alpha(eps: float, steps: int) -> float:
    """2.5 * eps / steps (Madry et al.; eps/4 at 10 steps), capped at 1.25 * eps, the step of
    single-step FGSM with random start (Wong et al., 2020), so one or two steps stay in range."""
    return min(2.5 * eps / steps, 1.25 * eps)


def linf_pgd(eps: float, alpha: float, steps: int, seed: int) -> schema.AttackSpec:
    """Every PGD the pipeline runs: L-inf, random start. The spec is what runs and what is recorded."""
    return schema.AttackSpec(
        name="PGD", norm="Linf", eps=eps, alpha=alpha, steps=steps, random_start=True, seed=seed
    )


@dataclass(frozen=True)
class TrainConfig:
    width: int  # 64 = the standard 11.2 M-parameter ResNet-18
    epochs: int
    batch_size: int
    lr: float  # peak learning rate of the one-cycle schedule
    warmup_fraction: float = 0.2  # linear ramp from 0 to lr, then linear decay to 0 (one-cycle)
    momentum: float = 0.9  # nesterov SGD, the standard CIFAR recipe
    weight_decay: float = 5e-4  # the standard CIFAR ResNet value
    label_smoothing: float = 0.1  # every model: +acc for standard and AT alike at <= 0.2 (Pang et al., 2021)
    attack: str = "pgd"  # adversarial batches: "pgd" (Madry PGD-k) or "nfgsm" (one step, de Jorge et al.)
    train_attack_steps: int = 10  # PGD steps per batch for adversarial models, alpha = madry_alpha
    nfgsm_noise: float = 2.0  # N-FGSM's start noise half-width in multiples of eps (the paper's k = 2)
    precision: str = "auto"  # training's autocast: "auto" = bf16 where native (1.65x here), else fp32
    ema: float | None = 0.999  # weight average shipped and selected (~2.6 epochs at batch 128); None = off
    channels_last: bool = True  # NHWC convolutions: ~15 % faster on the CPU too (558 vs 483 img/s here)
    probe_eps: float = HEADLINE_EPS  # the per-epoch test probe of every model: PGD-10 at the headline eps
    probe_alpha: float = HEADLINE_ALPHA
    eval_clean_n: int = 1000  # test images for the per-epoch clean accuracy
    eval_pgd_n: int = 1000  # test images for the per-epoch PGD-10 accuracy
    eval_pgd_steps: int = 10  # the article's per-epoch robustness probe: PGD-10 at 8/255
    holdout_attack_steps: int = 10  # PGD steps of the hold-out probe that selects adversarial checkpoints
    holdout_attack_n: int = 1000  # hold-out images attacked per epoch (clean accuracy uses all of them)
    eval_batch: int = 1000  # evaluation batch; memory only, results do not depend on it
    compile: bool = False  # torch.compile the training model (CUDA only); on once the bench shows it pays
    last_stage: int | None = None  # last stage's channels; None = 8 x width (the capacity study varies it)

    def train_attack(self, eps: float, run_seed: int) -> schema.AttackSpec | None:
        """How training batches are attacked (None: regular training). PGD batches draw their starts
        from (run seed, model, epoch, batch), N-FGSM from the epoch's generator."""
        if eps == 0:
            return None
        if self.attack == "nfgsm":
            return schema.AttackSpec(
                name="N-FGSM",
                norm="Linf",
                eps=eps,
                alpha=eps,
                steps=1,
                random_start=True,
                noise=self.nfgsm_noise * eps,
                seed=run_seed,
            )
        if self.attack == "pgd":
            return linf_pgd(eps, madry_alpha(eps, self.train_attack_steps), self.train_attack_steps, run_seed)
        raise ValueError(f"unknown training attack {self.attack!r}")

    def probe(self, run_seed: int) -> schema.AttackSpec:
        """The per-epoch robustness probe on the test set, the same for every model."""
        return linf_pgd(self.probe_eps, self.probe_alpha, self.eval_pgd_steps, derive_seed(run_seed, "probe"))

    def holdout_attack(self, eps: float, run_seed: int) -> schema.AttackSpec:
        """The hold-out check that picks an adversarial model's epoch: PGD at its training eps."""
        steps = self.holdout_attack_steps
        return linf_pgd(eps, madry_alpha(eps, steps), steps, derive_seed(run_seed, "holdout"))


@dataclass(frozen=True)
class TrajectoryConfig:
    gallery_size: int = 100  # the article's gallery: 10 per class, the first 10 are the examples
    eps: float = HEADLINE_EPS  # the attack the article animates: PGD-10 at the headline eps
    steps: int = 10
    alpha: float = HEADLINE_ALPHA

    def attack(self, run_seed: int) -> schema.AttackSpec:
        """The figures' attack; each image's own random start derives from the seed and its index."""
        return linf_pgd(self.eps, self.alpha, self.steps, run_seed)


@dataclass(frozen=True)
class SweepConfig:
    n: int | None  # first n test images, None = all
    steps: int = 10  # PGD-10 at every test eps, alpha = eps / 4
    batch: int = 1000  # memory only

    def attack(self, eps: float, run_seed: int) -> schema.AttackSpec:
        return linf_pgd(eps, eps / 4, self.steps, derive_seed(run_seed, "sweep"))


@dataclass(frozen=True)
class EvalConfig:
    clean_n: int | None  # first test images for clean accuracy, None = all
    pgd_n: int  # first test images for PGD-10, PGD-50 and the steps curve (one PGD-50 run)
    apgd_n: int  # first test images for clean, PGD-10, APGD-CE and APGD-CE + APGD-T side by side
    models: tuple[str, ...] = SHOWN_IDS  # evaluated in full; APGD-T costs ~1,000 steps a robust image
    pgd_steps: tuple[int, int] = (10, 50)  # PGD-50 shows whether PGD-10 has converged
    apgd_steps: int = 100  # the original AutoAttack budget of APGD-CE and APGD-T (torchattacks uses 10)
    apgd_targets: int = 9  # APGD-T tries every other class as target, as AutoAttack does
    curve_steps: int = 10  # the steps curve: accuracy of the clean-correct images after 0 ... 10 steps
    eps: float = HEADLINE_EPS
    alpha: float = HEADLINE_ALPHA
    batch: int = 500  # memory only

    def pgd(self, steps: int, run_seed: int) -> schema.AttackSpec:
        return linf_pgd(self.eps, self.alpha, steps, derive_seed(run_seed, "final_pgd"))

    def apgd(self, run_seed: int) -> tuple[schema.AttackSpec, schema.AttackSpec]:
        """APGD-CE, then APGD-T on the images it leaves correct (Croce & Hein's budget)."""
        common: dict[str, Any] = dict(norm="Linf", eps=self.eps, steps=self.apgd_steps, random_start=True)
        return (
            schema.AttackSpec(name="APGD-CE", seed=run_seed, **common),
            schema.AttackSpec(name="APGD-T", targets=self.apgd_targets, seed=run_seed, **common),
        )


@dataclass(frozen=True)
class TransferConfig:
    n: int | None = 1000  # first test images, crafted on every model and scored on every model
    steps: int = 10  # the evaluation's PGD-10 at the headline eps, with its per-image random starts
    eps: float = HEADLINE_EPS
    alpha: float = HEADLINE_ALPHA
    batch: int = 500  # memory only

    def attack(self, run_seed: int) -> schema.AttackSpec:
        """The same spec (and seed) as EvalConfig.pgd(10): the diagonal is the white-box attack."""
        return linf_pgd(self.eps, self.alpha, self.steps, derive_seed(run_seed, "final_pgd"))


@dataclass(frozen=True)
class PaintConfig:
    eps: float = 8.0  # L2 budget: ~4.6x the L2 size of the L-inf 8/255 ball; enough to repaint a 32-px image
    steps: int = 60  # the lab's push limit, so the reader can rerun the figure exactly
    snapshots: tuple[int, ...] = (0, 5, 10, 20, 40, 60)  # the figure's step slider; 0 is the start
    batch: int = 1  # one image at a time, as the lab runs it: equal batches give equal floats

    def attack(self) -> schema.AttackSpec:
        """Targeted L2 PGD from the image itself (no random start: one picture per image and class),
        alpha = 2.5 eps / steps as in Madry et al., so the budget is reachable with room to turn."""
        alpha = 2.5 * self.eps / self.steps
        return schema.AttackSpec(
            name="PGD", norm="L2", eps=self.eps, alpha=alpha, steps=self.steps, random_start=False
        )


@dataclass(frozen=True)
class SaliencyConfig:
    samples: int = 32  # SmoothGrad's noisy copies: the paper sees little change past ~50; 32 halves the cost
    sigma: float = 0.15  # noise std in [0, 1] pixels: the paper's 10-20 % of the input range
    edge_n: int = 1000  # first test images for the edge-correlation score
    batch: int = 250  # memory only

    def smoothgrad(self, run_seed: int) -> schema.SmoothGradSpec:
        return schema.SmoothGradSpec(
            samples=self.samples, sigma=self.sigma, seed=derive_seed(run_seed, "smoothgrad")
        )


@dataclass(frozen=True)
class InputLandscapeConfig:
    radius: float = 2 * HEADLINE_EPS  # so the eps-ball's edge sits mid-axis
    points: int = 21  # 1.6/255 apart; 8/255 is a grid line. 441 forward passes an image and model
    rise_n: int = 1000  # first test images for the loss-rise numbers
    distance: float = HEADLINE_EPS  # how far out the rise is measured
    batch: int = 500  # memory only

    def grid(self, run_seed: int) -> schema.InputGridSpec:
        return schema.InputGridSpec(
            radius=self.radius, points=self.points, seed=derive_seed(run_seed, "input_landscape")
        )


@dataclass(frozen=True)
class WeightLandscapeConfig:
    n: int = 1000  # first training images the loss is averaged over (Li et al. use the whole set)
    span: float = 1.0  # coordinates in [-span, span]: 1 = a step as long as each filter itself
    points_1d: int = 41  # 0.05 apart
    points_2d: int = 21  # 0.1 apart: 441 evaluations of n images per model
    batch: int = 500  # memory only

    def seeds(self, run_seed: int) -> list[int]:
        return [derive_seed(run_seed, "weight_landscape", axis) for axis in ("x", "y")]


@dataclass(frozen=True)
class CapacityConfig:
    """Huang et al. (2021): does robustness grow with width, and what does the last stage's capacity
    do? Each width trains a regular and an adversarial model with the headline models' recipes, all
    for the same (shorter) number of epochs, so the comparison across widths is fair."""

    widths: tuple[int, ...] = (8, 12, 16, 24)  # 0.18 M to 1.6 M parameters; 32 would cost the whole budget
    reduced: tuple[tuple[int, int], ...] = ((16, 64),)  # (width, last-stage channels): width 16, last halved
    epochs: int = 4  # all 10 models fit the study's 120 CPU-minute budget at 4 epochs (BENCHMARKS.md)
    pgd_n: int = 1000  # first test images for PGD-10 (clean accuracy uses the whole test set)

    def shapes(self) -> list[tuple[int, int | None]]:
        return [(w, None) for w in self.widths] + [(w, last) for w, last in self.reduced]


def capacity_id(kind: str, width: int, last: int | None) -> str:
    """ "cap_adv_w16", "cap_regular_w16_last64": a capacity model's id, unique per kind and shape."""
    return f"cap_{kind}_w{width}" + ("" if last is None else f"_last{last}")


@dataclass(frozen=True)
class PipelineConfig:
    preset: schema.Preset
    seed: int
    data: DataConfig
    train: TrainConfig  # every model of the family, the headline pair included: they differ only in eps
    trajectories: TrajectoryConfig
    sweep: SweepConfig
    evaluation: EvalConfig
    transfer: TransferConfig = TransferConfig()  # after the rest: a run that predates it resumes
    paint: PaintConfig = PaintConfig()  # the chapters beyond the seed, also added to a shipped bundle
    saliency: SaliencyConfig = SaliencyConfig()  # by `python -m precompute --extend`
    input_landscape: InputLandscapeConfig = InputLandscapeConfig()
    weight_landscape: WeightLandscapeConfig = WeightLandscapeConfig()
    capacity: CapacityConfig = CapacityConfig()

    def capacity_models(self) -> list[tuple[str, TrainConfig, int]]:
        """(id, training config, train eps x 255) of every capacity model: regular and adversarial
        (at the headline eps) at each shape, the family's recipe for `capacity.epochs` epochs each."""
        out = []
        headline = round(self.evaluation.eps * 255)
        tcfg = replace(self.train, epochs=self.capacity.epochs)
        for width, last in self.capacity.shapes():
            for kind, eps255 in (("regular", 0), ("adv", headline)):
                shaped = replace(tcfg, width=width, last_stage=last)
                out.append((capacity_id(kind, width, last), shaped, eps255))
        return out

    def as_dict(self) -> dict:
        return asdict(self)


def tiny() -> PipelineConfig:
    """Tests: a width-4 network on a few hundred synthetic images, seconds end to end."""
    train = TrainConfig(
        width=4,
        epochs=2,
        batch_size=50,
        lr=0.05,
        attack="nfgsm",
        eval_clean_n=50,
        eval_pgd_n=10,
        eval_pgd_steps=3,
        holdout_attack_steps=2,
        holdout_attack_n=10,
        eval_batch=100,
    )
    return PipelineConfig(
        preset="tiny",
        seed=0,
        data=DataConfig(n_train=None, n_holdout=50),
        train=train,
        trajectories=TrajectoryConfig(gallery_size=20),  # the rule still holds, two images per class
        sweep=SweepConfig(n=20, steps=2),
        evaluation=EvalConfig(
            clean_n=None,
            pgd_n=10,
            apgd_n=6,
            pgd_steps=(3, 5),
            apgd_steps=3,
            apgd_targets=2,
            curve_steps=3,
            batch=100,
        ),
        paint=PaintConfig(steps=4, snapshots=(0, 2, 4)),
        saliency=SaliencyConfig(samples=3, edge_n=12),
        input_landscape=InputLandscapeConfig(points=5, rise_n=12),
        weight_landscape=WeightLandscapeConfig(n=20, points_1d=5, points_2d=3),
        capacity=CapacityConfig(widths=(2, 4), reduced=((4, 8),), epochs=1, pgd_n=10),
    )


def small() -> PipelineConfig:
    """A smoke run on real CIFAR-10 in a few CPU minutes: width 8, 3,000 training images, 2-3 epochs.

    Not a shipped bundle (its models are far from the article's phenomena); it checks the whole
    pipeline on real data before a long `cpu` run starts.
    """
    train = TrainConfig(
        width=8,
        epochs=2,
        batch_size=128,
        lr=0.1,
        attack="nfgsm",
        ema=0.99,  # 46 steps in all: a 0.999 average would still remember the random init
        eval_clean_n=500,
        eval_pgd_n=100,
        holdout_attack_n=200,
        eval_batch=500,
    )
    return PipelineConfig(
        preset="small",
        seed=0,
        data=DataConfig(n_train=3000, n_holdout=500),
        train=train,
        trajectories=TrajectoryConfig(),
        sweep=SweepConfig(n=200),
        evaluation=EvalConfig(clean_n=None, pgd_n=200, apgd_n=100, apgd_steps=20, batch=100),
    )


def cpu() -> PipelineConfig:
    """The shipped bundle: width 16 (0.7 M parameters) on all 49,000 training images, two CPU cores.

    All six models share one schedule, so every comparison on the page is between models trained
    alike. Sized for the slower kind of native-bf16 host: with AVX-512 BF16 but no AMX a regular epoch
    takes ~55 s and an N-FGSM epoch ~85 s with their probes, so 11 epochs x (1 + 5 models) are ~95 min
    and the rest of the article's stages fit the 150; with AMX they measured ~40 s and ~75 s and the
    article's stages take about 110 minutes (BENCHMARKS.md, "Precompute run").
    """
    train = TrainConfig(
        width=16,  # width 32 is ~3x slower per epoch: fewer epochs would cost more than width gains
        epochs=11,  # every model, headline pair included: what 150 minutes buy six models without AMX
        batch_size=128,
        lr=0.2,  # N-FGSM's one-cycle peak (de Jorge et al. train at batch 128 with peak 0.2)
        warmup_fraction=0.25,  # a longer ramp steadies single-step AT in the first epochs
        attack="nfgsm",  # one extra gradient per batch, no catastrophic overfitting up to 16/255
        eval_pgd_n=500,  # the per-epoch PGD probe costs ~11 passes an image: 500 keep it < 5 % of an epoch
        holdout_attack_n=500,
        eval_batch=500,
    )
    return PipelineConfig(
        preset="cpu",
        seed=0,
        data=DataConfig(n_train=None, n_holdout=1000),
        train=train,
        trajectories=TrajectoryConfig(),
        sweep=SweepConfig(n=2000, batch=500),
        evaluation=EvalConfig(clean_n=None, pgd_n=2000, apgd_n=1000),
        # widths 8 to 24 at 5 epochs fit the study's hour in bf16; 2,000 PGD images narrow the intervals
        capacity=CapacityConfig(widths=(8, 16, 24), epochs=5, pgd_n=2000),
    )


def full() -> PipelineConfig:
    """One H100/H200: width 64 on all 49,000 training images (1,000 held out); see BENCHMARKS.md."""
    train = TrainConfig(
        width=64,
        epochs=30,  # every model: one-cycle AT plateaus by ~20-30 epochs (Rice et al. 2020)
        batch_size=512,  # large batches keep the GPU busy; lr scaled up with warmup
        lr=0.2,
        train_attack_steps=10,  # PGD-10, alpha = eps/4: the Madry recipe the targets refer to
        eval_batch=2000,
    )
    return PipelineConfig(
        preset="full",
        seed=0,
        data=DataConfig(n_train=None, n_holdout=1000),
        train=train,
        trajectories=TrajectoryConfig(),
        sweep=SweepConfig(n=None, batch=2000),
        evaluation=EvalConfig(clean_n=None, pgd_n=10000, apgd_n=1000, batch=1000),
    )


PRESETS = {"tiny": tiny, "small": small, "cpu": cpu, "full": full}
