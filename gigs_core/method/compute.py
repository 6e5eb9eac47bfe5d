"""How a run computes its steps (``GigsConfig.compute``): autocast, memory format, compilation.

None of these change Algorithm 1; they change speed, and numbers only by rounding. bf16 runs the
forward passes of the models under autocast: the latents, shifts, optimiser state and the
losses' reductions stay float32 (autocast runs losses and reductions in float32).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn

from gigs_core.config import ComputeConfig


@contextlib.contextmanager
def computing(config: ComputeConfig, device: torch.device, *modules: nn.Module) -> Iterator[None]:
    """The block runs under ``config``: bf16 autocast, and ``modules`` in channels-last memory
    format (put back to the default format afterwards)."""
    with contextlib.ExitStack() as stack:
        if config.channels_last:
            for module in modules:
                module.to(memory_format=torch.channels_last)
                stack.callback(module.to, memory_format=torch.contiguous_format)
        if config.precision == "bf16":
            stack.enter_context(torch.autocast(device.type, dtype=torch.bfloat16))
        yield


def compiled(generator: nn.Module, config: ComputeConfig) -> nn.Module:
    """``torch.compile(generator)`` when ``config.compile``, else the generator itself. The compiled
    module shares the generator's weights and answers for its attributes (``latent_shape`` …)."""
    return torch.compile(generator) if config.compile else generator
