"""Progressive-growing training of a ProGAN (Karras et al., ICLR 2018).

Each level (4×4, 8×8, …) is trained in two phases, a fade-in (the new level's
output blended in with ``alpha`` rising linearly from 0 to 1, for generator and
critic, and the real images blended the same way) and a stable phase. Loss:
WGAN-GP (λ = 10) plus the drift term ε·E[D(x)²] (ε = 0.001); Adam (lr 0.001,
β = (0, 0.99)); an exponential moving average of the generator's weights
(β = 0.999) is what gets saved and sampled.

The loop is resumable: ``state.pt`` in the output folder holds everything
needed to continue exactly where it stopped.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from gigs_core.checkpoints import load_torch_file
from gigs_core.errors import CheckpointError
from gigs_core.method.modules import seeded
from gigs_core.method.progress import Progress, no_progress
from gigs_core.report.charts import line_chart
from gigs_core.training.images import TrainingImages
from gigs_core.training.run_files import (
    STATE_FILE,
    append_log,
    drop_log_after,
    open_run_folder,
    read_log,
    save_state,
    update_ema,
)
from gigs_core.training.sample_grid import save_grid
from gigs_progan.architecture import Architecture, feature_schedule
from gigs_progan.discriminator import ProGanDiscriminator
from gigs_progan.generator import ProGanGenerator
from gigs_progan.native_format import save_critic, save_generator

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class TrainConfig:
    """Settings of one training run (stored in the run folder, reused on resume)."""

    resolution: int
    channels: int
    latent_dim: int = 512
    feature_base: int = 16384
    max_features: int = 512
    batch_size: int = 16
    images_per_phase: int = 600_000
    final_images: int | None = None
    """Real images shown in the last (full-resolution, stable) phase; default ``images_per_phase``."""
    lr: float = 1e-3
    ema_beta: float = 0.999
    gp_weight: float = 10.0
    drift: float = 1e-3
    seed: int = 0
    checkpoint_every: int = 1000
    log_every: int = 50
    grid_samples: int = 64

    def architecture(self) -> Architecture:
        return Architecture(
            latent_dim=self.latent_dim, channels=self.channels,
            features=tuple(feature_schedule(self.resolution, feature_base=self.feature_base,
                                            max_features=self.max_features)),
        )

    def phases(self) -> list[tuple[int, bool]]:
        """``(level, fading)`` for every phase, in order."""
        levels = self.architecture().levels
        out = [(0, False)]
        for level in range(1, levels):
            out += [(level, True), (level, False)]
        return out

    def steps_in_phase(self, phase: int) -> int:
        images = self.images_per_phase
        if phase == len(self.phases()) - 1 and self.final_images is not None:
            images = self.final_images
        return max(1, math.ceil(images / self.batch_size))


@dataclass
class TrainResult:
    """What :func:`train` did."""

    out_dir: Path
    steps: int
    finished: bool
    seconds: float
    generator_path: Path | None
    """The EMA generator written (at the end, or at a stop in the last phase)."""
    grids: list[Path]


def reals_at(images: torch.Tensor, level: int, levels: int, alpha: float) -> torch.Tensor:
    """Real images shrunk to ``level``'s size (area average), blended during a
    fade-in with their ×2-coarser version upsampled, as the generator's output is."""
    factor = 2 ** (levels - 1 - level)
    shrunk = F.avg_pool2d(images, factor) if factor > 1 else images
    if level > 0 and alpha < 1.0:
        coarse = F.interpolate(F.avg_pool2d(shrunk, 2), scale_factor=2.0, mode="nearest")
        shrunk = alpha * shrunk + (1.0 - alpha) * coarse
    return shrunk


def gradient_penalty(critic, reals, fakes, level, alpha, generator: torch.Generator) -> torch.Tensor:
    """WGAN-GP: E[(‖∇D(x̂)‖₂ − 1)²] at random interpolates x̂ of real and fake."""
    eps = torch.rand(reals.shape[0], 1, 1, 1, generator=generator).to(reals)
    mixed = (eps * reals + (1.0 - eps) * fakes).requires_grad_(True)
    scores = critic(mixed, level, alpha)
    (grad,) = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
    return (grad.flatten(1).norm(dim=1) - 1.0).pow(2).mean()


