"""Fitting a ProGAN critic to a fixed generator, for checkpoints that come without one.

DVBPR's preference maximisation (``--method dvbpr-pm``) needs a discriminator for its realism
term, and many generator checkpoints are shipped alone (a gigs training run keeps its critic,
but it was trained against the plain generator, not the moving average users load). This
trains a fresh WGAN-GP critic (the same loss as ProGAN training: −(E[D(x)] − E[D(G(z))]) +
λ·GP + drift·E[D(x)²]) against the frozen generator at its full resolution, on a catalogue's
real images. The fakes are the generator's images as gigs sees them (``[0, 1]``, clamped),
mapped to ``[-1, 1]``, exactly what :meth:`GeneratorWithCritic.realism_loss` scores.
The run is resumable like every gigs trainer: ``state.pt`` holds the critic and its
optimiser, and step s's draws depend only on the seed and s.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import torch

from gigs_core.checkpoints import file_sha256
from gigs_core.method.modules import seeded
from gigs_core.method.progress import Progress, no_progress
from gigs_core.report.charts import line_chart
from gigs_core.training.images import TrainingImages
from gigs_core.training.run_files import (
    STATE_FILE,
    GeneratorTrainResult,
    ResumableRun,
    drop_log_after,
    open_run_folder,
    read_log,
    read_training_state,
    save_state,
)
from gigs_core.training.steps import run_steps
from gigs_progan.discriminator import ProGanDiscriminator
from gigs_progan.native_format import save_critic
from gigs_progan.training import critic_losses

STATE_FORMAT = "gigs-progan-critic-fit"
CRITIC_FILE = "discriminator.safetensors"
#: The files a fitting run writes beside its resume point (the critic and its config).
CRITIC_FILES = (CRITIC_FILE, "discriminator.json")


@dataclass(frozen=True)
class CriticFitConfig:
    """Settings of one fitting run (stored in the run folder, reused on resume)."""

    generator: str
    """The generator checkpoint the critic is fitted to (its path and SHA-256 are recorded in the critic's file)."""
    steps: int = 3000
    batch_size: int = 32
    lr: float = 1e-3
    gp_weight: float = 10.0
    drift: float = 0.001
    seed: int = 0
    checkpoint_every: int = 500
    log_every: int = 50


class _Run(ResumableRun):
    state_format = STATE_FORMAT
    part_names = ("critic", "optimizer")

    def __init__(self, config: CriticFitConfig, generator: torch.nn.Module, device: torch.device) -> None:
        self.config = config
        arch = generator.arch
        with seeded(config.seed):
            self.critic = ProGanDiscriminator(arch.features, arch.channels).to(device).train()
        self.optimizer = torch.optim.Adam(self.critic.parameters(), lr=config.lr, betas=(0.0, 0.99))


def read_config(out_dir: Path) -> CriticFitConfig:
    """The config of the fitting run in ``out_dir`` (from its ``state.pt``)."""
    return CriticFitConfig(**read_training_state(Path(out_dir) / STATE_FILE, STATE_FORMAT, "critic-fitting")["config"])


def _fit_step(run: _Run, generator, reals: TrainingImages, rng: torch.Generator,
              device: torch.device) -> dict[str, float]:
    config, critic = run.config, run.critic
    real = reals.batch(config.batch_size, rng).to(device)
    z = generator.sample_latent(config.batch_size, generator=rng).to(device)
    with torch.no_grad():
        fake = generator(z) * 2.0 - 1.0
    losses = critic_losses(critic, real, fake, len(critic.features) - 1, 1.0, rng, gp_weight=config.gp_weight,
                           drift_weight=config.drift)
    run.optimizer.zero_grad(set_to_none=True)
    losses["d_loss"].backward()
    run.optimizer.step()
    return {name: float(losses[name].detach()) for name in ("d_loss", "wasserstein", "gp")}


def write_loss_plot(out_dir: Path) -> Path | None:
    """``losses.png``: the critic's loss and its Wasserstein estimate per logging window."""
    records = read_log(out_dir)
    if not records:
        return None
    panels = [(name, {name: [(record["step"], record[name]) for record in records]})
              for name in ("d_loss", "wasserstein", "gp")]
    return line_chart(panels, Path(out_dir) / "losses.png", title="critic fitted to a fixed ProGAN (x: step)")


def fit_critic(config: CriticFitConfig, generator: torch.nn.Module, reals: TrainingImages, out_dir: str | Path, *,
               device: torch.device | str = "cpu", resume: bool = False, max_steps: int | None = None,
               progress: Progress = no_progress) -> GeneratorTrainResult:
    """Fit (or, with ``resume``, go on fitting) a critic to ``generator`` (a ProGAN, frozen) on
    ``reals`` (``[-1, 1]``, the generator's resolution and channels). Every ``checkpoint_every``
    steps and at the end: ``state.pt``, ``discriminator.safetensors`` (what ``-G
    discriminator=…`` loads) and ``losses.png``. The result's ``generator_path`` is the critic's file."""
    out, device = Path(out_dir), torch.device(device)
    state_path = open_run_folder(out, resume, model_files=CRITIC_FILES)
    generator = generator.to(device).eval().requires_grad_(False)
    run = _Run(config, generator, device)
    if resume:
        run.restore(read_training_state(state_path, STATE_FORMAT, "critic-fitting"))
        drop_log_after(out, run.step)

    fitted_to = {"checkpoint": config.generator, "sha256": file_sha256(Path(config.generator))}

    def checkpoint() -> Path:
        save_state(run.state(), state_path)
        write_loss_plot(out)
        return save_critic(run.critic, out / CRITIC_FILE,
                           extra={"fitted_to": fitted_to,
                                  "training": {"steps": run.step, "seconds": round(run.seconds, 1),
                                               "config": dataclasses.asdict(config)}})

    critic_path = run_steps(run, out_dir=out, steps=config.steps, max_steps=max_steps, seed=config.seed,
                            log_every=config.log_every, checkpoint_every=config.checkpoint_every,
                            train_step=lambda rng: _fit_step(run, generator, reals, rng, device),
                            checkpoint=checkpoint, progress=progress)
    return GeneratorTrainResult(out, run.step, run.step >= config.steps, run.seconds, critic_path)
