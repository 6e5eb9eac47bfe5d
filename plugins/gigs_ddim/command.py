"""``gigs train generator --generator ddim``: a small UNet for DDIM sampling, trained on a catalogue.

Only click is imported at module level; torch, diffusers and the trainer load when the
command runs, so ``gigs --help`` stays fast.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import click

from gigs_core.cli.devices import device_option
from gigs_core.cli.resume import echo_training_result, resumed_config, train_with_progress

# Settings a resumed run may change: the length of the run and how often it writes.
RESUMABLE_CHANGES = ("steps", "checkpoint_every", "log_every")


@click.command("ddim")
@click.option("--data", "data_spec", required=True, help="Dataset spec (e.g. fashion-mnist, dvbpr:FILE.npy, csv:DIR).")
@click.option("--resolution", type=int, required=True, help="Image size (a multiple of 2^(depth-1)).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Run folder: generator/ (the pipeline to load), samples/, state.pt, log.jsonl, losses.png.")
@click.option("--split", type=click.Choice(["train", "all"]), default="train", show_default=True,
              help="Train on the catalogue's official train partition (when it has one) or on every item.")
@click.option("--channels", type=click.Choice(["auto", "1", "3"]), default="auto", show_default=True,
              help="Image channels; auto follows the dataset's images.")
@click.option("--width", type=int, default=32, show_default=True, help="Channels of the UNet's first level.")
@click.option("--depth", type=int, default=3, show_default=True,
              help="UNet levels (the first has --width channels, the others twice as many).")
@click.option("--beta-schedule", type=click.Choice(["squaredcos_cap_v2", "linear"]), default="squaredcos_cap_v2",
              show_default=True, help="Noise schedule over 1,000 training timesteps.")
@click.option("--batch-size", type=int, default=64, show_default=True)
@click.option("--steps", type=int, default=20_000, show_default=True, help="Training steps in all.")
@click.option("--lr", type=float, default=2e-4, show_default=True)
@click.option("--warmup-steps", type=int, default=500, show_default=True, help="Steps of linear learning-rate warm-up.")
@click.option("--ema-beta", type=float, default=0.999, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--checkpoint-every", type=int, default=500, show_default=True,
              help="Steps between resume points (each also writes generator/ and a sample grid).")
@click.option("--log-every", type=int, default=50, show_default=True, help="Steps averaged per log.jsonl line.")
@click.option("--max-steps", type=int, default=None, help="Stop (resumably) once this many steps are done in total.")
@click.option("--resume", is_flag=True, help="Continue the run in --out (its stored settings win, except --steps, "
              "--checkpoint-every and --log-every).")
@device_option
def train_generator(data_spec, resolution, out_dir, split, channels, width, depth, beta_schedule, batch_size, steps,
                    lr, warmup_steps, ema_beta, seed, checkpoint_every, log_every, max_steps, resume, device):
    """Train a small UNet (ε-prediction, Ho et al. 2020) for the ddim generator on a catalogue's images.

    Writes OUT/generator/ (moving-average weights and the schedule; load with
    create_generator("ddim", checkpoint="OUT/generator") or -G checkpoint=OUT/generator),
    a sample grid per checkpoint in OUT/samples/, OUT/state.pt (resume point),
    OUT/log.jsonl and OUT/losses.png.
    """

    from gigs_core.cli.devices import pick_device
    from gigs_core.data import open_dataset
    from gigs_core.errors import UserInputError
    from gigs_core.imaging import conform
    from gigs_core.training.images import TrainingImages, training_ids
    from gigs_ddim.training import DdimTrainConfig, read_config, train

    for name, value in (("--batch-size", batch_size), ("--steps", steps), ("--width", width), ("--depth", depth),
                        ("--checkpoint-every", checkpoint_every), ("--log-every", log_every)):
        if value < 1:
            raise UserInputError(f"{name} must be positive, got {value}")
    if resolution < 4 or resolution % 2 ** (depth - 1):
        raise UserInputError(f"--resolution {resolution} must be at least 4 and a multiple of 2^(depth-1) = "
                             f"{2 ** (depth - 1)} (--depth {depth} halves it {depth - 1} times)")
    dataset = open_dataset(data_spec)
    ids = training_ids(dataset, split)
    n_channels = dataset.image(ids[0]).shape[0] if channels == "auto" else int(channels)
    config = DdimTrainConfig(resolution=resolution, channels=n_channels, width=width, depth=depth,
                             beta_schedule=beta_schedule, batch_size=batch_size, steps=steps, lr=lr,
                             warmup_steps=warmup_steps, ema_beta=ema_beta, seed=seed,
                             checkpoint_every=checkpoint_every, log_every=log_every)
    if resume:
        config = resumed_config(read_config(out_dir), config, click.get_current_context(), RESUMABLE_CHANGES)
    images = TrainingImages(ids, lambda batch: conform(dataset.images(batch), config.resolution, config.channels),
                            resolution=config.resolution, channels=config.channels)
    torch_device = pick_device(device)
    click.echo(f"training a DDIM UNet {config.resolution}px on {len(ids)} images of {dataset.name} "
               f"({torch_device}); run folder {out_dir}", err=True)
    result = train_with_progress(partial(train, config, images, out_dir, device=torch_device, resume=resume,
                                         max_steps=max_steps))
    echo_training_result(result)
