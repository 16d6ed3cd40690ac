"""The walls between the three packages: the kernel (tour) imports neither wing, and the offline
pipeline (precompute) and the server never import each other. Data flows one way, through the bundle."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FORBIDDEN = {"tour": {"precompute", "server"}, "precompute": {"server"}, "server": {"precompute"}}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_crosses_a_wall(package):
    files = sorted((REPO / package).rglob("*.py"))
    assert files
    crossings = [
        f"{path.relative_to(REPO)} imports {name}"
        for path in files
        for name in sorted(imported_packages(path) & FORBIDDEN[package])
    ]
    assert crossings == []


def test_the_wall_check_sees_an_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import os\nfrom precompute.config import cpu\n\ndef f():\n    import server.main\n")
    assert imported_packages(probe) == {"os", "precompute", "server"}


def js_imports(path: Path) -> list[str]:
    return re.findall(r"""\bfrom\s+["'](\.{1,2}/[^"']+)["']""", path.read_text())


def test_no_figure_imports_another_and_lib_imports_no_widget():
    """Figures stand alone (shared pieces live in widgets/ and lib/), and lib/ is the bottom layer."""
    js = REPO / "static" / "js"
    figures = sorted((js / "figures").glob("*.js"))
    assert len(figures) >= 6
    for path in figures:
        assert not any("figures/" in i or i.startswith("./") for i in js_imports(path)), path.name
    for path in sorted((js / "lib").glob("*.js")):
        assert all(i.startswith("./") for i in js_imports(path)), path.name
    for path in sorted((js / "widgets").glob("*.js")):
        assert not any("figures/" in i or "entries/" in i for i in js_imports(path)), path.name


def test_view_models_are_plain_data_built_from_the_store():
    """server/views/ turns the bundle into what templates print: no routes, no HTTP, no lab."""
    for path in sorted((REPO / "server" / "views").rglob("*.py")):
        tree = ast.parse(path.read_text())
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        bad = {m for m in modules if m.split(".")[0] in {"fastapi", "starlette", "uvicorn"}}
        bad |= {m for m in modules if m.startswith(("server.routers", "server.lab", "server.main"))}
        assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)}"


def test_the_app_is_assembled_in_main_only():
    """Routers route and the lab computes; only server/main.py wires routers, middleware and state, and
    the Store holds bytes (it builds no chart)."""
    wiring = re.compile(r"\.include_router\(|\.add_middleware\(|\bapp\.state\.\w+\s*=[^=]")
    found = [
        str(path.relative_to(REPO))
        for path in sorted((REPO / "server").rglob("*.py"))
        if path.name != "main.py" and wiring.search(path.read_text())
    ]
    assert found == []
    for path in sorted((REPO / "server" / "lab").glob("*.py")):
        tree = ast.parse(path.read_text())
        modules = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not {m for m in modules if m.startswith(("server.routers", "server.main"))}, path.name
    store = ast.parse((REPO / "server" / "store.py").read_text())
    assert not {n.module for n in ast.walk(store) if isinstance(n, ast.ImportFrom)} & {
        "server.figures",
        "server",
    }
