"""What a lab request may ask for, validated strictly, and what it gets back.

Pixel quantities are in [0, 1] units, as everywhere in the bundle. Types are strict: a boolean is
not a number, a string is not a number, and unknown fields are errors, so a typo never runs an
attack the reader did not ask for.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from server.lab.limits import LIMITS, LabLimits
from tour import schema

N_TEST = 10_000  # CIFAR-10's test set; a bundle made from a subset holds fewer
_TOLERANCE = 1e-9  # 16/255 computed in a browser must pass


def _integral(value: object) -> object:
    """JSON has one number type: 6.0 is the integer 6 (as JSON Schema's "integer" says); 6.5 and
    "6" and true still fail the strict int check that follows."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# An integer in a request body: strict, except that an integral JSON number like 6.0 counts.
Int = Annotated[int, BeforeValidator(_integral)]
# (Field before the validator: the other way round, pydantic writes the bounds as "ge"/"le", which
# JSON Schema does not know, instead of "minimum"/"maximum".)
Seed = Annotated[int, Field(ge=0, le=LIMITS.seed_max), BeforeValidator(_integral)]
Class = Annotated[int, Field(ge=0, le=9), BeforeValidator(_integral)]  # tour.schema.ClassIndex, in a body


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class TestSource(_Strict):
    test_index: Int = Field(ge=0, le=N_TEST - 1, description="index in the CIFAR-10 test set")


def _limits_schema(schema: dict[str, Any], cls: type) -> None:
    """`_limits` below as JSON Schema: the object becomes `anyOf` three complete variants (L-inf attack,
    L2 attack, class push), each with the bounds the validator applies, to the same float. A client or
    fuzzer reading the OpenAPI document then sends nothing the lab refuses for a limit, and nothing
    over a limit that the lab would take. (Plain variants, not if/then: generators handle them.)"""
    base = {k: v for k, v in schema.items() if k not in ("title", "description")}

    def variant(mode: str, norm: str, eps_max: float, steps_max: int, required: list[str]) -> dict[str, Any]:
        v = copy.deepcopy(base)
        props = v["properties"]
        props["mode"] = {**props["mode"], "enum": [mode]}
        props["norm"] = {**props["norm"], "enum": [norm]}
        props["eps"] = {**props["eps"], "maximum": eps_max + _TOLERANCE}
        props["steps"] = {**props["steps"], "maximum": steps_max}
        props["alpha"] = {
            **props["alpha"],
            "anyOf": [{"type": "number", "minimum": 0, "maximum": eps_max + _TOLERANCE}, {"type": "null"}],
        }
        if mode == "push":
            props["target"] = {**props["target"], "anyOf": [{"type": "integer", "minimum": 0, "maximum": 9}]}
        v["required"] = sorted({*v.get("required", []), *required})
        return v

    variants = [
        variant("attack", "Linf", LIMITS.linf_eps_max, LIMITS.steps_max, []),
        variant("attack", "L2", LIMITS.l2_eps_max, LIMITS.steps_max, ["norm"]),
        variant("push", "L2", LIMITS.push_eps_max, LIMITS.push_steps_max, ["mode", "norm", "target"]),
    ]
    for key in base:
        del schema[key]
    schema["anyOf"] = variants


class _ChoosesModels(_Strict):
    """A request that may name the shipped models to run, one or two, each at most once."""

    models: list[Annotated[str, Field(pattern=r"^[a-z0-9_]{1,32}$")]] | None = Field(
        default=None,
        min_length=1,
        max_length=LIMITS.models_max,
        description="ids of the shipped models to run (GET /api/lab lists them); default: the two the "
        "article's figures show",
    )

    @field_validator("models")
    @classmethod
    def _once_each(cls, models: list[str] | None) -> list[str] | None:
        if models is not None and len(set(models)) != len(models):
            raise ValueError("each model at most once")
        return models


class AttackParams(_ChoosesModels):
    """One PGD run, the same for both models. `mode="push"` is the targeted large-budget L2 attack."""

    model_config = ConfigDict(json_schema_extra=_limits_schema)

    mode: Literal["attack", "push"] = "attack"
    norm: Literal["Linf", "L2"] = "Linf"
    eps: float = Field(
        ge=0,
        description=f"L-inf: 0..{LIMITS.linf_eps_max * 255:g}/255; L2: 0..{LIMITS.l2_eps_max:g} "
        f"(push: 0..{LIMITS.push_eps_max:g})",
    )
    steps: Int = Field(
        ge=1,
        le=LIMITS.push_steps_max,
        description=f"1..{LIMITS.steps_max} (push: 1..{LIMITS.push_steps_max})",
    )
    alpha: float | None = Field(default=None, ge=0, description="step size; default eps/4")
    target: Class | None = Field(default=None, description="None: untargeted")
    random_start: bool = True
    seed: Seed | None = Field(
        default=None, description="random-start seed; default: the test image's bundle seed, else random"
    )

    @model_validator(mode="after")
    def _limits(self) -> AttackParams:
        if self.mode == "push":
            if self.norm != "L2" or self.target is None:
                raise ValueError("mode 'push' is a targeted L2 attack: give norm 'L2' and a target class")
            eps_max, steps_max = LIMITS.push_eps_max, LIMITS.push_steps_max
        else:
            eps_max = LIMITS.linf_eps_max if self.norm == "Linf" else LIMITS.l2_eps_max
            steps_max = LIMITS.steps_max
        if self.eps > eps_max + _TOLERANCE:
            raise ValueError(
                f"eps {self.eps:g} is above the {self.norm} limit {eps_max:g} for mode {self.mode!r}"
            )
        if self.steps > steps_max:
            raise ValueError(f"steps {self.steps} is above the limit {steps_max} for mode {self.mode!r}")
        if self.alpha is not None and self.alpha > eps_max + _TOLERANCE:
            raise ValueError(f"alpha {self.alpha:g} is above {eps_max:g}, the largest eps of this norm")
        return self

    def resolve(self, seed: int, models: list[str]) -> ResolvedParams:
        """The attack as it will run: the step size defaults to eps/4, the seed and models given."""
        alpha = self.eps / 4 if self.alpha is None else self.alpha
        fields = self.model_dump(include={"mode", "norm", "eps", "steps", "target", "random_start"})
        return ResolvedParams(name="PGD", alpha=alpha, seed=seed, models=models, **fields)


class AttackRequest(AttackParams):
    """POST /api/lab/attack: a test image and the attack."""

    source: TestSource


class ResolvedParams(schema.AttackSpec):
    """The attack exactly as run, every default filled in (so the reader can reuse the seed): the
    kernel's AttackSpec, as the bundle records it, plus what the lab adds around it."""

    name: Literal["PGD"] = "PGD"  # the lab runs PGD, with a step size and a seed, always
    alpha: float
    seed: int  # the image's bundle seed, or a fresh one the response reports
    mode: Literal["attack", "push"]
    target: schema.ClassIndex | None = Field(description="the class a push or targeted attack aims at")
    models: list[str]

    def spec(self) -> schema.AttackSpec:
        """The attack as the kernel runs it and the bundle records it (the lab's additions aside)."""
        return schema.AttackSpec(**self.model_dump(include=set(schema.AttackSpec.model_fields)))


class SourceInfo(_Strict):
    kind: Literal["test", "upload"]
    test_index: int | None = None
    label: schema.ClassIndex | None = Field(description="true class; None for an upload")


class _ModelResult(_Strict):
    """What one model made of the image."""

    model_id: str
    label: str
    reference: schema.ClassIndex = Field(
        description="class whose loss is reported, ascended (an untargeted attack) or differentiated and "
        "mapped (inspect): the true class, or for an upload the model's clean prediction"
    )


class ModelRun(_ModelResult):
    trajectory: schema.Trajectory
    adversarial: str = Field(description="PNG data URL: one row of 32-px tiles, steps 0..steps")
    perturbation: str = Field(description="same layout: 0.5 + delta / (2 scale)")
    perturbation_scale: float


class AttackResponse(_Strict):
    params: ResolvedParams
    source: SourceInfo
    image: str = Field(description="the clean 32x32 image as a PNG data URL")
    tile: int
    columns: int = Field(description="tiles per sprite row: steps + 1")
    runs: list[ModelRun]
    figure_match: bool | None = Field(
        description="an image of the article's figures attacked with their attack and seed: whether "
        "every step of every model equals the precomputed trajectory; None for any other request"
    )
    seconds: float = Field(description="server time of the attack itself")


class InspectParams(_ChoosesModels):
    """Inspect an image: each model's input gradient, its SmoothGrad and the loss landscape around it.
    Every setting comes from the bundle (saliency.json, input_landscape.json), so there is none to
    give but the models."""


class InspectRequest(InspectParams):
    """POST /api/lab/inspect: a test image and, optionally, the models."""

    source: TestSource


class ModelInspection(_ModelResult):
    gradient: str = Field(description="PNG data URL, 32x32: the input gradient as 0.5 + g / (2 s)")
    smoothgrad: str = Field(description="PNG data URL, 32x32: the SmoothGrad gradient, drawn the same way")
    loss: list[list[float]] = Field(description="[adversarial i][random j] cross-entropy on the grid")
    pred: list[list[schema.ClassIndex]] = Field(description="[adversarial i][random j] predicted class")


class InspectResponse(_Strict):
    source: SourceInfo
    image: str = Field(description="the clean 32x32 image as a PNG data URL")
    smoothgrad: schema.SmoothGradSpec = Field(description="as saliency.json records it")
    grid: schema.InputGridSpec = Field(description="as input_landscape.json records it")
    coords: list[float] = Field(description="grid coordinates on both axes, L-inf units")
    picture: str = Field(description="how a gradient is drawn")
    models: list[ModelInspection]
    seconds: float = Field(description="server time of the computation itself")


class LabStatus(_Strict):
    available: bool
    reason: str | None
    models: list[schema.ModelInfo]
    default_models: list[str] = Field(description="attacked when a request names none: the figures' models")
    classes: list[str]
    limits: LabLimits
    test_images: int = Field(description="test indices the lab accepts: 0..test_images-1")
    run_seed: int | None
    push: schema.AttackSpec | None = Field(
        description="the attack of the article's 'Painting a class' figure (paint.json): the push "
        "mode's defaults, so the lab can repaint the figure"
    )
    attack: schema.AttackSpec | None = Field(
        description="the attack of the article's figures (trajectories.json): the attack mode's "
        "defaults, so a gallery image retraces its figure"
    )
