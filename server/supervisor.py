"""`python -m server.supervisor`: the container's entry point, nginx in front of one uvicorn process.

It fills in deploy/nginx.conf from Settings (the TOUR_FRONT_* knobs) and server/security.py, writes
it to a fresh folder under $TMPDIR (/tmp), starts `python -m server` on a loopback port with
TOUR_TRUSTED_PROXY=127.0.0.1, waits until it answers, then starts nginx on the public port. If either
process exits, the other is stopped and the supervisor exits 1, so the container stops and its
restart policy takes over; SIGTERM or SIGINT stops both gracefully (nginx finishes what it is sending,
uvicorn gives in-flight requests 10 s) and exits 0. It needs nothing beyond the standard library and
Debian's nginx, and imports nothing heavy: the app itself runs in the child process.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

from server.config import Settings, SettingsError
from server.lab.limits import LIMITS
from server.protocol import METHODS, READ_METHODS, RUN_METHODS, RUNS_PREFIX
from server.security import HEADERS

log = logging.getLogger("server.supervisor")

UPSTREAM_HOST = "127.0.0.1"
STARTUP_SECONDS = 120  # the app verifies the bundle and loads the models before it listens
STOP_SECONDS = 15  # uvicorn's 10 s of graceful shutdown, and some


def template(settings: Settings) -> Path:
    return settings.root / "deploy" / "nginx.conf"


def _header_lines(directive: str, headers: Mapping[str, str]) -> list[str]:
    if directive == "add_header":
        return [f'add_header {name} "{value}" always;' for name, value in headers.items()]
    return [f"proxy_hide_header {name};" for name in headers]


def render(
    settings: Settings, *, listen: str, upstream: str, run_dir: Path, access_log: str, text: str | None = None
) -> str:
    """The finished nginx.conf. Every @NAME@ of the template must be filled, or this raises."""
    text = template(settings).read_text() if text is None else text
    real_ip = (
        f"set_real_ip_from {settings.front_real_ip_from}; real_ip_header X-Forwarded-For; "
        "real_ip_recursive on;"
        if settings.front_real_ip_from
        else "# no load balancer in front (TOUR_FRONT_REAL_IP_FROM unset): the peer is the client"
    )
    values: dict[str, str | list[str]] = {
        "RUN_DIR": str(run_dir),
        "ACCESS_LOG": access_log,
        "LISTEN": listen,
        "UPSTREAM": upstream,
        "HEADER_TIMEOUT": str(settings.front_header_timeout),
        "BODY_TIMEOUT": str(settings.front_body_timeout),
        "SEND_TIMEOUT": str(settings.front_send_timeout),
        "KEEPALIVE_TIMEOUT": str(settings.front_keepalive_timeout),
        "MAX_BODY_BYTES": str(LIMITS.multipart_bytes_max),
        "CONNECTIONS": str(settings.front_connections),
        "RATE": str(settings.front_rate),
        "BURST": str(settings.front_burst),
        "UPSTREAM_TIMEOUT": str(settings.lab_timeout + 10),
        "REAL_IP": real_ip,
        "METHODS_RE": "|".join(METHODS),
        "READ_METHODS": ", ".join(READ_METHODS),
        "RUN_METHODS": ", ".join(RUN_METHODS),
        "RUNS_PREFIX_RE": re.escape(RUNS_PREFIX),
        # a balancer's scheme is believed only when one is configured; without one it is the client's
        "FORWARDED_PROTO": "$front_balancer_proto" if settings.front_real_ip_from else "$scheme",
        "SECURITY_HEADERS": _header_lines("add_header", HEADERS),
        "HIDE_SECURITY_HEADERS": _header_lines("proxy_hide_header", HEADERS),
    }

    def fill(match: re.Match[str]) -> str:
        indent, name = match.group(1), match.group(2)
        if name not in values:
            raise ValueError(f"{template(settings)}: no value for @{name}@")
        value = values[name]
        if isinstance(value, list):
            return "\n".join(indent + line for line in value)
        return indent + value

    # a placeholder alone on its line may become several lines, each with that line's indent
    out = re.sub(r"(?m)^([ \t]*)@([A-Z_]+)@(?=[ \t]*$)", fill, text)
    out = re.sub(r"()@([A-Z_]+)@", fill, out)
    return out


def free_port(host: str = UPSTREAM_HOST) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    try:
        with socket.create_connection((UPSTREAM_HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def _relay(fd: int) -> None:
    """Copy nginx's stdout (its access log) to ours until nginx closes it."""
    with open(fd, "rb", buffering=0) as source:
        for line in source:
            sys.stdout.buffer.write(line)
            sys.stdout.buffer.flush()


