"""Routes against the app in-process: bodies, status codes, caching, compression, security headers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.config import Settings
from server.main import create_app
from server.protocol import allowed
from server.security import HEADERS
from tour import schema

DOCUMENTS = [schema.api_name(f) for f in schema.JSON_FILES]  # every document the bundle has
MALFORMED_POSITIONS = [
    "abc",
    "-1",
    "1e3",
    "1.0",
    "true",
    "+1",
    "01",
    "%201",
    "0x1",
    "1_0",
    "100001",
    "9" * 5000,
]


@pytest.fixture(scope="module")
def app(tiny_bundle: Path):
    app = create_app(Settings(bundle_dir=tiny_bundle))

    @app.get("/test-crash", include_in_schema=False)
    def crash() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    return app


@pytest.fixture(scope="module")
def client(app) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def assert_error(response, status: int) -> str:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    assert "Traceback" not in response.text
    return body["error"]["message"]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_document_is_the_bundle_file(client, tiny_bundle: Path, name: str) -> None:
    r = client.get(f"/api/{name}", headers={"accept-encoding": "identity"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.content == (tiny_bundle / f"{name.replace('-', '_')}.json").read_bytes()


def test_every_trajectory_position(client, tiny_bundle: Path) -> None:
    n = len(json.loads((tiny_bundle / "gallery.json").read_bytes())["images"])
    for position in range(n):
        r = client.get(f"/api/trajectories/{position}")
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        assert r.json()["image"]["position"] == position
    assert f"the gallery has {n}" in assert_error(client.get(f"/api/trajectories/{n}"), 404)


@pytest.mark.parametrize("raw", MALFORMED_POSITIONS)
def test_malformed_position_is_422(client, raw: str) -> None:
    assert "position" in assert_error(client.get(f"/api/trajectories/{raw}"), 422)


def test_unknown_route_and_method(client) -> None:
    assert_error(client.get("/api/nope"), 404)
    assert_error(client.get("/nope.php"), 404)
    r = client.post("/api/training")
    assert_error(r, 405)
    assert r.headers["allow"] == ", ".join(allowed("/api/training"))


def test_crash_is_a_bare_500(client) -> None:
    r = client.get("/test-crash")
    message = assert_error(r, 500)
    assert "secret" not in r.text and "passwd" not in message
    assert all(r.headers[k] == v for k, v in HEADERS.items())


def test_bundle_files(client, tiny_bundle: Path) -> None:
    manifest = json.loads((tiny_bundle / "manifest.json").read_bytes())
    for entry in manifest["files"]:
        r = client.get(f"/bundle/{entry['path']}", headers={"accept-encoding": "identity"})
        assert r.status_code == 200, entry["path"]
        assert r.content == (tiny_bundle / entry["path"]).read_bytes()
    assert_error(client.get("/bundle/manifest.json.bak"), 404)
    assert_error(client.get("/bundle/%2e%2e/pyproject.toml"), 404)


def test_json_revalidates_with_etag(client) -> None:
    r = client.get("/api/sweep", headers={"accept-encoding": "identity"})
    assert r.headers["cache-control"] == "no-cache"
    etag = r.headers["etag"]
    again = client.get("/api/sweep", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"].startswith(etag[:-1])
    assert client.get("/api/sweep", headers={"if-none-match": '"stale"'}).status_code == 200


def test_gzip_when_accepted(client) -> None:
    plain = client.get("/api/training", headers={"accept-encoding": "identity"})
    r = client.get("/api/training", headers={"accept-encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and "Accept-Encoding" in r.headers["vary"]
    assert r.content == plain.content  # the client decoded it
    assert r.headers["etag"] != plain.headers["etag"]  # each encoding has its own strong ETag


def test_page_is_revalidated_and_compressed(client) -> None:
    r = client.get("/", headers={"accept-encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-cache" and r.headers["content-encoding"] == "gzip"
    cached = client.get("/", headers={"accept-encoding": "gzip"})  # the page's gzip, kept by ETag
    plain = client.get("/", headers={"accept-encoding": "identity"})
    assert r.text == cached.text == plain.text and "content-encoding" not in plain.headers
    again = client.get("/", headers={"if-none-match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_page_links_only_versioned_assets(client) -> None:
    html = client.get("/").text
    links = re.findall(r'(?:src|href)="(/[^"]*)"', html)
    assets = [u for u in links if u.startswith("/assets/")]
    assert assets, "the page links no assets"
    assert not [u for u in links if u.startswith("/static/")]
    for url in assets:
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_static_versions(client, app) -> None:
    tree = app.state.static
    path = next(iter(tree.files))
    assert_error(client.get(f"/static/{path}"), 404)  # only versioned URLs exist
    assert client.get(tree.url(path)).status_code == 200
    assert_error(client.get(f"/assets/000000000000/{path}"), 404)
    assert_error(client.get(f"/assets/{tree.version}/nope.js"), 404)


@pytest.mark.parametrize(
    "url",
    ["/", "/api/run", "/api/trajectories/0", "/api/trajectories/x", "/healthz", "/nope", "/openapi.json"],
)
def test_security_headers_everywhere(client, app, url: str) -> None:
    r = client.get(url)
    assert {k: r.headers.get(k) for k in HEADERS} == HEADERS
    static = client.get(app.state.static.url(next(iter(app.state.static.files))))
    assert {k: static.headers.get(k) for k in HEADERS} == HEADERS


def test_csp_names_no_other_origin() -> None:
    csp = HEADERS["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "unsafe" not in csp
    assert not re.search(r"https?:|\*", csp)
