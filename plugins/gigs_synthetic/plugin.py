"""Registers the ``ground-truth`` recommender (synthetic users' true utility), the ``users:``
dataset format and ``gigs data synth-users``. No torch import here."""

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


def _open_users(location, *, on_bad_image):
    from gigs_core.errors import DataError
    from gigs_synthetic.users import open_users_dataset

    if location is None:
        raise DataError("dataset format 'users' needs a file: 'users:FILE.users.npz'")
    return open_users_dataset(location, on_bad_image=on_bad_image)


def _looks_like_users_file(path: Path) -> bool:
    return path.name.endswith(".users.npz") or (path.suffix == ".npz" and path.is_file())


@hookimpl
def register_datasets(register):
    register("users", _open_users, description="synthetic users file: 'users:FILE' or FILE.users.npz",
             matches=_looks_like_users_file)


@hookimpl
def register_commands(cli):
    from gigs_synthetic.command import synth_users

    cli.commands["data"].add_command(synth_users)
