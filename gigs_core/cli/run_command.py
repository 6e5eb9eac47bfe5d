"""``gigs run``: invert an item (or sample one), shift it for a user group, save the run.

Without ``--generator`` and ``--recommender`` it runs the demo on the bundled
Fashion-MNIST models (:mod:`gigs_core.demo.cli`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from gigs_core.cli.settings import parse_key_values, read_config_file
from gigs_core.errors import UserInputError

# Settings that map onto GigsConfig sections.
INVERSION_FLAGS = {"inversion_steps": "steps", "perceptual": "perceptual"}
SHIFT_FLAGS = {"n": "n", "eps": "eps", "shift_steps": "steps", "preference_weight": "preference_weight"}


def _apply_config_file(ctx: click.Context, params: dict[str, Any]) -> dict[str, Any]:
    """Fill every setting the command line left at its default from ``--config``."""
    if not params.get("config"):
        return params
    values = read_config_file(params["config"])
    sections = {key: values.pop(key) for key in ("inversion", "shift") if key in values}
    known = {param.name: param for param in ctx.command.params}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise UserInputError(
            f"config file {params['config']!r}: unknown settings {', '.join(unknown)}; "
            f"valid: inversion, shift, {', '.join(sorted(known))}"
        )
    merged = dict(params)
    for name, value in values.items():
        if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT:
            continue  # the command line wins
        param = known[name]
        if isinstance(value, dict):  # generator_option = { key = value }
            value = [f"{key}={_json(val)}" for key, val in value.items()]
        if param.multiple and not isinstance(value, list):
            value = [value]
        try:
            merged[name] = param.type_cast_value(ctx, value)
        except click.BadParameter as exc:
            raise UserInputError(f"config file setting {name!r}: {exc.format_message()}") from None
    merged["_sections"] = sections
    return merged


def _json(value: Any) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value)


def _config(params: dict[str, Any]):
    from gigs_core.config import GigsConfig

    base = GigsConfig.authors_scripts() if params["preset"] == "authors" else GigsConfig()
    overrides: dict[str, dict[str, Any]] = {
        section: dict(values) for section, values in params.get("_sections", {}).items()
    }
    if params["steps"] is not None:
        overrides.setdefault("inversion", {})["steps"] = params["steps"]
        overrides.setdefault("shift", {})["steps"] = params["steps"]
    for flag, field in INVERSION_FLAGS.items():
        if params[flag] is not None:
            overrides.setdefault("inversion", {})[field] = params[flag]
    for flag, field in SHIFT_FLAGS.items():
        if params[flag] is not None:
            overrides.setdefault("shift", {})[field] = params[flag]
    return base.merged(overrides)


def _print_table(run, out: Path) -> None:
    click.echo(f"users: {len(run.users)}  mode: {run.mode}  perceptual: {run.perceptual}  device: {run.device}")
    click.echo(f"{'item':<14}{'item pref':>11}{'base pref':>11}{'mean var':>11}{'best var':>11}{'gain':>9}")
    for item in run.items:
        item_pref = "-" if item.item_preference is None else f"{item.item_preference:.4f}"
        mean = sum(item.variant_preferences) / len(item.variant_preferences)
        click.echo(
            f"{item.name:<14}{item_pref:>11}{item.reconstruction_preference:>11.4f}"
            f"{mean:>11.4f}{max(item.variant_preferences):>11.4f}{item.mean_gain:>+9.4f}"
        )
    click.echo(f"wrote {out} ({run.timings['total_s']:.1f} s)")


@click.command()
@click.option("--generator", "-g", help="Generator backend (see `gigs plugins`).")
@click.option("--recommender", "-r", help="Recommender backend.")
@click.option("--generator-option", "-G", multiple=True, metavar="KEY=VALUE", help="Generator option (repeatable), e.g. checkpoint=g.pt.")
@click.option("--recommender-option", "-R", multiple=True, metavar="KEY=VALUE", help="Recommender option (repeatable).")
@click.option("--item", "-i", "items", multiple=True, type=click.Path(dir_okay=False), help="Item image (repeatable). None: class-level mode.")
@click.option("--count", default=1, show_default=True, type=click.IntRange(min=1), help="Class-level mode: number of sampled base latents.")
@click.option("--users", "-u", default="all", show_default=True, help="'all', an id, a list '1,4,9' or 'random:N'.")
@click.option("--n", type=click.IntRange(min=2), help="Number of variants per item [paper: 8].")
@click.option("--eps", type=float, help="Search radius ε [paper: 0.4].")
@click.option("--steps", type=click.IntRange(min=0), help="Steps of both phases [paper: 1000].")
@click.option("--inversion-steps", type=click.IntRange(min=0), help="Inversion steps (overrides --steps).")
@click.option("--shift-steps", type=click.IntRange(min=0), help="Shifting steps (overrides --steps).")
@click.option("--preference-weight", type=float, help="Weight of the preference term [paper: 1].")
@click.option("--perceptual", metavar="NAME", help="Perceptual distance for inversion: lpips-alex, lpips-vgg, lpips-squeeze, lpips-untrained, none or domain:CLASSIFIER.safetensors [lpips-vgg; demo: lpips-alex if cached, else the bundle's domain classifier].")
@click.option("--preset", type=click.Choice(["paper", "authors"]), default="paper", show_default=True, help="Paper settings, or those of the authors' scripts.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the first item (item i uses seed+i).")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True)
@click.option("--out", "-o", type=click.Path(file_okay=False), default="gigs-run", show_default=True, help="Output folder.")
@click.option("--overwrite", is_flag=True, help="Replace the output folder if it exists.")
@click.option("--config", type=click.Path(dir_okay=False), help="TOML/YAML/JSON file of these settings; the command line wins.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@click.option("--demo-item", type=click.IntRange(min=0), help="Demo (no backends): which bundled item (see `gigs demo info`).")
@click.option("--segment", help="Demo (no backends): the taste segment to please (see `gigs demo info`).")
@click.option("--bundle", type=click.Path(file_okay=False), help="Demo (no backends): bundle folder [$GIGS_DEMO_BUNDLE or the shipped one].")
@click.pass_context
def run(ctx: click.Context, **params: Any) -> None:
    """Run GIGS: variants of an item that the chosen users prefer more.

    With no --generator/--recommender it runs the demo: a ProGAN and a DVBPR trained on
    Fashion-MNIST with synthetic users, on a bundled item or your --item photo.
    """
    params = _apply_config_file(ctx, params)
    demo_only = [flag for flag in ("demo_item", "segment", "bundle") if params.get(flag) is not None]
    if not params["generator"] and not params["recommender"]:
        if params["users"] != "all" or params["preset"] != "paper" or params["count"] != 1:
            raise UserInputError("the demo (no --generator/--recommender) takes --segment instead of --users, "
                                 "and no --preset/--count")
        from gigs_core.demo.cli import run_demo_command

        return run_demo_command(params)
    if demo_only:
        raise UserInputError(f"--{demo_only[0].replace('_', '-')} applies to the demo only (no --generator/--recommender)")
    if not params["generator"] or not params["recommender"]:
        raise UserInputError("give --generator and --recommender (see `gigs plugins` for the names)")
    generator_options = parse_key_values(params["generator_option"], "--generator-option")
    recommender_options = parse_key_values(params["recommender_option"], "--recommender-option")
    config = _config(params)
    from gigs_core.atomic import check_output_folder

    out = check_output_folder(params["out"], params["overwrite"])

    from gigs_core.cli.progress_bars import PhaseBars
    from gigs_core.factories import create_generator, create_recommender
    from gigs_core.imaging import load_image
    from gigs_core.pipeline import run_gigs

    items = [load_image(path) for path in params["items"]]
    from gigs_core.devices import pick_device

    device = pick_device(params["device"])
    generator = create_generator(params["generator"], **generator_options).to(device)
    recommender = create_recommender(params["recommender"], **recommender_options).to(device)
    import torch

    batch = None
    if items:
        size = generator.resolution
        from gigs_core.imaging import resize

        batch = torch.cat([resize(item, size) for item in items]).to(device)
    bars = PhaseBars(enabled=False if params["quiet"] else None)
    try:
        result = run_gigs(
            generator,
            recommender,
            batch,
            users=params["users"],
            config=config,
            seeds=params["seed"],
            class_level_count=params["count"],
            item_names=[Path(path).stem for path in params["items"]] or None,
            backends={
                "generator": {"name": params["generator"], "options": generator_options},
                "recommender": {"name": params["recommender"], "options": recommender_options},
            },
            progress=bars,
        )
    finally:
        bars.close()
    result.save(out, overwrite=params["overwrite"])
    _print_table(result, out)
