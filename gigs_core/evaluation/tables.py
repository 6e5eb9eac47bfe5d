"""Tables 2–5 from the stored cells: per row, each metric's mean ± std (population) and count
over the row's units, and IS and FID over all of the row's variants.

Columns follow the paper's tables; judges add a ``gain (NAME)`` column (mean variant preference
minus the item's, or the sampled base's in class-level mode, by that judge).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from gigs_core.evaluation.backends import EvalBackends
from gigs_core.evaluation.cells import (
    DISTANCE_TO_ITEM,
    OPPOSITE_SSIM,
    PREFERENCE_SCORE,
    PREFERENCE_SHIFT,
    gain_column,
)
from gigs_core.evaluation.protocols import Cell
from gigs_core.evaluation.store import EvalStore
from gigs_core.method.modules import module_device
from gigs_core.metrics.base import Summary
from gigs_core.metrics.fid import frechet_inception_distance
from gigs_core.metrics.inception_score import DEFAULT_SPLITS, inception_score

TITLES = {
    2: "Table 2: class-level, GIGS against DVBPR's personalised and non-personalised baselines",
    3: "Table 3: item-level, preferred and un-preferred items",
    4: "Table 4: item-level, per category",
    5: "Table 5: preference shift against user-group size",
}
ROW_HEADS = {2: "method", 3: "item type", 4: "category", 5: "user count"}
IS, FID = "IS", "FID"
#: IS splits hold at least this many images (one image per split would score 1 whatever it shows).
MIN_SPLIT_IMAGES = 10


@dataclass
class Table:
    number: int
    columns: list[str]
    rows: list[tuple[str, dict[str, Summary | None]]]
    notes: list[str]

    def report(self) -> dict[str, Any]:
        def cell(summary: Summary | None) -> dict[str, Any] | None:
            if summary is None:
                return None
            spread = None if summary.std != summary.std else summary.std  # FID: a single value
            return {"mean": summary.mean, "std": spread, "count": summary.count}

        return {"table": self.number, "title": TITLES[self.number], "row_heading": ROW_HEADS[self.number],
                "columns": self.columns, "notes": self.notes,
                "rows": [{"label": label, "cells": {name: cell(cells.get(name)) for name in self.columns}}
                         for label, cells in self.rows]}

    def markdown(self) -> str:
        head = [ROW_HEADS[self.number], *self.columns]
        lines = [f"## {TITLES[self.number]}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for label, cells in self.rows:
            lines.append("| " + " | ".join([label, *(_format(cells.get(name)) for name in self.columns)]) + " |")
        return "\n".join([*lines, "", *(f"{note}\n" for note in self.notes)]).rstrip() + "\n"


def _format(summary: Summary | None) -> str:
    if summary is None:
        return "–"
    if summary.std != summary.std:  # a single value (FID): no spread
        return f"{summary.mean:.4g}"
    return f"{summary.mean:.4g} ± {summary.std:.3g}"


def _columns(number: int, judges: Sequence[str], backends: EvalBackends) -> list[str]:
    realism = [*([backends.is_network.label(IS)] if backends.is_network else []),
               *([backends.fid_network.label(FID)] if backends.fid_network else [])]
    gains = [gain_column(name) for name in judges]
    if number == 2:
        return [PREFERENCE_SCORE, OPPOSITE_SSIM, *realism, *gains]
    distance = [DISTANCE_TO_ITEM] if backends.distance is not None else []
    return [PREFERENCE_SCORE, PREFERENCE_SHIFT, *distance, OPPOSITE_SSIM, *realism, *gains]


def _realism(variants: torch.Tensor, backends: EvalBackends) -> dict[str, Summary | None]:
    images = variants.flatten(0, 1)
    cells: dict[str, Summary | None] = {}
    if backends.is_network is not None:
        on = images.to(module_device(backends.is_network))
        splits = max(1, min(DEFAULT_SPLITS, images.shape[0] // MIN_SPLIT_IMAGES))
        cells[backends.is_network.label(IS)] = inception_score(on, backends.is_network, splits=splits)
    if backends.fid_network is not None:
        device = module_device(backends.fid_network)
        fid = None
        if images.shape[0] >= 2:
            fid = frechet_inception_distance(backends.catalogue.images.to(device), images.to(device),
                                             backends.fid_network)
        cells[backends.fid_network.label(FID)] = None if fid is None else Summary(fid, float("nan"), images.shape[0])
    return cells


def build_table(number: int, cells: Sequence[Cell], store: EvalStore, backends: EvalBackends) -> Table:
    """Table ``number`` from the stored records (and variant images) of its ``cells``."""
    mine = [cell for cell in cells if cell.table == number]
    rows: dict[str, list[Cell]] = {}
    for cell in mine:
        rows.setdefault(cell.row, []).append(cell)
    table_rows = []
    for label, members in rows.items():
        records = [store.record(cell.key) for cell in members]
        values: dict[str, list[float]] = {}
        for record in records:
            for name, numbers in record["values"].items():
                values.setdefault(name, []).extend(numbers)
        summaries: dict[str, Summary | None] = {name: Summary.of(torch.tensor(numbers, dtype=torch.float64))
                                                for name, numbers in values.items() if numbers}
        summaries.update(_realism(torch.cat([store.variants(cell.key) for cell in members]), backends))
        table_rows.append((label, summaries))
    baselines = sum(cell.method != "gigs" for cell in mine)
    counted = f"{len(mine)} runs ({len(mine) - baselines} of GIGS, {baselines} of baselines)" if baselines else \
        f"{len(mine)} GIGS runs"
    notes = [f"{counted}; mean ± population std over variants (preference score and shift, distance "
             f"to item), variant sets (opposite SSIM), items (gains) or IS splits; FID over each row's variants "
             f"against {backends.catalogue.images.shape[0]} catalogue images."]
    return Table(number, _columns(number, list(backends.judges), backends), table_rows, notes)
