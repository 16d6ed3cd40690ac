"""The PGD contract: the ball, the box, monotonicity in eps, torchattacks equivalence, seeds, targets."""

from __future__ import annotations

import itertools

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from precompute.data import synthetic_cifar
from tour import schema
from tour.attacks import ball, fgsm, nfgsm, pgd, pgd_survival

EPS = 8 / 255


def spec(eps=EPS, alpha=2 / 255, steps=10, norm="Linf", seed=0, random_start=True) -> schema.AttackSpec:
    return schema.AttackSpec(
        name="PGD", norm=norm, eps=eps, alpha=alpha, steps=steps, random_start=random_start, seed=seed
    )


pytestmark = pytest.mark.usefixtures("single_thread")


@pytest.fixture(scope="module")
def net_and_data():
    """A small CNN trained for a few hundred steps on synthetic data: clean accuracy well above chance."""
    torch.manual_seed(0)
    c = synthetic_cifar(600, 200, seed=1)
    x = torch.from_numpy(c.x_train).permute(0, 3, 1, 2).float() / 255
    y = torch.from_numpy(c.y_train)
    net = nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(), nn.Linear(16 * 64, 10)
    )
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    for step in range(150):
        idx = torch.randint(0, len(x), (64,), generator=torch.Generator().manual_seed(step))
        opt.zero_grad()
        F.cross_entropy(net(x[idx]), y[idx]).backward()
        opt.step()
    x_test = torch.from_numpy(c.x_test).permute(0, 3, 1, 2).float() / 255
    return net.eval(), x_test, torch.from_numpy(c.y_test)


def accuracy(net, x, y) -> float:
    with torch.no_grad():
        return float((net(x).argmax(1) == y).float().mean())


def test_the_test_model_has_learned(net_and_data):
    net, x, y = net_and_data
    assert accuracy(net, x, y) > 0.6


@pytest.mark.parametrize("norm", ["Linf", "L2"])
def test_iterates_stay_in_the_ball_and_the_box(net_and_data, norm):
    net, x, y = net_and_data
    eps = EPS if norm == "Linf" else 0.5
    run = pgd(net, x, y, spec(eps, eps / 4, norm=norm), record=True)
    for it in [*run.iterates, run.x_adv]:
        delta = (it - x).flatten(1)
        size = delta.abs().max(1).values if norm == "Linf" else delta.norm(dim=1)
        assert float(size.max()) <= eps + 1e-6
        assert float(it.min()) >= 0 and float(it.max()) <= 1
    assert torch.equal(run.iterates[-1], run.x_adv)


def test_robust_accuracy_is_below_clean_and_falls_with_eps(net_and_data):
    net, x, y = net_and_data
    clean = accuracy(net, x, y)
    accs = [accuracy(net, pgd(net, x, y, spec(e / 255, e / 1020)).x_adv, y) for e in (1, 2, 4, 8, 16)]
    assert accs[0] <= clean
    assert all(b <= a for a, b in itertools.pairwise(accs)), accs
    assert accs[-1] < clean - 0.3  # the attack really bites


def test_input_gradients_are_nonzero(net_and_data):
    net, x, y = net_and_data
    x = x[:16].clone().requires_grad_(True)
    F.cross_entropy(net(x), y[:16]).backward()
    assert float(x.grad.abs().min(dim=1).values.flatten(1).max(1).values.min()) > 0


def test_pgd_equals_torchattacks_from_the_same_start(net_and_data):
    torchattacks = pytest.importorskip("torchattacks")
    net, x, y = net_and_data
    x, y = x[:32], y[:32]
    torch.manual_seed(123)
    start = torch.empty_like(x).uniform_(-EPS, EPS)  # what torchattacks.PGD draws after the same seed
    ours = pgd(net, x, y, spec(), start=start).x_adv
    torch.manual_seed(123)
    theirs = torchattacks.PGD(net, eps=EPS, alpha=2 / 255, steps=10, random_start=True)(x, y)
    assert torch.allclose(ours, theirs, atol=1e-6)
    assert not torch.allclose(ours, x, atol=1e-3)  # and the attack did move the images


def test_fgsm_is_the_one_step_case_and_equals_torchattacks(net_and_data):
    torchattacks = pytest.importorskip("torchattacks")
    net, x, y = net_and_data
    ours = fgsm(net, x[:32], y[:32], eps=EPS)
    theirs = torchattacks.FGSM(net, eps=EPS)(x[:32], y[:32])
    assert torch.allclose(ours, theirs, atol=1e-6)


def test_per_image_seeds_give_an_image_the_same_start_alone_as_in_a_batch(net_and_data):
    net, x, y = net_and_data
    seeds = [11, 22, 33, 44]
    batch = pgd(net, x[:4], y[:4], spec(steps=3), seeds=seeds).x_adv
    alone = pgd(net, x[2:3], y[2:3], spec(steps=3), seeds=[33]).x_adv
    assert torch.equal(batch[2:3], alone)
    other = pgd(net, x[2:3], y[2:3], spec(steps=3), seeds=[34]).x_adv
    assert not torch.equal(other, alone)


