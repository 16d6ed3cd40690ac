"""A client that closes the connection mid-body is logged as one info line, not as a server error."""

from __future__ import annotations

import asyncio
import logging

from server.config import Settings
from server.main import create_app


def test_an_upload_abandoned_mid_body_logs_one_info_line(tiny_bundle, caplog):
    app = create_app(Settings(bundle_dir=tiny_bundle))
    incoming = [
        {"type": "http.request", "body": b"--x\r\nContent-Disposition: form-data; name=", "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent = []

    async def receive():
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/lab/attack/upload",
        "raw_path": b"/api/lab/attack/upload",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"t"), (b"content-type", b"multipart/form-data; boundary=x")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    with caplog.at_level(logging.INFO):
        asyncio.run(app(scope, receive, send))
    records = [r for r in caplog.records if r.name.startswith(("server", "uvicorn"))]
    assert [r.levelno for r in records] == [logging.INFO], [r.getMessage() for r in records]
    assert "went away" in records[0].getMessage() and records[0].exc_info is None
    assert sent[0]["status"] == 400
