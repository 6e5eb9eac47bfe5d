"""Registers the domain classifier's trainer (``gigs train classifier``) and the
``domain:PATH`` perceptual distance. torch loads only when either is used."""

from __future__ import annotations

from gigs_core import hookimpl


def build_distance(path: str):
    from gigs_domain.distance import DomainFeatureDistance

    return DomainFeatureDistance(path)


@hookimpl
def register_perceptual_distances(register):
    register("domain", build_distance, takes_argument=True,
             description="LPIPS-style distance in the features of a domain classifier saved by "
                         "`gigs train classifier` ('domain:CLASSIFIER.safetensors')")


@hookimpl
def register_trainers(register):
    from gigs_domain.command import classifier

    register("classifier", "domain", classifier)
