"""Registers the ``toy`` generator and the ``toy`` recommender."""

from __future__ import annotations

import pydantic

from gigs_core import hookimpl
from gigs_core.options import BackendOptions, ImageChannels


class ToyGeneratorOptions(BackendOptions):
    latent_dim: int = pydantic.Field(64, ge=2)
    resolution: int = pydantic.Field(32, description="output size: 8, 16, 32 or 64")
    channels: ImageChannels = pydantic.Field(3, description="1 (grey) or 3 (RGB)")
    width: int = pydantic.Field(32, ge=4, description="channels of the hidden layers")
    seed: int = 0

    @pydantic.field_validator("resolution")
    @classmethod
    def _power_of_two(cls, value: int) -> int:
        if value not in (8, 16, 32, 64):
            raise ValueError("resolution must be 8, 16, 32 or 64")
        return value


class ToyRecommenderOptions(BackendOptions):
    num_users: int = pydantic.Field(100, ge=1)
    feature_dim: int = pydantic.Field(16, ge=1)
    input_size: int = pydantic.Field(32, ge=8)
    seed: int = 0


def build_generator(options: ToyGeneratorOptions):
    from gigs_toy.models import ToyGenerator

    return ToyGenerator(**options.model_dump())


def build_recommender(options: ToyRecommenderOptions):
    from gigs_toy.models import ToyRecommender

    return ToyRecommender(**options.model_dump())


@hookimpl
def register_generators(register):
    register("toy", ToyGeneratorOptions, build_generator, description="Tiny random-weight conv generator (seconds on CPU; images mean nothing).")


@hookimpl
def register_recommenders(register):
    register("toy", ToyRecommenderOptions, build_recommender, description="Tiny random-weight linear-preference recommender (preferences mean nothing).")
