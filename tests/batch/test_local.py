"""The local engine: a bad photo fails its job only; re-runs skip finished jobs and retry
failed ones only when asked; the summary and index cover every job; results equal `gigs run`."""

import csv
import json
import shutil

import pytest

from gigs_core.batch.jobs import job_key
from tests.batch.conftest import TOY, items_of, run_cli, toy_args


def _summary(out):
    with (out / "summary.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_bad_photo_fails_its_job_and_a_rerun_skips_and_retries_on_request(inputs, tmp_path):
    photos, out = inputs / "photos", tmp_path / "out"
    (photos / "broken.png").write_bytes(b"\x89PNG not really")
    args = toy_args(inputs, "--items", str(photos), "--segments", "all,random:5", "--out", str(out), "--batch-size", "4")
    first = run_cli(args)
    assert first.exit_code == 1 and "8 jobs: 0 were done before, 6 done now, 2 failed now" in first.output
    assert len(items_of(out)) == 6
    failure = json.loads((out / "failed" / f"{job_key('broken', 'all')}.json").read_text())
    assert failure["attempts"] == 1 and "is not a readable image" in failure["error"]
    rows = _summary(out)
    assert [row["status"] for row in rows] == ["done"] * 6 + ["failed"] * 2
    gains = [float(row["mean_gain"]) for row in rows[:6]]
    assert gains == sorted(gains, reverse=True)
    assert all((out / row["report"]).is_file() for row in rows[:6])
    assert {row["users"] for row in rows[:6]} == {"20", "5"}
    index = (out / "index.html").read_text()
    assert all(f'href="{row["report"]}"' in index for row in rows[:6]) and "is not a readable image" in index
    stamps = {path: path.stat().st_mtime_ns for path in out.glob("jobs/*/report.json")}

    again = run_cli(args)
    assert again.exit_code == 1 and "6 were done before, 0 done now, 0 failed now, 2 failed before" in again.output
    shutil.copy(photos / "p0.png", photos / "broken.png")
    retried = run_cli([*args, "--retry-failed"])
    assert retried.exit_code == 0 and "2 done now" in retried.output
    assert not list((out / "failed").iterdir()) and len(items_of(out)) == 8
    assert all(path.stat().st_mtime_ns == stamp for path, stamp in stamps.items())  # never redone
    assert [row["status"] for row in _summary(out)] == ["done"] * 8
    assert json.loads((out / "summary.json").read_text())["done"] == 8


def test_batched_jobs_equal_single_gigs_runs(inputs, tmp_path):
    photos = inputs / "photos"
    common = toy_args(inputs, "--items", str(photos), "--segments", "random:5", "--only", "p0,p2")
    assert run_cli([*common, "--out", str(tmp_path / "one"), "--batch-size", "1"]).exit_code == 0
    assert run_cli([*common, "--out", str(tmp_path / "two"), "--batch-size", "2"]).exit_code == 0
    one, two = items_of(tmp_path / "one"), items_of(tmp_path / "two")
    users = json.loads((tmp_path / "one" / "jobs" / job_key("p0", "random:5") / "report.json").read_text())["users"]
    for item_id in ("p0", "p2"):
        key = job_key(item_id, "random:5")
        single = tmp_path / f"single-{item_id}"
        result = run_cli(["run", *TOY, "--config", str(inputs / "settings.toml"), "--item", str(photos / f"{item_id}.png"),
                          "--users", ",".join(map(str, users)), "--seed", str(one[key]["seed"]), "--out", str(single)])
        assert result.exit_code == 0, result.output
        alone = json.loads((single / "report.json").read_text())["items"][0]
        assert {**alone, "name": None} == {**one[key], "name": None}  # one job per call: bit-identical
        # several per call: equal up to float rounding of batched convolutions (Adam amplifies it a little)
        assert two[key]["variant_preferences"] == pytest.approx(alone["variant_preferences"], rel=1e-2)
        assert two[key]["base_latent"] == pytest.approx(alone["base_latent"], abs=1e-4)


def test_a_resume_with_other_settings_or_into_a_foreign_folder_is_refused(inputs, tmp_path):
    out = tmp_path / "out"
    args = toy_args(inputs, "--items", str(inputs / "photos"), "--segments", "all", "--only", "p0", "--out", str(out))
    assert run_cli(args).exit_code == 0
    changed = run_cli([*args, "--shift-steps", "4"])
    assert changed.exit_code == 2 and "differing: runner.config.shift.steps" in changed.output
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    refused = run_cli([*args[:-1], str(foreign)])
    assert refused.exit_code == 2 and "was not written by gigs batch" in refused.output
    assert [path.name for path in foreign.iterdir()] == ["notes.txt"]
