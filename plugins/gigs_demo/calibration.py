"""Calibrating the demo's out-of-domain check on the bundle's own catalogue items.

A generator can only reproduce photos like the ones it was trained on. To tell
when a user's photo is outside that domain, every bundled catalogue item is
inverted with the demo's own inversion settings and the perceptual distance
between each item and its reconstruction is measured. A reconstruction more
than ``MARGIN`` times the 95th percentile of those distances away from its
photo is out of domain: the run says so plainly, and its variants are not
about that photo. The figures are stored in the bundle's ``manifest.json``
(``domain_check``), one entry per perceptual distance the demo may use.
"""

from __future__ import annotations

import json
from typing import Any

import torch

from gigs_core.atomic import atomic_file
from gigs_demo.bundle import DemoBundle

#: How many times the catalogue's 95th-percentile reconstruction distance a photo may lie away.
MARGIN = 2.0


def distance_kind(bundle: DemoBundle, perceptual: str) -> str | None:
    """The key a calibration is stored under: the bundle's own domain classifier, or an LPIPS
    net; ``None`` for any other distance (which the bundle cannot be calibrated for)."""
    if perceptual == f"domain:{bundle.path('classifier')}":
        return "domain-classifier"
    return perceptual if perceptual.startswith("lpips-") else None


@torch.no_grad()
def _distances(distance, items: torch.Tensor, reconstructions: torch.Tensor) -> torch.Tensor:
    return distance(items, reconstructions)


def calibrate(bundle: DemoBundle, perceptual: str, device: torch.device | None = None) -> dict[str, Any]:
    """Invert every bundled item with the demo's settings; the distances' summary and threshold."""
    from gigs_core.factories import create_inverter
    from gigs_core.imaging import conform, load_image
    from gigs_core.method.perceptual import create_perceptual_distance
    from gigs_demo.runner import demo_config

    device = device or torch.device("cpu")
    config = demo_config(bundle.demo_settings, {}, perceptual)
    generator = bundle.generator().to(device)
    items = torch.cat([conform(load_image(item.path), generator.resolution, generator.channels)
                       for item in bundle.items]).to(device)
    inverter = create_inverter("latent-optimization", **config.inversion.model_dump())
    result = inverter.invert(generator, items, seeds=list(range(len(items))))
    distance = create_perceptual_distance(perceptual).to(device)
    values = _distances(distance, items, result.reconstructions).cpu()
    quantile = float(torch.quantile(values, 0.95))
    return {
        "items": len(values),
        "inversion_steps": config.inversion.steps,
        "median": float(values.median()),
        "quantile95": quantile,
        "max": float(values.max()),
        "margin": MARGIN,
        "threshold": MARGIN * quantile,
    }


def store_calibration(bundle: DemoBundle, kind: str, figures: dict[str, Any]) -> None:
    """Add ``figures`` under ``domain_check[kind]`` in the bundle's manifest (atomically)."""
    manifest = json.loads((bundle.folder / "manifest.json").read_text())
    manifest.setdefault("domain_check", {})[kind] = figures
    with atomic_file(bundle.folder / "manifest.json") as temporary:
        temporary.write_text(json.dumps(manifest, indent=2))
    bundle.manifest = manifest


def domain_check(bundle: DemoBundle, perceptual: str, reconstruction_distance: float) -> dict[str, Any] | None:
    """Whether a photo is within what the generator can represent, by the bundle's calibration
    for ``perceptual``; ``None`` when the bundle holds none for that distance."""
    kind = distance_kind(bundle, perceptual)
    figures = bundle.manifest.get("domain_check", {}).get(kind) if kind else None
    if figures is None:
        return None
    return {"distance": reconstruction_distance, "threshold": figures["threshold"],
            "calibration": {"distance": kind, **figures},
            "in_domain": reconstruction_distance <= figures["threshold"]}
