"""``report.json`` as any machine reads it: strict JSON and no paths of the machine it ran on.

* Floats that are NaN or ±inf become ``null`` (strict parsers reject ``NaN``); a run whose
  scores, images or losses are not finite has already stopped (:mod:`gigs_core.method.finite`),
  so these can only be optional statistics that have no value (e.g. a spread of one number).
* A string that names an existing file or folder by absolute path (alone, or after a prefix
  such as ``domain:``) is shown relative to the current folder when it lies inside it, else
  by its name: ``/home/ana/models/g.pt`` → ``g.pt``.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any


def portable(value: Any, base: Path | None = None) -> Any:
    """``value`` (dicts, lists, tuples, scalars) with the two rules above applied throughout."""
    base = Path.cwd() if base is None else base
    if isinstance(value, dict):
        return {key: portable(item, base) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [portable(item, base) for item in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return _portable_path(value, base)
    return value


def _portable_path(text: str, base: Path) -> str:
    prefix, _, rest = text.rpartition(":") if not os.path.isabs(text) else ("", "", text)
    if not os.path.isabs(rest) or not Path(rest).exists():
        return text
    path = Path(rest)
    shown = str(path.relative_to(base)) if path.is_relative_to(base) else path.name
    return f"{prefix}:{shown}" if prefix else shown
