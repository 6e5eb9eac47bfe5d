"""`gigs run` with no backends runs the demo on the bundle and reports what it promises."""

import json
from html.parser import HTMLParser

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from gigs_core.cli.main import cli
from gigs_core.report.html import COLUMN_LABELS
from gigs_demo.evaluation import COLUMNS

TABLE_HEADER = ["image", "group pref", "true utility", "rank (pref)", "rank (true)", "distance"]


class Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells, self._in = [], None

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th"):
            self._in = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._in is not None:
            self.cells.append("".join(self._in).strip())
            self._in = None

    def handle_data(self, data):
        if self._in is not None:
            self._in.append(data)


def run_cli(args, **kwargs):
    return CliRunner().invoke(cli, args, catch_exceptions=False, **kwargs)


def test_run_without_arguments_uses_the_bundle(quick_bundle, tmp_path, no_lpips, monkeypatch):
    monkeypatch.setenv("GIGS_DEMO_BUNDLE", str(quick_bundle))
    monkeypatch.chdir(tmp_path)
    result = run_cli(["run", "-q"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "gigs-run"
    report = json.loads((out / "report.json").read_text())
    # the printed table
    assert all(word in result.output for word in TABLE_HEADER)
    n = report["config"]["shift"]["n"]
    assert sum(line.startswith("variant ") for line in result.output.splitlines()) == n
    # the no-LPIPS fallback is announced and recorded
    assert "domain-classifier features" in result.output and "absent" in result.output
    assert report["perceptual_distance"].startswith("domain:")
    assert report["config"]["inversion"]["perceptual"] == report["perceptual_distance"]
    assert any("domain-classifier features" in note for note in report["notes"])
    # evaluation extras
    evaluation = report["evaluation"]
    size = evaluation["catalogue"]["size"]
    (rows,) = evaluation["items"].values()
    assert [row["image"] for row in rows] == ["item", "reconstruction"] + [f"variant {k}" for k in range(n)]
    for row in rows:
        assert set(COLUMNS) <= set(row)
        assert 1 <= row["rank_by_preference"] <= size + 1 and 1 <= row["rank_by_ground_truth"] <= size + 1
    assert rows[0]["distance_to_item"] == 0.0 and all(row["distance_to_item"] > 0 for row in rows[1:])
    item = report["items"][0]
    assert [row["group_preference"] for row in rows[2:]] == pytest.approx(item["variant_preferences"], abs=1e-4)
    assert rows[0]["group_preference"] == pytest.approx(item["item_preference"], abs=1e-4)
    # report.html carries the same table and the fallback
    html = (out / "report.html").read_text()
    parser = Cells()
    parser.feed(html)
    assert all(COLUMN_LABELS[c] in parser.cells for c in COLUMNS)
    assert f"{rows[2]['rank_by_preference']:,}" in parser.cells
    assert "domain:" in html and "domain-classifier features" in html


def test_segment_and_item_choice(quick_bundle, tmp_path, no_lpips):
    out = tmp_path / "run"
    result = run_cli(["run", "--bundle", str(quick_bundle), "--demo-item", "3", "--segment", "everyone",
                      "--steps", "2", "--n", "2", "-q", "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["evaluation"]["segment"] == "everyone"
    assert report["backends"]["demo"]["items"][0]["demo_item"] == 3
    assert len(report["users"]) == json.loads((quick_bundle / "manifest.json").read_text())["group_sizes"]["everyone"]


def test_the_demo_judges_its_gains_in_catalogue_units(quick_bundle, tmp_path, no_lpips):
    from gigs_demo.bundle import GROUND_TRUTH, JUDGE, DemoBundle

    out = tmp_path / "run"
    result = run_cli(["run", "--bundle", str(quick_bundle), "--segment", "compact", "--steps", "2", "--n", "2", "-q",
                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    gains = report["gains_in_catalogue_std"]
    assert gains["catalogue_std"] == pytest.approx(DemoBundle(quick_bundle).scores.spread("compact"))
    (item,) = report["items"]
    (entry,) = gains["items"].values()
    optimised = entry["optimised"]["gain_in_std"]
    assert optimised == pytest.approx(item["mean_gain"] / gains["catalogue_std"]["optimised"])
    # the ground truth judged in the report is the demo table's true-utility column
    (rows,) = report["evaluation"]["items"].values()
    truth_gain = np.mean([row["ground_truth_utility"] for row in rows[2:]]) - rows[0]["ground_truth_utility"]
    assert entry[GROUND_TRUTH]["gain"] == pytest.approx(truth_gain, abs=1e-4)
    for name in (JUDGE, GROUND_TRUTH):
        assert entry[name]["ratio_to_optimised"] == pytest.approx(entry[name]["gain_in_std"] / optimised)
        assert f"judged by {name}: mean gain" in result.output


def _photos(folder):
    rng = np.random.default_rng(0)
    rgba = np.zeros((50, 30, 4), dtype=np.uint8)
    rgba[..., :3] = 255
    rgba[10:40, 8:22] = (40, 40, 40, 255)  # a dark garment on a transparent (→ white) background
    Image.fromarray(rgba, "RGBA").save(folder / "rgba.png")
    Image.fromarray(rng.integers(0, 255, (40, 64, 3), dtype=np.uint8)).convert("P").save(folder / "palette.png")
    grey16 = (rng.random((33, 33)) * 65535).astype(np.uint16)
    Image.fromarray(grey16).save(folder / "deep.png")
    Image.fromarray(rng.integers(0, 255, (20, 20, 3), dtype=np.uint8)).convert("CMYK").save(folder / "cmyk.jpg")
    return [folder / name for name in ("rgba.png", "palette.png", "deep.png", "cmyk.jpg")]


def test_any_photo_mode_and_size_works(quick_bundle, tmp_path, no_lpips):
    photos = _photos(tmp_path)
    assert {Image.open(p).mode for p in photos} == {"RGBA", "P", "I;16", "CMYK"}
    out = tmp_path / "run"
    args = ["run", "--bundle", str(quick_bundle), "--steps", "2", "--n", "2", "-q", "-o", str(out)]
    for photo in photos:
        args += ["--item", str(photo)]
    result = run_cli(args)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert [item["name"] for item in report["items"]] == ["rgba", "palette", "deep", "cmyk"]
    assert set(report["evaluation"]["items"]) == {"rgba", "palette", "deep", "cmyk"}
    assert any("rgba.png" in note and "inverted" in note for note in report["notes"])
    assert any("50" in note and "padded to a square" in note for note in report["notes"])
    for name in ("rgba", "palette", "deep", "cmyk"):
        assert Image.open(out / name / "item.png").size == (8, 8)  # the quick bundle's generator resolution


def test_not_an_image_is_a_one_line_error(quick_bundle, tmp_path):
    bogus = tmp_path / "notes.jpg"
    bogus.write_text("not a picture")
    result = CliRunner().invoke(cli, ["run", "--bundle", str(quick_bundle), "--item", str(bogus), "-o",
                                      str(tmp_path / "out")])
    lines = result.output.strip().splitlines()
    assert result.exit_code != 0 and len(lines) == 1 and lines[0].startswith("Error: ") and "not a readable image" in lines[0]
    assert not (tmp_path / "out").exists()


def test_no_bundle_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GIGS_DEMO_BUNDLE", str(tmp_path / "nowhere"))
    result = CliRunner().invoke(cli, ["run", "-o", str(tmp_path / "out")])
    lines = result.output.strip().splitlines()
    assert result.exit_code != 0 and len(lines) == 1 and "no demo bundle" in lines[0] and "gigs demo build" in lines[0]


def test_demo_flags_need_the_demo(tmp_path):
    result = CliRunner().invoke(cli, ["run", "-g", "linear", "-r", "pixel", "--segment", "x", "-o", str(tmp_path / "o")])
    assert result.exit_code == 2 and "--segment applies to the demo only" in result.output


def test_the_demo_takes_the_settings_of_a_config_file(quick_bundle, tmp_path, no_lpips, monkeypatch):
    monkeypatch.setenv("GIGS_DEMO_BUNDLE", str(quick_bundle))
    config = tmp_path / "run.yaml"
    config.write_text("shift:\n  n: 3\n  eps: 0.05\ninversion:\n  steps: 2\n")
    result = run_cli(["run", "-q", "--config", str(config), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    settings = json.loads((tmp_path / "out" / "report.json").read_text())["config"]
    assert (settings["shift"]["n"], settings["shift"]["eps"], settings["inversion"]["steps"]) == (3, 0.05, 2)
    assert sum(line.startswith("variant ") for line in result.output.splitlines()) == 3


def test_the_demo_rejects_invalid_config_settings_before_running(quick_bundle, tmp_path, monkeypatch):
    monkeypatch.setenv("GIGS_DEMO_BUNDLE", str(quick_bundle))
    config = tmp_path / "run.yaml"
    config.write_text("shift:\n  eps: big\n")
    result = run_cli(["run", "-q", "--config", str(config), "-o", str(tmp_path / "out")])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1 and "shift.eps" in lines[0]
    assert not (tmp_path / "out").exists()
