"""Training a small UNet for the ``ddim`` generator (Ho et al. 2020's ε-prediction objective).

Each step draws real images x₀ (in ``[-1, 1]``), a training timestep t uniformly from the
schedule's 1,000 and standard normal noise ε, forms x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε with the
scheduler's own ``add_noise``, and regresses the UNet's prediction on ε (mean squared error;
Adam with a linear warm-up). An exponential moving average of the weights (its decay warmed
up over the first steps) is what gets saved: ``generator/`` is a diffusers pipeline folder (``unet/`` + ``scheduler/``) that
``create_generator("ddim", checkpoint=...)`` reads. The cosine (``squaredcos_cap_v2``)
schedule of Nichol & Dhariwal 2021 is the default: it suits small images and few DDIM steps.

The loop is resumable: ``state.pt`` holds everything needed to continue exactly where it
stopped (weights, moving average, optimiser, step), and the random draws of step s depend
only on the seed and s.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from gigs_core.method.progress import Progress, no_progress
from gigs_core.report.charts import line_chart
from gigs_core.training.images import TrainingImages
from gigs_core.training.run_files import (
    STATE_FILE,
    GeneratorTrainResult,
    ResumableRun,
    append_log,
    drop_log_after,
    model_folder,
    open_run_folder,
    read_log,
    read_training_state,
    save_state,
    update_ema,
)
from gigs_core.training.sample_grid import save_grid
from gigs_ddim.generator import DdimGenerator
from gigs_ddim.loading import fresh_unet_and_scheduler

STATE_FORMAT = "gigs-ddim-train"


@dataclass(frozen=True)
class DdimTrainConfig:
    """Settings of one training run (stored in the run folder, reused on resume)."""

    resolution: int
    channels: int
    width: int = 32
    depth: int = 3
    beta_schedule: str = "squaredcos_cap_v2"
    batch_size: int = 64
    steps: int = 20_000
    lr: float = 2e-4
    warmup_steps: int = 500
    ema_beta: float = 0.999
    seed: int = 0
    checkpoint_every: int = 500
    log_every: int = 50
    grid_samples: int = 64
    sample_steps: int = 20
    """DDIM steps used to draw the sample grids."""

    def build(self):
        return fresh_unet_and_scheduler(self.resolution, self.channels, self.width, self.seed,
                                        depth=self.depth, beta_schedule=self.beta_schedule)


class _Run(ResumableRun):
    """The mutable state of a run."""

    state_format = STATE_FORMAT
    part_names = ("unet", "ema", "optimizer")

    def __init__(self, config: DdimTrainConfig, device: torch.device) -> None:
        self.config = config
        self.unet, self.scheduler = config.build()
        self.unet.to(device).train()
        self.ema = copy.deepcopy(self.unet).requires_grad_(False).eval()
        self.optimizer = torch.optim.Adam(self.unet.parameters(), lr=config.lr)


def _read_state(path: Path) -> dict[str, Any]:
    return read_training_state(path, STATE_FORMAT, "DDIM")


def read_config(out_dir: Path) -> DdimTrainConfig:
    """The config of the run in ``out_dir`` (from its ``state.pt``)."""
    return DdimTrainConfig(**_read_state(Path(out_dir) / STATE_FILE)["config"])


def ema_decay(beta: float, step: int) -> float:
    """The moving average's decay at ``step``: ``min(β, (1 + step) / (10 + step))``, so the random
    initial weights are forgotten within the first hundred steps instead of weighing β^step."""
    return min(beta, (1 + step) / (10 + step))


def _learning_rate(config: DdimTrainConfig, step: int) -> float:
    return config.lr * min(1.0, (step + 1) / max(1, config.warmup_steps))


def _save_generator(run: _Run, out: Path) -> Path:
    """Write the moving average as a pipeline folder ``out/generator`` (unet/ + scheduler/), replacing
    the previous one only once the new one is complete."""
    from diffusers import DDIMPipeline

    with model_folder(out / "generator") as staging:
        DDIMPipeline(unet=run.ema, scheduler=run.scheduler).save_pretrained(staging, safe_serialization=True)
    return out / "generator"


def _write_samples(run: _Run, out: Path, device: torch.device) -> Path:
    config = run.config
    noise = torch.randn(config.grid_samples, config.channels, config.resolution, config.resolution,
                        generator=torch.Generator().manual_seed(config.seed + 12345)).to(device)
    generator = DdimGenerator(run.ema, copy.deepcopy(run.scheduler), config.sample_steps)
    with torch.no_grad():
        images = generator(noise)
    return save_grid(images, out / "samples" / f"step-{run.step:07d}.png", size=max(64, config.resolution))


def write_loss_plot(out_dir: Path) -> Path | None:
    """``losses.png``: the ε-prediction loss per logging window."""
    records = read_log(out_dir)
    if not records:
        return None
    points = [(record["step"], record["loss"]) for record in records]
    return line_chart([("loss (MSE of the predicted noise)", {"loss": points})], Path(out_dir) / "losses.png",
                      title="DDIM UNet training (x: step)")


def train(config: DdimTrainConfig, images: TrainingImages, out_dir: str | Path, *, device: torch.device | str = "cpu",
          resume: bool = False, max_steps: int | None = None, progress: Progress = no_progress) -> GeneratorTrainResult:
    """Train (or, with ``resume``, continue) a UNet into ``out_dir``; ``max_steps`` stops (resumably)
    once that many steps are done in total. Every ``checkpoint_every`` steps and at the end:
    ``state.pt``, ``generator/`` (the moving average), ``samples/step-N.png`` and ``losses.png``."""
    out, device = Path(out_dir), torch.device(device)
    state_path = open_run_folder(out, resume, model_folders=("generator",))
    run = _Run(config, device)
    if resume:
        run.restore(_read_state(state_path))
        drop_log_after(out, run.step)
    started, seconds_at_start = time.perf_counter(), run.seconds
    window, window_n = 0.0, 0
    generator_path = None

    def checkpoint() -> Path:
        run.seconds = seconds_at_start + time.perf_counter() - started
        save_state(run.state(), state_path)
        _write_samples(run, out, device)
        write_loss_plot(out)
        return _save_generator(run, out)

    stop = config.steps if max_steps is None else min(config.steps, max_steps)
    while run.step < stop:
        rng = torch.Generator().manual_seed(config.seed * 1_000_003 + run.step)
        clean = images.batch(config.batch_size, rng).to(device)
        noise = torch.randn(clean.shape, generator=rng).to(device)
        timesteps = torch.randint(run.scheduler.config.num_train_timesteps, (clean.shape[0],), generator=rng).to(device)
        noisy = run.scheduler.add_noise(clean, noise, timesteps)
        loss = F.mse_loss(run.unet(noisy, timesteps).sample, noise)
        for group in run.optimizer.param_groups:
            group["lr"] = _learning_rate(config, run.step)
        run.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        run.optimizer.step()
        update_ema(run.ema, run.unet, ema_decay(config.ema_beta, run.step))
        run.step += 1
        window, window_n = window + float(loss.detach()), window_n + 1
        progress("training", run.step, config.steps)
        if run.step % config.log_every == 0:
            append_log(out, {"step": run.step, "loss": window / window_n,
                             "seconds": round(seconds_at_start + time.perf_counter() - started, 2)})
            window, window_n = 0.0, 0
        if run.step % config.checkpoint_every == 0:
            generator_path = checkpoint()
    if generator_path is None or run.step % config.checkpoint_every:
        generator_path = checkpoint()
    return GeneratorTrainResult(out, run.step, run.step >= config.steps, run.seconds, generator_path)
