"""The stylegan2 trainer: the discriminator has the published layout (rosinality's key names)
at any size, the training pieces do what they claim (minibatch standard deviation, R1,
style mixing, the lazy-regularisation correction, the EMA half-life), a few steps give
finite losses, the saved ``generator.pt`` is a rosinality training checkpoint the
``stylegan2`` generator loads as the trained g_ema, resuming is exact, and bad settings are
one line."""

from __future__ import annotations

import argparse
import json
import math

import pytest
import torch
from click.testing import CliRunner

from gigs_core import create_generator
from gigs_core.cli.main import cli
from gigs_core.training.images import TrainingImages
from gigs_core.training.run_files import read_log
from gigs_stylegan2.architecture import Architecture, standard_channels
from gigs_stylegan2.discriminator import StyleGan2Discriminator, minibatch_stddev
from gigs_stylegan2.loading import estimate_mean_w
from gigs_stylegan2.network import StyleGan2Network
from gigs_stylegan2.rosinality_format import read_file
from gigs_stylegan2.training import StyleGan2TrainConfig, _Run, mixed_styles, r1_penalty, train
from tests.catalogue_helpers import write_catalogue

TINY = {"resolution": 8, "style_dim": 8, "n_mlp": 2, "max_channels": 8, "batch_size": 4, "r1_every": 2,
        "mixing": 0.5, "checkpoint_every": 3, "log_every": 1, "grid_samples": 4}


def catalogue(n=8, size=8, seed=0):
    data = torch.rand(n, 3, size, size, generator=torch.Generator().manual_seed(seed))
    return TrainingImages(range(n), lambda ids: data[list(ids)], resolution=size, channels=3)


def rosinality_discriminator_keys(channels):
    """The state-dict keys of rosinality's ``Discriminator`` with this channel table, and their shapes."""
    keys = {"convs.0.0.weight": (channels[-1], 3, 1, 1), "convs.0.1.bias": (channels[-1],)}
    for block, level in enumerate(range(len(channels) - 1, 0, -1), start=1):
        wide, narrow = channels[level], channels[level - 1]
        keys |= {f"convs.{block}.conv1.0.weight": (wide, wide, 3, 3), f"convs.{block}.conv1.1.bias": (wide,),
                 f"convs.{block}.conv2.0.kernel": (4, 4), f"convs.{block}.conv2.1.weight": (narrow, wide, 3, 3),
                 f"convs.{block}.conv2.2.bias": (narrow,), f"convs.{block}.skip.0.kernel": (4, 4),
                 f"convs.{block}.skip.1.weight": (narrow, wide, 1, 1)}
    last = channels[0]
    return keys | {"final_conv.0.weight": (last, last + 1, 3, 3), "final_conv.1.bias": (last,),
                   "final_linear.0.weight": (last, 16 * last), "final_linear.0.bias": (last,),
                   "final_linear.1.weight": (1, last), "final_linear.1.bias": (1,)}


@pytest.mark.parametrize(("size", "multiplier", "cap"), [(8, 2, 16), (64, 1, 64)])
def test_the_discriminator_has_the_published_layout(size, multiplier, cap):
    channels = standard_channels(size, multiplier, cap)
    discriminator = StyleGan2Discriminator.standard(size, multiplier, cap)
    shapes = {key: tuple(value.shape) for key, value in discriminator.state_dict().items()}
    assert shapes == rosinality_discriminator_keys(channels)
    images = torch.rand(8, 3, size, size) * 2 - 1
    assert discriminator.convs(images).shape == (8, channels[0], 4, 4)  # one residual block per halving
    assert discriminator(images).shape == (8, 1)
    with pytest.raises(ValueError, match="at least 8 px"):
        StyleGan2Discriminator(standard_channels(4))


