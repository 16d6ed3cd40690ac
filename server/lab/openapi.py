"""What the OpenAPI document says of the lab beyond what FastAPI infers: request bodies that stand on
their own (no $ref), the upload's exact multipart fields, every error status, and the model ids this
bundle accepts. A fuzzer or client reading it then sends only what the lab takes."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from server.errors import ErrorBody
from server.lab.transport import IMAGE, PARAMS

# Every operation that runs models, and so names them in its body (see declare_models).
RUNS_MODELS = ("/api/lab/attack", "/api/lab/attack/upload", "/api/lab/inspect", "/api/lab/inspect/upload")


def _inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with every $ref replaced by its definition."""
    raw = model.model_json_schema()
    defs = raw.pop("$defs", {})

    def resolve(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(raw)


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """A route's `openapi_extra` for a JSON body of `model` (read by hand, so FastAPI cannot infer it)."""
    return {
        "requestBody": {"required": True, "content": {"application/json": {"schema": _inline_schema(model)}}}
    }


def upload_body(params: type[BaseModel], params_required: bool) -> dict[str, Any]:
    """An upload's `openapi_extra`: the image file and the request's JSON as `params`, nothing else."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": [IMAGE, PARAMS] if params_required else [IMAGE],
                        "properties": {
                            IMAGE: {"type": "string", "format": "binary", "description": "PNG or JPEG"},
                            PARAMS: _inline_schema(params),
                        },
                        "additionalProperties": False,
                    },
                    "encoding": {PARAMS: {"contentType": "application/json"}},
                }
            },
        }
    }


def _error(description: str) -> dict:
    return {"model": ErrorBody, "description": description}


LAB_ERRORS: dict[int | str, dict] = {
    400: _error("Content-Length is not a number."),
    404: _error("The test image is not in this bundle."),
    413: _error("The body, the image file or the image's pixel count is over its limit."),
    403: _error("Sent by another site's page (Sec-Fetch-Site, or Origin, names another origin)."),
    415: _error("Wrong Content-Type, or an upload that is not a PNG or JPEG."),
    422: _error(
        "A parameter or form field is missing, unknown, repeated, of the wrong type or out of range, "
        "or the image is corrupt."
    ),
    429: _error("Too many lab requests from this client; see Retry-After."),
    503: _error(
        "The lab's queue is full (see Retry-After), the request outlived the lab's deadline, "
        "or this bundle ships no models."
    ),
}


def declare_models(app: FastAPI, ids: list[str]) -> None:
    """Say which model ids this bundle accepts, each at most once: the request models cannot know the
    bundle, and a fuzzer (or client) reading only the pattern sends ids the lab then refuses."""
    build = app.openapi

    def models_arrays(node: Any):
        if isinstance(node, dict):
            models = node.get("properties", {}).get("models")
            if isinstance(models, dict):
                yield from (v for v in models.get("anyOf", [models]) if v.get("type") == "array")
            for value in node.values():
                yield from models_arrays(value)
        elif isinstance(node, list):
            for value in node:
                yield from models_arrays(value)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = build()
            for path in RUNS_MODELS:
                for array in models_arrays(doc["paths"][path]["post"]["requestBody"]):
                    array["uniqueItems"] = True
                    if ids:
                        array["items"] = {**array["items"], "enum": ids}
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
