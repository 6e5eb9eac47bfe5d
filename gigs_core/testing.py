"""Contract tests every backend's test-suite reuses (third parties too).

Subclass in a pytest test module and provide the factory method::

    from gigs_core.testing import GeneratorContract

    class TestMyGan(GeneratorContract):
        def make_generator(self):
            return create_generator("my-gan", width=8)

A backend that can be saved adds :class:`SaveLoadContract` and defines
``reload(self, model, folder)``: save ``model`` into the (empty, temporary) ``folder``
with the backend's own saving code and return it loaded back; the contract checks the
reloaded model computes the same::

    class TestMyGan(GeneratorContract, SaveLoadContract):
        def make_generator(self): ...
        def reload(self, model, folder):
            return load_my_gan(save_my_gan(model, folder / "g.pt"))
"""

from __future__ import annotations

import math

import pytest
import torch

from gigs_core import protocols
from gigs_core.errors import UserInputError


def _images(n: int, size: int, channels: int = 3) -> torch.Tensor:
    return torch.rand(n, channels, size, size, generator=torch.Generator().manual_seed(n + size))


class _Contract:
    """Builds the model under test exactly as the factory returns it (no ``eval()`` here, so
    a factory that returns a module in training mode is caught)."""

    def _model(self):
        return self.make()

    def make(self):  # pragma: no cover - provided by subclasses through make_<kind>
        raise NotImplementedError

    def outputs(self, model) -> torch.Tensor:  # pragma: no cover - provided by subclasses
        raise NotImplementedError



class SaveLoadContract:
    """Mixed into a contract class: the backend's saved file loads back into a model that
    computes the same outputs."""

    def reload(self, model, folder):  # pragma: no cover - provided by subclasses
        raise NotImplementedError

    def test_save_load_round_trip(self, tmp_path):
        model = self._model()
        reloaded = self.reload(model, tmp_path)
        assert reloaded.training == model.training, "the reloaded model comes back in another mode"
        with torch.no_grad():
            torch.testing.assert_close(self.outputs(reloaded), self.outputs(model))


