"""The bundle format: one pydantic model per file the precompute writes and the server reads.

The exporter builds these objects and the server validates every file against them at start-up,
so the two sides cannot drift apart. Bump FORMAT_VERSION on any change an older reader would
misread. Pixel quantities (eps, alpha, norms) are in [0, 1] units; accuracies are fractions in [0, 1].
See BUNDLE.md for the file layout.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tour.stats import Z95, mean_interval, wilson

# 2: testset.json and its pages; 3: one sprite strip per gallery image and model; 4: every accuracy an
# Accuracy (correct, n, Wilson interval), N-FGSM and APGD specs, the sweep's weights, the host's ISA;
# 5: transfer.json; 6: paint.json, saliency.json, input_landscape.json, weight_landscape.json,
# capacity.json and run.json's extensions; 7: each model's training precision and weight average.
FORMAT_VERSION: Literal[7] = 7

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
N_CLASSES = len(CLASSES)

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
Probs = Annotated[list[Fraction], Field(min_length=N_CLASSES, max_length=N_CLASSES)]
ClassIndex = Annotated[int, Field(ge=0, lt=N_CLASSES)]
Preset = Literal["tiny", "small", "cpu", "full"]


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Accuracy(Strict):
    """`correct` of `n` images; `value` = correct / n and [low, high] its Wilson 95 % interval.

    The validator recomputes both, so a bundle cannot carry an interval its counts do not give.
    """

    correct: int = Field(ge=0)
    n: int = Field(ge=1)
    value: Fraction
    low: Fraction
    high: Fraction

    @classmethod
    def of(cls, correct: int, n: int) -> Accuracy:
        low, high = wilson(correct, n)
        return cls(correct=correct, n=n, value=correct / n, low=low, high=high)

    @model_validator(mode="after")
    def _consistent(self) -> Accuracy:
        if self.correct > self.n:
            raise ValueError(f"{self.correct} correct of {self.n}")
        low, high = wilson(self.correct, self.n)
        if (
            abs(self.value - self.correct / self.n) > 1e-9
            or abs(self.low - low) > 1e-9
            or abs(self.high - high) > 1e-9
        ):
            raise ValueError("value or interval does not follow from correct and n")
        return self


class AttackSpec(Strict):
    """How an attack was run; every caption that depends on an attack prints this.

    PGD: `steps` signed-gradient steps of size `alpha`, projected onto the eps-ball, from a uniform
    start in the ball. N-FGSM (de Jorge et al., 2022): uniform noise of half-width `noise`, one step of
    size `alpha`, no projection. APGD-CE and APGD-T (Croce & Hein, 2020): step sizes adapt, `targets`
    target classes for APGD-T (DLR loss). Accuracies under PGD count an image as robust only if the
    model is right at the clean image and at every iterate (an attacker keeps any iterate that fools it).
    """

    name: Literal["PGD", "N-FGSM", "APGD-CE", "APGD-T"]
    norm: Literal["Linf", "L2"]
    eps: float = Field(ge=0)
    alpha: float | None = Field(default=None, ge=0, description="step size; None where it adapts (APGD)")
    steps: int = Field(ge=0)
    random_start: bool
    noise: float | None = Field(default=None, ge=0, description="N-FGSM's start noise half-width")
    targets: int | None = Field(default=None, ge=1, description="APGD-T's target classes")
    seed: int | None = None


class Measurement(Strict):
    """Which images a number was measured on: <split>[first_index : first_index + n_images].

    "train" is the training images the models learnt from; "train_holdout" is the held-out end of
    the training set; "gallery" is the gallery order of gallery.json (its first ten are the examples).
    """

    split: Literal["test", "train", "train_holdout", "gallery"]
    first_index: int = Field(ge=0)
    n_images: int = Field(ge=1)
    attack: AttackSpec | None = None
    followed_by: AttackSpec | None = Field(
        default=None, description="run on the images `attack` left correct; robust means surviving both"
    )


class ModelInfo(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str
    train_eps: float = Field(ge=0, description="0 for the regular model")
    train_attack: AttackSpec | None
    epochs: int = Field(ge=1)
    selected_epoch: int = Field(ge=1, description="best epoch on the training hold-out slice")
    selection: Measurement = Field(
        description="what EpochRecord.holdout_acc measures; selected_epoch maximizes it"
    )
    width: int = Field(ge=1, description="channels of the first stage (64 is the standard ResNet-18)")
    parameters: int = Field(ge=1)
    precision: Literal["bf16", "fp32"] = Field(
        description="training's forward passes (bf16 autocast or fp32); every measurement is fp32 on the CPU"
    )
    ema: float | None = Field(
        ge=0,
        lt=1,
        description="decay of the weight average that is measured and shipped; null: the raw weights",
    )


class EpochRecord(Strict):
    epoch: int = Field(ge=1)
    lr: float = Field(ge=0)
    train_loss: float
    train_acc: Fraction
    test_loss: float
    clean_acc: Accuracy
    pgd_acc: Accuracy
    holdout_acc: Accuracy
    seconds: float = Field(ge=0)


class ModelHistory(Strict):
    model: ModelInfo
    epochs: list[EpochRecord]


class TrainingFile(Strict):
    """training.json: per-epoch curves for every trained model (sections 1 and 4)."""

    clean: Measurement
    pgd: Measurement
    models: list[ModelHistory]


class GalleryImage(Strict):
    position: int = Field(ge=0, description="tile index in images/gallery.png")
    test_index: int = Field(ge=0)
    label: ClassIndex


class GalleryFile(Strict):
    """gallery.json: the test images the article shows; the first ten are the examples."""

    classes: list[str]
    rule: str
    n_examples: int = Field(ge=1)
    tile: int = Field(description="pixels per side of one tile")
    columns: int = Field(ge=1, description="tiles per row of the gallery sprite")
    sprite: str
    images: list[GalleryImage]


class TestSetPage(Strict):
    path: str = Field(description="lossless WebP sheet, `columns` tiles per row, row-major")
    label: ClassIndex = Field(description="every image on a page is of this class")
    test_indices: list[int] = Field(min_length=1, description="the test index of each tile, in tile order")


class TestSetFile(Strict):
    """testset.json: every test image, lossless, in pages of one class each, for the lab's browser.

    Pages are sorted by class, then by test index; the lab attacks these exact pixels.
    """

    n_images: int = Field(ge=1)
    tile: int = Field(description="pixels per side of one tile")
    columns: int = Field(ge=1, description="tiles per row of a page")
    page_size: int = Field(ge=1, description="tiles per page; a class's last page may hold fewer")
    pages: list[TestSetPage]


class EpochProbsFile(Strict):
    """epoch_probs.json: class probabilities of the example images after every epoch."""

    measurement: Measurement
    model_ids: list[str]
    probs: dict[str, list[list[Probs]]] = Field(description="model id -> [epoch][example][class]")


class StepRecord(Strict):
    probs: Probs
    loss: float
    pred: ClassIndex
    linf: float = Field(ge=0)
    l2: float = Field(ge=0)


class Trajectory(Strict):
    model_id: str
    clean: StepRecord
    steps: list[StepRecord] = Field(description="index 0 is the random start, k is after k steps")
    first_misclassified: int | None = Field(description="first step whose prediction is wrong")


class SpritePair(Strict):
    """One image's pictures against one model: PNG strips of steps + 1 tiles, x_0 ... x_steps."""

    adversarial: str
    perturbation: str


