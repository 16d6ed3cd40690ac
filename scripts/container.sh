#!/usr/bin/env bash
# Build the image for real with podman, run it as shipped (read-only, uid 10001, the front on 8000)
# and run the front's tests against it. Called by .ci/run after scripts/test.sh; needs root.
#
# The base image is made here, not pulled: debootstrap's minbase bookworm, imported, plus a layer
# with Debian's python3, python3-venv and nginx. It is passed to the Dockerfile as PYTHON_IMAGE. The
# build mounts this machine's CA bundle and pip configuration (and whatever local wheel folders and
# indexes it names), so pip finds a local CPU torch build where there is one, and PyPI for the rest.
# Where podman cannot be installed or cannot run containers, this says why and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."

skip() {
    echo "container check SKIPPED: $*" >&2
    exit 0
}
[ "$(id -u)" = 0 ] || skip "needs root (apt, rootful podman)"
if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v debootstrap >/dev/null; then
    { apt-get update -q && apt-get install -y -q --no-install-recommends podman runc debootstrap >/dev/null; } ||
        skip "podman, runc and debootstrap cannot be installed with apt here"
fi

work=$(mktemp -d)
name="tour-ci-$$"
cleanup() {
    podman rm -f "$name" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# runc: crun refuses hosts with a hybrid cgroup setup. The ulimits are what nginx and the
# tests' hundreds of sockets need, and no more than a stock Docker engine gives.
cat >"$work/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
export CONTAINERS_CONF="$work/containers.conf"
podman info >/dev/null 2>&1 || skip "podman cannot run here: $(podman info 2>&1 | tail -n 1)"

base=localhost/tour-base:bookworm
if ! podman image exists "$base"; then
    debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >/dev/null ||
        skip "debootstrap could not make a bookworm root (no Debian mirror?)"
    rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
    tar -C "$work/rootfs" -c . | podman import - localhost/debian-minbase:bookworm >/dev/null
    rm -rf "$work/rootfs"
    # Security updates, and no package caches left in any layer (as Debian's official images do);
    # python-is-python3: the Dockerfile calls `python`, as the python:3.11 images name it.
    cat >"$work/Containerfile.base" <<'EOF'
FROM localhost/debian-minbase:bookworm
RUN echo 'deb http://deb.debian.org/debian-security bookworm-security main' >/etc/apt/sources.list.d/security.list
COPY 90-image /etc/apt/apt.conf.d/90-image
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv python-is-python3 nginx ca-certificates && rm -rf /var/lib/apt/lists/*
EOF
    printf '%s\n' 'Dir::Cache::pkgcache "";' 'Dir::Cache::srcpkgcache "";' 'APT::Keep-Downloaded-Packages "false";' \
        >"$work/90-image"
    podman build -q --network host -t "$base" -f "$work/Containerfile.base" "$work" >/dev/null
fi

# This machine's pip configuration as one [global] file, and every local path it names, read-only.
mounts=()
.venv/bin/python - "$work/pip.conf" <<'EOF' >"$work/paths"
import re, subprocess, sys
listed = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True).stdout
settings, paths = {"retries": "1"}, set()
for key, value in re.findall(r"^(?:global|:env:)\.([\w-]+)='(.*)'$", listed, re.M):
    if key not in ("retries", "default-timeout", "timeout"):
        settings[key] = value  # the environment's value (listed last) wins, as in pip
for value in settings.values():
    for word in value.split():
        path = word.removeprefix("file://")
        if path.startswith("/"):  # a local index's pages link to ../../files: mount the index's parent
            paths.add(path.removesuffix("/simple"))
open(sys.argv[1], "w").write("[global]\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))
print("\n".join(sorted(paths)))
EOF
while read -r path; do
    [ -e "$path" ] && mounts+=(-v "$path:$path:ro")
done <"$work/paths"
[ -e /etc/ssl/certs/ca-certificates.crt ] && mounts+=(-v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro)
mounts+=(-v "$work/pip.conf:/etc/pip.conf:ro")

image=localhost/robustness-tour:ci
start=$(date +%s)
# docker format: the OCI format has no HEALTHCHECK
podman build --format docker --network host --build-arg PYTHON_IMAGE="$base" "${mounts[@]}" -t "$image" . >"$work/build.log" 2>&1 ||
    { tail -n 40 "$work/build.log"; echo "container build FAILED" >&2; exit 1; }
seconds=$(($(date +%s) - start))
size=$(podman image inspect --format '{{.Size}}' "$image")
echo "image built in ${seconds} s: $((size / 1000000)) MB uncompressed"

# As shipped: read-only root, a tmpfs for nginx, the image's user, its own CMD on 8000. Host
# networking keeps each test's source address (127.0.0.2, ...) for the per-address limits. Without
# systemd podman cannot schedule the health check (it logs so); `healthcheck run` runs it by hand.
.venv/bin/python -c 'import socket
for port in (8000, 8001):
    socket.create_server(("127.0.0.1", port)).close()' 2>/dev/null || skip "ports 8000 and 8001 are taken here"
envs=()
while read -r setting; do envs+=(-e "$setting"); done < <(
    .venv/bin/python -c 'from tests.deploy.front_client import ENV; print("\n".join(f"{k}={v}" for k, v in ENV.items()))'
)
podman run -d --name "$name" --network host --read-only --tmpfs /tmp --user 10001 "${envs[@]}" "$image" >/dev/null
for _ in $(seq 1 120); do
    podman healthcheck run "$name" >/dev/null 2>&1 && break
    sleep 1
done
podman healthcheck run "$name" >/dev/null || { podman logs "$name" | tail -n 40; exit 1; }
podman exec "$name" touch /app/x 2>/dev/null && { echo "the root is writable" >&2; exit 1; }
echo "health check passes; the front runs as uid $(podman exec "$name" id -u) on a read-only root"
TOUR_FRONT_PORT=8000 TOUR_FRONT_LOGS="podman logs $name" \
    .venv/bin/python -m pytest -q -p no:cacheprovider tests/deploy/test_front.py
podman stop -t 20 "$name" >/dev/null
status=$(podman inspect --format '{{.State.ExitCode}}' "$name")
[ "$status" = 0 ] || { podman logs "$name" | tail -n 40; echo "stopped with status $status" >&2; exit 1; }
echo "the container stopped cleanly (status 0)"
