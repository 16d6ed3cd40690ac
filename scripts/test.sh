#!/usr/bin/env bash
# Install everything the tests need on a fresh Debian machine, then run lint and the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null; then
    apt-get update -q && apt-get install -y -q --no-install-recommends chromium wrk >/dev/null
fi
# Debian's nginx: the container's front, started for real by tests/deploy/test_front.py
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    apt-get update -q && apt-get install -y -q --no-install-recommends nginx >/dev/null
fi
if ! command -v npm >/dev/null; then
    apt-get update -q && apt-get install -y -q --no-install-recommends npm >/dev/null
fi
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
# torch first, pinned, CPU build: PyTorch's CPU index is an extra index, so everything else still comes
# from PyPI. Where a configured local index already has torch==2.13.0 and the extra index is
# unreachable, one retry instead of five keeps pip from waiting on it for every package.
.venv/bin/pip install -q --retries 1 --extra-index-url https://download.pytorch.org/whl/cpu torch==2.13.0
.venv/bin/pip install -q -e '.[test]'
# torchattacks' metadata pins requests and pulls torchvision; it needs neither (scipy is in [test]).
.venv/bin/pip install -q --no-deps torchattacks==3.5.1
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
# the page's JavaScript: ESLint and Prettier, pinned in package-lock.json
npm ci --no-audit --no-fund --loglevel=error
npm run --silent lint
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
