"""The demo catalogue as the default of ``gigs compare`` and ``gigs eval``: the bundle's
generator (with its critic when the bundle has one), DVBPR to optimise against, the bundle's judge
recommender and the synthetic users' ground-truth utility as judges, five
bundled items (one per category of the first five), the taste segments, and for ``gigs eval``
the Fashion-MNIST catalogue and the domain classifier's IS and FID networks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gigs_demo.bundle import DemoBundle

#: Items compared without --item: the first five bundled items (T-shirt, trouser, pullover, dress, coat).
DEFAULT_ITEMS = 5


class DemoComparison:
    """The shipped bundle (or ``$GIGS_DEMO_BUNDLE``)."""

    def __init__(self) -> None:
        from gigs_demo.runner import choose_perceptual

        self.bundle = DemoBundle()
        self.truth = self.bundle.ground_truth()
        self.perceptual, _ = choose_perceptual(self.bundle)

    def generators(self) -> dict[str, dict[str, Any]]:
        return {"progan": self.bundle.generator_options()}

    def items(self) -> list[Path]:
        return [item.path for item in self.bundle.items[:DEFAULT_ITEMS]]

    def segments(self) -> list[str]:
        default = self.bundle.demo_settings["default_segment"]
        return [default, *(name for name in self.bundle.segments if name != default)]

    def users(self, segment: str) -> list[int]:
        return self.bundle.group_users(self.truth, segment).tolist()

    def config(self, overrides: dict[str, dict[str, Any]]):
        from gigs_demo.runner import demo_config

        return demo_config(self.bundle.demo_settings, overrides, self.perceptual)

    def distance(self) -> str:
        return self.perceptual

    def recommender(self, device):
        return self.bundle.recommender().to(device)

    def judges(self, device) -> dict[str, Any]:
        return {name: judge.to(device) for name, judge in self.bundle.judges(self.truth).items()}

    def catalogue(self) -> str:
        """What ``gigs eval`` draws items from: Fashion-MNIST (its test partition)."""
        return "fashion-mnist"

    def feature_networks(self):
        """``gigs eval``'s IS and FID networks: the bundle's domain classifier, its logits for
        "domain IS" and its pooled features for "domain FID"."""
        from gigs_domain.feature_network import domain_feature_network

        path = self.bundle.path("classifier")
        return domain_feature_network(path, outputs="logits"), domain_feature_network(path, outputs="features")
