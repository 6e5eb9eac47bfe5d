"""Perceptual distance of variants to their item, with any distance module or a registered name."""

import pytest
import torch
from torch import nn

from gigs_core.errors import UserInputError
from gigs_core.metrics import PerceptualDistanceToItem, perceptual_distance_to_item


class MeanSquaredDistance(nn.Module):
    def forward(self, first, second):
        return (first - second).pow(2).flatten(1).mean(dim=1)


def test_mean_distance_of_each_variant_to_its_own_item():
    items = torch.stack([torch.full((1, 4, 4), 0.2), torch.full((1, 4, 4), 0.8)])
    offsets = torch.tensor([[0.1, 0.2, 0.0], [0.1, -0.3, 0.2]])
    variants = items[:, None] + offsets[:, :, None, None, None]
    result = perceptual_distance_to_item(MeanSquaredDistance(), items, variants)
    expected = offsets.flatten().pow(2).double()
    assert result.count == 6
    assert result.mean == pytest.approx(float(expected.mean()))
    assert result.std == pytest.approx(float(expected.std(correction=0)))


def test_stateful_in_chunks_equals_functional_and_records_the_distance():
    g = torch.Generator().manual_seed(0)
    items, variants = torch.rand(3, 3, 6, 6, generator=g), torch.rand(3, 4, 3, 6, 6, generator=g)
    metric = PerceptualDistanceToItem(MeanSquaredDistance(), "mse")
    metric.update(items[:2], variants[:2])
    metric.update(items[2:], variants[2:])
    assert metric.compute() == perceptual_distance_to_item(MeanSquaredDistance(), items, variants)
    assert metric.label == "perceptual distance to the item (mse)"
    assert PerceptualDistanceToItem.higher_is_better is None


def test_a_registered_distance_by_name():
    metric = PerceptualDistanceToItem("none")
    metric.update(torch.rand(2, 1, 8, 8), torch.rand(2, 3, 1, 8, 8))
    assert metric.compute().mean == 0.0 and metric.label.endswith("(none)")
    with pytest.raises(ValueError, match="perceptual must be one of"):
        PerceptualDistanceToItem("no-such-distance")


def test_variants_must_line_up_with_items():
    with pytest.raises(UserInputError, match="do not match items"):
        perceptual_distance_to_item(MeanSquaredDistance(), torch.rand(2, 1, 8, 8), torch.rand(2, 3, 1, 9, 8))