def _stop(proc: subprocess.Popen[bytes], sig: int) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)


def _wait_all(procs: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + STOP_SECONDS
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class _Stopped(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.supervisor", description=__doc__)
    parser.add_argument("--host", default="0.0.0.0", help="nginx's address (default: all)")
    parser.add_argument("--port", type=int, default=8000, help="nginx's port (default: 8000)")
    parser.add_argument("--upstream-port", type=int, default=8001, help="uvicorn's loopback port")
    parser.add_argument("--bundle", type=Path, help="bundle directory (default: data/bundle)")
    parser.add_argument("--access-log", default="/dev/stdout", help="nginx's access log (default: stdout)")
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx", help="nginx binary")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     front: %(message)s", stream=sys.stderr)
    try:
        settings = Settings.from_env()
    except SettingsError as e:
        print(f"error: cannot serve: {e}", file=sys.stderr)
        return 2
    if not Path(args.nginx).exists():
        print(f"error: cannot serve: nginx not found at {args.nginx}", file=sys.stderr)
        return 2

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise _Stopped

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        run_dir = Path(tempfile.mkdtemp(prefix="tour-front-"))
    except OSError as e:
        print(f"error: cannot serve: no writable /tmp for nginx ({e}); add --tmpfs /tmp", file=sys.stderr)
        return 2
    run_dir.chmod(0o755)  # started as root (never in the image), nginx's workers run as nobody
    host = f"[{args.host}]" if ":" in args.host else args.host
    conf = run_dir / "nginx.conf"
    conf.write_text(
        render(
            settings,
            listen=f"{host}:{args.port}",
            upstream=f"{UPSTREAM_HOST}:{args.upstream_port}",
            run_dir=run_dir,
            access_log=args.access_log,
        )
    )
    app_cmd = [sys.executable, "-m", "server", "--host", UPSTREAM_HOST, "--port", str(args.upstream_port)]
    app_cmd += ["--no-access-log", *(["--bundle", str(args.bundle)] if args.bundle else [])]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        app = subprocess.Popen(app_cmd, env={**os.environ, "TOUR_TRUSTED_PROXY": UPSTREAM_HOST})
        procs.append(app)
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _listening(args.upstream_port):
            if app.poll() is not None:
                log.error("the app exited with %d before it listened", app.returncode)
                return 1 if app.returncode == 0 else app.returncode
            if time.monotonic() > deadline:
                log.error("the app did not listen within %d s", STARTUP_SECONDS)
                return 1
            time.sleep(0.2)
        # nginx opens its access log by name, and /dev/stdout is reopened through /proc: a pipe the
        # container engine made (owned by root, mode 0600) refuses the image's user, so nginx writes
        # to a pipe of ours instead, and a thread passes each line on to our stdout.
        read_end, write_end = os.pipe()
        nginx_cmd = [args.nginx, "-e", "stderr", "-p", str(run_dir), "-c", str(conf)]
        nginx = subprocess.Popen(nginx_cmd, stdout=write_end)
        os.close(write_end)
        threading.Thread(target=_relay, args=(read_end,), name="nginx-stdout", daemon=True).start()
        procs.append(nginx)
        log.info(
            "nginx on %s:%d in front of uvicorn on %s:%d", host, args.port, UPSTREAM_HOST, args.upstream_port
        )
        while True:
            for name, proc in (("uvicorn", app), ("nginx", nginx)):
                if proc.poll() is not None:
                    log.error("%s exited with %d; stopping the other", name, proc.returncode)
                    return 1
            time.sleep(0.5)
    except _Stopped:
        log.info("stopping nginx and uvicorn")
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # nginx first (SIGQUIT: finish what it is sending), then uvicorn drains its in-flight requests
        for proc, sig in reversed(list(zip(procs, (signal.SIGTERM, signal.SIGQUIT), strict=False))):
            _stop(proc, sig)
        _wait_all(list(reversed(procs)))
        shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
