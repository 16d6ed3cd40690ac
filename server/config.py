"""Every knob of the server in one typed, frozen Settings: each setting declared once, its default and
bounds beside the reason for them.

A field `name` is read from the environment variable TOUR_<NAME> (or the one its `env` names) by
`Settings.from_env()`, the only place that reads os.environ; the app and its routers get the one
instance (and what was built from it) through `server.deps`. A value out of range stops start-up with
one line naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from annotated_types import Ge, Le
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.fields import FieldInfo

REPO = Path(__file__).resolve().parents[1]


class SettingsError(ValueError):
    """A TOUR_* setting that cannot be used; the message is one line."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    root: Path = Field(REPO, description="where article/, static/ and data/ live (the image's /app)")
    bundle_dir: Path = Field(
        None,  # type: ignore[assignment]  # filled from root below
        description="the bundle to serve (default: ROOT/data/bundle)",
        json_schema_extra={"env": "TOUR_BUNDLE"},
    )
    lab_workers: int = Field(1, ge=1, description="attacks at once; each runs its two models on a core each")
    lab_queue: int = Field(3, ge=0, description="attacks waiting; beyond them a request gets 503 at once")
    lab_per_minute: int = Field(30, ge=1, description="attacks per client address and minute")
    lab_burst: int = Field(10, ge=1, description="attacks a client may send back to back")
    lab_timeout: int = Field(
        30,
        ge=1,
        description="seconds from admission (queue wait included) after which an attack is stopped between "
        "two steps and answered 503; one whose client leaves is stopped the same way at once",
    )
    trusted_proxy: str | None = Field(
        None,
        description="the one address whose X-Forwarded-For is believed (the reverse proxy in front); unset, "
        "the header is ignored, so no client can pick its own rate-limit bucket by forging it",
    )
    # The front (python -m server.supervisor, nginx in front of uvicorn; DEPLOY.md gives the reasons):
    front_header_timeout: int = Field(10, ge=1, description="s for a client to send its whole header")
    front_body_timeout: int = Field(10, ge=1, description="s between two reads of a request body")
    front_send_timeout: int = Field(10, ge=1, description="s between two writes to a client")
    front_keepalive_timeout: int = Field(5, ge=0, description="s an idle keep-alive connection stays")
    front_connections: int = Field(
        64, ge=1, le=65535, description="requests in progress at once per client address (nginx's limit)"
    )
    front_rate: int = Field(20, ge=1, description="requests per second per client address, sustained")
    front_burst: int = Field(200, ge=0, description="requests per client address above the rate, at once")
    front_real_ip_from: str | None = Field(
        None,
        description="address or CIDR of a load balancer in front of nginx whose X-Forwarded-For nginx "
        "believes (unset: the connecting address is the client)",
    )

    @model_validator(mode="before")
    @classmethod
    def _bundle_in_root(cls, values: Any) -> Any:
        if isinstance(values, dict) and values.get("bundle_dir") is None:
            values = {**values, "bundle_dir": Path(values.get("root", REPO)) / "data" / "bundle"}
        return values

    @property
    def article_dir(self) -> Path:
        return self.root / "article"

    @property
    def static_dir(self) -> Path:
        return self.root / "static"

    @staticmethod
    def env_name(field: str) -> str:
        extra = Settings.model_fields[field].json_schema_extra
        return str(extra["env"]) if isinstance(extra, dict) and "env" in extra else f"TOUR_{field.upper()}"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """The settings the environment gives (an empty variable counts as unset), then `overrides`."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {
            name: _parse(cls.env_name(name), env[cls.env_name(name)], field)
            for name, field in cls.model_fields.items()
            if env.get(cls.env_name(name))
        }
        try:
            return cls(**(values | overrides))
        except ValidationError as e:
            field = str(e.errors()[0]["loc"][0])
            raise SettingsError(f"{cls.env_name(field)}: {e.errors()[0]['msg']}") from None


def _parse(var: str, raw: str, field: FieldInfo) -> object:
    """A variable's text as its field's type; whole numbers are plain digits within the field's bounds."""
    if field.annotation is not int:
        return Path(raw) if field.annotation is Path else raw
    low = int(next((m.ge for m in field.metadata if isinstance(m, Ge)), 0))  # type: ignore[call-overload]
    high = next((int(m.le) for m in field.metadata if isinstance(m, Le)), None)  # type: ignore[call-overload]
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        within = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise SettingsError(f"{var} must be a whole number {within}, not {raw!r}")
    return int(raw)