def critic_losses(critic, real: torch.Tensor, fake: torch.Tensor, level: int, alpha: float, rng: torch.Generator, *,
                  gp_weight: float, drift_weight: float) -> dict[str, torch.Tensor]:
    """ProGAN's critic loss on a batch: ``d_loss`` = −(E[D(real)] − E[D(fake)]) + λ·GP +
    drift·E[D(real)²], with its parts ``wasserstein``, ``gp`` and ``drift``."""
    real_scores = critic(real, level, alpha)
    fake_scores = critic(fake, level, alpha)
    gp = gradient_penalty(critic, real, fake, level, alpha, rng)
    drift = real_scores.pow(2).mean()
    wasserstein = real_scores.mean() - fake_scores.mean()
    return {"d_loss": -wasserstein + gp_weight * gp + drift_weight * drift, "wasserstein": wasserstein, "gp": gp,
            "drift": drift}


def truncated(generator: ProGanGenerator, level: int, alpha: float) -> ProGanGenerator:
    """A copy of ``generator`` that stops at ``level`` (fade-in ``alpha``): a valid
    generator at that resolution, for phase checkpoints."""
    arch = dataclasses.replace(generator.arch, features=generator.arch.features[:level + 1], alpha=float(alpha))
    small = ProGanGenerator(arch).to(next(generator.parameters()).device)
    full = generator.state_dict()
    small.load_state_dict({key: full[key] for key in small.state_dict()}, strict=True)
    return small


class _Run:
    """The mutable state of a run and the files it writes."""

    def __init__(self, config: TrainConfig, out_dir: Path, device: torch.device) -> None:
        self.config = config
        self.out = out_dir
        self.device = device
        arch = config.architecture()
        with seeded(config.seed):
            self.G = ProGanGenerator(arch).to(device)
            self.D = ProGanDiscriminator(arch.features, arch.channels).to(device)
        self.G_ema = ProGanGenerator(arch).to(device)
        self.G_ema.load_state_dict(self.G.state_dict())
        self.G_ema.requires_grad_(False)
        betas = (0.0, 0.99)
        self.opt_G = torch.optim.Adam(self.G.parameters(), lr=config.lr, betas=betas)
        self.opt_D = torch.optim.Adam(self.D.parameters(), lr=config.lr, betas=betas)
        self.phase = 0
        self.step_in_phase = 0
        self.global_step = 0
        self.seconds = 0.0
        fixed = torch.Generator().manual_seed(config.seed + 12345)
        self.fixed_z = torch.randn(config.grid_samples, arch.latent_dim, generator=fixed).to(device)

    # -- persistence ------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {
            "format": "gigs-progan-train", "version": 1,
            "config": dataclasses.asdict(self.config),
            "G": self.G.state_dict(), "G_ema": self.G_ema.state_dict(), "D": self.D.state_dict(),
            "opt_G": self.opt_G.state_dict(), "opt_D": self.opt_D.state_dict(),
            "phase": self.phase, "step_in_phase": self.step_in_phase,
            "global_step": self.global_step, "seconds": self.seconds,
        }

    def save_state(self) -> None:
        save_state(self.state(), self.out / STATE_FILE)

    def restore(self, state: dict[str, Any]) -> None:
        self.G.load_state_dict(state["G"])
        self.G_ema.load_state_dict(state["G_ema"])
        self.D.load_state_dict(state["D"])
        self.opt_G.load_state_dict(state["opt_G"])
        self.opt_D.load_state_dict(state["opt_D"])
        for optimizer in (self.opt_G, self.opt_D):  # the run's (possibly changed) learning rate
            for group in optimizer.param_groups:
                group["lr"] = self.config.lr
        self.phase = int(state["phase"])
        self.step_in_phase = int(state["step_in_phase"])
        self.global_step = int(state["global_step"])
        self.seconds = float(state["seconds"])

    def phase_name(self, phase: int) -> str:
        level, fading = self.config.phases()[phase]
        return f"phase{phase:02d}-{4 * 2 ** level}px-{'fade' if fading else 'stable'}"

    def write_grid(self, phase: int, level: int, alpha: float) -> Path:
        with torch.no_grad():
            images = self.G_ema.synthesize(self.fixed_z, level, alpha)
        images = ((images + 1.0) * 0.5).clamp(0, 1)
        return save_grid(images, self.out / "samples" / f"{self.phase_name(phase)}.png",
                         size=self.config.resolution)


