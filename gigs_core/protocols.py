"""The protocols backends implement, and the tensor conventions.

Conventions (see ``docs/protocols.md``):

* Images crossing any protocol boundary are float tensors ``N×C×H×W`` in
  ``[0, 1]``. A backend converts from its native range itself.
* Backends are ``torch.nn.Module`` objects. The library never picks a device:
  new tensors follow the device and dtype of the inputs.
* Randomness is passed explicitly as a ``torch.Generator``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import torch


@runtime_checkable
class Generator(Protocol):
    """A pretrained image generator ``G: z -> image``.

    A latent is a tensor of any ``latent_shape``: ``(D,)`` for ProGAN's z, ``(L, D)`` for
    StyleGAN's W+, a noise image ``(C, H, W)`` for a diffusion model. The method adds
    shifts of that shape to latents and then asks the generator, through
    ``project_latent``, to put them back where its prior lives.
    :class:`gigs_core.method.latent.StandardNormalLatent` implements both latent methods
    for a standard normal prior.
    """

    latent_shape: tuple[int, ...]
    resolution: int
    channels: int

    def sample_latent(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n × *latent_shape`` latents from the generator's prior, on its device."""

    def project_latent(self, z: torch.Tensor) -> torch.Tensor:
        """``N × *latent_shape`` latents mapped back onto the prior's typical set (e.g.
        standardised); differentiable in ``z``. Algorithm 1's ``normalize``."""

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """``N × channels × resolution × resolution`` images in ``[0, 1]``; differentiable in ``z``."""


@runtime_checkable
class ConditionalGenerator(Generator, Protocol):
    """A generator that can be told what to draw (a class-conditional GAN).

    Optional: runs whose items carry a catalogue category (``gigs batch``, ``gigs eval``)
    draw each item with ``for_category(its category)``
    (:func:`gigs_core.method.conditioning.generator_for_category`).
    """

    def for_category(self, category: str) -> Generator:
        """A generator drawing ``category`` (sharing this one's weights; the same object for
        the same class, so items of one class run together), or ``self`` when this one was
        built to ignore categories. A one-line ``UserInputError`` when it has no such class."""


@runtime_checkable
class Recommender(Protocol):
    """A visually-aware recommender: preference of user ``u`` for image ``x``.

    Any differentiable model fits: GIGS only needs preferences and their gradient with
    respect to the image. Accepts ``[0, 1]`` images of any size and channel count
    (1 or 3) and resizes/normalises them to what it needs.
    """

    num_users: int

    def score(self, images: torch.Tensor, users: torch.Tensor) -> torch.Tensor:
        """``N × U`` preferences of every user for every image."""

    def group_score(self, images: torch.Tensor, users: torch.Tensor) -> torch.Tensor:
        """``N`` preferences averaged over the group: ``score(images, users).mean(1)``,
        possibly computed faster (for a linear model at a cost independent of the group size).

        Optional companion: ``group_scorer(users)`` returning ``images → group_score(images, users)``
        with whatever depends only on the group (a linear model's mean θ) computed once; the
        optimisation loops use it when present (:func:`gigs_core.method.users.group_scorer`)."""


@runtime_checkable
class LinearRecommender(Recommender, Protocol):
    """A recommender whose preference is an inner product ``θ_uᵀ φ(x)`` (DVBPR and kin).

    Optional: the method never needs it, but tools that use item features (e.g.
    ranking a segment's mean user across a catalogue) do.
    :class:`gigs_core.method.linear_preference.LinearPreferenceMixin` derives ``score``
    and ``group_score`` from the two methods below.
    """

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """``N × K`` item features φ(x)."""

    def user_embeddings(self, users: torch.Tensor) -> torch.Tensor:
        """``U × K`` user vectors θ_u for a 1-D tensor of user ids."""


@runtime_checkable
class FeatureExtractor(Protocol):
    """Image → feature vector; used as the shift predictor's trunk and for distances."""

    feature_dim: int

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """``N × feature_dim`` features of ``[0, 1]`` images of any size, 1 or 3 channels."""


@runtime_checkable
class Inverter(Protocol):
    """Finds latents whose generated images reproduce given images (GAN inversion)."""

    def invert(
        self,
        generator: Generator,
        images: torch.Tensor,
        *,
        seeds: Sequence[int],
        progress: Any = None,
    ) -> Any:
        """Return an :class:`gigs_core.method.inversion.InversionResult` for ``images``
        (``N×C×H×W`` in ``[0, 1]`` at the generator's resolution), one seed per image."""
