"""The live lab over real HTTP (uvicorn in a subprocess): every validation path, uploads, the bounded
queue (503) and the rate limit (429) under concurrent requests, and a bundle without weights."""

from __future__ import annotations

import base64
import gzip
import http.client
import io
import json
import shutil
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from PIL import Image

from server.config import Settings
from tests.support import running_server
from tests.web.lab_client import ATTACK, OPEN, UPLOAD, Part, image_bytes, multipart, request, upload
from tour.bundle import write_manifest

BUNDLE = Settings().bundle_dir


@pytest.fixture(scope="module")
def server():
    with running_server(env=OPEN) as base:
        yield base


@pytest.fixture(scope="module")
def gallery_index(server):
    with urllib.request.urlopen(server + "/api/gallery", timeout=10) as r:
        return json.loads(r.read())["images"][0]["test_index"]


def attack_body(index: int, **changes) -> dict:
    return {"source": {"test_index": index}, "norm": "Linf", "eps": 8 / 255, "steps": 3, **changes}


def test_status_lists_every_shipped_model_and_limits(server):
    status, _, body = request(server, "/api/lab", content_type=None)
    assert status == 200 and body["available"] is True
    assert len(body["models"]) == 6  # the regular model and the five of the eps sweep
    assert body["default_models"] == ["regular", "adv_eps8"]  # the two the article's figures show
    assert body["limits"]["steps_max"] == 50 and body["limits"]["upload_bytes_max"] == 256 * 1024


def test_any_shipped_model_can_be_attacked_two_at_a_time(server, gallery_index):
    status, _, body = request(
        server, ATTACK, attack_body(gallery_index, seed=5, models=["adv_eps16", "adv_eps1"])
    )
    assert status == 200, body
    assert [r["model_id"] for r in body["runs"]] == ["adv_eps16", "adv_eps1"] == body["params"]["models"]
    assert body["figure_match"] is None  # the figures show neither model
    status, _, body = request(server, ATTACK, attack_body(gallery_index, models=["adv_eps4"]))
    assert status == 200 and [r["model_id"] for r in body["runs"]] == ["adv_eps4"]


def test_attack_returns_every_step_for_both_models(server, gallery_index):
    status, _, body = request(server, ATTACK, attack_body(gallery_index, seed=7))
    assert status == 200, body
    assert body["params"] == {
        "name": "PGD", "norm": "Linf", "eps": 8 / 255, "alpha": 2 / 255, "steps": 3, "random_start": True,
        "noise": None, "targets": None, "seed": 7,
        "mode": "attack", "target": None, "models": ["regular", "adv_eps8"],
    }  # fmt: skip
    assert body["source"]["kind"] == "test" and body["columns"] == 4
    assert [r["model_id"] for r in body["runs"]] == ["regular", "adv_eps8"]
    for run in body["runs"]:
        assert len(run["trajectory"]["steps"]) == 4
        assert all(s["linf"] <= 8 / 255 + 1e-6 for s in run["trajectory"]["steps"])
        for key in ("adversarial", "perturbation"):
            png = Image.open(io.BytesIO(base64.b64decode(run[key].split(",", 1)[1])))
            assert png.size == (32 * 4, 32)


def test_same_seed_same_result_and_default_seed_is_the_bundles(server, gallery_index):
    _, _, a = request(server, ATTACK, attack_body(gallery_index))
    _, _, b = request(server, ATTACK, attack_body(gallery_index, seed=a["params"]["seed"]))
    assert a["runs"] == b["runs"]


def test_the_article_settings_reproduce_the_figure_and_say_so(server, gallery_index):
    """The lab compares a gallery image attacked with the figures' attack and seed to the bundle."""
    _, _, traj = request(server, "/api/trajectories/0", content_type=None)
    spec = traj["attack"]
    article = {"norm": spec["norm"], "eps": spec["eps"], "steps": spec["steps"], "alpha": spec["alpha"]}
    status, _, body = request(server, ATTACK, attack_body(gallery_index, **article))
    assert status == 200 and body["figure_match"] is True
    assert [r["trajectory"] for r in body["runs"]] == traj["image"]["trajectories"]
    _, _, other_seed = request(server, ATTACK, attack_body(gallery_index, **article, seed=7))
    _, _, fewer_steps = request(server, ATTACK, attack_body(gallery_index, steps=3))
    assert other_seed["figure_match"] is None and fewer_steps["figure_match"] is None


