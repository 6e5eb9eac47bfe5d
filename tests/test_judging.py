"""Judges: a second recommender scores the run's images after the run, for the same users."""

import json

import pytest
import torch

from gigs_core.errors import UserInputError
from gigs_core.factories import create_generator, create_recommender
from gigs_core.method.pipeline import run_gigs


def _run(fast_config, judges, users="0,2"):
    generator, recommender = create_generator("linear"), create_recommender("pixel")
    items = torch.rand(2, 1, 12, 12, generator=torch.Generator().manual_seed(0))
    return run_gigs(generator, recommender, items, users=users, config=fast_config, seeds=[1, 2], judges=judges), items


def test_the_optimised_recommender_as_its_own_judge_agrees_exactly(fast_config):
    run, _ = _run(fast_config, {"same": create_recommender("pixel")})
    for item in run.items:
        judged = item.judged["same"]
        assert judged.variants == pytest.approx(item.variant_preferences, abs=1e-6)
        assert judged.item == pytest.approx(item.item_preference, abs=1e-6)
        assert judged.mean_gain == pytest.approx(item.mean_gain, abs=1e-6)


def test_a_judge_scores_the_item_and_variants_for_the_same_users(fast_config, tmp_path):
    judge = create_recommender("pixel", seed=7)
    run, items = _run(fast_config, {"other": judge})
    users = torch.tensor([0, 2])
    for index, item in enumerate(run.items):
        judged = item.judged["other"]
        with torch.no_grad():
            expected_variants = judge.group_score(item.variants, users).tolist()
            expected_item = float(judge.group_score(items[index:index + 1], users))
        assert judged.variants == pytest.approx(expected_variants, abs=1e-5)
        assert judged.item == pytest.approx(expected_item, abs=1e-5)
        assert judged.mean_gain == pytest.approx(sum(expected_variants) / len(expected_variants) - expected_item,
                                                 abs=1e-5)
        assert judged.variants != pytest.approx(item.variant_preferences, abs=1e-3)
    report = json.loads((run.save(tmp_path / "out") / "report.json").read_text())
    assert report["items"][0]["judged"]["other"]["mean_gain"] == pytest.approx(run.items[0].judged["other"].mean_gain)
    assert report["backends"]["judge:other"]["class"].endswith("PixelRecommender")


def test_a_judge_that_does_not_know_the_users_is_refused_before_any_work(fast_config, monkeypatch):
    import gigs_core.method.pipeline as pipeline

    monkeypatch.setattr(pipeline, "optimize_shifts", lambda *a, **k: pytest.fail("computed before checking"))
    with pytest.raises(UserInputError, match="judge 'small' knows 2 users but the group has user id 4"):
        _run(fast_config, {"small": create_recommender("pixel", num_users=2)}, users="0,4")


def test_gigs_run_with_a_judge_prints_and_saves_its_gain(tmp_path):
    from click.testing import CliRunner
    from PIL import Image

    from gigs_core.cli.main import cli

    Image.new("L", (12, 12), 90).save(tmp_path / "item.png")
    (tmp_path / "fast.toml").write_text('[shift]\npredictor_trunk = "tiny-cnn"\npredictor_trunk_options = {}\n')
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", "-g", "linear", "-r", "pixel", "--judge", "pixel", "-J", "seed=7",
                                      "--item", str(tmp_path / "item.png"), "--steps", "5", "--n", "3",
                                      "--perceptual", "none", "--config", str(tmp_path / "fast.toml"),
                                      "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    judged = report["items"][0]["judged"]["pixel"]["mean_gain"]
    assert f"judged by pixel: mean gain {judged:+.4f}" in result.output
    assert report["backends"]["judge:pixel"]["options"] == {"seed": 7}


def test_judge_options_without_a_judge_are_one_line(tmp_path):
    from click.testing import CliRunner

    from gigs_core.cli.main import cli

    result = CliRunner().invoke(cli, ["run", "-g", "linear", "-r", "pixel", "-J", "seed=7", "--out",
                                      str(tmp_path / "run")])
    assert result.exit_code == 2
    assert "--judge-option needs --judge NAME" in result.output
    assert not (tmp_path / "run").exists()


