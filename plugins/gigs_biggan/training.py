"""Training a small class-conditional BigGAN-deep for the ``biggan`` generator on a catalogue.

The recipe of Brock et al. 2019 at CPU sizes: the generator is the ``biggan`` plugin's own
network (``fresh_architecture``), conditioned on the catalogue's categories through its
class embedding; the discriminator is a spectrally normalised projection discriminator
(:mod:`gigs_biggan.discriminator`); the loss is the hinge loss (D: E[max(0, 1 − D(x, y))] +
E[max(0, 1 + D(G(z, y'), y'))]; G: −E[D(G(z, y'), y')]); both use Adam with β₁ = 0,
β₂ = 0.999 and two time-scales (the discriminator's learning rate four times the
generator's, Heusel et al. 2017), with ``d_steps`` discriminator steps per generator step.
Every spectral-norm estimate takes one power-iteration step per optimiser step of its
network; batch norms normalise by the batch. The noise is drawn from the generator's prior
at truncation 1 (truncnorm(−2, 2)); generated classes are uniform.

An exponential moving average of the generator's weights (its decay warmed up over the
first steps) is what gets saved
(:mod:`gigs_biggan.saving`): ``generator/`` is a folder ``create_generator("biggan",
checkpoint=...)`` loads, with the catalogue's category names as its labels.

The loop is resumable: ``state.pt`` holds everything needed to continue exactly where it
stopped (both networks with their spectral-norm vectors, the moving average, both
optimisers, the step), and the random draws of step s depend only on the seed and s.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from gigs_biggan.discriminator import ProjectionDiscriminator
from gigs_biggan.latent import truncated_normal
from gigs_biggan.layers import SpectralNormWeight
from gigs_biggan.loading import fresh_network
from gigs_biggan.network import BigGanNetwork
from gigs_biggan.saving import inference_copy, save_folder
from gigs_core.errors import UserInputError
from gigs_core.method.modules import seeded
from gigs_core.method.progress import Progress, no_progress
from gigs_core.method.seeds import derive_seed
from gigs_core.report.charts import line_chart
from gigs_core.training.images import TrainingImages
from gigs_core.training.run_files import (
    GAN_PARTS,
    STATE_FILE,
    GeneratorTrainResult,
    ResumableRun,
    drop_log_after,
    open_run_folder,
    read_log,
    read_training_state,
    save_state,
    update_ema,
)
from gigs_core.training.sample_grid import save_grid
from gigs_core.training.steps import run_steps

STATE_FORMAT = "gigs-biggan-train"
#: Adam's (β₁, β₂), as in BigGAN.
ADAM_BETAS = (0.0, 0.999)
#: The images are RGB (the generator's three channels); grey catalogues are repeated over them.
CHANNELS = 3


@dataclass(frozen=True)
class BigGanTrainConfig:
    """Settings of one training run (stored in the run folder, reused on resume)."""

    labels: tuple[str, ...]
    """The catalogue's category names, in class order: one class per category."""
    resolution: int = 32
    channel_width: int = 8
    z_dim: int = 32
    d_width: int = 32
    """Channels of the discriminator's first block (then doubled per block, at most 8×)."""
    batch_size: int = 64
    steps: int = 50_000
    lr_g: float = 1e-4
    lr_d: float = 4e-4
    d_steps: int = 1
    """Discriminator steps per generator step."""
    ema_beta: float = 0.999
    seed: int = 0
    checkpoint_every: int = 1000
    log_every: int = 50
    grid_columns: int = 8
    """Samples per class in each sample grid (one row per class)."""
    standing_samples: int = 256
    """Samples per truncation for the saved generator's batch-norm statistics."""

    @property
    def num_classes(self) -> int:
        return len(self.labels)


class _Run(ResumableRun):
    """The mutable state of a run."""

    state_format = STATE_FORMAT
    part_names = GAN_PARTS

    def __init__(self, config: BigGanTrainConfig, device: torch.device) -> None:
        self.config = config
        self.generator = fresh_network(resolution=config.resolution, channel_width=config.channel_width,
                                       z_dim=config.z_dim, num_classes=config.num_classes, seed=config.seed)
        with seeded(derive_seed(config.seed, "discriminator")):
            self.discriminator = ProjectionDiscriminator(resolution=config.resolution, channels=CHANNELS,
                                                         width=config.d_width, num_classes=config.num_classes)
        self.discriminator.set_singular_vectors()
        self.generator.to(device).train()
        self.discriminator.to(device).train()
        self.ema = copy.deepcopy(self.generator).requires_grad_(False)
        self.optimizer_g = torch.optim.Adam(self.generator.parameters(), lr=config.lr_g, betas=ADAM_BETAS)
        self.optimizer_d = torch.optim.Adam(self.discriminator.parameters(), lr=config.lr_d, betas=ADAM_BETAS)


def _read_state(path: Path) -> dict[str, Any]:
    return read_training_state(path, STATE_FORMAT, "BigGAN")


def read_config(out_dir: Path) -> BigGanTrainConfig:
    """The config of the run in ``out_dir`` (from its ``state.pt``)."""
    stored = _read_state(Path(out_dir) / STATE_FILE)["config"]
    return BigGanTrainConfig(**{**stored, "labels": tuple(stored["labels"])})


def ema_decay(beta: float, step: int) -> float:
    """The moving average's decay at ``step``: ``min(β, (1 + step) / (10 + step))`` (as the ddim
    trainer's), so the random initial weights are forgotten within the first hundred steps."""
    return min(beta, (1 + step) / (10 + step))


