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
def register_commands(cli):
    """Add click commands to the ``gigs`` command group ``cli``.

    The groups ``cli.commands["train"]`` and ``cli.commands["data"]`` exist for
    training and data commands.
    """
