"""Comparing generators and methods: the same items, users, recommender, judges, settings and
seeds, one run per contender (a generator with its own inverter, and the method that makes the
variants: GIGS or one of the paper's baselines), and one table of how each did.

Generators differ in size and channels, so everything about fidelity and distance is
measured at the item photo's own size and channels: reconstruction PSNR against the photo,
the perceptual distance of the variants to it, and diversity, the opposite SSIM of each
item's variants (1 − their mean pairwise SSIM; SSIM's window needs photos of 11 px or more).

The paper's baselines (``dvbpr-pm``, ``dvbpr-random``) generate from the generator's prior and
take no item, so a comparison that includes them runs class-level: without photos, each
contender starts from prior samples (the same seeds for all), there is no reconstruction to
score, and diversity is measured at ``COMPARISON_SIZE`` px or the largest generator's size.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import torch

from gigs_core.atomic import FolderMarker, atomic_folder
from gigs_core.config import METHODS, GigsConfig
from gigs_core.errors import UserInputError
from gigs_core.imaging import conform
from gigs_core.method.perceptual import create_perceptual_distance
from gigs_core.method.pipeline import run_gigs
from gigs_core.metrics.diversity import opposite_ssim
from gigs_core.metrics.image import psnr
from gigs_core.metrics.item_distance import perceptual_distance_to_item
from gigs_core.report.contact_sheet import render_contact_sheet
from gigs_core.report.portable import portable
from gigs_core.report.result import GigsRun

#: Comparisons measure at the largest generator's size and at least this size (SSIM's window is 11 px).
COMPARISON_SIZE = 32

#: The marker of a ``gigs compare`` folder.
COMPARISON_FOLDER = FolderMarker(".gigs-compare", {"format": "gigs-compare", "version": 1})


class DefaultComparison(Protocol):
    """What a plugin's default run offers ``gigs compare`` when no recommender is named: a
    catalogue with its own generators, recommender, judges, items and user segments."""

    def generators(self) -> dict[str, dict[str, Any]]:
        """The catalogue's generators: backend name → options (e.g. its checkpoint)."""

    def items(self) -> list[Path]:
        """The item photos a comparison takes without ``--item``."""

    def segments(self) -> list[str]:
        """The segment names; the first is the default."""

    def users(self, segment: str) -> list[int]:
        """The user ids of a segment."""

    def config(self, overrides: dict[str, dict[str, Any]]) -> GigsConfig:
        """The catalogue's Algorithm 1 settings with the user's ``overrides`` on top."""

    def distance(self) -> str:
        """The perceptual distance of variants to items that suits the catalogue."""

    def recommender(self, device: torch.device):
        """The recommender to optimise against, on ``device``."""

    def judges(self, device: torch.device) -> dict[str, Any]:
        """Recommenders over the same users that judge the gains (e.g. a ground truth)."""


def default_comparison() -> DefaultComparison:
    """The default run's comparison support, or a one-line error when no plugin offers one."""
    from gigs_core import extensions

    default = extensions.default_run()
    factory = default.extra.get("compare") if default else None
    if factory is None:
        raise UserInputError("give --recommender NAME (no installed plugin provides a default comparison; "
                             "see `gigs plugins`)")
    return factory()


@dataclass
class Contender:
    """One generator under comparison, with the inverter to use for it (``None``: Algorithm 1's)
    and the method that makes its variants (``None``: the config's)."""

    label: str
    generator: Any
    inverter: Any = None
    method: str | None = None


@dataclass
class ComparisonRow:
    """Means over the items of one contender's run."""

    label: str
    method: str
    reconstruction_psnr: float | None
    """dB, the reconstruction against the item photo at the photo's size and channels (``None``:
    class-level, no photo)."""
    preference_gain: float
    """Mean variant preference minus the item's, by the recommender optimised against."""
    judged_gains: dict[str, float]
    """The same gain by each judge."""
    diversity: float
    """Opposite SSIM of the variants (1 − mean pairwise SSIM); higher is more diverse."""
    distance_to_item: float | None
    """Mean perceptual distance of the variants to the item photo (``None`` without a distance)."""
    seconds: float

    def summary(self) -> dict[str, Any]:
        return {"label": self.label, "method": self.method, "reconstruction_psnr_db": self.reconstruction_psnr,
                "preference_gain": self.preference_gain, "judged_gains": self.judged_gains,
                "diversity_opposite_ssim": self.diversity, "distance_to_item": self.distance_to_item,
                "seconds": self.seconds}