def test_targeted_attack_raises_the_target_probability(net_and_data):
    net, x, y = net_and_data
    target = (y[:64] + 1) % 10
    adv = pgd(net, x[:64], y[:64], spec(), target=target).x_adv
    with torch.no_grad():
        before = net(x[:64]).softmax(1).gather(1, target[:, None])
        after = net(adv).softmax(1).gather(1, target[:, None])
    assert float((after - before).mean()) > 0.05
    assert float((after >= before).float().mean()) > 0.9


def test_attack_leaves_the_model_mode_and_parameters_alone(net_and_data):
    net, x, y = net_and_data
    net.zero_grad(set_to_none=True)
    net.train()
    try:
        pgd(net, x[:8], y[:8], spec(steps=2))
        assert net.training
        assert all(p.grad is None for p in net.parameters())
    finally:
        net.eval()


NFGSM = schema.AttackSpec(
    name="N-FGSM", norm="Linf", eps=EPS, alpha=EPS, steps=1, random_start=True, noise=2 * EPS, seed=0
)


def test_a_spec_of_another_attack_is_refused(net_and_data):
    net, x, y = net_and_data
    with pytest.raises(ValueError, match="PGD specs"):
        pgd(net, x[:2], y[:2], NFGSM)
    with pytest.raises(ValueError, match="N-FGSM specs"):
        nfgsm(net, x[:2], y[:2], spec(), torch.Generator())


def test_nfgsm_is_noise_plus_one_unprojected_signed_step(net_and_data):
    """N-FGSM: uniform noise in +-2 eps, then a step of eps along the gradient's sign, kept in [0, 1]."""
    net, x, y = net_and_data
    x, y = x[:32], y[:32]
    adv = nfgsm(net, x, y, NFGSM, torch.Generator().manual_seed(3))
    noise = (torch.rand(x.shape, generator=torch.Generator().manual_seed(3)) * 2 - 1) * (2 * EPS)
    start = (x + noise).clamp(0, 1)
    xs = start.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(F.cross_entropy(net(xs), y, reduction="sum"), xs)
    assert torch.allclose(adv, (start + EPS * grad.sign()).clamp(0, 1), atol=1e-6)
    assert (adv - x).abs().max() > EPS * 2  # no projection back to the eps-ball
    assert (adv - x).abs().max() <= 3 * EPS + 1e-6 and adv.min() >= 0 and adv.max() <= 1


def test_survival_counts_the_iterates_the_model_gets_right(net_and_data):
    """PGD's evaluation form: an image survives k steps iff clean and x_0 ... x_k are all right, which is
    never more than the final-iterate accuracy of plain PGD from the same per-image starts."""
    net, x, y = net_and_data
    seeds = list(range(100, 100 + len(x)))
    count = pgd_survival(net, x, y, spec(alpha=EPS / 4), seeds)
    assert count.min() >= 0 and count.max() <= 12
    clean = (net(x).argmax(1) == y).long()
    assert torch.equal(count >= 1, clean.bool())
    for k in (0, 3, 10):
        final = pgd(net, x, y, spec(alpha=EPS / 4, steps=k), seeds=seeds).x_adv
        still = (net(final).argmax(1) == y) & clean.bool()
        assert torch.all(still[count >= k + 2])  # survivors are right at step k too
    survived = [int((count >= k + 2).sum()) for k in range(11)]
    assert survived == sorted(survived, reverse=True) and survived[-1] < int(clean.sum())


@pytest.mark.parametrize("norm", ["Linf", "L2"])
def test_a_threat_model_keeps_starts_and_steps_in_its_ball_and_the_box(norm):
    """Each ball's random start, projection and step: inside the eps-ball (in its own norm) around x,
    inside [0, 1]; per-image seeds give an image the start it gets alone."""
    eps = EPS if norm == "Linf" else 0.5
    threat = ball(norm, eps, alpha=eps / 4)
    x = torch.rand(4, 3, 8, 8, generator=torch.Generator().manual_seed(3))

    def size(d: torch.Tensor) -> torch.Tensor:
        flat = d.flatten(1)
        return flat.abs().amax(1) if norm == "Linf" else flat.norm(dim=1)

    start = threat.random_start(x, [11, 12, 13, 14])
    assert torch.all(size(start) <= eps + 1e-6)
    assert torch.equal(start[2:3], threat.random_start(x[2:3], [13]))
    assert torch.all(size(threat.project(start * 10)) <= eps + 1e-6)
    x_adv = (x + threat.project(start)).clamp(0, 1)
    for _ in range(5):
        x_adv = threat.step(x, x_adv, torch.randn(x.shape))
        assert torch.all(size(x_adv - x) <= eps + 1e-6) and x_adv.min() >= 0 and x_adv.max() <= 1
    assert threat.picture_scale(start) == (eps if norm == "Linf" else float(start.abs().max()))


def test_an_unknown_norm_is_refused():
    with pytest.raises(ValueError, match="norm must be"):
        ball("L1", EPS)
