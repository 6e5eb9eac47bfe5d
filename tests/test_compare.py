"""Comparing generators: each contender's run equals a run of its own, the table's numbers are
the runs' numbers, and `gigs compare` writes its folder or refuses mistakes in one line."""

import json

import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from gigs_core.cli.main import cli
from gigs_core.comparison import Contender, compare_generators
from gigs_core.factories import create_generator, create_recommender
from gigs_core.imaging import conform
from gigs_core.method.pipeline import run_gigs
from gigs_core.metrics.diversity import opposite_ssim
from gigs_core.metrics.image import psnr

FAST_TOML = '[shift]\npredictor_trunk = "tiny-cnn"\npredictor_trunk_options = {}\n'


def test_each_contender_runs_as_it_would_alone_and_the_rows_hold_its_numbers(fast_config):
    photos = torch.rand(2, 1, 16, 16, generator=torch.Generator().manual_seed(0))
    recommender, judge = create_recommender("pixel"), create_recommender("pixel", seed=5)
    contenders = [Contender("linear", create_generator("linear")), Contender("layered", create_generator("layered"))]
    comparison = compare_generators(contenders, recommender, photos, users="0,1", config=fast_config, seeds=3,
                                    judges={"judge": judge}, distance="none")
    assert [row.label for row in comparison.rows] == ["linear", "layered"]
    for row, contender in zip(comparison.rows, contenders):
        alone = run_gigs(contender.generator, recommender, photos, users="0,1", config=fast_config, seeds=3,
                         judges={"judge": judge})
        run = comparison.runs[row.label]
        for ours, theirs in zip(run.items, alone.items):
            torch.testing.assert_close(ours.variants, theirs.variants)
        reconstructions = conform(torch.stack([item.reconstruction for item in alone.items]), 16, 1)
        assert row.reconstruction_psnr == pytest.approx(float(psnr(photos, reconstructions).mean()), abs=1e-4)
        assert row.preference_gain == pytest.approx(sum(i.mean_gain for i in alone.items) / 2, abs=1e-6)
        assert row.judged_gains["judge"] == pytest.approx(sum(i.judged["judge"].mean_gain for i in alone.items) / 2,
                                                          abs=1e-6)
        variants = torch.stack([conform(item.variants, 16, 1) for item in alone.items])
        assert row.diversity == pytest.approx(opposite_ssim(variants).mean)
        assert row.distance_to_item is None and row.seconds > 0
    table = comparison.table().splitlines()
    assert table[0].startswith("| generator | method | recon PSNR (dB) | gain (optimised) | gain (judge) |")
    assert [line.split("|")[1].strip() for line in table[2:]] == ["linear", "layered"]
    assert [line.split("|")[2].strip() for line in table[2:]] == ["gigs", "gigs"]


def test_a_class_level_comparison_runs_each_method_as_it_would_alone(fast_config):
    recommender, generator = create_recommender("pixel"), create_generator("linear")
    contenders = [Contender("default", generator), Contender("baseline", generator, method="dvbpr-pm")]
    comparison = compare_generators(contenders, recommender, None, users="0,1", config=fast_config, seeds=2,
                                    class_level_count=2)
    assert [row.method for row in comparison.rows] == ["gigs", "dvbpr-pm"]
    for row in comparison.rows:
        method_config = fast_config.model_copy(update={"method": row.method})
        alone = run_gigs(generator, recommender, None, users="0,1", seeds=2, config=method_config, class_level_count=2)
        run = comparison.runs[row.label]
        assert len(run.items) == 2 and run.items[0].item is None
        for ours, theirs in zip(run.items, alone.items):
            torch.testing.assert_close(ours.variants, theirs.variants)
        assert row.preference_gain == pytest.approx(sum(i.mean_gain for i in alone.items) / 2, abs=1e-6)
        variants = torch.stack([conform(item.variants, 32, 1) for item in alone.items])
        assert row.diversity == pytest.approx(opposite_ssim(variants).mean)
        assert row.reconstruction_psnr is None and row.distance_to_item is None
    assert comparison.table().splitlines()[3].split("|")[3].strip() == "-"
    assert comparison.contact_sheet().size[1] > 0
    with pytest.raises(ValueError, match="unknown method"):
        compare_generators([Contender("x", generator, method="nope")], recommender, None, distance="none")


