"""Every knob of the server in one typed, frozen Settings, read from the environment once.

`Settings.from_env()` is the only place that reads os.environ; the app and its routers get the one
instance (and what was built from it) through `server.deps`. A value out of range stops start-up with
one line naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


class SettingsError(ValueError):
    """A TOUR_* setting that cannot be used; the message is one line."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = env.get(name, str(default))
    if not raw.isdigit() or int(raw) < minimum:
        raise SettingsError(f"{name} must be a whole number of at least {minimum}, not {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class Settings:
    root: Path = REPO  # TOUR_ROOT: where article/, static/ and data/ live (the image's /app)
    bundle_dir: Path = REPO / "data" / "bundle"  # TOUR_BUNDLE: the bundle to serve
    lab_workers: int = 1  # TOUR_LAB_WORKERS: attacks at once; each runs its two models on a core each
    lab_queue: int = 3  # TOUR_LAB_QUEUE: attacks waiting; beyond them a request gets 503 at once
    lab_per_minute: int = 30  # TOUR_LAB_PER_MINUTE: attacks per client address and minute
    lab_burst: int = 10  # TOUR_LAB_BURST: attacks a client may send back to back
    # TOUR_TRUSTED_PROXY: the one address whose X-Forwarded-For is believed (the reverse proxy in front);
    # unset, the header is ignored, so no client can pick its own rate-limit bucket by forging it
    trusted_proxy: str | None = None

    @property
    def article_dir(self) -> Path:
        return self.root / "article"

    @property
    def static_dir(self) -> Path:
        return self.root / "static"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> Settings:
        env = os.environ if env is None else env
        root = Path(env.get("TOUR_ROOT", REPO))
        values: dict[str, Any] = {
            "root": root,
            "bundle_dir": Path(env.get("TOUR_BUNDLE", root / "data" / "bundle")),
            "lab_workers": _int(env, "TOUR_LAB_WORKERS", cls.lab_workers, minimum=1),
            "lab_queue": _int(env, "TOUR_LAB_QUEUE", cls.lab_queue, minimum=0),
            "lab_per_minute": _int(env, "TOUR_LAB_PER_MINUTE", cls.lab_per_minute, minimum=1),
            "lab_burst": _int(env, "TOUR_LAB_BURST", cls.lab_burst, minimum=1),
            "trusted_proxy": env.get("TOUR_TRUSTED_PROXY") or None,
        }
        return cls(**(values | overrides))
