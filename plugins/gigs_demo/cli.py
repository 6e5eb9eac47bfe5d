"""``gigs demo build|info`` and the demo as the default of ``gigs run``. Heavy imports inside."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from gigs_core.cli.group import GigsGroup


@click.group(cls=GigsGroup)
def demo() -> None:
    """The demo bundle that `gigs run` uses when no backends are given."""


@demo.command("build")
@click.option("--out", "-o", type=click.Path(file_okay=False), help="Bundle folder [the one shipped in the package].")
@click.option("--quick", is_flag=True, help="Tiny settings on a Fashion-MNIST subset: tests the recipe in seconds.")
@click.option("--data", "data_dir", type=click.Path(file_okay=False), help="Fashion-MNIST IDX folder [Debian's /usr/share/datasets/fashion-mnist].")
@click.option("--from-artifacts", type=click.Path(file_okay=False), help="Reuse trained models found here (*.users.npz, dvbpr*/best.safetensors, judge*/best.safetensors, progan*/generator.safetensors, critic*/discriminator.safetensors, *classifier*/classifier.safetensors).")
@click.option("--users", "users_file", type=click.Path(dir_okay=False), help="Reuse this synthetic-users file.")
@click.option("--recommender-checkpoint", type=click.Path(dir_okay=False), help="Reuse this DVBPR checkpoint.")
@click.option("--judge-checkpoint", type=click.Path(dir_okay=False), help="Reuse this judge (a DVBPR checkpoint).")
@click.option("--generator-checkpoint", type=click.Path(dir_okay=False), help="Reuse this ProGAN checkpoint.")
@click.option("--critic-checkpoint", type=click.Path(dir_okay=False),
              help="Reuse this ProGAN critic (fitted to the generator the bundle gets).")
@click.option("--classifier-checkpoint", type=click.Path(dir_okay=False), help="Reuse this domain classifier.")
@click.option("--work-dir", type=click.Path(file_okay=False), help="Keep the training runs here (default: a temporary folder, removed).")
@click.option("--overwrite", is_flag=True, help="Replace the bundle folder if it exists.")
def build(out, quick, data_dir, from_artifacts, users_file, recommender_checkpoint, judge_checkpoint,
          generator_checkpoint, critic_checkpoint, classifier_checkpoint, work_dir, overwrite) -> None:
    """Rebuild the demo bundle from Fashion-MNIST with fixed seeds (trains every model unless given)."""
    import time

    from gigs_demo import SHIPPED_BUNDLE
    from gigs_demo.build import BuildInputs, build_bundle

    inputs = BuildInputs.from_artifacts(from_artifacts) if from_artifacts else BuildInputs()
    for name, value in (("users", users_file), ("recommender", recommender_checkpoint), ("judge", judge_checkpoint),
                        ("generator", generator_checkpoint), ("critic", critic_checkpoint),
                        ("classifier", classifier_checkpoint)):
        if value:
            setattr(inputs, name, Path(value))
    reused = [name for name, value in vars(inputs).items() if value]
    if reused:
        click.echo(f"reusing: {', '.join(f'{k} ({getattr(inputs, k)})' for k in reused)}", err=True)
    started = time.perf_counter()
    folder = build_bundle(out or SHIPPED_BUNDLE, data_dir=data_dir, quick=quick, inputs=inputs, work_dir=work_dir,
                          overwrite=overwrite, echo=lambda line: click.echo(line, err=True))
    size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    click.echo(f"wrote demo bundle {folder} ({size / 1e6:.1f} MB) in {time.perf_counter() - started:.0f} s")


@demo.command("info")
@click.option("--bundle", type=click.Path(file_okay=False), help="Bundle folder [$GIGS_DEMO_BUNDLE or the shipped one].")
def info(bundle) -> None:
    """Describe the demo bundle: items, segments, models, how it was built."""
    from gigs_demo.bundle import GROUND_TRUTH, JUDGE, DemoBundle

    loaded = DemoBundle(bundle)
    manifest = loaded.manifest
    click.echo(f"bundle: {loaded.folder} ({loaded.size_bytes() / 1e6:.1f} MB), built {manifest.get('created')}"
               f"{' (quick)' if manifest.get('quick') else ''}")
    click.echo(f"catalogue: {manifest['catalogue']['name']}, {manifest['catalogue']['size']:,} items")
    sizes = manifest.get("group_sizes", {})
    click.echo("segments: " + ", ".join(f"{g} ({sizes.get(g, '?')} users)" for g in loaded.segments))
    judge = manifest.get("models", {}).get("judge")
    click.echo("judges: " + (f"{JUDGE} (DVBPR {judge['variant']}, K = {judge['k']}, {judge['input_size']} px, test AUC "
                             f"{judge.get('training', {}).get('test_auc_full', float('nan')):.3f}), " if judge else "")
               + f"{GROUND_TRUTH} (the synthetic users' true utility)")
    click.echo("critic (the realism term of --method dvbpr-pm): " + ("yes" if loaded.has("critic") else "none"))
    checks = manifest.get("domain_check", {})
    click.echo("out-of-domain check calibrated for: " + (", ".join(checks) or "no distance"))
    click.echo("items (--demo-item N):")
    for item in loaded.items:
        click.echo(f"  {item.index:>3}  {item.category:<12} {item.path.name}")


@demo.command("calibrate")
@click.option("--bundle", type=click.Path(file_okay=False), help="Bundle folder [$GIGS_DEMO_BUNDLE or the shipped one].")
@click.option("--perceptual", metavar="NAME", help="Perceptual distance to calibrate for [the one the demo picks].")
def calibrate_command(bundle, perceptual) -> None:
    """Calibrate the out-of-domain check: invert the bundle's items, store the threshold."""
    from gigs_demo.bundle import DemoBundle
    from gigs_demo.calibration import calibrate, distance_kind, store_calibration
    from gigs_demo.runner import choose_perceptual

    loaded = DemoBundle(bundle)
    name, _ = choose_perceptual(loaded, perceptual)
    figures = calibrate(loaded, name)
    store_calibration(loaded, distance_kind(loaded, name), figures)
    reconstruction, nearest = figures["reconstruction"], figures["nearest_item"]
    click.echo(f"{distance_kind(loaded, name)} on {figures['items']} items: reconstructions lie {reconstruction['median']:.4f} "
               f"(median) to {reconstruction['max']:.4f} from their photos, threshold {reconstruction['threshold']:.4f} "
               f"(the {figures['quantile']:.0%} quantile); nearest other items lie {nearest['median']:.4f} to "
               f"{nearest['max']:.4f}, threshold {nearest['threshold']:.4f} (the largest)")


