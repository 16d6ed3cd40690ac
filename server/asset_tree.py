"""The static folder held in memory, with one content hash over the whole tree for cache-busting.

Pages link assets as /assets/<tree hash>/<path>, served as immutable. One hash for the whole tree
(not one per file) keeps relative references working unchanged: an ES module's
`import "./format.js"` or a stylesheet's `url(../fonts/x.woff2)` resolves inside the same
versioned snapshot, with no import map (which would be inline script) and no rewriting of files.
The price is that any change to static/ invalidates every asset at once; for one article that is
a fair trade.
"""

from __future__ import annotations

import hashlib
import mimetypes
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from server.caching import Payload

MEDIA_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".png": "image/png",
    ".ico": "image/x-icon",
}


def media_type(name: str) -> str:
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    kind = MEDIA_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") else kind


@dataclass(frozen=True)
class AssetTree:
    version: str  # 12 hex digits of the sha256 over every path and body
    files: dict[str, Payload]  # posix path relative to the folder -> payload

    def url(self, path: str) -> str:
        """The immutable URL of a file (a file that does not exist 404s there, as anywhere)."""
        return f"/assets/{self.version}/{path}"

    def module_graph(self, entry: str) -> list[str]:
        """Every ES module `entry` imports, directly or not, entry first: the page's modulepreload
        hints, derived from the files themselves so no list is kept by hand."""
        seen, todo = [], [entry]
        while todo:
            path = todo.pop(0)
            if path in seen or path not in self.files:
                continue
            seen.append(path)
            for rel in IMPORT.findall(self.files[path].body.decode("utf-8", "replace")):
                todo.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), rel)))
        return seen


IMPORT = re.compile(r"""^\s*(?:import|export)\b[^"';]*?\bfrom\s+["'](\.{1,2}/[^"']+)["']""", re.M)


def load_assets(folder: Path) -> AssetTree:
    """Read every file under `folder` (dot-files skipped) once; requests can only name these."""
    files: dict[str, Payload] = {}
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in rel.split("/")):
            continue
        body = path.read_bytes()
        digest.update(rel.encode() + b"\0" + hashlib.sha256(body).digest())
        files[rel] = Payload.of(body, media_type(rel))
    return AssetTree(version=digest.hexdigest()[:12], files=files)
