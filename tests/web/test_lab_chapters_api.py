"""The lab's modes that follow the later chapters, over real HTTP: inspect (input gradients and the loss
landscape, for a test image or an upload), and the class push run with the paint figure's attack,
which repaints the figure's sheets pixel for pixel."""

from __future__ import annotations

import base64
import io
import json
import urllib.request

import numpy as np
import pytest
from PIL import Image

from tests.support import running_server
from tests.web.lab_client import OPEN, image_bytes, multipart, request
from tour.sprites import decode, tiles_of

INSPECT = "/api/lab/inspect"
INSPECT_UPLOAD = "/api/lab/inspect/upload"


@pytest.fixture(scope="module")
def server():
    with running_server(env=OPEN) as base:
        yield base


def fetch(base: str, path: str) -> bytes:
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return r.read()


def pixels(data_url: str) -> np.ndarray:
    return decode(base64.b64decode(data_url.split(",", 1)[1]))


@pytest.fixture(scope="module")
def paint(server):
    return json.loads(fetch(server, "/bundle/paint.json"))


def test_the_push_defaults_are_the_paint_figures_attack(server, paint):
    status, _, body = request(server, "/api/lab", content_type=None)
    assert status == 200 and body["push"] == paint["attack"]
    assert body["push"]["random_start"] is False and body["push"]["norm"] == "L2"


def test_a_push_with_the_paint_attack_repaints_the_figure(server, paint):
    """Each example pushed toward one class (a different one per example, so every class is a target
    once): the last step is the paint sheet's tile at the last snapshot, for both models."""
    spec = paint["attack"]
    assert paint["snapshots"][-1] == spec["steps"]
    examples = [(row, s) for row, s in enumerate(paint["starts"]) if s["kind"] == "example"]
    sheets = {
        mid: tiles_of(decode(fetch(server, "/bundle/" + paths[-1])), 32, 10, 10 * len(paint["starts"]))
        for mid, paths in paint["sprites"].items()
    }
    for row, start in examples:
        target = (row + 1) % 10
        body = {
            "source": {"test_index": start["test_index"]},
            "mode": "push", "norm": spec["norm"], "eps": spec["eps"], "alpha": spec["alpha"],
            "steps": spec["steps"], "random_start": spec["random_start"], "target": target,
        }  # fmt: skip
        status, _, out = request(server, "/api/lab/attack", body)
        assert status == 200, out
        # the paint spec's seed is None and the lab always names one: with no random start, PGD
        # never draws from it, so everything else is the comparison
        same = ("norm", "eps", "alpha", "steps", "random_start")
        assert {k: out["params"][k] for k in same} == {k: spec[k] for k in same}
        assert out["params"]["models"] == paint["model_ids"]
        for run in out["runs"]:
            last = tiles_of(pixels(run["adversarial"]), 32, out["columns"], out["columns"])[-1]
            np.testing.assert_array_equal(last, sheets[run["model_id"]][row * 10 + target])


def test_inspect_a_test_image(server):
    _, _, gallery = request(server, "/api/gallery", content_type=None)
    first = gallery["images"][0]
    status, _, body = request(server, INSPECT, {"source": {"test_index": first["test_index"]}})
    assert status == 200, body
    assert body["source"] == {"kind": "test", "test_index": first["test_index"], "label": first["label"]}
    points = body["grid"]["points"]
    assert len(body["coords"]) == points and body["coords"][0] == -body["grid"]["radius"]
    assert body["smoothgrad"]["samples"] >= 1 and body["picture"]
    assert [m["model_id"] for m in body["models"]] == ["regular", "adv_eps8"]
    centre = points // 2  # the grid's middle point is the image itself
    for m in body["models"]:
        assert m["reference"] == first["label"]
        for kind in ("gradient", "smoothgrad"):
            assert Image.open(io.BytesIO(base64.b64decode(m[kind].split(",", 1)[1]))).size == (32, 32)
        assert len(m["loss"]) == points and all(len(row) == points for row in m["loss"])
        assert len(m["pred"]) == points and all(0 <= p <= 9 for row in m["pred"] for p in row)
        assert m["loss"][centre][centre] <= max(max(row) for row in m["loss"])
    assert pixels(body["image"]).shape == (32, 32, 3)