#: The options the demo adds to ``gigs run`` (they apply when no backends are given).
RUN_OPTIONS = [
    click.Option(["--demo-item"], type=click.IntRange(min=0),
                 help="Demo (no backends): which bundled item (see `gigs demo info`)."),
    click.Option(["--segment"], help="Demo (no backends): the taste segment to please (see `gigs demo info`)."),
    click.Option(["--bundle"], type=click.Path(file_okay=False),
                 help="Demo (no backends): bundle folder [$GIGS_DEMO_BUNDLE or the shipped one]."),
]


def run_demo_command(params: dict[str, Any], overrides: dict[str, dict[str, Any]]) -> None:
    """``gigs run`` without --generator/--recommender: the demo (see docs/demo.md)."""
    from gigs_core.cli.devices import pick_device
    from gigs_core.cli.preflight import option_paths, preflight
    from gigs_core.cli.progress_display import CliProgress
    from gigs_core.cli.run_command import create_judges, judge_options
    from gigs_core.errors import UserInputError
    from gigs_demo.runner import DemoRequest, run_demo

    if (params["users"] != "all" or params["preset"] != "paper" or params["count"] != 1
            or params["inverter"] or params["inverter_option"] or params["catalogue"]):
        raise UserInputError("the demo (no --generator/--recommender) takes --segment instead of --users, "
                             "and no --preset/--count/--inverter/--catalogue (it ranks against its own catalogue)")
    if params.get("method") not in (None, "gigs"):
        raise UserInputError(f"the demo modifies an item, and the {params['method']} baseline takes none (it generates "
                             "from the prior): run it in class-level mode with --generator and --recommender")
    judged_by = judge_options(params)
    out = preflight(params["out"], overwrite=params["overwrite"], items=params["items"],
                    inputs=[params.get("config"), params.get("bundle"), *option_paths(judged_by)])
    device = pick_device(params["device"])
    request = DemoRequest(
        bundle=params.get("bundle"), demo_item=params.get("demo_item"), photos=list(params["items"]),
        segment=params.get("segment"), seed=params.get("seed"), overrides=overrides, device=device,
        judges=create_judges(params, judged_by, device),
    )
    threads = _cpu_threads(request.device)
    bars = CliProgress(enabled=not params["quiet"])
    try:
        result = run_demo(request, progress=bars)
        if threads:
            result.notes.append(f"CPU threads: {threads}, pinned: the demo's models are small, and numbers are bit-identical "
                                "only for the same thread count (set OMP_NUM_THREADS to change it)")
    finally:
        bars.close()
    result.save(out, overwrite=params["overwrite"])
    print_demo_table(result, out)


