"""``index.html``: every job of a batch in one table linking its report, sortable by any
column (click a header; it opens sorted by mean gain, best first). Self-contained."""

from __future__ import annotations

from html import escape
from typing import Any

SHOWN = [("item", "item"), ("category", "category"), ("segment", "segment"), ("users", "users"),
         ("status", "status"), ("baseline_preference", "baseline pref"),
         ("mean_variant_preference", "mean variant pref"), ("best_variant_preference", "best variant pref"),
         ("mean_gain", "mean gain"), ("reconstruction_psnr_db", "recon PSNR (dB)"), ("error", "error")]

SORTER = """
document.querySelectorAll('th').forEach((th, column) => th.addEventListener('click', () => {
  const body = th.closest('table').tBodies[0];
  const down = th.dataset.order !== 'desc';
  th.dataset.order = down ? 'desc' : 'asc';
  const value = row => row.cells[column].dataset.value ?? row.cells[column].textContent;
  const rows = [...body.rows].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    const [p, q] = [parseFloat(x), parseFloat(y)];
    const order = isNaN(p) || isNaN(q) ? x.localeCompare(y) : p - q;
    return down ? -order : order;
  });
  rows.forEach(row => body.appendChild(row));
}));
"""


def _cell(column: str, row: dict[str, Any]) -> str:
    value = row[column]
    if value is None:
        return '<td data-value="">–</td>'
    if isinstance(value, float):
        shown = f"{value:+.4f}" if column == "mean_gain" else f"{value:.4f}"
        return f'<td data-value="{value!r}">{shown}</td>'
    if column == "item" and row["report"]:
        return f'<td><a href="{escape(row["report"])}">{escape(str(value))}</a></td>'
    return f"<td>{escape(str(value))}</td>"


def render_index(rows: list[dict[str, Any]], counts: dict[str, int]) -> str:
    header = "".join(f"<th>{escape(label)}</th>" for _, label in SHOWN)
    body = "\n".join("<tr>" + "".join(_cell(column, row) for column, _ in SHOWN) + "</tr>" for row in rows)
    tally = ", ".join(f"{count:,} {status}" for status, count in counts.items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gigs batch</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
th,td{{padding:.25em .6em;border-bottom:1px solid #ddd;text-align:left}}th{{cursor:pointer;background:#f4f4f4}}</style>
</head><body>
<h1>gigs batch</h1>
<p>{len(rows):,} jobs: {tally}. Each item links to its report; click a column to sort by it.
The gain is the mean variant's group preference minus the item photo's.</p>
<table id="jobs"><thead><tr>{header}</tr></thead>
<tbody>
{body}
</tbody></table>
<script>{SORTER}</script>
</body></html>
"""
