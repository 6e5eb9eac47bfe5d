"""Small helpers for working with other people's ``nn.Module`` objects."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn


def first_tensor(module: nn.Module) -> torch.Tensor:
    """A module's first parameter or buffer (an empty CPU float tensor if it has none):
    where its device and dtype can be read."""
    for tensor in (*module.parameters(), *module.buffers()):
        return tensor
    return torch.empty(0)


def module_device(module: nn.Module) -> torch.device:
    """The device of a module's first parameter or buffer (CPU if it has none)."""
    return first_tensor(module).device


@contextlib.contextmanager
def frozen(*modules: nn.Module) -> Iterator[None]:
    """Evaluation mode and no weight gradients for ``modules``; both restored afterwards."""
    # every submodule's own mode: a module in training mode may hold one in evaluation mode (e.g. a
    # distance wrapping a classifier with batch norm), and ``train(True)`` on the parent would change it
    modes = [(submodule, submodule.training) for module in modules for submodule in module.modules()]
    flags = [(parameter, parameter.requires_grad) for module in modules for parameter in module.parameters()]
    try:
        for module in modules:
            module.eval()
            module.requires_grad_(False)
        yield
    finally:
        for submodule, training in modes:
            submodule.training = training
        for parameter, flag in flags:
            parameter.requires_grad_(flag)


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Run a block (e.g. building a randomly initialised module) under a fixed global
    CPU seed without disturbing the caller's random state."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield
