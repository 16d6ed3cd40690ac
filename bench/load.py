"""Load: 30 s of wrk per route with 64 connections against pages, JSON, bundle images and static
files, one uvicorn worker on loopback. Every run must end with 0 errors (connect, read, write,
timeout or a non-2xx/3xx status). Writes the "Load" section of BENCHMARKS.md.
Run: `python -m bench.load [--bundle DIR] [--seconds 30] [--connections 64]`.
"""

from __future__ import annotations

import json
import urllib.request

from bench.wrk import Server, measure, record, table

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
    args, conditions, results = measure(__doc__, 30, 64, routes)
    errors = sum(r.errors for r in results)
    record(
        "Load",
        f"`python -m bench.load`: {args.seconds} s of wrk per route, {args.connections} connections, "
        f"`Accept-Encoding: gzip`; the /assets/ URLs are the page's first script and stylesheet.\n"
        f"{conditions}.\n\n{table(results)}\n\n"
        + ("0 errors on every route. " if not errors else f"**{errors} errors** (see the table). ")
        + NOTE,
    )
    print(f"{errors} errors")


if __name__ == "__main__":
    main()