def test_results_are_gzipped_for_clients_that_take_gzip(server, gallery_index):
    """The large result is encoded in the attack's worker; a gzip client gets it compressed."""
    body = json.dumps(attack_body(gallery_index, seed=1)).encode()
    headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip"}
    req = urllib.request.Request(server + ATTACK, body, headers)
    with urllib.request.urlopen(req, timeout=60) as r:
        assert r.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in r.headers["Vary"]
        packed = gzip.decompress(r.read())
    plain = request(server, ATTACK, attack_body(gallery_index, seed=1))[2]
    assert json.loads(packed)["runs"] == plain["runs"]


def test_push_toward_a_class(server, gallery_index):
    body = attack_body(gallery_index, mode="push", norm="L2", eps=4.0, steps=60, target=3, alpha=0.1)
    status, _, out = request(server, ATTACK, body)
    assert status == 200, out
    assert out["columns"] == 61 and all(r["trajectory"]["steps"][-1]["l2"] <= 4.0 + 1e-4 for r in out["runs"])


def test_an_integral_json_number_is_an_integer(server, gallery_index):
    """JSON has one number type and JSON Schema calls 3.0 an integer: the lab takes it as 3 (a string
    or a boolean is still refused, above)."""
    status, _, body = request(server, ATTACK, attack_body(gallery_index, steps=3.0, target=None, seed=7.0))
    assert status == 200, body
    assert body["params"]["steps"] == 3 and body["params"]["seed"] == 7


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({"eps": True}, "eps"),  # a boolean is not a number
        ({"eps": "0.03"}, "eps"),
        ({"steps": 3.5}, "steps"),
        ({"steps": True}, "steps"),
        ({"steps": 0}, "steps"),
        ({"steps": 51}, "steps 51"),
        ({"eps": 17 / 255}, "above the Linf limit"),
        ({"eps": -0.01}, "eps"),
        ({"norm": "L2", "eps": 2.5}, "above the L2 limit"),
        ({"norm": "L1"}, "norm"),
        ({"alpha": 1.0}, "alpha"),
        ({"target": 10}, "target"),
        ({"target": False}, "target"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**31}, "seed"),
        ({"random_start": 1}, "random_start"),
        ({"mode": "push", "norm": "L2", "eps": 1.0}, "target"),
        ({"mode": "push", "target": 3}, "norm 'L2'"),
        ({"mode": "push", "norm": "L2", "target": 3, "eps": 9.0}, "above the L2 limit"),
        ({"mode": "push", "norm": "L2", "target": 3, "eps": 1.0, "steps": 61}, "steps"),
        ({"source": {"test_index": -1}}, "test_index"),
        ({"source": {"test_index": 10_000}}, "less than or equal to 9999"),
        ({"source": {"test_index": "3"}}, "test_index"),
        ({"source": {}}, "test_index"),
        ({"typo": 1}, "typo"),
        ({"models": ["nosuch"]}, "not a shipped model"),
        ({"models": ["regular", "adv_eps1", "adv_eps2"]}, "models"),
        ({"models": []}, "models"),
        ({"models": ["regular", "regular"]}, "at most once"),
        ({"models": ["../x"]}, "models"),
    ],
)
def test_invalid_parameters_are_422_with_a_reason(server, gallery_index, changes, fragment):
    status, headers, body = request(server, ATTACK, attack_body(gallery_index, **changes))
    assert status == 422, body
    assert headers["content-type"] == "application/json"
    assert fragment in body["error"]["message"]


def test_missing_and_malformed_bodies(server, gallery_index):
    body = attack_body(gallery_index)
    del body["eps"]
    assert request(server, ATTACK, body)[0] == 422
    assert request(server, ATTACK, b"{not json")[0] == 422
    assert request(server, ATTACK, b"[]")[0] == 422
    assert request(server, ATTACK, b"")[0] == 422


def test_wrong_content_type_is_415(server, gallery_index):
    payload = json.dumps(attack_body(gallery_index)).encode()
    assert request(server, ATTACK, payload, "text/plain")[0] == 415
    assert request(server, ATTACK, payload, None)[0] == 415
    assert request(server, UPLOAD, payload)[0] == 415


def test_any_test_image_not_only_the_gallery(server):
    """The committed bundle holds all 10,000 test images; the lab attacks one far from the gallery
    with its true label, which the browser's page sheet agrees with."""
    status, _, testset = request(server, "/api/testset", content_type=None)
    assert status == 200 and testset["n_images"] == 10_000
    page = testset["pages"][-1]  # the last trucks: none of them is in the gallery
    index = page["test_indices"][-1]
    _, _, gallery = request(server, "/api/gallery", content_type=None)
    assert index not in {im["test_index"] for im in gallery["images"]}
    status, _, body = request(server, ATTACK, attack_body(index, steps=1))
    assert status == 200, body
    assert body["source"] == {"kind": "test", "test_index": index, "label": page["label"]}
    with urllib.request.urlopen(server + "/bundle/" + page["path"], timeout=10) as r:
        assert r.headers["Content-Type"] == "image/webp" and r.read()[:4] == b"RIFF"


