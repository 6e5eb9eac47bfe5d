"""The default ``gigs run``: GIGS on a bundled Fashion-MNIST item (or the user's photo) for a taste segment.

:func:`run_demo` loads the bundle's models, prepares the item, chooses the
perceptual distance (:func:`choose_perceptual`), runs :func:`~gigs_core.method.pipeline.run_gigs`
with the bundle's demo settings and attaches the evaluation extras
(:mod:`gigs_demo.evaluation`). It returns the run; saving and printing
are the caller's.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from gigs_core.config import GigsConfig
from gigs_core.method.perceptual import BACKBONE_FILES, backbone_path, lpips_available
from gigs_demo.bundle import DemoBundle

log = logging.getLogger(__name__)


@dataclass
class DemoRequest:
    """What the user asked for; ``None`` means the bundle's default."""

    bundle: str | Path | None = None
    demo_item: int | None = None
    photos: Sequence[str | Path] = ()
    segment: str | None = None
    seed: int | None = None
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Algorithm 1 settings the user gave (``{"inversion": {...}, "shift": {...}}``); they win
    over the bundle's demo settings and are validated exactly as for any run."""
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    judges: dict[str, Any] = field(default_factory=dict)
    """Recommenders over the bundle's users that score the run's images as second opinions,
    beside the bundle's own (its judge and the ground truth; a judge given here wins a name they share)."""


def choose_perceptual(bundle: DemoBundle, requested: str | None = None) -> tuple[str, str]:
    """``(name, note)``: LPIPS-alex when its backbone weights are cached, else the bundle's
    domain-classifier features. Never random features. ``requested`` wins when given."""
    if requested:
        return requested, f"perceptual distance: {requested} (chosen on the command line)"
    if lpips_available("alex"):
        return "lpips-alex", "perceptual distance: LPIPS (alex)"
    name = f"domain:{bundle.path('classifier')}"
    note = (f"perceptual distance: the demo bundle's domain-classifier features (LPIPS-alex needs "
            f"{BACKBONE_FILES['alex']} in {backbone_path('alex').parent}, which is absent; nothing is downloaded)")
    return name, note


def prepare_photo(image: torch.Tensor, resolution: int, channels: int, background: str) -> tuple[torch.Tensor, list[str]]:
    """A ``1×3×H×W`` photo of any size as the backends expect it: grey (when they are), padded
    to a square with its own border colour, resized, and with the catalogue's background
    brightness (a light-background product photo is inverted for Fashion-MNIST's dark one)."""
    from gigs_core.imaging import resize, to_channels

    notes = []
    grey = to_channels(image, 1)
    border = torch.cat([grey[..., 0, :], grey[..., -1, :], grey[..., :, 0], grey[..., :, -1]], dim=-1)
    light = float(border.mean()) > 0.5
    if background == "dark" and light:
        grey, image = 1.0 - grey, 1.0 - image
        notes.append("the photo has a light background; it was inverted to match the catalogue's dark one")
    height, width = image.shape[-2:]
    if height != width:
        side = max(height, width)
        fill = float(torch.cat([grey[..., 0, :], grey[..., -1, :]], dim=-1).mean())
        top, left = (side - height) // 2, (side - width) // 2
        canvas = image.new_full((1, image.shape[1], side, side), fill)
        canvas[..., top:top + height, left:left + width] = image
        image = canvas
        notes.append(f"the {width}×{height} photo was padded to a square")
    out = to_channels(resize(image, resolution), channels).clamp(0, 1)
    notes.append(f"the photo was converted to {resolution}×{resolution} {'grey' if channels == 1 else 'colour'}")
    return out, notes


#: The bundle manifest's demo settings and the Algorithm 1 settings they set.
BUNDLE_SETTINGS = {
    "inversion_steps": ("inversion", "steps"),
    "inversion_lr": ("inversion", "lr"),
    "inversion_starts": ("inversion", "starts"),
    "shift_steps": ("shift", "steps"),
    "shift_lr": ("shift", "lr_shift"),
    "shift_lr_schedule": ("shift", "lr_schedule"),
    "n": ("shift", "n"),
    "eps": ("shift", "eps"),
    "preference_weight": ("shift", "preference_weight"),
    "predictor_trunk": ("shift", "predictor_trunk"),
    "predictor_trunk_options": ("shift", "predictor_trunk_options"),
}


def demo_config(settings: dict[str, Any], overrides: dict[str, dict[str, Any]], perceptual: str) -> GigsConfig:
    """The config defaults, then the bundle's demo settings, then the user's overrides
    (validated as for any run)."""
    bundle: dict[str, dict[str, Any]] = {"inversion": {"perceptual": perceptual}, "shift": {}}
    for key, (section, name) in BUNDLE_SETTINGS.items():
        if key in settings:
            bundle[section][name] = settings[key]
    return GigsConfig().merged(bundle).merged(overrides)


