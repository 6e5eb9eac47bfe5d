"""Progressive-growing training at a tiny size: files written, resume, CLI, pieces."""

from __future__ import annotations

import json

import pytest
import torch
from click.testing import CliRunner
from progan_helpers import seeded_latents

from gigs_core import create_generator
from gigs_core.errors import UserInputError
from gigs_core.training.images import TrainingImages
from gigs_core.training.run_files import read_log, update_ema
from gigs_progan.training import TrainConfig, reals_at, train


def _reals(n=32, size=8, channels=1):
    data = torch.rand(n, channels, size, size, generator=torch.Generator().manual_seed(0))
    return TrainingImages(range(n), lambda ids: data[list(ids)], resolution=size, channels=channels)


def _config(**overrides):
    settings = dict(resolution=8, channels=1, latent_dim=8, max_features=8, batch_size=4, images_per_phase=12,
                    checkpoint_every=2, log_every=1, grid_samples=4)
    settings.update(overrides)
    return TrainConfig(**settings)


def test_schedule_is_stable_then_fade_and_stable_per_level():
    config = _config(resolution=16, final_images=40)
    assert config.phases() == [(0, False), (1, True), (1, False), (2, True), (2, False)]
    assert [config.steps_in_phase(p) for p in range(5)] == [3, 3, 3, 3, 10]


def test_tiny_run_writes_everything_and_loads(tmp_path):
    result = train(_config(), _reals(), tmp_path)
    assert result.finished and result.steps == 9
    for name in ("generator.safetensors", "generator.json", "generator-plain.safetensors", "state.pt",
                 "log.jsonl", "losses.png"):
        assert (tmp_path / name).is_file(), name
    grids = sorted(p.name for p in (tmp_path / "samples").glob("*.png"))
    assert grids == ["phase00-4px-stable.png", "phase01-8px-fade.png", "phase02-8px-stable.png"]
    records = read_log(tmp_path)
    assert [r["step"] for r in records] == list(range(1, 10))
    assert {r["resolution"] for r in records} == {4, 8}
    fade = [r["alpha"] for r in records if r["phase"].endswith("fade")]
    assert fade == pytest.approx([1 / 3, 2 / 3, 1.0], abs=1e-3)
    assert all(torch.isfinite(torch.tensor([r["d_loss"], r["g_loss"], r["gp"]])).all() for r in records)
    ema = create_generator("progan", checkpoint=tmp_path / "generator.safetensors")
    plain = create_generator("progan", checkpoint=tmp_path / "generator-plain.safetensors", weights="plain")
    assert (ema.resolution, ema.channels, ema.latent_dim) == (8, 1, 8)
    phase = create_generator("progan", checkpoint=tmp_path / "checkpoints" / "phase00-4px-stable.safetensors")
    assert phase.resolution == 4
    z = seeded_latents(2, 8)
    with torch.no_grad():
        assert not torch.equal(ema(z), plain(z))


def test_resume_continues_where_it_stopped(tmp_path):
    whole, split = tmp_path / "whole", tmp_path / "split"
    train(_config(), _reals(), whole)
    first = train(_config(), _reals(), split, max_steps=4)
    assert not first.finished and first.steps == 4
    assert not (split / "generator.safetensors").exists()
    with pytest.raises(UserInputError, match="--resume"):
        train(_config(), _reals(), split)
    with open(split / "log.jsonl", "a") as handle:  # a killed run may have logged past its last save
        handle.write(json.dumps({"step": 5, "phase": "phase01-8px-fade"}) + "\n")
    second = train(_config(), _reals(), split, resume=True)
    assert second.finished and second.steps == 9
    assert [r["step"] for r in read_log(split)] == list(range(1, 10))
    # same seed, same data: the resumed run ends with the very same weights
    a = create_generator("progan", checkpoint=whole / "generator.safetensors")
    b = create_generator("progan", checkpoint=split / "generator.safetensors")
    for (name, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items()):
        torch.testing.assert_close(x, y, msg=name)


