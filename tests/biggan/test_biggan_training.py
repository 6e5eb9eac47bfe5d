"""The biggan trainer: resuming is exact, the saved folder is a biggan generator with the
catalogue's labels and standing statistics, the training pieces do what they claim (power
iteration, batch statistics, the projection score), and bad settings are one line."""

from __future__ import annotations

import json

import pytest
import torch
from click.testing import CliRunner

from gigs_biggan.discriminator import ProjectionDiscriminator
from gigs_biggan.layers import SNConv2d
from gigs_biggan.loading import fresh_network
from gigs_biggan.saving import fill_standing_statistics
from gigs_biggan.training import BigGanTrainConfig, train
from gigs_core import create_generator
from gigs_core.cli.main import cli
from gigs_core.training.images import TrainingImages
from gigs_core.training.run_files import read_log
from tests.catalogue_helpers import write_catalogue

LABELS = ("T-shirt", "Trouser", "Bag")
TINY = {"labels": LABELS, "channel_width": 4, "z_dim": 8, "d_width": 4, "batch_size": 4, "checkpoint_every": 3,
        "log_every": 1, "grid_columns": 2, "standing_samples": 4}


def catalogue(n=6, seed=0):
    data = torch.rand(n, 3, 32, 32, generator=torch.Generator().manual_seed(seed)) * 2 - 1
    images = TrainingImages(range(n), lambda ids: (data[list(ids)] + 1) / 2, resolution=32, channels=3)
    return images, torch.arange(n) % len(LABELS)


def saved_weights(folder):
    return torch.load(folder / "generator" / "pytorch_model.bin", weights_only=True)


def test_a_resumed_run_equals_an_uninterrupted_one(tmp_path):
    config = BigGanTrainConfig(**TINY, steps=4)
    whole = train(config, *catalogue(), tmp_path / "whole")
    first = train(config, *catalogue(), tmp_path / "split", max_steps=3)
    assert (first.steps, first.finished) == (3, False)
    second = train(config, *catalogue(), tmp_path / "split", resume=True)
    assert (whole.steps, whole.finished, second.steps, second.finished) == (4, True, 4, True)
    expected, actual = saved_weights(tmp_path / "whole"), saved_weights(tmp_path / "split")
    assert expected.keys() == actual.keys()
    assert all(torch.equal(expected[key], actual[key]) for key in expected)
    whole_state = torch.load(tmp_path / "whole" / "state.pt", weights_only=True)
    split_state = torch.load(tmp_path / "split" / "state.pt", weights_only=True)
    for part in ("generator", "discriminator"):
        assert all(torch.equal(whole_state[part][key], split_state[part][key]) for key in whole_state[part])
    assert [record["step"] for record in read_log(tmp_path / "split")] == [1, 2, 3, 4]
    assert [(record["loss_d"], record["loss_g"]) for record in read_log(tmp_path / "split")] == \
        [(record["loss_d"], record["loss_g"]) for record in read_log(tmp_path / "whole")]
    assert not torch.equal(whole_state["generator"]["embeddings.weight"], whole_state["ema"]["embeddings.weight"])


def test_the_saved_folder_is_a_biggan_generator_with_the_catalogues_labels(tmp_path):
    train(BigGanTrainConfig(**TINY, steps=3), *catalogue(), tmp_path)
    config = json.loads((tmp_path / "generator" / "config.json").read_text())
    assert config["labels"] == list(LABELS) and config["training"]["steps"] == 3
    generator = create_generator("biggan", checkpoint=tmp_path / "generator", class_name="trouser", truncation=0.5)
    assert (generator.class_index, generator.num_classes, generator.resolution) == (1, 3, 32)
    images = generator(generator.sample_latent(2, generator=torch.Generator().manual_seed(0)))
    assert images.shape == (2, 3, 32, 32) and 0 <= images.min() and images.max() <= 1
    running_vars = [value for key, value in saved_weights(tmp_path).items() if key.endswith("running_vars")]
    assert all(not torch.equal(rows[0], rows[-1]) for rows in running_vars)  # statistics differ per truncation
    assert sorted(path.name for path in (tmp_path / "samples").iterdir()) == ["step-0000003.png"]
    from PIL import Image

    with Image.open(tmp_path / "samples" / "step-0000003.png") as grid:  # one row per class, 2 samples each
        assert grid.size == (2 * 65 + 1, 3 * 65 + 1)
    assert (tmp_path / "losses.png").is_file()