def run_demo(request: DemoRequest, progress=None):
    """Run GIGS as the demo does; returns the :class:`~gigs_core.report.result.GigsRun` (not yet saved)."""
    from gigs_core.imaging import conform, load_image, read_photo
    from gigs_core.method.perceptual import create_perceptual_distance
    from gigs_core.method.pipeline import run_gigs
    from gigs_demo.evaluation import evaluation_extras

    bundle = DemoBundle(request.bundle)
    settings = bundle.demo_settings
    segment = bundle.check_segment(request.segment or settings["default_segment"])
    perceptual, perceptual_note = choose_perceptual(bundle, request.overrides.get("inversion", {}).get("perceptual"))
    notes = [perceptual_note]
    device = request.device
    generator = bundle.generator().to(device)
    recommender = bundle.recommender().to(device)
    truth = bundle.ground_truth()
    users = bundle.group_users(truth, segment)

    background = bundle.manifest["catalogue"].get("background", "dark")
    if request.photos:
        from gigs_core.cli.preflight import item_names

        images, names = [], item_names(request.photos)
        for path in request.photos:
            photo, read_notes = read_photo(path, generator.resolution)
            prepared, photo_notes = prepare_photo(photo, generator.resolution, generator.channels, background)
            photo_notes = read_notes + photo_notes
            images.append(prepared)
            notes += [f"{Path(path).name}: {note}" for note in photo_notes]
        described_items = [{"photo": str(path)} for path in request.photos]
    else:
        item = bundle.item(request.demo_item if request.demo_item is not None else settings["default_item"])
        images = [conform(load_image(item.path), generator.resolution, generator.channels)]
        names = [item.name]
        described_items = [{"demo_item": item.index, "file": item.path.name, "category": item.category,
                            "catalogue_row": item.catalogue_id}]
        notes.append(f"item: bundled Fashion-MNIST test item #{item.catalogue_id} ({item.category})")
    config = demo_config(settings, request.overrides, perceptual)
    seed = settings.get("seed", 0) if request.seed is None else request.seed
    judges = {name: judge.to(device) for name, judge in {**bundle.judges(truth), **request.judges}.items()}
    run = run_gigs(
        generator, recommender, torch.cat(images).to(device), users=users.tolist(), config=config, seeds=seed,
        item_names=names, progress=progress, judges=judges,
        backends={
            "generator": {"name": "progan", "options": bundle.generator_options()},
            "recommender": {"name": "dvbpr", "options": {"checkpoint": str(bundle.path("recommender"))}},
            "demo": {"bundle": str(bundle.folder), "segment": segment, "items": described_items,
                     "bundle_built": bundle.manifest.get("created"), "quick_bundle": bundle.manifest.get("quick")},
        },
    )
    run.gain_units = bundle.scores.spread(segment)  # each scorer's σ over the catalogue, from the bundle's tables
    distance = create_perceptual_distance(perceptual)
    run.evaluation = evaluation_extras(
        run, recommender=recommender, ground_truth=truth, users=users, distance=distance, distance_name=perceptual,
        scores=bundle.scores, group=segment, catalogue=bundle.manifest["catalogue"],
    )
    run.evaluation["domain_check"] = _domain_checks(bundle, perceptual, distance, run, notes)
    run.notes = notes
    return run


def _domain_checks(bundle: DemoBundle, perceptual: str, distance, run, notes: list[str]) -> dict[str, Any]:
    """Per item, whether the generator can represent it (:mod:`gigs_demo.calibration`); a note
    instead when the bundle is not calibrated for ``perceptual``."""
    from gigs_demo.calibration import bundle_images, domain_check, nearest_item_distances, stored_calibration

    calibration = stored_calibration(bundle, perceptual)
    if calibration is None:
        notes.append(f"no out-of-domain check: the bundle holds no calibration for {perceptual} "
                     f"(`gigs demo calibrate --perceptual {perceptual}` adds one)")
        return {}
    if calibration["inversion_steps"] != run.config.inversion.steps:
        notes.append(f"the out-of-domain thresholds were calibrated with {calibration['inversion_steps']} inversion "
                     f"steps and this run took {run.config.inversion.steps}: its reconstruction check is approximate")
    first = run.items[0].item
    catalogue = bundle_images(bundle, first.shape[-1], first.shape[0])
    photos = torch.stack([item.item for item in run.items])
    nearest = nearest_item_distances(distance.cpu(), photos, catalogue).tolist()
    checks = {}
    for item, nearest_distance in zip(run.items, nearest):
        rows = run.evaluation["items"][item.name]
        reconstruction = next(row for row in rows if row["image"] == "reconstruction")
        checks[item.name] = domain_check(calibration, nearest_item_distance=nearest_distance,
                                         reconstruction_distance=reconstruction["distance_to_item"])
    return checks
