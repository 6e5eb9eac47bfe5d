"""The summary of a batch: one row per job of the command (finished, failed or pending),
written as ``summary.csv``, ``summary.json`` and ``index.html``, each atomically.

Rows are read back from the job folders, so the summary after a resumed run covers every
job, whichever run did it. Finished jobs come first, by mean gain, best first."""

from __future__ import annotations

import csv
import io
from typing import Any

from gigs_core.atomic import atomic_file
from gigs_core.batch.index_html import render_index
from gigs_core.batch.jobs import Job
from gigs_core.batch.store import JobStore, write_json

COLUMNS = ["key", "item", "category", "segment", "users", "status", "seed", "item_preference",
           "baseline_preference", "mean_variant_preference", "best_variant_preference", "mean_gain",
           "reconstruction_psnr_db", "attempts", "error", "report"]


def job_row(job: Job, store: JobStore) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(key=job.key, item=job.item.id, category=job.item.category, segment=job.segment.name, seed=job.seed)
    if store.is_done(job.key):
        report = store.report(job.key)
        (item,) = report["items"]
        baseline = item["item_preference"] if item["item_preference"] is not None else item["reconstruction_preference"]
        row.update(status="done", users=len(report["users"]), item_preference=item["item_preference"],
                   baseline_preference=baseline, mean_variant_preference=item["mean_variant_preference"],
                   best_variant_preference=max(item["variant_preferences"]), mean_gain=item["mean_gain"],
                   reconstruction_psnr_db=item["reconstruction_psnr_db"],
                   report=f"jobs/{job.key}/report.html")
        return row
    failure = store.failure(job.key)
    if failure is not None:
        row.update(status="failed", error=failure["error"], attempts=failure["attempts"])
    else:
        row.update(status="pending")
    return row


def summary_rows(jobs: list[Job], store: JobStore) -> list[dict[str, Any]]:
    rows = [job_row(job, store) for job in jobs]
    order = {"done": 0, "failed": 1, "pending": 2}
    return sorted(rows, key=lambda row: (order[row["status"]], -(row["mean_gain"] or 0.0), row["key"]))


def write_summary(jobs: list[Job], store: JobStore) -> dict[str, int]:
    """Write the three summary files; returns the count of jobs per status."""
    rows = summary_rows(jobs, store)
    counts = {status: sum(row["status"] == status for row in rows) for status in ("done", "failed", "pending")}
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: "" if value is None else value for key, value in row.items()} for row in rows)
    with atomic_file(store.folder / "summary.csv") as temporary:
        temporary.write_text(text.getvalue(), encoding="utf-8")
    write_json(store.folder / "summary.json", {"jobs": len(rows), **counts, "rows": rows})
    with atomic_file(store.folder / "index.html") as temporary:
        temporary.write_text(render_index(rows, counts), encoding="utf-8")
    return counts
