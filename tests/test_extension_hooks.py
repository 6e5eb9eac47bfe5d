"""A throwaway plugin adds a dataset format, a perceptual distance, a trainer and a
non-linear recommender; each is used through `gigs` commands."""

import json
import sys

import pytest
from click.testing import CliRunner

from gigs_core import plugins
from gigs_core.cli.main import cli
from tests.throwaway import make_distribution

EXTENSIONS = '''
import click
import numpy as np
import torch
from torch import nn

from gigs_core import hookimpl
from gigs_core.data.dataset import Catalogue, Dataset
from gigs_core.imaging import resize
from gigs_core.options import BackendOptions


def open_stripes(location, *, on_bad_image):
    count = int(location or 3)
    images = torch.zeros(count, 1, 8, 8)
    images[:, :, ::2] = 1.0
    catalogue = Catalogue(num_items=count, decode=lambda i: images[i], categories=np.zeros(count, dtype=np.int64),
                          category_names=["stripes"], image_shape=(1, 8, 8))
    return Dataset(catalogue, train=[[0], [1]], name="stripes", on_bad_image=on_bad_image)


class MeanAbsoluteDistance(nn.Module):
    def forward(self, first, second):
        return (first - second).abs().flatten(1).mean(dim=1)


class SquaredPreferenceOptions(BackendOptions):
    num_users: int = 3


class SquaredPreference(nn.Module):
    """Preference (θ_u · pixels)²: not linear in anything the core could average."""

    def __init__(self, num_users):
        super().__init__()
        self.num_users = num_users
        self.theta = nn.Parameter(torch.linspace(-1, 1, num_users * 64).view(num_users, 64))

    def score(self, images, users):
        pixels = resize(images.mean(dim=1, keepdim=True), 8).flatten(1)
        return (pixels @ self.theta[users].T).pow(2)

    def group_score(self, images, users):
        return self.score(images, users).mean(dim=1)


@click.command()
@click.option("--out", required=True, type=click.Path())
@click.option("--epochs", default=1, type=int)
def train_constant(out, epochs):
    """Write what it was asked to train."""
    with open(out, "w") as handle:
        handle.write(f"constant recommender, {epochs} epochs")


@hookimpl
def register_datasets(register):
    register("stripes", open_stripes, description="striped squares: 'stripes:N'")


@hookimpl
def register_perceptual_distances(register):
    register("mean-abs", lambda argument: MeanAbsoluteDistance(), description="mean absolute pixel difference")


@hookimpl
def register_trainers(register):
    register("recommender", "constant", train_constant)


@hookimpl
def register_recommenders(register):
    register("squared", SquaredPreferenceOptions, lambda o: SquaredPreference(o.num_users))
'''

CLASHING_TRAINER = '''
import click
from gigs_core import hookimpl

@hookimpl
def register_trainers(register):
    register("recommender", "constant", click.Command("constant", callback=lambda: None))
'''

FAST_TOML = '[shift]\npredictor_trunk = "tiny-cnn"\npredictor_trunk_options = {}\n'


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    make_distribution(tmp_path, "gigs-extras", "0.3", "extras", "gigs_extras", EXTENSIONS)
    plugins.reset()
    plugins.register_plugin(__import__("tests.fakes", fromlist=["FakesPlugin"]).FakesPlugin(), name="test-fakes")
    yield tmp_path
    sys.modules.pop("gigs_extras", None)
    plugins.reset()


def test_a_plugin_dataset_format_is_read_by_gigs_data_info(site):
    result = CliRunner().invoke(cli, ["data", "info", "stripes:5"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["name"], summary["items"], summary["users"]) == ("stripes", 5, 2)
    assert summary["categories"] == ["stripes"] and summary["image_shape"] == [1, 8, 8]


def test_a_plugin_perceptual_distance_and_nonlinear_recommender_run_through_gigs_run(site, tmp_path):
    from PIL import Image

    photo = tmp_path / "shoe.png"
    Image.new("L", (8, 8), color=128).save(photo)
    config = tmp_path / "fast.toml"
    config.write_text(FAST_TOML)
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", "-g", "linear", "-r", "squared", "-i", str(photo), "--steps", "3",
                                      "--n", "2", "--perceptual", "mean-abs", "--config", str(config), "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["perceptual_distance"] == "mean-abs"
    assert report["backends"]["recommender"]["name"] == "squared"
    scores = report["items"][0]["variant_preferences"]
    assert len(scores) == 2 and all(score >= 0 for score in scores)  # squares are never negative


def test_a_plugin_trainer_is_dispatched_by_gigs_train(site, tmp_path):
    out = tmp_path / "trained.txt"
    result = CliRunner().invoke(cli, ["train", "recommender", "--recommender", "constant", "--out", str(out),
                                      "--epochs", "4"])
    assert result.exit_code == 0, result.output
    assert out.read_text() == "constant recommender, 4 epochs"
    listing = CliRunner().invoke(cli, ["train", "recommender", "--help"])
    assert "constant" in listing.output and "dvbpr" in listing.output  # both trainers, neither replaced


def test_a_trainer_name_claimed_by_two_plugins_is_an_error_naming_both(site, tmp_path):
    make_distribution(tmp_path, "gigs-clash", "0.1", "clash", "gigs_clash", CLASHING_TRAINER)
    plugins.reset()
    try:
        with pytest.warns(plugins.GigsPluginWarning, match="'extras' and 'clash'|'clash' and 'extras'"):
            result = CliRunner().invoke(cli, ["train", "recommender", "--recommender", "constant",
                                              "--out", str(tmp_path / "x")])
        assert result.exit_code == 1
        assert "'extras'" in result.output and "'clash'" in result.output
        assert not (tmp_path / "x").exists()
    finally:
        sys.modules.pop("gigs_clash", None)


def test_an_unknown_perceptual_distance_lists_the_registered_ones(site, tmp_path):
    result = CliRunner().invoke(cli, ["run", "-g", "linear", "-r", "squared", "--perceptual", "nope",
                                      "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "mean-abs" in result.output and "lpips-vgg" in result.output and "domain:…" in result.output
