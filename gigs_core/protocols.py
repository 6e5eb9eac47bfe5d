"""The four protocols every backend implements, and the tensor conventions.

Conventions (see ``docs/protocols.md``):

* Images crossing any protocol boundary are float tensors ``N×C×H×W`` in
  ``[0, 1]``. A backend converts from its native range itself.
* Backends are ``torch.nn.Module`` objects. The library never picks a device:
  new tensors follow the device and dtype of the inputs.
* Randomness is passed explicitly as a ``torch.Generator``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, Sequence, runtime_checkable

if TYPE_CHECKING:
    import torch


@runtime_checkable
class Generator(Protocol):
    """A pretrained image generator ``G: z -> image``."""

    latent_dim: int
    resolution: int
    channels: int

    def sample_latent(self, n: int, *, generator: "torch.Generator | None" = None) -> "torch.Tensor":
        """``n × latent_dim`` latents from the generator's prior, on its device."""

    def forward(self, z: "torch.Tensor") -> "torch.Tensor":
        """``N × channels × resolution × resolution`` images in ``[0, 1]``; differentiable in ``z``."""


@runtime_checkable
class Recommender(Protocol):
    """A visually-aware recommender: preference of user ``u`` for image ``x``.

    Accepts ``[0, 1]`` images of any size and channel count (1 or 3) and
    resizes/normalises them to what it needs.
    """

    num_users: int

    def features(self, images: "torch.Tensor") -> "torch.Tensor":
        """``N × K`` item features φ(x)."""

    def user_embeddings(self, users: "torch.Tensor") -> "torch.Tensor":
        """``U × K`` user vectors θ_u for a 1-D tensor of user ids."""

    def score(self, images: "torch.Tensor", users: "torch.Tensor") -> "torch.Tensor":
        """``N × U`` preferences of every user for every image."""

    def group_score(self, images: "torch.Tensor", users: "torch.Tensor") -> "torch.Tensor":
        """``N`` preferences averaged over the group (cost independent of the group size
        for linear models)."""


@runtime_checkable
class FeatureExtractor(Protocol):
    """Image → feature vector; used as the shift predictor's trunk and for distances."""

    feature_dim: int

    def forward(self, images: "torch.Tensor") -> "torch.Tensor":
        """``N × feature_dim`` features of ``[0, 1]`` images of any size, 1 or 3 channels."""


@runtime_checkable
class Inverter(Protocol):
    """Finds latents whose generated images reproduce given images (GAN inversion)."""

    def invert(
        self,
        generator: Generator,
        images: "torch.Tensor",
        *,
        seeds: Sequence[int],
        progress: Any = None,
    ) -> Any:
        """Return an :class:`gigs_core.method.inversion.InversionResult` for ``images``
        (``N×C×H×W`` in ``[0, 1]`` at the generator's resolution), one seed per image."""
