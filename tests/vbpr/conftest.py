"""A small catalogue of garment-like boxes with synthetic users whose taste is visual."""

from __future__ import annotations

import pytest

from tests.data.data_helpers import make_idx_folder


@pytest.fixture(scope="session")
def users_spec(tmp_path_factory) -> str:
    """``users:FILE`` of 100 synthetic users with 8 interactions each over 200 images."""
    from gigs_core.data import open_dataset
    from gigs_synthetic.users import synthesize_users

    folder = tmp_path_factory.mktemp("vbpr-data")
    spec = f"fashion-mnist:{folder / 'catalogue'}"
    make_idx_folder(folder / "catalogue", n_train=200, n_test=20)
    users = synthesize_users(open_dataset(spec), num_users=100, interactions_per_user=8, spec=spec)
    return f"users:{users.save(folder / 'users')}"


#: A tiny backbone at a small size: the tests' models build and train in about a second.
TINY = {"model": "resnet10t", "input_size": 32, "k": 8}
