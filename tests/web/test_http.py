"""The real server (uvicorn in a subprocess) over HTTP: routes, bad input, traversal, refusing bad bundles."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support import REPO, free_port

API = ["run", "training", "gallery", "testset", "epoch-probs", "trajectories", "sweep", "evaluation"]


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def raw_get(base: str, target: str) -> tuple[int, bytes]:
    """Send the request target byte for byte (clients would normalize ../ away)."""
    host, port = urlsplit(base).hostname, urlsplit(base).port
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def assert_json_error(status: int, headers: dict[str, str], body: bytes, expected: int) -> None:
    assert status == expected, body[:200]
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["error"]["status"] == expected


@pytest.mark.parametrize("name", API)
def test_api_route(live_server: str, name: str) -> None:
    status, headers, body = get(f"{live_server}/api/{name}")
    assert status == 200 and headers["content-type"] == "application/json"
    assert json.loads(body)


def test_trajectory_routes(live_server: str) -> None:
    _, _, gallery = get(f"{live_server}/api/gallery")
    n = len(json.loads(gallery)["images"])
    for position in (0, n - 1):
        status, headers, body = get(f"{live_server}/api/trajectories/{position}")
        assert status == 200 and headers["content-type"] == "application/json"
        assert json.loads(body)["image"]["position"] == position
    assert_json_error(*get(f"{live_server}/api/trajectories/{n}"), 404)


def test_health_page_and_openapi(live_server: str) -> None:
    status, headers, body = get(f"{live_server}/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"
    status, headers, _ = get(f"{live_server}/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    status, headers, body = get(f"{live_server}/openapi.json")
    assert status == 200 and "/api/trajectories/{position}" in json.loads(body)["paths"]
    for docs in ("/docs", "/redoc"):
        assert_json_error(*get(live_server + docs), 404)


@pytest.mark.parametrize(
    "raw", ["abc", "-1", "1e3", "1.5", "true", "null", "%20", "0x10", "99999999999999999999", "%00"]
)
def test_malformed_position_is_422(live_server: str, raw: str) -> None:
    assert_json_error(*get(f"{live_server}/api/trajectories/{raw}"), 422)


@pytest.mark.parametrize("path", ["/nope", "/api", "/api/", "/api/nope", "/api/trajectories/1/2", "/assets/"])
def test_unknown_route_is_404_json(live_server: str, path: str) -> None:
    assert_json_error(*get(live_server + path), 404)


def test_odd_queries_and_methods_are_never_500(live_server: str) -> None:
    for query in ("?position=true", "?%zz=1", "?a=" + "x" * 4000, "?&&&=="):
        status, _, _ = get(f"{live_server}/api/sweep{query}")
        assert status == 200
    request = urllib.request.Request(f"{live_server}/api/sweep", method="DELETE")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=10)
    assert info.value.code == 405


@pytest.mark.parametrize(
    "target",
    [
        "/assets/{version}/..%2f..%2fpyproject.toml",
        "/assets/{version}/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/assets/{version}/%252e%252e/%252e%252e/pyproject.toml",
        "/assets/{version}//etc/passwd",
        "/assets/{version}/js/../../../server/main.py",
        "/assets/{version}/..\\..\\pyproject.toml",
        "/assets/..%2f..%2fpyproject.toml",
        "/assets/{version}/../../pyproject.toml",
        "/assets/{version}/%2e%2e/%2e%2e/pyproject.toml",
        "/bundle/../pyproject.toml",
        "/bundle/%2e%2e/%2e%2e/pyproject.toml",
        "/bundle//etc/passwd",
        "/bundle/images/..%2f..%2f..%2fpyproject.toml",
    ],
)
def test_no_path_escapes_its_folder(live_server: str, target: str) -> None:
    _, _, page = get(live_server + "/")
    version = page.decode().split("/assets/", 1)[1].split("/", 1)[0]
    status, body = raw_get(live_server, target.format(version=version))
    assert status in (400, 404), (target, status)
    assert b"[project]" not in body and b"root:" not in body and b"create_app" not in body


def damaged_copy(tiny_bundle: Path, tmp_path: Path, how: str) -> Path:
    root = Path(shutil.copytree(tiny_bundle, tmp_path / "bundle"))
    if how == "altered byte":
        data = bytearray((root / "training.json").read_bytes())
        data[10] ^= 0x20
        (root / "training.json").write_bytes(bytes(data))
    elif how == "missing file":
        (root / "evaluation.json").unlink()
    else:
        (root / "manifest.json").unlink()
    return root


def start_server(bundle: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m server` on `bundle`, expected to refuse and exit at once."""
    return subprocess.run(
        [sys.executable, "-m", "server", "--port", str(free_port()), "--bundle", str(bundle)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("altered byte", "bundle file altered (sha256 mismatch): training.json"),
        ("missing file", "bundle file missing: evaluation.json"),
        ("no manifest", "no manifest.json in"),
    ],
)
def test_refuses_to_start_on_a_damaged_bundle(
    tiny_bundle: Path, tmp_path: Path, how: str, reason: str
) -> None:
    proc = start_server(damaged_copy(tiny_bundle, tmp_path, how))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot serve: ") and reason in lines[0]
    assert "Traceback" not in proc.stderr + proc.stdout


@pytest.mark.parametrize("setting", ["TOUR_LAB_PER_MINUTE=0", "TOUR_LAB_WORKERS=two", "TOUR_LAB_QUEUE=-1"])
def test_refuses_to_start_on_a_lab_setting_out_of_range(tiny_bundle: Path, setting: str) -> None:
    name, value = setting.split("=")
    proc = start_server(tiny_bundle, {name: value})
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        == f"error: cannot serve: {name} must be a whole number of at least "
        + ("0" if name == "TOUR_LAB_QUEUE" else "1")
        + f", not {value!r}"
    )


def test_sigterm_with_an_idle_keep_alive_connection_exits_cleanly(tiny_bundle: Path) -> None:
    """The graceful-shutdown timeout bounds how long an open connection can hold the process."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "--port", str(port), "--bundle", str(tiny_bundle)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=1)
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
        with conn:
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert b" 200 " in conn.recv(65536)
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            # uvicorn shuts down, then re-raises the signal: exit status -SIGTERM after a clean stop.
            assert proc.wait(timeout=15) in (0, -signal.SIGTERM)
            assert time.monotonic() - started < 12
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = proc.stderr.read()
    assert "Shutting down" in log and "Finished server process" in log
