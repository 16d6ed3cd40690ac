"""The front's cost: wrk against the article's JSON, straight to uvicorn and through nginx (the supervisor).

Both servers run side by side on loopback over the same bundle: `python -m server` as shipped before
the front (its access log on), and `python -m server.supervisor` as the image runs it (nginx's access log
on, uvicorn's off), with the front's per-address limits lifted, because wrk is one address and would
otherwise measure the rate limit (`TOUR_FRONT_RATE`, `_BURST`, `_CONNECTIONS`). Routes alternate
between the two, so a load change on a shared machine hits both alike. Writes the "Through the front"
section of BENCHMARKS.md. Run: `python -m bench.front [--bundle DIR] [--seconds 10] [--connections 16]`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.wrk import REPO, Result, Server, machine, record, run_wrk
from server.supervisor import free_port

ROUTES = ["/api/run", "/api/training", "/api/trajectories", "/api/trajectories/0", "/healthz"]
LIFTED = {"TOUR_FRONT_RATE": "1000000", "TOUR_FRONT_BURST": "1000000", "TOUR_FRONT_CONNECTIONS": "60000"}


class Front:
    """`python -m server.supervisor` on free loopback ports, nginx's access log to /dev/null."""

    def __init__(self, bundle: Path | None) -> None:
        port = free_port()
        args = [sys.executable, "-m", "server.supervisor", "--host", "127.0.0.1", "--port", str(port)]
        args += ["--upstream-port", str(free_port()), "--access-log", os.devnull]
        args += ["--bundle", str(bundle)] if bundle else []
        self.base = f"http://127.0.0.1:{port}"
        self.log = open(os.devnull, "w")  # noqa: SIM115 - closed in __exit__
        env = {**os.environ, **LIFTED}
        self.proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def __enter__(self) -> Front:
        deadline = time.monotonic() + 90
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"the front exited with {self.proc.returncode}; run it by hand to see why")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1) as r:
                    json.loads(r.read())
                    assert r.headers["Server"] == "nginx", "not answered by nginx"
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the front did not answer /healthz within 90 s") from None
                time.sleep(0.2)

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


def rows(pairs: list[tuple[Result, Result]]) -> str:
    out = [
        "| route | direct req/s | front req/s | direct p99 (ms) | front p99 (ms) | errors (direct/front) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for d, f in pairs:
        out.append(
            f"| `{d.route}` | {d.rps:,.0f} | {f.rps:,.0f} | {d.p99_ms:.2f} | {f.p99_ms:.2f} "
            f"| {d.errors}/{f.errors} |"
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bundle", type=Path, help="bundle directory (default: the committed one)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--no-record", action="store_true", help="print the table, leave BENCHMARKS.md alone")
    args = parser.parse_args()
    conditions = machine()
    pairs = []
    with Server(args.bundle) as direct, Front(args.bundle) as front:
        for route in ROUTES:
            d = run_wrk(direct.base, route, args.seconds, args.connections)
            f = run_wrk(front.base, route, args.seconds, args.connections)
            pairs.append((d, f))
            print(rows(pairs[-1:]).splitlines()[-1], flush=True)
        described = direct.describe()
    if args.no_record:
        return
    record(
        "Through the front",
        f"`python -m bench.front`: {args.seconds} s of wrk per route and server, {args.connections} "
        "connections, `Accept-Encoding: gzip`; *direct* is uvicorn alone (access log on), *front* is nginx "
        "in front of it as the image runs them (nginx's access log on, uvicorn's off, the per-address "
        f"limits lifted for wrk's one address).\n{conditions}. {described}\n\n{rows(pairs)}",
    )


if __name__ == "__main__":
    main()
