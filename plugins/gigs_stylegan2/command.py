"""``gigs train generator --generator stylegan2``: an unconditional StyleGAN2 on a catalogue's images.

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
RESUMABLE_CHANGES = ("steps", "checkpoint_every", "log_every")
#: Image sizes the trainer takes (the discriminator needs one residual block down to 4×4).
SMALLEST, LARGEST = 8, 1024
#: Samples per minibatch-standard-deviation group; the batch must split into such groups.
STDDEV_GROUP = 4


def _check_settings(*, resolution, style_dim, n_mlp, channel_multiplier, max_channels, batch_size, steps, lr,
                    r1_gamma, r1_every, mixing, ema_kimg, checkpoint_every, log_every, max_steps):
    """One-line :class:`UserInputError` for a setting no run can use (before any data loads)."""
    from gigs_core.errors import UserInputError

    for name, value in (("--style-dim", style_dim), ("--channel-multiplier", channel_multiplier),
                        ("--max-channels", max_channels), ("--batch-size", batch_size), ("--steps", steps),
                        ("--r1-every", r1_every), ("--checkpoint-every", checkpoint_every),
                        ("--log-every", log_every), ("--max-steps", 1 if max_steps is None else max_steps)):
        if value < 1:
            raise UserInputError(f"{name} must be positive, got {value}")
    if n_mlp < 0:
        raise UserInputError(f"--n-mlp must be 0 or more, got {n_mlp}")
    if not SMALLEST <= resolution <= LARGEST or resolution & (resolution - 1):
        raise UserInputError(f"--resolution must be a power of two from {SMALLEST} to {LARGEST}, got {resolution}")
    if batch_size > STDDEV_GROUP and batch_size % STDDEV_GROUP:
        raise UserInputError(f"--batch-size must be a multiple of {STDDEV_GROUP} (the discriminator's minibatch "
                             f"standard deviation groups) or below it, got {batch_size}")
    for name, value in (("--lr", lr), ("--ema-kimg", ema_kimg)):
        if not value > 0:
            raise UserInputError(f"{name} must be positive, got {value}")
    if not r1_gamma >= 0:
        raise UserInputError(f"--r1-gamma must be 0 (no R1) or positive, got {r1_gamma}")
    if not 0 <= mixing <= 1:
        raise UserInputError(f"--mixing must be a probability in [0, 1], got {mixing}")


@click.command("stylegan2")
@click.option("--data", "data_spec", required=True,
              help="Dataset spec (e.g. fashion-mnist, csv:DIR); every image is used, categories are ignored.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Run folder: generator.pt (the file to load), generator.json, samples/, state.pt, log.jsonl, "
                   "losses.png.")
@click.option("--split", type=click.Choice(["train", "all"]), default="train", show_default=True,
              help="Train on the catalogue's official train partition (when it has one) or on every item.")
@click.option("--resolution", type=int, default=32, show_default=True,
              help=f"Image size, a power of two from {SMALLEST} to {LARGEST}.")
@click.option("--style-dim", type=int, default=128, show_default=True, help="Size of z and w.")
@click.option("--n-mlp", type=int, default=8, show_default=True, help="Dense layers of the mapping network.")
@click.option("--channel-multiplier", type=int, default=2, show_default=True,
              help="rosinality's channel multiplier (levels of 64 px and up have 16384·m/size maps).")
@click.option("--max-channels", type=int, default=64, show_default=True,
              help="Cap on every level's feature maps, generator and discriminator (512: the published table).")
@click.option("--batch-size", type=int, default=16, show_default=True,
              help=f"Images per step (a multiple of {STDDEV_GROUP}, or fewer).")
@click.option("--steps", type=int, default=50_000, show_default=True, help="Generator steps in all.")
@click.option("--lr", type=float, default=0.002, show_default=True,
              help="Learning rate of both networks (Adam β = 0, 0.99; the discriminator's corrected for lazy R1).")
@click.option("--r1-gamma", type=float, default=0.01, show_default=True,
              help="R1 weight γ on real images (0: none); about 0.0002·resolution²/batch-size suits most data.")
@click.option("--r1-every", type=int, default=16, show_default=True, help="Steps between lazy R1 steps.")
@click.option("--mixing", type=float, default=0.9, show_default=True, help="Style-mixing probability per batch.")
@click.option("--ema-kimg", type=float, default=10.0, show_default=True,
              help="Half-life, in thousands of images, of the generator's moving average g_ema (what is saved).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--checkpoint-every", type=int, default=1000, show_default=True,
              help="Steps between resume points (each also writes generator.pt and a sample grid).")
@click.option("--log-every", type=int, default=50, show_default=True, help="Steps averaged per log.jsonl line.")
@click.option("--max-steps", type=int, default=None, help="Stop (resumably) once this many steps are done in total.")
@click.option("--resume", is_flag=True, help="Continue the run in --out (its stored settings win, except --steps, "
              "--checkpoint-every and --log-every).")
@device_option
def train_generator(data_spec, out_dir, split, resolution, style_dim, n_mlp, channel_multiplier, max_channels,
                    batch_size, steps, lr, r1_gamma, r1_every, mixing, ema_kimg, seed, checkpoint_every, log_every,
                    max_steps, resume, device):
    """Train an unconditional StyleGAN2 (non-saturating logistic loss, lazy R1, style mixing,
    residual discriminator) for the stylegan2 generator on a catalogue's images.

    Writes OUT/generator.pt (rosinality stylegan2-pytorch's training layout plus latent_avg;
    load with create_generator("stylegan2", checkpoint="OUT/generator.pt") or
    -G checkpoint=OUT/generator.pt), OUT/generator.json (steps and seconds), a grid of g_ema
    samples per checkpoint in OUT/samples/, OUT/state.pt (resume point), OUT/log.jsonl and
    OUT/losses.png.
    """

    from gigs_core.cli.devices import pick_device
    from gigs_core.data import open_dataset
    from gigs_core.imaging import conform
    from gigs_core.training.images import TrainingImages, training_ids
    from gigs_core.training.run_files import check_run_folder
    from gigs_stylegan2.training import CHANNELS, MODEL_FILES, StyleGan2TrainConfig, read_config, train

    _check_settings(resolution=resolution, style_dim=style_dim, n_mlp=n_mlp, channel_multiplier=channel_multiplier,
                    max_channels=max_channels, batch_size=batch_size, steps=steps, lr=lr, r1_gamma=r1_gamma,
                    r1_every=r1_every, mixing=mixing, ema_kimg=ema_kimg, checkpoint_every=checkpoint_every,
                    log_every=log_every, max_steps=max_steps)
    check_run_folder(out_dir, resume, model_files=MODEL_FILES)
    config = StyleGan2TrainConfig(resolution=resolution, style_dim=style_dim, n_mlp=n_mlp,
                                  channel_multiplier=channel_multiplier, max_channels=max_channels,
                                  batch_size=batch_size, steps=steps, lr=lr, r1_gamma=r1_gamma, r1_every=r1_every,
                                  mixing=mixing, ema_kimg=ema_kimg, seed=seed, checkpoint_every=checkpoint_every,
                                  log_every=log_every)
    if resume:
        config = resumed_config(read_config(out_dir), config, click.get_current_context(), RESUMABLE_CHANGES)
    dataset = open_dataset(data_spec)
    ids = training_ids(dataset, split)
    images = TrainingImages(ids, lambda batch: conform(dataset.images(batch), config.resolution, CHANNELS),
                            resolution=config.resolution, channels=CHANNELS)
    torch_device = pick_device(device)
    click.echo(f"training a StyleGAN2 {config.resolution}px on {len(ids)} images of {dataset.name} "
               f"({torch_device}); run folder {out_dir}", err=True)
    result = train_with_progress(partial(train, config, images, out_dir, device=torch_device, resume=resume,
                                         max_steps=max_steps))
    echo_training_result(result)
