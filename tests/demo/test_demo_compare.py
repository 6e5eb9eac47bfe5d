"""`gigs compare` without --recommender compares on the demo catalogue: the bundle's generator
and DVBPR, its judge recommender and the ground truth as judges, its items and a taste segment."""

import json

import pytest
from click.testing import CliRunner

from gigs_core.cli.main import cli

FAST = ["--steps", "2", "--n", "2", "-q"]


def test_compare_on_the_demo_catalogue(quick_bundle, tmp_path, no_lpips, monkeypatch):
    monkeypatch.setenv("GIGS_DEMO_BUNDLE", str(quick_bundle))
    out = tmp_path / "cmp"
    result = CliRunner().invoke(cli, ["compare", *FAST, "--segment", "statement", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "comparison.json").read_text())
    (row,) = report["rows"]
    assert row["label"] == "progan" and set(row["judged_gains"]) == {"dvbpr-judge", "ground-truth"}
    assert report["distance_to_item"].startswith("domain:")
    run = json.loads((out / "runs" / "progan" / "report.json").read_text())
    assert len(run["items"]) == 5 and len(run["users"]) == json.loads(
        (quick_bundle / "manifest.json").read_text())["group_sizes"]["statement"]
    assert "segment: statement" in result.output


@pytest.mark.parametrize("args, message", [
    (["--users", "1,2"], "takes --segment NAME instead of --users"),
    (["--segment", "nope"], "--segment 'nope' is not one of"),
    (["--recommender", "toy", "--segment", "statement"], "--segment applies to the default catalogue only"),
])
def test_compare_default_mistakes_are_one_line(quick_bundle, tmp_path, monkeypatch, args, message):
    monkeypatch.setenv("GIGS_DEMO_BUNDLE", str(quick_bundle))
    result = CliRunner().invoke(cli, ["compare", *FAST, *args, "--out", str(tmp_path / "cmp")])
    assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "cmp").exists()
