"""``gigs train generator --generator biggan``: a small class-conditional BigGAN-deep, one class
per catalogue category.

Only click is imported at module level; torch and the trainer load when the command runs,
so ``gigs --help`` stays fast.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import click

from gigs_core.cli.devices import device_option
from gigs_core.cli.resume import echo_training_result, resumed_config, train_with_progress

# Settings a resumed run may change: the length of the run and how often it writes.
RESUMABLE_CHANGES = ("steps", "checkpoint_every", "log_every", "standing_samples")
#: Narrowest ``--channel-width``: self-attention needs 8 channels where it runs (2 × the unit).
MIN_CHANNEL_WIDTH = 4


def _check_settings(resolution, channel_width, z_dim, d_width, batch_size, steps, lr_g, lr_d, d_steps, ema_beta,
                    checkpoint_every, log_every, standing_samples):
    """One-line :class:`UserInputError` for a setting no run can use (before any data loads)."""
    from gigs_core.errors import UserInputError

    for name, value in (("--z-dim", z_dim), ("--d-width", d_width), ("--batch-size", batch_size),
                        ("--steps", steps), ("--d-steps", d_steps), ("--checkpoint-every", checkpoint_every),
                        ("--log-every", log_every), ("--standing-samples", standing_samples)):
        if value < 1:
            raise UserInputError(f"{name} must be positive, got {value}")
    if resolution < 32 or resolution & (resolution - 1):
        raise UserInputError(f"--resolution must be a power of two ≥ 32 (32, 64, 128, …), got {resolution}")
    if channel_width < MIN_CHANNEL_WIDTH:
        raise UserInputError(f"--channel-width must be at least {MIN_CHANNEL_WIDTH}, got {channel_width}")
    for name, value in (("--lr-g", lr_g), ("--lr-d", lr_d)):
        if not value > 0:
            raise UserInputError(f"{name} must be positive, got {value}")
    if not 0 <= ema_beta < 1:
        raise UserInputError(f"--ema-beta must be in [0, 1), got {ema_beta}")


@click.command("biggan")
@click.option("--data", "data_spec", required=True,
              help="Dataset spec whose items carry categories (e.g. fashion-mnist, csv:DIR with a category column).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Run folder: generator/ (the folder to load), samples/, state.pt, log.jsonl, losses.png.")
@click.option("--split", type=click.Choice(["train", "all"]), default="train", show_default=True,
              help="Train on the catalogue's official train partition (when it has one) or on every item.")
@click.option("--resolution", type=int, default=32, show_default=True, help="Image size, a power of two ≥ 32.")
@click.option("--channel-width", type=int, default=8, show_default=True,
              help="Generator width unit (its 4×4 start has 16× as many channels).")
@click.option("--z-dim", type=int, default=32, show_default=True, help="Noise size (and class embedding size).")
@click.option("--d-width", type=int, default=32, show_default=True,
              help="Channels of the discriminator's first block (doubled per block, at most 8×).")
@click.option("--batch-size", type=int, default=64, show_default=True)
@click.option("--steps", type=int, default=50_000, show_default=True, help="Generator steps in all.")
@click.option("--lr-g", type=float, default=1e-4, show_default=True, help="Generator learning rate (Adam β = 0, 0.999).")
@click.option("--lr-d", type=float, default=4e-4, show_default=True, help="Discriminator learning rate.")
@click.option("--d-steps", type=int, default=1, show_default=True, help="Discriminator steps per generator step.")
@click.option("--ema-beta", type=float, default=0.999, show_default=True,
              help="Moving average of the generator's weights (what is saved).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--checkpoint-every", type=int, default=1000, show_default=True,
              help="Steps between resume points (each also writes generator/ and a sample grid).")
@click.option("--log-every", type=int, default=50, show_default=True, help="Steps averaged per log.jsonl line.")
@click.option("--standing-samples", type=int, default=256, show_default=True,
              help="Samples per truncation for the saved generator's batch-norm statistics (at each checkpoint).")
@click.option("--max-steps", type=int, default=None, help="Stop (resumably) once this many steps are done in total.")
@click.option("--resume", is_flag=True, help="Continue the run in --out (its stored settings win, except --steps, "
              "--checkpoint-every, --log-every and --standing-samples).")
@device_option
def train_generator(data_spec, out_dir, split, resolution, channel_width, z_dim, d_width, batch_size, steps, lr_g,
                    lr_d, d_steps, ema_beta, seed, checkpoint_every, log_every, standing_samples, max_steps, resume,
                    device):
    """Train a small class-conditional BigGAN-deep (hinge loss, projection discriminator) for the
    biggan generator, one class per category of the catalogue.

    Writes OUT/generator/ (moving-average weights, the category names as labels; load with
    create_generator("biggan", checkpoint="OUT/generator", class_name=...) or
    -G checkpoint=OUT/generator -G class_name=...), a sample grid per checkpoint in
    OUT/samples/ (one row per class), OUT/state.pt (resume point), OUT/log.jsonl and
    OUT/losses.png.
    """

    import numpy as np
    import torch

    from gigs_biggan.training import CHANNELS, BigGanTrainConfig, read_config, train
    from gigs_core.cli.devices import pick_device
    from gigs_core.data import open_dataset
    from gigs_core.errors import DataError
    from gigs_core.imaging import conform
    from gigs_core.training.images import TrainingImages, training_ids
    from gigs_core.training.run_files import check_run_folder

    _check_settings(resolution, channel_width, z_dim, d_width, batch_size, steps, lr_g, lr_d, d_steps, ema_beta,
                    checkpoint_every, log_every, standing_samples)
    check_run_folder(out_dir, resume, model_folders=("generator",))
    dataset = open_dataset(data_spec)
    names = dataset.category_names
    categories = np.asarray(dataset.catalogue.categories, dtype=np.int64)
    ids = [item for item in training_ids(dataset, split) if categories[item] >= 0]
    if not names or not ids:
        raise DataError(f"{dataset.name} has no items with a category; BigGAN is conditioned on the catalogue's "
                        f"categories (give a csv catalogue a category column)")
    config = BigGanTrainConfig(labels=tuple(names), resolution=resolution, channel_width=channel_width, z_dim=z_dim,
                               d_width=d_width, batch_size=batch_size, steps=steps, lr_g=lr_g, lr_d=lr_d,
                               d_steps=d_steps, ema_beta=ema_beta, seed=seed, checkpoint_every=checkpoint_every,
                               log_every=log_every, standing_samples=standing_samples)
    if resume:
        config = resumed_config(read_config(out_dir), config, click.get_current_context(), RESUMABLE_CHANGES)
        if config.labels != tuple(names):
            raise DataError(f"the run in {str(out_dir)!r} was trained on other categories than {dataset.name}'s; "
                            f"resume it with the dataset it started on")
    images = TrainingImages(ids, lambda batch: conform(dataset.images(batch), config.resolution, CHANNELS),
                            resolution=config.resolution, channels=CHANNELS)
    labels = torch.from_numpy(categories[ids])
    torch_device = pick_device(device)
    click.echo(f"training a class-conditional BigGAN {config.resolution}px on {len(ids)} images of {dataset.name} "
               f"in {len(names)} categories ({torch_device}); run folder {out_dir}", err=True)
    result = train_with_progress(partial(train, config, images, labels, out_dir, device=torch_device, resume=resume,
                                         max_steps=max_steps))
    echo_training_result(result)
