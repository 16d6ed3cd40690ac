"""The bundle as the server holds it: verified once at start-up, every response body pre-serialized.

Handlers only look bytes up here, so serving a figure's data costs a dict lookup; nothing is parsed
or serialized per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from precompute import schema
from precompute.bundle import Bundle, dump_json, load_bundle


class TrajectoryResponse(schema.Strict):
    """One gallery image's PGD trajectories against every model, with how they were made."""

    attack: schema.AttackSpec
    model_ids: list[str]
    sprites: dict[str, schema.SpritePair]
    columns: int
    image: schema.ImageTrajectories


@dataclass(frozen=True)
class Store:
    bundle: Bundle
    documents: dict[str, bytes]  # API name -> JSON body
    trajectories: tuple[bytes, ...]  # gallery position -> JSON body

    @property
    def run(self) -> schema.RunFile:
        return self.bundle.doc("run.json", schema.RunFile)

    @property
    def gallery(self) -> schema.GalleryFile:
        return self.bundle.doc("gallery.json", schema.GalleryFile)


def open_store(bundle_dir: Path) -> Store:
    """Load and verify the bundle; raises BundleError with a one-line reason."""
    bundle = load_bundle(bundle_dir)
    documents = {
        name.removesuffix(".json").replace("_", "-"): bundle.files[name] for name in schema.JSON_FILES
    }
    traj = bundle.doc("trajectories.json", schema.TrajectoriesFile)
    by_position = sorted(traj.images, key=lambda im: im.position)
    bodies = tuple(
        dump_json(
            TrajectoryResponse(
                attack=traj.attack,
                model_ids=traj.model_ids,
                sprites=traj.sprites,
                columns=traj.attack.steps + 1,
                image=image,
            )
        )
        for image in by_position
    )
    return Store(bundle=bundle, documents=documents, trajectories=bodies)
