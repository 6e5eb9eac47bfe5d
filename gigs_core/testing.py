"""Contract tests every backend's test-suite reuses (third parties too).

Subclass in a pytest test module and provide the factory method::

    from gigs_core.testing import GeneratorContract

    class TestMyGan(GeneratorContract):
        def make_generator(self):
            return create_generator("my-gan", width=8)
"""

from __future__ import annotations

import torch

from gigs_core import protocols


class GeneratorContract:
    """Properties every :class:`~gigs_core.protocols.Generator` must have."""

    def make_generator(self):  # pragma: no cover - provided by subclasses
        raise NotImplementedError

    def _generator(self):
        generator = self.make_generator()
        generator.eval()
        return generator

    def test_satisfies_protocol(self):
        generator = self._generator()
        assert isinstance(generator, protocols.Generator)
        assert isinstance(generator, torch.nn.Module)
        assert generator.latent_dim > 0 and generator.resolution > 0 and generator.channels in (1, 3)

    def test_output_shape_and_range(self):
        generator = self._generator()
        z = generator.sample_latent(3, generator=torch.Generator().manual_seed(0))
        assert z.shape == (3, generator.latent_dim)
        with torch.no_grad():
            images = generator(z)
        assert images.shape == (3, generator.channels, generator.resolution, generator.resolution)
        assert images.dtype == z.dtype
        assert float(images.min()) >= 0.0 and float(images.max()) <= 1.0

    def test_sample_latent_is_seeded(self):
        generator = self._generator()
        first = generator.sample_latent(2, generator=torch.Generator().manual_seed(7))
        second = generator.sample_latent(2, generator=torch.Generator().manual_seed(7))
        other = generator.sample_latent(2, generator=torch.Generator().manual_seed(8))
        assert torch.equal(first, second)
        assert not torch.equal(first, other)

    def test_rows_are_independent(self):
        generator = self._generator()
        z = generator.sample_latent(3, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            together = generator(z)
            alone = generator(z[1:2])
        torch.testing.assert_close(together[1:2], alone, atol=1e-5, rtol=1e-4)

    def test_differentiable_in_latent(self):
        generator = self._generator()
        z = generator.sample_latent(2, generator=torch.Generator().manual_seed(2)).requires_grad_(True)
        generator(z).mean().backward()
        assert z.grad is not None and torch.isfinite(z.grad).all() and z.grad.abs().sum() > 0


class RecommenderContract:
    """Properties every :class:`~gigs_core.protocols.Recommender` must have."""

    def make_recommender(self):  # pragma: no cover - provided by subclasses
        raise NotImplementedError

    def _recommender(self):
        recommender = self.make_recommender()
        recommender.eval()
        return recommender

    @staticmethod
    def _images(n: int, size: int, channels: int = 3) -> torch.Tensor:
        return torch.rand(n, channels, size, size, generator=torch.Generator().manual_seed(n + size))

    def test_satisfies_protocol(self):
        recommender = self._recommender()
        assert isinstance(recommender, protocols.Recommender)
        assert isinstance(recommender, torch.nn.Module)
        assert recommender.num_users >= 1

    def test_shapes(self):
        recommender = self._recommender()
        users = torch.tensor([0, recommender.num_users - 1])
        images = self._images(3, 40)
        with torch.no_grad():
            features = recommender.features(images)
            theta = recommender.user_embeddings(users)
            scores = recommender.score(images, users)
            group = recommender.group_score(images, users)
        assert features.ndim == 2 and features.shape[0] == 3
        assert theta.shape == (2, features.shape[1])
        assert scores.shape == (3, 2)
        assert group.shape == (3,)

    def test_group_score_is_mean_of_scores(self):
        recommender = self._recommender()
        users = torch.arange(min(recommender.num_users, 5))
        images = self._images(4, 32)
        with torch.no_grad():
            expected = recommender.score(images, users).mean(dim=1)
            actual = recommender.group_score(images, users)
        torch.testing.assert_close(actual, expected, atol=1e-4, rtol=1e-4)

    def test_accepts_any_size_and_grey(self):
        recommender = self._recommender()
        users = torch.tensor([0])
        with torch.no_grad():
            for images in (self._images(2, 17), self._images(2, 300), self._images(2, 64, channels=1)):
                scores = recommender.score(images, users)
                assert scores.shape == (2, 1) and torch.isfinite(scores).all()

    def test_deterministic_in_eval(self):
        recommender = self._recommender()
        images = self._images(2, 48)
        users = torch.tensor([0])
        with torch.no_grad():
            torch.testing.assert_close(recommender.score(images, users), recommender.score(images, users))

    def test_differentiable_in_images(self):
        recommender = self._recommender()
        images = self._images(2, 32).requires_grad_(True)
        recommender.group_score(images, torch.tensor([0])).sum().backward()
        assert images.grad is not None and torch.isfinite(images.grad).all() and images.grad.abs().sum() > 0

    def test_rejects_out_of_range_users(self):
        import pytest

        from gigs_core.errors import UserInputError

        recommender = self._recommender()
        with pytest.raises(UserInputError):
            recommender.score(self._images(1, 32), torch.tensor([recommender.num_users]))
