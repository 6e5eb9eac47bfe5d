"""Building the ``ddim`` generator's UNet and scheduler: from a local diffusers folder, or
fresh (seeded random weights, a small default architecture) for tests and training.

Folders in diffusers' ``save_pretrained`` layout are accepted: a pipeline folder
(``DDPMPipeline``/``DDIMPipeline``) holding ``unet/`` and ``scheduler/``, or a
``UNet2DModel`` folder, with or without a ``scheduler/`` folder inside it (without one,
diffusers' default DDIM schedule over 1,000 training steps is used). Only safetensors
weights are read, and nothing is ever downloaded.
"""

from __future__ import annotations

from pathlib import Path

from gigs_core.errors import CheckpointError


def _weights_folder(folder: Path) -> tuple[Path, Path | None]:
    """``(unet folder, scheduler folder or None)`` of a pipeline or UNet folder."""
    if (folder / "unet" / "config.json").is_file():
        unet = folder / "unet"
    elif (folder / "config.json").is_file():
        unet = folder
    else:
        raise CheckpointError(f"{str(folder)!r} holds no diffusers UNet (no config.json there or in unet/); "
                              f"give a folder written by UNet2DModel.save_pretrained or a pipeline's save_pretrained")
    scheduler = next((candidate for candidate in (folder / "scheduler", unet / "scheduler")
                      if (candidate / "scheduler_config.json").is_file()), None)
    return unet, scheduler


def load_unet_and_scheduler(folder: str | Path):
    """The ``UNet2DModel`` and a ``DDIMScheduler`` (from the folder's scheduler config when it has one)."""
    from diffusers import DDIMScheduler, UNet2DModel

    unet_folder, scheduler_folder = _weights_folder(Path(folder))
    try:
        # low_cpu_mem_usage=False: the small UNets gigs loads need no `accelerate` (diffusers warns without it)
        unet = UNet2DModel.from_pretrained(unet_folder, local_files_only=True, use_safetensors=True,
                                           low_cpu_mem_usage=False)
    except (OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CheckpointError(f"{str(unet_folder)!r} is not a UNet2DModel gigs can read ({first})") from None
    scheduler = (DDIMScheduler.from_pretrained(scheduler_folder, local_files_only=True) if scheduler_folder
                 else DDIMScheduler())
    return unet, scheduler


def fresh_unet_and_scheduler(resolution: int, channels: int, width: int, seed: int, *, depth: int = 2,
                             beta_schedule: str = "linear"):
    """A small ``UNet2DModel`` (``depth`` resolution levels of ``width``, then ``2·width``
    channels) with seeded random weights, and a DDIM schedule over 1,000 training steps
    (diffusers' default ``linear`` betas, or e.g. ``squaredcos_cap_v2``)."""
    from diffusers import DDIMScheduler, UNet2DModel

    from gigs_core.method.modules import seeded

    with seeded(seed):
        unet = UNet2DModel(sample_size=resolution, in_channels=channels, out_channels=channels, layers_per_block=1,
                           block_out_channels=(width, *[2 * width] * (depth - 1)), norm_num_groups=min(8, width),
                           down_block_types=("DownBlock2D",) * depth, up_block_types=("UpBlock2D",) * depth)
    return unet, DDIMScheduler(beta_schedule=beta_schedule)
