"""Registers the ``ground-truth`` recommender (synthetic users' true utility). No torch import here."""

from __future__ import annotations

from pathlib import Path

import pydantic

from gigs_core import hookimpl
from gigs_core.options import BackendOptions


class GroundTruthOptions(BackendOptions):
    """Options of the ``ground-truth`` recommender."""

    users: Path
    """A users file written by ``gigs data synth-users`` (``NAME.users.npz``)."""

    @pydantic.field_validator("users")
    @classmethod
    def _must_exist(cls, value: Path) -> Path:
        if not value.is_file():
            raise ValueError(f"users file {str(value)!r} does not exist")
        return value


def build_ground_truth(options: GroundTruthOptions):
    from gigs_synthetic.recommender import GroundTruthRecommender

    return GroundTruthRecommender.from_file(options.users).eval()


@hookimpl
def register_recommenders(register):
    register(
        "ground-truth",
        GroundTruthOptions,
        build_ground_truth,
        description="The true utility of synthetic users (gigs data synth-users): scores any image by its attributes.",
    )
