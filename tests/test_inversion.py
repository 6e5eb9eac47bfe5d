import torch

from gigs_core.config import InversionConfig
from gigs_core.factories import create_generator, create_inverter
from gigs_core.method.inversion import LatentOptimizationInverter


def config(**overrides):
    settings = {"steps": 200, "lr": 0.05, "perceptual": "none"}
    settings.update(overrides)
    return InversionConfig(**settings)


def test_recovers_an_image_the_generator_made():
    generator = create_generator("linear")
    target_latent = generator.sample_latent(1, generator=torch.Generator().manual_seed(11))
    target_latent = (target_latent - target_latent.mean()) / target_latent.std()
    with torch.no_grad():
        target = generator(target_latent)
    result = LatentOptimizationInverter(config()).invert(generator, target, seeds=[0])
    assert float(result.losses[0]) < 1e-3
    assert (result.reconstructions - target).abs().max() < 0.05
    start = generator(generator.sample_latent(1, generator=torch.Generator().manual_seed(0)))
    assert (start - target).pow(2).mean() > 10 * result.losses[0]


def test_latents_are_row_normalised():
    generator = create_generator("linear", latent_dim=16)
    images = torch.rand(3, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    result = create_inverter(**config(steps=10).model_dump()).invert(generator, images, seeds=[0, 1, 2])
    torch.testing.assert_close(result.latents.mean(dim=1), torch.zeros(3), atol=1e-5, rtol=0)
    torch.testing.assert_close(result.latents.std(dim=1), torch.ones(3), atol=1e-5, rtol=0)
    assert result.perceptual == "none"


def test_batched_equals_one_by_one():
    generator = create_generator("linear")
    images = torch.rand(2, 1, 8, 8, generator=torch.Generator().manual_seed(2))
    inverter = LatentOptimizationInverter(config(steps=40))
    together = inverter.invert(generator, images, seeds=[5, 6])
    for index, seed in enumerate([5, 6]):
        alone = inverter.invert(generator, images[index : index + 1], seeds=[seed])
        torch.testing.assert_close(together.latents[index], alone.latents[0], atol=1e-5, rtol=1e-4)
        torch.testing.assert_close(together.losses[index], alone.losses[0], atol=1e-6, rtol=1e-4)


def test_zero_steps_returns_the_prior_sample():
    generator = create_generator("linear")
    images = torch.rand(1, 1, 8, 8)
    first = LatentOptimizationInverter(config(steps=0)).invert(generator, images, seeds=[7])
    second = LatentOptimizationInverter(config(steps=0)).invert(generator, images, seeds=[7])
    assert torch.equal(first.latents, second.latents)


def test_the_best_of_several_starts_is_never_worse_and_independent_of_the_batch():
    from gigs_core.method.inversion import best_starts, initial_latents

    generator = create_generator("linear")
    targets = torch.rand(3, 1, 8, 8, generator=torch.Generator().manual_seed(4))

    def loss(a, b):
        return (a - b).pow(2).flatten(1).mean(dim=1)

    seeds = [5, 6, 7]
    first = initial_latents(generator, seeds)
    assert torch.equal(best_starts(generator, targets, seeds, 1, loss), first)
    best = best_starts(generator, targets, seeds, 16, loss)
    with torch.no_grad():
        assert torch.all(loss(targets, generator(best)) <= loss(targets, generator(first)))
        assert torch.any(loss(targets, generator(best)) < loss(targets, generator(first)))
    alone = best_starts(generator, targets[1:2], seeds[1:2], 16, loss)
    assert torch.equal(alone[0], best[1])


class _BrightnessDistance(torch.nn.Module):
    """|mean(a) − mean(b)| per image, counting its calls."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, a, b):
        self.calls += 1
        return (a.mean(dim=(1, 2, 3)) - b.mean(dim=(1, 2, 3))).abs()


def test_a_given_distance_module_is_the_one_measured_with():
    generator = create_generator("linear")
    images = torch.rand(2, 1, 8, 8, generator=torch.Generator().manual_seed(3))
    distance = _BrightnessDistance()
    settings = config(steps=5, perceptual="lpips-untrained", perceptual_weight=100.0)
    result = LatentOptimizationInverter(settings, distance=distance).invert(generator, images, seeds=[0, 1])
    assert distance.calls > 5  # the start, every step and the final loss
    mse_only = LatentOptimizationInverter(config(steps=5)).invert(generator, images, seeds=[0, 1])
    assert not torch.allclose(result.latents, mse_only.latents)
    brightness = (result.reconstructions.mean(dim=(1, 2, 3)) - images.mean(dim=(1, 2, 3))).abs()
    torch.testing.assert_close(result.losses, 100.0 * brightness + (result.reconstructions - images).pow(2).mean(dim=(1, 2, 3)))
    assert result.perceptual == "lpips-untrained"  # the configured name is what results record
