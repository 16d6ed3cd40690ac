"""HTTP as the RFCs ask, against the real uvicorn server: HEAD on GET routes, gzip;q=0 honoured,
relative redirects, exactly one Host, no-store where nothing may be cached, X-Forwarded-For ignored."""

from __future__ import annotations

import gzip
import json
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from server.protocol import METHODS, accepts_gzip, allowed
from tests.support import running_server


def raw(base: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (clients would fix the Host header) and read the whole answer."""
    head, _, body = exchange(base, request).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split(" ", 2)[1]), headers, body


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip", True),
        ("gzip;q=0", False),
        ("gzip; q=0.0, br", False),
        ("br, gzip;q=0.5", True),
        ("*", True),
        ("*;q=0", False),
        ("gzip;q=0, *", False),
        ("identity", False),
        ("", False),
        ("gzip;q=abc", False),
    ],
)
def test_accept_encoding_q_values(header, expected):
    assert accepts_gzip(header) is expected


@pytest.mark.parametrize("path", ["/", "/api/run", "/api/trajectories/0", "/healthz", "/api/lab"])
def test_head_answers_every_get_route_without_a_body(live_server, path):
    get = raw(live_server, f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
    head = raw(live_server, f"HEAD {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
    assert head[0] == get[0] == 200 and head[2] == b""
    assert head[1]["content-length"] == get[1]["content-length"] == str(len(get[2]))
    assert head[1]["content-type"] == get[1]["content-type"]
    assert "content-security-policy" in head[1]


def test_gzip_q0_gets_identity(live_server):
    request = urllib.request.Request(live_server + "/api/training", headers={"Accept-Encoding": "gzip;q=0"})
    with urllib.request.urlopen(request, timeout=10) as r:
        assert r.headers.get("Content-Encoding") is None
        json.loads(r.read())
    request = urllib.request.Request(live_server + "/api/training", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as r:
        assert r.headers["Content-Encoding"] == "gzip"
        json.loads(gzip.decompress(r.read()))


def test_redirects_are_relative_whatever_the_host_header(live_server):
    status, headers, _ = raw(
        live_server, b"GET /api/run/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
    )
    assert status in (301, 307, 308)
    assert headers["location"] == "/api/run" and "evil" not in headers["location"]


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
    ],
)
def test_a_request_without_one_host_is_400(live_server, request_bytes):
    status, headers, body = raw(live_server, request_bytes)
    assert status == 400 and headers["cache-control"] == "no-store"
    assert "content-security-policy" in headers
    assert json.loads(body)["error"]["status"] == 400


def test_errors_and_lab_results_are_not_stored(live_server):
    status, headers, _ = raw(live_server, b"GET /api/nosuch HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    assert status == 404 and headers["cache-control"] == "no-store"
    status, headers, _ = raw(live_server, b"GET /api/run HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    assert status == 200 and headers["cache-control"] != "no-store"  # bundle documents revalidate


def test_a_forged_x_forwarded_for_does_not_escape_the_rate_limit():
    """Without TOUR_TRUSTED_PROXY the header is ignored: a new forged address per request still hits 429."""
    env = {"TOUR_LAB_PER_MINUTE": "2", "TOUR_LAB_BURST": "2"}
    with running_server(env=env) as base:
        statuses = []
        for i in range(5):
            body = json.dumps(
                {"source": {"test_index": 0}, "norm": "Linf", "eps": 8 / 255, "steps": 1}
            ).encode()
            request = urllib.request.Request(
                base + "/api/lab/attack",
                body,
                {"Content-Type": "application/json", "X-Forwarded-For": f"203.0.113.{i}"},
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as r:
                    statuses.append(r.status)
            except urllib.error.HTTPError as e:
                statuses.append(e.code)
        assert statuses[:2] == [200, 200] and 429 in statuses[2:], statuses


def exchange(base: str, request: bytes) -> bytes:
    """Everything the server sends for `request` until it closes the connection (a socket left open
    fails the test on the timeout)."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data


UNANSWERED = [
    (method, path)
    for path in ("/", "/api/run", "/api/lab/attack")
    for method in ("TRACE", "PUT", "DELETE", "OPTIONS", "PATCH", "POST", "GET")
    if method not in allowed(path)
]


@pytest.mark.parametrize(("method", "path"), UNANSWERED)
def test_a_method_a_resource_does_not_answer_is_405_with_allow(live_server, method, path):
    status, headers, body = raw(
        live_server,
        f"{method} {path} HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode(),
    )
    assert status == 405 and headers["allow"] == ", ".join(allowed(path))
    assert json.loads(body)["error"]["status"] == 405 and headers["cache-control"] == "no-store"


def test_every_route_answers_the_methods_allowed_names(live_server):
    """The front's Allow and the app's come from `allowed`; here it is held to the app's routes."""
    with urllib.request.urlopen(live_server + "/openapi.json", timeout=10) as r:
        paths = json.loads(r.read())["paths"]
    for path, operations in paths.items():
        assert {m.upper() for m in operations} <= set(allowed(path)), path
    assert set(METHODS) == {"GET", "HEAD", "POST"}


@pytest.mark.parametrize("chunk_line_end", ["\r\n", "\n"])
def test_a_chunked_body_is_411_and_the_connection_closes(live_server, chunk_line_end):
    """Bodies come with a Content-Length, as the front requires (nginx's chunked parser is lenient)."""
    data = exchange(
        live_server,
        (
            "POST /api/lab/attack HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            f"Transfer-Encoding: chunked\r\n\r\n2{chunk_line_end}{{}}\r\n0\r\n\r\n"
            "GET /api/run HTTP/1.1\r\nHost: t\r\n\r\n"
        ).encode(),
    )
    assert data.count(b"HTTP/1.1 ") == 1, data[:2000]
    assert data.startswith(b"HTTP/1.1 4")  # 411; uvicorn itself refuses the bare LF with 400