@pytest.fixture
def photo(tmp_path):
    Image.new("L", (16, 16), 90).save(tmp_path / "item.png")
    (tmp_path / "fast.toml").write_text(FAST_TOML)
    return tmp_path / "item.png"


def _compare(tmp_path, photo, *args):
    return CliRunner().invoke(cli, ["compare", "--recommender", "pixel", "--item", str(photo), "--steps", "3",
                                    "--n", "2", "--perceptual", "none", "--config", str(tmp_path / "fast.toml"),
                                    "-q", *args])


def test_gigs_compare_writes_the_table_the_sheet_and_every_run(tmp_path, photo):
    out = tmp_path / "cmp"
    result = _compare(tmp_path, photo, "--generators", "linear,layered", "-G", "linear:latent_dim=4",
                      "--judge", "pixel", "-J", "seed=2", "--distance", "none", "--out", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads((out / "comparison.json").read_text())
    assert [row["label"] for row in report["rows"]] == ["linear", "layered"]
    assert set(report["rows"][0]["judged_gains"]) == {"pixel"}
    assert (out / "comparison.md").read_text().splitlines()[0] in result.output
    for name in ("linear", "layered"):
        run = json.loads((out / "runs" / name / "report.json").read_text())
        assert run["items"][0]["name"] == "item"
    assert json.loads((out / "runs" / "linear" / "report.json").read_text())["backends"]["generator"]["class"] \
        .endswith("LinearGenerator")
    assert Image.open(out / "contact_sheet.png").size[0] > 0
    assert (out / ".gigs-compare").is_file()


def test_gigs_compare_runs_every_generator_with_every_method_class_level(tmp_path, photo):
    out = tmp_path / "cmp"
    result = CliRunner().invoke(cli, ["compare", "--recommender", "pixel", "--steps", "3", "--n", "2",
                                      "--config", str(tmp_path / "fast.toml"), "-q", "--generators", "linear,layered",
                                      "--methods", "gigs,dvbpr-random", "--count", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = json.loads((out / "comparison.json").read_text())["rows"]
    assert [(row["label"], row["method"]) for row in rows] == [
        ("linear-gigs", "gigs"), ("linear-dvbpr-random", "dvbpr-random"),
        ("layered-gigs", "gigs"), ("layered-dvbpr-random", "dvbpr-random")]
    for row in rows:
        run = json.loads((out / "runs" / row["label"] / "report.json").read_text())
        assert run["config"]["method"] == row["method"] and len(run["items"]) == 2
        assert row["reconstruction_psnr_db"] is None


@pytest.mark.parametrize("args, message", [
    ([], "give --generators NAME,NAME"),
    (["--generators", "linear,linear"], "lists a generator twice"),
    (["--generators", "linear", "-G", "ddim:steps=3"], "--generator-option takes GENERATOR:VALUE with GENERATOR one of linear"),
    (["--generators", "linear", "--inverter", "linear"], "--inverter takes GENERATOR:VALUE"),
    (["--generators", "linear", "--distance", "nope"], "--distance: perceptual must be one of"),
    (["--generators", "linear", "--methods", "gigs,nope"], "--methods: nope is not a method; use gigs, dvbpr-pm"),
    (["--generators", "linear", "--methods", "gigs,gigs"], "--methods lists a method twice"),
    (["--generators", "linear", "--methods", "gigs,dvbpr-pm"], "the paper's baselines generate from the generator's "
                                                               "prior and take no item: drop --item"),
    (["--generators", "linear", "--count", "3"], "--count is for class-level comparisons"),
])
def test_gigs_compare_mistakes_are_one_line_and_write_nothing(tmp_path, photo, args, message):
    out = tmp_path / "cmp"
    result = _compare(tmp_path, photo, *args, "--out", str(out))
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_gigs_compare_never_replaces_a_folder_it_did_not_write(tmp_path, photo):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    result = _compare(tmp_path, photo, "--generators", "linear", "--out", str(mine), "--overwrite")
    assert result.exit_code == 2 and (mine / "notes.txt").read_text() == "keep"
