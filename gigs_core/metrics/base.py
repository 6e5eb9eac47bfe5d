"""What every evaluation metric shares: the stateful interface, the mean ± spread it reports,
and the checks of the images it is given.

A metric follows torchmetrics' pattern: ``update(...)`` adds a batch, ``compute()`` gives the
value over everything added since the last ``reset()``, and the class attribute
``higher_is_better`` says which way is better (``None``: neither, a trade-off). Each metric
has a functional twin that gives the same number for all the data at once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

import torch

from gigs_core.errors import UserInputError


@dataclass(frozen=True)
class Summary:
    """The mean of per-unit values (per image, per variant, per set or per split), their
    population standard deviation (``ddof = 0``) and how many there were — the paper's
    ``mean ± std`` table cells."""

    mean: float
    std: float
    count: int

    @classmethod
    def of(cls, values: torch.Tensor) -> Summary:
        values = values.detach().double().flatten().cpu()
        return cls(float(values.mean()), float(values.std(correction=0)), values.numel())


class Metric(ABC):
    """A stateful metric: ``update`` batches, ``compute`` the value, ``reset`` to start again."""

    higher_is_better: ClassVar[bool | None]
    #: What reports call the metric (networks and distances may qualify it, see ``label``).
    name: ClassVar[str]

    @property
    def label(self) -> str:
        """The metric's name in reports; metrics that depend on a network or distance say which."""
        return self.name

    @abstractmethod
    def update(self, *args: Any, **kwargs: Any) -> None: ...

    @abstractmethod
    def compute(self) -> Any: ...

    @abstractmethod
    def reset(self) -> None: ...


class NetworkMetric(Metric):
    """A metric computed in a feature network's space (``self.network``, a
    :class:`~gigs_core.metrics.feature_network.FeatureNetwork`): reports name it after the
    network, "FID" for Inception, "domain FID" for the domain classifier."""

    network: Any

    @property
    def label(self) -> str:
        return self.network.label(self.name)

    @property
    def network_name(self) -> str:
        return self.network.name


class PerUnitMetric(Metric):
    """A metric whose value is the :class:`Summary` of per-unit values collected by ``update``."""

    def __init__(self) -> None:
        self._values: list[torch.Tensor] = []

    def _add(self, values: torch.Tensor) -> None:
        self._values.append(values.detach().double().flatten().cpu())

    def compute(self) -> Summary:
        if not self._values:
            raise UserInputError(f"{self.label}: no data yet; call update() with images before compute()")
        return Summary.of(torch.cat(self._values))

    def reset(self) -> None:
        self._values = []


def check_images(images: torch.Tensor, what: str) -> None:
    """``images`` must be a non-empty ``N×C×H×W`` float batch in ``[0, 1]`` with 1 or 3 channels."""
    if not isinstance(images, torch.Tensor) or images.dim() != 4 or not images.is_floating_point():
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise UserInputError(f"{what} must be an N×C×H×W float tensor, got {shape}; add a batch dimension "
                             f"or convert the images with gigs_core.imaging")
    if images.shape[0] == 0 or images.shape[1] not in (1, 3):
        raise UserInputError(f"{what} must hold at least one image with 1 or 3 channels, got shape "
                             f"{tuple(images.shape)}")
    low, high = float(images.min()), float(images.max())
    if not 0.0 <= low <= high <= 1.0:
        raise UserInputError(f"{what} must have values in [0, 1], got [{low:.3g}, {high:.3g}]; rescale them "
                             f"(e.g. (x + 1) / 2 for [-1, 1] images)")


def check_variants(items: torch.Tensor, variants: torch.Tensor) -> None:
    """``items`` ``M×C×H×W`` and ``variants`` ``M×V×C×H×W``: each item's ``V`` variants in a row."""
    check_images(items, "items")
    if not isinstance(variants, torch.Tensor) or variants.dim() != 5:
        shape = tuple(variants.shape) if isinstance(variants, torch.Tensor) else type(variants).__name__
        raise UserInputError(f"variants must be an M×V×C×H×W tensor (V variants of each of the M items), got "
                             f"{shape}; use variants[None] for the variants of one item")
    if variants.shape[0] != items.shape[0] or variants.shape[2:] != items.shape[1:]:
        raise UserInputError(f"variants {tuple(variants.shape)} do not match items {tuple(items.shape)}: expected "
                             f"{items.shape[0]}×V×{'×'.join(str(s) for s in items.shape[1:])}")
    check_images(variants.flatten(0, 1), "variants")


def check_batch_size(batch_size: int) -> None:
    if batch_size < 1:
        raise UserInputError(f"batch_size must be at least 1, got {batch_size}")
