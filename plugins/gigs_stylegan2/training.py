"""Training a StyleGAN2 for the ``stylegan2`` generator on a catalogue's images (unconditional).

The recipe of Karras et al. 2020 (config E/F: skip generator, residual discriminator) at
CPU sizes, as rosinality's ``train.py`` runs it:

* the generator is the plugin's own network (:func:`gigs_stylegan2.loading.fresh_network`);
  its mapping network learns at 0.01× the learning rate through its equalised-lr
  multiplier (``MAPPING_LR_MUL``); the discriminator is
  :class:`gigs_stylegan2.discriminator.StyleGan2Discriminator` with the same channel table;
* the non-saturating logistic loss: D minimises softplus(−D(x)) + softplus(D(G(z))),
  G minimises softplus(−D(G(z)));
* lazy R1 regularisation on reals: every ``r1_every`` steps, a separate discriminator step
  on ``γ/2 · E‖∇ₓD(x)‖² · r1_every``;
* style mixing: with probability ``mixing`` a batch takes its styles from two latents, the
  first for the W+ rows before a crossover row drawn uniformly from 1 … n_latent − 1;
* fresh noise images at every generator call;
* Adam with β = (0, 0.99) and lr ``lr``; for the lazily regularised discriminator, lr and
  betas are corrected by c = r1_every / (r1_every + 1) (lr·c, β^c), as in the paper's
  appendix B;
* an exponential moving average of the generator's weights, ``g_ema``, with a half-life of
  ``ema_kimg`` thousand images: β = 0.5 ** (batch_size / (ema_kimg · 1000)) per step (the
  paper's 10 kimg; rosinality's 0.5 ** (32 / 10000) is this at batch 32).

Path-length regularisation (the paper's generator regulariser) is left out.

Each checkpoint writes ``generator.pt`` in rosinality's training layout plus ``latent_avg``
(the mean of g_ema's mapping over 4,096 seeded z), which ``create_generator("stylegan2",
checkpoint=...)`` loads, ``generator.json`` (the training record), a grid of g_ema samples
and ``losses.png``. The loop is resumable: ``state.pt`` holds everything needed to continue
exactly where it stopped, and the random draws of step s depend only on the seed and s.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from gigs_core.atomic import atomic_file
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
from gigs_stylegan2.architecture import standard_channels
from gigs_stylegan2.discriminator import StyleGan2Discriminator
from gigs_stylegan2.loading import estimate_mean_w, fresh_network
from gigs_stylegan2.network import StyleGan2Network
from gigs_stylegan2.rosinality_format import save_training_checkpoint

STATE_FORMAT = "gigs-stylegan2-train"
#: Adam's (β₁, β₂), as in StyleGAN2.
ADAM_BETAS = (0.0, 0.99)
#: The images are RGB (the generator's three channels); grey catalogues are repeated over them.
CHANNELS = 3
#: The trained generator (rosinality's training layout) and its training record, in the run folder.
GENERATOR_FILE, RECORD_FILE = "generator.pt", "generator.json"
#: The files every checkpoint rewrites (never one a run did not write).
MODEL_FILES = (GENERATOR_FILE, RECORD_FILE)


@dataclass(frozen=True)
class StyleGan2TrainConfig:
    """Settings of one training run (stored in the run folder, reused on resume)."""

    resolution: int = 32
    style_dim: int = 128
    n_mlp: int = 8
    channel_multiplier: int = 2
    max_channels: int = 64
    """Cap on every level's feature maps, generator and discriminator (512: rosinality's table)."""
    batch_size: int = 16
    steps: int = 50_000
    lr: float = 0.002
    r1_gamma: float = 0.01
    r1_every: int = 16
    mixing: float = 0.9
    ema_kimg: float = 10.0
    seed: int = 0
    checkpoint_every: int = 1000
    log_every: int = 50
    grid_samples: int = 64

    def channels(self) -> tuple[int, ...]:
        return standard_channels(self.resolution, self.channel_multiplier, self.max_channels)

    @property
    def ema_beta(self) -> float:
        """The moving average's decay per step: a half-life of ``ema_kimg`` thousand images."""
        return 0.5 ** (self.batch_size / (self.ema_kimg * 1000))

    @property
    def d_ratio(self) -> float:
        """c = r1_every / (r1_every + 1), the lazy-regularisation correction (1 without R1)."""
        return self.r1_every / (self.r1_every + 1) if self.r1_gamma > 0 else 1.0


