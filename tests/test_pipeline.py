import json
from importlib import metadata

import pytest
import torch

from gigs_core.errors import UserInputError
from gigs_core.factories import create_generator, create_recommender
from gigs_core.method.pipeline import run_gigs
from gigs_core.report import result as result_module


@pytest.fixture
def backends():
    return create_generator("linear"), create_recommender("pixel")


def test_item_mode_scores_and_shapes(backends, fast_config):
    generator, recommender = backends
    items = torch.rand(2, 3, 20, 30, generator=torch.Generator().manual_seed(0))
    run = run_gigs(generator, recommender, items, users="0,2", config=fast_config, seeds=[1, 2])
    assert run.mode == "item" and run.users == [0, 2] and run.perceptual == "none"
    for index, item in enumerate(run.items):
        assert item.item.shape == (1, 8, 8)
        assert item.variants.shape == (4, 1, 8, 8)
        with torch.no_grad():
            expected = recommender.group_score(items[index : index + 1], torch.tensor([0, 2]))
            variants = recommender.group_score(item.variants, torch.tensor([0, 2]))
        assert item.item_preference == pytest.approx(float(expected), abs=1e-5)
        assert item.variant_preferences == pytest.approx(variants.tolist(), abs=1e-5)
        assert len(item.preference_history) == fast_config.shift.steps


def test_int_seed_means_consecutive_seeds(backends, fast_config):
    generator, recommender = backends
    items = torch.rand(2, 1, 8, 8, generator=torch.Generator().manual_seed(3))
    together = run_gigs(generator, recommender, items, config=fast_config, seeds=10)
    second = run_gigs(generator, recommender, items[1:], config=fast_config, seeds=11)
    torch.testing.assert_close(together.items[1].variants, second.items[0].variants, atol=1e-5, rtol=1e-4)


def test_class_level_mode_samples_base_latents(backends, fast_config):
    generator, recommender = backends
    config = fast_config.merged({"shift": {"steps": 100}})
    run = run_gigs(generator, recommender, None, config=config, seeds=4, class_level_count=3)
    assert run.mode == "class-level" and len(run.items) == 3
    assert all(item.item is None and item.item_preference is None for item in run.items)
    assert not torch.equal(run.items[0].base_latent, run.items[1].base_latent)
    torch.testing.assert_close(run.items[0].base_latent.std(), torch.tensor(1.0))
    assert all(item.mean_gain > 0 for item in run.items)


def test_bad_inputs(backends, fast_config):
    generator, recommender = backends
    with pytest.raises(UserInputError, match="out of range"):
        run_gigs(generator, recommender, torch.rand(1, 1, 8, 8), users=[7], config=fast_config)
    with pytest.raises(UserInputError, match="one seed per item"):
        run_gigs(generator, recommender, torch.rand(2, 1, 8, 8), config=fast_config, seeds=[1])
    with pytest.raises(UserInputError, match="1 or 3 channels"):
        run_gigs(generator, recommender, torch.rand(1, 4, 8, 8), config=fast_config)


def test_save_writes_pngs_sheet_and_report(tmp_path, backends, fast_config):
    generator, recommender = backends
    run = run_gigs(generator, recommender, torch.rand(1, 1, 8, 8), config=fast_config, item_names=["shoe"])
    folder = run.save(tmp_path / "run")
    names = sorted(p.name for p in (folder / "shoe").iterdir())
    assert names == ["item.png", "reconstruction.png"] + [f"variant_{i:02d}.png" for i in range(4)]
    assert (folder / "contact_sheet.png").stat().st_size > 0
    report = json.loads((folder / "report.json").read_text())
    assert report["config"]["shift"]["n"] == 4
    assert report["perceptual_distance"] == "none"
    assert report["items"][0]["variant_preferences"] == pytest.approx(run.items[0].variant_preferences)
    assert report["versions"]["torch"] == metadata.version("torch")
    assert report["backends"]["generator"]["class"].endswith("LinearGenerator")


def test_save_is_atomic(tmp_path, backends, fast_config, monkeypatch):
    generator, recommender = backends
    run = run_gigs(generator, recommender, torch.rand(1, 1, 8, 8), config=fast_config)
    target = tmp_path / "run"
    run.save(target)
    before = sorted(p.relative_to(target) for p in target.rglob("*"))

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(result_module, "render_contact_sheet", broken)
    with pytest.raises(OSError):
        run.save(target, overwrite=True)
    assert sorted(p.relative_to(target) for p in target.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    with pytest.raises(OSError):
        run.save(tmp_path / "fresh")
    assert not (tmp_path / "fresh").exists()
    with pytest.raises(UserInputError, match="already exists"):
        run.save(target)


def test_saved_files_get_ordinary_permissions(tmp_path, backends, fast_config):
    import os

    generator, recommender = backends
    run = run_gigs(generator, recommender, torch.rand(1, 1, 8, 8), config=fast_config)
    folder = run.save(tmp_path / "run")
    umask = os.umask(0)
    os.umask(umask)
    assert folder.stat().st_mode & 0o777 == 0o777 & ~umask
    assert (folder / "report.json").stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_layered_latent_and_a_nonlinear_recommender_run_end_to_end(fast_config, tmp_path):
    generator, recommender = create_generator("layered"), create_recommender("distance")
    items = torch.rand(1, 1, 8, 8, generator=torch.Generator().manual_seed(4))
    run = run_gigs(generator, recommender, items, users="all", config=fast_config, seeds=[0])
    item = run.items[0]
    assert item.base_latent.shape == (3, 4) and item.shifts.shape == (fast_config.shift.n, 3, 4)
    with torch.no_grad():
        expected = recommender.group_score(item.variants, torch.arange(4))
    assert item.variant_preferences == pytest.approx(expected.tolist(), abs=1e-5)
    report = json.loads((run.save(tmp_path / "run") / "report.json").read_text())
    assert report["items"][0]["variant_preferences"] == pytest.approx(item.variant_preferences)