def _power_iteration(network: torch.nn.Module) -> None:
    for module in network.modules():
        if isinstance(module, SpectralNormWeight):
            module.power_iteration()


def _generate(network: BigGanNetwork, noise: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
    """Images in [−1, 1] of ``classes`` (truncation 1: only inference reads it)."""
    return network(noise, network.embeddings.weight[:, classes].t(), 1.0)


def _draw_fakes(config: BigGanTrainConfig, rng: torch.Generator, device: torch.device):
    noise = truncated_normal((config.batch_size, config.z_dim), generator=rng).float().to(device)
    return noise, torch.randint(config.num_classes, (config.batch_size,), generator=rng).to(device)


def _train_step(run: _Run, images: TrainingImages, labels: torch.Tensor, rng: torch.Generator,
                device: torch.device) -> dict[str, float]:
    """``d_steps`` discriminator steps and one generator step: the discriminator's mean hinge loss
    (``loss_d``) and the generator's loss (``loss_g``)."""
    config, generator, discriminator = run.config, run.generator, run.discriminator
    d_losses = []
    discriminator.requires_grad_(True)
    for _ in range(config.d_steps):
        positions = torch.randint(len(labels), (config.batch_size,), generator=rng)
        real, real_classes = images.at(positions).to(device), labels[positions].to(device)
        noise, fake_classes = _draw_fakes(config, rng, device)
        with torch.no_grad():
            fake = _generate(generator, noise, fake_classes)
        _power_iteration(discriminator)
        scores = discriminator(torch.cat([real, fake]), torch.cat([real_classes, fake_classes]))
        loss_d = F.relu(1 - scores[:config.batch_size]).mean() + F.relu(1 + scores[config.batch_size:]).mean()
        run.optimizer_d.zero_grad(set_to_none=True)
        loss_d.backward()
        run.optimizer_d.step()
        d_losses.append(float(loss_d.detach()))
    discriminator.requires_grad_(False)
    noise, classes = _draw_fakes(config, rng, device)
    _power_iteration(generator)
    loss_g = -discriminator(_generate(generator, noise, classes), classes).mean()
    run.optimizer_g.zero_grad(set_to_none=True)
    loss_g.backward()
    run.optimizer_g.step()
    update_ema(run.ema, generator, ema_decay(config.ema_beta, run.step))
    return {"loss_d": sum(d_losses) / len(d_losses), "loss_g": float(loss_g.detach())}


def _write_samples(network: BigGanNetwork, config: BigGanTrainConfig, path: Path) -> Path:
    """One row per class, ``grid_columns`` samples each, the same noise in every row (truncation 1)."""
    device = network.embeddings.weight.device
    noise = truncated_normal((config.grid_columns, config.z_dim),
                             generator=torch.Generator().manual_seed(derive_seed(config.seed, "grid")))
    noise = noise.float().repeat(config.num_classes, 1).to(device)
    classes = torch.arange(config.num_classes, device=device).repeat_interleave(config.grid_columns)
    with torch.no_grad():
        images = (_generate(network, noise, classes) + 1) / 2
    return save_grid(images, path, size=max(64, config.resolution), columns=config.grid_columns)


def write_loss_plot(out_dir: Path) -> Path | None:
    """``losses.png``: both hinge losses per logging window."""
    records = read_log(out_dir)
    if not records:
        return None
    panels = [("discriminator hinge loss", {"D": [(record["step"], record["loss_d"]) for record in records]}),
              ("generator loss (−D(G(z)))", {"G": [(record["step"], record["loss_g"]) for record in records]})]
    return line_chart(panels, Path(out_dir) / "losses.png", title="BigGAN training (x: step)")


def train(config: BigGanTrainConfig, images: TrainingImages, labels: torch.Tensor, out_dir: str | Path, *,
          device: torch.device | str = "cpu", resume: bool = False, max_steps: int | None = None,
          progress: Progress = no_progress) -> GeneratorTrainResult:
    """Train (or, with ``resume``, continue) a BigGAN into ``out_dir`` on ``images`` (``[-1, 1]``,
    3 channels) whose classes are ``labels`` (one per image, in ``images.ids`` order);
    ``max_steps`` stops (resumably) once that many steps are done in total. Every
    ``checkpoint_every`` steps and at the end: ``state.pt``, ``generator/`` (the moving
    average), ``samples/step-N.png`` and ``losses.png``."""
    out, device = Path(out_dir), torch.device(device)
    if len(labels) != len(images.ids):
        raise UserInputError(f"{len(labels)} labels for {len(images.ids)} training images; give one class per image")
    state_path = open_run_folder(out, resume, model_folders=("generator",))
    run = _Run(config, device)
    if resume:
        run.restore(_read_state(state_path))
        drop_log_after(out, run.step)

    def checkpoint() -> Path:
        save_state(run.state(), state_path)
        ready = inference_copy(run.ema, samples=config.standing_samples, batch_size=config.batch_size,
                               seed=derive_seed(config.seed, "standing statistics"))
        _write_samples(ready, config, out / "samples" / f"step-{run.step:07d}.png")
        write_loss_plot(out)
        return save_folder(ready, out / "generator", labels=list(config.labels),
                           training={"steps": run.step, "seconds": round(run.seconds, 1)})

    generator_path = run_steps(run, out_dir=out, steps=config.steps, max_steps=max_steps, seed=config.seed,
                               log_every=config.log_every, checkpoint_every=config.checkpoint_every,
                               train_step=lambda rng: _train_step(run, images, labels, rng, device),
                               checkpoint=checkpoint, progress=progress)
    return GeneratorTrainResult(out, run.step, run.step >= config.steps, run.seconds, generator_path)
