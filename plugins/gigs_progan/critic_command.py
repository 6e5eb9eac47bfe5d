"""``gigs train critic --critic progan``: fit a realism critic to a ProGAN checkpoint that came
without one (for ``--method dvbpr-pm``). torch loads only when the command runs."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import click

from gigs_core.cli.devices import device_option
from gigs_core.cli.resume import echo_training_result, resumed_config, train_with_progress

#: Settings a resumed fit may change: its length and how often it writes.
RESUMABLE_CHANGES = ("steps", "checkpoint_every", "log_every")


@click.command("progan")
@click.option("--checkpoint", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The ProGAN generator to fit the critic to (any format `-G checkpoint=` loads; its EMA weights).")
@click.option("-d", "--data", "data_spec", required=True, help="Real images (a dataset spec, e.g. fashion-mnist).")
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Run folder: discriminator.safetensors, state.pt, log.jsonl, losses.png.")
@click.option("--split", type=click.Choice(["train", "all"]), default="train", show_default=True,
              help="The catalogue's official train partition (when it has one) or every item.")
@click.option("--steps", type=click.IntRange(min=1), default=3000, show_default=True, help="Critic steps in all.")
@click.option("--batch-size", type=click.IntRange(min=2), default=32, show_default=True)
@click.option("--lr", type=click.FloatRange(min=0, min_open=True), default=1e-3, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--checkpoint-every", type=click.IntRange(min=1), default=500, show_default=True,
              help="Steps between resume points (each also writes the critic).")
@click.option("--log-every", type=click.IntRange(min=1), default=50, show_default=True,
              help="Steps averaged per log.jsonl line.")
@click.option("--max-steps", type=click.IntRange(min=1), default=None,
              help="Stop (resumably) once this many steps are done in total.")
@click.option("--resume", is_flag=True, help="Continue the fit in --out (its stored settings win, except "
              "--steps and how often it writes).")
@device_option
def fit_critic_command(checkpoint, data_spec, out_dir, split, steps, batch_size, lr, seed, checkpoint_every,
                       log_every, max_steps, resume, device):
    """Fit a WGAN-GP critic to a fixed ProGAN generator on a catalogue's real images.

    For generator checkpoints without their training critic: the critic gives
    `--method dvbpr-pm` its realism term. Load it with
    `-G checkpoint=GENERATOR -G discriminator=OUT/discriminator.safetensors`.
    """
    from gigs_core.cli.devices import pick_device
    from gigs_core.data import open_dataset
    from gigs_core.factories import create_generator
    from gigs_core.imaging import conform
    from gigs_core.training.images import TrainingImages, training_ids
    from gigs_core.training.run_files import check_run_folder
    from gigs_progan.critic_fitting import CRITIC_FILES, CriticFitConfig, fit_critic, read_config

    config = CriticFitConfig(generator=str(checkpoint), steps=steps, batch_size=batch_size, lr=lr, seed=seed,
                             checkpoint_every=checkpoint_every, log_every=log_every)
    check_run_folder(out_dir, resume, model_files=CRITIC_FILES)
    if resume:
        config = resumed_config(read_config(out_dir), config, click.get_current_context(), RESUMABLE_CHANGES)
    generator = create_generator("progan", checkpoint=config.generator)
    dataset = open_dataset(data_spec)
    ids = training_ids(dataset, split)
    reals = TrainingImages(ids, lambda batch: conform(dataset.images(batch), generator.resolution, generator.channels),
                           resolution=generator.resolution, channels=generator.channels)
    torch_device = pick_device(device)
    click.echo(f"fitting a critic to {config.generator} ({generator.resolution}px) on {len(ids)} images of "
               f"{dataset.name} ({torch_device}); run folder {out_dir}", err=True)
    result = train_with_progress(partial(fit_critic, config, generator, reals, out_dir, device=torch_device,
                                         resume=resume, max_steps=max_steps))
    echo_training_result(result, what="critic")