class ImageTrajectories(Strict):
    position: int = Field(ge=0)
    test_index: int = Field(ge=0)
    label: ClassIndex
    trajectories: list[Trajectory]
    sprites: dict[str, SpritePair] = Field(description="model id -> this image's strips")


class TrajectoriesFile(Strict):
    """trajectories.json: one PGD run per gallery image and model, every step kept (sections 2, 3).

    Each image's strips hold one 32-px tile per step 0..steps, a file per image and model so that a
    reader fetches only the images they look at; perturbations are drawn as 0.5 + delta / (2 eps),
    so the eps-ball fills the range.
    """

    attack: AttackSpec
    model_ids: list[str]
    images: list[ImageTrajectories]


class SweepRow(Strict):
    model_id: str
    train_eps: float = Field(ge=0)
    accuracies: list[Accuracy] = Field(description="one per test eps, in SweepFile.test_eps order")


class SweepFile(Strict):
    """sweep.json: accuracy of every model at every test eps (section 5); test eps 0 is clean."""

    measurement: Measurement
    attack: AttackSpec = Field(description="the attack at each nonzero test eps, alpha = eps/4")
    test_eps: list[float]
    rows: list[SweepRow]


class EvalResult(Strict):
    name: str
    accuracy: Accuracy
    measurement: Measurement
    seconds: float = Field(ge=0)


