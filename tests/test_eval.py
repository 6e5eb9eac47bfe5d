"""`gigs eval`: the paper's Tables 2–5 on tiny fake backends. Every table's numbers are the stored
cells' numbers, a cell is the GIGS run it claims to be, a re-run resumes, and mistakes are one line."""

import json
import math

import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from gigs_core.cli.main import cli
from gigs_core.evaluation import cells as cells_module
from gigs_core.evaluation.protocols import EvalPlan, group_sizes
from gigs_core.evaluation.writers import frequency_polygon
from gigs_core.factories import create_generator, create_recommender
from gigs_core.imaging import read_photo
from gigs_core.method.pipeline import run_gigs

FAST_TOML = ('[shift]\npredictor_trunk = "tiny-cnn"\npredictor_trunk_options = {}\n'
             '[inversion]\nlr = 0.05\n')
CATEGORIES = ("shirt", "shoe", "bag")


@pytest.fixture
def catalogue(tmp_path):
    """A csv-folder catalogue of 12 grey items in three categories, and the fast settings."""
    folder = tmp_path / "catalogue"
    folder.mkdir()
    rows, interactions = ["item_id,image,category"], ["user_id,item_id"]
    for index in range(12):
        Image.new("L", (16, 16), 20 * index).save(folder / f"i{index}.png")
        rows.append(f"i{index},i{index}.png,{CATEGORIES[index % 3]}")
        interactions += [f"u{user},i{index}" for user in range(2)]
    (folder / "items.csv").write_text("\n".join(rows) + "\n")
    (folder / "interactions.csv").write_text("\n".join(interactions) + "\n")
    (tmp_path / "fast.toml").write_text(FAST_TOML)
    return folder


def _eval(tmp_path, catalogue, *args):
    return CliRunner().invoke(cli, ["eval", "--generator", "linear", "--recommender", "pixel", "--catalogue",
                                    str(catalogue), "--quick", "--perceptual", "none", "--distance", "none",
                                    "--config", str(tmp_path / "fast.toml"), "-q", *args])


