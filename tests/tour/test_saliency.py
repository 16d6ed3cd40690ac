"""The kernel's gradient pictures, edge score and landscapes, on small hand-made inputs."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from precompute.landscape import filter_normalized
from tour.landscape import grid_coords, input_landscape, random_direction
from tour.model import ResNet18
from tour.saliency import edge_correlation, edge_map, input_gradient, picture, smooth_gradient
from tour.schema import InputGridSpec, SmoothGradSpec


def _model() -> ResNet18:
    torch.manual_seed(0)
    return ResNet18(width=4).eval()


def test_a_gradient_shaped_like_the_edges_scores_one_and_noise_about_zero() -> None:
    x = torch.zeros(1, 3, 16, 16)
    x[..., 4:12, 4:12] = 1.0  # a bright square: edges along its border
    edges = edge_map(x)
    like = edges.unsqueeze(1).expand(1, 3, 16, 16) * torch.tensor([1.0, -1.0, 0.5]).view(1, 3, 1, 1)
    assert abs(float(edge_correlation(like, x)) - 1) < 1e-6
    noise = torch.randn(64, 3, 16, 16, generator=torch.Generator().manual_seed(1))
    assert abs(float(edge_correlation(noise, x.expand(64, -1, -1, -1)).mean())) < 0.05


def test_picture_is_grey_at_zero_and_stays_in_range() -> None:
    g = torch.zeros(2, 3, 8, 8)
    g[1, 0, 0, 0] = 5.0
    p = picture(g)
    assert torch.all(p[0] == 0.5) and p.min() >= 0 and p.max() <= 1 and p[1, 0, 0, 0] == 1.0


def test_smoothgrad_without_noise_is_the_gradient_and_is_reproducible() -> None:
    model, x, y = _model(), torch.rand(2, 3, 32, 32), torch.tensor([1, 2])
    plain = input_gradient(model, x, y)
    assert torch.allclose(
        smooth_gradient(model, x, y, SmoothGradSpec(samples=3, sigma=0.0, seed=5)), plain, atol=1e-7
    )
    a = smooth_gradient(model, x, y, SmoothGradSpec(samples=3, sigma=0.1, seed=5))
    assert torch.equal(a, smooth_gradient(model, x, y, SmoothGradSpec(samples=3, sigma=0.1, seed=5)))
    assert not torch.allclose(a, plain)


def test_the_landscapes_centre_is_the_image_and_its_axes_are_linf_units() -> None:
    model, x, y = _model(), torch.rand(1, 3, 32, 32), torch.tensor([3])
    grid = InputGridSpec(radius=8 / 255, points=5, seed=1)
    land = input_landscape(model, x, y, grid)
    with torch.no_grad():
        clean = F.cross_entropy(model(x), y)
    assert land.loss.shape == (5, 5) and abs(float(land.loss[2, 2]) - float(clean)) < 1e-5
    assert grid_coords(grid) == [-8 / 255, -4 / 255, 0.0, 4 / 255, 8 / 255]
    d = random_direction((1, 3, 4, 4), 1)
    assert set(d.unique().tolist()) == {-1.0, 1.0} and torch.equal(d, random_direction((1, 3, 4, 4), 1))


def test_filter_normalized_directions_match_each_filters_norm() -> None:
    model = _model()
    d = filter_normalized(model, seed=2)
    for name, p in model.named_parameters():
        if p.dim() <= 1:
            assert torch.count_nonzero(d[name]) == 0, name  # batch norm and biases stay put
        else:
            assert torch.allclose(d[name].flatten(1).norm(dim=1), p.flatten(1).norm(dim=1), rtol=1e-5), name