class StepsPoint(Strict):
    steps: int = Field(ge=0, description="0 is the random start")
    accuracy: Accuracy = Field(description="of the images the model classifies correctly when clean")


class ModelEvaluation(Strict):
    model_id: str
    results: list[EvalResult] = Field(description="clean, PGD-10, PGD-50, each on its own first images")
    same_images: list[EvalResult] = Field(
        description="clean, PGD-10, APGD-CE and APGD-CE + APGD-T on one set of first images"
    )
    steps_curve: list[StepsPoint]
    steps_measurement: Measurement


class EvaluationFile(Strict):
    """evaluation.json: final numbers for the models the article evaluates in full."""

    models: list[ModelEvaluation]


class WeightsFile(Strict):
    model_id: str
    path: str
    dtype: Literal["float16", "bfloat16", "float32"]
    width: int


class StageTiming(Strict):
    name: str
    wall_seconds: float = Field(ge=0)
    gpu_seconds: float | None = Field(default=None, ge=0)


class DataSource(Strict):
    kind: Literal["tarball", "batches", "npz", "synthetic"]
    sha256: str | None
    n_train: int
    n_holdout: int
    n_test: int


class CapacityModel(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    kind: Literal["regular", "adversarial"]
    width: int = Field(ge=1)
    last_stage: int = Field(ge=1, description="channels of the last stage (8 x width unless reduced)")
    parameters: int = Field(ge=1)
    train_attack: AttackSpec | None
    epochs: int = Field(ge=1)
    selected_epoch: int = Field(ge=1, description="best epoch on the training hold-out slice")
    clean: Accuracy
    robust: Accuracy


class CapacityFile(Strict):
    """capacity.json: regular and adversarial ResNet-18s of several widths (and one with a reduced last
    stage), each trained with the headline recipe for the same shorter schedule, then measured alike."""

    clean: Measurement
    robust: Measurement
    models: list[CapacityModel]


class Extension(Strict):
    """A later run that added stages to an existing bundle from its shipped weights."""

    created: str
    commit: str
    dirty: bool
    device: str
    cpu_capability: str
    host_isa: str
    versions: dict[str, str]
    stages: list[StageTiming]


class RunFile(Strict):
    """run.json: provenance of the whole bundle."""

    preset: Preset
    created: str
    commit: str
    dirty: bool
    device: str
    cpu_capability: str = Field(description="torch's CPU kernel ISA while the bundle was made, e.g. AVX2")
    host_isa: str = Field(description="the widest vector ISA the host has: avx512f, avx2 or other")
    seed: int
    versions: dict[str, str]
    data: DataSource
    config: dict[str, Any]
    stages: list[StageTiming]
    models: list[ModelInfo]
    weights: list[WeightsFile]
    extensions: list[Extension] = Field(
        default_factory=list, description="later runs that added stages from the shipped weights"
    )


class ManifestEntry(Strict):
    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: int = Field(ge=0)


class Manifest(Strict):
    """manifest.json, written last: a bundle without it, or with any file not matching it, is unusable."""

    format_version: Literal[7]
    preset: Preset
    created: str
    files: list[ManifestEntry]


class TransferFile(Strict):
    """PGD crafted on each source model, scored on every target model: how far an attack carries to
    a model it never saw (a black-box attacker's best case, with a stand-in model of its own)."""

    measurement: Measurement
    attack: AttackSpec = Field(description="the attack run on each source model")
    sources: list[str]
    targets: list[str]
    accuracy: list[list[Accuracy]] = Field(
        description="[source][target]: the target's accuracy on the source's final adversarial images"
    )


class MeanInterval(Strict):
    """A mean over `n` images with its 95 % interval mean +- 1.96 sd / sqrt(n) (tour.stats.mean_interval);
    the validator recomputes the interval, as Accuracy's does."""

    mean: float
    low: float
    high: float
    sd: float = Field(ge=0)
    n: int = Field(ge=2)

    @classmethod
    def of(cls, values: Any) -> MeanInterval:
        """From per-image scores: a tensor (summed in float64) or a list of floats."""
        listed = values.double().tolist() if hasattr(values, "double") else list(values)
        mean, low, high, sd = mean_interval(listed)
        return cls(mean=mean, low=low, high=high, sd=sd, n=len(listed))

    @model_validator(mode="after")
    def _consistent(self) -> MeanInterval:
        half = Z95 * self.sd / self.n**0.5
        if abs(self.low - (self.mean - half)) > 1e-9 or abs(self.high - (self.mean + half)) > 1e-9:
            raise ValueError("interval does not follow from mean, sd and n")
        return self


class PaintStart(Strict):
    kind: Literal["example", "neutral"]
    test_index: int | None = Field(description="the example's test index; None for the neutral start")
    label: ClassIndex | None


class PaintFile(Strict):
    """paint.json: each example, and one neutral start, pushed toward every class by a targeted
    large-budget L2 PGD (section "Painting a class"); the lab's push mode runs the same spec.

    sprites[model][s] is one sheet at step snapshots[s]: row r = starts[r], column c = target class c.
    """

    attack: AttackSpec
    neutral: str = Field(description="how the neutral start was made")
    snapshots: list[int] = Field(description="steps the sheets show; 0 is the start itself")
    model_ids: list[str]
    starts: list[PaintStart]
    sprites: dict[str, list[str]]
    target_probs: dict[str, list[list[list[Fraction]]]] = Field(
        description="model id -> [start][target][snapshot]: the model's probability of the target"
    )
    reached: dict[str, Accuracy] = Field(
        description="model id -> share of (example, other class) pushes classified as the target at the end"
    )


class SmoothGradSpec(Strict):
    samples: int = Field(ge=1)
    sigma: float = Field(ge=0, description="noise standard deviation in [0, 1] pixel units")
    seed: int


class GradientSprites(Strict):
    gradient: str
    smoothgrad: str


class EdgeScore(Strict):
    model_id: str
    gradient: MeanInterval
    smoothgrad: MeanInterval


class SaliencyFile(Strict):
    """saliency.json: input gradients of the loss for the gallery, plain and SmoothGrad, drawn per image
    by `picture`; and how image-like they are: the correlation of |gradient| with the image's edges."""

    model_ids: list[str]
    smoothgrad: SmoothGradSpec
    picture: str
    gallery: Measurement
    sprites: dict[str, GradientSprites] = Field(description="model id -> sheets in gallery order")
    edges: Measurement
    edge_rule: str
    scores: list[EdgeScore]
    difference: dict[str, MeanInterval] = Field(
        description="'gradient', 'smoothgrad': per-image robust minus regular score, paired"
    )


class InputGridSpec(Strict):
    radius: float = Field(gt=0, description="the grid spans [-radius, radius] on both axes, L-inf units")
    points: int = Field(ge=2)
    seed: int = Field(description="seed of the random direction, shared by every model")


class ImageLandscape(Strict):
    position: int = Field(ge=0, description="gallery position")
    test_index: int = Field(ge=0)
    label: ClassIndex
    loss: dict[str, list[list[float]]] = Field(description="model id -> [adversarial i][random j]")
    pred: dict[str, list[list[ClassIndex]]]


class LossRise(Strict):
    model_id: str
    adversarial: MeanInterval = Field(
        description="loss at distance `distance` along the adversarial direction minus the clean loss"
    )
    random: MeanInterval = Field(description="the same along the random direction")


class InputLandscapeFile(Strict):
    """input_landscape.json: the loss on a plane through each example, spanned by the model's own
    adversarial direction (sign of its gradient) and a shared random sign direction (tour.landscape);
    and, over many test images, how much the loss rises one step out along each direction."""

    grid: InputGridSpec
    coords: list[float]
    model_ids: list[str]
    images: list[ImageLandscape]
    rise_measurement: Measurement
    distance: float = Field(gt=0)
    rise: list[LossRise]


class WeightSlices(Strict):
    model_id: str
    loss_1d: list[float]
    accuracy_1d: list[Accuracy]
    loss_2d: list[list[float]] = Field(description="[x i][y j]")


class WeightLandscapeFile(Strict):
    """weight_landscape.json: the training loss around each trained model along filter-normalized
    random directions in weight space (Li et al., 2018), 1-D and 2-D slices on the same axes."""

    measurement: Measurement
    normalization: str
    seeds: list[int] = Field(description="direction seeds: the 1-D slice uses the first, the 2-D plane both")
    coords_1d: list[float]
    coords_2d: list[float]
    models: list[WeightSlices]


class Document(NamedTuple):
    model: type[Strict]
    summary: str  # what the file holds, in a line: the JSON API's description of its route


# Every JSON file of a bundle, the model that validates it, and what it holds: the one list that the
# reader, the server's routes and store, and the tests iterate.
DOCUMENTS: dict[str, Document] = {
    "run.json": Document(RunFile, "Provenance: preset, config, commit, device, timings."),
    "training.json": Document(TrainingFile, "Per-epoch curves of every model (sections 1 and 4)."),
    "gallery.json": Document(GalleryFile, "The gallery of test images; the first ten are the examples."),
    "testset.json": Document(TestSetFile, "Every test image's page and class, for the live lab's browser."),
    "epoch_probs.json": Document(EpochProbsFile, "Class probabilities of the examples after every epoch."),
    "trajectories.json": Document(
        TrajectoriesFile, "Every precomputed PGD trajectory (large; prefer the per-image route)."
    ),
    "sweep.json": Document(SweepFile, "Accuracy of every model at every test eps (section 5)."),
    "evaluation.json": Document(
        EvaluationFile, "Final clean, PGD-10, PGD-50, APGD-CE + APGD-T accuracy and accuracy per PGD step."
    ),
    "transfer.json": Document(TransferFile, "PGD crafted on each model, scored on every model."),
    "paint.json": Document(PaintFile, "Each example and a neutral start pushed toward every class."),
    "saliency.json": Document(SaliencyFile, "Input gradients of the gallery and how image-like they are."),
    "input_landscape.json": Document(InputLandscapeFile, "The loss on a plane around each example."),
    "weight_landscape.json": Document(
        WeightLandscapeFile, "The training loss around each trained model along filter-normalized directions."
    ),
    "capacity.json": Document(
        CapacityFile, "Regular and adversarial models of several widths, measured alike."
    ),
}
JSON_FILES: dict[str, type[Strict]] = {name: d.model for name, d in DOCUMENTS.items()}


def api_name(file: str) -> str:
    """A bundle file's route under /api/: 'epoch_probs.json' -> 'epoch-probs'."""
    return file.removesuffix(".json").replace("_", "-")
