"""`gigs eval --quick` without --recommender evaluates the demo catalogue: its generator, DVBPR,
the ground truth as judge and its segments, on the Fashion-MNIST test set."""

import json

from click.testing import CliRunner

from gigs_core.cli.main import cli


def test_quick_eval_on_the_demo_catalogue(quick_bundle, tmp_path, no_lpips, monkeypatch):
    monkeypatch.setenv("GIGS_DEMO_BUNDLE", str(quick_bundle))
    out = tmp_path / "eval"
    result = CliRunner().invoke(cli, ["eval", "--quick", "--tables", "2,5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table2 = json.loads((out / "table2.json").read_text())
    methods = [row["label"] if "label" in row else row.get("method") for row in table2["rows"]]
    assert methods == ["gigs", "dvbpr-pm", "dvbpr-random"], table2["rows"][0]
    assert "domain" in (out / "table2.md").read_text()
    assert (out / "table5.json").is_file() and (out / "summary.html").is_file()
