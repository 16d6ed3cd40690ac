"""Server settings: where the bundle, templates and assets live. Read once, frozen."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(os.environ.get("TOUR_ROOT", Path(__file__).resolve().parents[1]))


@dataclass(frozen=True)
class Settings:
    bundle_dir: Path = field(
        default_factory=lambda: Path(os.environ.get("TOUR_BUNDLE", ROOT / "data" / "bundle"))
    )
    article_dir: Path = ROOT / "article"
    static_dir: Path = ROOT / "static"