def test_a_finished_run_extends_its_last_phase_when_given_more_final_images(tmp_path):
    whole, extended = tmp_path / "whole", tmp_path / "extended"
    train(_config(final_images=24), _reals(), whole)
    assert train(_config(), _reals(), extended).steps == 9
    longer = train(_config(final_images=24), _reals(), extended, resume=True)
    assert longer.finished and longer.steps == 12
    assert [r["step"] for r in read_log(extended)] == list(range(1, 13))
    again = train(_config(final_images=24), _reals(), extended, resume=True)
    assert again.steps == 12  # nothing left to do


def test_a_stop_in_the_last_phase_writes_the_generator_so_far(tmp_path):
    paused = train(_config(), _reals(), tmp_path, max_steps=7)
    assert not paused.finished and paused.generator_path == tmp_path / "generator.safetensors"
    recorded = json.loads((tmp_path / "generator.json").read_text())["training"]
    assert (recorded["steps"], recorded["finished"]) == (7, False)
    snapshot = create_generator("progan", checkpoint=tmp_path / "generator.safetensors")
    assert snapshot.resolution == 8
    done = train(_config(), _reals(), tmp_path, resume=True)
    recorded = json.loads((tmp_path / "generator.json").read_text())["training"]
    assert done.finished and (recorded["steps"], recorded["finished"]) == (9, True)
    final = create_generator("progan", checkpoint=tmp_path / "generator.safetensors")
    z = seeded_latents(2, 8)
    with torch.no_grad():
        assert not torch.equal(snapshot(z), final(z))


def test_resume_without_a_run_is_an_error(tmp_path):
    with pytest.raises(UserInputError, match="nothing to resume"):
        train(_config(), _reals(), tmp_path, resume=True)


def test_reals_fade_like_the_generator():
    images = torch.rand(2, 1, 8, 8)
    four = torch.nn.functional.avg_pool2d(images, 2)
    coarse = torch.nn.functional.interpolate(torch.nn.functional.avg_pool2d(four, 2), scale_factor=2.0)
    torch.testing.assert_close(reals_at(images, 1, 3, 1.0), four)
    torch.testing.assert_close(reals_at(images, 1, 3, 0.25), 0.25 * four + 0.75 * coarse)
    torch.testing.assert_close(reals_at(images, 2, 3, 1.0), images)


def test_ema_update():
    ema, model = torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    before = ema.weight.detach().clone()
    update_ema(ema, model, 0.9)
    torch.testing.assert_close(ema.weight, 0.9 * before + 0.1 * model.weight.detach())


@pytest.mark.skipif(not __import__("pathlib").Path("/usr/share/datasets/fashion-mnist").is_dir(),
                    reason="Debian's dataset-fashion-mnist is not installed")
def test_cli_trains_on_fashion_mnist_and_resumes(tmp_path):
    from gigs_core.cli.main import cli

    out = tmp_path / "run"
    base = ["train", "generator", "--generator", "progan", "--data", "fashion-mnist", "--resolution", "8",
            "--out", str(out), "--latent-dim", "8", "--max-features", "8", "--batch-size", "4",
            "--images-per-phase", "8", "--log-every", "1", "--device", "cpu"]
    runner = CliRunner()
    first = runner.invoke(cli, base + ["--max-steps", "3"])
    assert first.exit_code == 0, first.output
    assert "continue with --resume" in first.output
    again = runner.invoke(cli, base)
    assert again.exit_code == 2 and "--resume" in again.output
    done = runner.invoke(cli, base + ["--resume", "--ema-beta", "0.9", "--lr", "0.002", "--seed", "7"])
    assert done.exit_code == 0, done.output
    settings = json.loads((out / "generator.json").read_text())["training"]["config"]
    # --ema-beta and --lr may change on resume, --seed may not
    assert (settings["ema_beta"], settings["lr"], settings["seed"]) == (0.9, 0.002, 0)
    state = torch.load(out / "state.pt", weights_only=True)
    assert {group["lr"] for name in ("opt_G", "opt_D") for group in state[name]["param_groups"]} == {0.002}
    assert [json.loads(line)["step"] for line in (out / "log.jsonl").read_text().splitlines()] == list(range(1, 7))
    bad = runner.invoke(cli, base[:7] + ["12"] + base[8:])
    assert bad.exit_code == 2 and "power of two" in bad.output
