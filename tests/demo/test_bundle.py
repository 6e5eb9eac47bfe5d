"""The demo bundle: what `gigs demo build --quick` writes loads and is consistent."""

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from gigs_core.cli.main import cli
from gigs_core.errors import DataError, UserInputError
from gigs_demo import SHIPPED_BUNDLE
from gigs_demo.bundle import EVERYONE, CatalogueScores, DemoBundle


def test_quick_bundle_loads(quick_bundle):
    bundle = DemoBundle(quick_bundle)
    manifest = bundle.manifest
    assert manifest["quick"] is True and manifest["seeds"]["everything"] == 0
    assert set(manifest["build"]["commands"]) == {"users", "recommender", "generator", "classifier"}
    assert bundle.segments[-1] == EVERYONE and manifest["demo"]["default_segment"] in bundle.segments
    assert len(bundle.items) == 10 and len({item.category for item in bundle.items}) == 10
    scores = bundle.scores
    size = manifest["catalogue"]["size"]
    assert scores.preference.shape == scores.ground_truth.shape == (len(bundle.segments), size)
    generator, recommender, truth = bundle.generator(), bundle.recommender(), bundle.ground_truth()
    assert recommender.num_users == truth.num_users
    # the table's row for a bundled item is that item's score, computed the way the demo computes it
    from gigs_core.imaging import conform, load_image

    item = bundle.items[0]
    image = conform(load_image(item.path), generator.resolution, generator.channels)
    group = bundle.group_users(truth, "everyone")
    with torch.no_grad():
        assert float(recommender.group_score(image, group)) == pytest.approx(
            float(scores.preference[scores.row("everyone"), item.catalogue_id]), abs=1e-4)
        assert float(truth.group_score(image, group)) == pytest.approx(
            float(scores.ground_truth[scores.row("everyone"), item.catalogue_id]), abs=1e-4)


def test_rank_counts_strictly_better_items():
    table = np.array([3.0, 1.0, 2.0, 2.0])
    assert CatalogueScores.rank(table, 5.0) == 1
    assert CatalogueScores.rank(table, 2.0) == 2
    assert CatalogueScores.rank(table, 0.0) == 5


def test_missing_or_bad_bundle_is_a_clear_error(tmp_path, quick_bundle):
    with pytest.raises(DataError, match="no demo bundle"):
        DemoBundle(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "something else"}))
    with pytest.raises(DataError, match="not a gigs demo bundle"):
        DemoBundle(tmp_path)
    with pytest.raises(UserInputError, match="out of range"):
        DemoBundle(quick_bundle).item(999)


def test_demo_info_lists_items_and_segments(quick_bundle):
    result = CliRunner().invoke(cli, ["demo", "info", "--bundle", str(quick_bundle)])
    assert result.exit_code == 0 and "minimalist" in result.output and "Trouser" in result.output


@pytest.mark.skipif(not (SHIPPED_BUNDLE / "manifest.json").is_file(), reason="no shipped bundle in this checkout")
def test_shipped_bundle_is_small_and_complete():
    bundle = DemoBundle(SHIPPED_BUNDLE)
    assert bundle.size_bytes() <= 20 * 2**20
    assert bundle.manifest["quick"] is False and bundle.manifest["catalogue"]["size"] == 10_000
    assert bundle.scores.preference.shape == (len(bundle.segments), 10_000)


def test_from_artifacts_finds_the_trained_models(tmp_path):
    from gigs_demo.build import BuildInputs

    for name in ("fmnist-5000.users.npz", "dvbpr-fmnist-5000/best.safetensors", "progan-fmnist32/generator.safetensors",
                 "fmnist-classifier/classifier.safetensors", "fmnist-classifier-e10/classifier.safetensors"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "fmnist-classifier/classifier.json").write_text('{"test_accuracy": 0.90}')
    (tmp_path / "fmnist-classifier-e10/classifier.json").write_text('{"test_accuracy": 0.92}')
    inputs = BuildInputs.from_artifacts(tmp_path)
    assert inputs.users.name == "fmnist-5000.users.npz"
    assert inputs.recommender.parent.name == "dvbpr-fmnist-5000"
    assert inputs.generator.parent.name == "progan-fmnist32"
    assert inputs.classifier.parent.name == "fmnist-classifier-e10"  # the most accurate
    with pytest.raises(UserInputError):
        BuildInputs.from_artifacts(tmp_path / "missing")
