"""Every knob of the pipeline: one frozen dataclass per stage, and the three presets.

A preset is the whole recipe; run.json records it field by field, so a bundle says how it was
made. Pixel quantities (eps, alpha) are in [0, 1] units, written as k / 255 where that reads better.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

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


@dataclass(frozen=True)
class TrainConfig:
    width: int  # 64 = the standard 11.2 M-parameter ResNet-18
    epochs: int
    batch_size: int
    lr: float  # peak learning rate of the one-cycle schedule
    warmup_fraction: float = 0.2  # linear ramp from 0 to lr, then linear decay to 0 (one-cycle)
    momentum: float = 0.9  # nesterov SGD, the standard CIFAR recipe
    weight_decay: float = 5e-4  # the standard CIFAR ResNet value
    label_smoothing: float = 0.0  # only the regular model uses it (see presets); it masks gradients in AT
    train_attack_steps: int = 10  # Madry PGD steps per batch for adversarial models, alpha = madry_alpha
    eval_clean_n: int = 1000  # test images for the per-epoch clean accuracy
    eval_pgd_n: int = 1000  # test images for the per-epoch PGD-10 accuracy
    eval_pgd_steps: int = 10  # the article's per-epoch robustness probe: PGD-10 at 8/255
    holdout_attack_steps: int = 10  # PGD steps of the hold-out probe that selects adversarial checkpoints
    holdout_attack_n: int = 1000  # hold-out images attacked per epoch (clean accuracy uses all of them)
    eval_batch: int = 1000  # evaluation batch; memory only, results do not depend on it
    compile: bool = False  # torch.compile the training model (CUDA only); on once the bench shows it pays


@dataclass(frozen=True)
class TrajectoryConfig:
    gallery_size: int = 100  # the article's gallery: 10 per class, the first 10 are the examples
    eps: float = 8 / 255  # the attack the article animates: PGD-10, L-inf 8/255, step 2/255
    steps: int = 10
    alpha: float = 2 / 255


@dataclass(frozen=True)
class SweepConfig:
    n: int | None  # first n test images, None = all
    steps: int = 10  # PGD-10 at every test eps, alpha = eps / 4
    batch: int = 1000  # memory only


@dataclass(frozen=True)
class EvalConfig:
    n: int | None  # first n test images for clean / PGD-10 / PGD-50, None = all
    autoattack_n: int  # first images for AutoAttack (standard version), the slowest attack by far
    autoattack_steps: int = 10  # torchattacks' standard budget for APGD-CE, APGD-T and FAB-T
    autoattack_queries: int = 5000  # and for Square; only the tiny preset cuts these (tests take seconds)
    steps_curve: tuple[int, ...] = (1, 2, 3, 5, 7, 10, 20, 50, 100)  # shows PGD has converged by 10-50
    steps_curve_n: int = 1000  # first test images for the steps curve
    eps: float = 8 / 255
    batch: int = 500  # memory only: one PGD-100 batch keeps 101 iterates


@dataclass(frozen=True)
class PipelineConfig:
    preset: str
    seed: int
    data: DataConfig
    train: TrainConfig
    robust_train: TrainConfig  # the headline adv_eps8 model may train longer than the other sweep models
    regular_train: TrainConfig
    trajectories: TrajectoryConfig
    sweep: SweepConfig
    evaluation: EvalConfig

    def train_config(self, mid: str) -> TrainConfig:
        if mid == "regular":
            return self.regular_train
        return self.robust_train if mid == ROBUST_ID else self.train

    def as_dict(self) -> dict:
        return asdict(self)


def tiny() -> PipelineConfig:
    """Tests: a width-4 network on a few hundred synthetic images, seconds end to end."""
    train = TrainConfig(
        width=4,
        epochs=2,
        batch_size=50,
        lr=0.05,
        train_attack_steps=2,
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
        robust_train=train,
        regular_train=train,
        trajectories=TrajectoryConfig(gallery_size=20),  # the rule still holds, two images per class
        sweep=SweepConfig(n=20, steps=2),
        evaluation=EvalConfig(
            n=10,
            autoattack_n=4,
            autoattack_steps=2,
            autoattack_queries=20,
            steps_curve=(1, 2, 5),
            steps_curve_n=10,
            batch=100,
        ),
    )


def small() -> PipelineConfig:
    """CPU (2 cores), real CIFAR-10, all six models and every export in about 3 minutes.

    Measured here at width 8: training ~730 img/s, a PGD-3 attack ~260 img/s, a forward pass
    ~3,400 img/s. Training takes ~100 s of the budget (3,000 images; adversarial models use the
    one-step FGSM-with-random-start attack), evaluation a few hundred test images.
    """
    train = TrainConfig(
        width=8,
        epochs=2,
        batch_size=128,
        lr=0.1,
        train_attack_steps=1,  # FGSM with random start (alpha 1.25 eps): AT at the cost of one extra pass
        eval_clean_n=500,
        eval_pgd_n=50,  # PGD-10 every epoch is the dearest probe: 11 passes per image
        holdout_attack_steps=2,
        holdout_attack_n=100,
        eval_batch=500,
    )
    return PipelineConfig(
        preset="small",
        seed=0,
        data=DataConfig(n_train=3000, n_holdout=500),
        train=train,
        robust_train=train,
        regular_train=replace(train, epochs=3, label_smoothing=0.1),  # cheap epochs: one more
        trajectories=TrajectoryConfig(),
        sweep=SweepConfig(n=64),  # 6 models x 5 eps x PGD-10: ~2,000 passes per image measured
        # AutoAttack costs ~5,000 Square queries per still-robust image batch: 10 images.
        evaluation=EvalConfig(n=100, autoattack_n=10, steps_curve_n=50, batch=100),
    )


def full() -> PipelineConfig:
    """One H100/H200: width 64 on all 49,000 training images (1,000 held out); see BENCHMARKS.md."""
    train = TrainConfig(
        width=64,
        epochs=24,  # sweep models: one-cycle AT plateaus by ~20-30 epochs (Rice et al. 2020)
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
        robust_train=replace(train, epochs=40),  # the headline model gets the most epochs of the budget
        regular_train=replace(train, epochs=40, lr=0.4, label_smoothing=0.1),
        trajectories=TrajectoryConfig(),
        sweep=SweepConfig(n=None, batch=2000),
        evaluation=EvalConfig(n=None, autoattack_n=1000, steps_curve_n=1000, batch=1000),
    )


PRESETS = {"tiny": tiny, "small": small, "full": full}