@dataclass
class Comparison:
    """The rows, and every contender's full run."""

    rows: list[ComparisonRow]
    runs: dict[str, GigsRun]
    distance: str
    photos: torch.Tensor | None
    """The item photos; ``None`` for a class-level comparison."""
    notes: list[str] = field(default_factory=list)

    def table(self) -> str:
        """A markdown table, one line per contender."""
        judges = sorted({name for row in self.rows for name in row.judged_gains})
        head = ["generator", "method", "recon PSNR (dB)", "gain (optimised)", *[f"gain ({name})" for name in judges],
                "diversity (1−SSIM)", f"distance to item ({portable(self.distance)})", "seconds"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for row in self.rows:
            distance = "-" if row.distance_to_item is None else f"{row.distance_to_item:.4f}"
            psnr_cell = "-" if row.reconstruction_psnr is None else f"{row.reconstruction_psnr:.2f}"
            cells = [row.label, row.method, psnr_cell, f"{row.preference_gain:+.4f}",
                     *[f"{row.judged_gains[name]:+.4f}" for name in judges],
                     f"{row.diversity:.4f}", distance, f"{row.seconds:.1f}"]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def report(self) -> dict[str, Any]:
        return portable({"metadata": dict(COMPARISON_FOLDER.content), "distance_to_item": self.distance,
                         "rows": [row.summary() for row in self.rows], "notes": self.notes})

    def contact_sheet(self):
        """Per item (or prior sample), one line per contender: the photo, the reconstruction (or
        the sample) and the variants."""
        lines = []
        for index in range(len(next(iter(self.runs.values())).items)):
            for label, run in self.runs.items():
                item = run.items[index]
                row = item.contact_row()
                if self.photos is None:
                    lines.append([(row[0][0], f"{item.name}\n{label}"), *row[1:]])
                    continue
                size, channels = item.reconstruction.shape[-1], item.reconstruction.shape[0]
                photo = conform(self.photos[index:index + 1], size, channels)[0]
                lines.append([(photo, f"{item.name}\n{label}"), *row[1:]])
        return render_contact_sheet(lines)

    def save(self, folder: str | Path, overwrite: bool = False) -> Path:
        """``comparison.md``, ``comparison.json``, ``contact_sheet.png`` and ``runs/LABEL/`` (each a
        gigs run folder), written atomically; replaces only a comparison folder gigs wrote."""
        with atomic_folder(folder, overwrite=overwrite, marker=COMPARISON_FOLDER) as staging:
            (staging / "comparison.md").write_text(self.table() + "\n" + "".join(f"\n{note}\n" for note in self.notes))
            (staging / "comparison.json").write_text(json.dumps(self.report(), indent=2, allow_nan=False))
            self.contact_sheet().save(staging / "contact_sheet.png")
            for label, run in self.runs.items():
                run.save(staging / "runs" / label)
        return Path(folder)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


@torch.no_grad()
def _row(label: str, method: str, run: GigsRun, photos: torch.Tensor | None, distance, seconds: float,
         shape: tuple[int, int]) -> ComparisonRow:
    """``shape``: the (size, channels) at which diversity is measured without photos."""
    size, channels = shape if photos is None else (photos.shape[-1], photos.shape[1])
    at_photo_size = torch.stack([conform(item.variants, size, channels) for item in run.items])
    judges = sorted({name for item in run.items for name in item.judged})
    psnr_db = None
    if photos is not None:
        reconstructions = conform(torch.stack([item.reconstruction for item in run.items]), size, channels)
        psnr_db = float(psnr(photos, reconstructions).mean())
    return ComparisonRow(
        label=label,
        method=method,
        reconstruction_psnr=psnr_db,
        preference_gain=_mean([item.mean_gain for item in run.items]),
        judged_gains={name: _mean([item.judged[name].mean_gain for item in run.items]) for name in judges},
        diversity=opposite_ssim(at_photo_size).mean,
        distance_to_item=None if distance is None or photos is None else perceptual_distance_to_item(
            distance, photos, at_photo_size).mean,
        seconds=seconds,
    )


def compare_generators(
    contenders: Sequence[Contender],
    recommender,
    photos: torch.Tensor | None,
    *,
    users="all",
    config: GigsConfig | None = None,
    seeds: int | Sequence[int] = 0,
    judges: Mapping[str, Any] | None = None,
    distance: str | None = "lpips-untrained",
    item_names: Sequence[str] | None = None,
    class_level_count: int = 1,
    progress=None,
) -> Comparison:
    """Run each contender (its generator and method) on the same ``photos`` (``N×C×H×W`` in
    ``[0, 1]``, any size), users, recommender, ``judges``, config and seeds; ``distance`` names the
    perceptual distance of variants to the item (any registered one; ``None`` or ``"none"`` to skip it).
    ``photos=None``: class-level, around ``class_level_count`` prior samples (what the baselines need)."""
    labels = [contender.label for contender in contenders]
    if len(set(labels)) != len(labels) or not labels:
        raise ValueError(f"contenders need distinct labels, got {labels}")
    unknown = sorted({c.method for c in contenders if c.method is not None and c.method not in METHODS})
    if unknown:
        raise ValueError(f"unknown method(s) {unknown}: use {', '.join(METHODS)}")
    config = config or GigsConfig()
    measure = None if distance in (None, "none") or photos is None else create_perceptual_distance(distance).eval()
    photos_here = None if photos is None else photos.cpu()
    shape = (max(COMPARISON_SIZE, *(c.generator.resolution for c in contenders)),
             max(c.generator.channels for c in contenders))
    runs, rows = {}, []
    for contender in contenders:
        method = contender.method or config.method
        started = time.perf_counter()
        run = run_gigs(contender.generator, recommender, photos, users=users,
                       config=config.model_copy(update={"method": method}), seeds=seeds,
                       inverter=contender.inverter, item_names=item_names, judges=judges, progress=progress,
                       class_level_count=class_level_count)
        seconds = time.perf_counter() - started
        rows.append(_row(contender.label, method, run, photos_here, measure, seconds, shape))
        runs[contender.label] = run
    notes = [f"{label}: {note}" for label, run in runs.items() for note in run.notes]
    distance = "none" if distance is None or photos is None else distance
    return Comparison(rows=rows, runs=runs, distance=distance, photos=photos_here, notes=notes)