def test_the_report_page_says_when_a_judge_disagrees():
    from gigs_core.report.html import judge_sentence

    agree = judge_sentence("vbpr", 0.2, 0.5)
    assert "sees a mean change of +0.2000" in agree and "disagrees" not in agree
    assert "It disagrees on the direction" in judge_sentence("vbpr", -0.1, 0.5)


def test_gains_in_catalogue_standard_deviations(fast_config, tmp_path):
    catalogue = torch.rand(30, 1, 12, 12, generator=torch.Generator().manual_seed(4))
    generator, recommender = create_generator("linear"), create_recommender("pixel")
    judge = create_recommender("pixel", seed=7)
    items = torch.rand(2, 1, 12, 12, generator=torch.Generator().manual_seed(0))
    run = run_gigs(generator, recommender, items, users="0,2", config=fast_config, seeds=[1, 2],
                   judges={"other": judge}, catalogue=catalogue)
    users = torch.tensor([0, 2])
    with torch.no_grad():
        expected = {"optimised": float(recommender.group_score(catalogue, users).double().std()),
                    "other": float(judge.group_score(catalogue, users).double().std())}
    assert run.gain_units == pytest.approx(expected)
    gains = run.gains_in_std()["items"][run.items[0].name]
    optimised = run.items[0].mean_gain / expected["optimised"]
    judged = run.items[0].judged["other"].mean_gain / expected["other"]
    assert gains["optimised"]["gain_in_std"] == pytest.approx(optimised)
    assert gains["other"]["gain_in_std"] == pytest.approx(judged)
    assert gains["other"]["ratio_to_optimised"] == pytest.approx(judged / optimised)
    report = json.loads((run.save(tmp_path / "out") / "report.json").read_text())
    assert report["gains_in_catalogue_std"]["catalogue_std"] == pytest.approx(expected)
    assert "standard deviations over the catalogue" in (tmp_path / "out" / "report.html").read_text()


def test_a_judge_may_not_take_the_optimised_recommenders_name(fast_config):
    with pytest.raises(UserInputError, match="may not be called 'optimised'"):
        _run(fast_config, {"optimised": create_recommender("pixel")})


def test_gigs_run_with_a_catalogue_prints_gains_in_standard_deviations(tmp_path):
    from click.testing import CliRunner
    from PIL import Image

    from gigs_core.cli.main import cli

    shop = tmp_path / "shop"
    shop.mkdir()
    rows = ["item_id,image"]
    for index in range(6):
        Image.new("L", (12, 12), 30 * index).save(shop / f"{index}.png")
        rows.append(f"{index},{index}.png")
    (shop / "items.csv").write_text("\n".join(rows) + "\n")
    (shop / "interactions.csv").write_text("user_id,item_id\n0,0\n1,1\n")
    Image.new("L", (12, 12), 90).save(tmp_path / "item.png")
    (tmp_path / "fast.toml").write_text('[shift]\npredictor_trunk = "tiny-cnn"\npredictor_trunk_options = {}\n')
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", "-g", "linear", "-r", "pixel", "--judge", "pixel", "-J", "seed=7",
                                      "--catalogue", f"csv:{shop}", "--item", str(tmp_path / "item.png"),
                                      "--steps", "5", "--n", "3", "--perceptual", "none",
                                      "--config", str(tmp_path / "fast.toml"), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    units = report["gains_in_catalogue_std"]["catalogue_std"]
    assert set(units) == {"optimised", "pixel"}
    assert f"(σ = {units['optimised']:.4f})" in result.output and "judged / optimised" in result.output
    missing = CliRunner().invoke(cli, ["run", "-g", "linear", "-r", "pixel", "--catalogue", f"csv:{tmp_path / 'no'}",
                                       "--item", str(tmp_path / "item.png"), "--out", str(tmp_path / "x")])
    assert missing.exit_code == 2 and not (tmp_path / "x").exists()