@pytest.fixture
def evaluated(tmp_path, catalogue):
    out = tmp_path / "eval"
    result = _eval(tmp_path, catalogue, "--judge", "pixel", "-J", "seed=2", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out, result


def _cells(out):
    return {path.stem: json.loads(path.read_text()) for path in (out / "cells").glob("*.json")}


def test_quick_eval_writes_all_four_tables_from_the_stored_cells(evaluated):
    out, result = evaluated
    cells = _cells(out)
    plan = EvalPlan.quick()
    expected_rows = {2: ["gigs", "dvbpr-pm", "dvbpr-random"], 3: ["preferred items", "un-preferred items"],
                     5: ["1", "5"]}  # pixel has 5 users: sizes 5 and 10 collapse into all 5
    for number in (2, 3, 4, 5):
        table = json.loads((out / f"table{number}.json").read_text())
        labels = [row["label"] for row in table["rows"]]
        if number in expected_rows:
            assert labels == expected_rows[number]
        else:
            assert len(labels) == plan.categories and set(labels) <= set(CATEGORIES)
        assert "gain (pixel)" in table["columns"]
        for row in table["rows"]:
            members = [cell for cell in cells.values() if cell["table"] == number and cell["row"] == row["label"]]
            assert members
            for column, summary in row["cells"].items():
                values = torch.tensor([v for cell in members for v in cell["values"][column]], dtype=torch.float64)
                assert summary["count"] == values.numel()
                assert summary["mean"] == pytest.approx(float(values.mean()), abs=1e-9)
                assert summary["std"] == pytest.approx(float(values.std(correction=0)), abs=1e-9)
        assert f"Table {number}" in (out / f"table{number}.md").read_text()
        assert (out / f"table{number}.md").read_text().splitlines()[0] in result.output
    t2 = [cell for cell in cells.values() if cell["table"] == 2]
    assert len(t2) == plan.groups * 3 and all(len(cell["users"]) == 1 for cell in t2)
    assert all(len(cell["values"]["opposite SSIM"]) == plan.latents for cell in t2)
    # each table's note counts its runs, naming the baselines' apart from GIGS'
    assert f"{len(t2)} runs ({plan.groups} of GIGS, {2 * plan.groups} of baselines);" in \
        (out / "table2.md").read_text()
    t3 = sum(cell["table"] == 3 for cell in cells.values())
    assert f"{t3} GIGS runs;" in (out / "table3.md").read_text()
    assert sorted(len(cell["users"]) for cell in cells.values() if cell["table"] == 5) == [1, 5]
    html = (out / "summary.html").read_text()
    for name in ("table2.md", "table5.json", "plots/table5_preference_shift.png",
                 "plots/table3_score_distributions.png"):
        assert name in html and (out / name).is_file()
    assert (out / ".gigs-eval").is_file()


def test_item_level_cells_are_the_preferred_and_unpreferred_items_and_rerun_identically(evaluated, catalogue,
                                                                                      tmp_path):
    out, _ = evaluated
    cells = _cells(out)
    recommender = create_recommender("pixel")
    photos = torch.cat([read_photo(catalogue / f"i{index}.png", 16)[0] for index in range(12)])
    for kind, pick in (("preferred", torch.argmax), ("unpreferred", torch.argmin)):
        cell = cells[f"t3-{kind}-0"]
        scores = recommender.group_score(photos, torch.tensor(cell["users"]))
        assert cell["item"] == int(pick(scores))
    cell = cells["t3-preferred-0"]
    from gigs_core.cli.eval_command import eval_config
    from gigs_core.evaluation.protocols import Cell

    config = eval_config({"_sections": json_sections(tmp_path), "steps": None, "inversion_lr": None,
                      "inversion_starts": None, "perceptual": "none", "n": None, "eps": None, "shift_steps": None,
                      "inversion_steps": None, "preference_weight": None, "quick": True, "preset": "paper"}, None)
    seed = Cell(3, cell["row"], cell["key"], tuple(cell["users"]), cell["item"]).seed(0)
    run = run_gigs(create_generator("linear"), recommender, photos[cell["item"]:cell["item"] + 1],
                   users=cell["users"], config=config, seeds=seed)
    assert cell["values"]["preference score"] == pytest.approx(run.items[0].variant_preferences, abs=1e-5)


def json_sections(tmp_path):
    import tomllib

    return tomllib.loads((tmp_path / "fast.toml").read_text())


def test_a_rerun_skips_done_cells_and_runs_only_missing_ones(evaluated, tmp_path, catalogue, monkeypatch):
    out, _ = evaluated
    calls = []
    original = cells_module.run_gigs
    monkeypatch.setattr(cells_module, "run_gigs", lambda *a, **k: calls.append(1) or original(*a, **k))
    before = (out / "table3.json").read_text()
    result = _eval(tmp_path, catalogue, "--judge", "pixel", "-J", "seed=2", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert calls == [] and "0 cells run" in result.output
    assert (out / "table3.json").read_text() == before
    (out / "cells" / "t3-preferred-1.json").unlink()
    result = _eval(tmp_path, catalogue, "--judge", "pixel", "-J", "seed=2", "--out", str(out))
    assert result.exit_code == 0 and len(calls) == 1 and "1 cells run" in result.output, result.output
    assert json.loads((out / "table3.json").read_text()) == json.loads(before)


def test_other_settings_into_the_same_folder_are_refused(evaluated, tmp_path, catalogue):
    out, _ = evaluated
    result = _eval(tmp_path, catalogue, "--judge", "pixel", "-J", "seed=2", "--seed", "1", "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "other settings (differing: seed)" in result.output and len(result.output.strip().splitlines()) == 1


def test_more_tables_into_a_folder_add_their_cells(tmp_path, catalogue):
    out = tmp_path / "eval"
    assert _eval(tmp_path, catalogue, "--tables", "5", "--out", str(out)).exit_code == 0
    assert not (out / "table2.json").exists() and (out / "table5.json").is_file()
    result = _eval(tmp_path, catalogue, "--tables", "2,5", "--out", str(out))
    assert result.exit_code == 0 and "6 cells run, 2 already done" in result.output, result.output


@pytest.mark.parametrize("args, message", [
    (["--tables", "2,6"], "--tables takes numbers from 2, 3, 4, 5"),
    (["--distance", "no-such"], "--distance:"),
    (["--catalogue", "/no/such/folder"], "neither a known format nor an existing path"),
])
def test_bad_inputs_are_one_line(tmp_path, catalogue, args, message):
    result = _eval(tmp_path, catalogue, *args, "--out", str(tmp_path / "eval"))
    assert result.exit_code == 2 and message in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "eval").exists()


def test_backend_mistakes_and_foreign_folders_are_one_line(tmp_path, catalogue):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    result = _eval(tmp_path, catalogue, "--out", str(foreign))
    assert result.exit_code == 2 and "was not written by gigs eval" in result.output
    assert (foreign / "notes.txt").read_text() == "mine"
    result = CliRunner().invoke(cli, ["eval", "--recommender", "pixel", "--catalogue", str(catalogue)])
    assert result.exit_code == 2 and "--recommender needs --generator" in result.output
    result = CliRunner().invoke(cli, ["eval", "--generator", "linear", "--recommender", "pixel"])
    assert result.exit_code == 2 and "give --catalogue SPEC" in result.output


@pytest.mark.parametrize("users, expected", [(5, [1, 5]), (10, [1, 5, 10]), (10000, [1, 5, 10, 50, 100, 500, 1000,
                                                                                        10000]),
                                            (20000, [1, 5, 10, 50, 100, 500, 1000, 10000])])
def test_group_sizes_are_the_papers_up_to_all_users(users, expected):
    assert group_sizes(EvalPlan(), users) == expected


def test_frequency_polygon_shares_sum_to_one_and_count_each_value_once():
    points = frequency_polygon([0.0, 0.1, 0.5, 1.0], 0.0, 1.0, bins=4)
    assert [share for _, share in points] == [0.5, 0.0, 0.25, 0.25]
    assert math.isclose(points[0][0], 0.125)


def test_is_and_fid_columns_are_computed_over_each_rows_stored_variants(tmp_path, catalogue, fast_config):
    from torch import nn

    from gigs_core.evaluation.backends import EvalBackends
    from gigs_core.evaluation.loading import catalogue_sample
    from gigs_core.evaluation.runner import run_evaluation
    from gigs_core.evaluation.store import EvalStore
    from gigs_core.metrics.feature_network import FeatureNetwork
    from gigs_core.metrics.fid import frechet_inception_distance
    from gigs_core.metrics.inception_score import inception_score

    torch.manual_seed(0)
    network = FeatureNetwork(nn.Sequential(nn.Flatten(), nn.Linear(64, 3)), name="tiny", outputs="logits",
                             qualifier="tiny")
    plan = EvalPlan(item_trials=6)
    backends = EvalBackends(generator=create_generator("linear"), recommender=create_recommender("pixel"),
                            config=fast_config.merged({"shift": {"steps": 3}, "inversion": {"steps": 3}}),
                            catalogue=catalogue_sample(str(catalogue), 12, size=8, channels=1, seed=0), groups={},
                            is_network=network, fid_network=network)
    store = EvalStore.open(tmp_path / "eval", {"test": 1})
    (table,) = run_evaluation([3], plan, backends, store, seed=0).tables
    report = table.report()
    assert report["columns"][-2:] == ["tiny IS", "tiny FID"]
    for row in report["rows"]:
        kind = "preferred" if row["label"] == "preferred items" else "unpreferred"
        variants = torch.cat([store.variants(f"t3-{kind}-{trial}") for trial in range(6)]).flatten(0, 1)
        assert variants.shape[0] == 24
        expected = inception_score(variants, network, splits=2)
        assert row["cells"]["tiny IS"]["mean"] == pytest.approx(expected.mean)
        assert row["cells"]["tiny IS"]["std"] == pytest.approx(expected.std)
        fid = frechet_inception_distance(backends.catalogue.images, variants, network)
        assert row["cells"]["tiny FID"] == {"mean": pytest.approx(fid), "std": None, "count": 24}
