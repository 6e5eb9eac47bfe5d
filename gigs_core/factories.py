"""One entry point per backend kind: ``create_*`` builds, ``list_*`` lists.

Options are keyword arguments validated by the backend's pydantic model;
unknown names and bad options raise errors listing what is valid.
"""

from __future__ import annotations

from typing import Any

from gigs_core.registry import create, list_backends


def create_generator(name: str, **options: Any):
    """Build a :class:`~gigs_core.protocols.Generator` (e.g. ``create_generator("progan", checkpoint=...)``)."""
    return create("generator", name, **options)


def create_recommender(name: str, **options: Any):
    """Build a :class:`~gigs_core.protocols.Recommender`."""
    return create("recommender", name, **options)


def create_inverter(name: str = "latent-optimization", **options: Any):
    """Build an :class:`~gigs_core.protocols.Inverter` (default: Algorithm 1's)."""
    return create("inverter", name, **options)


def create_feature_extractor(name: str, **options: Any):
    """Build a :class:`~gigs_core.protocols.FeatureExtractor`."""
    return create("feature_extractor", name, **options)


def list_generators(pattern: str = "*") -> list[str]:
    return list_backends("generator", pattern)


def list_recommenders(pattern: str = "*") -> list[str]:
    return list_backends("recommender", pattern)


def list_inverters(pattern: str = "*") -> list[str]:
    return list_backends("inverter", pattern)


def list_feature_extractors(pattern: str = "*") -> list[str]:
    return list_backends("feature_extractor", pattern)
