"""`python -m server`: verify the bundle and serve the article with uvicorn.

`python -m server export DIR` writes the article as a static site instead (see server.export).
The bundle is verified before the app (torch, FastAPI, the charts) is imported, so a bad one is
refused in well under a second, with one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import copy
import ipaddress
import logging
import logging.config
import sys
from pathlib import Path

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from server.config import Settings, SettingsError
from tour.bundle import Bundle, BundleError, load_bundle

log = logging.getLogger("server")

# uvicorn's own logging, plus our "server" logger on the same stderr handler.
LOGGING = copy.deepcopy(LOGGING_CONFIG)
LOGGING["loggers"]["server"] = {"handlers": ["default"], "level": "INFO", "propagate": False}


def _settings(bundle: Path | None) -> Settings:
    return Settings.from_env(bundle_dir=bundle) if bundle else Settings.from_env()


def _verified(bundle: Path | None) -> tuple[Settings, Bundle]:
    """The settings and their bundle, verified: cheap next to importing the app, so it comes first."""
    settings = _settings(bundle)
    return settings, load_bundle(settings.bundle_dir)


def is_public(host: str) -> bool:
    """Whether `host` may be reached from other machines: anything but localhost and loopback."""
    if host.lower() == "localhost":
        return False
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return True  # another name: it may resolve to any address
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return not address.ipv4_mapped.is_loopback
    return not address.is_loopback


PUBLIC_WARNING = (
    "warning: python -m server on {host} meets clients without the front's socket limits (timeouts, "
    "header sizes, per-address limits); serve the public with python -m server.supervisor or the container"
)


def _serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--bundle", type=Path, help="bundle directory (default: data/bundle)")
    parser.add_argument("--no-access-log", action="store_true", help="log only start-up and errors")
    args = parser.parse_args(argv)
    if is_public(args.host):
        print(PUBLIC_WARNING.format(host=args.host), file=sys.stderr)
    try:
        settings, verified = _verified(args.bundle)
        logging.config.dictConfig(LOGGING)
        from server.main import create_app  # torch and the rest: seconds, so after the bundle

        app = create_app(settings, verified)
    except (BundleError, SettingsError) as e:
        print(f"error: cannot serve: {e}", file=sys.stderr)
        return 2
    bundle = app.state.store.bundle
    log.info(
        "bundle %s verified: %s preset, %d files match manifest.json; static assets version %s",
        bundle.root,
        bundle.manifest.preset,
        len(bundle.files),
        app.state.static.version,
    )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=LOGGING,
        access_log=not args.no_access_log,
        server_header=False,
        timeout_keep_alive=5,  # idle keep-alive connections close after 5 s
        timeout_graceful_shutdown=10,  # on SIGTERM, in-flight requests get 10 s to finish
        limit_concurrency=1000,  # beyond this, 503 at once instead of queueing without bound
        # X-Forwarded-For only from the configured proxy; uvicorn's default trusts any loopback client
        proxy_headers=settings.trusted_proxy is not None,
        forwarded_allow_ips=settings.trusted_proxy,
    )
    return 0


def _export(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m server export", description="Write the article as a static site."
    )
    parser.add_argument("out", type=Path, help="folder to write the site into (replaced)")
    parser.add_argument("--bundle", type=Path, help="bundle directory (default: data/bundle)")
    args = parser.parse_args(argv)
    try:
        settings, verified = _verified(args.bundle)
        from server.export import export_site
        from server.main import create_app

        app = create_app(settings, verified)
    except (BundleError, SettingsError) as e:
        print(f"error: cannot export: {e}", file=sys.stderr)
        return 2
    count = export_site(app, args.out)
    print(f"wrote {count} files to {args.out}; serve it with any static host, e.g. python -m http.server")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["export"]:
        return _export(argv[1:])
    return _serve(argv)


if __name__ == "__main__":
    sys.exit(main())
