"""Evaluation metrics (docs/metrics.md): preference score and shift (the paper's Eq. 1),
opposite SSIM, perceptual distance to the item, IS and FID through a pluggable network, AUC of
recommenders (:mod:`~gigs_core.metrics.ranking`) and PSNR of reconstructions
(:mod:`~gigs_core.metrics.image`). Each metric is a stateful class (``update``/``compute``/
``reset``, ``higher_is_better``) with a functional twin."""

from gigs_core.metrics.base import Metric, Summary
from gigs_core.metrics.diversity import OppositeSSIM, opposite_ssim
from gigs_core.metrics.feature_network import FeatureNetwork
from gigs_core.metrics.fid import FrechetInceptionDistance, frechet_distance, frechet_inception_distance
from gigs_core.metrics.inception import load_inception
from gigs_core.metrics.inception_score import InceptionScore, inception_score, inception_score_from_logits
from gigs_core.metrics.item_distance import PerceptualDistanceToItem, perceptual_distance_to_item
from gigs_core.metrics.preference import PreferenceScore, PreferenceShift, preference_score, preference_shift
from gigs_core.metrics.ssim import ssim

__all__ = [
    "FeatureNetwork", "FrechetInceptionDistance", "InceptionScore", "Metric", "OppositeSSIM",
    "PerceptualDistanceToItem", "PreferenceScore", "PreferenceShift", "Summary", "frechet_distance",
    "frechet_inception_distance", "inception_score", "inception_score_from_logits", "load_inception",
    "opposite_ssim", "perceptual_distance_to_item", "preference_score", "preference_shift", "ssim",
]
