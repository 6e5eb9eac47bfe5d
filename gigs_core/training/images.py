"""A catalogue's images as random training batches in a generator's native range ``[-1, 1]``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from gigs_core.errors import UserInputError


def training_ids(dataset, split: str) -> list[int]:
    """The items to train on: the catalogue's official ``train`` partition when ``split`` is
    ``"train"`` and it has one, otherwise every item."""
    if split == "train" and "train" in dataset.catalogue.partitions:
        return [int(i) for i in dataset.catalog_split("train")]
    return list(range(dataset.num_items))


class TrainingImages:
    """Batches of training images in ``[-1, 1]``.

    ``source(ids)`` returns ``N×C×H×W`` ``[0, 1]`` images already at the
    training resolution and channel count. Small catalogues are held in memory.
    """

    def __init__(self, ids: Sequence[int], source: Callable[[Sequence[int]], torch.Tensor], *,
                 preload_bytes: int = 2 << 30, resolution: int, channels: int) -> None:
        self.ids = list(ids)
        if not self.ids:
            raise UserInputError("the dataset has no images to train on")
        self._source = source
        self._cache: torch.Tensor | None = None
        if len(self.ids) * channels * resolution * resolution * 4 <= preload_bytes:
            chunks = [source(self.ids[i:i + 4096]) for i in range(0, len(self.ids), 4096)]
            self._cache = torch.cat(chunks).mul(2.0).sub(1.0).contiguous()

    def batch(self, n: int, generator: torch.Generator) -> torch.Tensor:
        return self.at(torch.randint(len(self.ids), (n,), generator=generator))

    def at(self, positions: torch.Tensor) -> torch.Tensor:
        """The images at ``positions`` in ``ids`` (a trainer that also needs their labels draws them itself)."""
        if self._cache is not None:
            return self._cache[positions]
        return self._source([self.ids[int(i)] for i in positions]).mul(2.0).sub(1.0)
