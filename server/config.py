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


def _int(env: Mapping[str, str], name: str, default: int, minimum: int, maximum: int | None = None) -> int:
    raw = env.get(name, str(default))
    if not raw.isdigit() or int(raw) < minimum or (maximum is not None and int(raw) > maximum):
        within = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        raise SettingsError(f"{name} must be a whole number {within}, not {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class Settings:
    root: Path = REPO  # TOUR_ROOT: where article/, static/ and data/ live (the image's /app)
    bundle_dir: Path = REPO / "data" / "bundle"  # TOUR_BUNDLE: the bundle to serve
    lab_workers: int = 1  # TOUR_LAB_WORKERS: attacks at once; each runs its two models on a core each
    lab_queue: int = 3  # TOUR_LAB_QUEUE: attacks waiting; beyond them a request gets 503 at once
    lab_per_minute: int = 30  # TOUR_LAB_PER_MINUTE: attacks per client address and minute
    lab_burst: int = 10  # TOUR_LAB_BURST: attacks a client may send back to back
    # TOUR_LAB_TIMEOUT: seconds from admission (queue wait included) after which an attack is stopped
    # between two steps and answered 503; one whose client leaves is stopped the same way at once
    lab_timeout: int = 30
    # TOUR_TRUSTED_PROXY: the one address whose X-Forwarded-For is believed (the reverse proxy in front);
    # unset, the header is ignored, so no client can pick its own rate-limit bucket by forging it
    trusted_proxy: str | None = None
    # The front (python -m server.front, nginx in front of uvicorn; DEPLOY.md gives the reasons):
    front_header_timeout: int = 10  # TOUR_FRONT_HEADER_TIMEOUT: s for a client to send its whole header
    front_body_timeout: int = 10  # TOUR_FRONT_BODY_TIMEOUT: s between two reads of a request body
    front_send_timeout: int = 10  # TOUR_FRONT_SEND_TIMEOUT: s between two writes to a client
    front_keepalive_timeout: int = 5  # TOUR_FRONT_KEEPALIVE_TIMEOUT: s an idle keep-alive connection stays
    front_connections: int = 64  # TOUR_FRONT_CONNECTIONS: requests in progress at once per client address
    front_rate: int = 20  # TOUR_FRONT_RATE: requests per second per client address, sustained
    front_burst: int = 200  # TOUR_FRONT_BURST: requests per client address above the rate, at once
    # TOUR_FRONT_REAL_IP_FROM: address or CIDR of a load balancer in front of nginx whose X-Forwarded-For
    # nginx believes (unset: the connecting address is the client)
    front_real_ip_from: str | None = None

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
            "lab_timeout": _int(env, "TOUR_LAB_TIMEOUT", cls.lab_timeout, minimum=1),
            "trusted_proxy": env.get("TOUR_TRUSTED_PROXY") or None,
            "front_header_timeout": _int(env, "TOUR_FRONT_HEADER_TIMEOUT", cls.front_header_timeout, 1),
            "front_body_timeout": _int(env, "TOUR_FRONT_BODY_TIMEOUT", cls.front_body_timeout, 1),
            "front_send_timeout": _int(env, "TOUR_FRONT_SEND_TIMEOUT", cls.front_send_timeout, 1),
            "front_keepalive_timeout": _int(
                env, "TOUR_FRONT_KEEPALIVE_TIMEOUT", cls.front_keepalive_timeout, minimum=0
            ),
            # nginx's limit_conn takes at most 65535
            "front_connections": _int(env, "TOUR_FRONT_CONNECTIONS", cls.front_connections, 1, 65535),
            "front_rate": _int(env, "TOUR_FRONT_RATE", cls.front_rate, minimum=1),
            "front_burst": _int(env, "TOUR_FRONT_BURST", cls.front_burst, minimum=0),
            "front_real_ip_from": env.get("TOUR_FRONT_REAL_IP_FROM") or None,
        }
        return cls(**(values | overrides))
