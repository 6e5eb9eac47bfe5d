"""Gains in catalogue units: each scorer's gain divided by its standard deviation over a catalogue,
so that the gain by the recommender a run optimised against and a judge's gain compare."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: The name reports give the recommender a run optimised against, beside its judges' names.
OPTIMISED = "optimised"


def gains_in_std(items: Sequence[Any], units: Mapping[str, float]) -> dict[str, Any]:
    """Each item's mean gain by the optimised recommender and by each judge, in that scorer's
    catalogue standard deviations (``units``, keyed ``OPTIMISED`` and by judge), and each judge's
    ratio to the optimised gain in those units (``None`` where a unit or the optimised gain is
    zero). Empty without ``units``."""
    if not units:
        return {}
    out = {}
    for item in items:
        optimised = item.mean_gain / units[OPTIMISED] if units[OPTIMISED] > 0 else None
        entry = {OPTIMISED: {"gain": item.mean_gain, "gain_in_std": optimised}}
        for name, judged in item.judged.items():
            in_std = judged.mean_gain / units[name] if units.get(name, 0) > 0 else None
            ratio = None if in_std is None or not optimised else in_std / optimised
            entry[name] = {"gain": judged.mean_gain, "gain_in_std": in_std, "ratio_to_optimised": ratio}
        out[item.name] = entry
    return {"catalogue_std": dict(units), "items": out}


def judge_disagrees(judged_gain: float, optimised_gain: float) -> bool:
    """Whether a judge sees the change in the other direction than the recommender optimised against."""
    return (judged_gain > 0) != (optimised_gain > 0)
