"""The ``stylegan2`` generator in its three latent spaces.

* ``z`` (:class:`StyleGan2Z`): ``N × style_dim`` standard normal noise; the image is
  ``synthesis(ψ-truncated mapping(z))``, exactly rosinality's
  ``g([z], truncation=ψ, truncation_latent=latent_avg, randomize_noise=False)``.
  ``project_latent`` standardises each latent (the paper's normalisation).
* ``w`` (:class:`StyleGan2W`): ``N × style_dim`` intermediate latents, one w for every
  layer. The prior is the mapping network's output, truncated toward ``latent_avg``
  by ψ where the reference truncates (on w, after the mapping), so
  ``sample_latent`` applies ψ and the image is ``synthesis(w)`` with nothing more.
  ``project_latent`` is the identity: W's distribution has no closed form to
  project onto (it is not Gaussian; per-latent standardisation would move a w off
  it), and the usual projectors leave W free too.
* ``w+`` (:class:`StyleGan2WPlus`): ``N × n_latent × style_dim``, one w per layer; a
  sample is one prior w repeated on every row, so W+ with equal rows is W.

In W and W+, inversion starts from the mean W (``inversion_start``), as the usual
projectors do (rosinality's ``projector.py``, NVlabs' ``projector.py``).
Images leave in ``[0, 1]``: the native output (about ``[-1, 1]``) mapped by
``(x + 1) / 2`` and clamped. The noise images are the stored buffers (constant), so
the generator is deterministic.
"""

from __future__ import annotations

import torch
from torch import nn

from gigs_core.method.latent import StandardNormalLatent
from gigs_stylegan2.network import StyleGan2Network


class StyleGan2Generator(nn.Module):
    """What the three latent spaces share: the network, its mean W and the truncation ψ."""

    latent_space: str

    def __init__(self, network: StyleGan2Network, latent_avg: torch.Tensor, truncation: float = 1.0) -> None:
        super().__init__()
        self.network = network
        self.register_buffer("latent_avg", latent_avg.reshape(network.arch.style_dim).float().clone())
        self.truncation = float(truncation)
        self.resolution = network.arch.size
        self.channels = 3
        self.style_dim = network.arch.style_dim
        self.n_latent = network.arch.n_latent

    def truncate(self, w: torch.Tensor) -> torch.Tensor:
        """``latent_avg + ψ (w − latent_avg)``; ψ = 1 leaves ``w`` as it is (as the reference does)."""
        if self.truncation >= 1.0:
            return w
        return self.latent_avg + self.truncation * (w - self.latent_avg)

    def render(self, w_plus: torch.Tensor) -> torch.Tensor:
        """``N × n_latent × style_dim`` → images in ``[0, 1]``."""
        return ((self.network.synthesis(w_plus) + 1.0) * 0.5).clamp(0.0, 1.0)

    def extra_repr(self) -> str:
        return f"latent_space={self.latent_space!r}, truncation={self.truncation}"


class StyleGan2Z(StandardNormalLatent, StyleGan2Generator):
    """Latents are the mapping network's input z ~ N(0, I)."""

    latent_space = "z"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.latent_shape = (self.style_dim,)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        w = self.truncate(self.network.mapping(z))
        return self.render(w[:, None].expand(-1, self.n_latent, -1))


class StyleGan2W(StyleGan2Generator):
    """Latents are one intermediate latent w for every layer."""

    latent_space = "w"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.latent_shape = (self.style_dim,)

    def sample_latent(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` prior w's: standard normal z (drawn on ``generator``'s device), mapped and ψ-truncated."""
        reference = self.latent_avg
        device = generator.device if generator is not None else reference.device
        z = torch.randn(n, self.style_dim, generator=generator, device=device, dtype=reference.dtype)
        with torch.no_grad():
            return self.truncate(self.network.mapping(z.to(reference.device)))

    def project_latent(self, w: torch.Tensor) -> torch.Tensor:
        """The identity (see the module docstring)."""
        return w

    def inversion_start(self, n: int) -> torch.Tensor:
        """``n`` copies of the mean W."""
        return self.latent_avg.expand(n, -1).clone()

    def forward(self, w: torch.Tensor) -> torch.Tensor:
        return self.render(w[:, None].expand(-1, self.n_latent, -1))


class StyleGan2WPlus(StyleGan2W):
    """Latents are one w per layer (``n_latent`` rows)."""

    latent_space = "w+"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.latent_shape = (self.n_latent, self.style_dim)

    def sample_latent(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` prior w's, each repeated on every row."""
        return super().sample_latent(n, generator=generator)[:, None].repeat(1, self.n_latent, 1)

    def inversion_start(self, n: int) -> torch.Tensor:
        """``n`` copies of the mean W on every row."""
        return self.latent_avg.expand(n, self.n_latent, -1).clone()

    def forward(self, w_plus: torch.Tensor) -> torch.Tensor:
        return self.render(w_plus)


LATENT_SPACES: dict[str, type[StyleGan2Generator]] = {"z": StyleGan2Z, "w": StyleGan2W, "w+": StyleGan2WPlus}