class _Run(ResumableRun):
    """The mutable state of a run."""

    state_format = STATE_FORMAT
    part_names = GAN_PARTS

    def __init__(self, config: StyleGan2TrainConfig, device: torch.device) -> None:
        self.config = config
        self.generator = fresh_network(size=config.resolution, style_dim=config.style_dim, n_mlp=config.n_mlp,
                                       channel_multiplier=config.channel_multiplier,
                                       max_channels=config.max_channels, seed=config.seed)
        with seeded(derive_seed(config.seed, "discriminator")):
            self.discriminator = StyleGan2Discriminator(config.channels(), CHANNELS)
        self.generator.to(device).train()
        self.discriminator.to(device).train()
        self.ema = copy.deepcopy(self.generator).requires_grad_(False).eval()
        self.optimizer_g = torch.optim.Adam(self.generator.parameters(), lr=config.lr, betas=ADAM_BETAS)
        ratio = config.d_ratio
        self.optimizer_d = torch.optim.Adam(self.discriminator.parameters(), lr=config.lr * ratio,
                                            betas=(ADAM_BETAS[0] ** ratio, ADAM_BETAS[1] ** ratio))


def _read_state(path: Path) -> dict[str, Any]:
    return read_training_state(path, STATE_FORMAT, "StyleGAN2")


def read_config(out_dir: Path) -> StyleGan2TrainConfig:
    """The config of the run in ``out_dir`` (from its ``state.pt``)."""
    return StyleGan2TrainConfig(**_read_state(Path(out_dir) / STATE_FILE)["config"])


def mixed_styles(network: StyleGan2Network, n: int, mixing: float, rng: torch.Generator) -> torch.Tensor:
    """``n × n_latent × style_dim`` W+ for a batch: one mapped z per sample on every row, or,
    with probability ``mixing`` (one draw per batch), a second one from a crossover row in
    1 … n_latent − 1 on. The draws are the same whichever way it goes."""
    device, rows = network.input.input.device, network.arch.n_latent
    mix = bool(torch.rand((), generator=rng) < mixing)
    crossover = int(torch.randint(1, rows, (), generator=rng))
    z = torch.randn(2, n, network.arch.style_dim, generator=rng).to(device)
    if not mix:
        return network.mapping(z[0])[:, None].expand(-1, rows, -1)
    first, second = network.mapping(z.flatten(0, 1)).view(2, n, -1)
    before = (torch.arange(rows, device=device) < crossover)[None, :, None]
    return torch.where(before, first[:, None], second[:, None])


def fresh_noise(network: StyleGan2Network, n: int, rng: torch.Generator) -> list[torch.Tensor]:
    """New noise images for ``n`` samples, one per styled convolution."""
    device = network.input.input.device
    return [torch.randn(n, 1, *stored.shape[-2:], generator=rng).to(device) for stored in network.stored_noise()]


def _generate(network: StyleGan2Network, config: StyleGan2TrainConfig, rng: torch.Generator) -> torch.Tensor:
    """A batch of native images (about ``[-1, 1]``) with mixed styles and fresh noise."""
    styles = mixed_styles(network, config.batch_size, config.mixing, rng)
    return network.synthesis(styles, fresh_noise(network, config.batch_size, rng))


def r1_penalty(discriminator: torch.nn.Module, real: torch.Tensor) -> torch.Tensor:
    """E‖∇ₓD(x)‖² over real images x (Mescheder et al. 2018), differentiable for the step."""
    real = real.detach().requires_grad_(True)
    (gradient,) = torch.autograd.grad(discriminator(real).sum(), real, create_graph=True)
    return gradient.pow(2).flatten(1).sum(dim=1).mean()


def _train_step(run: _Run, images: TrainingImages, rng: torch.Generator, device: torch.device) -> dict[str, float]:
    """One discriminator step (plus its R1 step when due) and one generator step; their losses."""
    config, generator, discriminator = run.config, run.generator, run.discriminator
    real = images.batch(config.batch_size, rng).to(device)
    discriminator.requires_grad_(True)
    with torch.no_grad():
        fake = _generate(generator, config, rng)
    loss_d = F.softplus(-discriminator(real)).mean() + F.softplus(discriminator(fake)).mean()
    run.optimizer_d.zero_grad(set_to_none=True)
    loss_d.backward()
    run.optimizer_d.step()
    penalty = None
    if config.r1_gamma > 0 and run.step % config.r1_every == 0:
        penalty = r1_penalty(discriminator, real)
        run.optimizer_d.zero_grad(set_to_none=True)
        (config.r1_gamma / 2 * penalty * config.r1_every).backward()
        run.optimizer_d.step()
    discriminator.requires_grad_(False)
    loss_g = F.softplus(-discriminator(_generate(generator, config, rng))).mean()
    run.optimizer_g.zero_grad(set_to_none=True)
    loss_g.backward()
    run.optimizer_g.step()
    update_ema(run.ema, generator, config.ema_beta)
    record = {"loss_d": float(loss_d.detach()), "loss_g": float(loss_g.detach())}
    return record if penalty is None else {**record, "r1": float(penalty.detach())}


