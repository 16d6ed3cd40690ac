"""Every chart's Plotly figure, built once from the bundle when the server starts.

Each module builds one figure from bundle documents and imports none of the others; the page
fetches /api/figures/{name} and renders it with Plotly.react. Charts whose data change with the
reader's choice per image (the bars, the attack's loss curve) are shells the page fills.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from server.figures import (
    attack_loss,
    bars,
    capacity,
    input_landscape,
    learning,
    paint_probs,
    saliency,
    steps,
    sweep,
    sweep_grid,
    theme,
    tradeoff,
    transfer,
    weight_landscape,
)
from tour import schema
from tour.bundle import Bundle

FigureName = Literal[
    "learning",
    "steps",
    "tradeoff",
    "sweep",
    "sweep-grid",
    "transfer",
    "paint-probs",
    "saliency",
    "input-landscape",
    "weight-landscape",
    "capacity",
    "bars",
    "attack-loss",
]
NAMES: tuple[str, ...] = get_args(FigureName)


def build_all(bundle: Bundle) -> dict[str, dict[str, Any]]:
    """name -> figure JSON, in NAMES order."""
    run = bundle.doc("run.json", schema.RunFile)
    training = bundle.doc("training.json", schema.TrainingFile)
    traj = bundle.doc("trajectories.json", schema.TrajectoriesFile)
    gallery = bundle.doc("gallery.json", schema.GalleryFile)
    labels = {m.id: m.label for m in run.models}
    colors = {m.id: theme.model_color(m.train_eps) for m in run.models}
    sweep_doc = bundle.doc("sweep.json", schema.SweepFile)
    figures = {
        "learning": learning.build(training, traj.model_ids[0]),
        "steps": steps.build(bundle.doc("evaluation.json", schema.EvaluationFile), run),
        "tradeoff": tradeoff.build(training, traj.model_ids),
        "sweep": sweep.build(sweep_doc, labels, traj.attack.eps),
        "sweep-grid": sweep_grid.build(sweep_doc, traj.attack.eps),
        "transfer": transfer.build(
            bundle.doc("transfer.json", schema.TransferFile), {m.id: m.train_eps for m in run.models}
        ),
        "paint-probs": paint_probs.build(bundle.doc("paint.json", schema.PaintFile), colors, labels),
        "saliency": saliency.build(bundle.doc("saliency.json", schema.SaliencyFile), colors, labels),
        "input-landscape": input_landscape.build(
            bundle.doc("input_landscape.json", schema.InputLandscapeFile),
            labels,
            gallery.classes,
            traj.attack.eps,
        ),
        "weight-landscape": weight_landscape.build(
            bundle.doc("weight_landscape.json", schema.WeightLandscapeFile), colors, labels
        ),
        "capacity": capacity.build(bundle.doc("capacity.json", schema.CapacityFile)),
        "bars": bars.build(gallery.classes),
        "attack-loss": attack_loss.build(),
    }
    assert tuple(figures) == NAMES
    return {name: theme.to_dict(fig) for name, fig in figures.items()}
