"""Pixel-computable image attributes: the ground truth of the synthetic users.

Every attribute is a differentiable torch function of a batch of ``[0, 1]``
images of any size and channel count, so the ground-truth utility can score
catalogue photos and generated images alike, and gradients flow through it.

Images are first converted to grey and resized to ``resolution`` (28 px by
default, Fashion-MNIST's size) and turned into a *foreground map* ``f`` in
``[0, 1]``: ``f = x`` when the background is dark (Fashion-MNIST) and
``f = 1 − x`` when it is light (product photos on white). High ``f`` means
"garment ink"; for Fashion-MNIST, whose intensities were negated, that is a
dark garment in the original photo.

Attributes (``ATTRIBUTES``, in this order):

``darkness``       ink-weighted mean ink, Σf²/Σf: how dark the garment is.
``area``           fraction of the frame the garment covers (soft mask σ((f−0.1)/0.03)).
``aspect``         log(σ_y/σ_x) of the ink distribution: tall/narrow > 0, wide/flat < 0.
``texture``        mean squared finite-difference gradient of f inside the garment.
``symmetry``       1 − Σ|f − mirror(f)| / (2Σf): left–right mirror symmetry.
``vertical_mass``  ink centroid height in [−1, 1]; > 0 is bottom-heavy.
``contrast``       standard deviation of f inside the garment.
"""

from __future__ import annotations

import torch

ATTRIBUTES = ("darkness", "area", "aspect", "texture", "symmetry", "vertical_mass", "contrast")
_EPS = 1e-6


def foreground(images: torch.Tensor, *, background: str = "dark", resolution: int = 28) -> torch.Tensor:
    """The N×H×W foreground map of N×C×H×W images in [0, 1]."""
    from gigs_core.imaging import resize, to_channels

    if images.ndim != 4:
        raise ValueError(f"expected N×C×H×W images, got shape {tuple(images.shape)}")
    grey = resize(to_channels(images, 1), resolution)[:, 0].clamp(0, 1)
    if background == "dark":
        return grey
    if background == "light":
        return 1.0 - grey
    raise ValueError(f"background must be 'dark' or 'light', not {background!r}")


def attributes_of_foreground(f: torch.Tensor) -> torch.Tensor:
    """N×7 attributes (order of :data:`ATTRIBUTES`) of an N×H×W foreground map."""
    n, h, w = f.shape
    mass = f.sum(dim=(1, 2)) + _EPS
    darkness = (f * f).sum(dim=(1, 2)) / mass
    mask = torch.sigmoid((f - 0.1) / 0.03)
    mask_mass = mask.sum(dim=(1, 2)) + _EPS
    area = mask.mean(dim=(1, 2))
    ys = torch.linspace(-1.0, 1.0, h, device=f.device, dtype=f.dtype).view(1, h, 1)
    xs = torch.linspace(-1.0, 1.0, w, device=f.device, dtype=f.dtype).view(1, 1, w)
    cy = (f * ys).sum(dim=(1, 2)) / mass
    cx = (f * xs).sum(dim=(1, 2)) / mass
    var_y = (f * (ys - cy.view(n, 1, 1)) ** 2).sum(dim=(1, 2)) / mass
    var_x = (f * (xs - cx.view(n, 1, 1)) ** 2).sum(dim=(1, 2)) / mass
    aspect = 0.5 * (torch.log(var_y + 1e-4) - torch.log(var_x + 1e-4))
    dx = f[:, :, 1:] - f[:, :, :-1]
    dy = f[:, 1:, :] - f[:, :-1, :]
    energy = torch.zeros_like(f)
    energy[:, :, 1:] += dx * dx
    energy[:, 1:, :] += dy * dy
    texture = (energy * mask).sum(dim=(1, 2)) / mask_mass
    mirror = torch.flip(f, dims=(2,))
    symmetry = 1.0 - torch.sqrt((f - mirror) ** 2 + 1e-8).sum(dim=(1, 2)) / (2.0 * mass)
    mean_in = (f * mask).sum(dim=(1, 2)) / mask_mass
    contrast = torch.sqrt((mask * (f - mean_in.view(n, 1, 1)) ** 2).sum(dim=(1, 2)) / mask_mass + 1e-8)
    return torch.stack([darkness, area, aspect, texture, symmetry, cy, contrast], dim=1)


def image_attributes(images: torch.Tensor, *, background: str = "dark", resolution: int = 28) -> torch.Tensor:
    """N×7 attributes of N×C×H×W images in [0, 1] (see the module docstring)."""
    return attributes_of_foreground(foreground(images, background=background, resolution=resolution))
