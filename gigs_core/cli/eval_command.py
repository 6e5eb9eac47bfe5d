"""``gigs eval``: the paper's Tables 2–5 on a catalogue (docs/eval.md); resumable."""

from __future__ import annotations

import dataclasses
from typing import Any

import click

from gigs_core.cli.compare_command import DISTANCE_OPTION, distance_name
from gigs_core.cli.run_command import RUN_OPTIONS, apply_config_file, create_judges, judge_options
from gigs_core.cli.settings import parse_key_values
from gigs_core.errors import UserInputError

#: Options of ``gigs run`` that mean the same here.
SHARED = ("generator", "generator_option", "recommender", "recommender_option", "judge", "judge_option", "n",
          "eps", "steps", "inversion_steps", "shift_steps", "preference_weight", "perceptual", "preset", "seed",
          "device", "config", "quiet")

EVAL_OPTIONS = [
    click.Option(["--catalogue"], metavar="SPEC",
                 help="Dataset spec of the catalogue (see `gigs data formats`) [the default catalogue's]."),
    click.Option(["--tables"], default="2,3,4,5", show_default=True, metavar="N,N,…",
                 help="The paper's tables to run: 2 class-level, 3 item-level, 4 per category, 5 group size."),
    click.Option(["--quick"], is_flag=True, help="Tiny counts and steps (for CI): well under a minute on a CPU."),
    DISTANCE_OPTION,
    click.Option(["--out", "-o"], type=click.Path(), metavar="FOLDER", default="gigs-eval", show_default=True,
                 help="Output folder; a re-run with the same settings resumes it."),
]


def build_eval_command() -> click.Command:
    shared = [option for option in RUN_OPTIONS if option.name in SHARED]
    return click.Command("eval", callback=click.pass_context(evaluate), params=[*EVAL_OPTIONS, *shared],
                         help="Run the paper's experiments (Tables 2–5): class-level against the DVBPR baselines, "
                              "preferred and un-preferred items, per category, and user-group sizes; writes "
                              "tableN.md/.json, plots and summary.html. Without --recommender it evaluates the "
                              "default catalogue (the demo's generator, DVBPR, judges and segments on "
                              "the Fashion-MNIST test set). Re-running into the same --out skips finished cells.")


def parse_tables(text: str) -> list[int]:
    from gigs_core.evaluation.protocols import TABLES

    try:
        tables = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        tables = []
    if not tables or any(table not in TABLES for table in tables):
        raise UserInputError(f"--tables takes numbers from {', '.join(map(str, TABLES))} separated by commas; "
                             f"got {text!r}")
    return tables


def _merged(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = {section: dict(values) if isinstance(values, dict) else values for section, values in base.items()}
    for section, values in overrides.items():
        if isinstance(values, dict) and isinstance(merged.get(section), dict):
            merged[section].update(values)
        else:
            merged[section] = values
    return merged


def _backend_names(params: dict[str, Any]):
    """The default catalogue (``None`` with --recommender) and ``(generator name, options)``."""
    if params["recommender"]:
        if not params["generator"]:
            raise UserInputError("--recommender needs --generator NAME (see `gigs plugins`)")
        return None, params["generator"], parse_key_values(params["generator_option"], "--generator-option")
    if params["generator"]:
        raise UserInputError("--generator needs --recommender NAME (without both, gigs eval uses the default "
                             "catalogue)")
    from gigs_core.comparison import default_comparison

    default = default_comparison()
    name, options = next(iter(default.generators().items()))
    return default, name, {**options, **parse_key_values(params["generator_option"], "--generator-option")}


def _catalogue_spec(params: dict[str, Any], default) -> str:
    spec = params["catalogue"] or (getattr(default, "catalogue", lambda: None)() if default else None)
    if not spec:
        raise UserInputError("give --catalogue SPEC (the dataset the items and FID images come from; see "
                             "`gigs data formats`)")
    return spec


def eval_config(params: dict[str, Any], default):
    """The Algorithm 1 settings of an evaluation: the default catalogue's (or the paper's / the authors'), the
    quick ones with --quick, the user's on top."""
    from gigs_core.cli.run_command import settings_overrides
    from gigs_core.evaluation.protocols import QUICK_SETTINGS

    overrides = settings_overrides(params)
    if params["quick"]:
        overrides = _merged(QUICK_SETTINGS, overrides)
    if default is not None:
        return default.config(overrides)
    from gigs_core.config import GigsConfig

    return GigsConfig.preset(params["preset"]).merged(overrides)


def evaluate(ctx: click.Context, **params: Any) -> None:
    params = apply_config_file(ctx, params)
    from gigs_core.evaluation.protocols import EvalPlan
    from gigs_core.evaluation.store import EvalStore

    tables = parse_tables(params["tables"])
    default, generator_name, generator_options = _backend_names(params)
    spec = _catalogue_spec(params, default)
    distance = distance_name(params, default)
    config = eval_config(params, default)
    plan = EvalPlan.quick() if params["quick"] else EvalPlan()
    recommender_options = parse_key_values(params["recommender_option"], "--recommender-option")
    judged_by = judge_options(params)
    settings = {"catalogue": spec, "generator": [generator_name, generator_options],
                "recommender": [params["recommender"], recommender_options] if not default else "default catalogue",
                "judge": [params["judge"], judged_by], "distance": distance, "seed": params["seed"],
                "plan": dataclasses.asdict(plan), "config": config.model_dump(mode="json")}
    from gigs_core.cli.preflight import option_paths

    EvalStore.check(params["out"], settings,
                    inputs=[path for path in [params["config"], *option_paths(generator_options, recommender_options,
                                                                              judged_by)] if path])
    from gigs_core.cli.devices import pick_device
    from gigs_core.evaluation.loading import load_backends
    from gigs_core.evaluation.runner import run_evaluation

    device = pick_device(params["device"])
    backends = load_backends(default, spec, plan, seed=params["seed"], generator=(generator_name, generator_options),
                             recommender=(params["recommender"], recommender_options), config=config,
                             distance=distance, device=device)
    backends.judges.update(create_judges(params, judged_by, device))
    store = EvalStore.open(params["out"], settings)
    quiet = params["quiet"]

    def announce(key: str, index: int, total: int) -> None:
        if not quiet:
            click.echo(f"[{index + 1}/{total}] {key}", err=True)

    result = run_evaluation(tables, plan, backends, store, seed=params["seed"],
                            notes=[f"catalogue: {spec}; seed {params['seed']}" + ("; --quick" if params["quick"] else "")],
                            on_cell=announce)
    for table in result.tables:
        click.echo(table.markdown())
    click.echo(f"{result.ran} cells run, {result.resumed} already done, {result.seconds:.1f} s; wrote "
               f"{store.folder}/ ({', '.join(result.files)})")