def test_minibatch_stddev_is_the_spread_within_each_group_of_four():
    x = torch.randn(8, 3, 4, 4, generator=torch.Generator().manual_seed(0))
    out = minibatch_stddev(x)
    assert out.shape == (8, 4, 4, 4) and torch.equal(out[:, :3], x)
    for sample in range(8):
        group = x[sample % 2::2]  # samples i, i + N/G, … with G = 4 groups of N/G = 2 positions
        expected = torch.sqrt(group.var(dim=0, unbiased=False) + 1e-8).mean()
        torch.testing.assert_close(out[sample, 3], torch.full((4, 4), float(expected)))
    small = torch.randn(2, 3, 4, 4)  # a batch below 4 is one group
    torch.testing.assert_close(minibatch_stddev(small)[0, 3, 0, 0], torch.sqrt(small.var(0, unbiased=False) + 1e-8).mean())
    with pytest.raises(ValueError, match="groups of 4"):
        minibatch_stddev(torch.randn(6, 3, 4, 4))


def test_r1_is_the_squared_gradient_norm_on_reals():
    slope = torch.randn(3, 8, 8, generator=torch.Generator().manual_seed(1))

    class Linear(torch.nn.Module):  # D(x) = <slope, x>: ∇D = slope everywhere
        def forward(self, x):
            return (x * slope).flatten(1).sum(dim=1, keepdim=True)

    torch.testing.assert_close(r1_penalty(Linear(), torch.rand(4, 3, 8, 8)), slope.pow(2).sum())


def test_style_mixing_swaps_latents_at_one_crossover_row_per_batch():
    network = StyleGan2Network(Architecture(style_dim=8, n_mlp=2, channels=(8, 8, 8)))
    rows = network.arch.n_latent
    crossovers = set()
    with torch.no_grad():
        for seed in range(40):
            styles = mixed_styles(network, 3, 1.0, torch.Generator().manual_seed(seed))
            changes = [row for row in range(1, rows) if not torch.equal(styles[:, row], styles[:, row - 1])]
            assert len(changes) == 1  # two latents, one crossover for the whole batch
            crossovers.add(changes[0])
            plain = mixed_styles(network, 3, 0.0, torch.Generator().manual_seed(seed))
            assert torch.equal(plain, plain[:, :1].expand(-1, rows, -1))
            assert torch.equal(plain[:, 0], styles[:, 0])  # the same draws whichever way it goes
    assert crossovers == set(range(1, rows))


def test_adam_and_the_moving_average_follow_the_paper():
    run = _Run(StyleGan2TrainConfig(**{**TINY, "r1_every": 16, "batch_size": 32}), torch.device("cpu"))
    (g_group,), (d_group,) = run.optimizer_g.param_groups, run.optimizer_d.param_groups
    assert (g_group["lr"], g_group["betas"]) == (0.002, (0.0, 0.99))
    c = 16 / 17  # lazy R1 every 16 steps
    assert d_group["lr"] == pytest.approx(0.002 * c) and d_group["betas"] == pytest.approx((0.0, 0.99 ** c))
    assert run.config.ema_beta == pytest.approx(0.5 ** (32 / (10 * 1000)))  # rosinality's accum at batch 32
    unregularised = _Run(StyleGan2TrainConfig(**{**TINY, "r1_gamma": 0.0}), torch.device("cpu"))
    assert unregularised.optimizer_d.param_groups[0]["lr"] == 0.002
    mapping = run.generator.style[1]
    assert mapping.lr_mul == 0.01  # the mapping network learns at 0.01× the rate


def test_a_few_steps_give_finite_losses_and_train_every_network(tmp_path):
    config = StyleGan2TrainConfig(**TINY, steps=3)
    train(config, catalogue(), tmp_path)
    records = read_log(tmp_path)
    assert [record["step"] for record in records] == [1, 2, 3]
    assert [("r1" in record) for record in records] == [True, False, True]  # steps 0 and 2 of every 2
    assert all(math.isfinite(value) for record in records for value in record.values())
    state = torch.load(tmp_path / "state.pt", weights_only=True)
    start = _Run(config, torch.device("cpu"))
    for part, initial in (("generator", start.generator), ("discriminator", start.discriminator), ("ema", start.ema)):
        trained = state[part]
        assert any(not torch.equal(trained[key], value) for key, value in initial.state_dict().items()), part
    assert not torch.equal(state["ema"]["conv1.conv.weight"], state["generator"]["conv1.conv.weight"])
    assert sorted(path.name for path in (tmp_path / "samples").iterdir()) == ["step-0000003.png"]
    assert (tmp_path / "losses.png").is_file()