def _check_resumable(state: Any, path: Path) -> dict[str, Any]:
    if not isinstance(state, dict) or state.get("format") != "gigs-progan-train":
        raise CheckpointError(f"{str(path)!r} is not a gigs ProGAN training state")
    missing = sorted({"config", "G", "G_ema", "D", "opt_G", "opt_D", "phase", "step_in_phase"} - set(state))
    if missing:
        raise CheckpointError(f"{str(path)!r} is incomplete: missing {missing}")
    return state


def read_config(out_dir: Path) -> TrainConfig:
    """The config of the run in ``out_dir`` (from its ``state.pt``)."""
    path = out_dir / STATE_FILE
    state = _check_resumable(load_torch_file(path), path)
    return TrainConfig(**state["config"])


def _extend_final_phase(run: _Run, config: TrainConfig) -> None:
    """Reopen a finished run's last stable phase when a larger ``final_images`` asks for more steps."""
    last = len(config.phases()) - 1
    if run.phase <= last:
        return
    done = run.global_step - sum(config.steps_in_phase(p) for p in range(last))
    if done < config.steps_in_phase(last):
        run.phase, run.step_in_phase = last, done


def train(
    config: TrainConfig,
    reals: TrainingImages,
    out_dir: str | Path,
    *,
    device: torch.device | str = "cpu",
    resume: bool = False,
    max_steps: int | None = None,
    progress: Progress = no_progress,
) -> TrainResult:
    """Train (or, with ``resume``, continue training) a ProGAN into ``out_dir``.

    Writes ``state.pt`` (resume point) every ``checkpoint_every`` steps and at
    each phase end, ``samples/<phase>.png`` (EMA samples of fixed latents) and
    ``checkpoints/<phase>.safetensors`` (EMA generator at that phase's
    resolution) at each phase end, ``log.jsonl`` and ``losses.png``; at the end,
    ``generator.safetensors`` (EMA) and ``generator-plain.safetensors``.
    ``max_steps`` stops once that many steps have been run in total (resumable);
    a stop in the last (full-size) phase also writes both generator files, marked
    ``"finished": false``, so a paused run can be sampled.
    """
    out = Path(out_dir)
    device = torch.device(device)
    state_path = open_run_folder(out, resume)
    run = _Run(config, out, device)
    if resume:
        run.restore(_check_resumable(load_torch_file(state_path), state_path))
        drop_log_after(out, run.global_step)
        _extend_final_phase(run, config)
        log.info("resuming at step %d (%s)", run.global_step, run.phase_name(min(run.phase, len(config.phases()) - 1)))
    phases = config.phases()
    levels = config.architecture().levels
    total_steps = sum(config.steps_in_phase(p) for p in range(len(phases)))
    grids: list[Path] = []
    window: dict[str, float] = {}
    window_n = 0
    started = time.perf_counter()
    seconds_at_start = run.seconds

    def elapsed() -> float:
        return seconds_at_start + time.perf_counter() - started

    def flush_log(level: int, alpha: float) -> None:
        nonlocal window, window_n
        if not window_n:
            return
        record = {"step": run.global_step, "phase": run.phase_name(run.phase), "level": level,
                  "resolution": 4 * 2 ** level, "alpha": round(alpha, 4), "seconds": round(elapsed(), 2),
                  **{key: value / window_n for key, value in window.items()}}
        append_log(out, record)
        window, window_n = {}, 0

    run.G.train()
    run.D.train()
    while run.phase < len(phases):
        level, fading = phases[run.phase]
        per_phase = config.steps_in_phase(run.phase)
        while run.step_in_phase < per_phase:
            if max_steps is not None and run.global_step >= max_steps:
                run.seconds = elapsed()
                flush_log(level, 1.0)
                run.save_state()
                write_loss_plot(out)
                snapshot = _write_generators(run, finished=False) if run.phase == len(phases) - 1 else None
                return TrainResult(out, run.global_step, False, run.seconds, snapshot, grids)
            alpha = (run.step_in_phase + 1) / per_phase if fading else 1.0
            rng = torch.Generator().manual_seed(config.seed * 1_000_003 + run.global_step)
            n = config.batch_size
            real = reals_at(reals.batch(n, rng).to(device), level, levels, alpha)
            z = torch.randn(n, config.latent_dim, generator=rng).to(device)

            # critic step
            fake = run.G.synthesize(z, level, alpha).detach()
            critic = critic_losses(run.D, real, fake, level, alpha, rng, gp_weight=config.gp_weight,
                                   drift_weight=config.drift)
            run.opt_D.zero_grad(set_to_none=True)
            critic["d_loss"].backward()
            run.opt_D.step()

            # generator step
            z = torch.randn(n, config.latent_dim, generator=rng).to(device)
            run.D.requires_grad_(False)
            g_loss = -run.D(run.G.synthesize(z, level, alpha), level, alpha).mean()
            run.opt_G.zero_grad(set_to_none=True)
            g_loss.backward()
            run.opt_G.step()
            run.D.requires_grad_(True)
            update_ema(run.G_ema, run.G, config.ema_beta)

            for key, value in (*critic.items(), ("g_loss", g_loss)):
                window[key] = window.get(key, 0.0) + float(value.detach())
            window_n += 1
            run.step_in_phase += 1
            run.global_step += 1
            progress(run.phase_name(run.phase), run.global_step, total_steps)
            if run.global_step % config.log_every == 0:
                flush_log(level, alpha)
            if run.global_step % config.checkpoint_every == 0:
                run.seconds = elapsed()
                run.save_state()
                write_loss_plot(out)
        # phase finished
        flush_log(level, 1.0)
        grids.append(run.write_grid(run.phase, level, 1.0))
        save_generator(truncated(run.G_ema, level, 1.0), out / "checkpoints" / f"{run.phase_name(run.phase)}.safetensors")
        run.phase += 1
        run.step_in_phase = 0
        run.seconds = elapsed()
        run.save_state()
        write_loss_plot(out)
        log.info("finished %s at step %d (%.0f s)", run.phase_name(run.phase - 1), run.global_step, run.seconds)

    final = _write_generators(run, finished=True)
    return TrainResult(out, run.global_step, True, run.seconds, final, grids)