class GeneratorContract(_Contract):
    """Properties every :class:`~gigs_core.protocols.Generator` must have."""

    def make_generator(self):  # pragma: no cover - provided by subclasses
        raise NotImplementedError

    def make(self):
        return self.make_generator()

    def outputs(self, generator) -> torch.Tensor:
        return generator(generator.sample_latent(2, generator=torch.Generator().manual_seed(3)))

    def test_factory_returns_evaluation_mode(self):
        """gigs runs every generator in eval mode with frozen weights, but a factory must return
        it ready to use (BatchNorm in training mode mixes the rows of a batch)."""
        assert not self._model().training, "the factory returned the generator in training mode; call .eval()"

    def test_satisfies_protocol(self):
        generator = self._model()
        assert isinstance(generator, protocols.Generator)
        assert isinstance(generator, torch.nn.Module)
        shape = tuple(generator.latent_shape)
        assert shape and all(isinstance(size, int) and size > 0 for size in shape)
        assert generator.resolution > 0 and generator.channels in (1, 3)

    def test_output_shape_and_range(self):
        generator = self._model()
        z = generator.sample_latent(3, generator=torch.Generator().manual_seed(0))
        assert z.shape == (3, *generator.latent_shape)
        with torch.no_grad():
            images = generator(z)
        assert images.shape == (3, generator.channels, generator.resolution, generator.resolution)
        assert images.dtype == z.dtype
        assert float(images.min()) >= 0.0 and float(images.max()) <= 1.0

    def test_sample_latent_is_seeded(self):
        generator = self._model()
        first = generator.sample_latent(2, generator=torch.Generator().manual_seed(7))
        second = generator.sample_latent(2, generator=torch.Generator().manual_seed(7))
        other = generator.sample_latent(2, generator=torch.Generator().manual_seed(8))
        assert torch.equal(first, second)
        assert not torch.equal(first, other)

    def test_project_latent_keeps_shape_and_is_idempotent(self):
        generator = self._model()
        z = generator.sample_latent(3, generator=torch.Generator().manual_seed(4))
        shifted = z + 0.5 * torch.randn(z.shape, generator=torch.Generator().manual_seed(5)).to(z)
        projected = generator.project_latent(shifted)
        assert projected.shape == z.shape and torch.isfinite(projected).all()
        torch.testing.assert_close(generator.project_latent(projected), projected, atol=1e-4, rtol=1e-4)

    def test_project_latent_rows_are_independent(self):
        generator = self._model()
        z = 2 * generator.sample_latent(3, generator=torch.Generator().manual_seed(6)) + 1
        torch.testing.assert_close(generator.project_latent(z)[1:2], generator.project_latent(z[1:2]))

    def test_rows_are_independent(self):
        generator = self._model()
        z = generator.sample_latent(3, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            together = generator(z)
            alone = generator(z[1:2])
        torch.testing.assert_close(together[1:2], alone, atol=1e-5, rtol=1e-4)

    def test_differentiable_in_latent(self):
        generator = self._model()
        z = generator.sample_latent(2, generator=torch.Generator().manual_seed(2)).requires_grad_(True)
        generator(generator.project_latent(z)).mean().backward()
        assert z.grad is not None and torch.isfinite(z.grad).all() and z.grad.abs().sum() > 0

    def test_inversion_start_when_offered(self):
        """The optional ``inversion_start(n)`` (docs/protocols.md): finite latents of the generator's
        shape, device and dtype, each row the same whatever ``n`` is."""
        generator = self._model()
        if not callable(getattr(generator, "inversion_start", None)):
            pytest.skip("the generator offers no inversion_start (an optional method)")
        starts = generator.inversion_start(3)
        prior = generator.sample_latent(1, generator=torch.Generator().manual_seed(0))
        assert starts.shape == (3, *generator.latent_shape)
        assert starts.device == prior.device and starts.dtype == prior.dtype and torch.isfinite(starts).all()
        torch.testing.assert_close(generator.inversion_start(1)[0], starts[2])


class ConditionalGeneratorContract(GeneratorContract):
    """:class:`GeneratorContract` plus the optional ``for_category`` of a generator built to draw
    items' categories (:class:`~gigs_core.protocols.ConditionalGenerator`). Provide
    ``make_generator`` (so built) and ``categories()``: two names of classes it draws."""

    def categories(self) -> list[str]:  # pragma: no cover - provided by subclasses
        raise NotImplementedError

    def test_for_category_gives_a_generator_of_the_same_images_size_that_draws_it(self):
        """Photos are prepared at the generator's size before their category is looked up, and
        items of one class run together: so the same size and channels, the same object per name,
        and different images from the same latent for different classes."""
        generator = self._model()
        assert isinstance(generator, protocols.ConditionalGenerator)
        first_name, second_name = self.categories()[:2]
        first, second = generator.for_category(first_name), generator.for_category(second_name)
        assert generator.for_category(first_name) is first
        for chosen in (first, second):
            assert isinstance(chosen, protocols.Generator)
            assert (chosen.resolution, chosen.channels) == (generator.resolution, generator.channels)
            assert tuple(chosen.latent_shape) == tuple(generator.latent_shape)
        z = first.sample_latent(2, generator=torch.Generator().manual_seed(9))
        with torch.no_grad():
            assert not torch.allclose(first(z), second(z), atol=1e-4)

    def test_an_unknown_category_is_a_one_line_user_error(self):
        with pytest.raises(UserInputError) as info:
            self._model().for_category("no category has this name")
        assert "\n" not in str(info.value)


class RecommenderContract(_Contract):
    """Properties every :class:`~gigs_core.protocols.Recommender` must have."""

    def make_recommender(self):  # pragma: no cover - provided by subclasses
        raise NotImplementedError

    def make(self):
        return self.make_recommender()

    def outputs(self, recommender) -> torch.Tensor:
        return recommender.score(_images(3, 40), torch.arange(min(recommender.num_users, 3)))

    def test_factory_returns_evaluation_mode(self):
        """gigs scores in eval mode with frozen weights, but a factory must return the recommender
        ready to score (dropout and BatchNorm in training mode change its scores)."""
        assert not self._model().training, "the factory returned the recommender in training mode; call .eval()"

    def test_satisfies_protocol(self):
        recommender = self._model()
        assert isinstance(recommender, protocols.Recommender)
        assert isinstance(recommender, torch.nn.Module)
        assert recommender.num_users >= 1

    def test_shapes(self):
        recommender = self._model()
        users = torch.tensor([0, recommender.num_users - 1])
        with torch.no_grad():
            assert recommender.score(_images(3, 40), users).shape == (3, 2)
            assert recommender.group_score(_images(3, 40), users).shape == (3,)

    def test_group_score_is_mean_of_scores(self):
        recommender = self._model()
        users = torch.arange(min(recommender.num_users, 5))
        images = _images(4, 32)
        with torch.no_grad():
            expected = recommender.score(images, users).mean(dim=1)
            actual = recommender.group_score(images, users)
        torch.testing.assert_close(actual, expected, atol=1e-4, rtol=1e-4)

    def test_accepts_any_size_and_grey(self):
        recommender = self._model()
        users = torch.tensor([0])
        with torch.no_grad():
            for images in (_images(2, 17), _images(2, 300), _images(2, 64, channels=1)):
                scores = recommender.score(images, users)
                assert scores.shape == (2, 1) and torch.isfinite(scores).all()

    def test_deterministic_in_eval(self):
        recommender = self._model()
        images = _images(2, 48)
        users = torch.tensor([0])
        with torch.no_grad():
            torch.testing.assert_close(recommender.score(images, users), recommender.score(images, users))

    def test_differentiable_in_images(self):
        recommender = self._model()
        images = _images(2, 32).requires_grad_(True)
        recommender.group_score(images, torch.tensor([0])).sum().backward()
        assert images.grad is not None and torch.isfinite(images.grad).all() and images.grad.abs().sum() > 0

    def test_rejects_out_of_range_users(self):
        recommender = self._model()
        with pytest.raises(UserInputError):
            recommender.score(_images(1, 32), torch.tensor([recommender.num_users]))


class LinearRecommenderContract(RecommenderContract):
    """:class:`RecommenderContract`, and what a :class:`~gigs_core.protocols.LinearRecommender` adds."""

    def test_satisfies_linear_protocol(self):
        assert isinstance(self._model(), protocols.LinearRecommender)

    def test_score_is_inner_product_of_embeddings_and_features(self):
        recommender = self._model()
        users = torch.tensor([0, recommender.num_users - 1])
        images = _images(3, 40)
        with torch.no_grad():
            features = recommender.features(images)
            theta = recommender.user_embeddings(users)
            scores = recommender.score(images, users)
        assert features.ndim == 2 and features.shape[0] == 3
        assert theta.shape == (2, features.shape[1])
        torch.testing.assert_close(scores, features @ theta.T, atol=1e-4, rtol=1e-4)


class FeatureExtractorContract(_Contract):
    """Properties every :class:`~gigs_core.protocols.FeatureExtractor` must have."""

    def make_feature_extractor(self):  # pragma: no cover - provided by subclasses
        raise NotImplementedError

    def make(self):
        return self.make_feature_extractor()

    def outputs(self, extractor) -> torch.Tensor:
        return extractor(_images(2, 40))

    def test_satisfies_protocol(self):
        extractor = self._model()
        assert isinstance(extractor, protocols.FeatureExtractor)
        assert isinstance(extractor, torch.nn.Module) and extractor.feature_dim > 0

    def test_any_size_and_grey(self):
        extractor = self._model()
        with torch.no_grad():
            for images in (_images(2, 17), _images(2, 96), _images(2, 32, channels=1)):
                features = extractor(images)
                assert features.shape == (2, extractor.feature_dim) and torch.isfinite(features).all()

    def test_differentiable_in_images(self):
        extractor = self._model()
        images = _images(2, 32).requires_grad_(True)
        extractor(images).sum().backward()
        assert images.grad is not None and torch.isfinite(images.grad).all() and images.grad.abs().sum() > 0


class InverterContract:
    """Properties every :class:`~gigs_core.protocols.Inverter` must have, checked on the
    generator ``make_generator`` returns: images the generator made are reconstructed
    closer than where the inversion starts, and the latents fit the generator."""

    def make_inverter(self):  # pragma: no cover - provided by subclasses
        raise NotImplementedError

    def make_generator(self):  # pragma: no cover - provided by subclasses
        raise NotImplementedError

    def _setting(self):
        generator = self.make_generator()
        with torch.no_grad():
            truth = generator(generator.sample_latent(2, generator=torch.Generator().manual_seed(11)))
        return self.make_inverter(), generator, truth

    def test_satisfies_protocol(self):
        assert isinstance(self.make_inverter(), protocols.Inverter)

    def test_result_shapes(self):
        inverter, generator, truth = self._setting()
        result = inverter.invert(generator, truth, seeds=[0, 1])
        assert result.latents.shape == (2, *generator.latent_shape)
        assert result.reconstructions.shape == truth.shape
        assert result.losses.shape == (2,) and torch.isfinite(result.losses).all()

    def test_reconstruction_improves_on_the_start(self):
        inverter, generator, truth = self._setting()
        result = inverter.invert(generator, truth, seeds=[0, 1])
        from gigs_core.method.inversion import first_starts

        with torch.no_grad():
            start = generator(first_starts(generator, [0, 1]))
        before = (start - truth).pow(2).flatten(1).mean(1)
        after = (result.reconstructions - truth).pow(2).flatten(1).mean(1)
        assert (after < before).all(), f"MSE before {before.tolist()}, after {after.tolist()}"

    def test_seeded(self):
        inverter, generator, truth = self._setting()
        first = inverter.invert(generator, truth, seeds=[0, 1]).latents
        second = inverter.invert(generator, truth, seeds=[0, 1]).latents
        assert torch.equal(first, second) and math.isfinite(float(first.abs().sum()))


class PerceptualDistanceContract:
    """A perceptual distance (``register_perceptual_distances``): ``make_distance()`` returns it;
    ``image_channels`` and ``image_size`` say what images it takes."""

    image_channels = 3
    image_size = 32

    def make_distance(self):  # pragma: no cover - provided by subclasses
        raise NotImplementedError

    def _pair(self) -> tuple[torch.Tensor, torch.Tensor]:
        shape = (2, self.image_channels, self.image_size, self.image_size)
        return (torch.rand(*shape, generator=torch.Generator().manual_seed(1)),
                torch.rand(*shape, generator=torch.Generator().manual_seed(2)))

    def test_one_non_negative_distance_per_pair_and_none_to_itself(self):
        distance = self.make_distance()
        targets, images = self._pair()
        values = distance(targets, images)
        assert values.shape == (2,) and (values >= 0).all()
        torch.testing.assert_close(distance(targets, targets), torch.zeros(2), rtol=0, atol=1e-6)

    def test_distance_to_fixed_targets_equals_forward_with_the_same_gradient(self):
        distance = self.make_distance()
        if not hasattr(distance, "distance_to"):
            pytest.skip("this distance has no distance_to (optional)")
        targets, images = self._pair()
        through_forward, through_targets = images.clone().requires_grad_(True), images.clone().requires_grad_(True)
        expected, actual = distance(targets, through_forward), distance.distance_to(targets)(through_targets)
        torch.testing.assert_close(actual, expected, rtol=0, atol=1e-6)
        expected.sum().backward()
        actual.sum().backward()
        torch.testing.assert_close(through_targets.grad, through_forward.grad, rtol=0, atol=1e-6)
