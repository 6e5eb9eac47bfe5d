"""The demo: a small bundle of models trained by gigs on Fashion-MNIST, shipped in the package.

``gigs run`` with no backends uses it (:mod:`gigs_demo.runner`); ``gigs
demo build`` rebuilds it (:mod:`gigs_demo.build`); :mod:`gigs_demo.bundle`
loads it. See ``docs/demo.md``.
"""

from __future__ import annotations

from pathlib import Path

#: Where the shipped bundle lives (package data).
SHIPPED_BUNDLE = Path(__file__).resolve().parent / "bundle"
#: Environment variable naming another bundle folder for ``gigs run``.
BUNDLE_ENV = "GIGS_DEMO_BUNDLE"

__all__ = ["SHIPPED_BUNDLE", "BUNDLE_ENV"]
