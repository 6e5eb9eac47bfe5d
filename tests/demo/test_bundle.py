"""The demo bundle: what `gigs demo build --quick` writes loads and is consistent."""

import hashlib
import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from gigs_core.cli.main import cli
from gigs_core.errors import DataError, UserInputError
from gigs_core.report.gains import OPTIMISED
from gigs_demo import SHIPPED_BUNDLE
from gigs_demo.bundle import EVERYONE, GROUND_TRUTH, JUDGE, CatalogueScores, DemoBundle


def test_quick_bundle_loads(quick_bundle):
    bundle = DemoBundle(quick_bundle)
    manifest = bundle.manifest
    assert manifest["quick"] is True and manifest["seeds"]["everything"] == 0
    assert set(manifest["build"]["commands"]) == {"users", "recommender", "judge", "generator", "critic", "classifier"}
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
        assert float(bundle.judge().group_score(image, group)) == pytest.approx(
            float(scores.judge[scores.row("everyone"), item.catalogue_id]), abs=1e-4)


def test_the_quick_bundle_has_a_judge_and_the_generators_critic(quick_bundle):
    bundle = DemoBundle(quick_bundle)
    judge, recommender = bundle.judge(), bundle.recommender()
    assert judge.num_users == recommender.num_users
    assert (judge.k, judge.input_size) != (recommender.k, recommender.input_size)  # another model, not a copy
    assert set(bundle.judges()) == {JUDGE, GROUND_TRUTH}
    generator = bundle.generator()
    assert hasattr(generator, "realism_loss")
    fitted_to = json.loads(bundle.path("critic").with_suffix(".json").read_text())["fitted_to"]
    assert fitted_to["sha256"] == hashlib.sha256(bundle.path("generator").read_bytes()).hexdigest()
    spread = bundle.scores.spread("everyone")
    row = bundle.scores.row("everyone")
    assert spread == pytest.approx({OPTIMISED: bundle.scores.preference[row].std(),
                                    GROUND_TRUTH: bundle.scores.ground_truth[row].std(),
                                    JUDGE: bundle.scores.judge[row].std()}, rel=1e-5)


def test_a_bundle_without_judge_or_critic_still_loads(quick_bundle, tmp_path):
    import shutil

    old = shutil.copytree(quick_bundle, tmp_path / "old")
    for role in ("judge", "critic"):
        path = DemoBundle(old).path(role)
        path.unlink()
        path.with_suffix(".json").unlink()
    bundle = DemoBundle(old)
    assert bundle.judge() is None and set(bundle.judges()) == {GROUND_TRUTH}
    assert not hasattr(bundle.generator(), "realism_loss")


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
    assert "judges: dvbpr-judge (DVBPR cnnf-small, K = 4, 32 px" in result.output
    assert "critic (the realism term of --method dvbpr-pm): yes" in result.output


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


def test_a_bundle_rebuilt_from_another_keeps_its_models_and_their_provenance(quick_bundle, tmp_path):
    from gigs_demo.build import BuildInputs, build_bundle
    from gigs_demo.bundle import ALL_FILES

    roles = ("users", "recommender", "judge", "generator", "critic", "classifier")
    first = DemoBundle(build_bundle(tmp_path / "first", quick=True,
                                    inputs=BuildInputs(**{role: DemoBundle(quick_bundle).path(role) for role in roles})))
    for role in roles:
        assert first.manifest["sources"][role] == {"path": str(quick_bundle / ALL_FILES[role])}
        assert first.manifest["sha256"][first.path(role).name] == DemoBundle(quick_bundle).manifest["sha256"][
            first.path(role).name]
    np.testing.assert_array_equal(first.scores.judge, DemoBundle(quick_bundle).scores.judge)
    second = DemoBundle(build_bundle(tmp_path / "second", quick=True,
                                     inputs=BuildInputs(**{role: first.path(role) for role in roles})))
    for role in roles:  # where the first bundle got each model, not just "copied from the first bundle"
        assert second.manifest["sources"][role] == {**first.manifest["sources"][role], "via_bundle": str(first.folder)}
