"""`python -m server`: verify the bundle and serve the article with uvicorn."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import uvicorn

from precompute.bundle import BundleError
from server.config import Settings
from server.main import create_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--bundle", type=Path, help="bundle directory (default: data/bundle)")
    args = parser.parse_args(argv)
    settings = Settings(bundle_dir=args.bundle) if args.bundle else Settings()
    try:
        app = create_app(settings)
    except BundleError as e:
        print(f"error: cannot serve: {e}", file=sys.stderr)
        return 2
    uvicorn.run(app, host=args.host, port=args.port, timeout_keep_alive=5, timeout_graceful_shutdown=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
