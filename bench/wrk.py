"""Shared by the HTTP benchmarks: run the real server on loopback, drive it with wrk, write a table.

wrk's own Lua hook reports exact percentiles and every error kind (connect, read, write, timeout,
non-2xx/3xx status), so nothing is scraped from its human-readable output.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO / "BENCHMARKS.md"
REPORT_LUA = Path(__file__).with_name("report.lua")


@dataclass(frozen=True)
class Result:
    route: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    kb_per_response: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


class Server:
    """`python -m server` on a free loopback port, one uvicorn worker, access log on as shipped."""

    def __init__(self, bundle: Path | None) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        args = [sys.executable, "-m", "server", "--port", str(port)]
        if bundle:
            args += ["--bundle", str(bundle)]
        self.base = f"http://127.0.0.1:{port}"
        self.bundle = bundle or REPO / "data" / "bundle"
        self.preset = "?"
        self.log = open(os.devnull, "w")  # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen(args, cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT)

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited with {self.proc.returncode}; run it by hand to see why")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1) as r:
                    self.preset = json.loads(r.read())["preset"]
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("server did not answer /healthz within 60 s") from None
                time.sleep(0.2)

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()

    def describe(self) -> str:
        shown = self.bundle.resolve()
        shown = shown.relative_to(REPO) if shown.is_relative_to(REPO) else shown
        return f"Bundle: `{shown}` ({self.preset} preset)"

    def linked_assets(self) -> list[str]:
        """The versioned /assets/ URLs the article page links, in page order."""
        page = urllib.request.urlopen(self.base + "/", timeout=10).read().decode()
        return list(dict.fromkeys(re.findall(r'"(/assets/[0-9a-f]{12}/[^"]+)"', page)))


def run_wrk(base: str, route: str, seconds: int, connections: int) -> Result:
    """One bounded wrk run against one route; browsers' Accept-Encoding, one wrk thread."""
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-H",
            "Accept-Encoding: gzip",
            "-s",
            str(REPORT_LUA),
            base + route,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    r = json.loads(out.strip().splitlines()[-1])
    errors = r["connect"] + r["read"] + r["write"] + r["timeout"] + r["status"]
    return Result(
        route=route,
        requests=r["requests"],
        seconds=r["duration_us"] / 1e6,
        p50_ms=r["p50_us"] / 1000,
        p99_ms=r["p99_us"] / 1000,
        errors=errors,
        kb_per_response=r["bytes"] / max(r["requests"], 1) / 1024,
    )


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else cpu
    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, uvicorn {uvicorn.__version__}, "
        f"one worker; wrk on the same machine over loopback; load average {os.getloadavg()[0]:.1f} "
        f"at the start, niceness {os.nice(0)}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def table(results: list[Result]) -> str:
    rows = [
        "| route | req/s | p50 (ms) | p99 (ms) | errors | KiB/response |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        rows.append(
            f"| `{r.route}` | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors} "
            f"| {r.kb_per_response:.1f} |"
        )
    return "\n".join(rows)


def record(section: str, body: str) -> None:
    """Replace (or append) the `## section` of BENCHMARKS.md, leaving other sections untouched."""
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n"
    block = f"## {section}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(section)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: block + "\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + block
    BENCHMARKS.write_text(text)


def measure(
    doc: str, seconds: int, connections: int, routes: Callable[[Server], list[str]]
) -> tuple[argparse.Namespace, str, list[Result]]:
    """Parse the shared options, run wrk on every route of a fresh server; print rows as they come.

    Returns the options, the conditions line for BENCHMARKS.md and the results.
    """
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--bundle", type=Path, help="bundle directory (default: the committed one)")
    parser.add_argument("--seconds", type=int, default=seconds)
    parser.add_argument("--connections", type=int, default=connections)
    args = parser.parse_args()
    conditions = machine()
    with Server(args.bundle) as server:
        results = []
        for route in routes(server):
            results.append(run_wrk(server.base, route, args.seconds, args.connections))
            print(table(results[-1:]).splitlines()[-1], flush=True)
    return args, f"{conditions}. {server.describe()}", results
