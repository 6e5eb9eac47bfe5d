"""Running an evaluation: every planned cell not yet in the store, then the tables and files."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gigs_core.evaluation.backends import EvalBackends
from gigs_core.evaluation.cells import run_cell
from gigs_core.evaluation.protocols import EvalPlan, plan_cells
from gigs_core.evaluation.store import EvalStore
from gigs_core.evaluation.tables import Table, build_table
from gigs_core.evaluation.writers import write_outputs

log = logging.getLogger(__name__)


@dataclass
class Evaluation:
    """What a run left: the tables, how many cells ran now and how many were already done."""

    tables: list[Table]
    ran: int
    resumed: int
    seconds: float
    files: list[str]


def run_evaluation(tables: Sequence[int], plan: EvalPlan, backends: EvalBackends, store: EvalStore, *, seed: int,
                   notes: Sequence[str] = (), on_cell: Callable[[str, int, int], None] | None = None) -> Evaluation:
    """Run the cells of ``tables`` missing from ``store`` (``on_cell(key, index, total)`` before
    each), then write every table from the stored cells."""
    started = time.perf_counter()
    cells = plan_cells(sorted(tables), plan, backends, seed)
    ran = 0
    for index, cell in enumerate(cells):
        if store.is_done(cell.key):
            continue
        if on_cell is not None:
            on_cell(cell.key, index, len(cells))
        log.info("cell %s (%d/%d)", cell.key, index + 1, len(cells))
        store.save(run_cell(cell, backends, seed))
        ran += 1
    built = [build_table(number, cells, store, backends) for number in sorted(tables)]
    files = write_outputs(store.folder, built, cells, store, notes)
    return Evaluation(built, ran, len(cells) - ran, time.perf_counter() - started, files)