@torch.no_grad()
def grid_images(network: StyleGan2Network, config: StyleGan2TrainConfig) -> torch.Tensor:
    """``grid_samples`` images in ``[0, 1]`` of the same seeded z at every checkpoint, as the saved
    generator draws them (stored noise, ψ = 1)."""
    z = torch.randn(config.grid_samples, config.style_dim,
                    generator=torch.Generator().manual_seed(derive_seed(config.seed, "grid")))
    w = network.mapping(z.to(network.input.input))
    return ((network.synthesis(w[:, None].expand(-1, network.arch.n_latent, -1)) + 1) / 2).clamp(0, 1)


def write_loss_plot(out_dir: Path) -> Path | None:
    """``losses.png``: both logistic losses and the R1 penalty per logging window."""
    records = read_log(out_dir)
    if not records:
        return None
    panels = [("discriminator loss (softplus(−D(x)) + softplus(D(G(z))))",
               {"D": [(record["step"], record["loss_d"]) for record in records]}),
              ("generator loss (softplus(−D(G(z))))", {"G": [(record["step"], record["loss_g"]) for record in records]}),
              ("R1 penalty E‖∇D(x)‖²", {"R1": [(record["step"], record["r1"]) for record in records if "r1" in record]})]
    return line_chart(panels, Path(out_dir) / "losses.png", title="StyleGAN2 training (x: step)")


def _rosinality_args(config: StyleGan2TrainConfig, step: int) -> argparse.Namespace:
    """``args`` of the checkpoint: rosinality's argument names where they mean the same, then gigs' own."""
    return argparse.Namespace(arch="stylegan2", size=config.resolution, latent=config.style_dim, n_mlp=config.n_mlp,
                              channel_multiplier=config.channel_multiplier, batch=config.batch_size,
                              iter=config.steps, lr=config.lr, r1=config.r1_gamma, d_reg_every=config.r1_every,
                              mixing=config.mixing, path_regularize=0.0, augment=False,
                              max_channels=config.max_channels, ema_kimg=config.ema_kimg, seed=config.seed,
                              steps_done=step)


def _save_generator(run: _Run, out: Path) -> Path:
    """``generator.pt`` (rosinality's training layout plus ``latent_avg``) and ``generator.json``."""
    config = run.config
    path = save_training_checkpoint(out / GENERATOR_FILE, g=run.generator, d=run.discriminator, g_ema=run.ema,
                                    g_optim=run.optimizer_g, d_optim=run.optimizer_d,
                                    args=_rosinality_args(config, run.step), latent_avg=estimate_mean_w(run.ema))
    record = {"format": "gigs-stylegan2-trained", "version": 1, "checkpoint": GENERATOR_FILE,
              "training": {"steps": run.step, "seconds": round(run.seconds, 1), "config": dataclasses.asdict(config)}}
    with atomic_file(out / RECORD_FILE) as temporary:
        temporary.write_text(json.dumps(record, indent=2) + "\n")
    return path


def train(config: StyleGan2TrainConfig, images: TrainingImages, out_dir: str | Path, *,
          device: torch.device | str = "cpu", resume: bool = False, max_steps: int | None = None,
          progress: Progress = no_progress) -> GeneratorTrainResult:
    """Train (or, with ``resume``, continue) a StyleGAN2 into ``out_dir`` on ``images``
    (``[-1, 1]``, 3 channels); ``max_steps`` stops (resumably) once that many steps are done
    in total. Every ``checkpoint_every`` steps and at the end: ``state.pt``, ``generator.pt``
    (with ``generator.json``), ``samples/step-N.png`` and ``losses.png``."""
    out, device = Path(out_dir), torch.device(device)
    state_path = open_run_folder(out, resume, model_files=MODEL_FILES)
    run = _Run(config, device)
    if resume:
        run.restore(_read_state(state_path))
        drop_log_after(out, run.step)

    def checkpoint() -> Path:
        save_state(run.state(), state_path)
        save_grid(grid_images(run.ema, config), out / "samples" / f"step-{run.step:07d}.png",
                  size=max(64, config.resolution))
        write_loss_plot(out)
        return _save_generator(run, out)

    generator_path = run_steps(run, out_dir=out, steps=config.steps, max_steps=max_steps, seed=config.seed,
                               log_every=config.log_every, checkpoint_every=config.checkpoint_every,
                               train_step=lambda rng: _train_step(run, images, rng, device),
                               checkpoint=checkpoint, progress=progress)
    return GeneratorTrainResult(out, run.step, run.step >= config.steps, run.seconds, generator_path)
