"""A lab job's way through the bounded queue to its response: stopped when its client leaves or the
lab's deadline passes, encoded (and gzipped) in the worker, never on the event loop."""

from __future__ import annotations

import asyncio
import gzip
import logging
import threading
import time
from collections.abc import Callable

from fastapi import HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel

from server.lab.engine import Cancelled
from server.lab.gate import AttackGate, Busy
from server.lab.upload import UploadError
from server.protocol import accepts_gzip

log = logging.getLogger("server")
CLIENT_LEFT = "its client left"


async def _until_abandoned(request: Request, cancel: threading.Event, deadline: float) -> str:
    """Wait for the client to leave or the deadline to pass, then set `cancel`; says which.

    The body has been read in full by now, so the next ASGI message is the disconnect."""
    try:
        async with asyncio.timeout(deadline):
            while (await request.receive())["type"] != "http.disconnect":
                pass
        why = CLIENT_LEFT
    except TimeoutError:
        why = "it outlived the deadline"
    cancel.set()
    return why


async def run_job(
    request: Request, gate: AttackGate, what: str, job: Callable[[threading.Event], BaseModel]
) -> Response:
    """Run `job` (an attack or an inspection, says `what`) in the lab's queue and send its result,
    encoded in the worker (a class push is about 0.6 MB of JSON: tens of milliseconds the event loop
    would otherwise spend)."""
    packed = accepts_gzip(request.headers.get("accept-encoding", ""))
    cancel = threading.Event()

    def work() -> bytes:
        if cancel.is_set():
            raise Cancelled  # abandoned while it waited in the queue: never started
        body = job(cancel).model_dump_json().encode()
        return gzip.compress(body, compresslevel=6) if packed else body

    start = time.monotonic()
    watcher = asyncio.create_task(_until_abandoned(request, cancel, gate.deadline))
    try:
        body = await gate.run(work)
    except Busy as e:
        raise HTTPException(
            503, f"the lab is busy; try again in {e.retry_after} s", {"Retry-After": str(e.retry_after)}
        ) from None
    except UploadError as e:
        raise HTTPException(e.status, e.message) from None
    except Cancelled:
        why = await watcher
        log.info("lab %s stopped after %.1f s: %s", what, time.monotonic() - start, why)
        if why == CLIENT_LEFT:
            return Response(status_code=499)  # nobody reads it; the access log shows nginx's code
        raise HTTPException(
            503, f"the {what} took longer than the lab's limit of {gate.deadline:g} s and was stopped"
        ) from None
    finally:
        watcher.cancel()
    headers = {"Vary": "Accept-Encoding", **({"Content-Encoding": "gzip"} if packed else {})}
    return Response(body, media_type="application/json", headers=headers)
