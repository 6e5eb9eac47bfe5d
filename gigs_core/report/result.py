"""The typed result of a GIGS run, and writing it to a folder."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from gigs_core.atomic import RUN_FOLDER, atomic_folder
from gigs_core.config import GigsConfig
from gigs_core.imaging import tensor_to_pil
from gigs_core.report.contact_sheet import render_contact_sheet
from gigs_core.report.gains import gains_in_std
from gigs_core.report.html import REPRODUCIBILITY, render_report_html
from gigs_core.report.portable import portable


@dataclass
class JudgedScores:
    """The group's preference by a judge: a recommender the run did not optimise against."""

    item: float | None
    reconstruction: float
    variants: list[float]

    @property
    def baseline(self) -> float:
        return self.reconstruction if self.item is None else self.item

    @property
    def mean_gain(self) -> float:
        return sum(self.variants) / len(self.variants) - self.baseline

    def summary(self) -> dict[str, Any]:
        return {"item_preference": self.item, "reconstruction_preference": self.reconstruction,
                "variant_preferences": self.variants, "mean_gain": self.mean_gain}


@dataclass
class ItemResult:
    """One item's outcome. Images are ``C×H×W`` CPU tensors in ``[0, 1]``."""

    name: str
    seed: int
    item: torch.Tensor | None
    """The item at the generator's size and channels (``None`` in class-level mode)."""
    reconstruction: torch.Tensor
    """G(z) for the base latent (the inverted item, or the sampled base)."""
    variants: torch.Tensor
    """``n×C×H×W`` shifted images."""
    item_preference: float | None
    """Group preference of the original item photo."""
    reconstruction_preference: float
    variant_preferences: list[float]
    inversion_loss: float | None
    base_latent: torch.Tensor
    shifts: torch.Tensor
    preference_history: list[float] = field(repr=False)
    reconstruction_psnr: float | None = None
    """PSNR in dB of the reconstruction against the item (``None`` in class-level mode)."""
    judged: dict[str, JudgedScores] = field(default_factory=dict)
    """The same images scored by each judge (``run_gigs(judges=...)``), by judge name."""
    steps_taken: dict[str, int | None] = field(default_factory=dict)
    """Steps each phase took for this item (``inversion``, ``shifting``): fewer than configured when
    it stopped early; ``None`` where the phase does not count them."""

    @property
    def baseline_preference(self) -> float:
        """What variants are compared with: the item photo, else its reconstruction."""
        return self.reconstruction_preference if self.item_preference is None else self.item_preference

    @property
    def mean_gain(self) -> float:
        """Mean variant preference minus the baseline preference."""
        return sum(self.variant_preferences) / len(self.variant_preferences) - self.baseline_preference

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "seed": self.seed,
            "item_preference": self.item_preference,
            "reconstruction_preference": self.reconstruction_preference,
            "variant_preferences": self.variant_preferences,
            "mean_variant_preference": sum(self.variant_preferences) / len(self.variant_preferences),
            "mean_gain": self.mean_gain,
            "inversion_loss": self.inversion_loss,
            "reconstruction_psnr_db": self.reconstruction_psnr,
            "preference_history": self.preference_history,
            "steps_taken": self.steps_taken,
            **({"judged": {name: scores.summary() for name, scores in self.judged.items()}} if self.judged else {}),
            "base_latent": self.base_latent.tolist(),
            "shifts": self.shifts.tolist(),
        }

    def contact_row(self) -> list[tuple[torch.Tensor, str]]:
        row = []
        if self.item is not None:
            row.append((self.item, f"item\n{self.item_preference:.3f}"))
        row.append((self.reconstruction, f"base\n{self.reconstruction_preference:.3f}"))
        baseline = self.baseline_preference
        for index, (variant, score) in enumerate(zip(self.variants, self.variant_preferences)):
            row.append((variant, f"v{index}\n{score:.3f} ({score - baseline:+.3f})"))
        return row


@dataclass
class GigsRun:
    """Everything a run produced and the settings that produced it."""

    items: list[ItemResult]
    users: list[int]
    mode: str
    config: GigsConfig
    perceptual: str
    backends: dict[str, dict[str, Any]]
    device: str
    timings: dict[str, float]
    versions: dict[str, str]
    threads: int = 1
    """CPU threads torch used: results are bit-identical only for the same threads and device."""
    evaluation: dict[str, Any] = field(default_factory=dict)
    """Optional evaluation extras (see :mod:`gigs_demo.evaluation`): per item, rows of
    ground-truth utility, catalogue ranks and distance to the item; shown in the reports."""
    notes: list[str] = field(default_factory=list)
    """Plain-language notes for the reports (e.g. which perceptual distance was chosen and why)."""
    gain_units: dict[str, float] = field(default_factory=dict)
    """Per scorer (``"optimised"`` and each judge), its standard deviation over a catalogue
    (``run_gigs(catalogue=...)``): the unit of :meth:`gains_in_std`."""

    def gains_in_std(self) -> dict[str, Any]:
        """:func:`~gigs_core.report.gains.gains_in_std` of this run's items (empty without ``gain_units``)."""
        return gains_in_std(self.items, self.gain_units)

    def report(self) -> dict[str, Any]:
        """The content of ``report.json``: strict JSON with machine paths shown by name
        (:func:`~gigs_core.report.portable.portable`); ``metadata`` says it is a gigs run
        folder (as ``.gigs-run`` does)."""
        return portable({
            "metadata": dict(RUN_FOLDER.content),
            "mode": self.mode,
            "users": self.users,
            "perceptual_distance": self.perceptual,
            "backends": self.backends,
            "device": self.device,
            "threads": self.threads,
            "reproducibility": REPRODUCIBILITY,
            "timings": self.timings,
            "versions": self.versions,
            "config": self.config.model_dump(),
            "items": [item.summary() for item in self.items],
            **({"evaluation": self.evaluation} if self.evaluation else {}),
            **({"notes": self.notes} if self.notes else {}),
            **({"gains_in_catalogue_std": self.gains_in_std()} if self.gain_units else {}),
        })

    def save(self, folder: str | Path, overwrite: bool = False) -> Path:
        """Write PNGs, ``contact_sheet.png``, ``report.json``, a self-contained ``report.html``
        and the ``.gigs-run`` marker into ``folder``, atomically: on failure no folder (and no
        half of one) is left behind. ``overwrite`` replaces only a folder that holds the
        marker (or an empty one); see docs/output-folders.md."""
        folder = Path(folder)
        with atomic_folder(folder, overwrite=overwrite, marker=RUN_FOLDER) as staging:
            for item in self.items:
                item_folder = staging / item.name
                item_folder.mkdir()
                if item.item is not None:
                    tensor_to_pil(item.item).save(item_folder / "item.png")
                tensor_to_pil(item.reconstruction).save(item_folder / "reconstruction.png")
                for index, variant in enumerate(item.variants):
                    tensor_to_pil(variant).save(item_folder / f"variant_{index:02d}.png")
            render_contact_sheet([item.contact_row() for item in self.items]).save(staging / "contact_sheet.png")
            (staging / "report.json").write_text(json.dumps(self.report(), indent=2, allow_nan=False))
            (staging / "report.html").write_text(render_report_html(self), encoding="utf-8")
        return folder