def test_test_image_outside_a_partial_bundle_is_404(tiny_bundle):
    """A bundle made from a subset of the test set (the tiny preset's 100 images) refuses the rest."""
    with running_server("--bundle", str(tiny_bundle), env=OPEN) as base:
        assert request(base, "/api/lab", content_type=None)[2]["test_images"] == 100
        status, _, body = request(base, ATTACK, attack_body(100))
        assert status == 404 and "0..99 of 10000" in body["error"]["message"]
        # the missing image is named before an unknown model is: 404, then 422
        assert request(base, ATTACK, attack_body(100, models=["nope"]))[0] == 404
        assert request(base, ATTACK, attack_body(99, models=["nope"]))[0] == 422
        assert request(base, ATTACK, attack_body(99, steps=1))[0] == 200


def test_oversized_bodies_are_413_before_reading(server, gallery_index):
    big = json.dumps({**attack_body(gallery_index), "pad": "x" * 10_000}).encode()
    assert request(server, ATTACK, big)[0] == 413
    # declared huge, nothing sent: refused on the header alone, no hang
    host, port = urlsplit(server).hostname, urlsplit(server).port
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.putrequest("POST", ATTACK)
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(10**9))
    conn.endheaders()
    assert conn.getresponse().status == 413
    conn.close()
    # chunked, no Content-Length: refused on the header, before a chunk is sent (as the front does)
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.putrequest("POST", ATTACK)
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    assert conn.getresponse().status == 411
    conn.close()


def test_upload_png_and_jpeg(server):
    params = {"norm": "L2", "eps": 0.5, "steps": 2, "seed": 3}
    for fmt, ctype in (("PNG", "image/png"), ("JPEG", "image/jpeg")):
        status, _, body = upload(server, image_bytes(fmt), params, ctype)
        assert status == 200, body
        assert body["source"] == {"kind": "upload", "test_index": None, "label": None}
        assert body["figure_match"] is None
        assert body["params"]["seed"] == 3 and len(body["runs"]) == 2
        for run in body["runs"]:  # no label: each model is attacked away from its own clean prediction
            assert run["reference"] == run["trajectory"]["clean"]["pred"]


def test_upload_errors(server):
    params = {"eps": 0.01, "steps": 1}
    assert upload(server, b"GIF89a not allowed", params)[0] == 415
    assert upload(server, b"hello, I am text", params, "image/png")[0] == 415
    assert upload(server, image_bytes("PNG")[:60], params)[0] == 422  # truncated
    assert upload(server, b"", params)[0] == 422
    too_big = b"\x89PNG\r\n\x1a\n" + b"\0" * (256 * 1024)
    assert upload(server, too_big, params)[0] == 413
    bomb = image_bytes("PNG", size=(8000, 8000), mode="1")  # 64 M pixels in a few KB
    assert len(bomb) < 256 * 1024
    status, _, body = upload(server, bomb, params)
    assert status == 413 and "pixels" in body["error"]["message"]
    assert upload(server, image_bytes(), "{bad json")[0] == 422
    assert upload(server, image_bytes(), {"eps": True, "steps": 1})[0] == 422
    assert upload(server, image_bytes(), {**params, "source": {"test_index": 0}})[0] == 422
    body, ctype = multipart({"params": (None, "application/json", b'{"eps": 0.01, "steps": 1}')})
    assert request(server, UPLOAD, body, ctype)[0] == 422  # no image
    assert request(server, UPLOAD, b"--nothing", "multipart/form-data; boundary=zzz")[0] == 422
    huge = b"\x89PNG" + b"\0" * (400 * 1024)
    body, ctype = multipart({"image": ("x.png", "image/png", huge)})
    assert request(server, UPLOAD, body, ctype)[0] == 413


def test_openapi_documents_every_status(server):
    with urllib.request.urlopen(server + "/openapi.json", timeout=10) as r:
        paths = json.loads(r.read())["paths"]
    for path in (ATTACK, UPLOAD):
        declared = set(paths[path]["post"]["responses"])
        assert {"200", "403", "404", "413", "415", "422", "429", "503"} <= declared


