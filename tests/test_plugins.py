"""Plugin discovery through real entry points of throwaway distributions."""

import sys
import warnings
from pathlib import Path
from typing import Literal

import pluggy
import pydantic
import pytest

from gigs_core import hookimpl, plugins
from gigs_core.errors import InvalidOptionsError, PluginError, UnknownBackendError
from gigs_core.factories import create_generator, list_generators, list_inverters
from gigs_core.options import BackendOptions
from gigs_core.registry import describe_type, get_spec
from tests.fakes import FakesPlugin
from tests.throwaway import make_distribution

THIRD_PARTY = '''
from gigs_core import hookimpl
from tests.fakes import LinearGenerator, LinearGeneratorOptions

@hookimpl
def register_generators(register):
    register("third-party-linear", LinearGeneratorOptions, lambda o: LinearGenerator(**o.model_dump()),
             description="from a throwaway distribution")
'''


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A folder on sys.path holding installed-looking distributions; plugins reloaded around each test."""
    monkeypatch.syspath_prepend(str(tmp_path))
    make_distribution(tmp_path, "thirdparty-gen", "1.2.3", "third", "thirdparty_gen", THIRD_PARTY)
    make_distribution(tmp_path, "broken-plugin", "0.1", "broken", "broken_plugin", "raise ImportError('no such backend lib')")
    plugins.reset()
    yield tmp_path
    for module in ("thirdparty_gen", "broken_plugin"):
        sys.modules.pop(module, None)
    plugins.reset()


def test_entry_point_plugin_registers_and_broken_one_only_warns(site):
    with pytest.warns(plugins.GigsPluginWarning, match="'broken'.*broken-plugin 0.1.*no such backend lib"):
        names = list_generators()
    assert "third-party-linear" in names and "toy" in names
    origin = get_spec("generator", "third-party-linear").origin
    assert (origin.distribution, origin.version) == ("thirdparty-gen", "1.2.3")
    assert create_generator("third-party-linear", latent_dim=3).latent_dim == 3
    assert list_generators("third-*") == ["third-party-linear"]


BUILT_IN_GENERATORS = {"progan", "toy"}


def test_only_named_plugins_are_loaded(site, monkeypatch):
    monkeypatch.setenv(plugins.ONLY_PLUGINS_ENV, "third")
    plugins.reset()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the broken plugin is not even imported
        names = set(list_generators())
    assert "third-party-linear" in names and BUILT_IN_GENERATORS <= names
    assert plugins.plugin_manager().is_blocked("broken") and not plugins.plugin_manager().is_blocked("third")


def test_disabling_autoload_keeps_the_built_ins(site, monkeypatch):
    monkeypatch.setenv(plugins.DISABLE_AUTOLOAD_ENV, "1")
    plugins.reset()
    names = set(list_generators())
    assert "third-party-linear" not in names and BUILT_IN_GENERATORS <= names
    assert {"latent-optimization", "ddim-inversion"} <= set(list_inverters())  # the built-ins stay
    assert plugins.plugin_manager().is_blocked("third")
    plugins.register_plugin(sys.modules[__name__], name="in-code")
    assert "in-code-gen" in list_generators()


def test_a_run_with_items_works_with_autoload_disabled(site, monkeypatch, fast_config):
    import torch

    from gigs_core import create_recommender, run_gigs

    monkeypatch.setenv(plugins.DISABLE_AUTOLOAD_ENV, "1")
    plugins.reset()  # the fixtures loaded the plugins before the switch was set
    plugins.register_plugin(FakesPlugin(), name="test-fakes")
    generator, recommender = create_generator("linear"), create_recommender("pixel")
    items = torch.rand(1, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    run = run_gigs(generator, recommender, items, config=fast_config.merged({"inversion": {"steps": 2},
                                                                           "shift": {"steps": 2}}))
    assert run.items[0].inversion_loss is not None


@hookimpl
def register_generators(register):  # used by test_disabling_autoload_keeps_the_built_ins
    from tests.fakes import LinearGenerator, LinearGeneratorOptions

    register("in-code-gen", LinearGeneratorOptions, lambda o: LinearGenerator(**o.model_dump()))


def test_misspelt_hook_fails_loudly():
    class Misspelt:
        @hookimpl
        def register_generator(self, register):  # missing 's'
            pass

    with pytest.raises(pluggy.PluginValidationError):
        plugins.register_plugin(Misspelt(), name="misspelt")
    plugins.plugin_manager().unregister(name="misspelt")


class LaxOptions(pydantic.BaseModel):  # no extra="forbid"
    pass


@pytest.mark.parametrize(
    "name,options,message",
    [
        ("Bad Name", BackendOptions, "names are lowercase"),
        ("lax", LaxOptions, "extra='forbid'"),
        ("linear", BackendOptions, "already registered by plugin 'test-fakes'"),
    ],
)
def test_invalid_registrations_warn_and_are_skipped(name, options, message):
    class Faulty:
        @hookimpl
        def register_generators(self, register):
            register(name, options, lambda o: None)

    plugins.register_plugin(Faulty(), name="faulty")
    try:
        with pytest.warns(plugins.GigsPluginWarning, match=f"'faulty'.*{message}"):
            names = list_generators()
        assert "linear" in names and name not in (set(names) - {"linear"})
    finally:
        plugins.unregister_plugin("faulty")


def test_unknown_name_lists_valid_ones():
    with pytest.raises(UnknownBackendError, match=r"unknown generator 'nope'; valid generators: .*linear.*toy"):
        create_generator("nope")


def test_bad_options_list_valid_options():
    with pytest.raises(InvalidOptionsError, match=r"latent_dimension: Extra inputs.*valid options: "
                       r"latent_dim \(a whole number, default 6\)") as error:
        create_generator("linear", latent_dimension=3)
    assert "int" not in str(error.value) and "None" not in str(error.value)  # words, not Python types
    with pytest.raises(InvalidOptionsError, match="channels"):
        create_generator("toy", channels=2)


def test_factory_breaking_the_protocol_is_a_plugin_error():
    class Liar:
        @hookimpl
        def register_generators(self, register):
            register("liar", BackendOptions, lambda o: object())

    plugins.register_plugin(Liar(), name="liar")
    try:
        with pytest.raises(PluginError, match="does not satisfy the Generator protocol"):
            create_generator("liar")
    finally:
        plugins.unregister_plugin("liar")


@pytest.mark.parametrize(
    "annotation,words",
    [
        (int, "a whole number"),
        (float, "a number"),
        (bool, "true or false"),
        (Path | None, "a file path, or none"),
        (Literal["ema", "plain"], "one of ema, plain"),
        (int | None, "a whole number, or none"),
    ],
)
def test_option_types_are_described_in_words(annotation, words):
    assert describe_type(annotation) == words
