"""``gigs run``: invert an item (or sample one), shift it for a user group, save the run.

Without ``--generator`` and ``--recommender`` it runs the default that a plugin
registered (``register_default_run``; the built-in demo plugin does).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from gigs_core.cli.devices import device_click_option
from gigs_core.cli.settings import parse_key_values, read_config_file
from gigs_core.config import METHODS
from gigs_core.errors import UserInputError

# Settings that map onto GigsConfig sections.
CONFIG_SECTIONS = ("inversion", "shift", "baseline", "compute")
INVERSION_FLAGS = {"inversion_steps": "steps", "perceptual": "perceptual"}
SHIFT_FLAGS = {"n": "n", "eps": "eps", "shift_steps": "steps", "preference_weight": "preference_weight"}


def apply_config_file(ctx: click.Context, params: dict[str, Any]) -> dict[str, Any]:
    """Fill every setting the command line left at its default from ``--config``."""
    if not params.get("config"):
        return params
    values = read_config_file(params["config"])
    sections = {key: values.pop(key) for key in CONFIG_SECTIONS if key in values}
    known = {param.name: param for param in ctx.command.params}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise UserInputError(
            f"config file {params['config']!r}: unknown settings {', '.join(unknown)}; "
            f"valid: {', '.join(CONFIG_SECTIONS)}, {', '.join(sorted(known))}"
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


def settings_overrides(params: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The Algorithm 1 settings the user gave, from ``--config`` sections and flags (flags win)."""
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
    if params.get("method"):
        overrides["method"] = params["method"]
    return overrides


def run_config(params: dict[str, Any]):
    from gigs_core.config import GigsConfig

    return GigsConfig.preset(params["preset"]).merged(settings_overrides(params))


def _print_table(run, out: Path) -> None:
    from gigs_core.report.portable import portable

    click.echo(f"users: {len(run.users)}  mode: {run.mode}  perceptual: {portable(run.perceptual)}  "
               f"device: {run.device} ({run.threads} CPU threads; reruns match only with the same count)")
    for note in run.notes:
        click.echo(note)
    click.echo(f"{'item':<14}{'recon PSNR':>11}{'item pref':>11}{'base pref':>11}{'mean var':>11}{'best var':>11}"
               f"{'gain':>9}")
    for item in run.items:
        item_pref = "-" if item.item_preference is None else f"{item.item_preference:.4f}"
        fidelity = "-" if item.reconstruction_psnr is None else f"{item.reconstruction_psnr:.1f} dB"
        mean = sum(item.variant_preferences) / len(item.variant_preferences)
        click.echo(
            f"{item.name:<14}{fidelity:>11}{item_pref:>11}{item.reconstruction_preference:>11.4f}"
            f"{mean:>11.4f}{max(item.variant_preferences):>11.4f}{item.mean_gain:>+9.4f}"
        )
    for line in judged_lines(run):
        click.echo(line)
    click.echo(f"wrote {out} ({run.timings['total_s']:.1f} s)")


def judged_lines(run) -> list[str]:
    """Per judge: its mean gain beside the optimised recommender's, and a plain sentence when
    the two disagree in direction."""
    lines = []
    judges = sorted({name for item in run.items for name in item.judged})
    optimised = sum(item.mean_gain for item in run.items) / len(run.items)
    from gigs_core.report.gains import OPTIMISED, judge_disagrees

    units = run.gain_units
    if units:
        lines.append(f"the optimised recommender's gain in its catalogue standard deviations: "
                     f"{optimised / units[OPTIMISED]:+.2f} σ (σ = {units[OPTIMISED]:.4f})")
    for name in judges:
        judged = sum(item.judged[name].mean_gain for item in run.items) / len(run.items)
        lines.append(f"judged by {name}: mean gain {judged:+.4f} (the recommender optimised against: {optimised:+.4f})")
        if units and units.get(name) and units[OPTIMISED] and optimised:
            in_std = judged / units[name]
            lines.append(f"  in catalogue standard deviations: {in_std:+.2f} σ (σ = {units[name]:.4f}); judged / optimised "
                         f"= {in_std / (optimised / units[OPTIMISED]):.2f}")
        if judge_disagrees(judged, optimised):
            lines.append(f"  {name} disagrees on the direction: the gain may be an artefact of optimising against "
                         f"one model")
    return lines


def catalogue_images(params: dict[str, Any]):
    """``--catalogue``'s images (a seeded sample of ``--catalogue-size`` items), or ``None``."""
    if not params["catalogue"]:
        return None
    import numpy as np

    from gigs_core.data import open_dataset

    dataset = open_dataset(params["catalogue"])
    count = min(params["catalogue_size"], dataset.num_items)
    ids = np.sort(np.random.default_rng(0).choice(dataset.num_items, size=count, replace=False))
    first = dataset.image(int(ids[0]))
    return dataset.images(ids, size=max(first.shape[-2:]))


