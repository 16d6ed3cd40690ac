"""The container's front for real: `python -m server.supervisor` starts Debian's nginx in front of uvicorn,
here with 2-second timeouts so stalled clients are seen to lose their sockets quickly.

Every test talks raw HTTP/1.1 over sockets, so what is checked is exactly what went over the wire.
Tests that count per-address limits connect from their own loopback address (127.0.0.2, ...), so
each starts with its own buckets whatever ran before it.

With TOUR_FRONT_PORT set, the tests run against a front already listening on that loopback port (the
image, started by scripts/container.sh with front_client.ENV and host networking), reading its log with the
command in TOUR_FRONT_LOGS (e.g. `podman logs NAME`).
"""

from __future__ import annotations

import json
import re
import socket
import time
from pathlib import Path

import pytest

from server.config import Settings
from server.lab.limits import LIMITS
from server.protocol import allowed
from server.security import HEADERS
from server.supervisor import render
from tests.deploy.front_client import NGINX, TIMEOUT, Front, Response, parse

pytestmark = pytest.mark.skipif(
    not Path(NGINX).exists(),
    reason="nginx is not installed (scripts/test.sh installs Debian's nginx-light with apt)",
)


def assert_front_error(r: Response, status: int) -> None:
    """nginx's own error: the app's JSON shape, no-store, and every security header, once."""
    assert r.status == status, (r.status, r.body)
    for name, value in HEADERS.items():
        assert r.one(name) == value
    assert r.one("Cache-Control") == "no-store"
    assert r.one("Content-Type") == "application/json"
    assert json.loads(r.body)["error"]["status"] == status


def test_template_fills_every_placeholder() -> None:
    text = render(
        Settings(), listen="0.0.0.0:8000", upstream="127.0.0.1:8001", run_dir=Path("/tmp/x"), access_log="off"
    )
    assert "@" not in text.replace("'self'", "")
    assert f"client_max_body_size {LIMITS.multipart_bytes_max};" in text  # the lab's own multipart limit
    for name in HEADERS:
        assert f"add_header {name} " in text and f"proxy_hide_header {name};" in text


def test_proxied_responses_carry_each_security_header_once(front: Front) -> None:
    page = front.get("/", headers="Accept-Encoding: gzip\r\n")
    assert page.status == 200 and page.one("Content-Encoding") == "gzip"
    for name, value in HEADERS.items():
        assert page.one(name) == value
    assert page.one("Cache-Control") == "no-cache"  # the app's own, not replaced by nginx's no-store
    html = front.get("/").body.decode()
    asset = front.get(re.search(r'"(/assets/[0-9a-f]{12}/[^"]+)"', html).group(1))
    assert asset.status == 200 and "immutable" in asset.one("Cache-Control")
    missing = front.get("/api/trajectories/99999")
    assert missing.status == 404 and missing.one("Cache-Control") == "no-store"


def test_idle_and_trickling_sockets_are_closed_while_readers_are_served(front: Front) -> None:
    """200 sockets that never send a byte and 8 that trickle a header one line every 0.3 s: nginx
    drops them all once the header timeout passes, and serves fresh readers in the meantime."""
    idle = [front.connect(timeout=0) for _ in range(200)]
    slow = [front.connect(timeout=0) for _ in range(8)]
    for s in slow:
        s.sendall(b"GET /api/training HTTP/1.1\r\nHost: tour\r\n")
    start = time.monotonic()
    closed_at: dict[socket.socket, float] = {}
    served = 0
    try:
        while len(closed_at) < len(idle) + len(slow) and time.monotonic() - start < TIMEOUT + 4:
            for s in idle + slow:
                if s in closed_at:
                    continue
                try:
                    if s in slow:
                        s.send(b"X-Trickle: a\r\n")
                    if s.recv(4096) == b"":
                        closed_at[s] = time.monotonic() - start
                except BlockingIOError:
                    pass
                except OSError:  # reset (reset_timedout_connection) or broken pipe
                    closed_at[s] = time.monotonic() - start
            if front.get("/api/training").status == 200:
                served += 1
            time.sleep(0.3)
    finally:
        for s in idle + slow:
            s.close()
    assert len([s for s in idle if s in closed_at]) == len(idle), "idle sockets still open"
    assert len([s for s in slow if s in closed_at]) == len(slow), "trickling sockets still open"
    assert max(closed_at.values()) < TIMEOUT + 2
    assert served >= 5  # readers were answered all along, every one of them


