"""``gigs compare``: the same items, users, recommender, judge, settings and seeds through
several generators and methods; one table, one side-by-side contact sheet, and every run's folder."""

from __future__ import annotations

from typing import Any

import click

from gigs_core.cli.run_command import RUN_OPTIONS, apply_config_file, create_judges, judge_options, run_config
from gigs_core.cli.settings import parse_key_values
from gigs_core.config import METHODS
from gigs_core.errors import UserInputError

#: Options of ``gigs run`` that mean the same here.
SHARED = ("recommender", "recommender_option", "judge", "judge_option", "users", "n", "eps", "steps",
          "inversion_steps", "shift_steps", "preference_weight", "perceptual", "preset", "seed", "device",
          "overwrite", "config", "quiet", "count")


def per_generator(pairs: tuple[str, ...], flag: str, generators: list[str]) -> dict[str, list[str]]:
    """``("ddim:checkpoint=x", …)`` → ``{"ddim": ["checkpoint=x"], …}``; every prefix must be a compared generator."""
    grouped: dict[str, list[str]] = {name: [] for name in generators}
    for pair in pairs:
        name, sep, rest = pair.partition(":")
        if not sep or name not in grouped:
            raise UserInputError(f"{flag} takes GENERATOR:VALUE with GENERATOR one of {', '.join(generators)}; "
                                 f"got {pair!r}")
        grouped[name].append(rest)
    return grouped


def _names(text: str | None, flag: str, what: str, hint: str) -> list[str]:
    """A comma-separated list of distinct names, or a one-line error."""
    names = [name.strip() for name in (text or "").split(",") if name.strip()]
    if not names:
        raise UserInputError(f"give {flag} NAME,NAME,… ({hint})")
    if len(set(names)) != len(names):
        raise UserInputError(f"{flag} lists a {what} twice: {text!r}")
    return names


def _generator_names(text: str | None) -> list[str]:
    return _names(text, "--generators", "generator", "see `gigs plugins` for the names")


def _methods(text: str | None) -> list[str | None]:
    """The ``--methods`` names, checked; ``[None]`` (the config's method) without the option."""
    if text is None:
        return [None]
    names = _names(text, "--methods", "method", f"of {', '.join(METHODS)}")
    unknown = [name for name in names if name not in METHODS]
    if unknown:
        raise UserInputError(f"--methods: {', '.join(unknown)} is not a method; use {', '.join(METHODS)}")
    return names


def _contender_label(generator: str, method: str | None, several_methods: bool) -> str:
    """The generator's name, with the method after it when several methods are compared."""
    return f"{generator}-{method}" if several_methods else generator


def _inverters(params: dict[str, Any], names: list[str], config) -> dict[str, Any]:
    """Per generator, the inverter ``--inverter GENERATOR:INVERTER`` names (with its ``-I`` options), or ``None``."""
    from gigs_core.config import InversionConfig
    from gigs_core.factories import create_inverter
    from gigs_core.registry import get_spec

    chosen = {name: values[-1] for name, values in per_generator(params["inverter"], "--inverter", names).items()
              if values}
    options = per_generator(params["inverter_option"], "--inverter-option", names)
    inverters = {}
    for name in names:
        given = parse_key_values(options[name], "--inverter-option")
        if name not in chosen:
            if given:
                raise UserInputError(f"--inverter-option {name}:… needs --inverter {name}:INVERTER")
            inverters[name] = None
            continue
        if get_spec("inverter", chosen[name]).options_model is InversionConfig:
            given = {**config.inversion.model_dump(), **given}
        inverters[name] = create_inverter(chosen[name], **given)
    return inverters


#: ``--distance``, the perceptual distance of variants to their item (``gigs compare`` and ``gigs eval``).
DISTANCE_OPTION = click.Option(
    ["--distance"], metavar="NAME",
    help="Perceptual distance of the variants to the item (any of `gigs plugins`' perceptual distances; "
         "'none' to skip) [the default catalogue's; else lpips-untrained].")


def distance_name(params: dict[str, Any], default) -> str | None:
    """The checked ``--distance`` (the default catalogue's when not given), or ``None`` for 'none'."""
    name = params["distance"] or (default.distance() if default else "lpips-untrained")
    if name == "none":
        return None
    from gigs_core.method.perceptual import check_perceptual_name

    try:
        return check_perceptual_name(name)
    except ValueError as exc:
        raise UserInputError(f"--distance: {exc}") from None


COMPARE_OPTIONS = [
    click.Option(["--generators"], metavar="NAME,NAME,…",
                 help="The generators to compare (see `gigs plugins`) [the default catalogue's own]."),
    click.Option(["--generator-option", "-G"], multiple=True, metavar="GENERATOR:KEY=VALUE",
                 help="An option of one generator (repeatable), e.g. ddim:checkpoint=unet-folder."),
    click.Option(["--inverter"], multiple=True, metavar="GENERATOR:INVERTER",
                 help="The inverter of one generator (repeatable), e.g. ddim:ddim-inversion [latent-optimization]."),
    click.Option(["--inverter-option", "-I"], multiple=True, metavar="GENERATOR:KEY=VALUE",
                 help="An option of one generator's inverter (repeatable)."),
    click.Option(["--item", "-i", "items"], multiple=True, type=click.Path(), metavar="FILE",
                 help="Item photo to compare the generators on (repeatable) [the default catalogue's items]."),
    click.Option(["--methods"], metavar="METHOD,METHOD,…",
                 help=f"Run every generator with each of these methods ({', '.join(METHODS)}); a run's folder "
                      "and row are then named GENERATOR-METHOD. The paper's baselines take no item, so with "
                      "them the comparison is class-level, around --count prior samples [the config's method]."),
    DISTANCE_OPTION,
    click.Option(["--segment"], metavar="NAME",
                 help="Without --recommender: the default catalogue's user segment [its first]."),
    click.Option(["--out", "-o"], type=click.Path(), metavar="FOLDER", default="gigs-compare", show_default=True,
                 help="Output folder."),
]