@pytest.mark.parametrize("path", [UPLOAD, "/api/lab/inspect/upload"])
def test_an_upload_takes_exactly_the_fields_its_schema_names(server, path):
    with urllib.request.urlopen(server + "/openapi.json", timeout=10) as r:
        body = json.loads(r.read())["paths"][path]["post"]["requestBody"]
    schema = body["content"]["multipart/form-data"]["schema"]
    assert schema["additionalProperties"] is False and list(schema["properties"]) == ["image", "params"]
    image: tuple[str, Part] = ("image", ("x.png", "image/png", image_bytes()))
    raw = b'{"eps": 0.01, "steps": 1}' if path == UPLOAD else b"{}"
    params: tuple[str, Part] = ("params", (None, "application/json", raw))
    for fields, fragment in (
        ([image, params, ("note", (None, "text/plain", b"hi"))], "note: an upload takes only"),
        ([image, params, ("extra", ("y.png", "image/png", image_bytes()))], "extra: an upload takes only"),
        ([image, params, params], "params: sent 2 times"),
        ([image, image, params], "image: sent 2 times"),
    ):
        status, _, answer = request(server, path, *multipart(fields))
        assert status == 422 and fragment in answer["error"]["message"], answer
    assert request(server, path, *multipart([image, params]))[0] == 200


CROSS_SITE = [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is another party
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site", "Origin": "{server}"},  # Sec-Fetch-Site is the browser's word
]


@pytest.mark.parametrize("path", [ATTACK, UPLOAD, "/api/lab/inspect", "/api/lab/inspect/upload"])
@pytest.mark.parametrize("headers", CROSS_SITE)
def test_a_cross_site_lab_post_is_403(server, gallery_index, path, headers):
    headers = {k: v.format(server=server) for k, v in headers.items()}
    if path.endswith("/upload"):
        body, ctype = multipart({"image": ("x.png", "image/png", image_bytes())})
    else:
        body, ctype = json.dumps(attack_body(gallery_index)).encode(), "application/json"
    status, response_headers, answer = request(server, path, body, ctype, headers=headers)
    assert status == 403 and answer["error"]["status"] == 403, answer
    assert response_headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}, {"Origin": "{server}"}],
)
def test_a_same_origin_lab_post_or_one_without_either_header_runs(server, gallery_index, headers):
    """Browsers on the article's own page, and clients that are not browsers (curl, scripts)."""
    headers = {k: v.format(server=server) for k, v in headers.items()}
    status, _, answer = request(server, ATTACK, attack_body(gallery_index, steps=1), headers=headers)
    assert status == 200, answer


def test_full_queue_answers_503_with_retry_after_and_the_site_stays_up(gallery_index):
    env = {**OPEN, "TOUR_LAB_WORKERS": "1", "TOUR_LAB_QUEUE": "0"}
    body = attack_body(gallery_index, mode="push", norm="L2", eps=2.0, steps=60, target=1)
    with running_server(env=env) as base, ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: request(base, ATTACK, body), range(6)))
        statuses = sorted(r[0] for r in results)
        assert set(statuses) == {200, 503}, statuses
        for status, headers, out in results:
            if status == 503:
                assert int(headers["retry-after"]) >= 1 and "busy" in out["error"]["message"]
        assert request(base, "/healthz", content_type=None)[0] == 200
        assert request(base, ATTACK, attack_body(gallery_index))[0] == 200  # free again


def test_rate_limit_answers_429_with_retry_after(gallery_index):
    env = {"TOUR_LAB_PER_MINUTE": "1", "TOUR_LAB_BURST": "2"}
    with running_server(env=env) as base, ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: request(base, ATTACK, attack_body(gallery_index)), range(4)))
        statuses = sorted(r[0] for r in results)
        assert statuses == [200, 200, 429, 429], statuses
        limited = next(r for r in results if r[0] == 429)
        assert int(limited[1]["retry-after"]) >= 1
        assert (
            request(base, "/api/gallery", content_type=None)[0] == 200
        )  # the rest of the site is not limited


def test_bundle_without_weights_serves_and_says_the_lab_is_off(tmp_path, gallery_index):
    bundle = tmp_path / "bundle"
    shutil.copytree(BUNDLE, bundle)
    shutil.rmtree(bundle / "weights")
    run = json.loads((bundle / "run.json").read_text())
    run["weights"] = []
    (bundle / "run.json").write_text(json.dumps(run))
    (bundle / "manifest.json").unlink()
    write_manifest(bundle, run["preset"])
    with running_server("--bundle", str(bundle)) as base:
        status, _, body = request(base, "/api/lab", content_type=None)
        assert status == 200 and body["available"] is False and "no model weights" in body["reason"]
        status, _, body = request(base, ATTACK, attack_body(gallery_index))
        assert status == 503 and "lab is off" in body["error"]["message"]
        assert request(base, "/healthz", content_type=None)[0] == 200
