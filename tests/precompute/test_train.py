"""Training: the schedule, learning on easy data, and a resumed run that equals an uninterrupted one."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
import torch

from precompute.config import tiny
from precompute.data import split, synthetic_cifar
from precompute.train import (
    RESUME_GROUPS,
    TrainData,
    TrainState,
    WeightAverage,
    learning_rate,
    state_from_bytes,
    state_to_bytes,
    train,
)
from tour.model import ResNet18
from tour.runtime import nchw, train_precision

pytestmark = pytest.mark.usefixtures("single_thread")


@pytest.fixture(scope="module")
def data() -> TrainData:
    s = split(synthetic_cifar(300, 60, seed=5), n_train=None, n_holdout=50)
    cpu = torch.device("cpu")
    return TrainData(
        x_train=nchw(s.x_train, cpu),
        y_train=torch.from_numpy(s.y_train),
        x_holdout=nchw(s.x_holdout, cpu),
        y_holdout=torch.from_numpy(s.y_holdout),
        x_test=nchw(s.x_test, cpu),
        y_test=torch.from_numpy(s.y_test),
        x_gallery=nchw(s.x_test[:10], cpu),
    )


def test_one_cycle_schedule_rises_then_falls_to_zero():
    cfg = replace(tiny().train, lr=0.4, warmup_fraction=0.25)
    lrs = [learning_rate(cfg, s, 100) for s in range(100)]
    assert max(lrs) == pytest.approx(0.4) and lrs.index(max(lrs)) == 24
    assert lrs[0] < 0.02 and lrs[-1] < 0.01
    assert all(a < b for a, b in itertools.pairwise(lrs[:25]))
    assert all(a > b for a, b in itertools.pairwise(lrs[24:]))


def test_regular_training_learns_and_records_every_epoch(data):
    cfg = replace(tiny().train, epochs=6, batch_size=25, lr=0.1)
    seen: list[int] = []
    state = train(cfg, 0.0, data, seed=0, model_id="regular", on_epoch=lambda s: seen.append(s.epoch))
    assert seen == [1, 2, 3, 4, 5, 6]
    assert [h["epoch"] for h in state.history] == seen
    assert max(h["clean_acc"]["value"] for h in state.history) > 0.3  # chance is 0.1
    assert state.best_epoch == 1 + max(range(6), key=lambda i: state.history[i]["holdout_acc"]["value"])
    assert len(state.gallery_probs) == 6 and len(state.gallery_probs[0]) == 10
    assert all(abs(sum(p) - 1) < 1e-4 for p in state.gallery_probs[-1])


def test_resumed_adversarial_training_equals_an_uninterrupted_run(data):
    cfg = replace(tiny().train, epochs=3)
    full = train(cfg, 8 / 255, data, seed=1, model_id="adv_eps8")

    saved: list[bytes] = []

    def checkpoint_then_die(state: TrainState) -> None:
        saved.append(state_to_bytes(state, RESUME_GROUPS))
        raise KeyboardInterrupt  # killed right after the first epoch's checkpoint

    with pytest.raises(KeyboardInterrupt):
        train(cfg, 8 / 255, data, seed=1, model_id="adv_eps8", on_epoch=checkpoint_then_die)
    resumed = train(cfg, 8 / 255, data, seed=1, model_id="adv_eps8", state=state_from_bytes(saved[-1]))

    assert resumed.epoch == full.epoch == 3
    for key, value in full.model.items():
        assert torch.equal(value, resumed.model[key]), key
    for key, value in full.momentum.items():
        assert torch.equal(value, resumed.momentum[key]), key
    assert full.ema and full.ema.keys() == resumed.ema.keys()
    for key, value in full.ema.items():
        assert torch.equal(value, resumed.ema[key]), key
    strip = [{k: v for k, v in h.items() if k != "seconds"} for h in full.history]
    assert strip == [{k: v for k, v in h.items() if k != "seconds"} for h in resumed.history]
    assert resumed.best_epoch == full.best_epoch


def test_another_seed_gives_another_model(data):
    cfg = replace(tiny().train, epochs=1)
    a = train(cfg, 0.0, data, seed=0, model_id="regular")
    b = train(cfg, 0.0, data, seed=1, model_id="regular")
    assert not torch.equal(a.model["fc.weight"], b.model["fc.weight"])


def test_state_round_trips_through_checkpoint_bytes():
    state = TrainState(
        epoch=2,
        model={"w": torch.arange(4.0)},
        momentum={"w": torch.ones(4)},
        best={"w": torch.arange(4.0)},
        best_epoch=1,
        best_score=0.5,
        history=[{"epoch": 1}],
        gallery_probs=[[[0.1] * 10]],
    )
    back = state_from_bytes(state_to_bytes(state, ("model", "momentum", "best")))
    assert back.epoch == 2 and back.best_epoch == 1 and back.history == [{"epoch": 1}]
    assert torch.equal(back.model["w"], state.model["w"]) and torch.equal(back.momentum["w"], torch.ones(4))


def test_the_weight_average_is_what_is_measured_and_shipped(data):
    """With `ema` set, the best weights are the average's (BN statistics included), not the raw ones;
    without it they are the raw weights."""
    cfg = replace(tiny().train, epochs=1)
    averaged = train(cfg, 0.0, data, seed=0, model_id="regular")
    assert averaged.best.keys() == averaged.ema.keys() == averaged.model.keys()
    assert all(torch.equal(averaged.best[k], averaged.ema[k]) for k in averaged.ema)
    assert not all(torch.equal(averaged.model[k], averaged.ema[k]) for k in averaged.ema)
    raw = train(replace(cfg, ema=None), 0.0, data, seed=0, model_id="regular")
    assert raw.ema == {}
    assert all(torch.equal(raw.best[k], raw.model[k]) for k in raw.model)
    assert raw.history[0]["train_loss"] == averaged.history[0]["train_loss"]  # same training, other weights


def test_weight_average_warms_up_then_keeps_its_decay():
    """Step t mixes in (1 - min(decay, (1 + t) / (10 + t))) of the model: 0.9 of it at t = 0."""
    model = ResNet18(width=2)
    average = WeightAverage(model, decay=0.99)
    before = average.model.fc.bias.detach().clone()
    with torch.no_grad():
        model.fc.bias.add_(1.0)
        model.bn1.num_batches_tracked.fill_(7)
    average.update(0)
    assert torch.allclose(average.model.fc.bias, before + 0.9)
    assert int(average.model.bn1.num_batches_tracked) == 7  # integer buffers are copied
    average.update(10_000)
    assert torch.allclose(average.model.fc.bias, before + 0.9 + 0.1 * 0.01)


def test_precision_auto_is_bf16_on_cuda_and_refuses_unknown_names(monkeypatch):
    import tour.runtime as runtime

    assert train_precision("auto", torch.device("cuda")) == "bf16"
    for native, expected in ((True, "bf16"), (False, "fp32")):
        monkeypatch.setattr(runtime, "native_bf16", lambda n=native: n)
        assert train_precision("auto", torch.device("cpu")) == expected
    assert train_precision("fp32", torch.device("cuda")) == "fp32"
    with pytest.raises(ValueError, match="precision"):
        train_precision("fp16", torch.device("cpu"))


def test_bf16_training_learns_and_differs_from_fp32(data):
    """bf16 autocast runs on any CPU (emulated where not native): it learns, and it is another float
    path than fp32, so the knob really switches precision."""
    cfg = replace(tiny().train, epochs=4, batch_size=25, lr=0.1)
    bf16 = train(replace(cfg, precision="bf16"), 0.0, data, seed=0, model_id="regular")
    fp32 = train(replace(cfg, precision="fp32"), 0.0, data, seed=0, model_id="regular")
    assert max(h["clean_acc"]["value"] for h in bf16.history) > 0.3
    assert bf16.history[0]["train_loss"] != fp32.history[0]["train_loss"]
