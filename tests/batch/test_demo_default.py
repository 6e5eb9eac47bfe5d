"""Without backends, `gigs batch` takes the default run's items and segments (the demo bundle's)."""

import json

from gigs_core.batch.jobs import job_key
from gigs_demo.batch import DemoBatch
from tests.batch.conftest import run_cli


def test_default_batch_is_the_demo_bundle(tmp_path):
    demo = DemoBatch({})
    assert len(demo.items()) == 40 and [segment.name for segment in demo.segments()] == [
        "minimalist", "statement", "light-and-airy", "long-silhouette", "compact"]
    first = demo.items()[0].id
    out = tmp_path / "out"
    result = run_cli(["batch", "--only", first, "--segments", "compact", "--steps", "1", "--n", "2", "-q",
                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "jobs" / job_key(first, "compact") / "report.json").read_text())
    assert report["backends"]["demo"]["segment"] == "compact" and len(report["users"]) == 989
    assert report["evaluation"]["segment"] == "compact"  # the demo's true-utility evaluation
