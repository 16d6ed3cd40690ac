"""Abandoned lab work stops: between two PGD steps once its event is set, and through the router when
the client leaves or the lab's deadline passes. A live attack that nobody cancels is unchanged."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time

import pytest

from server.config import Settings
from server.lab.engine import Cancelled
from server.lab.params import AttackParams, SourceInfo
from server.main import create_app
from tour import schema


def test_a_set_event_stops_the_attack_at_its_next_step(lab):
    cancel = threading.Event()
    forwards: list[str] = []
    model = lab.chosen(None)[0]

    def count(module, args):  # runs after the lab's own guard: the guard sees the event one call later
        forwards.append(threading.current_thread().name)
        if len(forwards) == 5:
            cancel.set()

    handle = model.module.register_forward_pre_hook(count)
    try:
        params = AttackParams(norm="Linf", eps=8 / 255, steps=50, models=[model.info.id])
        source = SourceInfo(kind="test", test_index=0, label=lab.images.label(0))
        with pytest.raises(Cancelled):
            lab.attack(lab.images.pixels(0), params, source, cancel)
    finally:
        handle.remove()
    assert len(forwards) == 5  # the sixth forward (of 53 this attack would make) was refused


def test_an_event_never_set_changes_nothing(store, lab):
    """The article's figure, retraced with an unset event in the way: still bit for bit."""
    figures = store.bundle.doc("trajectories.json", schema.TrajectoriesFile)
    image = figures.images[0]
    spec = figures.attack
    params = AttackParams(norm=spec.norm, eps=spec.eps, alpha=spec.alpha, steps=spec.steps)
    source = SourceInfo(kind="test", test_index=image.test_index, label=image.label)
    out = lab.attack(lab.images.pixels(image.test_index), params, source, threading.Event())
    assert out.figure_match is True


def test_a_cancelled_attack_does_not_leak_into_the_next(lab):
    cancel = threading.Event()
    cancel.set()
    params = AttackParams(norm="Linf", eps=8 / 255, steps=2)
    source = SourceInfo(kind="test", test_index=0, label=lab.images.label(0))
    with pytest.raises(Cancelled):
        lab.attack(lab.images.pixels(0), params, source, cancel)
    assert len(lab.attack(lab.images.pixels(0), params, source).runs) == 2  # the same pool threads


# Through the router: a stand-in attack that takes 20 s in 10 ms steps unless it is stopped.


class SlowAttack:
    def __init__(self) -> None:
        self.stopped_after: float | None = None

    def __call__(self, image, params, source, cancel=None):
        start = time.monotonic()
        while time.monotonic() - start < 20:
            if cancel is not None and cancel.is_set():
                self.stopped_after = time.monotonic() - start
                raise Cancelled
            time.sleep(0.01)
        raise AssertionError("the attack was never stopped")


def scope() -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/lab/attack",
        "raw_path": b"/api/lab/attack",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"t"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }


BODY = json.dumps({"source": {"test_index": 0}, "eps": 0.03, "steps": 10}).encode()


def call(app, leave_after: float | None) -> tuple[int, float]:
    """One attack request; the client leaves `leave_after` s after its body (None: it waits)."""
    sent: list[dict] = []

    async def run() -> float:
        delivered = False

        async def receive():
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": BODY, "more_body": False}
            if leave_after is None:
                await asyncio.Event().wait()  # never leaves; cancelled with the request
            await asyncio.sleep(leave_after)
            return {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)

        start = time.monotonic()
        await app(scope(), receive, send)
        return time.monotonic() - start

    took = asyncio.run(run())
    return sent[0]["status"], took


@pytest.fixture
def slow_app(monkeypatch):
    def make(**settings):
        app = create_app(Settings(lab_per_minute=1000, lab_burst=1000, **settings))
        attack = SlowAttack()
        monkeypatch.setattr(app.state.lab, "attack", attack)
        return app, attack

    return make


def test_a_client_that_leaves_stops_its_attack(slow_app, caplog):
    app, attack = slow_app()
    with caplog.at_level(logging.INFO, logger="server"):
        status, took = call(app, leave_after=0.3)
    assert attack.stopped_after is not None and attack.stopped_after < 1.5
    assert status == 499 and took < 2
    lines = [r.getMessage() for r in caplog.records if r.name == "server"]
    assert any("lab attack stopped" in m and "client left" in m for m in lines), lines


def test_an_attack_past_the_deadline_is_stopped_and_answered_503(slow_app):
    app, attack = slow_app(lab_timeout=1)
    status, took = call(app, leave_after=None)
    assert status == 503 and 0.9 < took < 3
    assert attack.stopped_after is not None and attack.stopped_after < 2
