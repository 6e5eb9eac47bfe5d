"""``gigs batch``: GIGS for every (item, segment) pair, resumable, on this machine or Ray.

Everything cheap is checked first (settings, backends' names and options, the item and
segment files, the output folder); then the engine loads the models once per worker and
checks the segments' users; then the jobs run, each written as it finishes. See docs/batch.md.
"""

from __future__ import annotations

from typing import Any

import click

from gigs_core.cli.devices import device_click_option
from gigs_core.cli.run_command import RUN_OPTIONS, apply_config_file, run_config, settings_overrides
from gigs_core.errors import UserInputError

#: The options `gigs batch` shares with `gigs run` (backends and Algorithm 1 settings).
SHARED = ("generator", "recommender", "generator_option", "recommender_option", "n", "eps", "steps",
          "inversion_steps", "shift_steps", "preference_weight", "perceptual", "preset", "config")

BATCH_OPTIONS = [
    click.Option(["--items"], metavar="SPEC",
                 help="A folder of photos, a CSV of photos (columns path[,id][,category]) or a dataset spec "
                      "[the default run's items]."),
    click.Option(["--segments"], metavar="SPEC",
                 help="Segment names ('all', 'random:N', or the default run's) separated by commas, or a CSV of "
                      "segment,user_id rows [the default run's segments]."),
    click.Option(["--only"], metavar="IDS", help="Only these item ids (separated by commas)."),
    click.Option(["--out", "-o"], type=click.Path(file_okay=False), metavar="FOLDER", default="gigs-batch",
                 show_default=True, help="Batch folder; running again into it resumes the batch."),
    click.Option(["--engine"], type=click.Choice(["local", "ray"]), default="local", show_default=True,
                 help="local: in this process; ray: Ray actors (pip install \"gigs[ray]\")."),
    click.Option(["--batch-size"], type=click.IntRange(min=1), default=8, show_default=True,
                 help="Items of one segment per engine call."),
    click.Option(["--threads"], type=click.IntRange(min=1), default=1, show_default=True,
                 help="CPU threads per worker (results are bit-identical only for the same count)."),
    click.Option(["--workers"], type=click.IntRange(min=1),
                 help="Ray workers [the CPUs of this machine / --threads; needed with --ray-address]."),
    click.Option(["--ray-address"], metavar="ADDRESS",
                 help="Join this Ray cluster (auto, HOST:PORT, ray://HOST:10001) instead of starting one here."),
    click.Option(["--retry-failed"], is_flag=True, help="Run the jobs that failed before again."),
    click.Option(["--seed"], default=0, show_default=True, type=int,
                 help="Base seed; each job's seed derives from it, its item id and its segment."),
    device_click_option(),
    click.Option(["--quiet", "-q"], is_flag=True, help="No progress bar."),
]


def build_batch_command() -> click.Command:
    shared = [option for option in RUN_OPTIONS if option.name in SHARED]
    return click.Command(
        "batch", callback=click.pass_context(batch), params=[*BATCH_OPTIONS, *shared],
        help="Run GIGS for every (item, segment) pair of a catalogue; running it again resumes it. "
             "Without --generator/--recommender it uses the default run (the demo's items and segments).")


def _spec(params: dict[str, Any]):
    """The runner recipe, with the backends' names and options checked (no model loads)."""
    from gigs_core.batch.runner import RunnerSpec
    from gigs_core.cli.settings import parse_key_values
    from gigs_core.registry import get_spec, validate_options

    if not params["generator"] and not params["recommender"]:
        if params["preset"] != "paper":
            raise UserInputError("--preset applies with --generator/--recommender only")
        return RunnerSpec("default", {"overrides": settings_overrides(params)}, params["device"])
    if not params["generator"] or not params["recommender"]:
        raise UserInputError("give both --generator and --recommender (see `gigs plugins` for the names)")
    settings = {"generator": params["generator"], "recommender": params["recommender"],
                "generator_options": parse_key_values(params["generator_option"], "--generator-option"),
                "recommender_options": parse_key_values(params["recommender_option"], "--recommender-option")}
    for role in ("generator", "recommender"):
        validate_options(get_spec(role, settings[role]), settings[f"{role}_options"])
    settings["config"] = run_config(params).model_dump()
    return RunnerSpec("backends", settings, params["device"])


