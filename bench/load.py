"""Load: 30 s of wrk per route with 64 connections against pages, JSON, bundle images and static
files, one uvicorn worker on loopback. Every run must end with 0 errors (connect, read, write,
timeout or a non-2xx/3xx status). Writes the "Load" section of BENCHMARKS.md.
Run: `python -m bench.load [--bundle DIR] [--seconds 30] [--connections 64]`.
"""

from __future__ import annotations

import argparse
import json
import urllib.request
from pathlib import Path

from bench.wrk import Server, machine, record, run_wrk, table

NOTE = (
    "Everything but the page is served from bytes prepared at start-up; the page is rendered from "
    "its template per request (its gzip is kept by ETag), which is why it is the slow route."
)


def routes(server: Server) -> list[str]:
    with urllib.request.urlopen(server.base + "/api/gallery", timeout=10) as r:
        sprite = json.loads(r.read())["sprite"]
    assets = server.linked_assets()
    script = next(u for u in assets if u.endswith(".js"))
    stylesheet = next(u for u in assets if u.endswith(".css"))
    return ["/", "/api/training", "/api/trajectories/0", f"/bundle/{sprite}", script, stylesheet]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bundle", type=Path, help="bundle directory (default: the committed one)")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    conditions = machine()
    with Server(args.bundle) as server:
        results = []
        for route in routes(server):
            results.append(run_wrk(server.base, route, args.seconds, args.connections))
            print(table(results[-1:]).splitlines()[-1], flush=True)
    errors = sum(r.errors for r in results)
    record(
        "Load",
        f"`python -m bench.load`: {args.seconds} s of wrk per route, {args.connections} connections, "
        f"`Accept-Encoding: gzip`; the /assets/ URLs are the page's first script and stylesheet.\n"
        f"{conditions}. {server.describe()}.\n\n{table(results)}\n\n"
        + ("0 errors on every route. " if not errors else f"**{errors} errors** (see the table). ")
        + NOTE,
    )
    print(f"{errors} errors")


if __name__ == "__main__":
    main()
