"""Throwaway distributions: a folder that looks like an installed package to
``importlib.metadata``, so plugin discovery runs through real entry points."""

import textwrap
from pathlib import Path


def make_distribution(root: Path, dist_name: str, version: str, entry_name: str, module: str, source: str) -> None:
    """Write ``module.py`` and a ``.dist-info`` announcing it under the ``gigs`` entry-point group."""
    (root / f"{module}.py").write_text(textwrap.dedent(source))
    info = root / f"{dist_name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist_name}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[gigs]\n{entry_name} = {module}\n")