def test_standing_statistics_are_the_batch_statistics_at_each_truncation():
    network = fresh_network(resolution=32, channel_width=4, z_dim=8, num_classes=3, seed=1).eval()
    fill_standing_statistics(network, samples=5, batch_size=5, seed=7)
    from gigs_biggan.latent import truncated_normal

    rng = torch.Generator().manual_seed(7)  # the draws fill_standing_statistics makes
    noise, classes = truncated_normal((5, 8), generator=rng).float(), torch.randint(3, (5,), generator=rng)
    first_norm, synthesis = network.generator.layers[0].bn_0, network.generator
    for row in (0, 20, 50):
        truncation = row / 50
        condition = torch.cat([truncation * noise, network.embeddings.weight[:, classes].t()], dim=1)
        with torch.no_grad():
            start = synthesis.gen_z(condition).view(-1, 4, 4, synthesis.start_channels).permute(0, 3, 1, 2)
        torch.testing.assert_close(first_norm.running_means[row], start.mean(dim=(0, 2, 3)), atol=1e-5, rtol=1e-4)
        torch.testing.assert_close(first_norm.running_vars[row], start.var(dim=(0, 2, 3), unbiased=False),
                                   atol=1e-5, rtol=1e-4)
    assert not network.training  # the mode it was in


def test_power_iteration_finds_the_spectral_norm():
    conv = SNConv2d(6, 5, 3)
    conv.weight_u.copy_(torch.ones(5))
    for _ in range(200):
        conv.power_iteration()
    sigma = torch.dot(conv.weight_u, conv.weight_orig.flatten(1) @ conv.weight_v)
    torch.testing.assert_close(sigma, torch.linalg.matrix_norm(conv.weight_orig.flatten(1), ord=2))


def test_the_projection_discriminator_scores_classes_by_an_inner_product():
    discriminator = ProjectionDiscriminator(resolution=32, channels=3, width=4, num_classes=3)
    discriminator.set_singular_vectors()
    images = torch.rand(2, 3, 32, 32)
    features = torch.relu(discriminator.blocks(images)).sum(dim=(2, 3))
    embedding = discriminator.embedding.normalized_weight()  # features × classes
    difference = discriminator(images, torch.tensor([0, 0])) - discriminator(images, torch.tensor([2, 2]))
    torch.testing.assert_close(difference, features @ (embedding[:, 0] - embedding[:, 2]), atol=1e-5, rtol=1e-5)


def test_training_mode_normalises_by_the_batch():
    network = fresh_network(resolution=32, channel_width=4, z_dim=8, num_classes=3, seed=0)
    norm = network.generator.bn  # not conditional: weight 1, bias 0
    inputs = 3 + 2 * torch.randn(6, norm.weight.shape[0], 4, 4, generator=torch.Generator().manual_seed(0))
    trained = norm.train()(inputs, 1.0)
    torch.testing.assert_close(trained.mean(dim=(0, 2, 3)), torch.zeros(inputs.shape[1]), atol=1e-5, rtol=0)
    torch.testing.assert_close(norm.eval()(inputs, 1.0), inputs / (1 + norm.eps) ** 0.5)  # stored 0 and 1


def test_the_command_trains_resumes_and_refuses_mistakes(tmp_path):
    data_dir = write_catalogue(tmp_path / "shop")
    out = tmp_path / "run"
    args = ["train", "generator", "--generator", "biggan", "--data", f"csv:{data_dir}", "--channel-width", "4",
            "--z-dim", "8", "--d-width", "4", "--batch-size", "2", "--standing-samples", "2", "--steps", "1",
            "--out", str(out)]
    runner = CliRunner()
    done = runner.invoke(cli, args)
    assert done.exit_code == 0, done.output
    assert "done: 1 steps" in done.output
    assert json.loads((out / "generator" / "config.json").read_text())["labels"] == ["bag", "shoe"]
    again = runner.invoke(cli, args)
    assert again.exit_code == 2 and "--resume" in again.output and len(again.output.strip().splitlines()) == 1
    longer = runner.invoke(cli, [*args, "--resume", "--steps", "2"])
    assert longer.exit_code == 0 and "done: 2 steps" in longer.output, longer.output


@pytest.mark.parametrize(("flag", "value", "message"), [
    ("--steps", "0", "--steps must be positive, got 0"),
    ("--d-steps", "-1", "--d-steps must be positive, got -1"),
    ("--resolution", "48", "--resolution must be a power of two ≥ 32"),
    ("--channel-width", "2", "--channel-width must be at least 4, got 2"),
    ("--standing-samples", "0", "--standing-samples must be positive, got 0"),
    ("--lr-d", "0", "--lr-d must be positive, got 0.0"),
    ("--ema-beta", "1", "--ema-beta must be in [0, 1), got 1.0"),
    ("--resume", None, "nothing to resume"),
])
def test_bad_settings_are_refused_before_the_data_loads(tmp_path, flag, value, message):
    args = ["train", "generator", "--generator", "biggan", "--data", "csv:/no/such/catalogue",
            "--out", str(tmp_path / "x"), flag, *([value] if value is not None else [])]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and message in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_a_catalogue_without_categories_is_refused(tmp_path):
    data_dir = write_catalogue(tmp_path / "shop", categories=False)
    result = CliRunner().invoke(cli, ["train", "generator", "--generator", "biggan", "--data", f"csv:{data_dir}",
                                      "--out", str(tmp_path / "run")])
    assert result.exit_code == 2 and "has no items with a category" in result.output
    assert not (tmp_path / "run").exists()
