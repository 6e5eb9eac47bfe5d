"""The demo's out-of-domain check, calibrated on the bundle's own catalogue items.

A generator can only reproduce photos like the ones it was trained on, so a run on
any other photo optimises variants of something else. Two distances, both in the
run's perceptual distance and both calibrated on the bundled catalogue items (four
per category), tell when a photo lies outside that domain:

* **reconstruction**: how far the photo's reconstruction lies from it. Each bundled
  item is inverted with the demo's own inversion settings; a photo whose
  reconstruction lies farther away than ``QUANTILE`` of the items' do is out of domain.
* **nearest item**: how far the photo lies from the nearest bundled item. A photo
  farther from every item than any item is from its own nearest other item is out of
  domain. This catches photos that the generator turns into a plausible blob (a
  circuit board reconstructs about as closely as a sandal does, but lies far from
  every garment).

The figures are stored in the bundle's ``manifest.json`` (``domain_check``), one entry
per perceptual distance: ``gigs demo build`` calibrates the distance the demo picks
offline, ``gigs demo calibrate`` any other.
"""

from __future__ import annotations

import json
from typing import Any

import torch

from gigs_core.atomic import atomic_file
from gigs_demo.bundle import DemoBundle

#: A reconstruction farther from its photo than this quantile of the catalogue's own is out of domain.
QUANTILE = 0.95


def distance_kind(bundle: DemoBundle, perceptual: str) -> str:
    """The key a calibration is stored under: ``domain-classifier`` for the bundle's own
    classifier features (stored by path, which moves with the bundle), else the name."""
    return "domain-classifier" if perceptual == f"domain:{bundle.path('classifier')}" else perceptual


def bundle_images(bundle: DemoBundle, resolution: int, channels: int) -> torch.Tensor:
    """The bundled catalogue items as the generator sees them (``N×C×H×W``)."""
    from gigs_core.imaging import conform, load_image

    return torch.cat([conform(load_image(item.path), resolution, channels) for item in bundle.items])


@torch.no_grad()
def nearest_item_distances(distance, photos: torch.Tensor, items: torch.Tensor,
                           leave_out_self: bool = False) -> torch.Tensor:
    """Each photo's distance to its nearest item; with ``leave_out_self`` (photos are the items)
    the distance to the nearest *other* item."""
    count = len(items)
    table = torch.stack([distance(photo[None].expand(count, -1, -1, -1), items) for photo in photos])
    if leave_out_self:
        table.fill_diagonal_(float("inf"))
    return table.min(dim=1).values


def _summary(values: torch.Tensor, threshold: float) -> dict[str, float]:
    return {"median": float(values.median()), "max": float(values.max()), "threshold": threshold}


def calibrate(bundle: DemoBundle, perceptual: str, device: torch.device | None = None) -> dict[str, Any]:
    """Invert every bundled item with the demo's settings; the figures of both distances
    (see the module's description) and their thresholds."""
    from gigs_core.factories import create_inverter
    from gigs_core.method.perceptual import create_perceptual_distance
    from gigs_demo.runner import demo_config

    device = device or torch.device("cpu")
    config = demo_config(bundle.demo_settings, {}, perceptual)
    generator = bundle.generator().to(device)
    items = bundle_images(bundle, generator.resolution, generator.channels).to(device)
    inverter = create_inverter("latent-optimization", **config.inversion.model_dump())
    seed = bundle.demo_settings.get("seed", 0)
    result = inverter.invert(generator, items, seeds=[seed] * len(items))
    distance = create_perceptual_distance(perceptual).to(device)
    with torch.no_grad():
        reconstruction = distance(items, result.reconstructions).cpu()
    nearest = nearest_item_distances(distance, items, items, leave_out_self=True).cpu()
    return {
        "items": len(items),
        "inversion_steps": config.inversion.steps,
        "quantile": QUANTILE,
        "reconstruction": _summary(reconstruction, float(torch.quantile(reconstruction, QUANTILE))),
        "nearest_item": _summary(nearest, float(nearest.max())),
    }


def store_calibration(bundle: DemoBundle, kind: str, figures: dict[str, Any]) -> None:
    """Add ``figures`` under ``domain_check[kind]`` in the bundle's manifest (atomically)."""
    manifest = json.loads((bundle.folder / "manifest.json").read_text())
    manifest.setdefault("domain_check", {})[kind] = figures
    with atomic_file(bundle.folder / "manifest.json") as temporary:
        temporary.write_text(json.dumps(manifest, indent=2))
    bundle.manifest = manifest


def stored_calibration(bundle: DemoBundle, perceptual: str) -> dict[str, Any] | None:
    """The bundle's figures for ``perceptual`` (with the ``distance`` they are for), or ``None``."""
    kind = distance_kind(bundle, perceptual)
    figures = bundle.manifest.get("domain_check", {}).get(kind)
    return None if figures is None else {"distance": kind, **figures}


def domain_check(calibration: dict[str, Any], *, reconstruction_distance: float,
                 nearest_item_distance: float) -> dict[str, Any]:
    """One photo's check against a :func:`stored_calibration`, in the form the reports read
    (:func:`gigs_core.report.html.domain_sentence`)."""
    measured = {"reconstruction": reconstruction_distance, "nearest_item": nearest_item_distance}
    reasons = [name for name, value in measured.items() if value > calibration[name]["threshold"]]
    return {"in_domain": not reasons, "reasons": reasons, "distances": measured, "calibration": calibration}
