"""Every hook a gigs plugin can implement.

A plugin is a module (or object) with functions decorated by ``hookimpl``::

    from gigs_core import hookimpl

    @hookimpl
    def register_generators(register):
        register("my-gan", MyGanOptions, build_my_gan, description="...")

and is announced in its distribution's ``pyproject.toml``::

    [project.entry-points.gigs]
    my_gan = "my_package.plugin"

Hooks are called with keyword arguments, and a hook implementation may accept
only the arguments it needs, so new arguments can be added to a spec without
breaking existing plugins. Registration hooks receive a ``register`` callback
rather than returning lists; the core validates what arrives.
"""

from __future__ import annotations

import pluggy

PROJECT = "gigs"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_generators(register):
    """Register image generators.

    ``register(name, options_model, factory, description="")``: ``options_model``
    is a pydantic model (``extra="forbid"``) of the backend's options; ``factory``
    takes a validated instance and returns an object satisfying
    :class:`gigs_core.protocols.Generator`.
    """


@hookspec
def register_recommenders(register):
    """Register recommenders; same ``register`` signature as ``register_generators``;
    factories return a :class:`gigs_core.protocols.Recommender`."""


@hookspec
def register_inverters(register):
    """Register GAN inverters; factories return a :class:`gigs_core.protocols.Inverter`."""


@hookspec
def register_feature_extractors(register):
    """Register feature extractors; factories return a
    :class:`gigs_core.protocols.FeatureExtractor`."""


@hookspec
def register_datasets(register):
    """Register dataset formats that ``open_dataset`` (and every ``--data`` option) reads.

    ``register(name, opener, description="", matches=None)``: the spec ``NAME`` or
    ``NAME:LOCATION`` calls ``opener(location, on_bad_image=...)`` (``location`` is
    ``None`` for a bare ``NAME``), which returns a :class:`gigs_core.data.Dataset`.
    ``matches(path)``, when given, claims a bare path (e.g. a file ending ``.npy``).
    """


@hookspec
def register_perceptual_distances(register):
    """Register perceptual distances for inversion (``--perceptual NAME``).

    ``register(name, factory, description="", takes_argument=False)``: ``factory(argument)``
    returns a ``torch.nn.Module`` mapping two ``N×C×H×W`` batches in ``[0, 1]`` to ``N``
    distances. With ``takes_argument`` the setting is ``NAME:ARGUMENT`` (e.g.
    ``domain:classifier.safetensors``) and ``argument`` is the text after the colon;
    otherwise it is ``None``. The module may also have a method ``distance_to(targets)``
    returning a callable ``images → N`` distances (equal to ``module(targets, images)``) with the
    targets' features computed once; inversion uses it when present.
    """


@hookspec
def register_trainers(register):
    """Register training commands, dispatched by ``gigs train KIND --KIND NAME …``.

    ``register(kind, name, command, description="")``: ``kind`` is what is trained
    (``generator``, ``recommender``, ``classifier``, …), ``name`` the backend, and
    ``command`` a ``click.Command`` holding the trainer's own options (not ``--KIND``).
    A ``(kind, name)`` pair registered by two plugins is an error naming both.
    """


@hookspec
def register_default_run(register):
    """Register what ``gigs run`` does when no ``--generator``/``--recommender`` is given
    (the built-in demo does this). At most one plugin may.

    ``register(name, runner, options=(), description="", batch=None, compare=None)``: ``options`` are extra
    ``click.Option`` objects added to ``gigs run`` (they apply to this default run only);
    ``runner(params, overrides)`` receives every ``gigs run`` parameter by name and the
    Algorithm 1 settings the user gave (``{"inversion": {...}, "shift": {...}}``, from
    flags and ``--config``), runs, saves into ``params["out"]`` and prints its summary.
    ``batch(overrides)``, when given, is what ``gigs batch`` uses without backends: it
    returns a :class:`gigs_core.batch.runner.DefaultBatch` (default items and segments, and
    a runner that loads the models once). ``compare()``, when given, is what
    ``gigs compare`` uses without ``--recommender``: it returns a
    :class:`gigs_core.comparison.DefaultComparison` (the catalogue's generators, recommender,
    judges, items and segments).
    """


@hookspec
def register_commands(cli):
    """Add click commands to the ``gigs`` command group ``cli``.

    The group ``cli.commands["data"]`` exists for data commands; trainers use
    :func:`register_trainers` instead of adding to ``gigs train``. A command whose name
    is already taken is not added (a warning names both plugins).
    """