def test_the_saved_checkpoint_is_rosinalitys_layout_and_loads_as_the_trained_g_ema(tmp_path):
    config = StyleGan2TrainConfig(**TINY, steps=2)
    train(config, catalogue(), tmp_path)
    saved = read_file(tmp_path / "generator.pt")
    assert set(saved) == {"g", "d", "g_ema", "g_optim", "d_optim", "args", "ada_aug_p", "latent_avg"}
    assert isinstance(saved["args"], argparse.Namespace) and saved["args"].arch == "stylegan2"
    assert (saved["args"].size, saved["args"].latent, saved["args"].n_mlp) == (8, 8, 2)
    state = torch.load(tmp_path / "state.pt", weights_only=True)  # the run as it was in memory
    for layout_key, state_key in (("g", "generator"), ("d", "discriminator"), ("g_ema", "ema")):
        assert saved[layout_key].keys() == state[state_key].keys()
        assert all(torch.equal(saved[layout_key][key], state[state_key][key]) for key in saved[layout_key])
    assert saved["d"].keys() == rosinality_discriminator_keys(config.channels()).keys()
    ema = StyleGan2Network(Architecture(style_dim=8, n_mlp=2, channels=config.channels()))
    ema.load_state_dict(state["ema"], strict=True)
    torch.testing.assert_close(saved["latent_avg"], estimate_mean_w(ema), rtol=0, atol=0)

    generator = create_generator("stylegan2", checkpoint=tmp_path / "generator.pt", latent_space="z")
    z = torch.randn(3, 8, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        expected = ((ema.synthesis(ema.mapping(z)[:, None].expand(-1, 4, -1)) + 1) / 2).clamp(0, 1)
        assert torch.equal(generator(z), expected)
    assert torch.equal(generator.latent_avg, saved["latent_avg"])
    record = json.loads((tmp_path / "generator.json").read_text())
    assert record["training"]["steps"] == 2 and record["checkpoint"] == "generator.pt"


def test_a_resumed_run_equals_an_uninterrupted_one(tmp_path):
    config = StyleGan2TrainConfig(**TINY, steps=4)
    whole = train(config, catalogue(), tmp_path / "whole")
    first = train(config, catalogue(), tmp_path / "split", max_steps=2)
    assert (first.steps, first.finished) == (2, False)
    second = train(config, catalogue(), tmp_path / "split", resume=True)
    assert (whole.steps, whole.finished, second.steps, second.finished) == (4, True, 4, True)
    whole_state = torch.load(tmp_path / "whole" / "state.pt", weights_only=True)
    split_state = torch.load(tmp_path / "split" / "state.pt", weights_only=True)
    for part in ("generator", "discriminator", "ema"):
        assert all(torch.equal(whole_state[part][key], split_state[part][key]) for key in whole_state[part]), part
    for part in ("optimizer_g", "optimizer_d"):
        for index, moments in whole_state[part]["state"].items():
            assert all(torch.equal(value, split_state[part]["state"][index][name]) for name, value in moments.items())
    whole_file, split_file = read_file(tmp_path / "whole" / "generator.pt"), read_file(tmp_path / "split" / "generator.pt")
    assert all(torch.equal(whole_file["g_ema"][key], split_file["g_ema"][key]) for key in whole_file["g_ema"])
    assert torch.equal(whole_file["latent_avg"], split_file["latent_avg"])
    strip = [{key: value for key, value in record.items() if key != "seconds"} for record in read_log(tmp_path / "whole")]
    assert strip == [{key: value for key, value in record.items() if key != "seconds"}
                     for record in read_log(tmp_path / "split")]
    assert sorted(path.name for path in (tmp_path / "split" / "samples").iterdir()) == \
        ["step-0000002.png", "step-0000003.png", "step-0000004.png"]


COMMAND = ["train", "generator", "--generator", "stylegan2", "--resolution", "8", "--style-dim", "8", "--n-mlp", "1",
           "--max-channels", "8", "--batch-size", "2"]


def test_the_command_trains_a_grey_catalogue_resumes_and_refuses_to_start_twice(tmp_path):
    data_dir = write_catalogue(tmp_path / "shop")
    out = tmp_path / "run"
    args = [*COMMAND, "--data", f"csv:{data_dir}", "--steps", "1", "--log-every", "1", "--out", str(out)]
    runner = CliRunner()
    done = runner.invoke(cli, args)
    assert done.exit_code == 0, done.output
    assert "done: 1 steps" in done.output
    assert {path.name for path in out.iterdir()} >= {"generator.pt", "generator.json", "state.pt", "log.jsonl",
                                                      "losses.png", "samples"}
    generator = create_generator("stylegan2", checkpoint=out / "generator.pt")
    assert generator.resolution == 8
    again = runner.invoke(cli, args)
    assert again.exit_code == 2 and "--resume" in again.output and len(again.output.strip().splitlines()) == 1
    longer = runner.invoke(cli, [*args, "--resume", "--steps", "2"])
    assert longer.exit_code == 0 and "done: 2 steps" in longer.output, longer.output
    assert json.loads((out / "generator.json").read_text())["training"]["steps"] == 2


def test_the_command_never_replaces_a_generator_pt_it_did_not_write(tmp_path):
    data_dir = write_catalogue(tmp_path / "shop")
    out = tmp_path / "mine"
    out.mkdir()
    (out / "generator.pt").write_bytes(b"someone's model")
    result = CliRunner().invoke(cli, [*COMMAND, "--data", f"csv:{data_dir}", "--steps", "1", "--out", str(out)])
    assert result.exit_code == 2 and "no training run wrote it" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert (out / "generator.pt").read_bytes() == b"someone's model" and sorted(out.iterdir()) == [out / "generator.pt"]


@pytest.mark.parametrize(("flag", "value", "message"), [
    ("--steps", "0", "--steps must be positive, got 0"),
    ("--max-steps", "0", "--max-steps must be positive, got 0"),
    ("--checkpoint-every", "0", "--checkpoint-every must be positive, got 0"),
    ("--log-every", "-1", "--log-every must be positive, got -1"),
    ("--style-dim", "0", "--style-dim must be positive, got 0"),
    ("--n-mlp", "-1", "--n-mlp must be 0 or more, got -1"),
    ("--channel-multiplier", "0", "--channel-multiplier must be positive, got 0"),
    ("--max-channels", "0", "--max-channels must be positive, got 0"),
    ("--resolution", "4", "--resolution must be a power of two from 8 to 1024, got 4"),
    ("--resolution", "48", "--resolution must be a power of two from 8 to 1024, got 48"),
    ("--resolution", "2048", "--resolution must be a power of two from 8 to 1024, got 2048"),
    ("--batch-size", "6", "--batch-size must be a multiple of 4"),
    ("--batch-size", "0", "--batch-size must be positive, got 0"),
    ("--lr", "0", "--lr must be positive, got 0.0"),
    ("--lr", "nan", "--lr must be positive, got nan"),
    ("--r1-gamma", "-1", "--r1-gamma must be 0 (no R1) or positive, got -1.0"),
    ("--r1-every", "0", "--r1-every must be positive, got 0"),
    ("--mixing", "1.5", "--mixing must be a probability in [0, 1], got 1.5"),
    ("--ema-kimg", "0", "--ema-kimg must be positive, got 0.0"),
    ("--resume", None, "nothing to resume"),
])
def test_bad_settings_are_refused_before_the_data_loads(tmp_path, flag, value, message):
    args = ["train", "generator", "--generator", "stylegan2", "--data", "csv:/no/such/catalogue",
            "--out", str(tmp_path / "x"), flag, *([value] if value is not None else [])]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and message in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not (tmp_path / "x").exists()


def test_a_log_window_averages_each_loss_over_the_steps_that_recorded_it():
    from gigs_core.training.steps import window_means

    window = [{"loss_d": 1.0, "loss_g": 2.0, "r1": 0.5}, {"loss_d": 3.0, "loss_g": 4.0}]
    assert window_means(window) == {"loss_d": 2.0, "loss_g": 3.0, "r1": 0.5}  # R1 ran on one step of two
