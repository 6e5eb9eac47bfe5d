"""``gigs train generator --generator progan``: progressive growing on a catalogue.

Only click is imported at module level; torch and the trainer load when the
command runs, so ``gigs --help`` stays fast.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import click

from gigs_core.cli.devices import device_option
from gigs_core.cli.resume import echo_training_result, resumed_config, train_with_progress

# Settings a resumed run may change: the schedule, how often it writes, the moving average's
# decay (it only changes the averaged copy) and the learning rate (e.g. lowered for a last stretch).
RESUMABLE_CHANGES = ("images_per_phase", "final_images", "checkpoint_every", "log_every", "ema_beta", "lr")


@click.command("progan")
@click.option("--data", "data_spec", required=True, help="Dataset spec (e.g. fashion-mnist, dvbpr:FILE.npy, csv:DIR).")
@click.option("--resolution", type=int, required=True, help="Final image size (a power of two ≥ 4).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Run folder: checkpoints, samples, log.jsonl, losses.png.")
@click.option("--split", type=click.Choice(["train", "all"]), default="train", show_default=True,
              help="Train on the catalogue's official train partition (when it has one) or on every item.")
@click.option("--channels", type=click.Choice(["auto", "1", "3"]), default="auto", show_default=True,
              help="Output channels; auto follows the dataset's images.")
@click.option("--latent-dim", type=int, default=512, show_default=True)
@click.option("--max-features", type=int, default=512, show_default=True, help="Widest layer (feature maps).")
@click.option("--feature-base", type=int, default=16384, show_default=True,
              help="Level k has min(max_features, feature_base / 2^(k+1)) feature maps.")
@click.option("--batch-size", type=int, default=16, show_default=True)
@click.option("--images-per-phase", type=int, default=600_000, show_default=True,
              help="Real images shown per fade-in and per stable phase.")
@click.option("--final-images", type=int, default=None, help="Real images in the last stable phase (default: --images-per-phase).")
@click.option("--lr", type=float, default=1e-3, show_default=True)
@click.option("--ema-beta", type=float, default=0.999, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--checkpoint-every", type=int, default=1000, show_default=True, help="Steps between resume points.")
@click.option("--log-every", type=int, default=50, show_default=True, help="Steps averaged per log.jsonl line.")
@click.option("--max-steps", type=int, default=None, help="Stop (resumably) once this many steps are done in total.")
@click.option("--resume", is_flag=True, help="Continue the run in --out (its stored settings win, except the "
              "schedule options, --ema-beta and --lr).")
@device_option
def train_generator(data_spec, resolution, out_dir, split, channels, latent_dim, max_features,
                    feature_base, batch_size, images_per_phase, final_images, lr, ema_beta, seed,
                    checkpoint_every, log_every, max_steps, resume, device):
    """Train a ProGAN on a catalogue's images with progressive growing (fade-in),
    WGAN-GP + drift, and an EMA generator.

    Writes OUT/generator.safetensors (EMA; load with
    create_generator("progan", checkpoint=...)), OUT/generator-plain.safetensors,
    a sample grid per phase in OUT/samples/, per-phase checkpoints, OUT/state.pt
    (resume point), OUT/log.jsonl and OUT/losses.png.
    """
    from gigs_core.cli.devices import pick_device
    from gigs_core.data import open_dataset
    from gigs_core.errors import UserInputError
    from gigs_core.imaging import conform
    from gigs_core.training.images import TrainingImages, training_ids
    from gigs_progan.architecture import levels_for
    from gigs_progan.training import TrainConfig, read_config, train

    try:
        levels_for(resolution)
    except ValueError as exc:
        raise UserInputError(f"--resolution: {exc}") from None
    for name, value in (("--batch-size", batch_size), ("--images-per-phase", images_per_phase),
                        ("--latent-dim", latent_dim), ("--max-features", max_features),
                        ("--checkpoint-every", checkpoint_every), ("--log-every", log_every)):
        if value < 1:
            raise UserInputError(f"{name} must be positive, got {value}")
    dataset = open_dataset(data_spec)
    ids = training_ids(dataset, split)
    n_channels = dataset.image(ids[0]).shape[0] if channels == "auto" else int(channels)
    config = TrainConfig(
        resolution=resolution, channels=n_channels, latent_dim=latent_dim, feature_base=feature_base,
        max_features=max_features, batch_size=batch_size, images_per_phase=images_per_phase,
        final_images=final_images, lr=lr, ema_beta=ema_beta, seed=seed,
        checkpoint_every=checkpoint_every, log_every=log_every,
    )
    if resume:
        config = resumed_config(read_config(out_dir), config, click.get_current_context(), RESUMABLE_CHANGES)

    def source(batch_ids):
        return conform(dataset.images(batch_ids), config.resolution, config.channels)

    reals = TrainingImages(ids, source, resolution=config.resolution, channels=config.channels)
    torch_device = pick_device(device)
    click.echo(f"training ProGAN {config.resolution}px on {len(ids)} images of {dataset.name} "
               f"({torch_device}); run folder {out_dir}", err=True)
    result = train_with_progress(partial(train, config, reals, out_dir, device=torch_device, resume=resume,
                                         max_steps=max_steps))
    echo_training_result(result)