def _write_generators(run: _Run, *, finished: bool) -> Path:
    """Write ``generator.safetensors`` (EMA), ``generator-plain.safetensors`` and the critic,
    ``discriminator.safetensors``, at the full resolution, recording the steps and seconds so
    far; returns the EMA file."""
    extra = {"training": {"steps": run.global_step, "seconds": round(run.seconds, 1), "finished": finished,
                          "config": dataclasses.asdict(run.config)}}
    ema = save_generator(run.G_ema, run.out / "generator.safetensors", weights="ema", extra=extra)
    save_generator(run.G, run.out / "generator-plain.safetensors", weights="plain", extra=extra)
    save_critic(run.D, run.out / "discriminator.safetensors", extra=extra)
    return ema


def _record_spacing(records: list[dict[str, Any]]) -> int:
    """Steps between log records (to place a phase marker at the phase's first step)."""
    return records[1]["step"] - records[0]["step"] if len(records) > 1 else 0


def write_loss_plot(out_dir: str | Path) -> Path | None:
    """Draw ``losses.png`` (critic loss, generator loss, Wasserstein estimate, GP) from the log."""
    records = read_log(out_dir)
    if not records:
        return None
    series = {key: [(r["step"], r[key]) for r in records if key in r]
              for key in ("d_loss", "g_loss", "wasserstein", "gp")}
    markers, seen = [], set()
    for record in records:
        if record["phase"] not in seen:
            seen.add(record["phase"])
            kind = "fade-in" if record["phase"].endswith("fade") else "stable"
            markers.append((record["step"] - _record_spacing(records), f"{record['resolution']}px {kind}"))
    panels = [(name, {name: points}) for name, points in series.items() if points]
    return line_chart(panels, Path(out_dir) / "losses.png", title="ProGAN training (x: step)", markers=markers)