def _cpu_threads(device) -> int | None:
    """On CPU, one intra-op thread unless OMP_NUM_THREADS says otherwise: the demo's models are
    tiny, and with two threads on a 2-core machine whose other core is busy, a run took
    235 s instead of 21 s (threads waiting on each other). Returns the count set, if any."""
    import os

    import torch

    if device.type != "cpu" or os.environ.get("OMP_NUM_THREADS"):
        return None
    torch.set_num_threads(1)
    return 1


def print_demo_table(run, out: Path) -> None:
    """The short table: item, reconstruction and each variant with their scores, and whether
    the generator can represent the photo."""
    from gigs_core.cli.run_command import judged_lines
    from gigs_core.report.html import domain_sentence

    evaluation = run.evaluation
    size = evaluation["catalogue"]["size"]
    for note in run.notes:
        click.echo(note)
    click.echo(f"group: {evaluation['group']}; ranks among {size:,} {evaluation['catalogue']['name']} items "
               f"(1 = best)")
    header = (f"{'image':<16}{'group pref':>11}{'true utility':>13}{'rank (pref)':>13}{'rank (true)':>13}"
              f"{'distance':>10}")
    for name, rows in evaluation["items"].items():
        click.echo(f"\n{name}")
        click.echo(header)
        for row in rows:
            click.echo(f"{row['image']:<16}{row['group_preference']:>11.4f}{row['ground_truth_utility']:>13.4f}"
                       f"{row['rank_by_preference']:>13,}{row['rank_by_ground_truth']:>13,}"
                       f"{row['distance_to_item']:>10.4f}")
        variants = [r for r in rows if r["image"].startswith("variant")]
        base = rows[0]
        mean_pref = sum(r["group_preference"] for r in variants) / len(variants)
        mean_true = sum(r["ground_truth_utility"] for r in variants) / len(variants)
        click.echo(f"{'variants (mean)':<16}{mean_pref:>11.4f}{mean_true:>13.4f}   "
                   f"change vs {base['image']}: preference {mean_pref - base['group_preference']:+.4f}, "
                   f"true utility {mean_true - base['ground_truth_utility']:+.4f}")
        check = evaluation.get("domain_check", {}).get(name)
        if check is not None:
            click.echo(domain_sentence(check))
    for line in judged_lines(run):
        click.echo(line)
    click.echo(f"\nwrote {out}/ (report.html, report.json, images) in {run.timings['total_s']:.1f} s")
