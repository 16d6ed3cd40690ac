"""The container, checked without a Docker engine: lint, build context, and a replay of its steps.

The replay reads the Dockerfile itself (so the test cannot drift from it): the build stage's RUN
steps run in a fresh virtual environment against a context assembled by .dockerignore's rules,
the runtime stage's files are copied to an app folder, and its CMD is started as a non-root user
over a tree that user cannot write to, then asked for /healthz and the article.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support import REPO, free_port

DOCKERFILE = REPO / "Dockerfile"
HADOLINT = Path(sys.executable).with_name("hadolint")
CPU_INDEX = "--index-url https://download.pytorch.org/whl/cpu"
CONTEXT_LIMIT_MB = 64  # the committed bundle plus code; a dataset or checkpoint would blow it


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def stages() -> list[list[tuple[str, str]]]:
    out: list[list[tuple[str, str]]] = []
    for op, args in instructions():
        if op == "FROM":
            out.append([])
        elif out:
            out[-1].append((op, args))
    return out


def _ignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    """.dockerignore as (negated, regex); the last rule matching a path or a parent decides."""
    rules = []
    for raw in (REPO / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        glob = line.lstrip("!").strip("/")
        regex = re.escape(glob).replace(r"\*\*/", "(?:.*/)?").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        rules.append((negated, re.compile(regex + r"\Z")))
    return rules


def context_files() -> list[str]:
    """Every file of the working tree that `docker build .` would send."""
    rules = _ignore_rules()

    def included(rel: str) -> bool:
        parts = rel.split("/")
        verdict = True
        for negated, regex in rules:
            if any(regex.match("/".join(parts[:i])) for i in range(1, len(parts) + 1)):
                verdict = negated
        return verdict

    allowed_roots = {regex.pattern.split("/")[0].split("\\")[0] for negated, regex in rules if negated}
    found = []
    for dirpath, dirnames, filenames in os.walk(REPO):
        rel_dir = Path(dirpath).relative_to(REPO).as_posix()
        if rel_dir == ".":
            dirnames[:] = [d for d in dirnames if any(d.startswith(r) for r in allowed_roots)]
        found += [f for name in filenames if included(f := os.path.normpath(f"{rel_dir}/{name}"))]
    return sorted(found)


def test_hadolint_is_clean() -> None:
    proc = subprocess.run([str(HADOLINT), str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_image_shape() -> None:
    build, runtime = stages()
    assert any(op == "RUN" and CPU_INDEX in args and "torch==" in args for op, args in build)
    ops = dict(runtime)
    assert ops["USER"] not in ("root", "0")
    assert json_form(ops["CMD"]) and json_form(ops["HEALTHCHECK"].split("CMD", 1)[1])
    assert "/healthz" in ops["HEALTHCHECK"]
    assert any(op == "COPY" and args.startswith("--from=build") for op, args in runtime)


def json_form(args: str) -> bool:
    return args.strip().startswith("[") and args.strip().endswith("]")


def test_build_context_is_small_and_clean() -> None:
    files = context_files()
    assert "server/main.py" in files and "data/bundle/manifest.json" in files
    for bad in (".git/", ".venv/", "runs/", "site/", "__pycache__/", ".npz", ".tar.gz", "checkpoint"):
        assert not [f for f in files if bad in f], bad
    size = sum((REPO / f).stat().st_size for f in files) / 2**20
    assert size < CONTEXT_LIMIT_MB, f"build context is {size:.0f} MB"


def _assemble_context(dest: Path) -> None:
    for rel in context_files():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, dest / rel)


def _python_dir(scratch: Path) -> Path:
    """A folder whose `python` is a 3.11 the image's user can run, as the image's own python is.

    The one running the tests may not be: pyenv keeps it under /root, which only root can enter, and
    a venv made from it (the replay's /opt/venv) cannot start its own child processes as user 10001.
    Then Debian's python3.11 stands in, when there is one."""
    real = Path(sys._base_executable).resolve()
    if os.geteuid() != 0 or all(os.stat(d).st_mode & 0o001 for d in real.parents):
        return Path(sys.executable).parent
    debian = Path("/usr/bin/python3.11")
    if not debian.exists():
        pytest.skip(f"{real} is out of reach of the image's user and there is no /usr/bin/python3.11")
    folder = scratch / "python-bin"
    folder.mkdir(exist_ok=True)
    (folder / "python").symlink_to(debian)
    return folder


class Replay:
    """Both stages' instructions on one stand-in root: container path /x/y is <root>/x/y."""

    def __init__(self, root: Path, context: Path) -> None:
        self.root, self.context = root, context
        self.workdir = root
        root.mkdir()
        ours = ("TOUR_", "PYTHON", "VIRTUAL_ENV")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
        self.env["PATH"] = f"{_python_dir(root.parent)}:{os.environ['PATH']}"  # a python 3.11 first
        self.user: str | None = None
        self.cmd: list[str] = []

    def path(self, container_path: str) -> Path:
        return self.root / container_path.lstrip("/")

    def word(self, token: str) -> str:
        return str(self.path(token)) if token.startswith("/") else token

    def run(self, op: str, args: str, *, build: bool) -> None:
        if op == "ENV":
            for key, value in (pair.split("=", 1) for pair in shlex.split(args)):
                value = ":".join(self.word(v) for v in value.split(":"))
                self.env[key] = value.replace("$PATH", self.env["PATH"])
        elif op == "WORKDIR":
            self.workdir = self.path(args)
            self.workdir.mkdir(parents=True, exist_ok=True)
        elif op == "COPY" and not args.startswith("--from"):  # --from: both stages share the root
            *sources, dest = args.split()
            target = self.path(dest) if dest.startswith("/") else self.workdir / dest
            for source in sources:
                if (self.context / source).is_dir():
                    shutil.copytree(self.context / source, target, dirs_exist_ok=True)
                else:
                    target.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(self.context / source, target / source)
        elif op == "RUN" and build:  # the runtime stage's RUNs install nginx and add setpriv's user
            argv = [self.word(t) for t in shlex.split(args.replace(CPU_INDEX, ""))]
            argv[0] = shutil.which(argv[0], path=self.env["PATH"]) or argv[0]
            proc = subprocess.run(
                argv, cwd=self.workdir, env=self.env, capture_output=True, text=True, timeout=900
            )
            assert proc.returncode == 0, f"RUN {args}\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
        elif op == "USER":
            self.user = args
        elif op == "CMD":
            self.cmd = json.loads(args)


@pytest.fixture
def world_readable_tmp():
    """pytest's tmp_path is private to root; the replayed server runs as the image's user."""
    path = Path(tempfile.mkdtemp(prefix="replay-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


@pytest.mark.slow
def test_replay_install_and_start_up(world_readable_tmp: Path) -> None:
    """The image's steps in a fresh venv; torch from this machine's local CPU wheel, not the index.

    Then its CMD as the image's user, who owns nothing it runs from: a stand-in for --read-only.
    The CMD is the front (nginx in front of uvicorn), so this needs this machine's nginx.
    """
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        pytest.skip("nginx is not installed (scripts/test.sh installs Debian's nginx with apt)")
    context = world_readable_tmp / "context"
    _assemble_context(context)
    replay = Replay(world_readable_tmp / "root", context)
    build, runtime = stages()
    for op, args in build:
        replay.run(op, args, build=True)
    for op, args in runtime:
        replay.run(op, args, build=False)
    port = free_port()
    cmd = [shutil.which(replay.cmd[0], path=replay.env["PATH"]), *replay.cmd[1:]]
    cmd[cmd.index("--port") + 1] = str(port)
    cmd[cmd.index("--host") + 1] = "127.0.0.1"
    cmd += ["--upstream-port", str(free_port())]  # not the image's 8001, which may be taken here
    uid = replay.user
    as_user = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"] if os.geteuid() == 0 else []
    proc = subprocess.Popen(
        [*as_user, *cmd],
        cwd=replay.workdir,
        env={**replay.env, "HOME": "/nonexistent"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.stdout.read()
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "no /healthz within 90 s"
                time.sleep(0.3)
        with urllib.request.urlopen(base + "/", timeout=10) as r:
            assert r.status == 200 and b"<html" in r.read()
            assert r.headers["Server"] == "nginx"  # answered through the front
    finally:
        proc.terminate()
        proc.wait(timeout=30)