def judge_options(params: dict[str, Any]) -> dict[str, Any]:
    """The ``-J`` options, checked (they need ``--judge``) before anything loads."""
    options = parse_key_values(params["judge_option"], "--judge-option")
    if options and not params["judge"]:
        raise UserInputError("--judge-option needs --judge NAME (see `gigs plugins` for recommenders)")
    return options


def create_judges(params: dict[str, Any], options: dict[str, Any], device) -> dict[str, Any]:
    """The ``--judge`` recommender by name, on ``device``; empty without one."""
    if not params["judge"]:
        return {}
    from gigs_core.factories import create_recommender

    return {params["judge"]: create_recommender(params["judge"], **options).to(device)}


def _inverter(params: dict[str, Any], config):
    """The inverter ``--inverter``/``-I`` name (built before the generator and recommender
    load, so its option errors come first), or ``None``: the pipeline's latent optimisation
    with the inversion settings. An inverter whose options are those settings gets them,
    ``-I`` on top."""
    from gigs_core.config import InversionConfig
    from gigs_core.factories import create_inverter
    from gigs_core.registry import get_spec

    options = parse_key_values(params["inverter_option"], "--inverter-option")
    if not params["inverter"]:
        if options:
            raise UserInputError("--inverter-option needs --inverter NAME (see `gigs plugins`)")
        return None
    if get_spec("inverter", params["inverter"]).options_model is InversionConfig:
        options = {**config.inversion.model_dump(), **options}
    return create_inverter(params["inverter"], **options)


def _paper(section: str, field: str) -> Any:
    """The paper's value of a setting, from the config (the one source of defaults)."""
    from gigs_core.config import InversionConfig, ShiftConfig

    model = {"inversion": InversionConfig, "shift": ShiftConfig}[section]
    return model.model_fields[field].default


RUN_OPTIONS = [
    click.Option(["--generator", "-g"], help="Generator backend (see `gigs plugins`)."),
    click.Option(["--recommender", "-r"], help="Recommender backend."),
    click.Option(["--generator-option", "-G"], multiple=True, metavar="KEY=VALUE",
                 help="Generator option (repeatable), e.g. checkpoint=g.pt."),
    click.Option(["--recommender-option", "-R"], multiple=True, metavar="KEY=VALUE",
                 help="Recommender option (repeatable)."),
    click.Option(["--inverter"], metavar="NAME",
                 help="Inverter (`gigs plugins` lists them) [latent-optimization, set by the inversion settings]."),
    click.Option(["--inverter-option", "-I"], multiple=True, metavar="KEY=VALUE",
                 help="Inverter option (repeatable), e.g. num_inference_steps=50 for ddim-inversion."),
    click.Option(["--judge"], metavar="NAME",
                 help="A second recommender over the same users that scores the item and the variants after the "
                      "run without being optimised against: a second opinion on the gain."),
    click.Option(["--judge-option", "-J"], multiple=True, metavar="KEY=VALUE",
                 help="Judge option (repeatable), e.g. checkpoint=other.safetensors."),
    click.Option(["--catalogue"], metavar="SPEC",
                 help="Dataset spec (e.g. fashion-mnist, csv:DIR): every gain is also given in units of its "
                      "scorer's standard deviation over this catalogue's items, so judges' gains compare."),
    click.Option(["--catalogue-size"], type=click.IntRange(min=2), default=1000, show_default=True,
                 help="Items drawn from --catalogue (seeded) for those standard deviations."),
    click.Option(["--item", "-i", "items"], multiple=True, type=click.Path(), metavar="FILE",
                 help="Item image (repeatable). None: class-level mode."),
    click.Option(["--count"], default=1, show_default=True, type=click.IntRange(min=1),
                 help="Class-level mode: number of sampled base latents."),
    click.Option(["--users", "-u"], default="all", show_default=True,
                 help="'all', an id, a list '1,4,9' or 'random:N'."),
    click.Option(["--n"], type=click.IntRange(min=2), help=f"Number of variants per item [paper: {_paper('shift', 'n')}]."),
    click.Option(["--eps"], type=float, help=f"Search radius ε [paper: {_paper('shift', 'eps')}]."),
    click.Option(["--steps"], type=click.IntRange(min=0),
                 help=f"Steps of both phases [paper: {_paper('shift', 'steps')}]."),
    click.Option(["--inversion-steps"], type=click.IntRange(min=0), help="Inversion steps (overrides --steps)."),
    click.Option(["--shift-steps"], type=click.IntRange(min=0), help="Shifting steps (overrides --steps)."),
    click.Option(["--preference-weight"], type=float,
                 help=f"Weight of the preference term [paper: {_paper('shift', 'preference_weight'):g}]."),
    click.Option(["--perceptual"], metavar="NAME",
                 help="Perceptual distance for inversion (`gigs plugins` lists them: lpips-alex, lpips-vgg, "
                      f"lpips-squeeze, lpips-untrained, none, …) [{_paper('inversion', 'perceptual')}]."),
    click.Option(["--method"], type=click.Choice(METHODS),
                 help="GIGS, or the paper's baselines (class-level only): DVBPR's preference maximisation "
                      "(dvbpr-pm) or its plain samples (dvbpr-random) [gigs]."),
    click.Option(["--preset"], type=click.Choice(["paper", "authors", "fast"]), default="paper", show_default=True,
                 help="Paper settings, those of the authors' scripts, or the paper's method in fewer steps (higher "
                      "rates, best-of-64 inversion starts; docs/performance.md)."),
    click.Option(["--seed"], default=0, show_default=True, type=int, help="Seed of the first item (item i uses seed+i)."),
    device_click_option(),
    click.Option(["--out", "-o"], type=click.Path(), metavar="FOLDER", default="gigs-run", show_default=True,
                 help="Output folder."),
    click.Option(["--overwrite"], is_flag=True, help="Replace the output folder if it exists."),
    click.Option(["--config"], type=click.Path(dir_okay=False),
                 help="TOML/YAML/JSON file of these settings; the command line wins."),
    click.Option(["--quiet", "-q"], is_flag=True, help="No progress bars."),
]


