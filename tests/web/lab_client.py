"""The lab's HTTP API as the tests speak it: JSON requests, multipart uploads and small images."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
import uuid

from PIL import Image

ATTACK = "/api/lab/attack"
UPLOAD = "/api/lab/attack/upload"
# Generous limits for the validation tests; the queue and rate-limit tests start their own servers.
OPEN = {"TOUR_LAB_PER_MINUTE": "100000", "TOUR_LAB_BURST": "100000"}


def request(base, path, body=None, content_type="application/json", method=None, headers=None):
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    if content_type:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, dict(r.headers), json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read())


Part = tuple[str | None, str, bytes]


def multipart(fields: dict[str, Part] | list[tuple[str, Part]]) -> tuple[bytes, str]:
    """fields: name -> (filename or None, content type, bytes); a list may name a field twice."""
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, (filename, ctype, data) in fields.items() if isinstance(fields, dict) else fields:
        out.write(f"--{boundary}\r\n".encode())
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out.write(f"Content-Disposition: {disposition}\r\nContent-Type: {ctype}\r\n\r\n".encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def image_bytes(fmt: str = "PNG", size=(64, 48), mode="RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, (200, 30, 60) if mode == "RGB" else 0).save(buf, fmt)
    return buf.getvalue()


def upload(base, data: bytes, params: dict | str, ctype="image/png"):
    raw = params if isinstance(params, str) else json.dumps(params)
    body, content_type = multipart(
        {"params": (None, "application/json", raw.encode()), "image": ("x.png", ctype, data)}
    )
    return request(base, UPLOAD, body, content_type)