def _jobs(params: dict[str, Any], spec):
    from gigs_core.batch.items import read_items, select_items
    from gigs_core.batch.jobs import make_jobs
    from gigs_core.batch.runner import default_batch
    from gigs_core.batch.segments import read_segments

    default = default_batch(spec.settings["overrides"]) if spec.kind == "default" else None
    if params["items"] is None and default is None:
        raise UserInputError("give --items: a folder of photos, a CSV of photos or a dataset spec")
    items = read_items(params["items"]) if params["items"] is not None else default.items()
    segments = read_segments(params["segments"], default.segments() if default else None)
    return make_jobs(select_items(items, params["only"]), segments, params["seed"]), segments


def _engine(params: dict[str, Any], spec):
    import os

    if params["engine"] == "local":
        if params["workers"] or params["ray_address"]:
            raise UserInputError("--workers and --ray-address apply to --engine ray only")
        from gigs_core.batch.engine_local import LocalEngine

        return LocalEngine(spec, threads=params["threads"])
    from gigs_core.batch.engine_ray import RayEngine

    if params["ray_address"] and not params["workers"]:
        raise UserInputError("with --ray-address, say how many workers to start with --workers N")
    workers = params["workers"] or max(1, (os.cpu_count() or 1) // params["threads"])
    return RayEngine(spec, threads=params["threads"], workers=workers, address=params["ray_address"])


def batch(ctx: click.Context, **params: Any) -> None:
    params = apply_config_file(ctx, params)
    spec = _spec(params)
    if params["engine"] == "ray":
        from gigs_core.batch.engine_ray import import_ray

        import_ray()
    jobs, segments = _jobs(params, spec)
    from gigs_core.batch.driver import pending_jobs
    from gigs_core.batch.store import JobStore
    from gigs_core.batch.summary import write_summary
    from gigs_core.cli.preflight import option_paths
    from gigs_core.cli.progress_display import CliProgress

    settings = {"runner": spec.fingerprint(), "seed": params["seed"]}
    inputs = [path for path in (params["items"], params["segments"], params["config"]) if path]
    inputs += option_paths(spec.settings.get("generator_options", {}), spec.settings.get("recommender_options", {}))
    store = JobStore.open(params["out"], settings, inputs=[path for path in inputs if _is_path(path)])
    todo, counts = pending_jobs(jobs, store, params["retry_failed"])
    try:
        if todo:
            _run(params, spec, todo, store, counts, CliProgress(enabled=not params["quiet"]))
    finally:
        tally = write_summary(jobs, store)  # after an interruption too: what is done so far
    click.echo(f"{counts.total:,} jobs: {counts.already_done:,} were done before, {counts.done_now:,} done now, "
               f"{counts.failed_now:,} failed now, {counts.failed_before:,} failed before and not retried")
    click.echo(f"wrote {store.folder}/index.html, summary.csv and summary.json")
    if tally["failed"]:
        click.echo(f"{tally['failed']:,} jobs failed (errors in summary.csv); run again with --retry-failed "
                   f"to retry them", err=True)
        ctx.exit(1)


def _run(params: dict[str, Any], spec, todo, store, counts, bars) -> None:
    from gigs_core.batch.driver import run_jobs

    engine = _engine(params, spec)
    try:
        error = engine.check(sorted({job.segment for job in todo}, key=lambda segment: segment.name),
                             sorted({job.item.category for job in todo}))
        if error is not None:
            raise error
        run_jobs(engine, todo, store, counts, batch_size=params["batch_size"], progress=bars)
    finally:
        bars.close()
        engine.close()


def _is_path(text: str) -> bool:
    from pathlib import Path

    return Path(text).exists()
