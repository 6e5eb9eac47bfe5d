"""The paper's baselines: DVBPR's preference maximisation (each sample's latent optimised alone
for the group's preference, minus η·realism) and its plain samples."""

import pytest
import torch

from gigs_core.errors import UserInputError
from gigs_core.factories import create_generator, create_recommender
from gigs_core.method.pipeline import run_gigs


def _run(fast_config, method, generator=None, **baseline):
    generator = generator or create_generator("linear")
    config = fast_config.merged({"method": method, "baseline": baseline})
    return run_gigs(generator, create_recommender("pixel"), None, users="0,1", config=config, seeds=[3, 4],
                    class_level_count=2)


def test_random_samples_are_the_prior_samples_and_preference_maximisation_raises_the_preference(fast_config):
    samples = _run(fast_config, "dvbpr-random")
    optimised = _run(fast_config, "dvbpr-pm", steps=15, lr=0.05)
    for plain, better in zip(samples.items, optimised.items):
        assert len(plain.variant_preferences) == fast_config.shift.n and plain.preference_history == []
        assert len(better.preference_history) == 15
        assert sum(better.variant_preferences) > sum(plain.variant_preferences)
    torch.testing.assert_close(samples.items[0].base_latent, optimised.items[0].base_latent)


def test_each_sample_is_optimised_alone(fast_config):
    """A sample's result does not depend on the others: n = 2 gives the first two of n = 4."""
    four = _run(fast_config.merged({"shift": {"n": 4}}), "dvbpr-pm", steps=5)
    two = _run(fast_config.merged({"shift": {"n": 2}}), "dvbpr-pm", steps=5)
    torch.testing.assert_close(two.items[0].variants, four.items[0].variants[:2], atol=1e-5, rtol=1e-4)


def test_the_realism_term_is_the_generators_own(fast_config):
    generator = create_generator("linear")
    generator.realism_loss = lambda images: 1e3 * (images - 0.5).pow(2).flatten(1).mean(1)
    free = _run(fast_config, "dvbpr-pm", steps=20, eta=0.0)
    held = _run(fast_config, "dvbpr-pm", generator=generator, steps=20, eta=1.0)
    spread = [float((item.variants - 0.5).pow(2).mean()) for item in held.items]
    assert all(s < float((f.variants - 0.5).pow(2).mean()) for s, f in zip(spread, free.items))
    assert held.notes == [] and "without its realism term" in _run(fast_config, "dvbpr-pm", steps=1).notes[0]


def test_the_baselines_take_no_item(fast_config):
    config = fast_config.merged({"method": "dvbpr-pm"})
    with pytest.raises(UserInputError, match="takes no item: run it in class-level mode"):
        run_gigs(create_generator("linear"), create_recommender("pixel"), torch.rand(1, 1, 8, 8), config=config)


def test_the_demo_refuses_a_baseline_before_loading_anything(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from gigs_core.cli.main import cli

    monkeypatch.setenv("GIGS_DEMO_BUNDLE", str(tmp_path / "no-bundle-needed"))
    result = CliRunner().invoke(cli, ["run", "--method", "dvbpr-pm", "--out", str(tmp_path / "run")])
    assert result.exit_code == 2 and "the dvbpr-pm baseline takes none" in result.output
    assert not (tmp_path / "run").exists()
