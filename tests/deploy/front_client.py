"""A front under test, spoken to in raw HTTP/1.1 over sockets: what is checked is exactly what went
over the wire. `ENV` is the front's configuration for the tests (scripts/container.sh starts the
image with it too)."""

from __future__ import annotations

import contextlib
import shlex
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

FRONT = [sys.executable, "-m", "server.supervisor", "--host", "127.0.0.1", "--nginx", NGINX]
TIMEOUT = 2  # every client timeout of the front under test, in seconds
ENV = {
    "TOUR_FRONT_HEADER_TIMEOUT": str(TIMEOUT),
    "TOUR_FRONT_BODY_TIMEOUT": str(TIMEOUT),
    "TOUR_FRONT_SEND_TIMEOUT": str(TIMEOUT),
    "TOUR_FRONT_KEEPALIVE_TIMEOUT": str(TIMEOUT),
    "TOUR_FRONT_CONNECTIONS": "8",
    "TOUR_FRONT_RATE": "1000",
    "TOUR_FRONT_BURST": "1000",
    "TOUR_LAB_PER_MINUTE": "2",
    "TOUR_LAB_BURST": "3",
}


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def one(self, name: str) -> str:
        values = self.headers.get(name.lower(), [])
        assert len(values) == 1, f"{name}: {values}"
        return values[0]


def parse(raw: bytes) -> Response:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return Response(int(lines[0].split()[1]), headers, body)


@dataclass
class Front:
    port: int
    read_log: Callable[[], str]

    def connect(self, source: str = "127.0.0.1", timeout: float = 10) -> socket.socket:
        s = socket.socket()
        s.bind((source, 0))
        s.settimeout(10)
        s.connect(("127.0.0.1", self.port))
        s.settimeout(timeout)  # 0: non-blocking
        return s

    def exchange(self, raw: bytes, source: str = "127.0.0.1") -> Response:
        """Send `raw` on a fresh connection; read one response (to its Content-Length, or to the close)."""
        with self.connect(source) as s:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                s.sendall(raw)
            data = b""
            with contextlib.suppress(ConnectionResetError):
                while chunk := s.recv(65536):
                    data += chunk
                    if b"\r\n\r\n" in data:
                        r = parse(data)
                        if "content-length" in r.headers and len(r.body) >= int(r.one("Content-Length")):
                            break
        return parse(data)

    def get(self, path: str, source: str = "127.0.0.1", headers: str = "") -> Response:
        return self.exchange(
            f"GET {path} HTTP/1.1\r\nHost: tour\r\n{headers}Connection: close\r\n\r\n".encode(), source
        )


def command_output(command: str) -> str:
    out = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=30)
    return out.stdout + out.stderr
