"""The built-in toy backends and the timm extractor against the shared contracts."""

import pytest
import torch

from gigs_core.errors import UserInputError
from gigs_core.factories import create_feature_extractor, create_generator, create_inverter, create_recommender
from gigs_core.protocols import FeatureExtractor
from gigs_core.testing import (
    FeatureExtractorContract,
    GeneratorContract,
    InverterContract,
    LinearRecommenderContract,
    RecommenderContract,
)
from tests import fakes


class TestToyGenerator(GeneratorContract):
    def make_generator(self):
        return create_generator("toy", resolution=16, width=8)


class TestToyGreyGenerator(GeneratorContract):
    def make_generator(self):
        return create_generator("toy", resolution=8, channels=1, width=4)


class TestToyRecommender(LinearRecommenderContract):
    def make_recommender(self):
        return create_recommender("toy", num_users=7)


class TestFakeLinearGenerator(GeneratorContract):
    def make_generator(self):
        return create_generator("linear")


class TestFakePixelRecommender(LinearRecommenderContract):
    def make_recommender(self):
        return create_recommender("pixel")


class TestFakeLayeredGenerator(GeneratorContract):
    def make_generator(self):
        return create_generator("layered")


class TestFakeDistanceRecommender(RecommenderContract):
    def make_recommender(self):
        return create_recommender("distance")


class TestTimmExtractor(FeatureExtractorContract):
    def make_feature_extractor(self):
        return create_feature_extractor("timm", model="resnet18")


class TestTinyCnnExtractor(FeatureExtractorContract):
    def make_feature_extractor(self):
        return fakes.TinyCnn()


class TestLatentOptimizationInverter(InverterContract):
    def make_inverter(self):
        return create_inverter("latent-optimization", steps=30, lr=0.05, perceptual="none")

    def make_generator(self):
        return fakes.LinearGenerator(latent_dim=6)


class TestLatentOptimizationInverterOnLayeredLatents(TestLatentOptimizationInverter):
    def make_generator(self):
        return fakes.LayeredGenerator()


def test_the_distance_recommender_is_not_linear():
    from gigs_core.protocols import LinearRecommender

    assert not isinstance(fakes.DistanceRecommender(), LinearRecommender)


def test_toy_weights_follow_the_seed():
    first, second, other = (create_generator("toy", resolution=8, seed=s) for s in (1, 1, 2))
    z = first.sample_latent(2, generator=torch.Generator().manual_seed(0))
    assert torch.equal(first(z), second(z)) and not torch.equal(first(z), other(z))


@pytest.mark.parametrize("model", ["resnet18", "mobilenetv3_small_050"])
def test_timm_extractor(model):
    extractor = create_feature_extractor("timm", model=model)
    assert isinstance(extractor, FeatureExtractor)
    features = extractor.eval()(torch.rand(2, 1, 40, 40))
    assert features.shape == (2, extractor.feature_dim)


def test_timm_unknown_model_is_a_clear_error():
    with pytest.raises(UserInputError, match="timm has no model 'resnet19'"):
        create_feature_extractor("timm", model="resnet19")


class TestAModuleLeftInTrainingMode:
    """The contract catches a generator handed over in training mode; the registry never hands one."""

    def test_the_contract_fails_it(self):
        contract = type("Contract", (GeneratorContract,), {"make_generator": lambda self: fakes.LinearGenerator()})()
        with pytest.raises(AssertionError, match="training mode"):
            contract.test_factory_returns_evaluation_mode()

    def test_the_registry_returns_it_in_evaluation_mode(self):
        assert fakes.LinearGenerator().training and not create_generator("linear").training