def test_an_oversized_header_is_431_with_the_security_headers(front: Front) -> None:
    one_long = front.get("/healthz", headers=f"X-Big: {'a' * 9000}\r\n")
    assert_front_error(one_long, 431)
    many = "".join(f"X-H{i}: {'a' * 7000}\r\n" for i in range(6))  # each line fits, the whole does not
    assert_front_error(front.get("/healthz", headers=many), 431)
    assert_front_error(front.get("/" + "a" * 9000), 414)


def test_a_body_over_the_limit_is_413_before_it_is_read(front: Front) -> None:
    head = (
        "POST /api/lab/attack/upload HTTP/1.1\r\nHost: tour\r\nConnection: close\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {LIMITS.multipart_bytes_max + 1}\r\n\r\n"
    )
    assert_front_error(front.exchange(head.encode()), 413)  # answered without waiting for the body


def test_nginx_own_errors_carry_the_security_headers(front: Front) -> None:
    assert_front_error(front.exchange(b"NOT HTTP AT ALL\r\n\r\n"), 400)
    assert_front_error(front.exchange(b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400)
    unknown_coding = b"POST /api/lab/attack HTTP/1.1\r\nHost: tour\r\nTransfer-Encoding: gzip\r\n\r\n"
    assert_front_error(front.exchange(unknown_coding), 501)
    assert_front_error(front.get("/_front/400"), 404)  # the error pages are not addressable


def test_requests_in_progress_per_address_are_limited(front: Front) -> None:
    """8 uploads whose bodies never come hold the address's 8 slots: the 9th request is 429, until
    the body timeout frees them."""
    source = "127.0.0.4"
    head = (
        b"POST /api/lab/attack HTTP/1.1\r\nHost: tour\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n"
    )
    held = [front.connect(source) for _ in range(8)]
    try:
        for s in held:
            s.sendall(head)
        time.sleep(0.3)
        assert_front_error(front.get("/healthz", source), 429)
        assert front.get("/healthz", "127.0.0.5").status == 200  # other addresses are not affected
        deadline = time.monotonic() + TIMEOUT + 3
        while front.get("/healthz", source).status != 200:
            assert time.monotonic() < deadline, "the stalled bodies were never timed out"
            time.sleep(0.3)
    finally:
        for s in held:
            s.close()


def attack(front: Front, source: str, forged: str, body: dict) -> socket.socket:
    data = json.dumps(body).encode()
    s = front.connect(source)
    s.sendall(
        b"POST /api/lab/attack HTTP/1.1\r\nHost: tour\r\nContent-Type: application/json\r\n"
        + f"X-Forwarded-For: {forged}\r\nContent-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode()
        + data
    )
    return s


def test_abandoned_attacks_are_stopped(front: Front) -> None:
    """Two long class pushes, one running and one queued, whose clients leave at once: nginx drops the
    upstream connections and the app stops both (the queued one before it starts)."""
    push = {"source": {"test_index": 0}, "mode": "push", "norm": "L2", "eps": 8.0, "steps": 60, "target": 3}
    sockets = [attack(front, "127.0.0.3", "10.0.0.1", push) for _ in range(2)]
    time.sleep(0.2)
    for s in sockets:
        s.close()
    deadline = time.monotonic() + 15
    while front.read_log().count("lab attack stopped") < 1:
        assert time.monotonic() < deadline, front.read_log()[-3000:]
        time.sleep(0.2)
    assert "its client left" in front.read_log()
    assert front.get("/healthz").status == 200


def test_a_forged_forwarded_for_does_not_escape_the_lab_rate_limit(front: Front) -> None:
    """nginx replaces X-Forwarded-For with the peer's address; the app believes it only from nginx."""
    statuses = []
    for i in range(8):
        # the wrong media type is refused after the rate limit has taken its token: no attack runs
        raw = (
            "POST /api/lab/attack HTTP/1.1\r\nHost: tour\r\nContent-Type: text/plain\r\n"
            f"X-Forwarded-For: 198.51.100.{i}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"
        )
        statuses.append(front.exchange(raw.encode(), "127.0.0.2").status)
    assert statuses[:3] == [415, 415, 415] and set(statuses[3:]) == {429}, statuses


def _front_allow(path: str) -> str:
    return ", ".join(allowed(path))


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PUT", "DELETE", "OPTIONS", "PROPFIND", "FOO"])
@pytest.mark.parametrize("path", ["/api/run", "/api/lab/attack"])
def test_an_unrouted_method_is_405_json_with_allow(front: Front, method: str, path: str) -> None:
    """nginx answers TRACE and CONNECT itself, before any location; every other method the app does
    not answer is stopped here too. All get the app's JSON shape and an Allow header (RFC 9110)."""
    r = front.exchange(f"{method} {path} HTTP/1.1\r\nHost: tour\r\n\r\n".encode())
    assert_front_error(r, 405)
    assert r.one("Allow") == _front_allow(path)
    assert r.one("Connection") == "close"


def test_the_apps_own_405_keeps_its_one_allow(front: Front) -> None:
    for method, path in (("POST", "/api/run"), ("GET", "/api/lab/attack")):
        body = "Content-Length: 0\r\n" if method == "POST" else ""
        r = front.exchange(f"{method} {path} HTTP/1.1\r\nHost: tour\r\n{body}\r\n".encode())
        assert r.status == 405 and r.one("Allow") == _front_allow(path)


def _pipelined(front: Front, method: str, chunk_line_end: str) -> bytes:
    """A chunked request with a GET pipelined after it; everything the front sends until it closes."""
    raw = (
        f"{method} /api/lab/attack HTTP/1.1\r\nHost: tour\r\nContent-Type: application/json\r\n"
        f"Transfer-Encoding: chunked\r\n\r\n2{chunk_line_end}ab\r\n0\r\n\r\n"
        "GET /api/run HTTP/1.1\r\nHost: tour\r\n\r\n"
    ).encode()
    with front.connect(timeout=TIMEOUT + 3) as s:
        s.sendall(raw)
        data = b""
        while chunk := s.recv(65536):  # a connection left open fails here, on the socket's timeout
            data += chunk
    return data


@pytest.mark.parametrize(("method", "chunk_line_end"), [("POST", "\n"), ("POST", "\r\n"), ("PUT", "\n")])
def test_a_chunked_body_is_411_and_nothing_after_it_is_answered(
    front: Front, method: str, chunk_line_end: str
) -> None:
    """nginx reads a chunk-size line ended by a bare LF (RFC 9112 7.1 asks for CRLF), so a chunked
    body is refused before it is read, and the connection closes: the GET behind it gets no answer."""
    data = _pipelined(front, method, chunk_line_end)
    assert data.count(b"HTTP/1.1 ") == 1, data[:2000]
    r = parse(data)
    assert_front_error(r, 411 if method == "POST" else 405)
    assert r.one("Connection") == "close"


def _lab_post(front: Front, path: str, headers: str, source: str) -> Response:
    """A lab POST whose body the app refuses (415) once the request is past the cross-site check."""
    return front.exchange(
        f"POST {path} HTTP/1.1\r\nHost: tour:8000\r\nContent-Type: text/plain\r\n{headers}"
        "Content-Length: 2\r\nConnection: close\r\n\r\nhi".encode(),
        source,
    )


@pytest.mark.parametrize("path", ["/api/lab/attack", "/api/lab/attack/upload", "/api/lab/inspect/upload"])
@pytest.mark.parametrize(
    "headers",
    [
        "Sec-Fetch-Site: cross-site\r\n",
        "Sec-Fetch-Site: same-site\r\n",
        "Origin: http://evil.example\r\n",
        "Origin: https://tour:8000\r\n",  # another scheme
        "Origin: http://tour\r\n",  # another port
        "Origin: null\r\n",
        "Sec-Fetch-Site: cross-site\r\nOrigin: http://tour:8000\r\n",
    ],
)
def test_a_cross_site_lab_post_is_403(front: Front, path: str, headers: str) -> None:
    r = _lab_post(front, path, headers, "127.0.0.6")
    assert r.status == 403 and json.loads(r.body)["error"]["status"] == 403, r.body
    assert r.one("Cache-Control") == "no-store"


@pytest.mark.parametrize(
    "headers",
    ["", "Sec-Fetch-Site: same-origin\r\n", "Sec-Fetch-Site: none\r\n", "Origin: http://tour:8000\r\n"],
)
def test_a_same_origin_lab_post_or_one_without_either_header_passes(front: Front, headers: str) -> None:
    """Past the check, the app's next one answers: 415 for the wrong media type (or 429, its limit).
    nginx passes the Host with its port, so the app knows its own origin."""
    assert _lab_post(front, "/api/lab/attack", headers, "127.0.0.7").status in (415, 429)


def test_behind_a_balancer_the_app_is_told_its_scheme() -> None:
    """The app's own origin (cross-site check) must be https when a load balancer terminates TLS."""
    alone, behind = (
        render(Settings(front_real_ip_from=ip), listen="x", upstream="y", run_dir=Path("/"), access_log="")
        for ip in (None, "10.0.0.0/8")
    )
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in alone
    assert "proxy_set_header X-Forwarded-Proto $front_balancer_proto;" in behind