def test_inspect_any_shipped_model_on_any_test_image(server):
    status, _, body = request(server, INSPECT, {"source": {"test_index": 9999}, "models": ["adv_eps1"]})
    assert status == 200, body
    assert [m["model_id"] for m in body["models"]] == ["adv_eps1"]


def test_inspect_an_upload_with_and_without_params(server):
    for fields in ({}, {"params": (None, "application/json", b'{"models": ["regular", "adv_eps16"]}')}):
        for fmt, ctype in (("PNG", "image/png"), ("JPEG", "image/jpeg")):
            data, content_type = multipart({**fields, "image": ("x", ctype, image_bytes(fmt))})
            status, _, body = request(server, INSPECT_UPLOAD, data, content_type)
            assert status == 200, body
            assert body["source"] == {"kind": "upload", "test_index": None, "label": None}
            centre = body["grid"]["points"] // 2
            for m in body["models"]:  # no label: the loss is that of each model's own clean prediction
                assert m["pred"][centre][centre] == m["reference"]
    assert [m["model_id"] for m in body["models"]] == ["regular", "adv_eps16"]


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({}, "source"),
        ({"source": {"test_index": 10_000}}, "test_index"),
        ({"source": {"test_index": True}}, "test_index"),
        ({"source": {"test_index": 0}, "models": ["nosuch"]}, "not a shipped model"),
        ({"source": {"test_index": 0}, "models": ["regular", "regular"]}, "at most once"),
        ({"source": {"test_index": 0}, "models": []}, "models"),
        ({"source": {"test_index": 0}, "eps": 0.1}, "eps"),  # inspect has no attack settings
    ],
)
def test_inspect_refuses_bad_requests_with_422(server, body, fragment):
    status, _, out = request(server, INSPECT, body)
    assert status == 422, out
    assert fragment in out["error"]["message"]


def test_inspect_transport_errors(server):
    payload = json.dumps({"source": {"test_index": 0}}).encode()
    assert request(server, INSPECT, payload, "text/plain")[0] == 415
    assert request(server, INSPECT_UPLOAD, payload)[0] == 415
    assert request(server, INSPECT, b"{not json")[0] == 422
    big = json.dumps({"source": {"test_index": 0}, "pad": "x" * 10_000}).encode()
    assert request(server, INSPECT, big)[0] == 413


def test_inspect_upload_errors(server):
    def send(fields):
        return request(server, INSPECT_UPLOAD, *multipart(fields))

    assert send({"image": ("x", "image/gif", b"GIF89a no")})[0] == 415
    assert send({"image": ("x", "image/png", image_bytes()[:60])})[0] == 422  # truncated
    assert send({"image": ("x", "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * (256 * 1024))})[0] == 413
    assert send({"params": (None, "application/json", b"{}")})[0] == 422  # no image
    params = (None, "application/json", b'{"models": ["nosuch"]}')
    status, _, out = send({"params": params, "image": ("x", "image/png", image_bytes())})
    assert status == 422 and "not a shipped model" in out["error"]["message"]
    status, _, out = send(
        {"params": (None, "application/json", b"{bad"), "image": ("x", "image/png", image_bytes())}
    )
    assert status == 422


def test_openapi_documents_the_inspect_routes(server):
    doc = json.loads(fetch(server, "/openapi.json"))
    for path in (INSPECT, INSPECT_UPLOAD):
        assert {"200", "404", "413", "415", "422", "429", "503"} <= set(
            doc["paths"][path]["post"]["responses"]
        )
    body = doc["paths"][INSPECT]["post"]["requestBody"]["content"]["application/json"]["schema"]
    models = next(v for v in body["properties"]["models"]["anyOf"] if v.get("type") == "array")
    assert models["uniqueItems"] is True and "regular" in models["items"]["enum"]