def build_run_command() -> click.Command:
    """``gigs run`` with the options of the plugin-provided default run (the demo) added."""
    from gigs_core import extensions

    default = extensions.default_run()
    extra = list(default.extra["options"]) if default else []
    summary = (f"\n\nWith no --generator/--recommender it runs the {default.name}: {default.description}"
               if default else "")
    command = click.Command(
        "run",
        callback=click.pass_context(run),
        params=[*RUN_OPTIONS, *extra],
        help="Run GIGS: variants of an item that the chosen users prefer more." + summary,
    )
    return command


def run(ctx: click.Context, **params: Any) -> None:
    params = apply_config_file(ctx, params)
    from gigs_core import extensions

    default = extensions.default_run()
    default_only = [option.name for option in (default.extra["options"] if default else ())
                    if params.get(option.name) not in (None, (), False)]
    if not params["generator"] and not params["recommender"]:
        if default is None:
            raise UserInputError("give --generator and --recommender (see `gigs plugins` for the names)")
        return default.value(params, settings_overrides(params))
    if default_only:
        flag = "--" + default_only[0].replace("_", "-")
        raise UserInputError(f"{flag} applies to the {default.name} only (`gigs run` without --generator/--recommender)")
    if not params["generator"] or not params["recommender"]:
        raise UserInputError("give --generator and --recommender (see `gigs plugins` for the names)")
    generator_options = parse_key_values(params["generator_option"], "--generator-option")
    recommender_options = parse_key_values(params["recommender_option"], "--recommender-option")
    judged_by = judge_options(params)
    config = run_config(params)
    from gigs_core.cli.preflight import item_names, option_paths, preflight, untrained_backends

    out = preflight(params["out"], overwrite=params["overwrite"], items=params["items"],
                    inputs=[params["config"], *option_paths(generator_options, recommender_options, judged_by)])
    untrained = untrained_backends({"generator": (params["generator"], generator_options),
                                    "recommender": (params["recommender"], recommender_options),
                                    **({"judge": ("recommender", params["judge"], judged_by)} if params["judge"] else {})})
    for note in untrained:
        click.echo(f"warning: {note}", err=True)
    inverter = _inverter(params, config)
    catalogue = catalogue_images(params)

    from gigs_core.cli.devices import pick_device
    from gigs_core.cli.progress_display import CliProgress
    from gigs_core.factories import create_generator, create_recommender
    from gigs_core.imaging import read_photo
    from gigs_core.method.pipeline import run_gigs

    device = pick_device(params["device"])
    generator = create_generator(params["generator"], **generator_options).to(device)
    recommender = create_recommender(params["recommender"], **recommender_options).to(device)
    judges = create_judges(params, judged_by, device)
    import torch

    batch, notes = None, list(untrained)
    names = item_names(params["items"])
    if params["items"]:
        from gigs_core.imaging import resize

        photos = []
        for name, path in zip(names, params["items"]):
            photo, photo_notes = read_photo(path, generator.resolution)
            photos.append(resize(photo, generator.resolution))
            notes += [f"{name}: {note}" for note in photo_notes]
        batch = torch.cat(photos).to(device)
    bars = CliProgress(enabled=not params["quiet"])
    try:
        result = run_gigs(
            generator,
            recommender,
            batch,
            users=params["users"],
            config=config,
            seeds=params["seed"],
            class_level_count=params["count"],
            inverter=inverter,
            item_names=names or None,
            backends={
                "generator": {"name": params["generator"], "options": generator_options},
                "recommender": {"name": params["recommender"], "options": recommender_options},
                **({f"judge:{params['judge']}": {"name": params["judge"], "options": judged_by}}
                   if params["judge"] else {}),
            },
            progress=bars,
            judges=judges,
            catalogue=catalogue,
        )
    finally:
        bars.close()
    result.notes += notes
    result.save(out, overwrite=params["overwrite"])
    _print_table(result, out)
