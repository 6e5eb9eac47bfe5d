"""Registers the demo: ``gigs demo build|info`` and the default of ``gigs run`` (what
runs with no --generator/--recommender). torch loads only when the demo runs."""

from __future__ import annotations

from gigs_core import hookimpl


def _run_demo(params, overrides):
    from gigs_demo.cli import run_demo_command

    run_demo_command(params, overrides)


def _demo_batch(overrides):
    from gigs_demo.batch import DemoBatch

    return DemoBatch(overrides)


def _demo_comparison():
    from gigs_demo.compare import DemoComparison

    return DemoComparison()


@hookimpl
def register_default_run(register):
    from gigs_demo.cli import RUN_OPTIONS

    register("demo", _run_demo, options=RUN_OPTIONS, batch=_demo_batch, compare=_demo_comparison,
             description="a ProGAN and a DVBPR trained on Fashion-MNIST with synthetic users, on a bundled item "
                         "or your --item photo (see `gigs demo info`).")


@hookimpl
def register_commands(cli):
    from gigs_demo.cli import demo

    cli.add_command(demo)
