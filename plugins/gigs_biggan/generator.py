"""BigGAN-deep as a GIGS generator: one class and one truncation, chosen when it is built,
or, with ``class_by_category``, each item's class chosen by its catalogue category.

The latent is the noise z (``latent_shape = (z_dim,)``), drawn from the prior
``truncation · truncnorm(−2, 2)``. ``project_latent`` clamps z to that prior's support
[−2·truncation, 2·truncation]: a shifted latent stays a latent the generator was trained
to see, the clamp is idempotent and acts on each value alone, and a shift clipped to ε
keeps its meaning (at most ε per value). With ``invert_class`` the latent is
``(2, z_dim)``: row 0 the noise, row 1 the class embedding, which starts at the chosen
class's embedding and is then optimised by inversion and shifted with the noise; it is
never projected, so variants may drift towards (mixtures of) other classes.

``for_category(name)`` (:class:`gigs_core.protocols.ConditionalGenerator`) returns the same
network drawing the class of that name among ``labels`` when the generator was built with
``class_by_category``, and the generator itself otherwise.
"""

from __future__ import annotations

import torch
from torch import nn

from gigs_biggan.labels import class_index_of
from gigs_biggan.latent import NOISE_BOUND, truncated_normal
from gigs_biggan.network import BigGanNetwork
from gigs_core.errors import InvalidOptionsError
from gigs_core.method.modules import first_tensor


class BigGanGenerator(nn.Module):
    def __init__(self, network: BigGanNetwork, *, class_index: int, truncation: float, invert_class: bool = False,
                 labels: list[str] | None = None, class_by_category: bool = False):
        super().__init__()
        architecture = network.architecture
        if not 0 <= class_index < architecture.num_classes:
            raise ValueError(f"class_index must be in 0..{architecture.num_classes - 1}")
        if not 0 < truncation <= 1:
            raise ValueError("truncation must be in (0, 1]")
        if labels is not None and len(labels) != architecture.num_classes:
            raise ValueError(f"labels must name the {architecture.num_classes} classes")
        if class_by_category and labels is None:
            raise ValueError("class_by_category needs labels")
        self.network = network
        self.class_index, self.truncation, self.invert_class = class_index, truncation, invert_class
        self.labels, self.class_by_category = labels, class_by_category
        self.resolution, self.channels = architecture.output_dim, 3
        self.latent_shape = (2, architecture.z_dim) if invert_class else (architecture.z_dim,)
        self._by_class: dict[int, BigGanGenerator] = {}

    @property
    def num_classes(self) -> int:
        """How many classes ``class_index`` may choose from."""
        return self.network.architecture.num_classes

    @property
    def noise_bound(self) -> float:
        """The prior's support is [−noise_bound, noise_bound] in every noise dimension."""
        return NOISE_BOUND * self.truncation

    def for_category(self, category: str) -> BigGanGenerator:
        """This network drawing the class named ``category`` (one generator per class, kept), or
        ``self`` unless built with ``class_by_category``; a one-line error for an unknown name."""
        if not self.class_by_category:
            return self
        try:
            index = class_index_of(category, self.labels)
        except InvalidOptionsError as exc:
            raise InvalidOptionsError(f"class_by_category: {exc}; name the items' categories as the model's "
                                      f"labels, or leave class_by_category off to draw one class") from None
        if index not in self._by_class:
            self._by_class[index] = BigGanGenerator(self.network, class_index=index, truncation=self.truncation,
                                                    invert_class=self.invert_class, labels=self.labels)
        return self._by_class[index]

    def sample_latent(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` draws of the noise prior (on ``generator``'s device, then moved to the module's),
        with the chosen class's embedding beside each when ``invert_class``."""
        reference = first_tensor(self)
        device = generator.device if generator is not None else reference.device
        noise = truncated_normal((n, self.network.architecture.z_dim), generator=generator, device=device)
        noise = (self.truncation * noise).to(reference)
        if not self.invert_class:
            return noise
        embedding = self.network.class_embedding(self.class_index).detach().expand(n, -1)
        return torch.stack([noise, embedding], dim=1)

    def project_latent(self, latent: torch.Tensor) -> torch.Tensor:
        """The noise clamped to the prior's support; a class embedding is left as it is."""
        if not self.invert_class:
            return latent.clamp(-self.noise_bound, self.noise_bound)
        return torch.stack([latent[:, 0].clamp(-self.noise_bound, self.noise_bound), latent[:, 1]], dim=1)

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        """``N × *latent_shape`` → ``N×3×H×W`` images in [0, 1] (the network's [−1, 1] mapped by (x + 1) / 2)."""
        if self.invert_class:
            noise, embedding = latent[:, 0], latent[:, 1]
        else:
            noise, embedding = latent, self.network.class_embedding(self.class_index).expand(latent.shape[0], -1)
        return (self.network(noise, embedding, self.truncation) + 1) / 2

    def extra_repr(self) -> str:
        by_category = ", class_by_category=True" if self.class_by_category else ""
        return (f"class_index={self.class_index}, truncation={self.truncation}, invert_class={self.invert_class}"
                f"{by_category}")
