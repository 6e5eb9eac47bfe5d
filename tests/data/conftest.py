"""Fixtures of the data tests (helpers live in data_helpers.py)."""

import pytest
from data_helpers import make_idx_folder


@pytest.fixture
def idx_folder(tmp_path):
    folder = tmp_path / "fmnist"
    pixels, labels = make_idx_folder(folder, n_train=40, n_test=10)
    return folder, pixels, labels