def build_compare_command() -> click.Command:
    shared = [option for option in RUN_OPTIONS if option.name in SHARED]
    return click.Command("compare", callback=click.pass_context(compare), params=[*COMPARE_OPTIONS, *shared],
                         help="Compare generators (and with --methods, methods): the same items, users, "
                              "recommender, judges, settings and seeds through each; writes comparison.md/.json, a side-by-side contact sheet and each run. "
                              "Without --recommender it compares on the default catalogue (the demo's: its "
                              "generators, DVBPR, judges, items and --segment).")


def _catalogue(params: dict[str, Any]):
    """``(default comparison or None, generator names, options per generator)``: without
    ``--recommender`` the default run's catalogue supplies the recommender, judges, users, items
    and its own generators (``--generators`` may name others, configured with ``-G``)."""
    default = None
    if not params["recommender"]:
        from gigs_core.comparison import default_comparison

        default = default_comparison()
    elif params["segment"]:
        raise UserInputError("--segment applies to the default catalogue only (gigs compare without --recommender); "
                             "give --users")
    own = default.generators() if default else {}
    names = _generator_names(params["generators"]) if params["generators"] or not own else list(own)
    given = per_generator(params["generator_option"], "--generator-option", names)
    options = {name: {**own.get(name, {}), **parse_key_values(given[name], "--generator-option")} for name in names}
    return default, names, options


def _items(params: dict[str, Any], default, class_level: bool) -> list[str]:
    """The item photos to compare on; none for a class-level comparison (the baselines take no item)."""
    if class_level:
        if params["items"]:
            raise UserInputError("the paper's baselines generate from the generator's prior and take no item: drop "
                                 "--item, and the comparison runs class-level around --count prior samples")
        return []
    if params["count"] != 1:
        raise UserInputError("--count is for class-level comparisons (a baseline in --methods); give --item photos")
    items = list(params["items"]) or ([str(path) for path in default.items()] if default else [])
    if not items:
        raise UserInputError("give at least one --item photo to compare the generators on")
    return items


def compare(ctx: click.Context, **params: Any) -> None:
    params = apply_config_file(ctx, params)
    default, names, generator_options = _catalogue(params)
    methods = _methods(params["methods"])
    if default is not None and params["users"] != "all":
        raise UserInputError("the default catalogue takes --segment NAME instead of --users")
    from gigs_core.cli.run_command import settings_overrides

    config = default.config(settings_overrides(params)) if default else run_config(params)
    class_level = any((method or config.method) != "gigs" for method in methods)
    items = _items(params, default, class_level)
    segment = None
    if default is not None:
        segment = params["segment"] or default.segments()[0]
        if segment not in default.segments():
            raise UserInputError(f"--segment {segment!r} is not one of {', '.join(default.segments())}")
    recommender_options = parse_key_values(params["recommender_option"], "--recommender-option")
    judged_by = judge_options(params)
    distance = distance_name(params, default)
    from gigs_core.cli.preflight import item_names, option_paths, preflight, untrained_backends
    from gigs_core.comparison import COMPARISON_FOLDER

    out = preflight(params["out"], overwrite=params["overwrite"], items=items, marker=COMPARISON_FOLDER,
                    inputs=[params["config"], *option_paths(*generator_options.values(), recommender_options,
                                                            judged_by)])
    backends = {**{f"generator {name}": ("generator", name, generator_options[name]) for name in names},
                **({"recommender": ("recommender", params["recommender"], recommender_options)} if not default
                   else {}),
                **({"judge": ("recommender", params["judge"], judged_by)} if params["judge"] else {})}
    for note in untrained_backends(backends):
        click.echo(f"warning: {note}", err=True)
    inverters = _inverters(params, names, config)

    import torch

    from gigs_core.cli.devices import pick_device
    from gigs_core.cli.progress_display import CliProgress
    from gigs_core.comparison import COMPARISON_SIZE, Contender, compare_generators
    from gigs_core.factories import create_generator, create_recommender
    from gigs_core.imaging import read_photo, resize

    device = pick_device(params["device"])
    generators = {name: create_generator(name, **generator_options[name]).to(device) for name in names}
    contenders = [Contender(_contender_label(name, method, len(methods) > 1), generators[name], inverters[name], method)
                  for name in names for method in methods]
    if default is None:
        recommender, judges, users = (create_recommender(params["recommender"], **recommender_options).to(device),
                                      {}, params["users"])
    else:
        recommender, judges, users = default.recommender(device), default.judges(device), default.users(segment)
    judges.update(create_judges(params, judged_by, device))
    size = max(COMPARISON_SIZE, *(contender.generator.resolution for contender in contenders))
    photos = torch.cat([resize(read_photo(path, size)[0], size) for path in items]).to(device) if items else None
    bars = CliProgress(enabled=not params["quiet"])
    try:
        comparison = compare_generators(contenders, recommender, photos, users=users, config=config,
                                        seeds=params["seed"], judges=judges, distance=distance,
                                        item_names=item_names(items) if items else None,
                                        class_level_count=params["count"], progress=bars)
    finally:
        bars.close()
    if segment is not None:
        comparison.notes.append(f"segment: {segment} ({len(users)} users)")
    comparison.save(out, overwrite=params["overwrite"])
    click.echo(comparison.table())
    for note in comparison.notes:
        click.echo(note)
    click.echo(f"wrote {out}/ (comparison.md, comparison.json, contact_sheet.png, runs/)")
