import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest
import torch

from gigs_core import plugins
from gigs_core.config import GigsConfig
from tests.fakes import FakesPlugin

torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def isolated_working_directory(tmp_path_factory, monkeypatch):
    """Every test runs in a fresh empty folder, so nothing a test writes by default (e.g.
    `gigs run`'s ./gigs-run) lands in, or depends on, the folder pytest was started from."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture(autouse=True)
def fakes_plugin():
    """The test backends, registered like any plugin, for every test."""
    plugins.register_plugin(FakesPlugin(), name="test-fakes")
    yield
    if plugins.plugin_manager().has_plugin("test-fakes"):
        plugins.unregister_plugin("test-fakes")


@pytest.fixture
def fast_config() -> GigsConfig:
    """Few steps, MSE-only inversion and the tiny predictor trunk."""
    return GigsConfig().merged(
        {
            "inversion": {"steps": 30, "perceptual": "none", "lr": 0.05},
            "shift": {"steps": 30, "n": 4, "predictor_trunk": "tiny-cnn", "predictor_trunk_options": {}},
        }
    )
