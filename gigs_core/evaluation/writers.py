"""The evaluation's files: each table as markdown and JSON, the plots (PIL, through
:mod:`gigs_core.report.charts`) and ``summary.html`` linking them."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from pathlib import Path

from gigs_core.evaluation.cells import ITEM_PREFERENCE, PREFERENCE_SCORE, PREFERENCE_SHIFT
from gigs_core.evaluation.protocols import Cell
from gigs_core.evaluation.store import EvalStore, write_json, write_text
from gigs_core.evaluation.tables import TITLES, Table
from gigs_core.report.charts import line_chart

BINS = 20


def frequency_polygon(values: Sequence[float], low: float, high: float, bins: int = BINS) -> list[tuple[float, float]]:
    """``(bin centre, share of values in the bin)`` over ``[low, high]`` in ``bins`` equal bins."""
    width = (high - low) / bins if high > low else 1.0
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, max(0, int((value - low) / width)))] += 1
    return [(low + (index + 0.5) * width, count / max(1, len(values))) for index, count in enumerate(counts)]


def _distributions(series: dict[str, list[float]]) -> dict[str, list[tuple[float, float]]]:
    every = [value for values in series.values() for value in values]
    return {name: frequency_polygon(values, min(every), max(every)) for name, values in series.items() if values}


def score_distribution_plot(table: int, cells: Sequence[Cell], store: EvalStore, path: Path) -> Path:
    """Per row of ``table``, the distribution of the variants' preference scores (and of the
    items', in item-level tables)."""
    panels: dict[str, dict[str, list[float]]] = {}
    for cell in (cell for cell in cells if cell.table == table):
        values = store.record(cell.key)["values"]
        series = panels.setdefault(f"row {cell.row}", {"variants": [], "items": []})
        series["variants"].extend(values[PREFERENCE_SCORE])
        series["items"].extend(values.get(ITEM_PREFERENCE, []))
    return line_chart([(f"{name}: share of images per preference-score bin", _distributions(series))
                       for name, series in panels.items()], path, title=f"{TITLES[table]}: score distributions")


def group_size_plot(table: Table, path: Path) -> Path:
    """Table 5's mean preference shift (and each judge's gain) against log10 of the group size."""
    columns = [PREFERENCE_SHIFT, *(name for name in table.columns if name.startswith("gain ("))]
    series = {name: [(math.log10(int(label)), cells[name].mean) for label, cells in table.rows if cells.get(name)]
              for name in columns}
    return line_chart([("mean preference shift against log10(user-group size)", series)], path,
                      title=TITLES[5])


def _html_table(report: dict) -> str:
    head = "".join(f"<th>{html.escape(name)}</th>" for name in [report["row_heading"], *report["columns"]])
    body = []
    for row in report["rows"]:
        cells = [html.escape(row["label"])]
        for name in report["columns"]:
            cell = row["cells"][name]
            cells.append("–" if cell is None else f"{cell['mean']:.4g}"
                         + ("" if cell["std"] is None else f" ± {cell['std']:.3g}"))
        body.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def summary_html(tables: Sequence[Table], plots: dict[int, list[str]], notes: Sequence[str]) -> str:
    parts = ["<!doctype html><meta charset='utf-8'><title>gigs eval</title>",
             "<style>body{font-family:sans-serif;max-width:1000px;margin:auto}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}img{max-width:100%}</style>",
             "<h1>gigs eval: the paper's Tables 2–5</h1>", *(f"<p>{html.escape(note)}</p>" for note in notes)]
    for table in tables:
        report = table.report()
        parts += [f"<h2>{html.escape(report['title'])}</h2>", _html_table(report),
                  *(f"<p>{html.escape(note)}</p>" for note in table.notes),
                  f"<p><a href='table{table.number}.md'>table{table.number}.md</a> · "
                  f"<a href='table{table.number}.json'>table{table.number}.json</a></p>",
                  *(f"<p><a href='{name}'><img src='{name}' alt='{name}'></a></p>" for name in plots.get(table.number, []))]
    return "\n".join(parts) + "\n"


def write_outputs(folder: Path, tables: Sequence[Table], cells: Sequence[Cell], store: EvalStore,
                  notes: Sequence[str]) -> list[str]:
    """``tableN.md``/``.json``, ``tables.md``, ``plots/*.png`` and ``summary.html``; returns the
    names written."""
    plots: dict[int, list[str]] = {}
    for table in tables:
        write_text(folder / f"table{table.number}.md", table.markdown())
        write_json(folder / f"table{table.number}.json", table.report())
        name = f"plots/table{table.number}_score_distributions.png"
        score_distribution_plot(table.number, cells, store, folder / name)
        plots[table.number] = [name]
        if table.number == 5:
            plots[5].insert(0, "plots/table5_preference_shift.png")
            group_size_plot(table, folder / plots[5][0])
    write_text(folder / "tables.md", "\n".join(table.markdown() for table in tables))
    write_text(folder / "summary.html", summary_html(tables, plots, notes))
    return ["tables.md", "summary.html", *(f"table{t.number}.md/.json" for t in tables),
            *(name for names in plots.values() for name in names)]
